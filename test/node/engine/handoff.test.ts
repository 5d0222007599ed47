/**
 * The `handoff` action and where a script picks up after a counselor: the action tells the client its
 * content as written, emits the author's reason for the host and goes on without a model call;
 * resumeAfterHandoff adds what was said to the history and can restart the script at a chosen topic.
 */
import { describe, expect, it } from "vitest";
import { createOfflineModel } from "../../../src/llm/offline";
import { load } from "../../../src/engine/script";
import { resumeAfterHandoff, step, topicIds, UnknownTopicError } from "../../../src/engine";
import { parseScript, runTurns } from "./helpers";

const yaml = `session:
  session_id: with_handoff
  language: en
  phases:
    - phase_id: p1
      topics:
        - topic_id: check_in
          actions:
            - action_type: handoff
              action_id: call_human
              config:
                content: I'm asking a counselor to join us. I'll stay with you meanwhile.
                reason: The intake always starts with a person
            - action_type: ai_ask
              action_id: ask_name
              config:
                content: What should I call you?
                output:
                  - get: name
        - topic_id: goals
          actions:
            - action_type: ai_say
              action_id: say_goals
              config:
                content: Let's talk about what you would like to change.
                max_rounds: 1
`;

describe("the handoff action", () => {
  it("loads with its reason, and a config field it does not have is an error", () => {
    expect(load(yaml).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const broken = load(yaml.replace("reason: The intake always starts with a person", "why: no"));
    expect(broken.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toContain("UNKNOWN_FIELD");
  });

  it("says its content as written, reports the reason to the host and goes on to the next action", async () => {
    let calls = 0;
    const offline = createOfflineModel();
    const model = { ...offline, doStream: async (o: Parameters<typeof offline.doStream>[0]) => (calls++, offline.doStream(o)) };
    const { results, events } = await runTurns(parseScript(yaml), [null], { model });
    expect(events.filter((e) => e.type === "handoff")).toEqual([
      { type: "handoff", actionId: "call_human", reason: "The intake always starts with a person" },
    ]);
    expect(results[0]!.messages.map((m) => m.content)).toEqual([
      "I'm asking a counselor to join us. I'll stay with you meanwhile.",
      "What should I call you?",
    ]);
    expect(results[0]!.state.position.actionId).toBe("ask_name");
    // Only ask_name's line came from the model.
    expect(calls).toBe(1);
  });
});

describe("resumeAfterHandoff", () => {
  it("keeps the position, with what was said in the history; or starts a chosen topic from its first action", async () => {
    const script = parseScript(yaml);
    const { state } = await runTurns(script, [null], { model: createOfflineModel() });
    const said = [
      { role: "user" as const, content: "Is someone there?", actionId: "ask_name" },
      { role: "assistant" as const, content: "Yes, I'm Alex.", actionId: "ask_name" },
    ];
    const same = resumeAfterHandoff(script, state, said);
    expect(same.position).toEqual(state.position);
    expect(same.history.slice(-2)).toEqual(said);

    expect(topicIds(script)).toEqual(["check_in", "goals"]);
    const atGoals = resumeAfterHandoff(script, state, said, "goals");
    expect(atGoals.position).toMatchObject({ topicId: "goals", actionId: "say_goals", round: 0 });
    const next = await step(script, atGoals, null, { model: createOfflineModel() });
    expect(next.messages.map((m) => m.content)).toEqual(["Let's talk about what you would like to change."]);
    expect(() => resumeAfterHandoff(script, state, said, "nowhere")).toThrow(UnknownTopicError);
  });
});
