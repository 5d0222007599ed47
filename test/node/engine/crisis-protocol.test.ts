/**
 * The crisis protocol: words that show a risk are never taken as the answer
 * to the action in flight; the protocol answers with care, shows the
 * configured crisis lines, asks about safety, follows a denial up once, and
 * returns to the interrupted action only when the confirm step finds no
 * current risk (never at `imminent`). Risk comes in through the client's
 * words (riskOf) and the confirm step's reading (current_risk).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { APICallError } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import {
  loadCrisisScript,
  migrateState,
  start,
  step,
  type EngineEvent,
  type EngineMessage,
  type ModelRequest,
  type SessionState,
  type StepOptions,
} from "../../../src/engine";
import builtInEn from "../../../src/engine/crisis/protocol-en";
import builtInZh from "../../../src/engine/crisis/protocol-zh-CN";
import type { SessionScript } from "../../../src/engine/script";
import { OfflineModel } from "../../../src/llm";
import { fixedNow, parseScript, scriptedModel } from "./helpers";

const here = dirname(fileURLToPath(import.meta.url));
const intake = (file: string) => parseScript(readFileSync(join(here, "../../../scripts/sessions", file), "utf8"));
const intakeEn = intake("intake_en.yaml");
const intakeZh = intake("intake_zh.yaml");

interface Turned {
  messages: EngineMessage[];
  events: EngineEvent[];
  state: SessionState;
  status: string;
}

/** A conversation, one step per input, keeping each step's messages and events apart. */
async function converse(
  script: SessionScript,
  inputs: (string | null)[],
  options: Omit<StepOptions, "emit"> = { model: new OfflineModel() },
  initial?: SessionState,
) {
  let state = initial ?? start(script, { now: fixedNow });
  const turns: Turned[] = [];
  for (const input of inputs) {
    const events: EngineEvent[] = [];
    const r = await step(script, state, input, { now: fixedNow, ...options, emit: (e) => events.push(e) });
    expect(r.error).toBeUndefined();
    turns.push({ messages: r.messages, events, state: r.state, status: r.status });
    state = r.state;
  }
  return turns;
}

const referrals = (t: Turned) => t.events.filter((e) => e.type === "crisis_referral");
const text = (t: Turned) => t.messages.map((m) => m.content).join("\n");
const ids = (t: Turned) => t.messages.map((m) => m.actionId);

/** A project's own protocol: lines with the session's variables, and one question about safety. */
const custom = `
session:
  session_id: our_crisis
  language: en
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_say
              action_id: our_lines
              config:
                content: "We care about you, {client_name}. Call us:\\n{crisis_resources}"
                wait_for_reply: false
            - action_type: ai_ask
              action_id: our_check
              config:
                content: Are you safe?
                max_rounds: 1
                output:
                  - get: current_risk
                    type: enum
                    values: [none, low, high, imminent]
`;

