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
import { actionTypes, variableScopes } from "../script/schema";

export const SCHEMA_VERSION = 1;

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

export const StateStatusSchema = z.enum(["ready", "waiting_input", "completed"]);

export const SessionStateSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** session_id of the script this state belongs to; step() refuses another script. */
  scriptId: z.string(),
  /** `ready`: started, nothing run yet (or between actions); `waiting_input`: an AI line awaits a reply. */
  status: StateStatusSchema,
  position: PositionSchema,
  inFlight: InFlightSchema.nullable(),
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
export type InFlight = z.infer<typeof InFlightSchema>;
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
export type SessionState = z.infer<typeof SessionStateSchema>;
export type JsonValue = VariableMap[string];
export type { VariableScope } from "../script/schema";
export { variableScopes };
