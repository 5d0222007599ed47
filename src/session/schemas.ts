/**
 * What sessions answer, as zod schemas: the actor builds these shapes, the
 * routes document them in OpenAPI, and the TypeScript types derive from them.
 */
import { z } from "@hono/zod-openapi";
import { confirmationOutcomes, PositionSchema, riskLevels, runDiagnosticCodes, type JsonValue } from "../engine";
import { guardKinds } from "../engine/safety/output-check";
import { executionStatuses, guardOutcomes, messageRoles, sessionStatuses } from "../store/schema/sessions";
import { listOf } from "../http/openapi";

/** Longest user message, in UTF-16 code units. */
export const MAX_MESSAGE_CHARS = 8000;

/**
 * Any JSON value. JsonValueSchema is recursive, which the OpenAPI generator cannot
 * walk; values here come from JSON (bodies, the engine state), so they are
 * JSON by construction.
 */
export const JsonValueSchema = z.unknown().openapi({ description: "Any JSON value" }) as unknown as z.ZodType<JsonValue>;

export const SessionStatusSchema = z.enum(sessionStatuses).openapi("SessionStatus", {
  description:
    "`active` → `paused` after SESSION_PAUSE_TIMEOUT idle (resumes on input) → `archived` after SESSION_ARCHIVE_TIMEOUT idle (read-only); `completed` when the script ended.",
});
export const ExecutionStatusSchema = z.enum(executionStatuses).openapi("ExecutionStatus", {
  description: "Where the script is: `waiting_input`, `completed`, or `error` when the last turn failed (send it again to retry).",
});

export const SessionPositionSchema = PositionSchema.openapi("SessionPosition");

export const ClientMessageIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.:-]+$/, "letters, digits and . _ : -")
  .openapi({
    description: "Chosen by the client, unique per message: sending the same id again returns the first answer instead of running the turn twice.",
    example: "tab1-0007",
  });

export const MessageSchema = z
  .object({
    seq: z.number().int().min(1).openapi({ description: "Position in the session's log: 1, 2, 3… without gaps" }),
    id: z.string().openapi({ description: "`msg_<n>` for the AI's messages, `usr_<seq>` for the client's", example: "msg_1" }),
    role: z.enum(messageRoles),
    content: z.string(),
    actionId: z.string().nullable().openapi({ description: "The script action that spoke (or that the client answered)" }),
    clientMessageId: z.string().nullable(),
    createdAt: z.string().openapi({ format: "date-time" }),
    metadata: z.record(z.string(), JsonValueSchema).nullable().openapi({
      description:
        "AI messages: `round`; `safety` when the reply was flagged; `inputSafety` on the first message answering client words that were flagged",
    }),
  })
  .openapi("SessionMessage");

export const RiskLevelSchema = z.enum(riskLevels).openapi("RiskLevel", {
  description: "How much danger the client may be in, lowest first. A crisis flag the engine did not grade counts as `high`.",
});

export const SafetySchema = z
  .object({
    source: z.enum(["model", "input"]),
    crisis: z.boolean().openapi({ description: "The client may be in danger: show crisis resources." }),
    riskType: z.string().optional(),
    confidence: z.string().optional(),
    level: RiskLevelSchema.optional().openapi({ description: "Absent only in turns answered before levels were kept" }),
    actionId: z.string().nullable(),
    messageId: z.string().optional(),
  })
  .openapi("SafetyFlag");

