/**
 * The D1 mirror through the real local Queue (MIRROR_VIA_QUEUE on in this
 * project): sessions started and answered through the app, their batches
 * sent by the actors, consumed by the Worker's queue handler (wrangler.toml's
 * consumer), confirmed back to the actors.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SessionActor } from "../../src/session/actor";
import { SessionStorage } from "../../src/session/storage/tables";
import { call } from "../helpers";
import { actor, actorLog, clientIntake, d1Messages, d1Session, eventually, publishedSamples, say } from "../session/helpers";

/** The actor's outbox once it has saved its mirror progress: empty when every send was confirmed. */
const outboxLeft = (sessionId: string) =>
  runInDurableObject(actor(sessionId), async (instance: SessionActor, state) => {
    await instance.settled();
    return new SessionStorage(state.storage).outbox().length;
  });

describe("the mirror through the queue", () => {
  it("brings each turn to D1 through the consumer, and the actor lets its outbox go once confirmed, writing no D1 itself", async () => {
    const { projectId } = await publishedSamples();
    const { owner, id } = await clientIntake(projectId);
    await say(owner, id, "Sam");
    const log = await actorLog(owner, id);
    await eventually(
      () => d1Messages(id),
      (rows) => rows.length === log.length,
      "the log in D1",
    );
    expect(await d1Messages(id)).toEqual(log);
    expect(await d1Session(id)).toMatchObject({ last_seq: log.length });
    await eventually(
      () => outboxLeft(id),
      (n) => n === 0,
      "the confirmed outbox gone",
    );
    const cost = await actor(id).instrumentation();
    expect(cost).toMatchObject({ turns: 2, d1RoundTrips: 0 });
  });

  it("keeps an erased session erased though its last send was still on the queue", async () => {
    const { projectId } = await publishedSamples();
    const { owner, id } = await clientIntake(projectId);
    await say(owner, id, "Sam");
    // No wait for the consumer: the turn's message is on its way while the session is erased.
    expect((await call(`/api/sessions/${id}`, { method: "DELETE", headers: owner.headers })).status).toBe(204);
    // Past the consumer's max_batch_timeout (1 s): whatever was queued has been delivered.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await d1Session(id)).toBeNull();
    expect(await d1Messages(id)).toEqual([]);
  });
});
