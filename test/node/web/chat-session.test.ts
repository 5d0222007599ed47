/**
 * ChatSession's side of the protocol, against a scripted WebSocket server
 * (the `ws` package): what it sends on every (re)connect, what it resends,
 * which state frames it believes. The real server is exercised end to end
 * by test/node/cli/chat.test.ts and the browser tests.
 */
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { ChatSession } from "../../../src/web/client/chat-session";
import type { ChatStatus } from "../../../src/web/client/status";

interface Peer {
  socket: WebSocket;
  frames: Record<string, unknown>[];
}

let server: WebSocketServer | null = null;
let session: ChatSession | null = null;

afterEach(async () => {
  session?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function setUp(initial?: ConstructorParameters<typeof ChatSession>[0]["initial"]) {
  server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise((r) => server!.once("listening", r));
  const port = (server.address() as { port: number }).port;
  const peers: Peer[] = [];
  const waiting: ((p: Peer) => void)[] = [];
  server.on("connection", (socket) => {
    const peer: Peer = { socket, frames: [] };
    socket.on("message", (data) => peer.frames.push(JSON.parse(String(data))));
    peers.push(peer);
    waiting.shift()?.(peer);
  });
  /** Call before the connection it waits for is made. */
  const nextPeer = () => new Promise<Peer>((resolve) => waiting.push(resolve));
  let ids = 0;
  /** What each (re)connect was told about the last close. */
  const urlCalls: { tokenExpired: boolean }[] = [];
  session = new ChatSession({
    address: async (why) => {
      urlCalls.push(why);
      return { url: `ws://127.0.0.1:${port}/` };
    },
    WebSocket,
    newId: () => `c-${++ids}`,
    minReconnectDelayMs: 10,
    ...(initial ? { initial } : {}),
  });
  const statuses: ChatStatus[] = [];
  session.on("status", (s) => statuses.push(s));
  /** Connects and returns the server's side once the client's first frame (its resume) arrived. */
  const connected = async () => {
    const peerPromise = nextPeer();
    session!.connect();
    const peer = await peerPromise;
    await until(() => peer.frames.length >= 1);
    return peer;
  };
  return { session, nextPeer, connected, statuses, urlCalls };
}

const send = (peer: Peer, frame: object) => peer.socket.send(JSON.stringify(frame));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};
const ai = (seq: number, content: string) => ({ type: "message", seq, id: `msg_${seq}`, role: "assistant", content, actionId: "a" });

describe("ChatSession", () => {
  it("resumes after the highest seq and resends an unconfirmed message with its first clientMessageId", async () => {
    const { session, nextPeer, connected, statuses } = await setUp({
      messages: [{ type: "message", seq: 1, role: "assistant", content: "Hi", actionId: "a" }],
      status: "waiting_input",
    });
    const first = await connected();
    expect(first.frames[0]).toEqual({ type: "resume", lastSeq: 1 });
    send(first, { type: "state", status: "waiting_input", lastSeq: 1 });
    await until(() => session.status === "waiting");

    session.send("Sam");
    await until(() => first.frames.length === 2);
    expect(first.frames[1]).toEqual({ type: "user_message", content: "Sam", clientMessageId: "c-1" });
    expect(session.status).toBe("thinking");

    // The connection dies before the server confirms anything.
    const secondPromise = nextPeer();
    first.socket.terminate();
    await until(() => session.status === "connecting");
    const second = await secondPromise;
    await until(() => second.frames.length === 2);
    expect(second.frames).toEqual([
      { type: "resume", lastSeq: 1 },
      { type: "user_message", content: "Sam", clientMessageId: "c-1" },
    ]);

    // The connect-time state predates the message: it does not end the turn.
    send(second, { type: "state", status: "waiting_input", lastSeq: 1 });
    send(second, { type: "message", seq: 2, id: "usr_2", role: "user", content: "Sam", actionId: "a", clientMessageId: "c-1" });
    send(second, { type: "delta", messageId: "msg_3", text: "Thanks" });
    await until(() => session.conversation.lines.length === 3);
    expect(session.status).toBe("thinking");
    send(second, ai(3, "Thanks, Sam."));
    send(second, ai(3, "Thanks, Sam."));
    send(second, { type: "state", status: "waiting_input", lastSeq: 3 });
    await until(() => session.status === "waiting");
    expect(session.conversation.lines.map((l) => [l.seq, l.content])).toEqual([
      [1, "Hi"],
      [2, "Sam"],
      [3, "Thanks, Sam."],
    ]);
    expect(statuses).toEqual(["connecting", "waiting", "thinking", "connecting", "thinking", "waiting"]);
  });

  it("says connecting, not waiting, until a resume has replayed what the server has", async () => {
    const { session, connected } = await setUp();
    const peer = await connected();
    expect(peer.frames[0]).toEqual({ type: "resume", lastSeq: 0 });
    send(peer, { type: "state", status: "waiting_input", lastSeq: 2 });
    send(peer, ai(1, "Hello"));
    await until(() => session.conversation.lines.length === 1);
    expect(session.status).toBe("connecting");
    send(peer, ai(2, "Your name?"));
    await until(() => session.status === "waiting");
    expect(session.conversation.lines.map((l) => l.content)).toEqual(["Hello", "Your name?"]);
  });

  it("keeps a failed turn for Retry, which resends the same clientMessageId, and stops at completion", async () => {
    const { session, connected } = await setUp({ messages: [], status: "waiting_input" });
    const peer = await connected();
    await until(() => session.status === "waiting");
    session.send("Sam");
    send(peer, { type: "message", seq: 1, id: "usr_1", role: "user", content: "Sam", actionId: "a", clientMessageId: "c-1" });
    send(peer, { type: "error", code: "LLM_UNAVAILABLE", message: "The model is unavailable.", retryable: true, clientMessageId: "c-1" });
    await until(() => session.status === "error");
    expect(session.conversation.lines[0]?.state).toBe("failed");
    expect(session.error?.message).toBe("The model is unavailable.");

    session.retry();
    await until(() => peer.frames.filter((f) => f.type === "user_message").length === 2);
    expect(peer.frames.filter((f) => f.type === "user_message").map((f) => f.clientMessageId)).toEqual(["c-1", "c-1"]);
    expect(session.status).toBe("thinking");
    send(peer, ai(2, "Goodbye."));
    send(peer, { type: "state", status: "completed", lastSeq: 2 });
    await until(() => session.status === "completed");
    await until(() => peer.socket.readyState === WebSocket.CLOSED);
  });

  it("takes back what a failed turn streamed, so the retried turn's text is not appended to it", async () => {
    const { session, connected } = await setUp({ messages: [], status: "waiting_input" });
    const peer = await connected();
    await until(() => session.status === "waiting");
    session.send("Sam");
    send(peer, { type: "message", seq: 1, id: "usr_1", role: "user", content: "Sam", actionId: "a", clientMessageId: "c-1" });
    send(peer, { type: "delta", messageId: "msg_2", text: "Thanks, S" });
    await until(() => session.conversation.streaming);
    send(peer, { type: "error", code: "LLM_UNAVAILABLE", message: "The model is unavailable.", retryable: true, clientMessageId: "c-1" });
    await until(() => session.status === "error");
    expect(session.conversation.lines.map((l) => [l.content, l.state])).toEqual([["Sam", "failed"]]);

    session.retry();
    send(peer, { type: "delta", messageId: "msg_2", text: "Thank you, Sam." });
    send(peer, { type: "delta_reset", messageId: "msg_2", actionId: "a" });
    send(peer, { type: "delta", messageId: "msg_2", text: "Thanks, Sam." });
    send(peer, ai(2, "Thanks, Sam."));
    send(peer, { type: "state", status: "waiting_input", lastSeq: 2 });
    await until(() => session.status === "waiting");
    expect(session.conversation.lines.map((l) => [l.content, l.state])).toEqual([
      ["Sam", "final"],
      ["Thanks, Sam.", "final"],
    ]);
  });

  it("shows a finished conversation whole when reloaded: it stays connected until the replay is in", async () => {
    const { session, connected, statuses } = await setUp();
    const peer = await connected();
    // What the server does for a completed session: its state first, then the replay the resume asked for.
    send(peer, { type: "state", status: "completed", lastSeq: 3 });
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.socket.readyState).toBe(WebSocket.OPEN);
    expect(session.status).toBe("connecting");
    send(peer, ai(1, "Hello"));
    send(peer, { type: "message", seq: 2, id: "usr_2", role: "user", content: "Sam", actionId: "a" });
    send(peer, ai(3, "Goodbye, Sam."));
    await until(() => session.status === "completed");
    expect(session.conversation.lines.map((l) => [l.role, l.content])).toEqual([
      ["assistant", "Hello"],
      ["user", "Sam"],
      ["assistant", "Goodbye, Sam."],
    ]);
    await until(() => peer.socket.readyState === WebSocket.CLOSED);
    expect(statuses.at(-1)).toBe("completed");
  });

  it("reports nothing after close: leaving is not a lost connection", async () => {
    const { session, connected, statuses } = await setUp({ messages: [], status: "waiting_input" });
    await connected();
    await until(() => session.status === "waiting");
    const before = statuses.length;
    session.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(statuses.slice(before)).toEqual([]);
  });

  it("asks for a fresh token when the server closed the socket for its token's expiry (4401), and resumes where it was", async () => {
    const { session, nextPeer, connected, urlCalls } = await setUp();
    const first = await connected();
    send(first, ai(1, "Hello"));
    send(first, { type: "state", status: "waiting_input", lastSeq: 1 });
    await until(() => session.status === "waiting");

    let next = nextPeer();
    first.socket.close(4401, "token expired");
    const second = await next;
    await until(() => second.frames.length >= 1);
    expect(second.frames[0]).toEqual({ type: "resume", lastSeq: 1 });

    // A connection lost for any other reason keeps the token it has.
    next = nextPeer();
    second.socket.terminate();
    await next;
    expect(urlCalls).toEqual([{ tokenExpired: false }, { tokenExpired: true }, { tokenExpired: false }]);
  });
});
