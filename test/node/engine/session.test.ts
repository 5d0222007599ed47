/**
 * step() behaviour beyond the golden conversations: events and streaming,
 * determinism, safety, debug traces, template overrides, ai_ask rounds,
 * error paths, and state loading.
 */
import { describe, expect, it } from "vitest";
import { migrateState, start, step, StateError, type EngineEvent, type SessionState } from "../../../src/engine";
import { OfflineModel } from "../../../src/llm";
import { tokenEstimate } from "../../../src/llm/offline";
import { askReply as ask, sayReply as say } from "../../model-replies";
import { safetyRules } from "../../../src/engine/prompts/safety-rules";
import { conversationOf, fixedNow, parseScript, promptOf, queuedModel, requestOf, runTurns, scriptedModel } from "./helpers";

const longContent = "This is a long first line, long enough that the offline model sends it in several pieces.";
const script = parseScript(`
session:
  session_id: basics
  language: en
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          topic_goal: get to know the client
          actions:
            - { action_type: ai_say, action_id: intro, config: { content: "${longContent}", max_rounds: 1 } }
            - action_type: ai_ask
              action_id: ask_name
              config: { content: "What should I call you, {title}?", output: [{ get: name, define: the name they want }], max_rounds: 2 }
`);

function eventsOf(run: { events: EngineEvent[] }, type: EngineEvent["type"]) {
  return run.events.filter((e) => e.type === type);
}

describe("events", () => {
  it("streams a message in several deltas before the message event, and the deltas add up to it", async () => {
    const run = await runTurns(script, [null], { model: new OfflineModel() });
    const types = run.events.map((e) => e.type);
    const deltas = eventsOf(run, "message.delta") as Extract<EngineEvent, { type: "message.delta" }>[];
    expect(deltas.length).toBeGreaterThan(1);
    expect(types.indexOf("message.delta")).toBeLessThan(types.indexOf("message"));
    expect(deltas.map((d) => d.text).join("")).toBe(longContent);
    expect(new Set(deltas.map((d) => d.messageId))).toEqual(new Set(["msg_1"]));
  });

  it("reports variable changes with their scope and previous value, and position moves", async () => {
    const model = queuedModel({
      intro: [say("hi")],
      ask_name: [ask("Name?", "false", { name: "Sam" }), ask("ok", "true", { name: "Samuel" })],
    });
    const run = await runTurns(script, [null, "ok", "Samuel, actually"], { model });
    expect(eventsOf(run, "variables")).toEqual([
      { type: "variables", actionId: "ask_name", changes: [{ name: "name", scope: "session", value: "Sam" }] },
      { type: "variables", actionId: "ask_name", changes: [{ name: "name", scope: "session", value: "Samuel", previous: "Sam" }] },
    ]);
    const positions = eventsOf(run, "position").map((e) => (e as Extract<EngineEvent, { type: "position" }>).position);
    expect(positions.map((p) => [p.actionId, p.round])).toEqual([
      ["intro", 1],
      ["ask_name", 0],
      ["ask_name", 1],
      [null, 0],
    ]);
  });

  it("does not stream the reply that ends an ai_ask (it is never shown)", async () => {
    const model = queuedModel({ intro: [say("hi")], ask_name: [ask("Name?", "false"), ask("Thanks, bye", "true", { name: "Jo" })] });
    const run = await runTurns(script, [null, "ok", "Jo"], { model });
    const lastStepDeltas = run.events.slice(run.events.findLastIndex((e) => e.type === "message")).filter((e) => e.type === "message.delta");
    expect(lastStepDeltas).toEqual([]);
    expect(run.results[2]!.messages).toEqual([]);
  });

  it("traces every model call, with the prompt and the reply only when debugging", async () => {
    const quiet = await runTurns(script, [null], { model: new OfflineModel() });
    const [plain] = eventsOf(quiet, "llm") as Extract<EngineEvent, { type: "llm" }>[];
    expect(plain!.trace).toMatchObject({
      actionId: "intro",
      purpose: "ai_say",
      attempt: 1,
      model: "heartrule:offline",
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
    });
    expect(plain!.trace.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Object.keys(plain!.trace)).not.toContain("prompt");
    expect(Object.keys(plain!.trace)).not.toContain("response");
    const loud = await runTurns(script, [null], { model: new OfflineModel(), debug: true });
    const [trace] = eventsOf(loud, "llm") as Extract<EngineEvent, { type: "llm" }>[];
    expect(trace!.trace).toMatchObject({ actionId: "intro", purpose: "ai_say", attempt: 1, model: "heartrule:offline" });
    expect(trace!.trace.prompt).toContain(longContent);
    expect(JSON.parse(trace!.trace.response!)).toMatchObject({ content: longContent });
    // The offline model reports usage estimated from text length: the reply's own, and the same either way.
    expect(trace!.trace.usage.outputTokens).toBe(tokenEstimate(trace!.trace.response!));
    expect(trace!.trace.usage.inputTokens).toBeGreaterThan(0);
    expect(trace!.trace.usage).toEqual(plain!.trace.usage);
  });
});

