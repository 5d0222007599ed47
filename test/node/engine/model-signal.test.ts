/**
 * The model's own crisis flag starts the crisis protocol: when the local detector finds nothing in the
 * client's words but a model reply to them says `crisis_signal` (or names self-harm as its safety risk),
 * the step takes the answer back — no variable written, no position moved, no line of the interrupted
 * action shown or kept, what streamed retracted — and runs the protocol in the same step, with the lines.
 * The replies come as models send them: fenced, wrapped in prose, broken JSON.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { detectCrisis } from "../../../src/engine/safety/detector";
import { start, step, type EngineEvent, type SessionState } from "../../../src/engine";
import { askReply, sayReply } from "../../model-replies";
import { crisisMeta, fixedNow, intakeModel, parseScript, runTurns, scriptedModel } from "./helpers";

const here = dirname(fileURLToPath(import.meta.url));
const intakeEn = parseScript(readFileSync(join(here, "../../../scripts/sessions/intake_en.yaml"), "utf8"));

/** Words the local detector reads as no risk: only the model's reading can start the protocol. */
const quiet = "Sam. Not that it matters much any more";

async function opened(model: ReturnType<typeof scriptedModel>): Promise<SessionState> {
  const r = await step(intakeEn, start(intakeEn, { now: fixedNow }), null, { model, now: fixedNow });
  expect(r.messages.map((m) => m.actionId)).toEqual(["greet", "ask_name"]);
  return r.state;
}

async function answer(model: ReturnType<typeof scriptedModel>, words: string) {
  const state = await opened(model);
  const events: EngineEvent[] = [];
  const r = await step(intakeEn, state, words, { model, now: fixedNow, emit: (e) => events.push(e) });
  expect(r.error).toBeUndefined();
  return { r, events, before: state };
}

const of = <T extends EngineEvent["type"]>(events: EngineEvent[], type: T) =>
  events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);

/** What the client's screen holds for a message id after the deltas: resets drop, text appends. */
function screen(events: EngineEvent[], messageId: string): string {
  let shown = "";
  for (const d of of(events, "message.delta")) if (d.messageId === messageId) shown = (d.reset ? "" : shown) + d.text;
  return shown;
}

/** The protocol ran instead of the answer: the interrupted question keeps its place, nothing of the answer is kept. */
function expectProtocolInstead({ r, events, before }: Awaited<ReturnType<typeof answer>>) {
  expect(r.messages.map((m) => m.actionId)).toEqual(["acknowledge", "resources", "confirm"]);
  expect(r.messages.every((m) => m.metadata.crisis === true)).toBe(true);
  expect(r.messages.map((m) => m.id)).toEqual(["msg_3", "msg_4", "msg_5"]);
  expect(r.messages[1]!.content).toMatch(/988 Suicide & Crisis Lifeline: 988/);
  expect(r.state.variables).toEqual(before.variables);
  expect(r.state.scopes).toEqual(before.scopes);
  expect(r.state.position).toEqual(before.position);
  expect(r.state.inFlight).toEqual(before.inFlight);
  expect(r.state.crisis).toMatchObject({ level: "high", pass: 1, position: { actionId: "confirm" } });
  // The history holds the client's words and the protocol's lines, no reply of the interrupted action.
  expect(r.state.history.slice(-4).map((h) => h.actionId)).toEqual(["ask_name", "acknowledge", "resources", "confirm"]);
  expect(r.state.history.at(-4)).toMatchObject({ role: "user" });
  expect(of(events, "variables")).toEqual([]);
  expect(of(events, "message").map((e) => e.message.actionId)).toEqual(["acknowledge", "resources", "confirm"]);
  expect(of(events, "crisis_referral")).toEqual([{ type: "crisis_referral", actionId: "resources", locale: "en-US", level: "high" }]);
  expect(of(events, "safety")).toEqual([
    { type: "safety", actionId: "ask_name", source: "model", crisis: true, riskType: "self_harm", level: "high" },
  ]);
}

