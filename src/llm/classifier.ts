/**
 * The classifier layer of crisis detection (SAFETY_CLASSIFIER, classifier-config.ts) as the engine's
 * SafetyClassifier port: an OpenAI-compatible moderation endpoint (`results[0].categories` and
 * `category_scores` for `self-harm`, `self-harm/intent`, `self-harm/instructions`) and/or Llama Guard on
 * Workers AI ("safe", or "unsafe" and its hazard codes; S11 is suicide and self-harm). Every entry is
 * asked at once and the highest grade wins. An entry that times out, fails or answers something it
 * cannot read counts as `none` and is logged with a code (never the words), so it never blocks a turn
 * and never lowers what the other layers found.
 */
import { riskLevels, type RiskLevel } from "../engine";
import type { ClassifierReading, SafetyClassifier } from "../engine/safety/classifier";
import { log } from "../log";
import type { ClassifierEntry } from "./classifier-config";

export const classifierFailures = [
  "CLASSIFIER_TIMEOUT",
  /** A 429 or 5xx, or no answer (network). */
  "CLASSIFIER_UNAVAILABLE",
  /** Another error status (a bad key, a bad model name…). */
  "CLASSIFIER_ERROR",
  /** Not JSON, or no self-harm category it can read. */
  "CLASSIFIER_REPLY_INVALID",
  /** A Llama Guard entry without the AI binding. */
  "CLASSIFIER_NOT_CONFIGURED",
] as const;
type FailureCode = (typeof classifierFailures)[number];

class ClassifierFailure extends Error {
  constructor(
    readonly code: FailureCode,
    readonly status?: number,
  ) {
    super(code);
    this.name = "ClassifierFailure";
  }
}

const unreadable = () => new ClassifierFailure("CLASSIFIER_REPLY_INVALID");

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A score at or above this counts as the category found, for servers that give scores and no booleans. */
const SCORE_FOUND = 0.5;
const SELF_HARM = "self-harm";
const INTENT = "self-harm/intent";
const INSTRUCTIONS = "self-harm/instructions";

/** `Self_Harm/Intent` and `self-harm/intent` are one category. */
const categoryKey = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-");

/** The grade a moderation answer gives the words: intent or instructions `high`, self-harm alone `low`. */
export function moderationLevel(body: unknown): RiskLevel {
  const results = record(body)?.results;
  const first = record(Array.isArray(results) ? results[0] : undefined);
  const found = new Map<string, boolean>();
  const note = (name: string, yes: boolean) => found.set(categoryKey(name), yes || found.get(categoryKey(name)) === true);
  for (const [name, v] of Object.entries(record(first?.categories) ?? {})) if (typeof v === "boolean") note(name, v);
  for (const [name, v] of Object.entries(record(first?.category_scores) ?? {})) if (typeof v === "number") note(name, v >= SCORE_FOUND);
  // An answer that names none of the self-harm categories says nothing about them: it is not read as safe.
  if (![SELF_HARM, INTENT, INSTRUCTIONS].some((k) => found.has(k))) throw unreadable();
  if (found.get(INTENT) || found.get(INSTRUCTIONS)) return "high";
  return found.get(SELF_HARM) ? "low" : "none";
}

const SELF_HARM_HAZARD = /^s11$/i;

/** Llama Guard's verdict, as text ("safe", "unsafe\nS11") or as the binding's object ({ safe, categories }). */
export function llamaGuardLevel(body: unknown): RiskLevel {
  const response = record(body)?.response;
  if (typeof response === "string") {
    const [verdict, ...hazards] = response.trim().split(/\s*[\n,]\s*/);
    if (verdict?.toLowerCase() === "safe") return "none";
    if (verdict?.toLowerCase() !== "unsafe") throw unreadable();
    return hazards.some((h) => SELF_HARM_HAZARD.test(h)) ? "high" : "none";
  }
  const object = record(response);
  if (typeof object?.safe !== "boolean") throw unreadable();
  if (object.safe) return "none";
  const hazards = Array.isArray(object.categories) ? object.categories : [];
  return hazards.some((h) => typeof h === "string" && SELF_HARM_HAZARD.test(h)) ? "high" : "none";
}

