/**
 * What closes a session's WebSocket besides the client: its token's expiry (on the next frame, on a publish, and
 * by the alarm at the expiry), a frame over MAX_FRAME_BYTES (refused unread), and a run of frames that are not
 * the protocol's. A client whose token expired connects again with a fresh one and resumes where it was.
 */
import { runInDurableObject } from "cloudflare:test";
import { sign } from "hono/jwt";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import intake from "../../scripts/sessions/intake_en.yaml";
import type { SessionActor } from "../../src/session/actor";
import { Connections } from "../../src/session/live/connections";
import { onSocketFrame } from "../../src/session/live/socket";
import { CLOSE_CODES, MAX_BAD_FRAMES, MAX_FRAME_BYTES } from "../../src/session/protocol";
import { actor, lastState, openSocket, person, queuedTurns, say, settle, startSession, type Person } from "./helpers";
import { connect, delivered, OWNER, openSession, socketParts, withParts } from "./parts";

const userMessage = (clientMessageId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: "user_message", content: "hello", clientMessageId, ...extra });

/** A frame the schema would accept (unknown keys are dropped) padded past the limit: only its size refuses it. */
const oversizedMessage = (clientMessageId: string, bytes = MAX_FRAME_BYTES + 1) => userMessage(clientMessageId, { pad: "x".repeat(bytes) });

describe("a socket whose token has expired", () => {
  it("is closed with 4401 on its next frame, before the frame does anything", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const socket = connect(p, OWNER.role, 0, { sessionId: s.meta.sessionId, userId: OWNER.id, expiresAt: Date.now() - 1 });
      await onSocketFrame(socketParts(p), socket.server, userMessage("after-expiry"));
      await delivered();
      return { closed: socket.closed(), frames: socket.frames, turn: p.store.turnByClientId("after-expiry") };
    });
    expect(seen).toEqual({ closed: CLOSE_CODES.tokenExpired, frames: [], turn: null });
  });

  it("gets no more frames: a publish closes it, and the others go on", async () => {
    const seen = await withParts(async (p) => {
      const expired = connect(p, "client", 0, { expiresAt: Date.now() - 1 });
      const later = connect(p, "client", 0, { expiresAt: Date.now() + 60_000 });
      const forever = connect(p, "client");
      p.hub.publish({ type: "pong" }, 0);
      await delivered();
      return [expired, later, forever].map((s) => ({ closed: s.closed(), frames: s.frames.length }));
    });
    expect(seen).toEqual([
      { closed: CLOSE_CODES.tokenExpired, frames: 0 },
      { closed: null, frames: 1 },
      { closed: null, frames: 1 },
    ]);
  });

  it("is closed by expireSockets (the alarm's part), which says when the next token expires", async () => {
    const seen = await withParts(async (p) => {
      const now = Date.now();
      const sockets = [connect(p, "client", 0, { expiresAt: now - 1 }), connect(p, "client", 0, { expiresAt: now + 9000 }), connect(p, "client")];
      sockets.push(connect(p, "client", 0, { expiresAt: now + 5000 }));
      // A new activation (after hibernation) knows the expiries from the attachments.
      const next = new Connections(p.state).expireSockets(now);
      await delivered();
      return { next: next! - now, closed: sockets.map((s) => s.closed()) };
    });
    expect(seen).toEqual({ next: 5000, closed: [CLOSE_CODES.tokenExpired, null, null, null] });
  });
});

/** A token for `who` that expires within 1–2 s, and when. */
async function shortToken(who: Person): Promise<{ token: string; expiresAt: number }> {
  const exp = Math.floor(Date.now() / 1000) + 2;
  return { token: await sign({ sub: who.id, role: who.role, exp }, env.JWT_SECRET, "HS256"), expiresAt: exp * 1000 };
}

describe("token expiry, end to end", () => {
  it("the alarm closes the socket with 4401 at the token's exp; a new socket with a fresh token resumes without losing or repeating a message", async () => {
    const who = await person("author");
    const { sessionId: id } = await startSession(who, { scriptYaml: intake });
    const short = await shortToken(who);
    const first = await openSocket(id, short.token);
    const closed = new Promise<number>((resolve) => first.ws.addEventListener("close", (e) => resolve(e.code)));
    await first.until((f) => lastState(f) !== undefined);
    // The session's one alarm is due when the token expires (well before the idle pause).
    expect(await runInDurableObject(actor(id), (_i: SessionActor, state) => state.storage.getAlarm())).toBe(short.expiresAt);
    first.send({ type: "resume", lastSeq: 0 });
    first.send({ type: "user_message", content: "Sam", clientMessageId: "before-expiry" });
    await first.until((f) => f.some((x) => x.type === "state" && x.status === "waiting_input" && x.lastSeq > 2));

    expect(await closed).toBe(CLOSE_CODES.tokenExpired);
    expect(Date.now()).toBeGreaterThanOrEqual(short.expiresAt);
    // REST and a new upgrade still take this token for the clock skew they allow (test/http/token-claims.test.ts);
    // the open socket was closed at its exp by the server's own clock.

    // While it was away, the conversation went on elsewhere.
    await say(who, id, "Work has been stressful");
    const seenBefore = first.frames.filter((f) => f.type === "message").map((f) => f.seq);
    const second = await openSocket(id, who.token);
    second.send({ type: "resume", lastSeq: Math.max(...seenBefore) });
    second.send({ type: "user_message", content: "6", clientMessageId: "after-resume" });
    await second.until((f) => f.some((x) => x.type === "message" && x.clientMessageId === "after-resume") && f.at(-1)?.type === "state");
    await settle(id);

    const seqs = [...seenBefore, ...second.frames.filter((f) => f.type === "message").map((f) => f.seq)];
    const logged = (
      await runInDurableObject(actor(id), (_i: SessionActor, state) => state.storage.sql.exec("SELECT seq FROM messages ORDER BY seq").toArray())
    ).map((r) => r.seq);
    expect(seqs).toEqual(logged);
    expect(await queuedTurns(id, ["before-expiry", "after-resume"])).toMatchObject([{ status: "done" }, { status: "done" }]);
  });
});

