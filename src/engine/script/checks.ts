/**
 * Checks the schema cannot express, run over the normalised (modern) tree:
 * unique ids, `wait_for_reply` against `max_rounds`, `condition` syntax, and
 * placeholders or condition names that no earlier step can fill.
 *
 * The tree may still have schema errors, so every access is defensive.
 */
import { checkCondition, literalComparisons } from "./condition";
import type { DiagnosticList } from "./diagnostics";
import { findPlaceholders, isVariableLike, SYSTEM_VARIABLES } from "./placeholders";
import { closest } from "./similar";
import type { Loc, Segment, SourceMap } from "./source";
import { isRecord } from "./normalise";
import type { SkillLibrary } from "./skills";

interface ActionAt {
  action: Record<string, unknown>;
  path: Segment[];
  phaseId?: string;
  topicId?: string;
  /** On a topic's last action: the topic's `next`, checked once that action has run. */
  topicNext?: { value: unknown; path: Segment[] };
}

interface Definition {
  scope: string;
  phaseId?: string;
  topicId?: string;
}

function records(value: unknown): [Record<string, unknown>, number][] {
  return Array.isArray(value) ? value.flatMap((v, i) => (isRecord(v) ? [[v, i] as [Record<string, unknown>, number]] : [])) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export class ScriptChecks {
  constructor(
    private readonly list: DiagnosticList,
    private readonly map: SourceMap,
  ) {}

  run(root: Record<string, unknown>, knownVariables: readonly string[], skills: SkillLibrary): void {
    const actions = this.actions(root);
    this.waitForReply(actions);
    const technique = isRecord(root.topic) ? (isRecord(root.technique) ? root.technique : {}) : undefined;
    const inputs = technique ? this.techniqueInputs(technique) : this.inputs(root);
    const defined = this.variables(actions, knownVariables, inputs, technique ? undefined : skills);
    if (technique) this.techniqueOutputs(technique, actions, defined);
  }

  /** A technique's declared inputs (name → type): its actions read them like the session's inputs. */
  private techniqueInputs(technique: Record<string, unknown>): Map<string, string> {
    return new Map(records(technique.inputs).flatMap(([i]) => (text(i.name)?.trim() ? [[text(i.name)!.trim(), text(i.type) ?? "text"]] : [])));
  }

  /** Each declared output must be set by one of the technique's actions (none may run another technique). */
  private techniqueOutputs(technique: Record<string, unknown>, actions: ActionAt[], defined: Map<string, Definition[]>): void {
    for (const { action, path } of actions) {
      if (action.action_type !== "use_skill") continue;
      const at = [...path, "action_type"];
      this.list.add("NESTED_SKILL", "skill.nested", {}, at, this.map.valueLoc(at));
    }
    const inputs = this.techniqueInputs(technique);
    for (const [output, i] of records(technique.outputs)) {
      const name = text(output.name)?.trim();
      if (!name || inputs.has(name) || defined.get(name)?.some((d) => d.scope !== "global")) continue;
      const at = ["technique", "outputs", i, "name"];
      this.list.add("TECHNIQUE_OUTPUT_UNSET", "skill.outputUnset", { name }, at, this.map.valueLoc(at));
    }
  }

  /** The session's `inputs` (name → type), checking their names are unique: the client sets them before any action runs. */
  private inputs(root: Record<string, unknown>): Map<string, string> {
    const types = new Map<string, string>();
    const session = isRecord(root.session) ? root.session : {};
    const seen = new Map<string, Loc>();
    for (const [input, i] of records(session.inputs)) {
      const name = text(input.name)?.trim();
      if (!name) continue;
      const path: Segment[] = ["session", "inputs", i, "name"];
      const first = seen.get(name);
      if (first) {
        const kind = this.list.lang === "en" ? "input" : "输入变量";
        this.list.add("DUPLICATE_ID", "duplicate.id", { field: "name", id: name, line: first.line, kind }, path, this.map.valueLoc(path));
        continue;
      }
      seen.set(name, this.map.valueLoc(path));
      types.set(name, text(input.type) ?? "text");
    }
    return types;
  }

  /** All actions in script order, checking id uniqueness on the way. */
  private actions(root: Record<string, unknown>): ActionAt[] {
    const seen = { phase: new Map<string, Loc>(), topic: new Map<string, Loc>(), action: new Map<string, Loc>() };
    const unique = (kind: keyof typeof seen, obj: Record<string, unknown>, path: Segment[]): string | undefined => {
      const field = `${kind}_id`;
      const id = text(obj[field]);
      if (id === undefined) return undefined;
      const idPath = [...path, field];
      const at = this.map.valueLoc(idPath);
      const first = seen[kind].get(id);
      if (first) {
        const kindName = this.list.lang === "en" ? kind : { phase: "阶段", topic: "话题", action: "动作" }[kind];
        this.list.add("DUPLICATE_ID", "duplicate.id", { field, id, line: first.line, kind: kindName }, idPath, at);
      } else {
        seen[kind].set(id, at);
      }
      return id;
    };
    const out: ActionAt[] = [];
    const topic = (t: Record<string, unknown>, path: Segment[], phaseId?: string) => {
      const topicId = unique("topic", t, path);
      const actions = records(t.actions);
      for (const [a, i] of actions) {
        const at = [...path, "actions", i];
        unique("action", a, at);
        const last = a === actions[actions.length - 1]?.[0];
        out.push({ action: a, path: at, phaseId, topicId, ...(last ? { topicNext: { value: t.next, path: [...path, "next"] } } : {}) });
      }
    };
    if (isRecord(root.session)) {
      for (const [p, i] of records(root.session.phases)) {
        const path = ["session", "phases", i];
        const phaseId = unique("phase", p, path);
        for (const [t, j] of records(p.topics)) topic(t, [...path, "topics", j], phaseId);
      }
    } else if (isRecord(root.topic)) {
      topic(root.topic, ["topic"]);
    }
    return out;
  }

  /** `wait_for_reply: false` moves on at once, so more than one round cannot happen. */
  private waitForReply(actions: ActionAt[]): void {
    for (const { action, path } of actions) {
      const config = isRecord(action.config) ? action.config : {};
      if (action.action_type === "ai_say" && config.wait_for_reply === false && typeof config.max_rounds === "number" && config.max_rounds > 1) {
        const at = [...path, "config", "wait_for_reply"];
        this.list.add("INVALID_VALUE", "value.waitForReply", { rounds: config.max_rounds }, at, this.map.valueLoc(at));
      }
    }
  }

  /**
   * Walks the actions in order with the set of names defined so far: initial
   * variables and project globals, then each action's outputs once it has run.
   */
  private variables(
    actions: ActionAt[],
    knownVariables: readonly string[],
    inputs: ReadonlyMap<string, string>,
    skills: SkillLibrary | undefined,
  ): Map<string, Definition[]> {
    const defined = new Map<string, Definition[]>();
    const everywhere: Definition = { scope: "global" };
    for (const name of [...knownVariables, ...SYSTEM_VARIABLES, ...inputs.keys()]) defined.set(name, [everywhere]);

    const types = new Map<string, string>(inputs);

    for (const here of actions) {
      const { action, path } = here;
      const config = isRecord(action.config) ? action.config : {};
      const condition = text(action.condition);
      if (condition !== undefined) {
        this.condition(condition, [...path, "condition"], here, defined);
        this.conditionTypes(condition, [...path, "condition"], types);
      }
      for (const field of ["content", "exit", "tone"]) {
        const value = text(config[field]);
        if (value !== undefined) this.placeholders(value, [...path, "config", field], here, defined);
      }
      if (action.action_type === "set") this.assignments(config, path, here, defined, types);
      if (action.action_type === "use_skill" && skills) this.useSkill(config, [...path, "config"], here, defined, types, skills);
      const outputs = records(config.output);
      for (const [o, i] of outputs) {
        const define = text(o.define);
        if (define !== undefined) this.placeholders(define, [...path, "config", "output", i, "define"], here, defined);
      }
      // `save_answer` fills one text variable in the session scope, like an output entry with only `get`.
      const saved = text(config.save_answer);
      for (const o of [...outputs.map(([o]) => o), ...(saved ? [{ get: saved }] : [])]) {
        const name = text(o.get)?.trim();
        if (!name) continue;
        types.set(name, text(o.type) ?? "text");
        const scope = text(o.scope) ?? "session";
        const list = defined.get(name) ?? [];
        list.push({ scope, phaseId: here.phaseId, topicId: here.topicId });
        defined.set(name, list);
      }
      // `next` is checked when the action is done, so it reads what the action filled.
      this.branchConditions(action.next, [...path, "next"], here, defined, types);
      if (here.topicNext) this.branchConditions(here.topicNext.value, here.topicNext.path, here, defined, types);
    }
    return defined;
  }

  private branchConditions(next: unknown, path: Segment[], here: ActionAt, defined: Map<string, Definition[]>, types: Map<string, string>): void {
    for (const [branch, i] of records(next)) {
      const condition = text(branch.if);
      if (condition === undefined) continue;
      this.condition(condition, [...path, i, "if"], here, defined);
      this.conditionTypes(condition, [...path, i, "if"], types);
    }
  }

  /**
   * A use_skill: the technique must exist, get every input it requires and no other, and have every output
   * mapped back; the mapped variables are defined from here on (session scope), with the types the technique declares.
   */
  private useSkill(
    config: Record<string, unknown>,
    path: Segment[],
    here: ActionAt,
    defined: Map<string, Definition[]>,
    types: Map<string, string>,
    skills: SkillLibrary,
  ): void {
    const input = isRecord(config.input) ? config.input : {};
    for (const [name, value] of Object.entries(input)) {
      if (typeof value === "string") this.placeholders(value, [...path, "input", name], here, defined);
    }
    const skill = text(config.skill);
    if (skill === undefined) return;
    const technique = skills.resolve(skill);
    if (!technique) {
      const at = [...path, "skill"];
      const names = skills.names();
      const candidate = closest(skill, names);
      if (candidate) this.list.add("UNKNOWN_SKILL", "skill.unknownDidYouMean", { skill, candidate }, at, this.map.valueLoc(at));
      else this.list.add("UNKNOWN_SKILL", "skill.unknown", { skill, known: names.map((n) => `\`${n}\``).join(", ") }, at, this.map.valueLoc(at));
      return;
    }
    const declaredInputs = technique.technique?.inputs ?? [];
    const inputNames = declaredInputs.map((i) => i.name);
    for (const name of Object.keys(input)) {
      if (inputNames.includes(name)) continue;
      const at = [...path, "input", name];
      this.list.add("SKILL_INPUT_UNKNOWN", "skill.inputUnknown", { skill, name, known: listed(inputNames) }, at, this.map.keyLoc(at));
    }
    for (const field of declaredInputs) {
      if (field.required === false || field.name in input) continue;
      const at = isRecord(config.input) ? [...path, "input"] : path;
      this.list.add("SKILL_INPUT_MISSING", "skill.inputMissing", { skill, name: field.name }, at, this.map.keyLoc(at));
    }
    const outputs = technique.technique?.outputs ?? [];
    for (const [from, into] of Object.entries(isRecord(config.output) ? config.output : {})) {
      const declared = outputs.find((o) => o.name === from);
      if (!declared) {
        const at = [...path, "output", from];
        const known = listed(outputs.map((o) => o.name));
        this.list.add("SKILL_OUTPUT_UNKNOWN", "skill.outputUnknown", { skill, name: from, known }, at, this.map.keyLoc(at));
        continue;
      }
      const name = text(into)?.trim();
      if (!name) continue;
      types.set(name, declared.type ?? "text");
      const list = defined.get(name) ?? [];
      list.push({ scope: "session", phaseId: here.phaseId, topicId: here.topicId });
      defined.set(name, list);
    }
  }

  /** A `set` action's entries: each expression reads what is defined so far (earlier entries included), then defines its name. */
  private assignments(
    config: Record<string, unknown>,
    path: Segment[],
    here: ActionAt,
    defined: Map<string, Definition[]>,
    types: Map<string, string>,
  ): void {
    for (const [entry, i] of records(config.variables)) {
      const at = [...path, "config", "variables", i];
      const expression = text(entry.expression);
      if (expression !== undefined) this.condition(expression, [...at, "expression"], here, defined, "expression.syntax");
      const name = text(entry.name)?.trim();
      if (!name) continue;
      types.set(name, text(entry.type) ?? "text");
      const list = defined.get(name) ?? [];
      list.push({ scope: text(entry.scope) ?? "session", phaseId: here.phaseId, topicId: here.topicId });
      defined.set(name, list);
    }
  }

  private condition(
    expression: string,
    path: Segment[],
    here: ActionAt,
    defined: Map<string, Definition[]>,
    syntax: "condition.syntax" | "expression.syntax" = "condition.syntax",
  ): void {
    const result = checkCondition(expression);
    if (!result.ok) {
      // "Unexpected end" errors sit after the last character that was written, not after trailing newlines.
      const at = this.map.locInValue(path, expression, Math.min(result.offset, expression.trimEnd().length));
      // A name in another script (e.g. Chinese) is not a CEL identifier: point at vars["…"].
      const word = /^\P{ASCII}[^\s()[\]{}<>=!&|+\-*/%,.?:"']*/u.exec(expression.slice(result.offset))?.[0];
      if ("pattern" in result) this.list.add("INVALID_CONDITION", "condition.regex", { pattern: result.pattern, reason: result.reason }, path, at);
      else if (result.limit)
        this.list.add(
          "INVALID_CONDITION",
          result.limit.kind === "nodes" ? "condition.tooLong" : "condition.tooDeep",
          { max: result.limit.max },
          path,
          at,
        );
      else if (word) this.list.add("INVALID_CONDITION", "condition.name", { name: word }, path, at);
      else this.list.add("INVALID_CONDITION", syntax, { reason: result.reason }, path, at);
      return;
    }
    for (const name of result.variables) {
      if (this.visible(name, here, defined) === true) continue;
      this.undefinedVariable(name, undefined, path, this.map.valueLoc(path), here, defined);
    }
  }

  /** Warns where a condition compares a variable with a literal of another type than its output entry declares. */
  private conditionTypes(expression: string, path: Segment[], types: Map<string, string>): void {
    const warned = new Set<string>();
    for (const c of literalComparisons(expression)) {
      const type = types.get(c.variable);
      if (type === undefined || warned.has(c.variable) || literalFits(type, c.literal)) continue;
      warned.add(c.variable);
      const literal = typeof c.literal === "string" ? JSON.stringify(c.literal) : String(c.literal);
      const at = this.map.locInValue(path, expression, c.offset);
      this.list.add(
        "CONDITION_TYPE_MISMATCH",
        "condition.typeMismatch",
        { name: c.variable, type, literal, example: typeExample(type, c.variable) },
        path,
        at,
      );
    }
  }

  private placeholders(value: string, path: Segment[], here: ActionAt, defined: Map<string, Definition[]>): void {
    for (const p of findPlaceholders(value)) {
      if (!isVariableLike(p.name) || this.visible(p.name, here, defined) === true) continue;
      this.undefinedVariable(p.name, p.raw, path, this.map.locInValue(path, value, p.index), here, defined);
    }
  }

  /** true when visible here; otherwise the out-of-scope definition, if any. */
  private visible(name: string, here: ActionAt, defined: Map<string, Definition[]>): true | Definition | undefined {
    const list = defined.get(name);
    if (!list) return undefined;
    const ok = (d: Definition) =>
      d.scope === "topic" ? d.topicId === here.topicId && d.phaseId === here.phaseId : d.scope === "phase" ? d.phaseId === here.phaseId : true;
    return list.some(ok) ? true : list[0];
  }

  private undefinedVariable(
    name: string,
    raw: string | undefined,
    path: Segment[],
    at: Loc,
    here: ActionAt,
    defined: Map<string, Definition[]>,
  ): void {
    const hidden = this.visible(name, here, defined);
    if (hidden && hidden !== true) {
      const owner = (hidden.scope === "topic" ? hidden.topicId : hidden.phaseId) ?? "";
      this.list.add("UNDEFINED_VARIABLE", "variable.outOfScope", { name, scope: hidden.scope, owner }, path, at);
      return;
    }
    if (raw === undefined) {
      this.list.add("UNDEFINED_VARIABLE", "variable.conditionUndefined", { name }, path, at);
      return;
    }
    const candidates = [...defined.keys()].filter((k) => this.visible(k, here, defined) === true);
    const candidate = closest(name, candidates);
    if (candidate) this.list.add("UNDEFINED_VARIABLE", "variable.undefinedDidYouMean", { name, raw, candidate }, path, at);
    else this.list.add("UNDEFINED_VARIABLE", "variable.undefined", { name, raw }, path, at);
  }
}

function listed(names: readonly string[]): string {
  return names.length ? names.map((n) => `\`${n}\``).join(", ") : "—";
}

function literalFits(type: string, literal: string | number | boolean): boolean {
  switch (type) {
    case "number":
    case "integer":
      return typeof literal === "number";
    case "boolean":
      return typeof literal === "boolean";
    case "text":
    case "enum":
      return typeof literal === "string";
    default:
      return true;
  }
}

/** A comparison of the declared type, to suggest. */
function typeExample(type: string, name: string): string {
  switch (type) {
    case "number":
    case "integer":
      return `${name} < 4`;
    case "boolean":
      return `${name} == true`;
    default:
      return `${name} == "…"`;
  }
}
