/**
 * The actor's parts, built directly on the storage of a Durable Object no
 * session uses: workerd's real SQLite, alarm and WebSockets, without the
 * actor's entry points in between. What a module test drives and reads.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { AuthUser, Role } from "../../src/http/auth";
import { getConfig } from "../../src/config";
import type { SessionActor } from "../../src/session/actor";
import { Instrumentation } from "../../src/session/instrumentation";
import { Connections, type SocketAttachment } from "../../src/session/live/connections";
import type { SocketParts } from "../../src/session/live/socket";
import { SessionLoader, type Loaded } from "../../src/session/load/loader";
import { opening, storeOpening } from "../../src/session/load/opening";
import { Mirror } from "../../src/session/mirror/outbox";
import { inlineSource } from "../../src/session/source";
import { SessionStorage, type StoredMessage } from "../../src/session/storage/tables";
import { ModelSource } from "../../src/session/turns/model";
import { TurnEvents } from "../../src/session/turns/turn-event";
import { Turns } from "../../src/session/turns/turns";
import { dataPointSink } from "../../src/ops/analytics";
import { DISPATCH_NAME } from "../../src/dispatch/rpc";
import { Handoff, type HandoffSettings } from "../../src/session/handoff/handoff";
import { actor, parseSse, tinyScript, type SseEvent } from "./helpers";

export interface Parts {
  state: DurableObjectState;
  store: SessionStorage;
  hub: Connections;
  loader: SessionLoader;
  mirror: Mirror;
  models: ModelSource;
  cost: Instrumentation;
  events: TurnEvents;
  /** How often the parts asked for the alarm to be set again (the mirror's retries, the turns' watchdog). */
  scheduled: number;
}

/** Runs `fn` inside a Durable Object that no test has used: its storage starts empty. */
export function inFreshObject<R>(fn: (state: DurableObjectState) => R | Promise<R>): Promise<R> {
  return runInDurableObject(actor(`parts-${crypto.randomUUID()}`), (_instance: SessionActor, state) => fn(state));
}

/** Runs `fn` with the actor's parts on a fresh object's storage; `db` is the D1 the mirror writes to (the test D1 unless given). */
export function withParts<R>(fn: (p: Parts) => R | Promise<R>, db: D1Database = env.DB): Promise<R> {
  return inFreshObject((state) => {
    const store = new SessionStorage(state.storage);
    const cost = new Instrumentation(true);
    const io = cost.bindings({ DB: db, CACHE: env.CACHE });
    const loader = new SessionLoader(store, io);
    const parts: Parts = {
      state,
      store,
      hub: new Connections(state),
      loader,
      mirror: new Mirror(
        store,
        io.DB,
        () => loader.current,
        () => parts.scheduled++,
      ),
      models: new ModelSource(getConfig(env), env),
      cost,
      events: new TurnEvents(dataPointSink(env, getConfig(env)), null, io.DB),
      scheduled: 0,
    };
    return fn(parts);
  });
}

export const OWNER: AuthUser = { id: "owner-1", role: "author" };

/** A new session's rows, stored as `create` stores them (the opening turn `running`, nothing logged yet), and loaded. */
export async function openSession(p: Parts, lines?: string[], user: AuthUser = OWNER, debug = false): Promise<Loaded> {
  const sessionId = `part-${crypto.randomUUID()}`;
  const source = await inlineSource(env, tinyScript(`s_${sessionId.slice(5, 13)}`, lines));
  const opened = opening({ sessionId, user, source, initialVariables: {}, debug }, Date.now());
  storeOpening(p.store, p.mirror, opened);
  p.loader.current = { ...opened, lastSeq: 0 };
  return p.loader.current;
}

/** A logged message with seq `seq` (an assistant line unless `role` says otherwise). */
export function logged(seq: number, role: StoredMessage["role"] = "assistant", turnId = 1): StoredMessage {
  return {
    seq,
    id: role === "user" ? `usr_${seq}` : `msg_${seq}`,
    role,
    content: `line ${seq}`,
    actionId: "say_1",
    clientMessageId: null,
    turnId,
    createdAt: 1000 + seq,
    metadata: null,
  };
}

/** A turn's rows as the runner commits them: its messages and its outbox entry, in one commit (through `mirror`, p.mirror unless given). */
export function commitTurn(p: Parts, s: Loaded, seqs: number[], mirror: Mirror = p.mirror, content?: string) {
  mirror.commit(() => {
    for (const seq of seqs) p.store.appendMessage(content === undefined ? logged(seq) : { ...logged(seq), content });
    p.store.addOutbox(1, [{ name: "mood", scope: "session", value: seqs.length, actionId: "say_1" }], 0);
  });
  s.lastSeq = seqs.at(-1)!;
}

/** Reads an SSE body to its end (the channel must be closed by the code under test), as events. */
export async function sseEvents(body: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  return parseSse(await new Response(body).text());
}

/** A WebSocket pair whose server end the connections hold (with this attachment); the client end records what it receives and its close code. */
export function connect(p: Parts, role: Role = "author", joinedSeq = 0, attachment: Partial<SocketAttachment> = {}) {
  const { 0: client, 1: server } = new WebSocketPair();
  const frames: any[] = [];
  let closed: number | null = null;
  p.hub.acceptSocket(server, { sessionId: "s", userId: `${role}-1`, role, joinedSeq, expiresAt: null, badFrames: 0, ...attachment });
  client.accept();
  client.addEventListener("message", (e) => frames.push(JSON.parse(e.data as string)));
  client.addEventListener("close", (e) => {
    closed = e.code;
  });
  return { server, frames, closed: () => closed };
}

/** Lets the runtime deliver what was sent on the sockets. */
export const delivered = () => new Promise((resolve) => setTimeout(resolve, 20));

/** What the socket functions take, wired on these parts; `wakes` records the alarm times they ask for. */
export function socketParts(p: Parts, turns = new Turns({ ...p, schedule: () => undefined }), wakes: number[] = []): SocketParts {
  return {
    store: p.store,
    hub: p.hub,
    turns,
    handoff: handoffOn(p, turns),
    session: (caller, access) => p.loader.session(caller, access),
    wakeBy: (at) => wakes.push(at),
  };
}

/** The handoff part on these parts, as the actor builds it: the test's Dispatch object, D1, the configured timeout. */
export function handoffOn(p: Parts, turns = new Turns({ ...p, schedule: () => undefined }), settings: Partial<HandoffSettings> = {}): Handoff {
  const config = getConfig(env);
  return new Handoff({
    store: p.store,
    kv: p.state.storage.kv,
    hub: p.hub,
    mirror: p.mirror,
    turns,
    db: env.DB,
    dispatch: () => env.DISPATCH.get(env.DISPATCH.idFromName(DISPATCH_NAME)),
    settings: { timeoutMs: config.HANDOFF_TIMEOUT_S * 1000, consoleUrl: undefined, crisisResources: undefined, ...settings },
    schedule: () => p.scheduled++,
  });
}
