/**
 * The model's own crisis flag in a session: words the local detector misses, answered by a model that
 * sees a crisis in them, are not stored as the variable the question asked for; the protocol's lines and
 * resources come in the same turn; the reply the model gave the interrupted question is retracted from
 * the screen and appears nowhere in the log, the export or D1.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import intakeEn from "../../scripts/sessions/intake_en.yaml";
import type { SessionActor } from "../../src/session/actor";
import { call } from "../helpers";
import { askReply } from "../model-replies";
import { crisisMeta, intakeModel } from "../node/engine/helpers";
import { actor, allMessages, body, d1Messages, openSocket, person, settle, startSession } from "./helpers";

const WITHHELD = "I hear how heavy things feel right now, Sam";
const QUIET = "Sam. Not that it matters much any more";

describe("a crisis only the model sees", () => {
  it("is not stored as the answer, gets the protocol and the lines in the same turn, and leaves no interrupted line", async () => {
    const who = await person("author");
    const id = (await startSession(who, { scriptYaml: intakeEn })).sessionId as string;
    const model = intakeModel(() => askReply(`${WITHHELD}.`, "false", { client_name: "Sam", ...crisisMeta }));
    await runInDurableObject(actor(id), (instance: SessionActor) => instance.useModel(model));

    const socket = await openSocket(id, who.token);
    socket.send({ type: "user_message", content: QUIET, clientMessageId: "quiet-1" });
    await socket.until((f) => f.some((x) => x.type === "state" && x.lastSeq > 3));
    socket.ws.close();
    const frames = socket.frames;
    // The withheld reply streamed, then was taken back before the protocol's first line.
    const streamed = frames.findIndex((f) => f.type === "delta" && f.text.includes("heavy"));
    const reset = frames.findIndex((f, i) => i > streamed && f.type === "delta_reset" && f.messageId === frames[streamed].messageId);
    const firstLine = frames.findIndex((f) => f.type === "message" && f.role === "assistant" && f.seq > 3);
    expect(streamed).toBeGreaterThan(-1);
    expect(reset).toBeGreaterThan(streamed);
    expect(firstLine).toBeGreaterThan(reset);
    expect(frames.find((f) => f.type === "safety")).toMatchObject({ crisis: true, source: "model", level: "high", actionId: "ask_name" });
    const ai = frames.filter((f) => f.type === "message" && f.role === "assistant" && f.seq > 3);
    expect(ai.map((m) => m.actionId)).toEqual(["acknowledge", "resources", "confirm"]);
    expect(ai[1].content).toContain("988");

    const variables = (await body(await call(`/api/sessions/${id}/variables`, { headers: who.headers }), 200)).variables;
    expect(variables).not.toHaveProperty("client_name");
    const log = await allMessages(who, id);
    expect(log.map((m) => m.actionId)).toEqual(["greet", "ask_name", "ask_name", "acknowledge", "resources", "confirm"]);
    expect(log.map((m) => m.role)).toEqual(["assistant", "assistant", "user", "assistant", "assistant", "assistant"]);
    expect(log.some((m) => m.content.includes(WITHHELD))).toBe(false);
    const session = await body(await call(`/api/sessions/${id}`, { headers: who.headers }), 200);
    expect(session).toMatchObject({ riskLevel: "high", position: { actionId: "ask_name" } });

    await settle(id);
    expect((await d1Messages(id)).some((m) => m.content.includes(WITHHELD))).toBe(false);
    const changes = await env.DB.prepare("SELECT name FROM variable_changes WHERE session_id = ?").bind(id).all<{ name: string }>();
    expect(changes.results.map((c) => c.name)).not.toContain("client_name");
    const flags = await env.DB.prepare("SELECT source, level FROM safety_flags WHERE session_id = ?").bind(id).all();
    expect(flags.results).toEqual([{ source: "model", level: "high" }]);
    const referrals = await env.DB.prepare("SELECT action_id FROM crisis_referrals WHERE session_id = ?").bind(id).all();
    expect(referrals.results).toEqual([{ action_id: "resources" }]);
  });
});