describe("determinism and state handling", () => {
  it("re-running a step from the same state gives the same messages, ids and state", async () => {
    const first = await runTurns(script, [null, "fine"], { model: new OfflineModel() });
    const again = await step(script, first.results[0]!.state, "fine", { model: new OfflineModel(), now: fixedNow });
    expect(again.messages).toEqual(first.results[1]!.messages);
    expect(again.state).toEqual(first.results[1]!.state);
  });

  it("never mutates the state it is given", async () => {
    const state = start(script, { variables: { title: "friend" }, now: fixedNow });
    const frozen = structuredClone(state);
    const deepFreeze = (o: unknown): void => {
      if (o && typeof o === "object") {
        Object.freeze(o);
        Object.values(o).forEach(deepFreeze);
      }
    };
    deepFreeze(state);
    const r1 = await step(script, state, null, { model: new OfflineModel() });
    const r2 = await step(script, r1.state, "ok", { model: new OfflineModel() });
    expect(r2.status).toBe("waiting_input");
    expect(state).toEqual(frozen);
  });

  it("states survive a JSON round trip and load with migrateState", async () => {
    const run = await runTurns(script, [null, "ok"], { model: new OfflineModel() });
    const stored = JSON.parse(JSON.stringify(run.state)) as unknown;
    const loaded = migrateState(stored);
    expect(loaded).toEqual(run.state);
    const next = await step(script, loaded, "Sam", { model: new OfflineModel() });
    expect(next.status).toBe("completed");
    expect(next.state.variables).toEqual({ name: "Sam" });
  });

  it("migrateState refuses states from newer engines and things that are not states", () => {
    const state = start(script);
    expect(() => migrateState({ ...state, schemaVersion: 99 })).toThrow(/newer engine/);
    expect(() => migrateState({ hello: "world" })).toThrow(StateError);
    expect(() => migrateState({ ...state, position: { phaseIndex: -1 } })).toThrow(/position/);
    expect(() => migrateState(null)).toThrow(StateError);
  });

  it("refuses a state with an unknown schema version as a step error", async () => {
    const state = { ...start(script), schemaVersion: 99 } as unknown as SessionState;
    const r = await step(script, state, null, { model: new OfflineModel() });
    expect(r).toMatchObject({ status: "error", error: { code: "STATE_INVALID" } });
  });

  it("keeps only the most recent history", async () => {
    const chatty = parseScript(`
session:
  session_id: chatty
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: s, config: { content: hi, max_rounds: 10 } }
            - { action_type: ai_say, action_id: s2, config: { content: hi, max_rounds: 10 } }
`);
    const run = await runTurns(chatty, [null, ...Array.from({ length: 14 }, (_, i) => `reply ${i}`)], { model: new OfflineModel() });
    expect(run.state.history).toHaveLength(20);
    expect(run.state.history.at(-2)).toEqual({ role: "user", content: "reply 13", actionId: "s2" });
  });

  it("returns ABORTED and keeps the state when the host aborts", async () => {
    const controller = new AbortController();
    controller.abort();
    const state = start(script);
    const r = await step(script, state, null, { model: new OfflineModel(), signal: controller.signal });
    expect(r).toMatchObject({ status: "error", error: { code: "ABORTED", retryable: true } });
    expect(r.state).toBe(state);
  });
});

