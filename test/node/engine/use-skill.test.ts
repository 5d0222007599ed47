/**
 * use_skill: a technique runs as a sub-conversation with its own variables.
 * The loader resolves and checks it (inputs, outputs, the technique's own
 * declarations); the engine runs it, maps its outputs back and nothing
 * else, shows where it is in positions and messages, and a state saved
 * while it waits resumes after a reload. The upstream Socratic technique is
 * read from the shared reference folder, never copied.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { migrateState, start, step, type EngineEvent, type SessionState } from "../../../src/engine";
import { load, type Diagnostic, type SessionScript, type TechniqueScript, type TechniqueSource } from "../../../src/engine/script";
import { OfflineModel } from "../../../src/llm";
import { upstreamDir } from "../script/helpers";
import { fixedNow, runTurns } from "./helpers";

const socratic = load(readFileSync(path.join(upstreamDir, "socratic_questioning.yaml"), "utf8")).script as TechniqueScript;

function technique(yaml: string): TechniqueScript {
  const r = load(yaml);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.script as TechniqueScript;
}

/** A technique that shows what it can see: its input, a caller's variable (it must not), and a scratch variable of its own. */
const peek = technique(`
technique:
  technique_id: peek
  inputs:
    - { name: thought }
    - { name: score, type: integer, required: false }
  outputs:
    - { name: result }
topic:
  topic_id: peek_topic
  actions:
    - action_type: ai_ask
      action_id: peek_ask
      config:
        content: "About {thought}, {client_name}?"
        max_rounds: 1
        output: [{ get: result }, { get: scratch }]
`);

const library: TechniqueSource[] = [
  { path: "techniques/socratic.yaml", script: socratic },
  { path: "techniques/peek.yaml", script: peek },
];

function session(actions: string, language = "zh-CN"): string {
  return `session:
  session_id: s
  language: ${language}
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
${actions.replace(/^/gm, "            ")}
`;
}

function loadSession(yaml: string, techniques: TechniqueSource[] = library): SessionScript {
  const r = load(yaml, { techniques });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join("\n"));
  return r.script as SessionScript;
}

