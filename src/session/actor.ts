/**
 * SessionActor: one Durable Object per chat session.
 *
 * It holds the pinned script, the engine state and the session's connections
 * in memory, and its SQLite storage is the durable log (storage.ts). Turns
 * run strictly one at a time through an in-memory queue: input gates open
 * while a model call is awaited, so without the queue two requests could
 * interleave their turns.
 *
 * A turn, whatever entry point it came from (REST, SSE, WebSocket):
 *   1. accept  — the turn row is written (queued): from here it is never lost;
 *   2. begin   — the user message gets its seq and is logged, the turn is `running`;
 *   3. step    — the engine runs; deltas stream to every connection;
 *   4. commit  — one transaction: AI messages, state, turn result, outbox entry;
 *                then the final frames (with seq) go out, then the D1 mirror is
 *                flushed in the background (the reply never waits for D1).
 * A turn cut short by eviction is still `queued`/`running` in storage; the
 * next activation (a request, or the watchdog alarm) runs it again from the
 * state it started with, so it yields its messages exactly once.
 */
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { DurableObject } from "cloudflare:workers";
import { flatVariables, migrateState, start, StateError, step, type StateErrorCode, type JsonValue, type Position, type SessionState, type StepError, type TemplateName, type VariableMap } from "../engine";
import { getConfig, type Config, type Env } from "../config";
import { createModel, LlmConfigError } from "../llm";
import type { AuthUser } from "../http/auth";
import { DomainError, statusOf } from "../errors";
import { scriptKey } from "../authoring/cache";
import { eraseMirror, writeMirror } from "../store/sessions/mirror";
import { Connections, seesDebug, type SseChannel } from "./connections";
import { Instrumentation, type CountedBindings, type TurnCost } from "./instrumentation";
import { idleStatus, nextAlarm, retryDelay } from "./lifecycle";
import { mirrorBatch } from "./mirror";
import { ClientFrameSchema, MAX_FRAME_BYTES, PING_FRAME, PONG_FRAME, type ServerFrame } from "./protocol";
import { rebuildFromMirror } from "./rebuild";
import { CALLER_HEADER, type Caller, type CreateRequest, type SendRequest } from "./requests";
import { guard, problemOf, sessionNotFound, toProblemError, type ActorResult, type ProblemInit } from "./result";
import type {
  CreatedSession,
  LoggedChange,
  SafetyView,
  SessionExport,
  SessionInfo,
  SessionMessage,
  SessionVariables,
  TurnDebug,
  TurnResult,
} from "./schemas";
import { SessionStorage, type Meta, type PinnedScript, type StoredError, type StoredMessage, type StoredResult, type Turn } from "./storage";
import { infoView, iso, messageView, variablesView } from "./views";
import { log } from "../log";

interface Loaded {
  meta: Meta;
  state: SessionState;
  pinned: PinnedScript;
  lastSeq: number;
}

type Outcome = { ok: true; result: TurnResult } | { ok: false; problem: ProblemInit };

type Access = "read" | "write" | "delete";

/** At most this many messages per D1 batch when catching up after an outage. */
const MIRROR_CHUNK = 200;

function stepProblem(error: StepError): StoredError {
  return { status: statusOf(error.code), code: error.code, detail: error.message, retryable: error.retryable };
}

function storedProblem(e: StoredError, clientMessageId: string | null): ProblemInit {
  return { status: e.status, code: e.code, detail: e.detail, extra: { retryable: e.retryable, clientMessageId } };
}

