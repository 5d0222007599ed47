/** turns/: accepting a turn (intake.ts), the model (model.ts), and running turns (runner.ts, turns.ts) on a fresh object's storage. */
import { APICallError, type LanguageModelV3 } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig, type Env } from "../../src/config";
import { DomainError } from "../../src/errors";
import { createOfflineModel } from "../../src/llm/offline";
import type { Loaded } from "../../src/session/load/loader";
import { answered, erasing } from "../../src/session/storage/meta";
import { accept } from "../../src/session/turns/intake";
import { ModelSource } from "../../src/session/turns/model";
import type { Outcome } from "../../src/session/turns/outcome";
import { TurnRunner } from "../../src/session/turns/runner";
import { Turns } from "../../src/session/turns/turns";
import { logged, openSession, sseEvents, withParts, type Parts } from "./parts";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof DomainError ? err.code : String(err);
  }
};

/** The session's turns as the actor builds them, from the same parts. */
const turnsOf = (p: Parts) => new Turns({ ...p, schedule: () => p.scheduled++ });

/** A session whose opening turn has run: it waits for the user's first words. */
async function opened(p: Parts): Promise<{ s: Loaded; turns: Turns }> {
  const s = await openSession(p, ["Hello.", "How are you?", "Goodbye."]);
  const turns = turnsOf(p);
  const outcome = await turns.open(1);
  expect(outcome.ok).toBe(true);
  return { s, turns };
}

/** Runs a user turn ("fine") while a GET /events stream listens: its outcome, the rows it logged and what the stream received. */
async function listenedTurn(p: Parts, s: Loaded, turns: Turns, clientMessageId: string) {
  const before = s.lastSeq;
  const listener = p.hub.openListener("client");
  const turn = accept(p.store, s.meta, { content: "fine", clientMessageId });
  const outcome = await turns.outcomeOf(turn);
  listener.close();
  return { before, outcome, turnId: turn.id, log: p.store.messages(before), row: p.store.turn(turn.id), events: await sseEvents(listener.readable) };
}

/** The offline model, each call waiting for `release()` first. */
function heldModel(): { model: LanguageModelV3; release: () => void } {
  const offline = createOfflineModel();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const model = new MockLanguageModelV3({ doStream: async (options) => (await gate, offline.doStream(options)) });
  return { model, release };
}

describe("turns/intake.ts: accept", () => {
  it("writes a queued row at once; the same clientMessageId with the same words finds that turn instead of a new one", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const first = accept(p.store, s.meta, { content: "hi", clientMessageId: "c-1" });
      const stored = p.store.turn(first.id);
      const again = accept(p.store, s.meta, { content: "hi", clientMessageId: "c-1" });
      const other = codeOf(() => accept(p.store, s.meta, { content: "bye", clientMessageId: "c-1" }));
      const noId = [accept(p.store, s.meta, { content: "x" }).id, accept(p.store, s.meta, { content: "x" }).id];
      return { first, stored, again, other, noId };
    });
    expect(seen.first).toMatchObject({ status: "queued", input: "hi", clientMessageId: "c-1", userSeq: null });
    expect(seen.stored).toEqual(seen.first);
    expect(seen.again.id).toBe(seen.first.id);
    expect(seen.other).toBe("CLIENT_MESSAGE_ID_REUSED");
    expect(new Set([seen.first.id, ...seen.noId]).size).toBe(3);
  });

  it("refuses new words to a finished session, but still answers a clientMessageId it knows", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const known = accept(p.store, s.meta, { content: "hi", clientMessageId: "c-1" });
      const done = answered(s.meta, true, 1);
      return {
        refused: codeOf(() => accept(p.store, done, { content: "more" })),
        repeat: accept(p.store, done, { content: "hi", clientMessageId: "c-1" }).id,
        known: known.id,
      };
    });
    expect(seen.refused).toBe("SESSION_COMPLETED");
    expect(seen.repeat).toBe(seen.known);
  });

  it("runs the newest turn again when it failed retryably; an older failed turn is superseded", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const error = { status: 503, code: "LLM_UNAVAILABLE", detail: "d", retryable: true };
      const old = accept(p.store, s.meta, { content: "a", clientMessageId: "old" });
      p.store.appendMessage({ ...logged(1, "user", old.id), content: "a" });
      p.store.startTurn(old.id, 1);
      p.store.failTurn(old.id, error);
      const newest = accept(p.store, s.meta, { content: "b", clientMessageId: "new" });
      p.store.appendMessage({ ...logged(2, "user", newest.id), content: "b" });
      p.store.startTurn(newest.id, 2);
      p.store.failTurn(newest.id, error);
      return {
        superseded: codeOf(() => accept(p.store, s.meta, { content: "a", clientMessageId: "old" })),
        retried: accept(p.store, s.meta, { content: "b", clientMessageId: "new" }),
        stored: p.store.turn(newest.id),
      };
    });
    expect(seen.superseded).toBe("TURN_SUPERSEDED");
    expect(seen.retried).toMatchObject({ status: "running", error: null, userSeq: 2 });
    expect(seen.stored).toMatchObject({ status: "running", error: null });
  });
});

