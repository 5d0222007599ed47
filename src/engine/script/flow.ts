/**
 * Checks of where a script goes, run over the normalised tree (which may
 * still have schema errors, so every access is defensive): every jump target
 * (`next:` `then`/`else`, ai_ask's `on_exhausted.goto`) is a topic of the
 * script, `else` comes last, each of an ai_ask's `reprompts` falls within its
 * `max_rounds`, and `on_exhausted.default` names the action's outputs with
 * values of their types. The `if` expressions are checked with the other
 * conditions (checks.ts), since they read variables.
 */
import { coerceOutput } from "../variables/coerce";
import type { DiagnosticList } from "./diagnostics";
import { isRecord } from "./normalise";
import type { OutputField } from "./schema";
import { closest } from "./similar";
import type { Segment, SourceMap } from "./source";

/** The most topic ids an "unknown target" message lists. */
const LISTED_TOPICS = 12;

/** An ai_ask asks this many questions when `max_rounds` is not set (actions/ai-ask.ts). */
const DEFAULT_ASK_ROUNDS = 3;

function entries(value: unknown): [Record<string, unknown>, number][] {
  return Array.isArray(value) ? value.flatMap((v, i) => (isRecord(v) ? [[v, i] as [Record<string, unknown>, number]] : [])) : [];
}

interface TopicAt {
  topic: Record<string, unknown>;
  path: Segment[];
}

function topicsOf(root: Record<string, unknown>): TopicAt[] {
  if (isRecord(root.topic)) return [{ topic: root.topic, path: ["topic"] }];
  const session = isRecord(root.session) ? root.session : {};
  return entries(session.phases).flatMap(([phase, i]) =>
    entries(phase.topics).map(([topic, j]) => ({ topic, path: ["session", "phases", i, "topics", j] as Segment[] })),
  );
}

export class FlowChecks {
  private topicIds: string[] = [];

  constructor(
    private readonly list: DiagnosticList,
    private readonly map: SourceMap,
  ) {}

  run(root: Record<string, unknown>): void {
    const topics = topicsOf(root);
    this.topicIds = topics.flatMap(({ topic }) => (typeof topic.topic_id === "string" ? [topic.topic_id] : []));
    for (const { topic, path } of topics) {
      this.branches(topic.next, [...path, "next"]);
      for (const [action, i] of entries(topic.actions)) {
        const at = [...path, "actions", i];
        this.branches(action.next, [...at, "next"]);
        if (action.action_type === "ai_ask" && isRecord(action.config)) this.ask(action.config, [...at, "config"]);
      }
    }
  }

  private branches(next: unknown, path: Segment[]): void {
    const list = entries(next);
    for (const [branch, i] of list) {
      for (const key of ["then", "else"] as const) this.target(branch[key], [...path, i, key]);
      if ("else" in branch && i < list.length - 1) {
        const at = [...path, i, "else"];
        this.list.add("INVALID_VALUE", "branch.elseNotLast", {}, at, this.map.keyLoc(at));
      }
    }
  }

  private target(value: unknown, path: Segment[]): void {
    if (typeof value !== "string" || this.topicIds.includes(value)) return;
    const at = this.map.valueLoc(path);
    const candidate = closest(value, this.topicIds);
    if (candidate) this.list.add("UNKNOWN_TARGET", "target.didYouMean", { target: value, candidate }, path, at);
    else {
      const shown = this.topicIds.slice(0, LISTED_TOPICS).map((id) => `\`${id}\``);
      const known = this.topicIds.length > LISTED_TOPICS ? [...shown, "…"].join(", ") : shown.join(", ");
      this.list.add("UNKNOWN_TARGET", "target.unknown", { target: value, known }, path, at);
    }
  }

  private ask(config: Record<string, unknown>, path: Segment[]): void {
    const rounds = typeof config.max_rounds === "number" ? config.max_rounds : DEFAULT_ASK_ROUNDS;
    // The first question is asked as written: reprompt n is for question n + 1.
    if (Array.isArray(config.reprompts) && config.reprompts.length > rounds - 1) {
      const at = [...path, "reprompts", rounds - 1];
      const fix = Math.min(10, config.reprompts.length + 1);
      this.list.add("UNUSED_REPROMPT", "reprompt.unused", { question: rounds + 1, rounds, fix, used: rounds - 1 }, at, this.map.valueLoc(at));
    }
    const on = config.on_exhausted;
    if (!isRecord(on)) return;
    this.target(on.goto, [...path, "on_exhausted", "goto"]);
    if (!isRecord(on.default)) return;
    const outputs = entries(config.output).flatMap(([o]) => (typeof o.get === "string" ? [o as OutputField] : []));
    const names = outputs.map((o) => o.get);
    for (const [name, value] of Object.entries(on.default)) {
      const at = [...path, "on_exhausted", "default", name];
      const output = outputs.find((o) => o.get === name);
      if (!output) {
        const candidate = closest(name, names);
        const known = names.map((n) => `\`${n}\``).join(", ");
        this.list.add("INVALID_VALUE", "exhausted.unknownOutput", { name, known, ...(candidate ? { candidate } : {}) }, at, this.map.keyLoc(at));
      } else if (coerceOutput(output, value) === undefined) {
        const type = output.type ?? "text";
        const example = `${name}: ${type === "boolean" ? "false" : type === "enum" ? (output.values?.[0] ?? "…") : type === "text" ? '"…"' : "5"}`;
        this.list.add("TYPE_MISMATCH", "exhausted.defaultType", { name, type, value: JSON.stringify(value), example }, at, this.map.valueLoc(at));
      }
    }
  }
}
