/**
 * notify/delivery.ts on a fresh Durable Object's SQLite, against the local receiver (which checks the
 * signature): an event id is stored and sent once however often it is raised; a refusal is retried
 * after the backoff with the same id; deliveries stop after MAX_ATTEMPTS; without a target nothing is kept.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { backoff, MAX_ATTEMPTS, WebhookOutbox } from "../../src/notify/delivery";
import { inFreshObject } from "./parts";

const receiver = env.HANDOFF_WEBHOOK_URL!.replace(/\/hook$/, "");
const target = { url: env.HANDOFF_WEBHOOK_URL!, secret: env.HANDOFF_WEBHOOK_SECRET! };
const deliveries = async (sessionId: string) => (await fetch(`${receiver}/deliveries?sessionId=${sessionId}`)).json() as Promise<any[]>;

describe("WebhookOutbox", () => {
  it("stores an event id once and sends it once, signed", async () => {
    const sessionId = crypto.randomUUID();
    await inFreshObject(async (state) => {
      const outbox = new WebhookOutbox(state.storage.sql, target);
      expect(outbox.enqueue("e1", { sessionId })).toBe(true);
      expect(outbox.enqueue("e1", { sessionId })).toBe(false);
      await outbox.deliverDue();
      await outbox.deliverDue();
      expect(outbox.delivery("e1")).toMatchObject({ state: "delivered", attempts: 1, lastStatus: 204, nextAt: null });
      expect(outbox.nextAttemptAt()).toBeNull();
    });
    expect((await deliveries(sessionId)).map((d) => [d.eventId, d.verified, d.body])).toEqual([["e1", true, { id: "e1", sessionId }]]);
  });

  it("retries a refused delivery after the backoff, with the same id, and gives up after MAX_ATTEMPTS", async () => {
    const sessionId = crypto.randomUUID();
    await fetch(`${receiver}/refuse?sessionId=${sessionId}&times=${MAX_ATTEMPTS + 1}`, { method: "POST" });
    await inFreshObject(async (state) => {
      const outbox = new WebhookOutbox(state.storage.sql, target);
      outbox.enqueue("e2", { sessionId });
      const before = Date.now();
      await outbox.deliverDue();
      const d = outbox.delivery("e2")!;
      expect(d).toMatchObject({ state: "pending", attempts: 1, lastStatus: 503 });
      expect(d.nextAt!).toBeGreaterThanOrEqual(before + backoff(1));
      // Not due yet: nothing is sent.
      await outbox.deliverDue(Date.now());
      expect(outbox.delivery("e2")!.attempts).toBe(1);
      for (let i = 1; i < MAX_ATTEMPTS; i++) await outbox.deliverDue(Number.MAX_SAFE_INTEGER);
      expect(outbox.delivery("e2")).toMatchObject({ state: "failed", attempts: MAX_ATTEMPTS, nextAt: null });
      expect(outbox.nextAttemptAt()).toBeNull();
    });
    const sent = await deliveries(sessionId);
    expect(sent).toHaveLength(MAX_ATTEMPTS);
    expect(new Set(sent.map((d) => d.eventId))).toEqual(new Set(["e2"]));
  });

  it("keeps nothing when no webhook is configured", async () => {
    await inFreshObject((state) => {
      const outbox = new WebhookOutbox(state.storage.sql, null);
      expect(outbox.enqueue("e3", { sessionId: "s" })).toBe(false);
      expect(outbox.delivery("e3")).toBeNull();
    });
  });

  it("backs off 1 s, 2 s, 4 s … up to 5 minutes", () => {
    expect([1, 2, 3, 10, 20].map(backoff)).toEqual([1000, 2000, 4000, 300_000, 300_000]);
  });
});