describe("ai_ask rounds", () => {
  it("asks again on an empty reply without using up a round", async () => {
    const model = queuedModel({ intro: [say("hi")], ask_name: [ask("Name?", "false"), ask("Still there? Name?", "false")] });
    const run = await runTurns(script, [null, "ok", "   "], { model });
    expect(run.results[2]!.messages.map((m) => m.content)).toEqual(["Still there? Name?"]);
    expect(run.state.position).toMatchObject({ actionId: "ask_name", round: 1 });
    expect(requestOf(model.doStreamCalls.at(-1) as never).answer).toBeNull();
    expect(run.state.history.filter((h) => h.role === "user")).toHaveLength(1);
  });

  it("after max_rounds fills missing outputs: extraction for defined ones, else the last answer", async () => {
    const twoOutputs = parseScript(`
session:
  session_id: fallback
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_ask
              action_id: a
              config: { content: q, output: [{ get: defined, define: what they need }, { get: raw }], max_rounds: 2 }
`);
    const model = queuedModel({
      a: [ask("q1", "false"), ask("q2", "false"), ask("never shown", "false"), { defined: "  a calmer week ", safety_risk: { detected: false } }],
    });
    const run = await runTurns(twoOutputs, [null, "first", " last answer "], { model });
    const purposes = model.doStreamCalls.map((c) => requestOf(c as never).purpose);
    expect(purposes).toEqual(["ai_ask", "ai_ask", "ai_ask", "extract"]);
    expect(requestOf(model.doStreamCalls[3] as never).outputs).toEqual([{ name: "defined", define: "what they need", filled: false, type: "text" }]);
    expect(conversationOf(model.doStreamCalls[3] as never)).toContain("last answer");
    expect(run.state.variables).toEqual({ defined: "a calmer week", raw: "last answer" });
    expect(run.results[2]).toMatchObject({ status: "completed", messages: [] });
  });

  it("in simple mode the answer ends the action without a model call", async () => {
    const simple = parseScript(`
session:
  session_id: simple
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_ask, action_id: a, config: { content: "How are you?" } }
`);
    const model = queuedModel({ a: [ask("How are you?", "false")] });
    const run = await runTurns(simple, [null, "good"], { model });
    expect(model.doStreamCalls).toHaveLength(1);
    expect(run.results[1]!.status).toBe("completed");
  });
});

describe("ai_say rounds", () => {
  it("ends early when exit_criteria are met", async () => {
    const criteria = parseScript(`
session:
  session_id: criteria
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_say
              action_id: s
              config: { content: explain, max_rounds: 5, exit_criteria: { understanding_threshold: 70 } }
            - { action_type: ai_say, action_id: next, config: { content: next, max_rounds: 1 } }
`);
    const level = (n: number) => ({ metadata: { assessment: { understanding_level: n } } });
    const model = queuedModel({ s: [say("r1", level(10)), say("r2", level(90))], next: [say("next")] });
    const run = await runTurns(criteria, [null, "hm?", "got it"], { model });
    expect(run.results.map((r) => r.messages.map((m) => m.content))).toEqual([["r1"], ["r2"], ["next"]]);
  });

  it("waits for one acknowledgement after a single round, which then ends it silently", async () => {
    const single = parseScript(`
session:
  session_id: single
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: s, config: { content: once, max_rounds: 1 } }
            - { action_type: ai_say, action_id: n, config: { content: next, max_rounds: 1 } }
`);
    const run = await runTurns(single, [null, ""], { model: new OfflineModel() });
    expect(run.results.map((r) => r.messages.map((m) => m.content))).toEqual([["once"], ["next"]]);
  });
});

describe("safety", () => {
  it("flags crisis language in the client's words, in English and Chinese, without the words themselves", async () => {
    for (const words of ["Sometimes I want to kill myself", "我真的不想活了"]) {
      const run = await runTurns(script, [null, words], { model: new OfflineModel() });
      const flags = eventsOf(run, "safety");
      expect(flags).toEqual([{ type: "safety", actionId: "intro", source: "input", crisis: true, riskType: "self_harm", level: "high" }]);
      expect(JSON.stringify(flags)).not.toContain(words);
    }
    const other = eventsOf(
      await runTurns(script, [null, "my friend said she took a bottle of pills and isn't answering"], { model: new OfflineModel() }),
      "safety",
    );
    expect(other).toEqual([expect.objectContaining({ riskType: "third_party", level: "imminent" })]);
    const calm = await runTurns(script, [null, "I killed it at work today"], { model: new OfflineModel() });
    expect(eventsOf(calm, "safety")).toEqual([]);
  });

  it("reports the model's crisis and risk flags as an event and in the message metadata", async () => {
    const model = queuedModel({
      intro: [
        say("I hear how hard this is. Please call a crisis line now.", {
          safety_risk: { detected: true, risk_type: "guarantee", confidence: "medium", reason: "x" },
          metadata: { crisis_signal: "true" },
        }),
      ],
    });
    const run = await runTurns(script, [null], { model });
    const message = run.results[0]!.messages[0]!;
    expect(message.metadata.safety).toEqual({ source: "model", crisis: true, riskType: "guarantee", confidence: "medium" });
    expect(eventsOf(run, "safety")).toEqual([
      { type: "safety", actionId: "intro", messageId: "msg_1", source: "model", crisis: true, riskType: "guarantee", confidence: "medium" },
    ]);
  });
});