describe("frames over MAX_FRAME_BYTES", () => {
  it("close the socket with 1009 unread, as text or binary, counted in UTF-8 bytes; a frame at the limit is read", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const parts = socketParts(p);
      const at = { sessionId: s.meta.sessionId, userId: OWNER.id };
      const frames = [
        oversizedMessage("big-text"),
        new TextEncoder().encode(oversizedMessage("big-binary")).buffer as ArrayBuffer,
        // Fewer UTF-16 units than the limit, more UTF-8 bytes: é takes two.
        userMessage("big-utf8", { pad: "é".repeat(MAX_FRAME_BYTES / 2) }),
      ];
      const closed: (number | null)[] = [];
      const answered: number[] = [];
      for (const frame of frames) {
        const socket = connect(p, OWNER.role, 0, at);
        await onSocketFrame(parts, socket.server, frame);
        await delivered();
        closed.push(socket.closed());
        answered.push(socket.frames.length);
      }
      // Just under the limit: a bad frame like any other, answered and not closed.
      const fits = connect(p, OWNER.role, 0, at);
      const notJson = `"${"x".repeat(MAX_FRAME_BYTES - 2)}`;
      await onSocketFrame(parts, fits.server, notJson);
      await delivered();
      return {
        closed,
        answered,
        turns: ["big-text", "big-binary", "big-utf8"].map((c) => p.store.turnByClientId(c)),
        fits: { closed: fits.closed(), frames: fits.frames.map((f) => f.code), bytes: new TextEncoder().encode(notJson).byteLength },
      };
    });
    expect(seen.closed).toEqual([CLOSE_CODES.frameTooLarge, CLOSE_CODES.frameTooLarge, CLOSE_CODES.frameTooLarge]);
    expect(seen.answered).toEqual([0, 0, 0]);
    expect(seen.turns).toEqual([null, null, null]);
    expect(seen.fits).toEqual({ closed: null, frames: ["BAD_FRAME"], bytes: MAX_FRAME_BYTES - 1 });
  });

  it("over the session's own WebSocket: closed with 1009 and no turn is queued", async () => {
    const who = await person("author");
    const { sessionId: id } = await startSession(who, { scriptYaml: intake });
    const socket = await openSocket(id, who.token);
    const closed = new Promise<number>((resolve) => socket.ws.addEventListener("close", (e) => resolve(e.code)));
    await socket.until((f) => lastState(f) !== undefined);
    socket.send(oversizedMessage("huge", 4 * 1024 * 1024));
    expect(await closed).toBe(CLOSE_CODES.frameTooLarge);
    expect(await queuedTurns(id, ["huge"])).toEqual([]);
    expect(socket.frames.map((f) => f.type)).toEqual(["state"]);
  });
});

describe("sockets accepted by an earlier release", () => {
  it("have no expiry and no bad frames counted when their attachment lacks those fields", async () => {
    const seen = await withParts((p) => {
      const socket = connect(p, "client", 2);
      socket.server.serializeAttachment({ sessionId: "s", userId: "client-1", role: "client", joinedSeq: 2 });
      const woken = new Connections(p.state);
      return { attachment: woken.attachment(socket.server), next: woken.expireSockets(), closed: socket.closed() };
    });
    expect(seen).toEqual({
      attachment: { sessionId: "s", userId: "client-1", role: "client", joinedSeq: 2, expiresAt: null, badFrames: 0 },
      next: null,
      closed: null,
    });
  });
});

describe("frames that are not the protocol's", () => {
  it("are answered with BAD_FRAME until the socket has sent MAX_BAD_FRAMES of them, then it is closed with 1008, across hibernation", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const socket = connect(p, OWNER.role, 0, { sessionId: s.meta.sessionId, userId: OWNER.id });
      const parts = socketParts(p);
      for (let i = 1; i < MAX_BAD_FRAMES; i++) await onSocketFrame(parts, socket.server, "{nope");
      // The count is kept with the socket: an activation woken from hibernation goes on counting.
      const woken = { ...parts, hub: new Connections(p.state) };
      const counted = woken.hub.attachment(socket.server).badFrames;
      await onSocketFrame(woken, socket.server, '{"type":"shout"}');
      await delivered();
      return { counted, codes: socket.frames.map((f) => f.code), closed: socket.closed() };
    });
    expect(seen.counted).toBe(MAX_BAD_FRAMES - 1);
    expect(seen.codes).toEqual(Array.from({ length: MAX_BAD_FRAMES - 1 }, () => "BAD_FRAME"));
    expect(seen.closed).toBe(CLOSE_CODES.badFrames);
  });
});
