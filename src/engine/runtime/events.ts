/**
 * What step() reports: the events it emits while it runs and the result it
 * returns. These are the types hosts (the session actor, the CLI) build on.
 */
import type { LanguageModelV3 } from "@ai-sdk/provider";
import type { TemplateName } from "../prompts/templates";
import type { SessionScript } from "../script/schema";
import type { GuardKind } from "../safety/output-check";
import type { SafetyClassifier } from "../safety/classifier";
import type { CrisisResourceTable } from "../safety/resources";
import { type CrisisLevel, crisisLevels } from "../safety/detector/result";
import type { JsonValue, Position, SessionState, VariableScope } from "./state";

/** How much danger the client may be in, lowest first (the detector's grades): hosts keep a session's highest. */
export const riskLevels = crisisLevels;
export type RiskLevel = CrisisLevel;

export interface SafetyFlag {
  /** `model`: the model flagged its own reply or a crisis; `input`: the local keyword scan of the client's words. */
  source: "model" | "input";
  /** The client may be in danger (self-harm, suicide, violence). Hosts show crisis resources. */
  crisis: boolean;
  /** What kind of risk: `self_harm` or `third_party` (input scan) or the model's `risk_type` (diagnosis, prescription, guarantee, …). */
  riskType?: string;
  confidence?: string;
  /** The local detector's grade of the client's words (input flags; hosts grade the model's own flags). */
  level?: RiskLevel;
}

/**
 * What the output guard did with a line the client was about to see: it crossed a safety boundary
 * (the model's own `safety_risk`, or the local check), so the line shown and kept is a rewrite or
 * an approved canned line. Never carries text.
 */
export interface GuardAction {
  /** `model`: the model flagged its own reply (whatever the local check found too); `local`: only the local check did. */
  source: "model" | "local";
  /** The boundaries crossed, as far as known (empty when the model flagged its reply without saying which). */
  kinds: GuardKind[];
  /** `rewritten`: a rewrite call gave a line that passed both checks; `canned`: it did not (flagged again, unusable or failed). */
  action: "rewritten" | "canned";
}

export interface EngineMessage {
  /** Deterministic: `msg_<n>`, n counting the session's assistant messages, so a re-run turn yields the same ids. */
  id: string;
  actionId: string;
  role: "assistant";
  content: string;
  metadata: {
    round: number;
    /** A line of the crisis protocol (not of the script). */
    crisis?: true;
    /** A line of a technique a use_skill runs: its technique_id (`actionId` is then the technique's action). */
    technique?: string;
    /** Present when the model flagged a risk or crisis for this reply. */
    safety?: SafetyFlag;
    /** A fixed notice, not a line of the script: `ai_disclosure` is the periodic reminder of a minor's session (runtime/reminder.ts). */
    reminder?: "ai_disclosure";
  };
}

export interface VariableChange {
  name: string;
  scope: VariableScope;
  value: JsonValue;
  /** The value this scope held before, when there was one. */
  previous?: JsonValue;
}

export interface LlmUsage {
  inputTokens?: number;
  outputTokens?: number;
}

/** One model call: what it cost, always; what was said (prompt and reply) only with `debug: true`, since that is counseling content. */
export interface LlmTrace {
  actionId: string;
  purpose: TemplateName;
  /** 1 for the first call, then 2 and 3 for repair or retry calls after an unusable, empty or broken reply. */
  attempt: number;
  /** Only with `debug: true`. */
  prompt?: string;
  /** The raw reply; only with `debug: true`. */
  response?: string;
  model: string;
  usage: LlmUsage;
  latencyMs: number;
}

export type EngineEvent =
  /**
   * Streamed text of a message being produced. `reset`: drop the text received so far for this
   * messageId, then append `text`. Emitted with empty text the moment an attempt that streamed is
   * discarded (repair, retry, failure) or its line is withheld by the output guard (a `guard` event
   * follows), and with the whole line when the accepted line differs
   * from what streamed. The `message` event that follows is authoritative.
   */
  | { type: "message.delta"; messageId: string; actionId: string; text: string; reset?: true }
  | { type: "message"; message: EngineMessage }
  | { type: "variables"; actionId: string | null; changes: VariableChange[] }
  | { type: "position"; position: Position }
  | { type: "llm"; trace: LlmTrace }
  | ({ type: "safety"; actionId: string | null; messageId?: string } & SafetyFlag)
  /**
   * The line with this messageId crossed a boundary and was replaced before it was committed: what
   * streamed of it was retracted (`message.delta` with `reset`) first; the `message` event that
   * follows holds the safe line. Hosts count these.
   */
  | ({ type: "guard"; actionId: string; messageId: string } & GuardAction)
  | ({ type: "diagnostic"; actionId: string | null } & RunDiagnostic)
  /**
   * The crisis protocol showed the configured crisis lines of `locale` (a key of the resource table) in a
   * message of action `actionId`; `level` is the crisis's risk level. No content: hosts count referrals.
   */
  | { type: "crisis_referral"; actionId: string; locale: string; level: "low" | "high" | "imminent" }
  /** The script's `handoff` action ran: the host queues the session for a human counselor, for the author's `reason`. */
  | { type: "handoff"; actionId: string; reason: string }
  /**
   * A question of the crisis protocol about safety (an ai_ask with `current_risk`) read the client's answer:
   * what it found, and the crisis's level. No content: hosts count confirmations.
   */
  | { type: "crisis_confirmation"; actionId: string; level: "low" | "high" | "imminent"; outcome: ConfirmationOutcome };

