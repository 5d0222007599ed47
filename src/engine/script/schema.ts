/**
 * The HeartRule script language (modern form), as one zod schema.
 *
 * Everything else derives from it: the TypeScript types below, the validator
 * the loader runs, and the exported JSON Schema editors use. Legacy field
 * names (content_template, target_variable, …) are NOT part of this schema:
 * the loader maps them to this form with a deprecation warning before
 * validating, so a loaded Script is always modern.
 *
 * Descriptions are written for counselors: they show up as editor hovers.
 */
import { z } from "zod";

const id = (what: string) => z.string().min(1).max(100).describe(`Unique ${what} identifier; used in positions, logs and variable scopes.`);

export const languages = ["zh-CN", "en"] as const;
export const LanguageSchema = z.enum(languages).describe("Language the AI speaks and its prompts are written in. Default zh-CN.");

export const variableScopes = ["topic", "phase", "session", "global"] as const;
export const VariableScopeSchema = z
  .enum(variableScopes)
  .describe(
    "Where an extracted variable is stored. Default `session`: visible to every later action. `topic`/`phase` keep it local to the current topic/phase; `global` is the scope the project's globals fill at the start; writes stay in this session.",
  );

export const outputTypes = ["text", "number", "integer", "boolean", "enum"] as const;
export const OutputTypeSchema = z
  .enum(outputTypes)
  .describe(
    'What kind of value the variable holds. Default `text`. `number`/`integer`: the model\'s answer is read as a number (`3`, "3分", "三" → 3); `boolean`: yes/no, 是/否, true/false, 1/0; `enum`: one of `values` (case-insensitive). An answer that cannot be read as the type counts as not given.',
  );

const enumValues = z.array(z.string().min(1).max(100)).min(1).optional();
/** Outputs and inputs alike: `values` belongs to `type: enum` and nothing else. */
const valuesGoWithEnum = (f: { type?: string; values?: unknown }) => (f.type === "enum") === (f.values !== undefined);
const valuesGoWithEnumIssue = { message: "`values` goes with `type: enum`, and `type: enum` needs `values`", path: ["values"] };

/** One variable an action extracts from the conversation. */
export const OutputFieldSchema = z
  .object({
    get: z.string().min(1).max(100).describe("Name of the variable to fill, e.g. `user_name` or `来访者称呼`. Reference it later as {user_name}."),
    define: z.string().max(1000).optional().describe("What to extract, in plain words, e.g. 'the name the client wants to be called'."),
    scope: VariableScopeSchema.optional(),
    type: OutputTypeSchema.optional(),
    values: enumValues.describe("With `type: enum`: the values the variable may take, e.g. [low, medium, high]."),
    set: z.unknown().optional().describe("Reserved; has no effect yet."),
    value: z.unknown().optional().describe("Reserved; has no effect yet."),
  })
  .strict()
  .refine(valuesGoWithEnum, valuesGoWithEnumIssue)
  .describe("A variable to extract from what the client says.")
  .meta({ id: "OutputField" });

/** A variable a client may set when it starts a session (`initialVariables`); clients may set no other. */
export const InputFieldSchema = z
  .object({
    name: z.string().min(1).max(100).describe("Name of the variable, e.g. `client_name`. Reference it as {client_name}, like any variable."),
    type: OutputTypeSchema.optional().describe(
      "What the client's value must be: read as this type when the session starts, refused when it is not. Default `text`.",
    ),
    values: enumValues.describe("With `type: enum`: the values the client may send."),
    description: z.string().max(500).optional().describe("What the client application should send, e.g. 'the name the client signed up with'."),
  })
  .strict()
  .refine(valuesGoWithEnum, valuesGoWithEnumIssue)
  .describe("A session variable the client application may set when it starts a session.")
  .meta({ id: "InputField" });

const content = z.string().min(1).describe("What to say or ask. Placeholders {name}, {{name}} and ${name} are replaced by variables.");
const tone = z.string().max(200).optional().describe("Tone of voice, e.g. 'warm, calm, professional'.");
const maxRounds = z.number().int().min(1).max(10).describe("How many AI turns this action may take (1–10).");

export const comparisonOperators = ["==", "!=", ">", "<", ">=", "<=", "contains"] as const;

export const CustomConditionSchema = z
  .object({
    variable: z.string().min(1).describe("Name of the variable to compare."),
    operator: z.enum(comparisonOperators).describe("How to compare: ==, !=, >, <, >=, <= or contains."),
    value: z.union([z.string(), z.number(), z.boolean()]).describe("What to compare the variable with."),
  })
  .strict()
  .describe("One condition on a variable, e.g. { variable: mood_score, operator: '>=', value: 5 }.")
  .meta({ id: "CustomCondition" });

