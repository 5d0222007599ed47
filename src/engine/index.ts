/**
 * The HeartRule engine's public API: what hosts (the session actor, the CLI,
 * tests, benchmarks) build on. Pure TypeScript: runs in Node and in workerd.
 *
 *   const state = start(script, { variables });
 *   const r = await step(script, state, userText | null, { model, emit });
 *   // r.status: "waiting_input" | "completed" | "error"; r.state is the new state
 *   // (on error: the state passed in, untouched — retry the same step).
 */
export { start, step, flatVariables, variableScopes, type StartOptions } from "./runtime/session";
export { resumeAfterHandoff, topicIds, UnknownTopicError } from "./runtime/handoff";
export { migrateState, StateError, OLDEST_SCHEMA_VERSION, type StateErrorCode } from "./runtime/migrate";
export {
  SCHEMA_VERSION,
  HISTORY_LIMIT,
  SessionStateSchema,
  PositionSchema,
  type SessionState,
  type CrisisState,
  type Position,
  type InFlight,
  type HistoryEntry,
  type VariableMap,
  type VariableStore,
  type JsonValue,
} from "./runtime/state";
export {
  stepErrorCodes,
  runDiagnosticCodes,
  riskLevels,
  confirmationOutcomes,
  type ConfirmationOutcome,
  type RiskLevel,
  type RunDiagnostic,
  type EngineEvent,
  type EngineMessage,
  type SafetyFlag,
  type VariableChange,
  type LlmTrace,
  type LlmUsage,
  type StepError,
  type StepErrorCode,
  type StepOptions,
  type StepResult,
  type StepStats,
  type StepStatus,
} from "./runtime/events";
export { PROVIDER_OPTIONS_KEY, type ModelRequest } from "./runtime/model";
export { riskOf, type RiskReading, type CrisisLevel } from "./crisis/risk";
export { noClassifier, type SafetyClassifier, type ClassifierReading } from "./safety/classifier";
export {
  loadCrisisScript,
  checkCrisisScript,
  builtInCrisisScript,
  PROTOCOL_VARIABLES,
  RISK_OUTPUT,
  type CrisisScriptLoad,
} from "./crisis/scripts";
export {
  templateNames,
  templatePlaceholders,
  bundledTemplate,
  validateTemplate,
  type TemplateName,
  type TemplateIssue,
} from "./prompts/templates";
export { canonicalTimeZone, defaultTimeZones, TIME_ZONE_VARIABLE } from "./prompts/time";
export { renderPlaceholders } from "./variables/render";
export { coerceOutput, exitRequested, hasValue, readBoolean, readNumber } from "./variables/coerce";
export { compileCondition } from "./conditions";
export type { Script, SessionScript, Language } from "./script/schema";