/**
 * What a question about safety found in the client's answer: `confirmed`, a current risk (its reading is
 * `low` or above, or the words themselves show one); `denied`, no current risk (read as `none`); `unclear`,
 * nothing could be read (the model gave no value or failed).
 */
export const confirmationOutcomes = ["confirmed", "denied", "unclear"] as const;
export type ConfirmationOutcome = (typeof confirmationOutcomes)[number];

export const runDiagnosticCodes = [
  /** A `condition:` could not be evaluated (a variable not set, a comparison of different types): it counted as false. */
  "CONDITION_ERROR",
  /** A placeholder had no value where a text was rendered for the model or the client: it was left out. */
  "UNRENDERED_PLACEHOLDER",
  /** The model gave a value that is not of the output's declared type: it was not stored. */
  "OUTPUT_UNREADABLE",
  /** The `crisisScript` option is not a crisis protocol (crisis/scripts.ts): the built-in protocol ran instead. */
  "CRISIS_SCRIPT_INVALID",
  /** A `set` expression could not be evaluated: its variable was not written. */
  "SET_ERROR",
  /** A `set` expression gave a value of another type than the entry declares: it was not stored. */
  "SET_TYPE_MISMATCH",
  /** A step reached MAX_JUMPS_PER_STEP jumps (`next:`, `on_exhausted: goto`): further jumps in it were not taken, the script went on in order. */
  "JUMP_LIMIT",
  /** A jump named a topic the script does not have (only for scripts that did not come through the loader): the script went on in order. */
  "UNKNOWN_TARGET",
  /** A technique ended without a value for an output its use_skill maps: that variable was not written. */
  "SKILL_OUTPUT_MISSING",
] as const;

/**
 * Something authors should fix that did not stop the turn. Names variables and placeholders of
 * the script, never what the client or the model said.
 */
export interface RunDiagnostic {
  code: (typeof runDiagnosticCodes)[number];
  message: string;
  /** The variables or placeholders concerned. */
  names?: string[];
}

export const stepErrorCodes = [
  /** The model call took longer than the provider's timeout. */
  "LLM_TIMEOUT",
  /** The provider kept failing (429, 5xx, network) after its retries. */
  "LLM_UNAVAILABLE",
  /** The provider refused the request (bad key, bad model name, …). */
  "LLM_ERROR",
  /** The model's reply stayed unusable (or empty) through every repair and retry. */
  "MODEL_REPLY_INVALID",
  /** Not a step error any more (a failing condition counts as false, with a `diagnostic` event); kept so hosts' code tables stay valid. */
  "CONDITION_ERROR",
  /** The state does not belong to this script (another script, or the script changed under it). */
  "SCRIPT_MISMATCH",
  /** The state is not one this engine wrote (use migrateState() on stored states). */
  "STATE_INVALID",
  /** The host aborted the step through its signal. */
  "ABORTED",
  /** A bug in the engine or in the host's emit callback. */
  "INTERNAL",
] as const;
export type StepErrorCode = (typeof stepErrorCodes)[number];

export interface StepError {
  code: StepErrorCode;
  /** Says what failed, never what the client said. */
  message: string;
  actionId?: string;
  /** Whether running the same step again may succeed. The state is unchanged either way. */
  retryable: boolean;
}

export type StepStatus = "waiting_input" | "completed" | "error";

export interface StepStats {
  llmCalls: number;
  /** Time spent waiting for the model, in ms: step time minus this is the engine's own overhead. */
  modelMs: number;
  inputTokens: number;
  outputTokens: number;
}

export interface StepResult {
  /** The new state; on error, the state that was passed in (untouched). */
  state: SessionState;
  /** Every assistant message the step produced, in order (none on error). */
  messages: EngineMessage[];
  status: StepStatus;
  error?: StepError;
  stats: StepStats;
}

export interface StepOptions {
  /** The model port: an AI SDK LanguageModelV3 (see src/llm createModel(), or ai/test's MockLanguageModelV3). */
  model: LanguageModelV3;
  /** Receives events while the step runs. Events of a step that ends in error are void: retrying re-emits them with the same ids. */
  emit?: (event: EngineEvent) => void;
  /** Project overrides of the bundled prompt templates, by name. */
  templates?: Partial<Record<TemplateName, string>>;
  signal?: AbortSignal;
  /** Emit `llm` events with prompts and replies. Authors only: they contain counseling content. */
  debug?: boolean;
  /** Clock (ms since epoch, fractions allowed) for prompt times and latencies. Default: the real clock. */
  now?: () => number;
  /** Longest line shown to a client, in characters; longer model lines are cut after a sentence. Default 2000. */
  maxContentChars?: number;
  /** The deployment's crisis lines per locale (CRISIS_RESOURCES); prompts offer those of the script's language, else the defaults. */
  crisisResources?: CrisisResourceTable | undefined;
  /** The project's crisis protocol (its `crisis` file, loaded with loadCrisisScript()); default: the built-in one of the script's language. */
  crisisScript?: SessionScript | undefined;
  /** A classifier model that grades the client's words beside the local detector (safety/classifier.ts); default: none. */
  classifier?: SafetyClassifier | undefined;
}