export const ExitCriteriaSchema = z
  .object({
    understanding_threshold: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe("Move on once the client's understanding, as the AI rates it (0–100), reaches this."),
    has_questions: z.boolean().optional().describe("With `false`: do not move on while the client still has questions."),
    min_rounds: z.number().int().min(1).max(10).optional().describe("Never move on before this many rounds."),
    custom_conditions: z.array(CustomConditionSchema).optional().describe("Extra conditions on variables; all must hold."),
  })
  .strict()
  .describe("When an ai_say may end before max_rounds.")
  .meta({ id: "ExitCriteria" });

export const AiSayConfigSchema = z
  .object({
    content,
    tone,
    exit: z.string().max(1000).optional().describe("Natural-language condition; when the AI judges it met (its EXIT flag), the action ends early."),
    max_rounds: maxRounds
      .optional()
      .describe(
        "Number of AI turns; the client replies after each. Without max_rounds and exit_criteria the AI rephrases `content` once and waits for one reply.",
      ),
    exit_criteria: ExitCriteriaSchema.optional(),
    wait_for_reply: z
      .boolean()
      .optional()
      .describe("Default true. `false`: say it and go straight on to the next action without waiting (only for a single-round ai_say)."),
  })
  .strict();

/** Where a jump goes: the `topic_id` of a topic of the session. */
const target = z.string().min(1).max(100);

/** What an ai_ask does when it ends without a value for an output. */
export const OnExhaustedSchema = z
  .union([
    z.literal("continue").describe("Move on; the outputs without a value stay unset (guard them with `has(vars.x)`)."),
    z
      .object({
        default: z
          .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
          .optional()
          .describe("A value per output name, read as the output's `type`, e.g. `{ mood_score: 5 }`; outputs not named stay unset."),
        goto: target.optional().describe("The `topic_id` to go to when an output is still without a value (after `default`)."),
      })
      .strict()
      .refine((o) => o.default !== undefined || o.goto !== undefined, { message: "give `default`, `goto` or both" }),
  ])
  .describe(
    "What happens when the questions end and an output still has no value (the rounds ran out, or the client declined): `continue`, `default: { name: value }` or `goto: topic_id`. Without it, a missing output is taken from the client's last answer.",
  )
  .meta({ id: "OnExhausted" });

export const AiAskConfigSchema = z
  .object({
    content: content.describe("The questioning task: what to find out. Placeholders {name}, {{name}} and ${name} are replaced by variables."),
    tone,
    exit: z.string().max(1000).optional().describe("Natural-language condition for having asked enough, e.g. 'the client gave a name'."),
    output: z.array(OutputFieldSchema).optional().describe("Variables to extract from the answers."),
    max_rounds: maxRounds.optional().describe("Most questions to ask (1–10, default 3)."),
    reprompts: z
      .array(z.string().min(1).max(1000))
      .min(1)
      .max(9)
      .optional()
      .describe(
        "Guidance for asking again, for the 2nd, 3rd … question in order (the last one repeats), e.g. `Ask again in simpler words`, `Offer two or three example answers`, `Say it is fine to skip`. The AI follows it when the client's reply was empty or did not answer; with `reprompts`, an empty reply uses up a question.",
      ),
    on_exhausted: OnExhaustedSchema.optional(),
    save_answer: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe(
        "Ask once and keep the client's reply word for word in this variable, with no model call on the reply (how older scripts' `target_variable` worked). For follow-up questions and extraction use `output` instead.",
      ),
  })
  .strict()
  // save_answer is the one-question form: it never follows up, so round and extraction settings would not be used.
  .refine(
    (c) =>
      c.save_answer === undefined ||
      (c.output === undefined && c.exit === undefined && c.max_rounds === undefined && c.reprompts === undefined && c.on_exhausted === undefined),
    {
      message:
        "`save_answer` asks once and keeps the reply as written; it does not go with `output`, `exit`, `max_rounds`, `reprompts` or `on_exhausted`",
      path: ["save_answer"],
    },
  );

export const AiThinkConfigSchema = z
  .object({
    content: content.describe("What to work out silently, e.g. 'Summarise {chief_complaint} in one sentence'. The client never sees it."),
    output: z.array(OutputFieldSchema).min(1).describe("Variables the thinking fills in (at least one)."),
  })
  .strict();

