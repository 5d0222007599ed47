/**
 * SessionActor: one Durable Object per chat session. A thin shell: it wires
 * the parts (see README.md) and maps the platform's entry points — RPC,
 * WebSocket upgrade and frames, the alarm — to them.
 */
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { DurableObject } from "cloudflare:workers";
import { start, type VariableMap } from "../engine";
import { getConfig, type Env } from "../config";
import { ProblemError } from "../http/problem";
import { AlarmClock } from "./clock/alarm";
import { idleStatus } from "./clock/lifecycle";
import { Instrumentation, type CountedBindings, type TurnCost } from "./instrumentation";
import { Connections, seesDebug, type SseChannel } from "./live/connections";
import { errorFrame, parseClientFrame, stateFrame } from "./live/frames";
import type { Access } from "./load/access";
import { SessionLoader, type Loaded } from "./load/loader";
import { eraseMirrorCopy } from "./mirror/erase";
import { Mirror } from "./mirror/outbox";
import { PING_FRAME, PONG_FRAME, type ServerFrame } from "./protocol";
import { CALLER_HEADER, type Caller, type CreateRequest, type SendRequest } from "./requests";
import { guard, problemOf, toProblemError, type ActorResult } from "./result";
import type { CreatedSession, SessionExport, SessionInfo, SessionMessage, SessionVariables, TurnResult } from "./schemas";
import { created, erasing, idled } from "./storage/meta";
import { SessionStorage, type Turn } from "./storage/tables";
import { accept } from "./turns/intake";
import { ModelSource } from "./turns/model";
import { finished, forCaller, storedOutcome, type Outcome } from "./turns/outcome";
import { TurnQueue } from "./turns/queue";
import { TurnRunner } from "./turns/runner";
import { infoView, iso, messageView, variablesView } from "./views";

const log = (fields: Record<string, unknown>) => console.log(JSON.stringify(fields));

