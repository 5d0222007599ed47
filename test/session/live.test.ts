/**
 * live/: the connections and their fan-out (connections.ts), the WebSocket upgrade, frames and close (socket.ts),
 * the SSE answer of one turn (turn-stream.ts) and GET /events (events.ts), with real WebSockets of a fresh object.
 */
import { describe, expect, it } from "vitest";
import { Connections } from "../../src/session/live/connections";
import { streamEvents } from "../../src/session/live/events";
import { closeSocket, onSocketFrame, openSocket } from "../../src/session/live/socket";
import { streamTurn } from "../../src/session/live/turn-stream";
import { CALLER_HEADER, type Caller } from "../../src/session/requests";
import { answered } from "../../src/session/storage/meta";
import { accept } from "../../src/session/turns/intake";
import { Turns } from "../../src/session/turns/turns";
import { connect, delivered, logged, OWNER, openSession, socketParts, sseEvents, withParts } from "./parts";

describe("live/connections.ts: Connections", () => {
  it("sends each frame to every socket and every GET /events stream, and to the stream of that turn only", async () => {
    const seen = await withParts(async (p) => {
      const socket = connect(p);
      const listener = p.hub.openListener("client");
      const sinkOf7 = p.hub.openTurnSink(7, "client");
      const sinkOf8 = p.hub.openTurnSink(8, "client");
      p.hub.publish({ type: "pong" }, 3, 7);
      p.hub.publish({ type: "delta", messageId: "m", actionId: "a", text: "hi" }, 3);
      await delivered();
      for (const c of [listener, sinkOf7, sinkOf8]) c.close();
      const [events, of7, of8] = await Promise.all([listener, sinkOf7, sinkOf8].map((c) => sseEvents(c.readable)));
      return { socket: socket.frames.map((f) => f.type), events: events!, of7: of7!.map((e) => e.event), of8: of8!.map((e) => e.event) };
    });
    expect(seen.socket).toEqual(["pong", "delta"]);
    expect(seen.events.map((e) => [e.id, e.event])).toEqual([
      ["3", "pong"],
      ["3", "delta"],
    ]);
    expect(seen.of7).toEqual(["pong"]);
    expect(seen.of8).toEqual([]);
  });

  it("sends debug frames to authors and admins only", async () => {
    const seen = await withParts(async (p) => {
      const author = connect(p, "author");
      const client = connect(p, "client");
      const clientStream = p.hub.openListener("client");
      const adminStream = p.hub.openListener("admin");
      p.hub.publish({ type: "debug", turn: 1, traces: [], variableChanges: [], positions: [] }, 1);
      p.hub.publish({ type: "pong" }, 1);
      await delivered();
      clientStream.close();
      adminStream.close();
      return {
        author: author.frames.map((f) => f.type),
        client: client.frames.map((f) => f.type),
        clientStream: (await sseEvents(clientStream.readable)).map((e) => e.event),
        adminStream: (await sseEvents(adminStream.readable)).map((e) => e.event),
      };
    });
    expect(seen).toEqual({ author: ["debug", "pong"], client: ["pong"], clientStream: ["pong"], adminStream: ["debug", "pong"] });
  });

  it("keeps who a socket belongs to with the socket, for an activation woken from hibernation", async () => {
    const seen = await withParts((p) => {
      connect(p, "client", 5);
      return new Connections(p.state).attachment(p.state.getWebSockets()[0]!);
    });
    expect(seen).toEqual({ sessionId: "s", userId: "client-1", role: "client", joinedSeq: 5, expiresAt: null, badFrames: 0 });
  });

  it("ends GET /events streams when the session ends, and every connection when it is gone", async () => {
    const seen = await withParts(async (p) => {
      const socket = connect(p);
      const listener = p.hub.openListener("author");
      const sink = p.hub.openTurnSink(1, "author");
      p.hub.endListeners();
      const afterEnd = await sseEvents(listener.readable);
      p.hub.publish({ type: "pong" }, 1, 1);
      p.hub.closeAll(4404, "session deleted");
      await delivered();
      return { afterEnd: afterEnd.length, sink: (await sseEvents(sink.readable)).map((e) => e.event), closed: socket.closed() };
    });
    expect(seen).toEqual({ afterEnd: 0, sink: ["pong"], closed: 4404 });
  });
});

/** The socket parts as the actor gives them, with the session loaded in `p`. */
const upgrade = (caller: Caller | null, headers: Record<string, string> = { Upgrade: "websocket" }) =>
  new Request("http://actor/ws", { headers: { ...headers, ...(caller ? { [CALLER_HEADER]: JSON.stringify(caller) } : {}) } });