export const HandoffConfigSchema = z
  .object({
    content: content.describe("What the client is told while a human counselor is called, shown as written (no model call)."),
    reason: z
      .string()
      .min(1)
      .max(500)
      .describe("Why this script wants a human here, for the counselors' queue and the audit trail (never shown to the client)."),
  })
  .strict();

/** One variable a `set` action computes. */
export const AssignmentSchema = z
  .object({
    name: z.string().min(1).max(100).describe("Name of the variable to set, e.g. `total_score`. Reference it later as {total_score}."),
    expression: z
      .string()
      .min(1)
      .max(2000)
      .describe('A CEL expression over variables, e.g. `phq_1 + phq_2 + phq_3`, `attempts + 1` or `mood_score >= 7 ? "ok" : "low"`.'),
    type: OutputTypeSchema.optional().describe(
      "What the result must be (default `text`). A result of another type is not stored and authors get a diagnostic; integers and numbers mix freely, a whole number is an `integer`.",
    ),
    values: enumValues.describe("With `type: enum`: the values the result may take."),
    scope: VariableScopeSchema.optional(),
  })
  .strict()
  .refine(valuesGoWithEnum, valuesGoWithEnumIssue)
  .describe("A variable to compute from others.")
  .meta({ id: "Assignment" });

export const SetConfigSchema = z
  .object({
    variables: z.array(AssignmentSchema).min(1).max(50).describe("The variables to set, in order: a later entry sees the ones before it."),
  })
  .strict();

/** One way out of an action or topic: the first entry whose `if` holds is taken; `else` is taken when none did. */
export const BranchSchema = z
  .union([
    z
      .object({
        if: z.string().min(1).max(2000).describe('A CEL expression over variables, e.g. `mood_score >= 7` or `vars["情绪"] == "低落"`.'),
        // biome-ignore lint/suspicious/noThenProperty: `then` is the script language's word (`- if: … then: …`); these maps are never awaited.
        then: target.describe("The `topic_id` to go to when `if` holds."),
      })
      .strict(),
    z.object({ else: target.describe("The `topic_id` to go to when no `if` above held.") }).strict(),
  ])
  .describe("`- if: <CEL> then: <topic_id>`, or a last `- else: <topic_id>`.")
  .meta({ id: "Branch" });

const next = z
  .array(BranchSchema)
  .min(1)
  .max(20)
  .optional()
  .describe(
    "Where to go when this ends, instead of the next in order: a list of `- if: <CEL> then: <topic_id>` and an optional last `- else: <topic_id>`. The first that holds wins; with none, the script goes on in order. A jump may go forward or back.",
  );
/** What a `use_skill` action runs and the values it passes in and reads back. */
export const UseSkillConfigSchema = z
  .object({
    skill: z
      .string()
      .min(1)
      .max(200)
      .describe(
        "The technique to run: its `technique_id` (a technique file of the project, or a bundled one such as `reframe_thought`) or the path of its file in the project.",
      ),
    input: z
      .record(z.string().min(1).max(100), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe(
        "The technique's inputs, by the names it declares: literal text, or placeholders over this script's variables. A value that is a single placeholder (`\"{negative_thought}\"`) passes the variable as it is (a number stays a number).",
      ),
    output: z
      .record(z.string().min(1).max(100), z.string().min(1).max(100))
      .optional()
      .describe(
        "Which of this script's variables receive the technique's outputs: `<technique output>: <variable here>`. Nothing else the technique sets is seen here.",
      ),
  })
  .strict();

const actionBase = {
  action_id: id("action"),
  condition: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A CEL expression over variables, checked when the action is reached; false skips it. e.g. `mood_score < 4` or `vars["情绪"] == "低落"`.',
    ),
  next,
};

export const AiSayActionSchema = z
  .object({ action_type: z.literal("ai_say"), ...actionBase, config: AiSayConfigSchema })
  .strict()
  .describe("ai_say: the AI conveys content in its own warm words and checks it landed.")
  .meta({ id: "AiSayAction" });
export const AiAskActionSchema = z
  .object({ action_type: z.literal("ai_ask"), ...actionBase, config: AiAskConfigSchema })
  .strict()
  .describe("ai_ask: the AI asks, follows up and extracts the answers into variables.")
  .meta({ id: "AiAskAction" });