describe("the opening example: a crisis answer to the first question", () => {
  it("en: care and the configured lines, not the client's name", async () => {
    const [opening, crisis] = await converse(intakeEn, [null, "I want to kill myself"]);
    expect(ids(opening!)).toEqual(["greet", "ask_name"]);

    expect(ids(crisis!)).toEqual(["acknowledge", "resources", "confirm"]);
    expect(crisis!.messages.every((m) => m.metadata.crisis === true)).toBe(true);
    expect(text(crisis!)).toMatch(/Thank you for telling me/);
    expect(text(crisis!)).toMatch(/988 Suicide & Crisis Lifeline: 988/);
    expect(text(crisis!)).toMatch(/call 911/);
    expect(text(crisis!)).toMatch(/human counselor/);
    expect(text(crisis!)).toMatch(/ending your life or hurting yourself right now\?/);
    expect(text(crisis!)).not.toMatch(/I want to kill myself|What brings you here/);

    const s = crisis!.state;
    expect(s.variables).not.toHaveProperty("client_name");
    expect(crisis!.events.some((e) => e.type === "variables")).toBe(false);
    // The interrupted action is where it was: no model call took the words as its answer.
    expect(s.position).toMatchObject({ actionId: "ask_name", round: 1 });
    expect(s.inFlight).toMatchObject({ actionId: "ask_name", round: 1 });
    expect(crisis!.events.filter((e) => e.type === "llm" && e.trace.actionId === "ask_name")).toEqual([]);
    expect(crisis!.status).toBe("waiting_input");
    expect(s.crisis).toMatchObject({ level: "high", pass: 1, position: { actionId: "confirm" } });
    expect(referrals(crisis!)).toEqual([{ type: "crisis_referral", actionId: "resources", locale: "en-US", level: "high" }]);
    expect(crisis!.events).toContainEqual(expect.objectContaining({ type: "safety", source: "input", crisis: true }));
    // The protocol's lines are part of the conversation the model sees later.
    expect(s.history.slice(-3).map((h) => h.actionId)).toEqual(["acknowledge", "resources", "confirm"]);
  });

  it("zh-CN: 12356 and the 急救 number, and 来访者称呼 is not set", async () => {
    const [, crisis] = await converse(intakeZh, [null, "我不想活了"]);
    expect(ids(crisis!)).toEqual(["acknowledge", "resources", "confirm"]);
    expect(text(crisis!)).toMatch(/谢谢你愿意告诉我/);
    expect(text(crisis!)).toMatch(/全国心理援助热线: 12356/);
    expect(text(crisis!)).toMatch(/请拨打 120/);
    expect(text(crisis!)).not.toMatch(/我不想活了/);
    expect(crisis!.state.variables).not.toHaveProperty("来访者称呼");
    expect(crisis!.state.position.actionId).toBe("ask_name");
    expect(referrals(crisis!)).toEqual([{ type: "crisis_referral", actionId: "resources", locale: "zh-CN", level: "high" }]);
  });

  it("a configured table replaces the defaults; a table without an emergency entry says to call the local number", async () => {
    const crisisResources = { "en-GB": [{ name: "Test Line", kind: "crisis_line" as const, phone: "0800 000 0000", hours: "24/7" }] };
    const [, crisis] = await converse(intakeEn, [null, "I want to end my life"], { model: new OfflineModel(), crisisResources });
    expect(text(crisis!)).toMatch(/- Test Line: 0800 000 0000 \(24\/7\)/);
    expect(text(crisis!)).not.toMatch(/988|911/);
    expect(text(crisis!)).toMatch(/call your local emergency number/);
    expect(referrals(crisis!)).toEqual([expect.objectContaining({ locale: "en-GB" })]);
  });
});