describe("live/socket.ts: openSocket, onSocketFrame, closeSocket", () => {
  it("upgrades only a WebSocket request with a verified caller of this session, and greets it with the state", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const parts = socketParts(p);
      const caller = { sessionId: s.meta.sessionId, user: OWNER };
      const plain = await openSocket(parts, upgrade(caller, {}));
      const anonymous = await openSocket(parts, upgrade(null));
      const stranger = await openSocket(parts, upgrade({ ...caller, user: { id: "x", role: "client" } }));
      const ok = await openSocket(parts, upgrade(caller));
      const frames: any[] = [];
      ok.webSocket!.accept();
      ok.webSocket!.addEventListener("message", (e) => frames.push(JSON.parse(e.data as string)));
      await delivered();
      return {
        statuses: [plain.status, anonymous.status, stranger.status, ok.status],
        codes: await Promise.all([plain, anonymous, stranger].map(async (r) => ((await r.json()) as { code: string }).code)),
        frames,
        attachment: p.hub.attachment(p.state.getWebSockets()[0]!),
      };
    });
    expect(seen.statuses).toEqual([426, 401, 404, 101]);
    expect(seen.codes).toEqual(["UPGRADE_REQUIRED", "UNAUTHENTICATED", "NOT_FOUND"]);
    expect(seen.frames).toEqual([expect.objectContaining({ type: "state", lastSeq: 0, sessionStatus: "active" })]);
    expect(seen.attachment).toMatchObject({ userId: OWNER.id, role: OWNER.role, joinedSeq: 0 });
  });

  it("answers a bad frame, a ping and a resume to that socket only, and a resume up to the seq the socket joined at", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      for (const seq of [1, 2, 3, 4]) p.store.appendMessage(logged(seq));
      s.lastSeq = 4;
      const parts = socketParts(p);
      const me = connect(p, OWNER.role, 3, { sessionId: s.meta.sessionId, userId: OWNER.id });
      const other = connect(p);
      for (const frame of [
        "{nope",
        JSON.stringify({ type: "resume", lastSeq: -1 }),
        '{"type":"ping"}',
        JSON.stringify({ type: "resume", lastSeq: 1 }),
      ]) {
        await onSocketFrame(parts, me.server, frame);
      }
      await delivered();
      return { mine: me.frames, others: other.frames.length };
    });
    expect(seen.mine.map((f) => f.code ?? f.seq ?? f.type)).toEqual(["BAD_FRAME", "BAD_FRAME", "pong", 2, 3, "state"]);
    expect(seen.mine.at(-1)).toMatchObject({ type: "state", lastSeq: 4 });
    expect(seen.others).toBe(0);
  });

  it("answers a user message to a finished session with an error frame carrying its clientMessageId", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      s.meta = answered(s.meta, true, 1);
      const me = connect(p, OWNER.role, 0, { sessionId: s.meta.sessionId, userId: OWNER.id });
      await onSocketFrame(socketParts(p), me.server, JSON.stringify({ type: "user_message", content: "more", clientMessageId: "late-1" }));
      await delivered();
      return me.frames;
    });
    expect(seen).toEqual([{ type: "error", code: "SESSION_COMPLETED", message: expect.any(String), clientMessageId: "late-1" }]);
  });

  it("closes with the client's code, or a normal close when the client gave none or vanished", async () => {
    const codes = await withParts(async (p) => {
      const sockets = [connect(p), connect(p), connect(p)];
      closeSocket(sockets[0]!.server, 1005);
      closeSocket(sockets[1]!.server, 1006);
      closeSocket(sockets[2]!.server, 4001);
      closeSocket(sockets[2]!.server, 4001); // closed already: nothing happens
      await delivered();
      return sockets.map((s) => s.closed());
    });
    expect(codes).toEqual([1000, 1000, 4001]);
  });
});

describe("live/turn-stream.ts: streamTurn", () => {
  it("streams a turn's frames while it runs, then `done` with the JSON answer, then ends; a finished turn is replayed from the log", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p, ["Hello.", "How are you?"]);
      const turns = new Turns({ ...p, schedule: () => undefined });
      await turns.open(1);
      const parts = { hub: p.hub, turns, lastSeq: () => s.lastSeq };
      const live = await sseEvents(streamTurn(parts, accept(p.store, s.meta, { content: "ok", clientMessageId: "t-1" }), OWNER));
      const replay = await sseEvents(streamTurn(parts, accept(p.store, s.meta, { content: "ok", clientMessageId: "t-1" }), OWNER));
      return { live, replay };
    });
    const done = seen.live.at(-1)!;
    expect(done.event).toBe("done");
    expect(seen.live.filter((e) => e.event === "message").map((e) => e.data.seq)).toEqual([
      done.data.userMessage.seq,
      ...done.data.messages.map((m: any) => m.seq),
    ]);
    expect(seen.live.some((e) => e.event === "delta")).toBe(true);
    expect(seen.replay.map((e) => e.event)).toEqual([...seen.replay.slice(0, -1).map(() => "message"), "done"]);
    expect(seen.replay.at(-1)!.data).toEqual(done.data);
  });
});

describe("live/events.ts: streamEvents", () => {
  it("replays the messages after Last-Event-ID with their seqs as ids, then the state; a completed session's stream ends there", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      for (const seq of [1, 2, 3]) p.store.appendMessage(logged(seq));
      s.lastSeq = 3;
      s.meta = answered(s.meta, true, 1);
      return sseEvents(streamEvents(p, s, "client", 1));
    });
    expect(seen.map((e) => [e.id, e.event])).toEqual([
      ["2", "message"],
      ["3", "message"],
      ["3", "state"],
    ]);
    expect(seen.at(-1)!.data).toMatchObject({ sessionStatus: "completed", lastSeq: 3 });
  });

  it("stays open for a live session and follows what is published", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const stream = sseEvents(streamEvents(p, s, "client", 0));
      p.hub.publish({ type: "pong" }, 0);
      p.hub.endListeners();
      return stream;
    });
    expect(seen.map((e) => e.event)).toEqual(["state", "pong"]);
  });
});
