/**
 * Brings a parsed script into the modern form before the schema sees it:
 * older field names are mapped (with a DEPRECATED_FIELD warning naming the
 * replacement), config keys written beside `config` are moved into it,
 * camelCase spellings are read as snake_case, and fields nothing ever read
 * are reported as UNKNOWN_FIELD (with "did you mean" when one is close) and
 * dropped, so the schema afterwards only judges types and values.
 *
 * The rules follow what the upstream runtime actually honoured; see the
 * README section "Writing scripts → Older field names".
 */
import type { DiagnosticList } from "./diagnostics";
import { placeName, requiredExample, typeExample, typeName } from "./messages";
import {
  actionTypes,
  AiAskConfigSchema,
  AiSayActionSchema,
  AiSayConfigSchema,
  AiThinkConfigSchema,
  BranchSchema,
  HandoffConfigSchema,
  OnExhaustedSchema,
  CustomConditionSchema,
  ExitCriteriaSchema,
  OutputFieldSchema,
  PhaseSchema,
  SessionSchema,
  SessionScriptSchema,
  SetConfigSchema,
  TechniqueDeclarationSchema,
  TechniqueInputSchema,
  TechniqueOutputSchema,
  TechniqueScriptSchema,
  TopicSchema,
  UseSkillConfigSchema,
} from "./schema";
import { closest } from "./similar";
import { formatPath, type Segment, type SourceMap } from "./source";

export type Place =
  | "root"
  | "session"
  | "phase"
  | "topic"
  | "action"
  | "ai_say"
  | "ai_ask"
  | "ai_think"
  | "handoff"
  | "set"
  | "use_skill"
  | "technique"
  | "technique_input"
  | "technique_output"
  | "output"
  | "exit_criteria"
  | "custom_condition"
  | "branch"
  | "on_exhausted";

type ConfigPlace = "ai_say" | "ai_ask" | "ai_think" | "handoff" | "set" | "use_skill";

/** The modern fields of each place, straight from the schema. */
export const knownFields: Record<Place, readonly string[]> = {
  root: [...new Set([...Object.keys(SessionScriptSchema.shape), ...Object.keys(TechniqueScriptSchema.shape)])],
  session: Object.keys(SessionSchema.shape),
  phase: Object.keys(PhaseSchema.shape),
  topic: Object.keys(TopicSchema.shape),
  action: Object.keys(AiSayActionSchema.shape),
  ai_say: Object.keys(AiSayConfigSchema.shape),
  ai_ask: Object.keys(AiAskConfigSchema.shape),
  ai_think: Object.keys(AiThinkConfigSchema.shape),
  handoff: Object.keys(HandoffConfigSchema.shape),
  set: Object.keys(SetConfigSchema.shape),
  use_skill: Object.keys(UseSkillConfigSchema.shape),
  technique: Object.keys(TechniqueDeclarationSchema.shape),
  technique_input: Object.keys(TechniqueInputSchema.shape),
  technique_output: Object.keys(TechniqueOutputSchema.shape),
  output: Object.keys(OutputFieldSchema.shape),
  exit_criteria: Object.keys(ExitCriteriaSchema.shape),
  custom_condition: Object.keys(CustomConditionSchema.shape),
  branch: BranchSchema.options.flatMap((o) => Object.keys(o.shape)),
  on_exhausted: Object.keys(OnExhaustedSchema.options[1].shape),
};

/** Older names the upstream runtime still read, by snake_case spelling (camelCase is folded first). */
export const legacyFields: Record<ConfigPlace, readonly string[]> = {
  ai_say: ["content_template", "say_goal", "require_acknowledgment", "ai_role"],
  ai_ask: ["question_template", "prompt_template", "content_template", "target_variable", "extract_to", "extraction_prompt", "required", "ai_role"],
  ai_think: ["think_goal", "prompt_template", "output_variables", "input_variables"],
  handoff: [],
  set: [],
  use_skill: [],
};

/**
 * The upstream technique file's top level: its declaration fields, read into the `technique:` block
 * (as `field` there), and its notes about the file, read as `metadata`.
 */
