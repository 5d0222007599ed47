/**
 * The session state: plain JSON a host stores between turns and hands back to
 * step(). One zod schema defines it; the TypeScript types derive from it and
 * migrateState() validates stored states with it.
 *
 * Compatibility rule: a released schemaVersion is never changed in place.
 * A new engine that needs a different shape bumps SCHEMA_VERSION and appends
 * an upgrader from the previous version to `upgraders` (migrate.ts), so
 * states written by any earlier engine keep loading. The frozen fixtures in
 * test/node/engine/fixtures/ (state-v1.json, …) fail the tests when the shape
 * changes without that.
 */
import { z } from "zod";
import { crisisLevels as riskLevels } from "../safety/detector/result";
import { actionTypes, variableScopes } from "../script/schema";

/**
 * 2: `crisis` (the crisis protocol in progress, null outside it). 3: `minor` (the AI reminder of a minor's session).
 * 4: `technique` (a use_skill's technique in progress) and `position.technique` (where in it).
 */
export const SCHEMA_VERSION = 4;

/** Most history entries kept in the state (prompts need recent context; the host keeps the full log). */
export const HISTORY_LIMIT = 20;

const index = z.number().int().min(0);
const ActionTypeSchema = z.enum(actionTypes);

/** Variables of one scope, by name. Values are whatever JSON the model or the host gave. */
export const VariableMapSchema = z.record(z.string(), z.json());

export const VariableStoreSchema = z.object({
  global: VariableMapSchema,
  session: VariableMapSchema,
  /** phase_id → variables local to that phase. */
  phase: z.record(z.string(), VariableMapSchema),
  /** topic_id → variables local to that topic. */
  topic: z.record(z.string(), VariableMapSchema),
});

/** Where a running technique is (its one topic's action), for hosts to show beside the session's position. */
export const TechniquePositionSchema = z.object({
  /** The technique's technique_id (its topic_id when it declares none). */
  techniqueId: z.string(),
  topicId: z.string(),
  actionIndex: index,
  actionId: z.string(),
  actionType: ActionTypeSchema,
  round: index,
  maxRounds: index,
});

/**
 * Where the session is. When the script is over, the position is normalised:
 * phaseIndex = number of phases, the other indices 0, ids and type null.
 */
export const PositionSchema = z.object({
  phaseIndex: index,
  topicIndex: index,
  actionIndex: index,
  phaseId: z.string().nullable(),
  topicId: z.string().nullable(),
  actionId: z.string().nullable(),
  actionType: ActionTypeSchema.nullable(),
  /** Round of the action in flight; 0 when the action has not started. */
  round: index,
  /** The action's round budget (0 past the end). */
  maxRounds: index,
  /** While the action is a use_skill whose technique waits for the client: where in the technique. */
  technique: TechniquePositionSchema.nullable(),
});

/** The action that is waiting for the client, with what it gathered so far. */
export const InFlightSchema = z.object({
  actionId: z.string(),
  actionType: ActionTypeSchema,
  round: index,
  /** ai_ask: output values the model reported during this action, by variable name. */
  collected: VariableMapSchema.optional(),
});

export const HistoryEntrySchema = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  actionId: z.string().nullable(),
});

/**
 * The crisis protocol while it runs (crisis/protocol.ts): its own position and variables, so the
 * interrupted action keeps its position and in-flight rounds untouched in the state around it.
 */
export const CrisisStateSchema = z.object({
  /** session_id of the protocol script; another one (an override that changed) starts the protocol over. */
  scriptId: z.string(),
  /** The highest risk seen since the protocol started; at `imminent` it never returns to the script. */
  level: z.enum(riskLevels).exclude(["none"]),
  /** How many times the protocol has run from its start in this crisis (1 on entry). */
  pass: index.min(1),
  /** The highest risk read in the client's own words during this pass: anything but none keeps the protocol going. */
  passRisk: z.enum(riskLevels),
  position: PositionSchema,
  inFlight: InFlightSchema.nullable(),
  /** The protocol's own variables (current_risk…): never the session's. */
  variables: VariableMapSchema,
});

/**
 * A use_skill's technique while it waits for the client: its in-flight action and its own variables
 * (its inputs in `global`, what its actions set in the other scopes), kept apart from the session's.
 */
export const TechniqueFrameSchema = z.object({
  /** The use_skill action's `skill` as written: the key into the script's resolved techniques. */
  skill: z.string(),
  /** The use_skill action that runs it. */
  actionId: z.string(),
  inFlight: InFlightSchema.nullable(),
  scopes: VariableStoreSchema,
});

/** A minor's session: the periodic reminder that the client is talking with an AI (runtime/reminder.ts). */
export const MinorStateSchema = z.object({
  /** When the last reminder was shown; the session's start until the first one. */
  remindedAt: z.string(),
});

export const StateStatusSchema = z.enum(["ready", "waiting_input", "completed"]);

export const SessionStateSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** session_id of the script this state belongs to; step() refuses another script. */
  scriptId: z.string(),
  /** `ready`: started, nothing run yet (or between actions); `waiting_input`: an AI line awaits a reply. */
  status: StateStatusSchema,
  position: PositionSchema,
  inFlight: InFlightSchema.nullable(),
  /** The crisis protocol in progress, or null: then the script runs. */
  crisis: CrisisStateSchema.nullable(),
  /** Set when the host started the session as a minor's (start() option `minor`), else null. */
  minor: MinorStateSchema.nullable(),
  /** The technique a use_skill runs while it waits for the client, or null. Its position is `position.technique`. */
  technique: TechniqueFrameSchema.nullable(),
  scopes: VariableStoreSchema,
  /** Flat view: every variable ever written, latest write wins. What hosts list as "variables". */
  variables: VariableMapSchema,
  /** The last HISTORY_LIMIT turns, oldest first. */
  history: z.array(HistoryEntrySchema),
  /** Assistant messages produced so far; message ids derive from it. */
  messageCount: index,
  startedAt: z.string(),
});

export type VariableMap = z.infer<typeof VariableMapSchema>;
export type VariableStore = z.infer<typeof VariableStoreSchema>;
export type Position = z.infer<typeof PositionSchema>;
export type TechniquePosition = z.infer<typeof TechniquePositionSchema>;
export type TechniqueFrame = z.infer<typeof TechniqueFrameSchema>;
export type InFlight = z.infer<typeof InFlightSchema>;
export type CrisisState = z.infer<typeof CrisisStateSchema>;
export type MinorState = z.infer<typeof MinorStateSchema>;
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
export type SessionState = z.infer<typeof SessionStateSchema>;
export type JsonValue = VariableMap[string];
export type { VariableScope } from "../script/schema";
export { variableScopes };