export const AiThinkActionSchema = z
  .object({ action_type: z.literal("ai_think"), ...actionBase, config: AiThinkConfigSchema })
  .strict()
  .describe("ai_think: the AI works something out silently and fills variables; the client sees nothing.")
  .meta({ id: "AiThinkAction" });

export const HandoffActionSchema = z
  .object({ action_type: z.literal("handoff"), ...actionBase, config: HandoffConfigSchema })
  .strict()
  .describe("handoff: the session is queued for a human counselor, and the script goes on until one takes it over.")
  .meta({ id: "HandoffAction" });
export const SetActionSchema = z
  .object({ action_type: z.literal("set"), ...actionBase, config: SetConfigSchema })
  .strict()
  .describe("set: computes variables from CEL expressions (counters, sums of answers) with no model call; the client sees nothing.")
  .meta({ id: "SetAction" });

export const UseSkillActionSchema = z
  .object({ action_type: z.literal("use_skill"), ...actionBase, config: UseSkillConfigSchema })
  .strict()
  .describe(
    "use_skill: runs a technique (a reusable topic) as part of the conversation, with its own variables; its outputs come back into this script's.",
  )
  .meta({ id: "UseSkillAction" });

export const actionTypes = ["ai_say", "ai_ask", "ai_think", "handoff", "set", "use_skill"] as const;
export const ActionSchema = z
  .discriminatedUnion("action_type", [
    AiSayActionSchema,
    AiAskActionSchema,
    AiThinkActionSchema,
    HandoffActionSchema,
    SetActionSchema,
    UseSkillActionSchema,
  ])
  .describe("One step of a topic; `action_type` says which kind.")
  .meta({ id: "Action" });

export const TopicSchema = z
  .object({
    topic_id: id("topic"),
    topic_name: z.string().max(200).optional().describe("A readable name for the topic."),
    topic_goal: z.string().max(500).optional().describe("What this topic is for; given to the AI as context."),
    description: z.string().max(1000).optional().describe("Notes for authors; never shown to the client."),
    strategy: z.string().max(2000).optional().describe("How to approach the topic; given to the AI as context."),
    actions: z.array(ActionSchema).min(1).describe("The steps of the topic, run in order."),
    next: next.describe(
      "Where to go when the topic's last action is done, instead of the next topic: `- if: <CEL> then: <topic_id>` entries and an optional last `- else: <topic_id>`. An action's own `next` that jumps comes first.",
    ),
  })
  .strict()
  .describe("A topic: one subject of the conversation, made of actions.")
  .meta({ id: "Topic" });

export const PhaseSchema = z
  .object({
    phase_id: id("phase"),
    phase_name: z.string().max(200).optional().describe("A readable name for the phase."),
    phase_goal: z.string().max(500).optional().describe("What this phase is for (notes for authors)."),
    description: z.string().max(1000).optional().describe("Notes for authors; never shown to the client."),
    entry_condition: z.record(z.string(), z.unknown()).optional().describe("Reserved; has no effect yet."),
    topics: z.array(TopicSchema).min(1).describe("The topics of the phase, run in order."),
  })
  .strict()
  .describe("A phase: a stage of the session such as opening, assessment or closing.")
  .meta({ id: "Phase" });

export const SessionSchema = z
  .object({
    session_id: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_]+$/, "letters, digits and underscores only")
      .describe("Script identifier: letters, digits and underscores."),
    session_name: z.string().max(200).optional().describe("A readable name for the script."),
    template_scheme: z.string().max(100).optional().describe("Name of the project's prompt-template scheme to use instead of the built-in prompts."),
    description: z.string().max(1000).optional().describe("What the script is for; never shown to the client."),
    version: z.string().max(50).optional().describe('The author\'s version label, e.g. "1.2".'),
    language: LanguageSchema.optional(),
    inputs: z
      .array(InputFieldSchema)
      .max(100)
      .optional()
      .describe(
        "The session variables a client may set when it starts a session (`initialVariables`), with their types. Clients may set no others (the time zone aside); authors and admins may set any.",
      ),
    phases: z.array(PhaseSchema).min(1).describe("The phases of the session, run in order."),
  })
  .strict()
  .describe("A counseling session: phases → topics → actions.")
  .meta({ id: "Session" });

const metadata = z
  .record(z.string(), z.unknown())
  .optional()
  .describe("Free-form notes about the script (name, author, audience…); never read by the engine.");

export const SessionScriptSchema = z.object({ metadata, session: SessionSchema }).strict().describe("A HeartRule session script.");