/** Where `needle` first appears in `text`, 1-based. */
function locate(text: string, needle: string, from = 0): { line: number; column: number } {
  const at = text.indexOf(needle, from);
  const before = text.slice(0, at).split("\n");
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

const callsSocratic = session(`- action_type: ai_ask
  action_id: ask_thought
  config:
    content: 最近有什么想法一直困扰你？
    output: [{ get: belief }]
- action_type: use_skill
  action_id: question
  config:
    skill: socratic_questioning
    input: { target_belief: "{belief}", context: 工作 }
    output: { reframed_belief: new_belief, evidence_for: support }
- action_type: ai_say
  action_id: close
  config: { content: "谢谢你。{new_belief}", max_rounds: 1 }`);

const answers = [null, "我总是把事情搞砸", "嗯", "上次项目失败了", "其实上周做得不错", "朋友会说我太苛刻", "好一些", "谢谢", "再见"];

describe("use_skill: loading", () => {
  it("resolves a project technique by its id or its path, and the loaded script carries it", () => {
    const byId = loadSession(callsSocratic);
    expect(byId.techniques).toEqual({ socratic_questioning: socratic });
    const byPath = loadSession(callsSocratic.replace("skill: socratic_questioning", "skill: techniques/socratic.yaml"));
    expect(Object.keys(byPath.techniques!)).toEqual(["techniques/socratic.yaml"]);
  });

  it("resolves the bundled reframe_thought in the session's language", () => {
    const use = `- action_type: use_skill\n  action_id: r\n  config: { skill: reframe_thought, input: { thought: "{x}" } }`;
    const en = loadSession(session(use, "en"), []);
    const zh = loadSession(session(use, "zh-CN"), []);
    expect(en.techniques!.reframe_thought!.technique!.language).toBe("en");
    expect(zh.techniques!.reframe_thought!.technique!.language).toBe("zh-CN");
  });

  it("reports an unknown skill, a missing or unknown input and an unknown output at their places, in en and zh-CN", () => {
    const yaml = session(`- action_type: use_skill
  action_id: a
  config: { skill: socratic_questionin }
- action_type: use_skill
  action_id: b
  config:
    skill: socratic_questioning
    input: { belief: x }
    output: { reframed: y }`);
    const en = load(yaml, { techniques: library }).diagnostics.filter((d) => d.severity === "error");
    const zh = load(yaml, { techniques: library, lang: "zh-CN" }).diagnostics.filter((d) => d.severity === "error");
    const at = (d: Diagnostic) => [d.code, d.line, d.column];
    expect(en.map(at)).toEqual([
      ["UNKNOWN_SKILL", ...Object.values(locate(yaml, "socratic_questionin "))],
      ["SKILL_INPUT_MISSING", ...Object.values(locate(yaml, "input:"))],
      ["SKILL_INPUT_UNKNOWN", ...Object.values(locate(yaml, "belief: x"))],
      ["SKILL_OUTPUT_UNKNOWN", ...Object.values(locate(yaml, "reframed: y"))],
    ]);
    expect(zh.map(at)).toEqual(en.map(at));
    expect(en[0]!.suggestion).toBe("Did you mean `socratic_questioning`?");
    expect(en[1]!.message).toBe("The technique `socratic_questioning` needs the input `target_belief`, which this action does not pass.");
    expect(en[2]!.suggestion).toBe("Its inputs are: `target_belief`, `context`.");
    expect(en[3]!.suggestion).toContain("`reframed_belief`");
    expect(zh[0]!.suggestion).toBe("你是不是想写 `socratic_questioning`？");
    expect(zh[1]!.message).toMatch(/需要输入 `target_belief`/);
  });

  it("lists what there is when no technique is close", () => {
    const d = load(session(`- { action_type: use_skill, action_id: a, config: { skill: grounding_exercise } }`), { techniques: [] }).diagnostics;
    expect(d.map((x) => x.code)).toEqual(["UNKNOWN_SKILL"]);
    expect(d[0]!.suggestion).toBe("Name a technique of the project or a bundled one: `reframe_thought`.");
  });

  it("knows the mapped outputs from there on, with the types the technique declares", () => {
    const r = load(callsSocratic, { techniques: library });
    expect(r.diagnostics.filter((d) => d.code === "UNDEFINED_VARIABLE")).toEqual([]);
    const typed = technique(`
technique: { technique_id: scorer, outputs: [{ name: score, type: integer }] }
topic: { topic_id: x, actions: [{ action_type: ai_ask, action_id: q, config: { content: Score?, output: [{ get: score, type: integer }] } }] }
`);
    const d = load(
      session(`- { action_type: use_skill, action_id: u, config: { skill: scorer, output: { score: total } } }
- { action_type: ai_say, action_id: s, condition: 'total == "3"', config: { content: hi } }`),
      { techniques: [{ script: typed }] },
    ).diagnostics;
    expect(d.map((x) => x.code)).toEqual(["CONDITION_TYPE_MISMATCH"]);
  });

  it("warns about a declared output no action sets, and refuses a technique that runs another", () => {
    const yaml = `technique:
  technique_id: half
  outputs: [{ name: done_it }, { name: never }]
topic:
  topic_id: t
  actions:
    - { action_type: ai_ask, action_id: q, config: { content: "?", output: [{ get: done_it }] } }
    - { action_type: use_skill, action_id: u, config: { skill: reframe_thought } }
`;
    const d = load(yaml).diagnostics;
    expect(d.map((x) => [x.code, x.severity, x.line, x.column])).toEqual([
      ["TECHNIQUE_OUTPUT_UNSET", "warning", ...Object.values(locate(yaml, "never"))],
      ["NESTED_SKILL", "error", ...Object.values(locate(yaml, "use_skill"))],
    ]);
  });

  it("the bundled techniques load without diagnostics", () => {
    for (const language of ["en", "zh-CN"]) {
      const script = loadSession(
        session(`- { action_type: use_skill, action_id: r, config: { skill: reframe_thought, input: { thought: x } } }`, language),
        [],
      );
      const technique = script.techniques!.reframe_thought!;
      expect(technique.technique!.outputs!.map((o) => o.name)).toEqual(["evidence_for", "evidence_against", "balanced_thought"]);
    }
  });
});

async function run(script: SessionScript, inputs: (string | null)[], initial?: SessionState) {
  return runTurns(script, inputs, { model: new OfflineModel() }, initial);
}

describe("use_skill: running", () => {
  const script = loadSession(callsSocratic);

  it("runs the upstream Socratic technique to its end and maps its outputs back", async () => {
    const r = await run(script, answers);
    expect(r.results.map((x) => x.error)).toEqual(answers.map(() => undefined));
    expect(r.results.at(-1)!.status).toBe("completed");
    expect(r.state.variables).toEqual({ belief: "我总是把事情搞砸", new_belief: expect.any(String), support: "上次项目失败了" });
    expect(r.state.technique).toBeNull();
    const lines = r.results.flatMap((x) => x.messages);
    expect(lines.filter((m) => m.metadata.technique === "socratic_questioning").map((m) => m.actionId)).toEqual([
      "confirm_belief",
      "ask_evidence_for",
      "ask_evidence_against",
      "explore_alternatives",
      "present_reframe",
      "present_reframe",
    ]);
    expect(lines[1]!.content).toContain("我总是把事情搞砸");
    expect(lines.at(-1)).toMatchObject({ actionId: "close", content: expect.stringContaining(r.state.variables.new_belief as string) });
  });

  it("shows the technique in positions while it runs", async () => {
    const r = await run(script, answers.slice(0, 4));
    expect(r.state.position).toMatchObject({
      actionId: "question",
      actionType: "use_skill",
      technique: { techniqueId: "socratic_questioning", actionId: "ask_evidence_against", actionType: "ai_ask", actionIndex: 2, round: 1 },
    });
    const positions = r.events.flatMap((e) => (e.type === "position" ? [e.position] : []));
    expect(positions.some((p) => p.actionId === "question" && p.technique?.actionId === "confirm_belief")).toBe(true);
  });

  it("resumes a state saved while the technique waits, as if it had never stopped", async () => {
    const whole = await run(script, answers);
    const first = await run(script, answers.slice(0, 5));
    expect(first.state.technique).toMatchObject({ skill: "socratic_questioning", actionId: "question" });
    const reloaded = migrateState(JSON.parse(JSON.stringify(first.state)));
    const rest = await run(script, answers.slice(5), reloaded);
    expect(rest.state).toEqual(whole.state);
    expect(rest.results.flatMap((x) => x.messages)).toEqual(whole.results.slice(5).flatMap((x) => x.messages));
  });

  it("keeps its variables and the session's apart", async () => {
    const uses = loadSession(
      session(`- action_type: use_skill
  action_id: u
  config: { skill: peek, input: { thought: "the {topic_word} thing", score: "{mood}" }, output: { result: mapped } }`),
    );
    const initial = start(uses, { now: fixedNow, variables: { client_name: "Alex", scratch: "the session's", topic_word: "work", mood: 3 } });
    const events: EngineEvent[] = [];
    const model = new OfflineModel();
    const first = await step(uses, initial, null, { model, now: fixedNow, emit: (e) => events.push(e) });
    // Inside: its inputs (rendered text; a lone placeholder keeps its type), not the session's client_name.
    expect(first.state.technique!.scopes.global).toEqual({ thought: "the work thing", score: 3 });
    expect(first.messages[0]!.content).toBe("About the work thing, ?");
    expect(events).toContainEqual(expect.objectContaining({ type: "diagnostic", code: "UNRENDERED_PLACEHOLDER", names: ["client_name"] }));
    const second = await step(uses, first.state, "it went fine", { model, now: fixedNow, emit: (e) => events.push(e) });
    expect(second.status).toBe("completed");
    // Outside: only the mapped output; the technique's scratch never overwrote the session's.
    expect(second.state.variables).toEqual({ client_name: "Alex", scratch: "the session's", topic_word: "work", mood: 3, mapped: "it went fine" });
    const changes = events.flatMap((e) => (e.type === "variables" ? e.changes.map((c) => c.name) : []));
    expect(changes).toEqual(["mapped"]);
  });

  it("tells authors when the technique ended without an output it maps", async () => {
    const quiet = technique(`
technique: { technique_id: quiet, outputs: [{ name: said, type: boolean }] }
topic: { topic_id: q, actions: [{ action_type: ai_ask, action_id: q1, config: { content: "Yes or no?", max_rounds: 1, output: [{ get: said, type: boolean }] } }] }
`);
    const uses = loadSession(session(`- { action_type: use_skill, action_id: u, config: { skill: quiet, output: { said: answer } } }`), [
      { script: quiet },
    ]);
    const r = await run(uses, [null, "perhaps"]);
    expect(r.state.variables).not.toHaveProperty("answer");
    expect(r.events).toContainEqual(expect.objectContaining({ type: "diagnostic", code: "SKILL_OUTPUT_MISSING", actionId: "u", names: ["answer"] }));
  });

  it("refuses to run a use_skill whose technique the script was not loaded with", async () => {
    const bare = { ...script, techniques: {} };
    const r = await step(bare, start(bare), null, { model: new OfflineModel() });
    const next = await step(bare, r.state, "x", { model: new OfflineModel() });
    expect(next.error).toMatchObject({ code: "SCRIPT_MISMATCH", actionId: "question" });
  });
});

describe("use_skill: state version 4", () => {
  it("upgrades a version 3 state with no technique running", () => {
    const v3 = JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures/state-v3.json"), "utf8")) as Record<string, unknown>;
    const loaded = migrateState(v3);
    expect(loaded.technique).toBeNull();
    expect(loaded.position.technique).toBeNull();
  });
});