const upstreamTechniqueRoot: Record<string, keyof typeof TechniqueDeclarationSchema.shape> = {
  technique_id: "technique_id",
  technique_name: "technique_name",
  input_parameters: "inputs",
  output_variables: "outputs",
};
const upstreamRootNotes = ["name", "version", "author", "description", "technique_type"];

/** Names that are not close in spelling but clearly mean a modern field. */
const hints: Partial<Record<Place, Record<string, string>>> = {
  session: { name: "session_name", id: "session_id" },
  phase: { name: "phase_name", goal: "phase_goal", id: "phase_id" },
  topic: { name: "topic_name", goal: "topic_goal", id: "topic_id" },
  action: { type: "action_type", id: "action_id" },
  ai_say: { text: "content", message: "content", prompt: "content" },
  ai_ask: { question: "content", text: "content", prompt: "content", variable: "output", target: "output" },
  ai_think: { prompt: "content", goal: "content" },
  output: { variable: "get", name: "get", instruction: "define", description: "define" },
  branch: { goto: "then", to: "then", target: "then", topic: "then", when: "if", condition: "if", otherwise: "else" },
  // biome-ignore lint/suspicious/noThenProperty: `then` is the script language's word (`- if: … then: …`); these maps are never awaited.
  on_exhausted: { then: "goto", to: "goto", topic: "goto", defaults: "default", value: "default" },
};

const configPlaces = actionTypes as readonly ConfigPlace[];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** The start of a text value, quoted, for one-line examples in suggestions. */
function excerpt(value: unknown, max = 40): string {
  const text = typeof value === "string" ? value.trim() : "";
  const first = text.split("\n")[0]!.trim();
  const cut = first.length > max ? first.slice(0, max) : first;
  return JSON.stringify(cut.length < text.length ? `${cut}…` : cut || "…");
}