const techniqueVariable = {
  name: z
    .string()
    .min(1)
    .max(100)
    .describe("Name of the variable inside the technique, e.g. `target_belief`; its actions use it as {target_belief}."),
  description: z.string().max(500).optional().describe("What it holds, for the authors of scripts that use the technique."),
  type: OutputTypeSchema.optional(),
  values: enumValues.describe("With `type: enum`: the values it may take."),
};

/** A value a technique expects from the script that runs it. */
export const TechniqueInputSchema = z
  .object({
    ...techniqueVariable,
    required: z.boolean().optional().describe("Default true: every `use_skill` of the technique must pass it. `false`: it may be left out."),
  })
  .strict()
  .refine(valuesGoWithEnum, valuesGoWithEnumIssue)
  .describe("An input of a technique.")
  .meta({ id: "TechniqueInput" });

/** A value a technique hands back; the calling script maps it onto its own variables. */
export const TechniqueOutputSchema = z
  .object(techniqueVariable)
  .strict()
  .refine(valuesGoWithEnum, valuesGoWithEnumIssue)
  .describe("An output of a technique: a variable its actions set.")
  .meta({ id: "TechniqueOutput" });

export const TechniqueDeclarationSchema = z
  .object({
    technique_id: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_]+$/, "letters, digits and underscores only")
      .describe("How scripts name the technique in `use_skill: { skill: … }`: letters, digits and underscores."),
    technique_name: z.string().max(200).optional().describe("A readable name for the technique."),
    description: z.string().max(1000).optional().describe("What the technique is for; never shown to the client."),
    language: LanguageSchema.optional().describe("The language its lines are written in; sessions of another language do not run it."),
    inputs: z.array(TechniqueInputSchema).max(50).optional().describe("What a script passes in (`use_skill` `input:`)."),
    outputs: z.array(TechniqueOutputSchema).max(50).optional().describe("What the technique hands back (`use_skill` `output:`)."),
  })
  .strict()
  .describe("Who the technique is and what goes in and out of it.")
  .meta({ id: "TechniqueDeclaration" });

export const TechniqueScriptSchema = z
  .object({ metadata, technique: TechniqueDeclarationSchema.optional(), topic: TopicSchema })
  .strict()
  .describe("A HeartRule technique script: one reusable topic, run from session scripts with `use_skill`.");

/**
 * The techniques a session's `use_skill` actions run, by `skill` as written: the loader fills it in from the
 * technique files it was given and the bundled ones, so a compiled script carries (and pins) what it runs.
 * Never written by hand.
 */
export const ResolvedTechniquesSchema = z.record(z.string(), TechniqueScriptSchema);

export type Language = z.infer<typeof LanguageSchema>;
export type VariableScope = z.infer<typeof VariableScopeSchema>;
export type OutputType = z.infer<typeof OutputTypeSchema>;
export type OutputField = z.infer<typeof OutputFieldSchema>;
export type InputField = z.infer<typeof InputFieldSchema>;
export type ExitCriteria = z.infer<typeof ExitCriteriaSchema>;
export type AiSayConfig = z.infer<typeof AiSayConfigSchema>;
export type AiAskConfig = z.infer<typeof AiAskConfigSchema>;
export type AiThinkConfig = z.infer<typeof AiThinkConfigSchema>;
export type Assignment = z.infer<typeof AssignmentSchema>;
export type SetConfig = z.infer<typeof SetConfigSchema>;
export type Branch = z.infer<typeof BranchSchema>;
export type OnExhausted = z.infer<typeof OnExhaustedSchema>;
export type Action = z.infer<typeof ActionSchema>;
export type ActionType = Action["action_type"];
export type Topic = z.infer<typeof TopicSchema>;
export type Phase = z.infer<typeof PhaseSchema>;
export type Session = z.infer<typeof SessionSchema>;
export type UseSkillConfig = z.infer<typeof UseSkillConfigSchema>;
export type TechniqueInput = z.infer<typeof TechniqueInputSchema>;
export type TechniqueOutput = z.infer<typeof TechniqueOutputSchema>;
export type TechniqueDeclaration = z.infer<typeof TechniqueDeclarationSchema>;
export type TechniqueScript = z.infer<typeof TechniqueScriptSchema>;
export type ResolvedTechniques = z.infer<typeof ResolvedTechniquesSchema>;
export type SessionScript = z.infer<typeof SessionScriptSchema> & { techniques?: ResolvedTechniques };
/** What the loader returns and the engine runs. Only session scripts are executable. */
export type Script = SessionScript | TechniqueScript;