export const SafetyRecordSchema = z
  .object({
    kind: z.enum(["flag", "referral", "guard", "confirmation"]).openapi({
      description:
        "`flag`: a safety flag was raised; `referral`: crisis resources were shown; `guard`: the output guard replaced a line the AI was about to show; `confirmation`: the crisis protocol's question about safety read the client's answer",
    }),
    turn: z.number().int(),
    messageId: z.string().nullable(),
    actionId: z.string().nullable(),
    source: z.enum(["model", "input", "local"]).nullable().openapi({
      description:
        "Flags: the model's own report or the scan of the client's words. Guard actions: the model flagged its line (`model`) or only the local output check did (`local`)",
    }),
    level: RiskLevelSchema.optional().openapi({ description: "Flags, referrals and confirmations (the crisis's level)" }),
    kinds: z.array(z.enum(guardKinds)).optional().openapi({ description: "Guard actions: the boundaries the line crossed, as far as known" }),
    action: z.enum(guardOutcomes).optional().openapi({ description: "Guard actions: the line shown is a checked rewrite or the canned line" }),
    outcome: z
      .enum(confirmationOutcomes)
      .optional()
      .openapi({ description: "Confirmations: a current risk (`confirmed`), none (`denied`), or nothing could be read (`unclear`)" }),
    locale: z.string().openapi({ description: "The script's language: the locale of the resources offered" }),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("SafetyRecord", { description: "Carries no words of the conversation." });

const VariableMapSchema = z.record(z.string(), JsonValueSchema);

export const VariableChangeSchema = z
  .object({
    name: z.string(),
    scope: z.enum(["global", "session", "phase", "topic"]),
    value: JsonValueSchema,
    previous: JsonValueSchema.optional(),
    actionId: z.string().nullable(),
  })
  .openapi("VariableChange");

export const LlmTraceSchema = z
  .object({
    actionId: z.string(),
    purpose: z.string(),
    attempt: z.number().int(),
    prompt: z.string(),
    response: z.string(),
    model: z.string(),
    usage: z.object({ inputTokens: z.number().optional(), outputTokens: z.number().optional() }),
    latencyMs: z.number(),
  })
  .openapi("LlmTrace");

export const RunDiagnosticSchema = z
  .object({
    actionId: z.string().nullable(),
    code: z.enum(runDiagnosticCodes),
    message: z.string(),
    names: z.array(z.string()).optional(),
  })
  .openapi("RunDiagnostic", {
    description: "Something in the script to fix that did not stop the turn, e.g. a condition that could not be evaluated (it counted as false)",
  });

export const TurnDebugSchema = z
  .object({
    turn: z.number().int(),
    traces: z.array(LlmTraceSchema).openapi({ description: "Every model call: prompt, raw reply, latency" }),
    variableChanges: z.array(VariableChangeSchema),
    positions: z.array(SessionPositionSchema).openapi({ description: "Every position the turn passed through: the decision trace" }),
    diagnostics: z
      .array(RunDiagnosticSchema)
      .optional()
      .openapi({ description: "The engine's diagnostics of the turn (absent in turns stored before they were kept)" }),
  })
  .openapi("TurnDebug", { description: "Only for authors and admins, only in sessions created with `debug: true`." });

export const TurnResultSchema = z
  .object({
    messages: z.array(MessageSchema).openapi({ description: "The AI's messages of this turn, in order" }),
    userMessage: MessageSchema.nullable().openapi({ description: "The client's message as logged (null for the opening turn)" }),
    status: ExecutionStatusSchema,
    sessionStatus: SessionStatusSchema,
    position: SessionPositionSchema,
    variables: VariableMapSchema,
    safety: z.array(SafetySchema).openapi({ description: "Safety flags raised in this turn; `crisis: true` means show crisis resources" }),
    debug: TurnDebugSchema.optional(),
  })
  .openapi("TurnResult");

export const CreatedSessionSchema = TurnResultSchema.omit({ userMessage: true })
  .extend({ sessionId: z.uuid(), createdAt: z.string().openapi({ format: "date-time" }) })
  .openapi("CreatedSession");

export const SessionInfoSchema = z
  .object({
    sessionId: z.uuid(),
    userId: z.string(),
    projectId: z.string().nullable(),
    versionId: z.string().nullable(),
    versionNumber: z.string().nullable(),
    scriptPath: z.string().nullable(),
    scriptId: z.string().openapi({ description: "`session_id` of the script" }),
    scriptHash: z.string().openapi({ description: "SHA-256 of the pinned script's YAML" }),
    debug: z.boolean(),
    status: SessionStatusSchema,
    executionStatus: ExecutionStatusSchema,
    position: SessionPositionSchema,
    lastSeq: z.number().int().min(0).openapi({ description: "Seq of the newest message" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
    lastActivityAt: z.string().openapi({ format: "date-time" }),
    completedAt: z.string().nullable().openapi({ format: "date-time" }),
    riskLevel: RiskLevelSchema.openapi({ description: "The highest risk a safety flag of the session carried" }),
    riskRaisedAt: z.string().nullable().openapi({ format: "date-time", description: "When the session first reached `riskLevel`" }),
  })
  .openapi("Session");

export const SessionSummarySchema = SessionInfoSchema.omit({ position: true }).openapi("SessionSummary");

export const VariablesSchema = z
  .object({
    variables: VariableMapSchema.openapi({ description: "Every variable by name, latest write winning" }),
    scopes: z.object({
      global: VariableMapSchema,
      session: VariableMapSchema,
      phase: z.record(z.string(), VariableMapSchema),
      topic: z.record(z.string(), VariableMapSchema),
    }),
  })
  .openapi("SessionVariables");

export const MessagePageSchema = listOf(MessageSchema, "SessionMessageList");

export const SessionExportSchema = z
  .object({
    session: SessionInfoSchema,
    messages: z.array(MessageSchema),
    variables: VariablesSchema,
    safety: z
      .array(SafetyRecordSchema)
      .openapi({ description: "Every safety flag, crisis referral and output-guard action of the session, oldest first" }),
    exportedAt: z.string().openapi({ format: "date-time" }),
    debug: z.array(TurnDebugSchema.pick({ turn: true, traces: true })).optional(),
  })
  .openapi("SessionExport");

export type SessionMessage = z.infer<typeof MessageSchema>;
export type SafetyView = z.infer<typeof SafetySchema>;
export type SafetyRecordView = z.infer<typeof SafetyRecordSchema>;
export type LoggedChange = z.infer<typeof VariableChangeSchema>;
export type TurnDebug = z.infer<typeof TurnDebugSchema>;
export type TurnResult = z.infer<typeof TurnResultSchema>;
export type CreatedSession = z.infer<typeof CreatedSessionSchema>;
export type SessionInfo = z.infer<typeof SessionInfoSchema>;
export type SessionSummary = z.infer<typeof SessionSummarySchema>;
export type SessionVariables = z.infer<typeof VariablesSchema>;
export type MessagePage = z.infer<typeof MessagePageSchema>;
export type SessionExport = z.infer<typeof SessionExportSchema>;