export class SessionActor extends DurableObject<Env> {
  private readonly store: SessionStorage;
  private readonly hub: Connections;
  private readonly cost: Instrumentation;
  /** D1 and KV, counted by the instrumentation where it is on: the actor reaches them only through these. */
  private readonly io: CountedBindings;
  private readonly loader: SessionLoader;
  private readonly mirror: Mirror;
  private readonly clock: AlarmClock;
  private readonly models: ModelSource;
  private readonly runner: TurnRunner;
  private readonly queue = new TurnQueue<Outcome>(() => this.schedule());
  /** Turns an interruption left behind are picked up once per activation. */
  private drained = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = getConfig(env);
    this.cost = Instrumentation.for(config);
    this.io = this.cost.bindings(env);
    this.store = new SessionStorage(ctx.storage);
    this.hub = new Connections(ctx);
    this.loader = new SessionLoader(this.store, this.io);
    this.clock = new AlarmClock(ctx.storage, { pauseMs: config.SESSION_PAUSE_TIMEOUT * 1000, archiveMs: config.SESSION_ARCHIVE_TIMEOUT * 1000 });
    this.mirror = new Mirror(this.store, this.io.DB, () => this.loader.current, () => this.schedule());
    this.models = new ModelSource(config, env);
    this.runner = new TurnRunner({ store: this.store, loader: this.loader, hub: this.hub, mirror: this.mirror, models: this.models, cost: this.cost, schedule: () => this.schedule() });
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
    void ctx.blockConcurrencyWhile(async () => {
      this.loader.loadLocal();
      await this.clock.load();
    });
  }

  /** The readiness probe's round trip. */
  async ping(): Promise<"pong"> {
    return "pong";
  }

  /** Tests and local tools: the model the next turns run with (null: the configured one). Refused outside local environments. */
  useModel(model: LanguageModelV3 | null): void {
    this.models.replace(model);
  }

  // ── RPC ───────────────────────────────────────────────────────────────

  async create(req: CreateRequest): Promise<ActorResult<CreatedSession>> {
    return guard(async () => {
      if (this.loader.current || this.store.readMeta()) throw new ProblemError(409, "CONFLICT", "A session with this id exists already.");
      const { source, user, sessionId, debug } = req;
      const state = start(source.script, { variables: req.initialVariables, globals: source.globals as VariableMap });
      const meta = created({ sessionId, userId: user.id, projectId: source.projectId, versionId: source.versionId, versionNumber: source.versionNumber, scriptPath: source.path, scriptId: source.script.session.session_id, scriptHash: source.contentHash, templateHashes: source.templateHashes, debug }, Date.now());
      const pinned = { hash: source.contentHash, yaml: source.yaml, script: source.script, templates: source.templates };
      this.store.ensureSchema();
      const turnId = this.mirror.commit(() => {
        this.store.insertScript(pinned);
        this.store.insertMeta(meta, state);
        return this.store.insertTurn({ clientMessageId: null, input: null, userSeq: null, status: "running", createdAt: meta.createdAt });
      });
      this.loader.current = { meta, state, pinned, lastSeq: 0 };
      this.drained = true;
      const outcome = await this.queue.enqueue(turnId, (id) => this.runner.execute(id));
      if (!outcome.ok) {
        // Nothing was acknowledged yet: a session whose opening failed leaves nothing behind.
        this.loader.current = null;
        this.clock.fired();
        await this.store.eraseAll();
        throw toProblemError(outcome.problem);
      }
      const { userMessage: _none, ...first } = forCaller(outcome.result, user);
      return { ...first, sessionId, createdAt: iso(meta.createdAt) };
    });
  }

  async erase(caller: Caller): Promise<ActorResult<null>> {
    return guard(async () => {
      const s = await this.session(caller, "delete");
      if (!s.meta.erasing) {
        s.meta = erasing(s.meta);
        this.mirror.commit(() => this.store.markErasing());
        this.runner.abort();
        this.hub.closeAll(4404, "session deleted");
      }
      await this.completeErase(s);
      return null;
    });
  }

  async send(req: SendRequest): Promise<ActorResult<TurnResult>> {
    return guard(async () => {
      const s = await this.session(req, "write");
      const outcome = await this.outcomeOf(accept(this.store, s.meta, req));
      if (!outcome.ok) throw toProblemError(outcome.problem);
      return forCaller(outcome.result, req.user);
    });
  }

  /** The same turn as `send`, as an SSE body: its frames while it runs, then `done` (or `error`). */
  async sendStream(req: SendRequest): Promise<ActorResult<ReadableStream<Uint8Array>>> {
    return guard(async () => {
      const s = await this.session(req, "write");
      const turn = accept(this.store, s.meta, req);
      const sink = this.hub.openTurnSink(turn.id, req.user.role);
      // A finished turn is answered from the log; a running one's frames reach the sink as they are published.
      if (finished(turn)) this.replay(turn, (frame) => sink.send(frame, frame.type === "message" ? frame.seq : s.lastSeq));
      void this.outcomeOf(turn).then((outcome) => this.finishSink(sink, outcome, req), () => sink.close());
      return sink.readable;
    });
  }

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
      return { session: infoView(s.meta, s.state.position, s.lastSeq), messages: this.store.messages(0).map(messageView), variables: variablesView(s.state), exportedAt: iso(Date.now()), ...(debug ? { debug } : {}) };
    });
  }

  /** GET /events: the messages after `lastEventId`, then every frame live, with heartbeats; a completed session's stream ends after the replay. */
  async events(caller: Caller, lastEventId: number): Promise<ActorResult<ReadableStream<Uint8Array>>> {
    return guard(async () => {
      const s = await this.session(caller, "read");
      const channel = this.hub.openListener(caller.user.role);
      for (const m of this.store.messages(lastEventId, s.lastSeq)) channel.send({ type: "message", ...messageView(m) }, m.seq);
      channel.send(stateFrame(s.meta, s.state.position, s.lastSeq), s.lastSeq);
      if (s.meta.status === "completed") channel.close();
      return channel.readable;
    });
  }

  /** Resolves when no turn is queued or running and the D1 mirror has been sent (or has failed and awaits its retry). */
  async settled(): Promise<void> {
    await this.queue.idle();
    await this.mirror.idle();
    this.mirror.saveIfUnsaved();
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
      if (err instanceof ProblemError) return Response.json(problemOf(err), { status: err.status });
      throw err;
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.hub.acceptSocket(server, { sessionId: caller.sessionId, userId: caller.user.id, role: caller.user.role, joinedSeq: s.lastSeq });
    this.hub.sendTo(server, stateFrame(s.meta, s.state.position, s.lastSeq));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const parsed = parseClientFrame(data);
    if (!parsed.ok) return this.hub.sendTo(ws, parsed.error);
    const f = parsed.frame;
    const a = this.hub.attachment(ws);
    const caller: Caller = { sessionId: a.sessionId, user: { id: a.userId, role: a.role } };
    try {
      if (f.type === "ping") return this.hub.sendTo(ws, { type: "pong" });
      if (f.type === "resume") {
        const s = await this.session(caller, "read");
        for (const m of this.store.messages(f.lastSeq, a.joinedSeq)) this.hub.sendTo(ws, { type: "message", ...messageView(m) });
        return this.hub.sendTo(ws, stateFrame(s.meta, s.state.position, s.lastSeq));
      }
      const s = await this.session(caller, "write");
      const turn = accept(this.store, s.meta, { content: f.content, clientMessageId: f.clientMessageId });
      // A repeat is answered from the log, to this socket only; a new turn's frames reach it with everyone else's.
      if (finished(turn)) return this.replay(turn, (frame) => this.hub.sendTo(ws, frame));
      await this.outcomeOf(turn);
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      this.hub.sendTo(ws, { ...errorFrame(problemOf(err)), clientMessageId: f.type === "user_message" ? (f.clientMessageId ?? null) : undefined });
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

  // ── alarm: erase, watchdog, idle lifecycle, mirror retry ──────────────

  override async alarm(): Promise<void> {
    this.clock.fired();
    const s = this.loader.current;
    if (!s) return;
    if (s.meta.erasing) return void (await this.completeErase(s).catch(() => undefined));
    await this.drain();
    const next = idleStatus(s.meta, this.clock.clocks(this.pending()));
    if (next && this.queue.size === 0) {
      const now = Date.now();
      const meta = idled(s.meta, next, now);
      this.mirror.commit(() => {
        this.store.writeStatus(meta);
        this.store.addOutbox(null, [], now);
      });
      s.meta = meta;
      log({ level: "info", msg: "session idle", sessionId: meta.sessionId, status: next });
      this.hub.publish(stateFrame(meta, s.state.position, s.lastSeq), s.lastSeq);
    }
    if (this.mirror.pending()) await this.mirror.flush();
    this.mirror.saveIfUnsaved();
    this.schedule();
  }

  // ── wiring ────────────────────────────────────────────────────────────

  /** The session checked against the caller; turns an interruption left behind resume first. */
  private async session(caller: Caller, access: Access): Promise<Loaded> {
    const s = await this.loader.session(caller, access);
    void this.drain();
    return s;
  }

  /** Runs every turn an interruption left behind, once per activation, in arrival order. */
  private drain(): Promise<unknown> {
    const s = this.loader.current;
    if (this.drained || !s) return Promise.resolve();
    this.drained = true;
    const recovered = this.store.unfinishedTurns().filter((t) => !this.queue.joined(t.id));
    if (recovered.length) log({ level: "info", msg: "resuming interrupted turns", sessionId: s.meta.sessionId, turns: recovered.length });
    return Promise.all(recovered.map((t) => this.queue.enqueue(t.id, (id) => this.runner.execute(id))));
  }

  /** The outcome of a turn: from the log when it finished, else by running it (or joining its run). */
  private outcomeOf(turn: Turn): Promise<Outcome> {
    if (finished(turn)) return Promise.resolve(this.storedOutcome(turn));
    return this.queue.joined(turn.id) ?? this.queue.enqueue(turn.id, (id) => this.runner.execute(id));
  }

  private storedOutcome(turn: Turn): Outcome {
    return storedOutcome(this.store, turn, this.loader.current?.meta.debug ?? false);
  }

  /** A finished turn's frames again, from the log: its messages, or its error. */
  private replay(turn: Turn, send: (frame: ServerFrame) => void): void {
    const outcome = this.storedOutcome(turn);
    if (!outcome.ok) return send(errorFrame(outcome.problem));
    for (const m of [outcome.result.userMessage, ...outcome.result.messages]) if (m) send({ type: "message", ...m });
  }

  private finishSink(sink: SseChannel, outcome: Outcome, caller: Caller): void {
    if (outcome.ok) sink.send({ type: "done", ...forCaller(outcome.result, caller.user) }, this.loader.current?.lastSeq ?? 0);
    sink.close();
  }

  private async completeErase(s: Loaded): Promise<void> {
    this.runner.abort();
    await this.settled();
    try {
      await eraseMirrorCopy(this.io, s.meta);
    } catch (err) {
      this.mirror.failed(s);
      log({ level: "warn", msg: "session erase incomplete", sessionId: s.meta.sessionId, error: err instanceof Error ? err.name : "unknown" });
      throw new ProblemError(503, "SERVICE_UNAVAILABLE", "The session is deleted here but its copy in the database is not gone yet; it will be removed automatically. Retry to confirm.");
    }
    this.loader.current = null;
    this.clock.fired();
    await this.store.eraseAll();
    log({ level: "info", msg: "session erased", sessionId: s.meta.sessionId });
  }

  private pending() {
    return { mirrorPending: this.mirror.pending(), turnsPending: this.queue.size > 0 || this.runner.current !== null };
  }

  private schedule(): void {
    const s = this.loader.current;
    if (s) this.clock.schedule(s.meta, this.pending());
  }
}