export interface ClassifierDeps {
  /** SAFETY_CLASSIFIER_API_KEY: the moderation endpoint's bearer token. */
  apiKey?: string | undefined;
  ai?: Ai | undefined;
}

/** `work`, ended by the entry's timeout or the host's abort, whichever comes first. */
async function within<T>(ms: number, signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = AbortSignal.timeout(ms);
  const both = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let abandon: (reason: unknown) => void = () => undefined;
  // A call that ignores the signal (the AI binding takes none) is abandoned rather than waited for.
  const abandoned = new Promise<never>((_, reject) => (abandon = reject));
  const onAbort = () => abandon(deadline.aborted ? new ClassifierFailure("CLASSIFIER_TIMEOUT") : both.reason);
  both.addEventListener("abort", onAbort, { once: true });
  try {
    return await Promise.race([work(both), abandoned]);
  } finally {
    both.removeEventListener("abort", onAbort);
  }
}

async function moderate(entry: Extract<ClassifierEntry, { kind: "moderation" }>, text: string, deps: ClassifierDeps, signal: AbortSignal) {
  let res: Response;
  try {
    res = await fetch(entry.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(deps.apiKey ? { authorization: `Bearer ${deps.apiKey}` } : {}) },
      body: JSON.stringify({ input: text, ...(entry.model ? { model: entry.model } : {}) }),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new ClassifierFailure("CLASSIFIER_UNAVAILABLE");
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new ClassifierFailure(res.status === 429 || res.status >= 500 ? "CLASSIFIER_UNAVAILABLE" : "CLASSIFIER_ERROR", res.status);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    if (signal.aborted) throw err;
    throw unreadable();
  }
  return moderationLevel(body);
}

async function guard(entry: Extract<ClassifierEntry, { kind: "llama-guard" }>, text: string, deps: ClassifierDeps): Promise<RiskLevel> {
  if (!deps.ai) throw new ClassifierFailure("CLASSIFIER_NOT_CONFIGURED");
  const run = deps.ai.run as (model: string, inputs: unknown) => Promise<unknown>;
  let body: unknown;
  try {
    body = await run.call(deps.ai, entry.model, { messages: [{ role: "user", content: text }] });
  } catch {
    throw new ClassifierFailure("CLASSIFIER_UNAVAILABLE");
  }
  return llamaGuardLevel(body);
}

async function readWith(entry: ClassifierEntry, text: string, deps: ClassifierDeps, signal: AbortSignal | undefined): Promise<ClassifierReading> {
  try {
    const level = await within(entry.timeoutMs, signal, (both) =>
      entry.kind === "moderation" ? moderate(entry, text, deps, both) : guard(entry, text, deps),
    );
    return { level };
  } catch (err) {
    if (signal?.aborted) throw err;
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    const failure = err instanceof ClassifierFailure ? err : new ClassifierFailure(timedOut ? "CLASSIFIER_TIMEOUT" : "CLASSIFIER_UNAVAILABLE");
    log({ level: "warn", msg: "safety classifier gave no reading", code: failure.code, check: entry.kind, status: failure.status });
    return { level: "none", failure: failure.code };
  }
}

/** The configured entries as one classifier: all asked at once, the highest grade; `failure` only when none could read the words. */
export function createClassifier(entries: readonly ClassifierEntry[], deps: ClassifierDeps = {}): SafetyClassifier {
  return {
    async classify(text, { signal }) {
      const readings = await Promise.all(entries.map((entry) => readWith(entry, text, deps, signal)));
      const read = readings.filter((r) => r.failure === undefined);
      if (read.length === 0) return readings[0] ?? { level: "none" };
      return { level: riskLevels[Math.max(...read.map((r) => riskLevels.indexOf(r.level)))]! };
    },
  };
}