describe("prompts", () => {
  it("sends the bundled template in the script's language with content, context and the safety section", async () => {
    const model = queuedModel({ intro: [say("hi")] });
    await runTurns(script, [null], { model }, start(script, { variables: { title: "friend" } }));
    const prompt = promptOf(model.doStreamCalls[0] as never);
    expect(prompt).toContain(longContent);
    expect(prompt).toContain("get to know the client");
    expect(prompt).toContain("No diagnosis");
    // English scripts without a time zone say UTC, and say so.
    expect(prompt).toContain("Thursday, January 1, 2026 at 09:00 GMT+0 (UTC)");
    expect(prompt).not.toContain("{{");
    expect(requestOf(model.doStreamCalls[0] as never)).toMatchObject({ language: "en", round: 1, maxRounds: 1 });
  });

  it("never substitutes placeholders inside the client's own words", async () => {
    const model = queuedModel({ intro: [say("hi")], ask_name: [ask("Name?", "false")] });
    await runTurns(script, [null, "my {title} is ${title}"], { model }, start(script, { variables: { title: "Dr" } }));
    expect(promptOf(model.doStreamCalls[1] as never)).toContain("What should I call you, Dr?");
    expect(conversationOf(model.doStreamCalls[1] as never)).toContain("Client: my {title} is ${title}");
  });

  it("uses a project's template override by name, with the same placeholders", async () => {
    const model = queuedModel({ intro: [say("hi")] });
    const templates = { ai_say: "CUSTOM [{{topic_content}}] round {{current_round}}/{{max_rounds}} for {{user}} JSON{{safety_rules}}" };
    await runTurns(script, [null], { model, templates });
    expect(promptOf(model.doStreamCalls[0] as never)).toBe(`CUSTOM [${longContent}] round 1/1 for the client JSON${safetyRules("en")}`);
  });
});

describe("model replies", () => {
  it("repairs a malformed reply with one more call and resets what was streamed", async () => {
    const model = scriptedModel((_req, n) => (n === 0 ? '{"EXIT": "false", "content": "Hel' : say("Hello!")));
    const run = await runTurns(script, [null], { model });
    expect(run.results[0]!.messages.map((m) => m.content)).toEqual(["Hello!"]);
    expect(requestOf(model.doStreamCalls[1] as never).repair).toBe(true);
    const repairPrompt = (model.doStreamCalls[1] as unknown as { prompt: { role: string }[] }).prompt.map((m) => m.role);
    expect(repairPrompt).toEqual(["system", "user", "assistant", "user"]);
    const deltas = eventsOf(run, "message.delta") as Extract<EngineEvent, { type: "message.delta" }>[];
    expect(deltas[0]).toMatchObject({ text: "Hel" });
    expect(deltas.find((d) => d.reset)).toMatchObject({ reset: true, messageId: "msg_1" });
  });

  it("asks for the missing output when an ai_think reply lacks one", async () => {
    const thinker = parseScript(`
session:
  session_id: think
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_think, action_id: th, config: { content: c, output: [{ get: a }, { get: b }] } }
`);
    const model = queuedModel({ th: [{ a: "1" }, { a: "1", b: "2" }] });
    const run = await runTurns(thinker, [null], { model });
    expect(run.results[0]!.status).toBe("completed");
    expect(run.state.variables).toEqual({ a: "1", b: "2" });
    const repair = (model.doStreamCalls[1] as unknown as { prompt: { content: { text: string }[] }[] }).prompt.at(-1)!;
    expect(repair.content[0]!.text).toContain('"b"');
  });

  it("counts model calls and tokens in the step statistics", async () => {
    const run = await runTurns(script, [null], { model: queuedModel({ intro: [say("hi")] }) });
    expect(run.results[0]!.stats).toMatchObject({ llmCalls: 1, inputTokens: 10, outputTokens: 5 });
  });
});