export class SessionActor extends DurableObject<Env> {
  private readonly store: SessionStorage;
  private readonly hub: Connections;
  private readonly config: Config;
  private readonly cost: Instrumentation;
  /** D1 and KV, counted by the instrumentation where it is on: the actor reaches them only through these. */
  private readonly io: CountedBindings;
  private loaded: Loaded | null = null;
  /** Why the stored state could not be loaded (a newer engine wrote it, or it is damaged); null when it could. */
  private unreadable: StateErrorCode | null = null;
  private loading: Promise<Loaded | null> | null = null;
  /** Turns in memory (queued or running), by id; the promise settles with the turn's outcome. */
  private readonly turns = new Map<number, Promise<Outcome>>();
  private tail: Promise<unknown> = Promise.resolve();
  private drained = false;
  private running: AbortController | null = null;
  /** The turn between its user message being logged and its commit. */
  private current: number | null = null;
  private flushing: Promise<void> | null = null;
  /**
   * Outbox entries up to this id reached D1. Deleting them and saving the mirror progress waits
   * for the next transaction the actor makes anyway (the next turn, the alarm): one write less
   * per turn. Lost with the activation, the entries are simply sent again (the upserts are idempotent).
   */
  private deliveredUpTo = 0;
  private mirrorUnsaved = false;
  private flushAgain = false;
  private alarmAt: number | null = null;
  private model: LanguageModelV3 | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = getConfig(env);
    this.cost = Instrumentation.for(this.config);
    this.io = this.cost.bindings(env);
    this.store = new SessionStorage(ctx.storage);
    this.hub = new Connections(ctx);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
    void ctx.blockConcurrencyWhile(async () => {
      this.loadLocal();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** The readiness probe's round trip. */
  async ping(): Promise<"pong"> {
    return "pong";
  }

  // ── RPC: lifecycle ────────────────────────────────────────────────────

  async create(req: CreateRequest): Promise<ActorResult<CreatedSession>> {
    return guard(async () => {
      if (this.loaded || this.store.readMeta()) throw new DomainError("CONFLICT", "A session with this id exists already.");
      const now = Date.now();
      const { source } = req;
      const state = start(source.script, { variables: req.initialVariables, globals: source.globals as VariableMap });
      const meta: Meta = {
        sessionId: req.sessionId,
        userId: req.user.id,
        projectId: source.projectId,
        versionId: source.versionId,
        versionNumber: source.versionNumber,
        scriptPath: source.path,
        scriptId: source.script.session.session_id,
        scriptHash: source.contentHash,
        templateHashes: source.templateHashes,
        debug: req.debug,
        status: "active",
        executionStatus: "waiting_input",
        createdAt: now,
        updatedAt: now,
        lastActivityAt: now,
        completedAt: null,
        mirroredSeq: 0,
        mirrorAttempts: 0,
        mirrorRetryAt: null,
        erasing: false,
      };
      const pinned: PinnedScript = { hash: source.contentHash, yaml: source.yaml, script: source.script, templates: source.templates };
      this.store.ensureSchema();
      const turnId = this.store.transaction(() => {
        this.store.insertScript(pinned);
        this.store.insertMeta(meta, state);
        return this.store.insertTurn({ clientMessageId: null, input: null, userSeq: null, status: "running", createdAt: now });
      });
      this.loaded = { meta, state, pinned, lastSeq: 0 };
      this.drained = true;
      const outcome = await this.enqueue(turnId);
      if (!outcome.ok) {
        // Nothing was acknowledged yet: a session whose opening failed leaves nothing behind.
        this.loaded = null;
        this.alarmAt = null;
        await this.store.eraseAll();
        throw toProblemError(outcome.problem);
      }
      const { userMessage: _none, ...first } = this.forCaller(outcome.result, req.user);
      return { ...first, sessionId: meta.sessionId, createdAt: iso(meta.createdAt) };
    });
  }

  async erase(caller: Caller): Promise<ActorResult<null>> {
    return guard(async () => {
      const s = await this.session(caller, "delete");
      if (!s.meta.erasing) {
        this.store.transaction(() => this.store.markErasing());
        s.meta.erasing = true;
        this.running?.abort();
        this.hub.closeAll(4404, "session deleted");
      }
      await this.completeErase(s);
      return null;
    });
  }

  // ── RPC: turns ────────────────────────────────────────────────────────

  async send(req: SendRequest): Promise<ActorResult<TurnResult>> {
    return guard(async () => {
      await this.session(req, "write");
      const turn = this.accept(req);
      const outcome = await this.outcomeOf(turn);
      if (!outcome.ok) throw toProblemError(outcome.problem);
      return this.forCaller(outcome.result, req.user);
    });
  }

  /** The same turn as `send`, as an SSE body: its frames while it runs, then `done` (or `error`). */
  async sendStream(req: SendRequest): Promise<ActorResult<ReadableStream<Uint8Array>>> {
    return guard(async () => {
      const s = await this.session(req, "write");
      const turn = this.accept(req);
      const sink = this.hub.openTurnSink(turn.id, req.user.role);
      if (turn.status === "done" || turn.status === "failed") {
        const outcome = this.storedOutcome(turn);
        if (outcome.ok) {
          for (const m of [outcome.result.userMessage, ...outcome.result.messages]) if (m) sink.send({ type: "message", ...m }, m.seq);
        } else {
          sink.send(this.errorFrame(outcome.problem), s.lastSeq);
        }
        this.finishSink(sink, outcome, req.user);
      } else {
        // The turn's frames, its error included, reach the sink as they are published.
        void this.outcomeOf(turn).then(
          (outcome) => this.finishSink(sink, outcome, req.user),
          () => sink.close(),
        );
      }
      return sink.readable;
    });
  }

  // ── RPC: reads ────────────────────────────────────────────────────────

  async info(caller: Caller): Promise<ActorResult<SessionInfo>> {
    return guard(async () => {
      const s = await this.session(caller, "read");
      return infoView(s.meta, s.state.position, s.lastSeq);
    });
  }

  /** Messages after seq `after`, oldest first; `nextAfter` is where the next page starts (null on the last). */
  async messages(caller: Caller, page: { after: number; limit: number }): Promise<ActorResult<{ items: SessionMessage[]; nextAfter: number | null }>> {
    return guard(async () => {
      const s = await this.session(caller, "read");
      const rows = this.store.messages(page.after, s.lastSeq, page.limit + 1);
      const items = rows.slice(0, page.limit).map(messageView);
      const last = items[items.length - 1];
      return { items, nextAfter: rows.length > page.limit && last ? last.seq : null };
    });
  }

  async variables(caller: Caller): Promise<ActorResult<SessionVariables>> {
    return guard(async () => variablesView((await this.session(caller, "read")).state));
  }

  async export(caller: Caller): Promise<ActorResult<SessionExport>> {
    return guard(async () => {
      const s = await this.session(caller, "read");
      const debug = s.meta.debug && seesDebug(caller.user.role) ? this.store.allDebug().map(({ turn, traces }) => ({ turn, traces })) : undefined;
      return {
        session: infoView(s.meta, s.state.position, s.lastSeq),
        messages: this.store.messages(0).map(messageView),
        variables: variablesView(s.state),
        exportedAt: iso(Date.now()),
        ...(debug ? { debug } : {}),
      };
    });
  }

  /** GET /events: the messages after `lastEventId`, then every frame live, with heartbeats. */
  async events(caller: Caller, lastEventId: number): Promise<ActorResult<ReadableStream<Uint8Array>>> {
    return guard(async () => {
      const s = await this.session(caller, "read");
      const channel = this.hub.openListener(caller.user.role);
      for (const m of this.store.messages(lastEventId, s.lastSeq)) channel.send({ type: "message", ...messageView(m) }, m.seq);
      channel.send(this.stateFrame(s), s.lastSeq);
      return channel.readable;
    });
  }

  /** Resolves when no turn is queued or running and the D1 mirror has been sent (or has failed and awaits its retry). */
  async settled(): Promise<void> {
    await this.tail;
    await this.flushing;
    if (this.mirrorUnsaved) this.store.transaction(() => this.saveMirrorProgress());
  }

  /** Counters for the benchmark; null where instrumentation is off (staging, production). */
  async instrumentation(): Promise<TurnCost | null> {
    return this.cost.report();
  }

  // ── WebSocket ─────────────────────────────────────────────────────────

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ status: 426, code: "UPGRADE_REQUIRED", detail: "Connect with a WebSocket." }, { status: 426 });
    }
    const caller = JSON.parse(request.headers.get(CALLER_HEADER) ?? "null") as Caller | null;
    if (!caller) return Response.json({ status: 401, code: "UNAUTHENTICATED", detail: "No verified caller." }, { status: 401 });
    let s: Loaded;
    try {
      s = await this.session(caller, "read");
    } catch (err) {
      if (err instanceof DomainError) return Response.json(problemOf(err), { status: err.status });
      throw err;
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.hub.acceptSocket(server, { sessionId: caller.sessionId, userId: caller.user.id, role: caller.user.role, joinedSeq: s.lastSeq });
    this.hub.sendTo(server, this.stateFrame(s));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
    if (text.length > MAX_FRAME_BYTES) return this.hub.sendTo(ws, { type: "error", code: "FRAME_TOO_LARGE", message: `Frames are limited to ${MAX_FRAME_BYTES} bytes.` });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.hub.sendTo(ws, { type: "error", code: "BAD_FRAME", message: "Frames are JSON objects with a `type`." });
    }
    const frame = ClientFrameSchema.safeParse(parsed);
    if (!frame.success) {
      const where = frame.error.issues[0]?.path.join(".") || "type";
      return this.hub.sendTo(ws, { type: "error", code: "BAD_FRAME", message: `The frame is not valid (check \`${where}\`): send user_message, resume or ping.` });
    }
    const a = this.hub.attachment(ws);
    const caller: Caller = { sessionId: a.sessionId, user: { id: a.userId, role: a.role } };
    const f = frame.data;
    try {
      if (f.type === "ping") return this.hub.sendTo(ws, { type: "pong" });
      if (f.type === "resume") {
        const s = await this.session(caller, "read");
        for (const m of this.store.messages(f.lastSeq, a.joinedSeq)) this.hub.sendTo(ws, { type: "message", ...messageView(m) });
        return this.hub.sendTo(ws, this.stateFrame(s));
      }
      await this.session(caller, "write");
      const turn = this.accept({ ...caller, content: f.content, clientMessageId: f.clientMessageId });
      if (turn.status === "done" || turn.status === "failed") {
        // A repeat: answered from the log, to this socket only.
        const outcome = this.storedOutcome(turn);
        if (!outcome.ok) return this.hub.sendTo(ws, this.errorFrame(outcome.problem));
        for (const m of [outcome.result.userMessage, ...outcome.result.messages]) if (m) this.hub.sendTo(ws, { type: "message", ...m });
        return;
      }
      // The frames of the turn reach this socket with everyone else's; errors too.
      await this.outcomeOf(turn);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.hub.sendTo(ws, { ...this.errorFrame(problemOf(err)), clientMessageId: f.type === "user_message" ? (f.clientMessageId ?? null) : undefined });
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  override async webSocketError(): Promise<void> {
    // The runtime closes the socket; the client resumes from its last seq.
  }

  // ── alarm ─────────────────────────────────────────────────────────────

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const s = this.loaded;
    if (!s) return;
    if (s.meta.erasing) {
      await this.completeErase(s).catch(() => undefined);
      return;
    }
    await this.drain();
    const next = idleStatus(s.meta, this.clocks());
    if (next && this.turns.size === 0) {
      const now = Date.now();
      s.meta.status = next;
      s.meta.updatedAt = now;
      this.store.transaction(() => {
        this.store.writeStatus(s.meta);
        this.store.addOutbox(null, [], now);
      });
      log({ level: "info", msg: "session idle", sessionId: s.meta.sessionId, status: next });
      this.hub.publish(this.stateFrame(s), s.lastSeq);
    }
    if (this.store.hasOutbox(this.deliveredUpTo)) await this.flush();
    if (this.mirrorUnsaved) this.store.transaction(() => this.saveMirrorProgress());
    this.schedule();
  }

  // ── loading and access ────────────────────────────────────────────────

  private loadLocal(): void {
    const row = this.store.readMeta();
    if (!row) return;
    const pinned = this.store.readScript(row.meta.scriptHash);
    if (!pinned) throw new Error("session storage holds no pinned script");
    let state: SessionState;
    try {
      // A state written by an older engine is upgraded here, once per activation, before any step sees it.
      state = migrateState(row.state);
    } catch (err) {
      if (!(err instanceof StateError)) throw err;
      // Left as stored, untouched: nothing is lost, and an engine that knows this state can serve it.
      this.unreadable = err.code;
      log({ level: "error", msg: "session state not loadable", sessionId: row.meta.sessionId, code: err.code, version: err.version ?? null });
      return;
    }
    this.unreadable = null;
    this.loaded = { meta: row.meta, state, pinned, lastSeq: this.store.lastSeq() };
  }

  /** The session, loaded (or rebuilt from D1) and checked against the caller; interrupted turns resume first. */
  private async session(caller: Caller, access: Access): Promise<Loaded> {
    let s = this.loaded;
    if (!s && this.unreadable) {
      // Never rebuilt from D1 over it: the stored state is the newest truth, this engine just cannot read it.
      if (this.unreadable === "NEWER_VERSION") throw new DomainError("SERVICE_UNAVAILABLE", "This session was saved by a newer version of HeartRule; try again shortly.");
      throw new DomainError("STATE_INVALID", "This session's saved state cannot be read.");
    }
    if (!s) {
      this.loading ??= rebuildFromMirror(this.io, this.store, caller.sessionId)
        .then(
          (ok) => {
            if (ok) this.loadLocal();
            return this.loaded;
          },
          (err: unknown) => {
            if (err instanceof DomainError) throw err;
            log({ level: "error", msg: "session rebuild failed", sessionId: caller.sessionId, error: err instanceof Error ? err.name : "unknown" });
            throw new DomainError("SERVICE_UNAVAILABLE", "The session cannot be loaded right now; try again shortly.");
          },
        )
        .finally(() => (this.loading = null));
      s = await this.loading;
    }
    if (!s || s.meta.erasing || s.meta.sessionId !== caller.sessionId) throw sessionNotFound();
    this.authorize(s.meta, caller.user, access);
    void this.drain();
    return s;
  }

  /** Clients reach only their own sessions; authors and admins read any; only the owner speaks; the owner or an admin deletes. */
  private authorize(meta: Meta, user: AuthUser, access: Access): void {
    if (meta.userId === user.id) return;
    if (user.role === "client") throw sessionNotFound();
    if (access === "read") return;
    if (access === "delete" && user.role === "admin") return;
    throw new DomainError("FORBIDDEN", access === "write" ? "Only the session's owner can speak in it." : "Only the session's owner or an admin can delete it.");
  }

  // ── turns ─────────────────────────────────────────────────────────────

  /**
   * Records a turn for this input (durably, before anything else happens), or
   * finds the turn a repeated clientMessageId already has.
   */
  private accept(req: SendRequest): Turn {
    const s = this.loaded!;
    const cmid = req.clientMessageId ?? null;
    if (cmid) {
      const existing = this.store.turnByClientId(cmid);
      if (existing) return this.repeat(s, existing, req.content);
    }
    this.assertOpen(s.meta);
    const now = Date.now();
    const id = this.store.insertTurn({ clientMessageId: cmid, input: req.content, userSeq: null, status: "queued", createdAt: now });
    return { id, clientMessageId: cmid, input: req.content, userSeq: null, status: "queued", result: null, error: null, createdAt: now };
  }

  private repeat(s: Loaded, turn: Turn, content: string): Turn {
    const said = turn.input ?? (turn.userSeq === null ? null : this.store.message(turn.userSeq)?.content);
    if (said !== content) {
      throw new DomainError("CLIENT_MESSAGE_ID_REUSED", "This clientMessageId was sent before with other content; use a new id for a new message.");
    }
    if (turn.status !== "failed" || !turn.error?.retryable || turn.userSeq === null) return turn;
    if (turn.id !== this.store.lastTurnId()) {
      throw new DomainError("TURN_SUPERSEDED", "Later turns ran since this one failed; send it again with a new clientMessageId.");
    }
    this.assertOpen(s.meta);
    this.store.retryTurn(turn.id);
    return { ...turn, status: "running", error: null };
  }

  private assertOpen(meta: Meta): void {
    if (meta.status === "completed") throw new DomainError("SESSION_COMPLETED", "The session's script has ended; start a new session to talk again.");
    if (meta.status === "archived") throw new DomainError("SESSION_ARCHIVED", "The session was archived after a long pause; start a new session to talk again.");
  }

  /** The outcome of a turn: from the log when it finished, else by running it (or joining its run). */
  private outcomeOf(turn: Turn): Promise<Outcome> {
    if (turn.status === "done" || turn.status === "failed") return Promise.resolve(this.storedOutcome(turn));
    return this.turns.get(turn.id) ?? this.enqueue(turn.id);
  }

  private enqueue(turnId: number): Promise<Outcome> {
    const run = this.tail.then(() => this.execute(turnId));
    const tracked = run.finally(() => {
      this.turns.delete(turnId);
      this.schedule();
    });
    this.tail = tracked.catch(() => undefined);
    this.turns.set(turnId, tracked);
    return tracked;
  }

  /** Runs every turn an interruption left behind, once per activation, in arrival order. */
  private drain(): Promise<unknown> {
    if (this.drained || !this.loaded) return Promise.resolve();
    this.drained = true;
    const recovered = this.store.unfinishedTurns().filter((t) => !this.turns.has(t.id));
    if (recovered.length) log({ level: "info", msg: "resuming interrupted turns", sessionId: this.loaded.meta.sessionId, turns: recovered.length });
    return Promise.all(recovered.map((t) => this.enqueue(t.id)));
  }

  private async execute(turnId: number): Promise<Outcome> {
    const s = this.loaded;
    const turn = this.store.turn(turnId);
    if (!s || !turn || s.meta.erasing) return { ok: false, problem: problemOf(sessionNotFound()) };
    if (turn.status === "done" || turn.status === "failed") return this.storedOutcome(turn);
    let model: LanguageModelV3;
    try {
      model = this.languageModel();
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const problem = problemOf(err);
      this.store.failTurn(turn.id, { status: problem.status, code: problem.code, detail: problem.detail, retryable: true });
      return { ok: false, problem };
    }
    const began = this.begin(s, turn);
    if (!began.ok) {
      this.hub.publish(this.errorFrame(began.problem), s.lastSeq, turn.id);
      return began;
    }
    return this.run(s, turn, model, began.input, began.userMessage);
  }

  /** Logs the user message (once) and marks the turn running, in one transaction, before the model is called. */
  private begin(s: Loaded, turn: Turn): { ok: true; input: string | null; userMessage: StoredMessage | null } | { ok: false; problem: ProblemInit } {
    if (turn.status === "running") {
      this.current = turn.id;
      this.schedule();
      const logged = turn.userSeq === null ? null : this.store.message(turn.userSeq);
      return { ok: true, input: logged?.content ?? null, userMessage: logged };
    }
    try {
      this.assertOpen(s.meta);
    } catch (err) {
      const problem = problemOf(err as DomainError);
      this.store.failTurn(turn.id, { status: problem.status, code: problem.code, detail: problem.detail, retryable: false });
      return { ok: false, problem: { ...problem, extra: { clientMessageId: turn.clientMessageId } } };
    }
    const now = Date.now();
    const message: StoredMessage = {
      seq: s.lastSeq + 1,
      id: `usr_${s.lastSeq + 1}`,
      role: "user",
      content: turn.input ?? "",
      actionId: s.state.position.actionId,
      clientMessageId: turn.clientMessageId,
      turnId: turn.id,
      createdAt: now,
      metadata: null,
    };
    s.meta.lastActivityAt = now;
    s.meta.updatedAt = now;
    if (s.meta.status === "paused") s.meta.status = "active";
    this.store.transaction(() => {
      this.saveMirrorProgress();
      this.store.appendMessage(message);
      this.store.startTurn(turn.id, message.seq);
      this.store.writeStatus(s.meta);
    });
    s.lastSeq = message.seq;
    this.current = turn.id;
    // The watchdog: if this activation dies before the commit, the alarm wakes a new one to re-run the turn.
    this.schedule();
    this.hub.publish({ type: "message", ...messageView(message) }, message.seq, turn.id);
    return { ok: true, input: message.content, userMessage: message };
  }

  private async run(s: Loaded, turn: Turn, model: LanguageModelV3, input: string | null, userMessage: StoredMessage | null): Promise<Outcome> {
    const changes: LoggedChange[] = [];
    const positions: Position[] = [];
    const safety: SafetyView[] = [];
    const traces: TurnDebug["traces"] = [];
    const abort = new AbortController();
    this.running = abort;
    const r = await step(s.pinned.script, s.state, input, {
      model,
      templates: s.pinned.templates as Partial<Record<TemplateName, string>>,
      debug: s.meta.debug,
      signal: abort.signal,
      emit: (e) => {
        switch (e.type) {
          case "message.delta":
            this.hub.publish({ type: "delta", messageId: e.messageId, actionId: e.actionId, text: e.text }, s.lastSeq, turn.id);
            break;
          case "variables":
            for (const c of e.changes) changes.push({ ...c, actionId: e.actionId });
            break;
          case "position":
            if (s.meta.debug) positions.push(e.position);
            break;
          case "llm": {
            // Debug sessions run the engine with `debug`, so their traces carry the prompt and the reply.
            const { prompt, response } = e.trace;
            if (s.meta.debug && prompt !== undefined && response !== undefined) traces.push({ ...e.trace, prompt, response });
            break;
          }
          case "safety": {
            const { type: _t, ...flag } = e;
            safety.push(flag);
            // At once, even if the turn fails: a client in crisis must see help without waiting for the model.
            this.hub.publish({ type: "safety", ...flag }, s.lastSeq, turn.id);
            break;
          }
          case "message":
            break;
        }
      },
    });
    this.running = null;
    this.current = null;
    this.cost.turn();
    if (s.meta.erasing) return { ok: false, problem: problemOf(sessionNotFound()) };
    const now = Date.now();

    if (r.status === "error") {
      const error = stepProblem(r.error!);
      s.meta.executionStatus = "error";
      s.meta.updatedAt = now;
      this.store.transaction(() => {
        this.store.failTurn(turn.id, error);
        this.store.writeStatus(s.meta);
        // The user's message is kept and mirrored; a failed opening turn has none (and its session is dropped).
        if (userMessage) this.store.addOutbox(turn.id, [], now);
      });
      log({ level: "warn", msg: "turn failed", sessionId: s.meta.sessionId, turn: turn.id, code: error.code });
      const problem = storedProblem(error, turn.clientMessageId);
      this.hub.publish(this.errorFrame(problem), s.lastSeq, turn.id);
      if (userMessage) void this.flush();
      return { ok: false, problem };
    }

    const messages: StoredMessage[] = r.messages.map((m, i) => ({
      seq: s.lastSeq + 1 + i,
      id: m.id,
      role: "assistant",
      content: m.content,
      actionId: m.actionId,
      clientMessageId: null,
      turnId: turn.id,
      createdAt: now,
      metadata: m.metadata as unknown as Record<string, JsonValue>,
    }));
    const completed = r.status === "completed";
    s.meta.executionStatus = completed ? "completed" : "waiting_input";
    s.meta.status = completed ? "completed" : "active";
    s.meta.completedAt = completed ? now : null;
    s.meta.updatedAt = now;
    s.meta.lastActivityAt = now;
    const stored: StoredResult = {
      aiFrom: s.lastSeq + 1,
      aiTo: s.lastSeq + messages.length,
      status: s.meta.executionStatus,
      sessionStatus: s.meta.status,
      position: r.state.position,
      variables: flatVariables(r.state),
      safety,
    };
    const debug: TurnDebug | undefined = s.meta.debug ? { turn: turn.id, traces, variableChanges: changes, positions } : undefined;
    this.store.transaction(() => {
      this.saveMirrorProgress();
      for (const m of messages) this.store.appendMessage(m);
      this.store.writeState(s.meta, r.state);
      this.store.finishTurn(turn.id, stored);
      this.store.addOutbox(turn.id, changes, now);
      if (debug) this.store.addDebug(debug);
    });
    s.state = r.state;
    s.lastSeq += messages.length;

    const views = messages.map(messageView);
    for (const m of views) this.hub.publish({ type: "message", ...m }, m.seq, turn.id);
    this.hub.publish(this.stateFrame(s), s.lastSeq, turn.id);
    if (debug) this.hub.publish({ type: "debug", ...debug }, s.lastSeq, turn.id);
    void this.flush();
    return { ok: true, result: this.resultView(stored, views, userMessage, debug) };
  }

  private languageModel(): LanguageModelV3 {
    try {
      return (this.model ??= createModel(this.config, this.env));
    } catch (err) {
      if (err instanceof LlmConfigError) throw new DomainError("CONFIG_INVALID", `Check these settings: ${err.field}.`);
      throw err;
    }
  }

  private resultView(r: StoredResult, messages: TurnResult["messages"], userMessage: StoredMessage | null, debug: TurnDebug | undefined | null): TurnResult {
    return {
      messages,
      userMessage: userMessage ? messageView(userMessage) : null,
      status: r.status,
      sessionStatus: r.sessionStatus,
      position: r.position,
      variables: r.variables,
      safety: r.safety,
      ...(debug ? { debug } : {}),
    };
  }

  /** A finished turn's outcome, rebuilt from the log: what a repeated clientMessageId gets. */
  private storedOutcome(turn: Turn): Outcome {
    if (turn.status === "failed" || !turn.result) {
      const error = turn.error ?? { status: 500, code: "INTERNAL_ERROR", detail: "The turn did not finish.", retryable: true };
      return { ok: false, problem: storedProblem(error, turn.clientMessageId) };
    }
    const r = turn.result;
    const messages = this.store.messages(r.aiFrom - 1, r.aiTo).map(messageView);
    const userMessage = turn.userSeq === null ? null : this.store.message(turn.userSeq);
    const debug = this.loaded?.meta.debug ? this.store.debugFor(turn.id) : null;
    return { ok: true, result: this.resultView(r, messages, userMessage, debug) };
  }

  private forCaller(result: TurnResult, user: AuthUser): TurnResult {
    if (!result.debug || seesDebug(user.role)) return result;
    const { debug: _hidden, ...rest } = result;
    return rest;
  }

  private finishSink(sink: SseChannel, outcome: Outcome, user: AuthUser): void {
    if (outcome.ok) sink.send({ type: "done", ...this.forCaller(outcome.result, user) }, this.loaded?.lastSeq ?? 0);
    sink.close();
  }

  private stateFrame(s: Loaded): ServerFrame {
    return { type: "state", status: s.meta.executionStatus, sessionStatus: s.meta.status, position: s.state.position, lastSeq: s.lastSeq };
  }

  private errorFrame(p: ProblemInit): Extract<ServerFrame, { type: "error" }> {
    const extra = p.extra ?? {};
    return {
      type: "error",
      code: p.code,
      message: p.detail,
      ...("clientMessageId" in extra ? { clientMessageId: extra.clientMessageId as string | null } : {}),
      ...("retryable" in extra ? { retryable: Boolean(extra.retryable) } : {}),
    };
  }

  // ── D1 mirror ─────────────────────────────────────────────────────────

  /** Sends the outbox to D1 in one batch; on failure the alarm retries with backoff. Never throws. */
  private flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      do {
        this.flushAgain = false;
        await this.flushOnce();
      } while (this.flushAgain);
    })().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const s = this.loaded;
    if (!s || s.meta.erasing) return;
    const entries = this.store.outbox(this.deliveredUpTo);
    if (!entries.length) return;
    const upTo = entries[entries.length - 1]!.id;
    const messages = this.store.messages(s.meta.mirroredSeq, s.lastSeq, MIRROR_CHUNK);
    const batch = mirrorBatch({ ...s, lastTurn: this.store.lastTurnId(), log: messages, outbox: entries });
    try {
      await writeMirror(this.io.DB, batch);
    } catch (err) {
      s.meta.mirrorAttempts += 1;
      s.meta.mirrorRetryAt = Date.now() + retryDelay(s.meta.mirrorAttempts);
      this.store.writeMirror(s.meta);
      log({ level: "warn", msg: "d1 mirror failed", sessionId: s.meta.sessionId, attempts: s.meta.mirrorAttempts, error: err instanceof Error ? err.name : "unknown" });
      this.schedule();
      return;
    }
    if (s.meta.erasing) return;
    const sent = messages[messages.length - 1]?.seq ?? s.meta.mirroredSeq;
    const caughtUp = sent >= s.lastSeq || messages.length < MIRROR_CHUNK;
    s.meta.mirroredSeq = sent;
    s.meta.mirrorAttempts = 0;
    s.meta.mirrorRetryAt = null;
    // Entries stay until the log is caught up, so the next pass sends the rest.
    if (caughtUp) this.deliveredUpTo = upTo;
    this.mirrorUnsaved = true;
    if (!caughtUp) this.flushAgain = true;
  }

  /** Writes what flushes achieved since the last save; runs inside the caller's transaction. */
  private saveMirrorProgress(): void {
    const s = this.loaded;
    if (!s || !this.mirrorUnsaved) return;
    if (this.deliveredUpTo) this.store.clearOutbox(this.deliveredUpTo);
    this.store.writeMirror(s.meta);
    // Once deleted, ids may be handed out again: nothing left to skip.
    this.deliveredUpTo = 0;
    this.mirrorUnsaved = false;
  }

  private async completeErase(s: Loaded): Promise<void> {
    this.running?.abort();
    await this.settled();
    try {
      const inline = s.meta.projectId === null;
      const { scriptShared } = await eraseMirror(this.io.DB, s.meta.sessionId, s.meta.scriptHash, inline);
      if (inline && !scriptShared) await this.io.CACHE.delete(scriptKey(s.meta.scriptHash));
    } catch (err) {
      s.meta.mirrorAttempts += 1;
      s.meta.mirrorRetryAt = Date.now() + retryDelay(s.meta.mirrorAttempts);
      this.store.writeMirror(s.meta);
      this.schedule();
      log({ level: "warn", msg: "session erase incomplete", sessionId: s.meta.sessionId, error: err instanceof Error ? err.name : "unknown" });
      throw new DomainError("SERVICE_UNAVAILABLE", "The session is deleted here but its copy in the database is not gone yet; it will be removed automatically. Retry to confirm.");
    }
    this.loaded = null;
    this.alarmAt = null;
    await this.store.eraseAll();
    log({ level: "info", msg: "session erased", sessionId: s.meta.sessionId });
  }

  // ── alarm scheduling ──────────────────────────────────────────────────

  private clocks() {
    return {
      now: Date.now(),
      pauseMs: this.config.SESSION_PAUSE_TIMEOUT * 1000,
      archiveMs: this.config.SESSION_ARCHIVE_TIMEOUT * 1000,
      mirrorPending: this.store.hasOutbox(this.deliveredUpTo),
      turnsPending: this.turns.size > 0 || this.current !== null,
    };
  }

  /**
   * Sets the alarm for the next deadline. An alarm already due sooner is
   * left alone (it looks again when it fires), so a busy session does not
   * rewrite its alarm on every turn.
   */
  private schedule(): void {
    const s = this.loaded;
    if (!s) return;
    const clocks = this.clocks();
    const at = nextAlarm(s.meta, clocks);
    if (at === this.alarmAt) return;
    if (this.alarmAt !== null && this.alarmAt > clocks.now && (at === null || this.alarmAt < at)) return;
    this.alarmAt = at;
    void (at === null ? this.ctx.storage.deleteAlarm() : this.ctx.storage.setAlarm(at));
  }
}