function valueType(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

interface LegacyField {
  /** The key as written (maybe camelCase). */
  key: string;
  value: unknown;
  path: Segment[];
}

interface Split {
  fields: Record<string, unknown>;
  legacy: Map<string, LegacyField>;
  rest: string[];
}

export class Normaliser {
  /** Paths the loader already explained; schema issues under them would only repeat it. */
  readonly suppressed = new Set<string>();

  constructor(
    private readonly list: DiagnosticList,
    private readonly map: SourceMap,
  ) {}

  private get lang() {
    return this.list.lang;
  }

  /** Sorts an object's keys into modern fields, older names and the rest. */
  private split(obj: Record<string, unknown>, place: Place, path: Segment[], legacyNames: readonly string[] = []): Split {
    const known = knownFields[place];
    const fields: Record<string, unknown> = {};
    const legacy = new Map<string, LegacyField>();
    const rest: string[] = [];
    const later: string[] = [];
    for (const [key, value] of Object.entries(obj)) {
      if (known.includes(key)) fields[key] = value;
      else if (legacyNames.includes(key)) legacy.set(key, { key, value, path: [...path, key] });
      else later.push(key);
    }
    for (const key of later) {
      const canon = snake(key);
      const value = obj[key];
      const at = this.map.keyLoc([...path, key]);
      if (canon !== key && known.includes(canon)) {
        if (canon in fields) {
          this.list.add("DEPRECATED_FIELD", "deprecated.camelShadowed", { field: key, replacement: canon }, [...path, key], at);
        } else {
          fields[canon] = value;
          this.map.alias([...path, canon], [...path, key]);
          this.list.add("DEPRECATED_FIELD", "deprecated.camelCase", { field: key, replacement: canon }, [...path, key], at);
        }
      } else if (canon !== key && legacyNames.includes(canon)) {
        if (legacy.has(canon)) {
          this.list.add("DEPRECATED_FIELD", "deprecated.camelShadowed", { field: key, replacement: canon }, [...path, key], at);
        } else {
          legacy.set(canon, { key, value, path: [...path, key] });
        }
      } else {
        rest.push(key);
      }
    }
    return { fields, legacy, rest };
  }

  /**
   * Reports a field nothing reads. `siblings` are the fields kept beside it: when the
   * suggested field is missing there, its "missing field" error would repeat this one.
   */
  unknownField(place: Place, key: string, path: Segment[], siblings?: Record<string, unknown>): void {
    const fieldPath = [...path, key];
    const at = this.map.keyLoc(fieldPath);
    const where = placeName(place, this.lang);
    const hint = hints[place]?.[snake(key)];
    // At the top level only a one-letter slip counts: `version:` is a note for metadata, not a misspelt `session:`.
    const candidate = hint ? undefined : closest(key, knownFields[place], place === "root" ? 1 : undefined);
    const suggested = hint ?? candidate;
    if (suggested && siblings && !(suggested in siblings)) this.suppressed.add(formatPath([...path, suggested]));
    if (hint) {
      this.list.add(
        "UNKNOWN_FIELD",
        "unknown.hint",
        { field: key, place: where, candidate: hint, example: requiredExample(hint, this.lang) },
        fieldPath,
        at,
      );
    } else if (candidate) {
      this.list.add("UNKNOWN_FIELD", "unknown.didYouMean", { field: key, place: where, candidate }, fieldPath, at);
    } else if (place === "root") {
      this.list.add("UNKNOWN_FIELD", "unknown.root", { field: key }, fieldPath, at);
    } else {
      const known = knownFields[place].map((k) => `\`${k}\``).join(", ");
      this.list.add("UNKNOWN_FIELD", "unknown.plain", { field: key, place: where, known }, fieldPath, at);
    }
  }

  private typeMismatch(path: Segment[], expected: string, value: unknown): void {
    const field = String(path[path.length - 1]);
    this.list.add(
      "TYPE_MISMATCH",
      "type.mismatch",
      {
        field,
        expected: typeName(expected, this.lang),
        actual: typeName(valueType(value), this.lang),
        example: typeExample(expected, field, this.lang),
      },
      path,
      this.map.valueLoc(path),
    );
  }

  private modern(place: Place, obj: Record<string, unknown>, path: Segment[]): Record<string, unknown> {
    const { fields, rest } = this.split(obj, place, path);
    for (const key of rest) this.unknownField(place, key, path, fields);
    return fields;
  }

  private each(value: unknown, path: Segment[], one: (item: Record<string, unknown>, at: Segment[]) => unknown): unknown {
    return Array.isArray(value) ? value.map((item, i) => (isRecord(item) ? one(item, [...path, i]) : item)) : value;
  }

  /** The root of a script: `metadata` plus `session`, or `technique` and `topic`. */
  root(obj: Record<string, unknown>, kind: "session" | "technique"): Record<string, unknown> {
    const fields = this.modern("root", kind === "technique" ? this.upstreamTechnique(obj) : obj, []);
    if (isRecord(fields.technique)) fields.technique = this.technique(fields.technique, ["technique"]);
    if (kind === "session" && "topic" in fields) {
      this.list.add("UNKNOWN_FIELD", "unknown.sessionAndTopic", {}, ["topic"], this.map.keyLoc(["topic"]));
      delete fields.topic;
    }
    if (isRecord(fields.session)) fields.session = this.session(fields.session, ["session"]);
    if (isRecord(fields.topic)) fields.topic = this.topic(fields.topic, ["topic"]);
    return fields;
  }

  /**
   * The upstream technique shape (`technique_id`, `input_parameters`, `output_variables`… at the top level) as
   * the modern `technique:` block, each field with a warning that shows it written there; returns the rest.
   */
  private upstreamTechnique(obj: Record<string, unknown>): Record<string, unknown> {
    const rest: Record<string, unknown> = {};
    const block: Record<string, unknown> = isRecord(obj.technique) ? { ...obj.technique } : {};
    const notes: Record<string, unknown> = isRecord(obj.metadata) ? { ...obj.metadata } : {};
    let moved = false;
    for (const [key, value] of Object.entries(obj)) {
      const target = upstreamTechniqueRoot[key];
      const at = this.map.keyLoc([key]);
      if (target && !(target in block)) {
        block[target] = target === "outputs" && Array.isArray(value) ? value.map((name) => (typeof name === "string" ? { name } : name)) : value;
        this.map.alias(["technique", target], [key]);
        this.list.add(
          "DEPRECATED_FIELD",
          "deprecated.techniqueRoot",
          { field: key, replacement: target, example: this.modernExample(target, value) },
          [key],
          at,
        );
        moved = true;
      } else if (upstreamRootNotes.includes(key) && !(key in notes)) {
        notes[key] = value;
        this.list.add("DEPRECATED_FIELD", "deprecated.rootMetadata", { field: key }, [key], at);
      } else {
        rest[key] = value;
      }
    }
    if (moved || "technique" in obj) rest.technique = block;
    if (Object.keys(notes).length > 0) rest.metadata = notes;
    return rest;
  }

  /** How an upstream declaration field reads in the modern block, in one line. */
  private modernExample(target: string, value: unknown): string {
    const names = Array.isArray(value)
      ? value.flatMap((v) => (typeof v === "string" ? [v] : isRecord(v) && typeof v.name === "string" ? [v.name] : []))
      : [];
    if (target === "inputs" || target === "outputs") return `${target}: [ ${names.map((n) => `{ name: ${n} }`).join(", ") || "{ name: … }"} ]`;
    return `${target}: ${typeof value === "string" ? value : "…"}`;
  }

  private technique(obj: Record<string, unknown>, path: Segment[]): Record<string, unknown> {
    const fields = this.modern("technique", obj, path);
    for (const [key, place] of [
      ["inputs", "technique_input"],
      ["outputs", "technique_output"],
    ] as const) {
      if (key in fields) fields[key] = this.each(fields[key], [...path, key], (item, at) => this.modern(place, item, at));
    }
    return fields;
  }

  private session(obj: Record<string, unknown>, path: Segment[]): Record<string, unknown> {
    const fields = this.modern("session", obj, path);
    fields.phases = this.each(fields.phases, [...path, "phases"], (p, at) => this.phase(p, at));
    return fields;
  }

  private phase(obj: Record<string, unknown>, path: Segment[]): Record<string, unknown> {
    const fields = this.modern("phase", obj, path);
    if ("entry_condition" in fields) this.reserved([...path, "entry_condition"]);
    fields.topics = this.each(fields.topics, [...path, "topics"], (t, at) => this.topic(t, at));
    return fields;
  }

  private topic(obj: Record<string, unknown>, path: Segment[]): Record<string, unknown> {
    const fields = this.modern("topic", obj, path);
    fields.actions = this.each(fields.actions, [...path, "actions"], (a, at) => this.action(a, at));
    this.branches(fields, path);
    return fields;
  }

  /** A `next` list's entries: unknown keys reported (a `goto:` that means `then:`) and dropped. */
  private branches(fields: Record<string, unknown>, path: Segment[]): void {
    if (fields.next !== undefined) fields.next = this.each(fields.next, [...path, "next"], (b, at) => this.modern("branch", b, at));
  }

  private reserved(path: Segment[]): void {
    this.list.add("RESERVED_FIELD", "reserved.field", { field: String(path[path.length - 1]) }, path, this.map.keyLoc(path));
  }

  /** Checks `action_type`; returns the config place when the type is one that runs. */
  private actionType(fields: Record<string, unknown>, path: Segment[]): ConfigPlace | undefined {
    const type = fields.action_type;
    const typePath = [...path, "action_type"];
    const give = (): undefined => {
      this.suppressed.add(formatPath(path));
      return undefined;
    };
    if (type === undefined) {
      this.list.add(
        "REQUIRED_FIELD",
        "required.field",
        { field: "action_type", place: placeName("action", this.lang), example: requiredExample("action_type", this.lang) },
        typePath,
        this.map.keyLoc(path),
      );
      return give();
    }
    if (typeof type !== "string") {
      this.typeMismatch(typePath, "string", type);
      return give();
    }
    if (!configPlaces.includes(type as ConfigPlace)) {
      const allowed = actionTypes.join(", ");
      const candidate = closest(type, actionTypes);
      this.list.add(
        "INVALID_VALUE",
        candidate ? "value.enumDidYouMean" : "value.enum",
        { field: "action_type", value: type, allowed, ...(candidate ? { candidate } : {}) },
        typePath,
        this.map.valueLoc(typePath),
      );
      return give();
    }
    return type as ConfigPlace;
  }

  private action(obj: Record<string, unknown>, path: Segment[]): Record<string, unknown> {
    const { fields, rest } = this.split(obj, "action", path);
    const place = this.actionType(fields, path);
    const belongsInConfig = (key: string, p: ConfigPlace) => knownFields[p].includes(snake(key)) || legacyFields[p].includes(snake(key));
    const moved: string[] = [];
    for (const key of rest) {
      if (place ? belongsInConfig(key, place) : configPlaces.some((p) => belongsInConfig(key, p))) {
        // With an unusable action_type the action is already reported; its config keys say nothing new.
        if (place) moved.push(key);
      } else {
        this.unknownField("action", key, path, fields);
      }
    }
    const configPath = [...path, "config"];
    if (moved.length > 0) {
      fields.config ??= {};
      for (const key of moved) {
        const at = this.map.keyLoc([...path, key]);
        if (isRecord(fields.config) && key in fields.config) {
          this.list.add("MISPLACED_FIELD", "misplaced.shadowed", { field: key }, [...path, key], at);
          continue;
        }
        this.list.add("MISPLACED_FIELD", "misplaced.config", { field: key }, [...path, key], at);
        if (isRecord(fields.config)) {
          fields.config[key] = obj[key];
          this.map.alias([...configPath, key], [...path, key]);
        }
      }
    }
    if (place && isRecord(fields.config)) fields.config = this.config(place, fields.config, configPath);
    this.branches(fields, path);
    return fields;
  }

  private config(place: ConfigPlace, obj: Record<string, unknown>, path: Segment[]): Record<string, unknown> {
    const { fields, legacy, rest } = this.split(obj, place, path, legacyFields[place]);
    for (const key of rest) this.unknownField(place, key, path, fields);
    if (isRecord(fields.exit_criteria)) fields.exit_criteria = this.exitCriteria(fields.exit_criteria, [...path, "exit_criteria"]);
    fields.output = this.each(fields.output, [...path, "output"], (o, at) => this.output(o, at));
    if (fields.output === undefined) delete fields.output;
    if (isRecord(fields.on_exhausted)) fields.on_exhausted = this.modern("on_exhausted", fields.on_exhausted, [...path, "on_exhausted"]);
    if (place === "ai_say") this.legacySay(fields, legacy, path);
    else if (place === "ai_ask") this.legacyAsk(fields, legacy, path);
    else if (place === "ai_think") this.legacyThink(fields, legacy, path);
    return fields;
  }

  private exitCriteria(obj: Record<string, unknown>, path: Segment[]): Record<string, unknown> {
    const fields = this.modern("exit_criteria", obj, path);
    fields.custom_conditions = this.each(fields.custom_conditions, [...path, "custom_conditions"], (c, at) => this.modern("custom_condition", c, at));
    if (fields.custom_conditions === undefined) delete fields.custom_conditions;
    return fields;
  }

  private output(obj: Record<string, unknown>, path: Segment[]): Record<string, unknown> {
    const fields = this.modern("output", obj, path);
    for (const key of ["set", "value"]) if (key in fields) this.reserved([...path, key]);
    return fields;
  }

  /** Moves the first present older name into `target` (unless target is set); the others are reported as unused. */
  private renameInto(fields: Record<string, unknown>, legacy: Map<string, LegacyField>, sources: string[], target: string, path: Segment[]): void {
    let used = fields[target] !== undefined ? target : undefined;
    for (const source of sources) {
      const entry = legacy.get(source);
      if (!entry) continue;
      const at = this.map.keyLoc(entry.path);
      if (used === undefined) {
        fields[target] = entry.value;
        this.map.alias([...path, target], entry.path);
        const example = `${target}: ${excerpt(entry.value)}`;
        this.list.add("DEPRECATED_FIELD", "deprecated.renamed", { field: entry.key, replacement: target, example }, entry.path, at);
        used = entry.key;
      } else {
        this.list.add("DEPRECATED_FIELD", "deprecated.ignored", { field: entry.key, replacement: target, used }, entry.path, at);
      }
    }
  }

  private dropped(
    legacy: Map<string, LegacyField>,
    name: string,
    id: "deprecated.sayGoal" | "deprecated.required" | "deprecated.aiRole" | "deprecated.inputVariables",
  ): void {
    const entry = legacy.get(name);
    if (entry) this.list.add("DEPRECATED_FIELD", id, { field: entry.key }, entry.path, this.map.keyLoc(entry.path));
  }

  private legacySay(fields: Record<string, unknown>, legacy: Map<string, LegacyField>, path: Segment[]): void {
    this.renameInto(fields, legacy, ["content_template"], "content", path);
    this.dropped(legacy, "say_goal", "deprecated.sayGoal");
    this.dropped(legacy, "ai_role", "deprecated.aiRole");
    const ack = legacy.get("require_acknowledgment");
    if (!ack) return;
    const at = this.map.keyLoc(ack.path);
    // Upstream read it only in "paraphrase mode": an ai_say without max_rounds and exit_criteria.
    if (fields.max_rounds !== undefined || fields.exit_criteria !== undefined) {
      this.list.add("DEPRECATED_FIELD", "deprecated.requireAckNoEffect", {}, ack.path, at);
    } else if (ack.value === true) {
      this.list.add("DEPRECATED_FIELD", "deprecated.requireAckDefault", {}, ack.path, at);
    } else if (ack.value === false) {
      if (fields.wait_for_reply === undefined) {
        fields.wait_for_reply = false;
        this.map.alias([...path, "wait_for_reply"], ack.path);
        this.list.add("DEPRECATED_FIELD", "deprecated.requireAckFalse", {}, ack.path, at);
      } else {
        this.list.add(
          "DEPRECATED_FIELD",
          "deprecated.ignored",
          { field: ack.key, replacement: "wait_for_reply", used: "wait_for_reply" },
          ack.path,
          at,
        );
      }
    } else {
      this.typeMismatch(ack.path, "boolean", ack.value);
    }
  }

  /** The output list to add entries to, or undefined when `output` is something else (the schema reports that). */
  private outputList(fields: Record<string, unknown>): Record<string, unknown>[] | undefined {
    if (fields.output === undefined) fields.output = [];
    return Array.isArray(fields.output) ? (fields.output as Record<string, unknown>[]) : undefined;
  }

  private addOutput(fields: Record<string, unknown>, name: string, origin: Segment[], path: Segment[]): number | undefined {
    const output = this.outputList(fields);
    if (!output) return undefined;
    const existing = output.findIndex((o) => isRecord(o) && o.get === name);
    if (existing >= 0) return existing;
    output.push({ get: name });
    const index = output.length - 1;
    this.map.alias([...path, "output", index], origin);
    this.map.alias([...path, "output", index, "get"], origin);
    return index;
  }

  private legacyAsk(fields: Record<string, unknown>, legacy: Map<string, LegacyField>, path: Segment[]): void {
    this.renameInto(fields, legacy, ["question_template", "prompt_template", "content_template"], "content", path);
    this.dropped(legacy, "required", "deprecated.required");
    this.dropped(legacy, "ai_role", "deprecated.aiRole");

    // Upstream's simple ai_ask (no `output`, no `exit`) asked once and kept the raw answer: that stays `save_answer`.
    const simple = !(Array.isArray(fields.output) && fields.output.length > 0) && !(typeof fields.exit === "string" && fields.exit.trim() !== "");
    let target: { index: number; name: string } | undefined;
    let targetKey: string | undefined = fields.save_answer === undefined ? undefined : "save_answer";
    for (const source of ["target_variable", "extract_to"]) {
      const entry = legacy.get(source);
      if (!entry) continue;
      const at = this.map.keyLoc(entry.path);
      if (targetKey) {
        this.list.add("DEPRECATED_FIELD", "deprecated.targetIgnored", { field: entry.key, used: targetKey }, entry.path, at);
        continue;
      }
      const name = typeof entry.value === "number" ? String(entry.value) : entry.value;
      if (typeof name !== "string" || name.trim() === "") {
        this.typeMismatch(entry.path, "string", entry.value);
        continue;
      }
      targetKey = entry.key;
      if (simple) {
        this.saveAnswer(fields, entry, name.trim(), legacy.get("extraction_prompt"), path);
        continue;
      }
      this.list.add("DEPRECATED_FIELD", "deprecated.targetVariable", { field: entry.key, name: name.trim() }, entry.path, at);
      const index = this.addOutput(fields, name.trim(), entry.path, path);
      if (index !== undefined) target = { index, name: name.trim() };
    }
    if (Array.isArray(fields.output) && fields.output.length === 0) delete fields.output;

    const prompt = legacy.get("extraction_prompt");
    if (!prompt || fields.save_answer !== undefined) return;
    const at = this.map.keyLoc(prompt.path);
    const output = Array.isArray(fields.output) ? fields.output : [];
    const only = output.length === 1 && isRecord(output[0]) && typeof output[0].get === "string" ? { index: 0, name: output[0].get } : undefined;
    const into = target ?? only;
    const entry = into ? output[into.index] : undefined;
    if (!into || !isRecord(entry)) {
      this.list.add("DEPRECATED_FIELD", "deprecated.extractionPromptDropped", { field: prompt.key }, prompt.path, at);
    } else if (entry.define !== undefined) {
      this.list.add("DEPRECATED_FIELD", "deprecated.ignored", { field: prompt.key, replacement: "define", used: "define" }, prompt.path, at);
    } else {
      entry.define = prompt.value;
      this.map.alias([...path, "output", into.index, "define"], prompt.path);
      this.list.add(
        "DEPRECATED_FIELD",
        "deprecated.extractionPrompt",
        { field: prompt.key, name: into.name, define: excerpt(prompt.value) },
        prompt.path,
        at,
      );
    }
  }

  /**
   * The legacy one-question ask: `save_answer`, with no model call on the reply. `max_rounds` and
   * `extraction_prompt` never had an effect on it upstream, so they go; the warnings say how to
   * get follow-ups and the model's extraction instead.
   */
  private saveAnswer(fields: Record<string, unknown>, entry: LegacyField, name: string, prompt: LegacyField | undefined, path: Segment[]): void {
    const define = prompt ? excerpt(prompt.value) : '"…"';
    fields.save_answer = name;
    this.map.alias([...path, "save_answer"], entry.path);
    delete fields.max_rounds;
    delete fields.exit;
    delete fields.output;
    this.list.add("DEPRECATED_FIELD", "deprecated.saveAnswer", { field: entry.key, name, define }, entry.path, this.map.keyLoc(entry.path));
    if (prompt) {
      this.list.add(
        "DEPRECATED_FIELD",
        "deprecated.extractionPromptUnused",
        { field: prompt.key, name, define },
        prompt.path,
        this.map.keyLoc(prompt.path),
      );
    }
  }

  private legacyThink(fields: Record<string, unknown>, legacy: Map<string, LegacyField>, path: Segment[]): void {
    const goal = legacy.get("think_goal");
    const template = legacy.get("prompt_template");
    if (goal && template && fields.content === undefined && typeof goal.value === "string" && typeof template.value === "string") {
      fields.content = `${goal.value}\n\n${template.value}`;
      this.map.alias([...path, "content"], goal.path);
      for (const entry of [goal, template]) {
        this.list.add(
          "DEPRECATED_FIELD",
          "deprecated.thinkCombined",
          { field: entry.key, content: excerpt(fields.content) },
          entry.path,
          this.map.keyLoc(entry.path),
        );
      }
    } else {
      this.renameInto(fields, legacy, ["think_goal", "prompt_template"], "content", path);
    }
    this.dropped(legacy, "input_variables", "deprecated.inputVariables");

    const names = legacy.get("output_variables");
    if (!names) return;
    const list = Array.isArray(names.value) ? names.value.map((n) => (typeof n === "number" ? String(n) : n)) : undefined;
    if (!list?.every((n): n is string => typeof n === "string" && n.trim() !== "")) {
      this.typeMismatch(names.path, "array", names.value);
      return;
    }
    for (const [i, name] of list.entries()) this.addOutput(fields, name.trim(), [...names.path, i], path);
    this.list.add(
      "DEPRECATED_FIELD",
      "deprecated.outputVariables",
      { field: names.key, name: list[0]?.trim() ?? "name" },
      names.path,
      this.map.keyLoc(names.path),
    );
  }
}
