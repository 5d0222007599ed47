/**
 * The session actor's RPC surface: what the Worker (the session routes, the
 * readiness probe, the benchmark) calls on a session's stub. The `SESSION_ACTOR`
 * binding in config.ts is typed with this interface rather than the class, so
 * the config, which nearly every module imports, does not import the actor and
 * everything it wires together (a type cycle through 14 files). The types here
 * come from modules that do not import the config; test/node/import-cycles.test.ts
 * keeps it so.
 */
import type { HandoffView } from "./handoff/view";
import type { Caller, CreateRequest, SendRequest } from "./requests";
import type { ActorResult } from "./result";
import type { CreatedSession, SessionExport, SessionInfo, SessionMessage, SessionVariables, TurnResult } from "./schemas";

/** A page of the actor's log; the route turns `nextAfter` into the public cursor. */
export interface MessagePage {
  items: SessionMessage[];
  /** Where the next page starts; null on the last. */
  nextAfter: number | null;
}

/** What turns cost outside the actor so far (see instrumentation.ts). */
export interface TurnCost {
  turns: number;
  d1RoundTrips: number;
  kvReads: number;
  /** Durable commits of the actor's own storage (instrumentation.ts says how they are told apart). */
  storageCommits: number;
  alarmWrites: number;
  /** Statements run on the actor's SQLite, reads included. */
  sqlStatements: number;
  /** Commits by time to durability, in the buckets of COMMIT_BUCKETS_MS (plus one for slower): those that changed the alarm apart. */
  commitMs: number[];
  alarmCommitMs: number[];
  perTurn: { d1RoundTrips: number; kvReads: number; storageCommits: number };
}

/** A session's D1 copy against its log (mirror/reconcile.ts). */
export interface MirrorReport {
  sessionId: string;
  /** False: the actor holds no such session (erased, or never created here). */
  found: boolean;
  /** The newest message in the actor's log. */
  lastSeq: number;
  d1: { row: boolean; lastSeq: number | null; messages: number };
  /** Messages of the log D1 lacks, as [first, last] seq ranges. */
  gaps: [number, number][];
  /** Messages re-sent to D1 by this call. */
  repaired: number;
}

/** One erased session, for a receipt: its id and how many messages went. */
export interface ErasedSession {
  sessionId: string;
  messages: number;
}

/** Who asks for an erasure and why: `request` (DELETE of the session), `user` (the erasure of all of a user's data). */
export type ErasureRequest = "request" | "user";

export interface SessionActorRpc extends Rpc.DurableObjectBranded {
  /** The readiness probe's round trip. */
  ping(): Promise<"pong">;
  create(req: CreateRequest): Promise<ActorResult<CreatedSession>>;
  send(req: SendRequest): Promise<ActorResult<TurnResult>>;
  /** The same turn as `send`, as an SSE body. */
  sendStream(req: SendRequest): Promise<ActorResult<ReadableStream<Uint8Array>>>;
  info(caller: Caller): Promise<ActorResult<SessionInfo>>;
  messages(caller: Caller, page: { after: number; limit: number }): Promise<ActorResult<MessagePage>>;
  variables(caller: Caller): Promise<ActorResult<SessionVariables>>;
  export(caller: Caller): Promise<ActorResult<SessionExport>>;
  /** GET /events as an SSE body. */
  events(caller: Caller, lastEventId: number): Promise<ActorResult<ReadableStream<Uint8Array>>>;
  erase(caller: Caller, reason?: ErasureRequest): Promise<ActorResult<ErasedSession>>;
  /** The retention sweep: erases the session if it has outlived its retention (its own clock, not D1's), else nothing. */
  expire(sessionId: string): Promise<ActorResult<{ erased: boolean }>>;
  /** Reconcile: the session's D1 copy against its log; `repair` re-sends what is missing. */
  reconcile(sessionId: string, repair: boolean): Promise<ActorResult<MirrorReport>>;
  /** The mirror queue's consumer: D1 holds the sends named by these tokens (mirror/consumer.ts). */
  mirrorDelivered(sessionId: string, tokens: string[]): Promise<void>;
  /** The client asks for a human counselor: the session joins the counselors' queue. */
  requestCounselor(caller: Caller): Promise<ActorResult<HandoffView>>;
  /** Counters for the benchmark; null where instrumentation is off. */
  instrumentation(): Promise<TurnCost | null>;
  /** The WebSocket upgrade. */
  fetch(request: Request): Promise<Response>;
}
