/**
 * A minor's session (`POST /api/sessions {minor: true}`): once 3 hours of
 * conversation have passed, the next AI turn opens with the fixed AI reminder,
 * sent to every connection, kept in the session's log and mirrored to D1.
 * The clock is moved by moving the session's past: the stored reminder time is
 * set 3 hours back, then a fresh activation reads it, as after a deploy.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { aiReminderText } from "../../src/engine/runtime/reminder";
import { call, expectProblem, json } from "../helpers";
import { actor, allMessages, d1Messages, d1Session, openSocket, person, publishedSamples, say, settle, startSession } from "./helpers";

const HOUR = 60 * 60 * 1000;

/** Sets the session's last reminder (or its start) `ms` back, then lets a fresh activation load it. */
async function remindedAgo(id: string, ms: number) {
  await runInDurableObject(actor(id), (_i, state) => {
    state.storage.sql.exec("UPDATE meta SET state = json_set(state, '$.minor.remindedAt', ?) WHERE id = 1", new Date(Date.now() - ms).toISOString());
  });
  await abortAllDurableObjects();
}

const isReminder = (m: { metadata?: { reminder?: string } }) => m.metadata?.reminder === "ai_disclosure";

describe("a minor's session", () => {
  it("gets the AI reminder ahead of the AI's lines after 3 hours, over the WebSocket, in the log and in D1", async () => {
    const { projectId } = await publishedSamples();
    const client = await person("client");
    const created = await startSession(client, { projectId, script: "intake_en", minor: true });
    const id = created.sessionId as string;
    expect((created.messages as unknown[]).filter(isReminder as never)).toEqual([]);
    await settle(id);
    expect(JSON.parse((await d1Session(id))!.state).minor).toEqual({ remindedAt: expect.any(String) });

    // Under 3 hours: an ordinary turn.
    await remindedAgo(id, 3 * HOUR - 60_000);
    const early = await say(client, id, "Sam", "m-1");
    expect((early.messages as { content: string }[]).some((m) => m.content === aiReminderText.en)).toBe(false);

    await remindedAgo(id, 3 * HOUR);
    const socket = await openSocket(id, client.token);
    socket.send({ type: "user_message", content: "Work has been stressful", clientMessageId: "m-2" });
    await socket.until((frames) => frames.some((f) => f.type === "message" && f.role === "assistant" && isReminder(f)));
    await socket.until((frames) => frames.some((f) => f.type === "state" && f.lastSeq > 4));
    const aiFrames = socket.frames.filter((f) => f.type === "message" && f.role === "assistant" && f.seq > 3);
    expect(aiFrames.length).toBeGreaterThan(1);
    expect(aiFrames[0]).toMatchObject({ content: aiReminderText.en, metadata: { reminder: "ai_disclosure" } });
    socket.ws.close();

    await settle(id);
    const log = await allMessages(client, id);
    expect(log.filter(isReminder)).toHaveLength(1);
    const reminder = log.find(isReminder);
    expect(reminder).toMatchObject({ role: "assistant", content: aiReminderText.en, seq: aiFrames[0].seq });
    // The user's message, then the reminder, then the AI's reply to it.
    expect(log.find((m) => m.seq === reminder.seq - 1)).toMatchObject({ role: "user", clientMessageId: "m-2" });
    expect((await d1Messages(id)).find((m) => m.seq === reminder.seq)).toMatchObject({ role: "assistant", content: aiReminderText.en });

    // The next turn, right after: no reminder.
    const next = await say(client, id, "6", "m-3");
    expect((next.messages as { content: string }[]).some((m) => m.content === aiReminderText.en)).toBe(false);
  });

  it("is asked for with a boolean `minor`; anything else is 400 VALIDATION_FAILED, and a session without it has no reminder clock", async () => {
    const { projectId } = await publishedSamples();
    const client = await person("client");
    const problem = await expectProblem(
      await call("/api/sessions", json({ projectId, script: "intake_en", minor: "yes" }, client.headers)),
      400,
      "VALIDATION_FAILED",
    );
    expect((problem.errors as { path: string }[]).map((e) => e.path)).toEqual(["minor"]);
    const plain = (await startSession(client, { projectId, script: "intake_en" })).sessionId as string;
    await settle(plain);
    expect(JSON.parse((await d1Session(plain))!.state).minor).toBeNull();
  });
});