describe("turns/model.ts: ModelSource", () => {
  const withVars = (vars: Record<string, string>) => getConfig({ ...env, ...vars } as Env);

  it("makes the configured model once per activation; a local environment may put another in its place", () => {
    const models = new ModelSource(getConfig(env), env);
    const configured = models.get();
    expect(models.get()).toBe(configured);
    const other = createOfflineModel();
    models.replace(other);
    expect(models.get()).toBe(other);
    models.replace(null);
    expect(models.get()).not.toBe(other);
  });

  it("refuses a replacement in production, and a model it cannot make is CONFIG_INVALID naming the setting", () => {
    expect(() => new ModelSource(withVars({ ENVIRONMENT: "production" }), env).replace(createOfflineModel())).toThrow(/local environments/);
    const broken = new ModelSource(withVars({ LLM_PROVIDER: "openai-compatible", LLM_MODEL: "m" }), env);
    let error: unknown;
    try {
      broken.get();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "CONFIG_INVALID", detail: expect.stringContaining("LLM_BASE_URL") });
  });
});

describe("turns/runner.ts and turns/turns.ts: Turns", () => {
  it("runs a turn: the user's message first, then the reply and the state, logged with the outbox entry in one commit", async () => {
    const seen = await withParts(async (p) => {
      const { s, turns } = await opened(p);
      const run = await listenedTurn(p, s, turns, "u-1");
      return { ...run, outbox: p.store.outbox().map((e) => e.turnId), lastSeq: s.lastSeq };
    });
    if (!seen.outcome.ok) throw new Error(seen.outcome.problem.code);
    const { result } = seen.outcome;
    expect(result.userMessage).toMatchObject({ seq: seen.before + 1, role: "user", content: "fine", clientMessageId: "u-1" });
    expect(result.messages.map((m) => m.seq)).toEqual(result.messages.map((_, i) => seen.before + 2 + i));
    expect(seen.log.map((m) => m.seq)).toEqual([seen.before + 1, ...result.messages.map((m) => m.seq)]);
    expect(seen.row).toMatchObject({ status: "done", userSeq: seen.before + 1, result: { aiFrom: seen.before + 2, aiTo: seen.lastSeq } });
    expect(seen.outbox).toContain(seen.turnId);
    // Frames: the user's message, the streamed reply, the reply as a message, then the state.
    const types = seen.events.map((e) => e.event);
    expect(types[0]).toBe("message");
    expect(types.indexOf("delta")).toBeGreaterThan(0);
    expect(types.lastIndexOf("delta")).toBeLessThan(types.lastIndexOf("message"));
    expect(seen.events.at(-1)).toMatchObject({ event: "state", id: String(seen.lastSeq), data: { lastSeq: seen.lastSeq } });
  });

  it("answers a finished turn from the log without calling the model again", async () => {
    const seen = await withParts(async (p) => {
      const { s, turns } = await opened(p);
      const turn = accept(p.store, s.meta, { content: "fine", clientMessageId: "u-1" });
      const first = await turns.outcomeOf(turn);
      const ran = p.cost.report()!.turns;
      const again = await turns.outcomeOf(accept(p.store, s.meta, { content: "fine", clientMessageId: "u-1" }));
      return { first, again, ran, after: p.cost.report()!.turns };
    });
    expect(seen.again).toEqual(seen.first);
    expect(seen.after).toBe(seen.ran);
  });

  it("runs turns one at a time in arrival order; a turn already in line is joined, not run twice", async () => {
    const seen = await withParts(async (p) => {
      const { s, turns } = await opened(p);
      const held = heldModel();
      p.models.replace(held.model);
      const a = accept(p.store, s.meta, { content: "first", clientMessageId: "a" });
      const b = accept(p.store, s.meta, { content: "second", clientMessageId: "b" });
      const runs: [Promise<Outcome>, Promise<Outcome>, Promise<Outcome>] = [
        turns.outcomeOf(a),
        turns.outcomeOf(b),
        turns.outcomeOf(p.store.turn(a.id)!),
      ];
      // The first is waiting on the held model once its user message is logged.
      while (p.store.turn(a.id)!.status !== "running") await new Promise((resolve) => setTimeout(resolve, 1));
      const busy = turns.busy;
      const whileHeld = [p.store.turn(a.id)!.status, p.store.turn(b.id)!.status];
      held.release();
      const [ra, rb, ra2] = await Promise.all(runs);
      await turns.idle();
      return { busy, whileHeld, ra, rb, ra2, ran: p.cost.report()!.turns, idleAfter: turns.busy };
    });
    expect(seen.busy).toBe(true);
    expect(seen.whileHeld).toEqual(["running", "queued"]);
    expect(seen.ra2).toEqual(seen.ra);
    expect(seen.ran).toBe(3); // the opening turn, a and b
    if (!seen.ra.ok || !seen.rb.ok) throw new Error("a turn failed");
    expect(seen.rb.result.userMessage!.seq).toBe(seen.ra.result.messages.at(-1)!.seq + 1);
    expect(seen.idleAfter).toBe(false);
  });

  it("drains the turns an interruption left behind, once per activation, in the order they arrived", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p, ["Hello.", "How are you?", "Goodbye."]);
      // Left behind: the opening turn (running) and a queued one.
      const queued = accept(p.store, s.meta, { content: "later", clientMessageId: "q-1" });
      const turns = turnsOf(p);
      await turns.drain();
      await turns.drain();
      return { ran: p.cost.report()!.turns, statuses: [p.store.turn(1)!.status, p.store.turn(queued.id)!.status], log: p.store.messages(0) };
    });
    expect(seen.ran).toBe(2);
    expect(seen.statuses).toEqual(["done", "done"]);
    const user = seen.log.find((m) => m.role === "user")!;
    expect(user).toMatchObject({ content: "later", clientMessageId: "q-1" });
    expect(seen.log.filter((m) => m.seq < user.seq).every((m) => m.role === "assistant")).toBe(true);
  });

  it("keeps the user's message when the model fails, marks the session in error, and tells clients with a retryable error", async () => {
    const seen = await withParts(async (p) => {
      const { s, turns } = await opened(p);
      p.models.replace(
        new MockLanguageModelV3({
          doStream: async () => {
            throw new APICallError({ message: "down", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });
          },
        }),
      );
      return { ...(await listenedTurn(p, s, turns, "f-1")), meta: p.store.readMeta()!.meta };
    });
    expect(seen.outcome).toMatchObject({
      ok: false,
      problem: { status: 503, code: "LLM_UNAVAILABLE", extra: { retryable: true, clientMessageId: "f-1" } },
    });
    expect(seen.log).toEqual([expect.objectContaining({ seq: seen.before + 1, role: "user", content: "fine" })]);
    expect(seen.row).toMatchObject({ status: "failed", error: { code: "LLM_UNAVAILABLE", retryable: true } });
    expect(seen.meta.executionStatus).toBe("error");
    expect(seen.events.at(-1)).toMatchObject({ event: "error", data: { code: "LLM_UNAVAILABLE", clientMessageId: "f-1", retryable: true } });
  });
});

