/** A session's WebSockets: the upgrade, what a frame from a client does (ping, resume from a seq, or a user message: a turn), and the close. */
import { DomainError } from "../../errors";
import { CLOSE_CODES, MAX_FRAME_BYTES, type ClientFrame } from "../protocol";
import { CALLER_HEADER, type Caller, type SocketCaller } from "../requests";
import type { Access } from "../load/access";
import type { Loaded } from "../load/loader";
import { problemOf } from "../result";
import type { SessionStorage } from "../storage/tables";
import { accept } from "../turns/intake";
import { finished } from "../turns/outcome";
import type { Turns } from "../turns/turns";
import { messageView } from "../views";
import { close, type Connections } from "./connections";
import { errorFrame, parseClientFrame, stateFrame } from "./frames";
import type { Handoff } from "../handoff/handoff";
import { handoffView } from "../handoff/view";

export interface SocketParts {
  store: SessionStorage;
  hub: Connections;
  turns: Turns;
  handoff: Handoff;
  session: (caller: Caller, access: Access) => Promise<Loaded>;
  /** Rate limit and token budgets (src/limits/admission.ts): rejects a user message before it is accepted. */
  admit?: (user: Caller["user"], s: Loaded) => Promise<void>;
  /** The alarm fires by then at the latest: it closes the socket when its token expires. */
  wakeBy: (at: number) => void;
}

/** The WebSocket upgrade the Worker forwards, with the caller it verified: the socket joins with a `state` frame. */
export async function openSocket(p: SocketParts, request: Request): Promise<Response> {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return Response.json({ status: 426, code: "UPGRADE_REQUIRED", detail: "Connect with a WebSocket." }, { status: 426 });
  }
  const caller = JSON.parse(request.headers.get(CALLER_HEADER) ?? "null") as SocketCaller | null;
  if (!caller) return Response.json({ status: 401, code: "UNAUTHENTICATED", detail: "No verified caller." }, { status: 401 });
  const expiresAt = caller.tokenExpiresAt ?? null;
  if (expiresAt !== null && expiresAt <= Date.now())
    return Response.json({ status: 401, code: "TOKEN_EXPIRED", detail: "The access token has expired; sign in again." }, { status: 401 });
  let s: Loaded;
  try {
    s = await p.session(caller, "read");
  } catch (err) {
    if (err instanceof DomainError) return Response.json(problemOf(err), { status: err.status });
    throw err;
  }
  const { 0: client, 1: server } = new WebSocketPair();
  p.hub.acceptSocket(server, {
    sessionId: caller.sessionId,
    userId: caller.user.id,
    role: caller.user.role,
    joinedSeq: s.lastSeq,
    expiresAt,
    badFrames: 0,
  });
  p.hub.sendTo(server, stateFrame(s.meta, s.state.position, s.lastSeq));
  // A session that was ever queued for a counselor says where that stands, so a page reloaded mid-handoff shows it.
  const handoff = p.handoff.record();
  if (handoff) p.hub.sendTo(server, { type: "handoff", ...handoffView(handoff) });
  if (expiresAt !== null) p.wakeBy(expiresAt);
  await p.handoff.joined(s, caller.user);
  return new Response(null, { status: 101, webSocket: client });
}

/**
 * A frame from a client. Before anything is read: a socket whose token has expired is closed, and so is one that
 * sends a frame over MAX_FRAME_BYTES (unread); one that keeps sending frames that are not the protocol's is closed too.
 */
export async function onSocketFrame(p: SocketParts, ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
  const { hub, store } = p;
  if (!hub.admit(ws)) return;
  if (oversized(data)) return close(ws, CLOSE_CODES.frameTooLarge, `frames are limited to ${MAX_FRAME_BYTES} bytes`);
  const parsed = parseClientFrame(data);
  if (!parsed.ok) {
    if (!hub.badFrame(ws)) hub.sendTo(ws, parsed.error);
    return;
  }
  const f = parsed.frame;
  const a = hub.attachment(ws);
  const caller: Caller = { sessionId: a.sessionId, user: { id: a.userId, role: a.role } };
  try {
    if (f.type === "ping") return hub.sendTo(ws, { type: "pong" });
    if (f.type === "resume") {
      const s = await p.session(caller, "read");
      // Up to the seq the socket joined at: later messages reached it live.
      for (const m of store.messages(f.lastSeq, a.joinedSeq)) hub.sendTo(ws, { type: "message", ...messageView(m) });
      return hub.sendTo(ws, stateFrame(s.meta, s.state.position, s.lastSeq));
    }
    if (f.type !== "user_message") return await counselorFrame(p, caller, f);
    const s = await p.session(caller, "write");
    // While a counselor holds the session no turn runs: the words go to the counselor (every socket gets the message).
    if (p.handoff.holds()) return void (await p.handoff.relay(s, f));
    await p.admit?.(caller.user, s);
    const turn = accept(store, s.meta, { content: f.content, clientMessageId: f.clientMessageId });
    // A repeat is answered from the log, to this socket only; a new turn's frames reach it with everyone else's.
    if (finished(turn)) return p.turns.replay(turn, (frame) => hub.sendTo(ws, frame));
    await p.turns.outcomeOf(turn, { channel: "ws" });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    hub.sendTo(ws, { ...errorFrame(problemOf(err)), clientMessageId: f.type === "user_message" ? (f.clientMessageId ?? null) : undefined });
  }
}

/** The frames of a handoff: the client asks for a counselor; a counselor takes over, speaks, hands back, ends; either side types. */
async function counselorFrame(p: SocketParts, caller: Caller, f: Exclude<ClientFrame, { type: "user_message" | "ping" | "resume" }>): Promise<void> {
  const { handoff } = p;
  switch (f.type) {
    case "request_counselor":
      return handoff.request(await p.session(caller, "write"), caller.user);
    case "typing":
      return handoff.typing(await p.session(caller, "read"), caller.user, f.on);
    case "take_over":
      return handoff.takeOver(await p.session(caller, "read"), caller.user, f.displayName);
    case "counselor_message":
      return handoff.say(await p.session(caller, "read"), caller.user, f.content);
    case "hand_back":
      return handoff.handBack(await p.session(caller, "read"), caller.user, f.topicId);
    case "end_session":
      return handoff.end(await p.session(caller, "read"), caller.user, f.note);
  }
}

/** Over MAX_FRAME_BYTES, told from the frame's length: UTF-8 takes at most 3 bytes per UTF-16 unit, so only a short string is encoded to count. */
function oversized(data: string | ArrayBuffer): boolean {
  if (typeof data !== "string") return data.byteLength > MAX_FRAME_BYTES;
  if (data.length > MAX_FRAME_BYTES) return true;
  return data.length * 3 > MAX_FRAME_BYTES && new TextEncoder().encode(data).byteLength > MAX_FRAME_BYTES;
}

/** The client closed: the close is answered with its code, or a normal close where the client sent none (1005) or vanished (1006). */
export function closeSocket(ws: WebSocket, code: number): void {
  try {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
  } catch {
    // already closed
  }
}