describe("a crisis the model sees and the detector does not", () => {
  it("the detector reads these words as no risk", () => {
    expect(detectCrisis(quiet).level).toBe("none");
  });

  it("in the reply to the answer: the answer is taken back and the protocol runs in the same step", async () => {
    const model = intakeModel(() => askReply("I hear how heavy things feel, Sam.", "false", { client_name: "Sam", ...crisisMeta }));
    const run = await answer(model, quiet);
    expectProtocolInstead(run);
    // The withheld reply streamed under msg_3 and was reset before the protocol's first line took that id.
    const reset = run.events.findIndex((e) => e.type === "message.delta" && e.reset && e.messageId === "msg_3");
    const firstLine = run.events.findIndex((e) => e.type === "message");
    expect(reset).toBeGreaterThan(-1);
    expect(reset).toBeLessThan(firstLine);
    expect(screen(run.events, "msg_3")).toBe(run.r.messages[0]!.content);
  });

  it("in the extraction after the question ended: the value is not stored", async () => {
    const model = scriptedModel((req) => {
      if (req.actionId === "ask_name" && req.purpose === "ai_ask" && req.answer !== null) return askReply("", "true");
      if (req.actionId === "ask_name" && req.purpose === "extract") return { client_name: "Sam", ...crisisMeta };
      if (req.purpose === "ai_ask" && req.answer !== null) return askReply("", "true", { current_risk: "none" });
      return req.purpose === "ai_ask" ? askReply(req.content, "false") : sayReply(req.content);
    });
    expectProtocolInstead(await answer(model, quiet));
  });

  it("in the next action's line, after the answer was taken: the value, the move and that line are all taken back", async () => {
    const model = scriptedModel((req) => {
      if (req.actionId === "ask_name" && req.answer !== null) return askReply("", "true", { client_name: "Sam" });
      if (req.actionId === "ask_problem") return askReply("Thank you, Sam. What brings you here today?", "false", crisisMeta);
      if (req.purpose === "ai_ask" && req.answer !== null) return askReply("", "true", { current_risk: "none" });
      return req.purpose === "ai_ask" ? askReply(req.content, "false") : sayReply(req.content);
    });
    const run = await answer(model, quiet);
    expectProtocolInstead(run);
    expect(of(run.events, "position")).toEqual([]);
    expect(of(run.events, "llm").map((e) => e.trace.actionId)).toEqual(expect.arrayContaining(["ask_name", "ask_problem"]));
    expect(run.events.some((e) => e.type === "message.delta" && e.reset && e.messageId === "msg_3")).toBe(true);
  });

  it("as a safety risk that names self-harm", async () => {
    const model = intakeModel(() =>
      askReply("Thank you.", "false", { safety_risk: { detected: true, risk_type: "self_harm", confidence: "high", reason: null } }),
    );
    expectProtocolInstead(await answer(model, quiet));
  });

  const asText = (reply: Record<string, unknown>) => JSON.stringify(reply, null, 2);
  const flagged = askReply("I'm listening.", "false", { client_name: "Sam", ...crisisMeta });
  it.each([
    ["fenced", `\`\`\`json\n${asText(flagged)}\n\`\`\``],
    ["wrapped in prose", `Sure, here is my reply:\n${asText(flagged)}\nI hope this helps.`],
    ["broken off before it closed", JSON.stringify(flagged).slice(0, -2)],
    ["with a trailing comma and single quotes", `{'EXIT': 'false', 'content': "I'm listening.", 'metadata': {'crisis_signal': 'true',},}`],
  ])("in a reply %s", async (_how, text) => {
    expectProtocolInstead(
      await answer(
        intakeModel(() => text),
        quiet,
      ),
    );
  });
});

describe("no crisis in the model's reading", () => {
  it("the answer stands, and its events reach the host in order", async () => {
    const model = intakeModel(() => askReply("", "true", { client_name: "Sam" }));
    const { r, events } = await answer(model, "Sam");
    expect(r.state.variables.client_name).toBe("Sam");
    expect(r.state.crisis).toBeNull();
    expect(r.messages.map((m) => m.actionId)).toEqual(["ask_problem"]);
    const order = events.filter((e) => ["variables", "position", "message"].includes(e.type)).map((e) => e.type);
    expect(order).toEqual(["variables", "position", "message", "position"]);
    expect(of(events, "safety")).toEqual([]);
  });

  it("a plain-text reply carries no flag: it is shown as the line", async () => {
    const model = intakeModel(() => "Thanks. Could you tell me the name you would like me to use?");
    const { r } = await answer(model, "not sure");
    expect(r.messages.map((m) => m.content)).toEqual(["Thanks. Could you tell me the name you would like me to use?"]);
    expect(r.state.crisis).toBeNull();
  });

  it("the model's flag on a step without the client's words (the opening) does not start the protocol", async () => {
    const model = scriptedModel((req) => (req.purpose === "ai_ask" ? askReply(req.content, "false", crisisMeta) : sayReply(req.content)));
    const r = await step(intakeEn, start(intakeEn, { now: fixedNow }), null, { model, now: fixedNow });
    expect(r.state.crisis).toBeNull();
    expect(r.messages.map((m) => m.actionId)).toEqual(["greet", "ask_name"]);
  });
});

describe("the protocol the model's reading started", () => {
  it("runs as a detector hit's: two denials return to the interrupted question, the model's flags inside it notwithstanding", async () => {
    let flagsName = true;
    const model = intakeModel(() =>
      flagsName ? askReply("I'm here.", "false", { client_name: "Sam", ...crisisMeta }) : askReply("", "true", { client_name: "Sam" }),
    );
    const state = await opened(model);
    const run = await runTurns(intakeEn, [quiet, "No, I'm safe", "No, really"], { model }, state);
    const [crisis, followUp, back] = run.results;
    expect(crisis!.messages.map((m) => m.actionId)).toEqual(["acknowledge", "resources", "confirm"]);
    expect(followUp!.messages.map((m) => m.actionId)).toEqual(["follow_up"]);
    expect(back!.messages.map((m) => m.actionId)).toEqual(["ask_name"]);
    expect(back!.state.crisis).toBeNull();
    flagsName = false;
    const named = await runTurns(intakeEn, ["Sam"], { model }, back!.state);
    expect(named.state.variables.client_name).toBe("Sam");
  });

  it("a failing model on the trusted answer is still the step's error, with the state untouched", async () => {
    const model = intakeModel(() => {
      throw new Error("boom");
    });
    const state = await opened(model);
    const r = await step(intakeEn, state, "Sam", { model, now: fixedNow });
    expect(r.status).toBe("error");
    expect(r.state).toBe(state);
  });
});