describe("confirming safety", () => {
  it("a denial gets one gentle follow-up, a second one returns to the interrupted question, which then takes the answer", async () => {
    const turns = await converse(intakeEn, [null, "I want to kill myself", "No, I'm safe", "I'm fine, really", "Alex"]);
    const [, , denial, again, name] = turns;
    expect(ids(denial!)).toEqual(["follow_up"]);
    expect(denial!.messages[0]!.metadata.crisis).toBe(true);
    expect(text(denial!)).toMatch(/let me ask once more, gently/);
    expect(referrals(denial!)).toEqual([]);
    expect(denial!.state.crisis).not.toBeNull();

    // The script resumes at the interrupted action: its question is asked again.
    expect(ids(again!)).toEqual(["ask_name"]);
    expect(again!.messages[0]!.metadata.crisis).toBeUndefined();
    expect(text(again!)).toBe("What would you like me to call you?");
    expect(again!.state.crisis).toBeNull();
    expect(again!.state.position).toMatchObject({ actionId: "ask_name", round: 1 });
    expect(again!.state.variables).not.toHaveProperty("client_name");

    expect(name!.state.variables.client_name).toBe("Alex");
    expect(text(name!)).toBe("Thank you, Alex. What brings you here today?");
  });

  it("zh-CN: 我没事 twice returns to the question", async () => {
    const [, , , back] = await converse(intakeZh, [null, "我不想活了", "我没事", "没有，真的没事"]);
    expect(ids(back!)).toEqual(["ask_name"]);
    expect(text(back!)).toBe("我可以怎么称呼你？");
    expect(back!.state.crisis).toBeNull();
  });

  it("an answer that is not a denial keeps the protocol: it stays with the client and shows the lines again", async () => {
    const [, , unsure] = await converse(intakeEn, [null, "I want to kill myself", "I don't know, maybe"]);
    expect(ids(unsure!)).toEqual(["stay_with", "resources", "confirm"]);
    expect(text(unsure!)).toMatch(/I'm still here with you/);
    expect(referrals(unsure!)).toHaveLength(1);
    expect(unsure!.state.crisis).toMatchObject({ pass: 2, level: "high" });
    expect(unsure!.state.position.actionId).toBe("ask_name");
  });

  it("crisis words in a denial keep the protocol, whatever the confirm step read", async () => {
    // The scripted model reads every answer as `none`; the client's words still say otherwise.
    const model = scriptedModel((req) =>
      req.purpose === "ai_ask" && req.answer ? { EXIT: "true", current_risk: "none" } : { content: req.content, EXIT: "false" },
    );
    const [, , denial, words] = await converse(intakeEn, [null, "I want to kill myself", "no", "no, I still want to die"], { model });
    expect(ids(denial!)).toEqual(["follow_up"]);
    expect(ids(words!)).toEqual(["stay_with", "resources", "confirm"]);
    expect(words!.state.crisis).toMatchObject({ pass: 2 });
  });

  it("a confirm answer the model reads as low risk gets no follow-up: the protocol stays", async () => {
    const model = scriptedModel((req) =>
      req.purpose === "ai_ask" && req.answer ? { EXIT: "true", current_risk: "low" } : { content: req.content, EXIT: "false" },
    );
    const [, , low] = await converse(intakeEn, [null, "I want to kill myself", "sometimes, but I would not do it"], { model });
    expect(ids(low!)).toEqual(["stay_with", "resources", "confirm"]);
    expect(low!.state.crisis).toMatchObject({ level: "high", pass: 2 });
  });

  it("an empty reply in the protocol is asked again and changes nothing", async () => {
    const [, crisis, empty] = await converse(intakeEn, [null, "I want to kill myself", "  "]);
    expect(ids(empty!)).toEqual(["confirm"]);
    expect(empty!.state.crisis).toMatchObject({ pass: 1, position: crisis!.state.crisis!.position });
  });
});

describe("imminent risk", () => {
  /** Reads the confirm answer as imminent once, then as none: imminent must hold anyway. */
  function imminentOnce() {
    let readings = 0;
    const requests: ModelRequest[] = [];
    const model = scriptedModel((req) => {
      requests.push(req);
      if (req.purpose === "ai_ask" && req.answer) return { EXIT: "true", content: "", current_risk: readings++ === 0 ? "imminent" : "none" };
      if (req.purpose === "extract") return { current_risk: null };
      return { content: `MODEL: ${req.content}`, EXIT: "false" };
    });
    return { model, requests };
  }

  it("stays in the protocol on every further turn and shows the emergency number and the lines each time", async () => {
    const { model, requests } = imminentOnce();
    const turns = await converse(intakeEn, [null, "I want to kill myself", "I have the pills here", "No, I'm fine", "I'm safe now", "Alex"], {
      model,
    });
    for (const t of turns.slice(2)) {
      expect(ids(t)).toEqual(["stay_with", "resources_now", "confirm"]);
      expect(text(t)).toMatch(/Please call 911 now/);
      expect(text(t)).toMatch(/988 Suicide & Crisis Lifeline: 988/);
      expect(referrals(t)).toEqual([{ type: "crisis_referral", actionId: "resources_now", locale: "en-US", level: "imminent" }]);
      expect(t.state.crisis?.level).toBe("imminent");
      expect(t.state.position.actionId).toBe("ask_name");
      expect(t.state.variables).not.toHaveProperty("client_name");
    }
    // The lines are the configuration's, never the model's: no model call for them.
    expect(requests.some((r) => r.actionId.startsWith("resources"))).toBe(false);
    expect(text(turns[1]!)).toMatch(/^MODEL: Thank you for telling me/);
  });
});

describe("when the model fails", () => {
  const down = () =>
    new MockLanguageModelV3({
      doStream: async () => {
        throw new APICallError({ message: "unavailable", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });
      },
    });

  it("the protocol shows its lines as written instead of failing, and stays while it cannot read the answers", async () => {
    const [opening] = await converse(intakeEn, [null]);
    const turns = await converse(intakeEn, ["I want to kill myself", "No, I'm safe"], { model: down() }, opening!.state);
    const [crisis, denial] = turns;
    expect(ids(crisis!)).toEqual(["acknowledge", "resources", "confirm"]);
    expect(crisis!.messages[0]!.content).toMatch(/^Thank you for telling me\./);
    expect(crisis!.messages[2]!.content).toBe("Can I ask you directly, are you thinking about ending your life or hurting yourself right now?");
    expect(referrals(crisis!)).toHaveLength(1);
    // The model could not read the denial: the risk stays where it was, and so does the protocol.
    expect(ids(denial!)).toEqual(["stay_with", "resources", "confirm"]);
    expect(denial!.state.crisis).toMatchObject({ level: "high", pass: 2 });
  });

  it("outside the protocol a model failure is still the step's error", async () => {
    const r = await step(intakeEn, start(intakeEn, { now: fixedNow }), null, { model: down(), now: fixedNow });
    expect(r).toMatchObject({ status: "error", error: { code: "LLM_UNAVAILABLE" } });
  });

  it("the host's abort during a protocol call still ends the step", async () => {
    const [opening] = await converse(intakeEn, [null]);
    const abort = new AbortController();
    const aborting = new MockLanguageModelV3({
      doStream: async () => {
        abort.abort();
        throw new APICallError({ message: "aborted", url: "http://model.test", requestBodyValues: {}, isRetryable: true });
      },
    });
    const r = await step(intakeEn, opening!.state, "I want to kill myself", { model: aborting, now: fixedNow, signal: abort.signal });
    expect(r).toMatchObject({ status: "error", messages: [] });
    expect(r.state).toBe(opening!.state);
  });
});

describe("the protocol script", () => {
  it.each([
    ["en", builtInEn],
    ["zh-CN", builtInZh],
  ])("the built-in %s protocol loads without errors and is a crisis protocol", (_lang, yaml) => {
    const loaded = loadCrisisScript(yaml);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(loaded.problems).toEqual([]);
    expect(loaded.script?.session.phases[0]?.topics[0]?.actions.map((a) => a.action_id)).toEqual([
      "acknowledge",
      "stay_with",
      "resources",
      "resources_now",
      "confirm",
      "follow_up",
    ]);
  });

  it("a project's own protocol runs instead of the built-in one and reads the session's variables", async () => {
    const loaded = loadCrisisScript(custom);
    expect(loaded.problems).toEqual([]);
    const crisisScript = loaded.script!;
    const [, , crisis, back, answered] = await converse(intakeEn, [null, "Sam", "I want to kill myself", "no", "Work is a lot"], {
      model: new OfflineModel(),
      crisisScript,
    });
    expect(ids(crisis!)).toEqual(["our_lines", "our_check"]);
    expect(text(crisis!)).toMatch(/^We care about you, Sam\. Call us:\n- 988 Suicide & Crisis Lifeline/);
    expect(referrals(crisis!)).toEqual([{ type: "crisis_referral", actionId: "our_lines", locale: "en-US", level: "high" }]);
    expect(crisis!.state.crisis?.scriptId).toBe("our_crisis");
    // No follow-up in this protocol: its confirm step's `none` resumes the interrupted question.
    expect(ids(back!)).toEqual(["ask_problem"]);
    expect(text(back!)).toBe("Thank you, Sam. What brings you here today?");
    expect(answered!.state.variables.presenting_problem).toBe("Work is a lot");
  });

  it("an override that is not a crisis protocol is reported and the built-in one runs", async () => {
    const notProtocol = parseScript(custom.replace("get: current_risk", "get: other"));
    expect(loadCrisisScript(custom.replace("get: current_risk", "get: other")).problems).toEqual([expect.stringMatching(/current_risk/)]);
    const [, crisis] = await converse(intakeEn, [null, "I want to kill myself"], { model: new OfflineModel(), crisisScript: notProtocol });
    expect(ids(crisis!)).toEqual(["acknowledge", "resources", "confirm"]);
    expect(crisis!.events).toContainEqual(expect.objectContaining({ type: "diagnostic", code: "CRISIS_SCRIPT_INVALID" }));
  });
});

describe("state", () => {
  it("a state stored in the protocol loads with migrateState and goes on", async () => {
    const [, crisis] = await converse(intakeEn, [null, "I want to kill myself"]);
    const stored = JSON.parse(JSON.stringify(crisis!.state)) as unknown;
    const loaded = migrateState(stored);
    expect(loaded.crisis).toEqual(crisis!.state.crisis);
    const [denial] = await converse(intakeEn, ["no"], undefined, loaded);
    expect(ids(denial!)).toEqual(["follow_up"]);
  });

  it("a protocol position the protocol script no longer has starts the protocol over", async () => {
    const [, crisis] = await converse(intakeEn, [null, "I want to kill myself"]);
    const moved = structuredClone(crisis!.state);
    moved.crisis!.inFlight!.actionId = "gone";
    const [again] = await converse(intakeEn, ["no"], undefined, moved);
    expect(ids(again!)).toEqual(["stay_with", "resources", "confirm"]);
    expect(again!.state.crisis).toMatchObject({ pass: 2 });
  });

  it("does not change the caller's state", async () => {
    const [, crisis] = await converse(intakeEn, [null, "I want to kill myself"]);
    const before = structuredClone(crisis!.state);
    await step(intakeEn, crisis!.state, "no", { model: new OfflineModel(), now: fixedNow });
    expect(crisis!.state).toEqual(before);
  });
});

describe("confirmations: each answer a question about safety reads is one event, without content", () => {
  const confirmations = (t: Turned) => t.events.filter((e) => e.type === "crisis_confirmation");

  it("a denial and the follow-up's denial: denied twice, one per question; the crisis answer itself is none", async () => {
    const [, crisis, denial, again] = await converse(intakeEn, [null, "I want to kill myself", "No, I'm safe", "I'm fine, really"]);
    expect(confirmations(crisis!)).toEqual([]);
    expect(confirmations(denial!)).toEqual([{ type: "crisis_confirmation", actionId: "confirm", level: "high", outcome: "denied" }]);
    expect(confirmations(again!)).toEqual([{ type: "crisis_confirmation", actionId: "follow_up", level: "high", outcome: "denied" }]);
  });

  it("an answer the model gives no reading of is unclear; an empty reply is no answer", async () => {
    const [, , empty, unsure] = await converse(intakeEn, [null, "I want to kill myself", "  ", "I don't know, maybe"]);
    expect(confirmations(empty!)).toEqual([]);
    expect(confirmations(unsure!)).toEqual([expect.objectContaining({ actionId: "confirm", outcome: "unclear" })]);
  });

  it("a reading at low or above confirms; so do crisis words, whatever the model read", async () => {
    const reading = (risk: string) =>
      scriptedModel((req) =>
        req.purpose === "ai_ask" && req.answer ? { EXIT: "true", current_risk: risk } : { content: req.content, EXIT: "false" },
      );
    const [, , low] = await converse(intakeEn, [null, "I want to kill myself", "sometimes"], { model: reading("low") });
    expect(confirmations(low!)).toEqual([expect.objectContaining({ outcome: "confirmed", level: "high" })]);
    const [, , words] = await converse(intakeEn, [null, "I want to kill myself", "no, I still want to die"], { model: reading("none") });
    expect(confirmations(words!)).toEqual([expect.objectContaining({ outcome: "confirmed" })]);
    // The level is the crisis's, raised by the words of the answer.
    const [, , plan] = await converse(intakeEn, [null, "I want to kill myself", "I have the pills in my hand right now"], {
      model: reading("none"),
    });
    expect(confirmations(plan!)).toEqual([expect.objectContaining({ outcome: "confirmed", level: "imminent" })]);
  });

  it("a model that is down reads nothing: unclear", async () => {
    const [opening] = await converse(intakeEn, [null]);
    const down = new MockLanguageModelV3({
      doStream: async () => {
        throw new APICallError({ message: "unavailable", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });
      },
    });
    const [, denial] = await converse(intakeEn, ["I want to kill myself", "No, I'm safe"], { model: down }, opening!.state);
    expect(confirmations(denial!)).toEqual([expect.objectContaining({ actionId: "confirm", outcome: "unclear" })]);
  });

  it("a project's protocol: its own question about safety is the one counted", async () => {
    const loaded = loadCrisisScript(custom);
    const [, , , back] = await converse(intakeEn, [null, "Sam", "I want to kill myself", "no"], {
      model: new OfflineModel(),
      crisisScript: loaded.script!,
    });
    expect(confirmations(back!)).toEqual([{ type: "crisis_confirmation", actionId: "our_check", level: "high", outcome: "denied" }]);
  });
});
