/**
 * One regression test per upstream bug of the engine reference (§9 of
 * upstream-engine-spec.md, kept outside the repository), named after it; the
 * line above each test says what the upstream engine did.
 */
import { describe, expect, it } from "vitest";
import { MockLanguageModelV3 } from "ai/test";
import { load, type SessionScript } from "../../../src/engine/script";
import { bundledTemplate, start, step, templateNames, type EngineEvent, type SessionState } from "../../../src/engine";
import { OfflineModel } from "../../../src/llm";
import { askReply, sayReply } from "../../model-replies";
import { upstreamScript } from "./upstream";
import { fixedNow, parseScript, promptOf, queuedModel, requestOf, runTurns, scriptedModel, streamOf } from "./helpers";

const oneAsk = parseScript(`
session:
  session_id: one_ask
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_ask
              action_id: ask
              config: { content: 你叫什么名字？, output: [{ get: name }], max_rounds: 3 }
`);

describe("upstream bugs stay fixed", () => {
  // Upstream: the server stored the client's words and called the engine without them, so ai_ask asked again forever.
  it("B1: the client's words reach the engine and are recorded exactly once", async () => {
    const model = queuedModel({ ask: [askReply("你叫什么？", "false"), askReply("还有呢？", "false"), askReply("好", "true", { name: "阿明" })] });
    const run = await runTurns(oneAsk, [null, "我是阿明", "就这些"], { model });
    const requests = model.doStreamCalls.map((c) => requestOf(c as never));
    expect(requests.map((r) => r.answer)).toEqual([null, "我是阿明", "就这些"]);
    expect(run.results.map((r) => r.messages.map((m) => m.content))).toEqual([["你叫什么？"], ["还有呢？"], []]);
    expect(run.state.history.filter((h) => h.role === "user")).toEqual([
      { role: "user", content: "我是阿明", actionId: "ask" },
      { role: "user", content: "就这些", actionId: "ask" },
    ]);
    expect(run.results.at(-1)!.status).toBe("completed");
    expect(run.state.variables).toEqual({ name: "阿明" });
  });

  // Upstream: a failing action was swallowed, the next action was skipped and the step reported `completed`.
  it("B2: a failing action stops the step with an error, keeps the state, and a retry continues", async () => {
    const script = parseScript(`
session:
  session_id: two_topics
  phases:
    - phase_id: p
      topics:
        - topic_id: t1
          actions:
            - { action_type: ai_say, action_id: hello, config: { content: hello, wait_for_reply: false } }
        - topic_id: t2
          actions:
            - { action_type: ai_say, action_id: next, config: { content: next, max_rounds: 1 } }
`);
    const state = start(script, { now: fixedNow });
    const before = structuredClone(state);
    const broken = scriptedModel((req) => {
      if (req.actionId === "next") throw new Error("model down");
      return sayReply(req.content);
    });
    const failed = await step(script, state, null, { model: broken, now: fixedNow });
    expect(failed.status).toBe("error");
    expect(failed.error).toMatchObject({ actionId: "next", retryable: true });
    expect(failed.messages).toEqual([]);
    expect(failed.state).toBe(state);
    expect(state).toEqual(before);

    const retried = await step(script, state, null, { model: new OfflineModel(), now: fixedNow });
    expect(retried.status).toBe("waiting_input");
    expect(retried.messages.map((m) => [m.actionId, m.content])).toEqual([
      ["hello", "hello"],
      ["next", "next"],
    ]);
  });

  // Upstream: `${name}` rendered as `$value`.
  it("B3: ${name} renders as the value, not $value", async () => {
    const script = parseScript(`
session:
  session_id: dollar
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: s, config: { content: "你好\${name}，{name}，{{name}}", max_rounds: 1 } }
`);
    const run = await runTurns(script, [null], { model: new OfflineModel() }, start(script, { variables: { name: "小李" } }));
    expect(run.results[0]!.messages[0]!.content).toBe("你好小李，小李，小李");
  });

  // Upstream: every variable stayed in its topic, so later topics could not see earlier answers.
  it("B4: extracted variables default to the session scope, visible in later topics; declared scopes are honoured", async () => {
    const script = parseScript(`
session:
  session_id: scopes
  phases:
    - phase_id: p1
      topics:
        - topic_id: a
          actions:
            - action_type: ai_ask
              action_id: ask
              config:
                content: q
                output: [{ get: s }, { get: tp, scope: topic }, { get: ph, scope: phase }, { get: gl, scope: global }]
        - topic_id: b
          actions:
            - { action_type: ai_say, action_id: say_b, config: { content: "{s}|{tp}|{ph}|{gl}", max_rounds: 1 } }
    - phase_id: p2
      topics:
        - topic_id: c
          actions:
            - { action_type: ai_say, action_id: say_c, config: { content: "{s}|{tp}|{ph}|{gl}", max_rounds: 1 } }
`);
    const run = await runTurns(script, [null, "x", "ok"], { model: new OfflineModel() });
    // A variable not visible here is left out of the line (never shown as "{tp}"), and authors are told.
    expect(run.results[1]!.messages[0]!.content).toBe("x||x|x");
    expect(run.results[2]!.messages[0]!.content).toBe("x|||x");
    const unrendered = run.events.flatMap((e) => (e.type === "diagnostic" && e.code === "UNRENDERED_PLACEHOLDER" ? [[e.actionId, e.names]] : []));
    expect(unrendered).toEqual([
      ["say_b", ["tp"]],
      ["say_c", ["tp", "ph"]],
    ]);
    expect(run.state.scopes).toEqual({
      global: { gl: "x" },
      session: { s: "x" },
      phase: { p1: { ph: "x" } },
      topic: { a: { tp: "x" } },
    });
  });

  // Upstream: no scope rule (every variable topic-scoped).
  it("B4: lookup order is topic, phase, session, global", async () => {
    const script = parseScript(`
session:
  session_id: order
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_ask
              action_id: ask
              config: { content: q, output: [{ get: v, scope: topic }, { get: w, scope: phase }] }
            - { action_type: ai_say, action_id: s, config: { content: "{v}/{w}/{g}", max_rounds: 1 } }
`);
    const state = start(script, { variables: { v: "session", w: "session", g: "session" }, globals: { g: "global", v: "global" } });
    const run = await runTurns(script, [null, "topic"], { model: new OfflineModel() }, state);
    expect(run.results[1]!.messages[0]!.content).toBe("topic/topic/session");
  });

  // Upstream: paraphrase-mode ai_say ignored the variable store.
  it("B5: paraphrase-mode ai_say fills variables from the store", async () => {
    const script = parseScript(`
session:
  session_id: paraphrase
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_ask, action_id: ask, config: { content: q, output: [{ get: 名字 }] } }
            - { action_type: ai_say, action_id: s, config: { content: "谢谢{名字}" } }
`);
    const model = queuedModel({ ask: [askReply("q", "false"), askReply("ok", "true", { 名字: "小王" })], s: [{ content: "改写后的话" }] });
    const run = await runTurns(script, [null, "小王"], { model });
    const paraphrase = model.doStreamCalls.map((c) => requestOf(c as never)).find((r) => r.actionId === "s")!;
    expect(paraphrase).toMatchObject({ purpose: "ai_say_paraphrase", content: "谢谢小王" });
    expect(promptOf(model.doStreamCalls.at(-1) as never)).toContain("谢谢小王");
    expect(run.results[1]!.messages.map((m) => m.content)).toEqual(["改写后的话"]);
  });

  // Upstream: ai_ask dropped the exiting reply and its values, and first-round values on the fresh path.
  it("B6: the exiting ai_ask reply's values are kept, and first-round values are not dropped", async () => {
    const script = parseScript(`
session:
  session_id: merge
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_ask
              action_id: ask
              config:
                content: q
                output: [{ get: early }, { get: late, define: 最后一个答案 }]
`);
    const model = queuedModel({ ask: [askReply("q", "false", { early: "先知道的" }), askReply("谢谢", "true", { late: "最后说的" })] });
    const run = await runTurns(script, [null, "原话"], { model });
    expect(run.state.variables).toEqual({ early: "先知道的", late: "最后说的" });
    // Nothing was missing, so no extraction call was needed.
    expect(model.doStreamCalls.map((c) => requestOf(c as never).purpose)).toEqual(["ai_ask", "ai_ask"]);
    expect(run.results[1]!.messages).toEqual([]);
  });

  // Upstream: ai_say ignored the model's EXIT flag.
  it("B7: ai_say honours the model's EXIT when the author set `exit`, and only then", async () => {
    const yaml = (exit: string) => `
session:
  session_id: say_exit
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: s, config: { content: explain, max_rounds: 4${exit} } }
            - { action_type: ai_say, action_id: after, config: { content: after, max_rounds: 1 } }
`;
    const replies = () =>
      scriptedModel((req) =>
        req.actionId === "after" ? sayReply("after") : { ...sayReply(`r${req.round}`), EXIT: req.round >= 2 ? "true" : "false" },
      );
    const withExit = await runTurns(parseScript(yaml(", exit: the client understood")), [null, "got it"], { model: replies() });
    expect(withExit.results.map((r) => r.messages.map((m) => m.content))).toEqual([["r1"], ["r2"]]);
    expect(withExit.state.position.actionId).toBe("after");

    const withoutExit = await runTurns(parseScript(yaml("")), [null, "got it"], { model: replies() });
    expect(withoutExit.state.position).toMatchObject({ actionId: "s", round: 2 });
  });

  // Upstream: ai_think was a stub that read other fields than its schema's and produced nothing.
  it("B8: ai_think calls the model, fills its outputs, shows nothing and the flow goes on", async () => {
    const script = parseScript(`
session:
  session_id: think
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_think
              action_id: th
              config: { content: "分析{问题}", output: [{ get: 类别, define: 问题类别 }, { get: 程度 }] }
            - { action_type: ai_say, action_id: s, config: { content: "{类别}/{程度}", max_rounds: 1 } }
`);
    const model = queuedModel({ th: [{ 类别: "睡眠", 程度: "轻度", safety_risk: { detected: false } }], s: [sayReply("说")] });
    const run = await runTurns(script, [null], { model }, start(script, { variables: { 问题: "失眠" } }));
    const [think, say] = model.doStreamCalls.map((c) => requestOf(c as never));
    expect(think).toMatchObject({ purpose: "ai_think", content: "分析失眠", outputs: [{ name: "类别", define: "问题类别" }, { name: "程度" }] });
    expect(say).toMatchObject({ content: "睡眠/轻度" });
    expect(run.results[0]!.messages.map((m) => m.actionId)).toEqual(["s"]);
    expect(run.state.variables).toMatchObject({ 类别: "睡眠", 程度: "轻度" });
  });

  // Upstream: use_skill passed validation, then threw at run time.
  it("B9: use_skill of a technique that is not there never reaches the engine: the loader reports it", () => {
    const { script, diagnostics } = load(`
session:
  session_id: s
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: use_skill, action_id: u, config: { skill: socratic } }
`);
    expect(script).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toContain("UNKNOWN_SKILL");
  });

  // Upstream: two diverging template sets, the production one without the fields the engine reads.
  it("B10: one bundled template set, every template asking for JSON with the safety fields", () => {
    for (const language of ["zh-CN", "en"] as const) {
      for (const name of templateNames) {
        const text = bundledTemplate(name, language);
        expect(text, `${language}/${name}`).toMatch(/JSON/);
        expect(text, `${language}/${name}`).toContain('"safety_risk"');
        expect(text, `${language}/${name}`).toContain('"crisis_signal"');
      }
    }
  });

  // Upstream: monitors ran but never took effect, and left stale feedback behind.
  it("B11: no monitor runs: each ai_say round makes exactly one model call", async () => {
    const script = parseScript(`
session:
  session_id: calls
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: s, config: { content: c, max_rounds: 3 } }
`);
    const model = scriptedModel((req) => sayReply(`r${req.round}`));
    const run = await runTurns(script, [null, "a", "b"], { model });
    expect(model.doStreamCalls).toHaveLength(3);
    expect(run.results.map((r) => r.stats.llmCalls)).toEqual([1, 1, 1]);
  });

  // Upstream: the template scheme was frozen at the first call and a resumed action used a stored config snapshot.
  it("B12: the engine runs the script it is given; a state that does not match it is refused, unchanged", async () => {
    const first = await runTurns(oneAsk, [null], { model: new OfflineModel() });
    const state: SessionState = first.state;
    const edited = parseScript(`
session:
  session_id: one_ask
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: renamed, config: { content: x, max_rounds: 1 } }
`);
    const r = await step(edited, state, "answer", { model: new OfflineModel() });
    expect(r).toMatchObject({ status: "error", error: { code: "SCRIPT_MISMATCH", retryable: false } });
    expect(r.state).toBe(state);

    const other = await step({ session: { ...edited.session, session_id: "other" } }, state, "answer", { model: new OfflineModel() });
    expect(other.error?.code).toBe("SCRIPT_MISMATCH");

    // Nor is a template scheme frozen into the state: each step uses the templates its host passes
    // (the session actor passes the ones it pinned), so the same state runs with either.
    const promptWith = async (ai_ask: string) => {
      const events: EngineEvent[] = [];
      await step(oneAsk, state, "", { model: new OfflineModel(), debug: true, templates: { ai_ask }, emit: (e) => events.push(e) });
      return events.flatMap((e) => (e.type === "llm" ? [e.trace.prompt] : []));
    };
    expect((await promptWith("SCHEME-A {{topic_content}} JSON {{safety_rules}}"))[0]).toMatch(/^SCHEME-A /);
    expect((await promptWith("SCHEME-B {{topic_content}} JSON {{safety_rules}}"))[0]).toMatch(/^SCHEME-B /);
  });

  // Upstream: deprecation hints recommended fields the schema rejects.
  it("B13: deprecation hints for legacy extraction fields point to output[].define, which the schema accepts", () => {
    const { script, diagnostics } = load(upstreamScript("cbt_depression_assessment.yaml"));
    const hints = diagnostics.filter((d) => d.message.includes("extraction_prompt"));
    expect(hints.length).toBeGreaterThan(0);
    for (const d of hints) {
      expect(d.suggestion).toMatch(/define/);
      expect(d.suggestion).not.toMatch(/instruction|output\[\]\.variable/);
    }
    // Its asks are simple (no output/exit), which never read extraction_prompt: the hints show the `define` that would extract
    // (with output or exit, extraction_prompt becomes that define: test/node/script/legacy.test.ts).
    const ask = (script as SessionScript).session.phases[0]!.topics[1]!.actions[0]!;
    expect(ask.action_type === "ai_ask" && ask.config.save_answer).toBe("user_name");
    for (const d of hints) expect(d.suggestion).toMatch(/output: \[\{ get: \w+, define: "/);
  });

  // Upstream: `condition` (and other fields) were accepted and ignored.
  it("B14: `condition` is evaluated: false skips; an evaluation error skips too, with a diagnostic naming the action", async () => {
    const yaml = (condition: string) => `
session:
  session_id: cond
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: maybe, condition: '${condition}', config: { content: maybe, max_rounds: 1 } }
            - { action_type: ai_say, action_id: always, config: { content: always, max_rounds: 1 } }
`;
    const state = (script: ReturnType<typeof parseScript>) => start(script, { variables: { score: 3 } });
    const skip = parseScript(yaml("score > 5"));
    expect((await runTurns(skip, [null], { model: new OfflineModel() }, state(skip))).results[0]!.messages.map((m) => m.content)).toEqual(["always"]);
    const run = parseScript(yaml('vars["score"] <= 5'));
    expect((await runTurns(run, [null], { model: new OfflineModel() }, state(run))).results[0]!.messages.map((m) => m.content)).toEqual(["maybe"]);

    const broken = parseScript(yaml("missing_var > 1"));
    const initial = state(broken);
    const events: EngineEvent[] = [];
    const r = await step(broken, initial, null, { model: new OfflineModel(), emit: (e) => events.push(e) });
    expect(r.status).toBe("waiting_input");
    expect(r.messages.map((m) => m.content)).toEqual(["always"]);
    const diagnostics = events.filter((e) => e.type === "diagnostic");
    expect(diagnostics).toMatchObject([{ code: "CONDITION_ERROR", actionId: "maybe" }]);
    expect(diagnostics[0]!.message).toContain("missing_var");
  });

  // Upstream: a step returned only the last AI message (a stale one when it produced none).
  it("B15: a step returns every message it produced, in order", async () => {
    const script = parseScript(`
session:
  session_id: many
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: a, config: { content: one, wait_for_reply: false } }
            - { action_type: ai_say, action_id: b, config: { content: two, max_rounds: 1, wait_for_reply: false } }
            - { action_type: ai_ask, action_id: c, config: { content: three? } }
`);
    const r = (await runTurns(script, [null], { model: new OfflineModel() })).results[0]!;
    expect(r.messages.map((m) => [m.id, m.actionId, m.content])).toEqual([
      ["msg_1", "a", "one"],
      ["msg_2", "b", "two"],
      ["msg_3", "c", "three?"],
    ]);
  });

  // Upstream: a completed state kept indices one past the end (B16), and a script whose last action ended on the resume path never completed (B18).
  it("B16 and B18: a script ending in a multi-round ai_say completes, with a normalised position", async () => {
    const script = parseScript(`
session:
  session_id: ends_in_say
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: last, config: { content: bye, max_rounds: 2 } }
`);
    const run = await runTurns(script, [null, "ok"], { model: scriptedModel((req) => sayReply(`line ${req.round}`)) });
    expect(run.results.map((r) => [r.status, r.messages.map((m) => m.content)])).toEqual([
      ["waiting_input", ["line 1"]],
      ["completed", ["line 2"]],
    ]);
    expect(run.state.position).toEqual({
      phaseIndex: 1,
      topicIndex: 0,
      actionIndex: 0,
      phaseId: null,
      topicId: null,
      actionId: null,
      actionType: null,
      round: 0,
      maxRounds: 0,
      technique: null,
    });
    expect(run.state.inFlight).toBeNull();
    const after = await step(script, run.state, "more?", { model: new MockLanguageModelV3() });
    expect(after).toMatchObject({ status: "completed", messages: [] });
  });

  // Upstream: a two-stage LLM topic planner, validated only against simulated replies.
  it("B17: no planner: actions run exactly in script order", async () => {
    const script = parseScript(`
session:
  session_id: order
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          strategy: reorder everything
          actions:
            - { action_type: ai_say, action_id: a1, config: { content: a, wait_for_reply: false } }
            - { action_type: ai_think, action_id: a2, config: { content: b, output: [{ get: x }] } }
            - { action_type: ai_say, action_id: a3, config: { content: c, wait_for_reply: false } }
`);
    const model = scriptedModel((req) => (req.purpose === "ai_think" ? { x: "1" } : { content: req.content }));
    await runTurns(script, [null], { model });
    expect(model.doStreamCalls.map((c) => requestOf(c as never).actionId)).toEqual(["a1", "a2", "a3"]);
  });
});

// The scripted stream helper must itself deliver text in pieces, or streaming tests prove nothing.
describe("test helpers", () => {
  it("streamOf splits a reply into several deltas", async () => {
    const parts: unknown[] = [];
    const reader = streamOf('{"content":"abcdef"}').stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
    expect(parts.filter((p) => (p as { type: string }).type === "text-delta").length).toBeGreaterThan(1);
  });
});
