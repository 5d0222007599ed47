/**
 * A script that branches (`next:`) and asks again with graded `reprompts`, run through the session
 * actor in workerd with the offline model: the jumps show in the turn's position and the debug
 * positions, the variables and the state survive an eviction between turns, and a loop that keeps
 * jumping is reported in the debug trace as JUMP_LIMIT while the turn goes on.
 */
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { jumpLoopTopic } from "../support/jump-loop";
import { actor, person, say, settle, startSession } from "./helpers";

const script = `
session:
  session_id: branching_actor
  language: en
  phases:
    - phase_id: p
      topics:
        - topic_id: check_in
          actions:
            - action_type: ai_ask
              action_id: ask_mood
              config:
                content: From 0 to 10, how is your mood today?
                output: [{ get: mood_score, type: integer }]
                max_rounds: 2
                reprompts: [Offer two example answers, such as 3 or 7.]
                on_exhausted: { default: { mood_score: 5 } }
              next:
                - if: "mood_score >= 7"
                  then: good_day
                - else: support
        - topic_id: good_day
          actions:
            - { action_type: ai_say, action_id: say_good, config: { content: "Glad to hear it.", max_rounds: 1 } }
          next:
            - else: spin
        - topic_id: support
          actions:
            - action_type: set
              action_id: count_visits
              config: { variables: [ { name: visits, expression: "has(vars.visits) ? visits + 1 : 1", type: integer } ] }
            - { action_type: ai_say, action_id: say_support, config: { content: "Let's look at what has been hard.", max_rounds: 1 } }
          next:
            - if: "visits < 2"
              then: check_in
${jumpLoopTopic("spin", "lap")}        - topic_id: closing
          actions:
            - { action_type: ai_say, action_id: say_bye, config: { content: "Thank you for today.", max_rounds: 1 } }
`;

const said = (turn: { messages: { actionId: string }[] }) => turn.messages.map((m) => m.actionId);

describe("a branching script in the session actor", () => {
  it("asks again, jumps back and forward by the answers, and reports a jump loop without failing the turn", async () => {
    const author = await person("author");
    const created = await startSession(author, { scriptYaml: script, debug: true });
    const id = created.sessionId as string;
    expect(said(created)).toEqual(["ask_mood"]);

    const reprompted = await say(author, id, "hard to say");
    expect(reprompted.messages).toMatchObject([{ actionId: "ask_mood", content: expect.stringContaining("Offer two example answers") }]);
    expect(reprompted.position).toMatchObject({ actionId: "ask_mood", round: 2 });

    // The last question is not answered either: the default (5) sends the client to support.
    const low = await say(author, id, "really not sure");
    expect(said(low)).toEqual(["say_support"]);
    expect(low.variables).toMatchObject({ mood_score: 5, visits: 1 });
    expect(low.debug.positions.map((p: { topicId: string }) => p.topicId)).toContain("support");

    await settle(id);
    await evictDurableObject(actor(id));

    // support's next goes back to check_in (visits < 2): the question is asked anew.
    const back = await say(author, id, "ok");
    expect(said(back)).toEqual(["ask_mood"]);
    expect(back.position).toMatchObject({ topicId: "check_in", round: 1 });

    const good = await say(author, id, "8");
    expect(said(good)).toEqual(["say_good"]);
    expect(good.variables.mood_score).toBe(8);

    // good_day runs into spin, which jumps to itself until the limit, then on to closing.
    const looped = await say(author, id, "thanks");
    expect(looped.status).toBe("waiting_input");
    expect(said(looped)).toEqual(["say_bye"]);
    expect(looped.debug.diagnostics).toEqual([{ actionId: "lap", code: "JUMP_LIMIT", message: expect.stringContaining('topic "spin"') }]);

    const done = await say(author, id, "bye");
    expect(done.status).toBe("completed");
    await settle(id);
  });
});