describe("turns/runner.ts: TurnRunner", () => {
  /** A model that waits until the step's abort signal fires, then fails as the AI SDK does. */
  const waitsForAbort = () =>
    new MockLanguageModelV3({
      doStream: ({ abortSignal }) =>
        new Promise((_resolve, reject) => {
          if (abortSignal?.aborted) reject(abortSignal.reason);
          abortSignal?.addEventListener("abort", () => reject(abortSignal.reason), { once: true });
        }),
    });

  it("knows the turn it runs, and on erase ends the model call and commits nothing more", async () => {
    const seen = await withParts(async (p) => {
      const { s } = await opened(p);
      const runner = new TurnRunner({ ...p, schedule: () => p.scheduled++ });
      const model = waitsForAbort();
      p.models.replace(model);
      const turn = accept(p.store, s.meta, { content: "fine", clientMessageId: "e-1" });
      const scheduledBefore = p.scheduled;
      const run = runner.execute(turn.id);
      // The model call is under way.
      while (model.doStreamCalls.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      const current = runner.current;
      const lastSeq = s.lastSeq;
      s.meta = erasing(s.meta, { reason: "request", actorId: "owner-1", actorRole: "client", at: Date.now() });
      runner.abort();
      const outcome = await run;
      return { turnId: turn.id, current, outcome, after: runner.current, watchdog: p.scheduled - scheduledBefore, lastSeq, log: p.store.lastSeq() };
    });
    expect(seen.current).toBe(seen.turnId);
    // The watchdog was set when the turn began: a dead activation's turn is picked up by the alarm.
    expect(seen.watchdog).toBeGreaterThan(0);
    expect(seen.outcome).toMatchObject({ ok: false, problem: { code: "NOT_FOUND" } });
    expect(seen.after).toBeNull();
    // Only the user's message was logged; no reply after the erase.
    expect(seen.log).toBe(seen.lastSeq);
  });

  it("runs nothing for a session being erased, and answers a finished turn from the log", async () => {
    const seen = await withParts(async (p) => {
      const { s } = await opened(p);
      const runner = new TurnRunner({ ...p, schedule: () => undefined });
      const ran = p.cost.report()!.turns;
      const stored = await runner.execute(1);
      const queued = accept(p.store, s.meta, { content: "fine" });
      s.meta = erasing(s.meta, { reason: "request", actorId: "owner-1", actorRole: "client", at: Date.now() });
      const refused = await runner.execute(queued.id);
      return { stored, refused, ran, after: p.cost.report()!.turns, status: p.store.turn(queued.id)!.status };
    });
    expect(seen.stored.ok).toBe(true);
    expect(seen.refused).toMatchObject({ ok: false, problem: { code: "NOT_FOUND" } });
    expect(seen.after).toBe(seen.ran);
    expect(seen.status).toBe("queued");
  });
});
