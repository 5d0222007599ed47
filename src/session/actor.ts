/**
 * SessionActor: one Durable Object per chat session. A thin shell: it wires
 * the parts (see README.md) and maps the platform's entry points — RPC,
 * WebSocket upgrade and frames, the alarm — to them.
 */
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { DurableObject } from "cloudflare:workers";
import { getConfig, type Env } from "../config";
import { DomainError } from "../errors";
import { AlarmClock } from "./clock/alarm";
import { goIdle } from "./clock/idle";
import { DISPATCH_NAME } from "../dispatch/rpc";
import { Handoff } from "./handoff/handoff";
import { relayedStream } from "./handoff/relay";
import { handoffView, type HandoffView } from "./handoff/view";
import { idleStatus, retentionDue, WATCHDOG_MS } from "./clock/lifecycle";
import { Instrumentation, type CountedBindings } from "./instrumentation";
import { Connections } from "./live/connections";
import { streamEvents } from "./live/events";
import { closeSocket, onSocketFrame, openSocket, type SocketParts } from "./live/socket";
import { streamTurn } from "./live/turn-stream";
import type { Access } from "./load/access";
import { SessionLoader, type Loaded } from "./load/loader";
import { enterDirectory, opening, storeOpening } from "./load/opening";
import { messagePage, sessionExport } from "./load/reads";
import { eraseCopies } from "./mirror/erase";
import { Mirror } from "./mirror/outbox";
import { notHeld, reconcile } from "./mirror/reconcile";
import { CLOSE_CODES, PING_FRAME, PONG_FRAME } from "./protocol";
import type { ErasedSession, ErasureRequest, MessagePage, MirrorReport, SessionActorRpc, TurnCost } from "./rpc";
import type { Caller, CreateRequest, SendRequest } from "./requests";
import { guard, toProblemError, type ActorResult } from "./result";
import type { CreatedSession, SessionExport, SessionInfo, SessionVariables, TurnResult } from "./schemas";
import { erasing, retentionErasure, SYSTEM_USER, type Erasure } from "./storage/meta";
import { SessionStorage } from "./storage/tables";
import { accept } from "./turns/intake";
import { ModelSource } from "./turns/model";
import { forCaller } from "./turns/outcome";
import { TurnEvents } from "./turns/turn-event";
import { Turns } from "./turns/turns";
import { infoView, iso, variablesView } from "./views";
import { removeSession } from "../store/sessions/directory";
import { log } from "../log";
import { dataPointSink, workerVersion } from "../ops/analytics";
import { Admission } from "../limits/admission";
import { SessionBudget } from "../limits/budget";

export class SessionActor extends DurableObject<Env> implements SessionActorRpc {
  private readonly store: SessionStorage;
  private readonly hub: Connections;
  private readonly cost: Instrumentation;
  /** D1 and KV, counted by the instrumentation where it is on: the actor reaches them only through these. */
  private readonly io: CountedBindings;
  private readonly loader: SessionLoader;
  private readonly mirror: Mirror;
  private readonly clock: AlarmClock;
  private readonly models: ModelSource;
  private readonly turns: Turns;
  private readonly budget: SessionBudget;
  private readonly admission: Admission;
  private readonly handoff: Handoff;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = getConfig(env);
    this.cost = Instrumentation.for(config);
    this.io = this.cost.bindings(env);
    const storage = this.cost.storage(ctx.storage);
    this.store = new SessionStorage(storage);
    this.hub = new Connections(ctx);
    this.loader = new SessionLoader(this.store, this.io, () => this.handoff.queued());
    this.clock = new AlarmClock(storage, {
      pauseMs: config.SESSION_PAUSE_TIMEOUT * 1000,
      archiveMs: config.SESSION_ARCHIVE_TIMEOUT * 1000,
      retentionMs: config.SESSION_RETENTION_DAYS * 24 * 3600_000,
    });
    this.mirror = new Mirror(
      this.store,
      this.io.DB,
      () => this.loader.current,
      () => this.schedule(),
      config.MIRROR_VIA_QUEUE ? (env.MIRROR_QUEUE ?? null) : null,
    );
    this.models = new ModelSource(config, env);
    this.budget = new SessionBudget(ctx.storage, env, config);
    this.admission = new Admission(env, this.budget);
    this.turns = new Turns({
      store: this.store,
      loader: this.loader,
      hub: this.hub,
      mirror: this.mirror,
      models: this.models,
      cost: this.cost,
      events: new TurnEvents(dataPointSink(env, config), workerVersion(env), this.io.DB),
      schedule: (why) => this.schedule(why),
      spent: (meta, turnId, tokens) => this.budget.spent(meta, turnId, tokens),
      committed: (s, reason) => this.handoff.afterTurn(s, reason),
    });
    this.handoff = new Handoff({
      store: this.store,
      kv: ctx.storage.kv,
      hub: this.hub,
      mirror: this.mirror,
      turns: this.turns,
      db: this.io.DB,
      dispatch: () => env.DISPATCH.get(env.DISPATCH.idFromName(DISPATCH_NAME)),
      settings: { timeoutMs: config.HANDOFF_TIMEOUT_S * 1000, consoleUrl: config.HANDOFF_CONSOLE_URL, crisisResources: config.CRISIS_RESOURCES },
      schedule: () => this.schedule(),
    });
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
      if (this.loader.current || this.store.readMeta()) throw new DomainError("CONFLICT", "A session with this id exists already.");
      const opened = opening(req, Date.now());
      const turnId = storeOpening(this.store, this.mirror, opened);
      this.loader.current = { ...opened, lastSeq: 0 };
      // The session directory (the index outside D1) learns of the session while its first turn runs.
      const [outcome, indexed] = await Promise.all([
        this.turns.open(turnId, { channel: "rest", requestId: req.requestId }),
        enterDirectory(this.io.CACHE, opened.meta),
      ]);
      if (!outcome.ok) {
        // Nothing was acknowledged yet: a session whose opening failed leaves nothing behind.
        this.loader.current = null;
        this.clock.fired();
        await this.store.eraseAll();
        if (indexed) await removeSession(this.io.CACHE, opened.meta).catch(() => undefined);
        throw toProblemError(outcome.problem);
      }
      const { userMessage: _none, ...first } = forCaller(outcome.result, req.user);
      return { ...first, sessionId: opened.meta.sessionId, createdAt: iso(opened.meta.createdAt) };
    });
  }

  async erase(caller: Caller, reason: ErasureRequest = "request"): Promise<ActorResult<ErasedSession>> {
    return guard(async () => {
      const s = await this.session(caller, "delete");
      return this.eraseFor(s, { reason, actorId: caller.user.id, actorRole: caller.user.role, at: Date.now() });
    });
  }

  async expire(sessionId: string): Promise<ActorResult<{ erased: boolean }>> {
    return guard(async () => {
      const s = await this.loader.session({ sessionId, user: SYSTEM_USER }, "delete").catch(() => null);
      if (!s || !retentionDue(s.meta, this.clock.clocks(this.pending()))) return { erased: false };
      await this.eraseFor(s, retentionErasure(Date.now()));
      return { erased: true };
    });
  }

  async reconcile(sessionId: string, repair: boolean): Promise<ActorResult<MirrorReport>> {
    return guard(async () => {
      const s = this.loader.current;
      if (!s || s.meta.erasing || s.meta.sessionId !== sessionId) {
        return notHeld(sessionId);
      }
      await this.settled();
      return reconcile(this.io, this.store, s, repair);
    });
  }

  async mirrorDelivered(sessionId: string, tokens: string[]): Promise<void> {
    if (this.loader.current?.meta.sessionId === sessionId) this.mirror.delivered(tokens);
  }

  async send(req: SendRequest): Promise<ActorResult<TurnResult>> {
    return guard(async () => {
      const s = await this.session(req, "write");
      // While a counselor holds the session no turn runs: the words go to the counselor, never refused for a limit or a budget.
      const outcome = this.handoff.holds() ? await this.handoff.relay(s, req) : await this.turn(req, s);
      if (!outcome.ok) throw toProblemError(outcome.problem);
      return forCaller(outcome.result, req.user);
    });
  }

  /** A message the script answers: admitted by the rate limit and the budgets, then accepted and run. */
  private async turn(req: SendRequest, s: Loaded) {
    await this.admission.admit(req.user, s.meta);
    return this.turns.outcomeOf(accept(this.store, s.meta, req), { channel: "rest", requestId: req.requestId });
  }

  /** The same turn as `send`, as an SSE body: its frames while it runs, then `done` (or `error`). */
  async sendStream(req: SendRequest): Promise<ActorResult<ReadableStream<Uint8Array>>> {
    return guard(async () => {
      const s = await this.session(req, "write");
      if (this.handoff.holds()) return relayedStream(await this.handoff.relay(s, req), req.user);
      await this.admission.admit(req.user, s.meta);
      return streamTurn(
        { hub: this.hub, turns: this.turns, lastSeq: () => this.loader.current?.lastSeq ?? s.lastSeq },
        accept(this.store, s.meta, req),
        req.user,
        { channel: "sse", requestId: req.requestId },
      );
    });
  }

  async info(caller: Caller): Promise<ActorResult<SessionInfo>> {
    return guard(async () => {
      const s = await this.session(caller, "read");
      return infoView(s.meta, s.state.position, s.lastSeq);
    });
  }

  async messages(caller: Caller, page: { after: number; limit: number }): Promise<ActorResult<MessagePage>> {
    return guard(async () => messagePage(this.store, await this.session(caller, "read"), page));
  }

  async variables(caller: Caller): Promise<ActorResult<SessionVariables>> {
    return guard(async () => variablesView((await this.session(caller, "read")).state));
  }

  async export(caller: Caller): Promise<ActorResult<SessionExport>> {
    return guard(async () => sessionExport(this.store, await this.session(caller, "read"), caller.user.role));
  }

  /** GET /events: the messages after `lastEventId`, then every frame live, with heartbeats; a completed session's stream ends after the replay. */
  async events(caller: Caller, lastEventId: number): Promise<ActorResult<ReadableStream<Uint8Array>>> {
    return guard(async () => streamEvents({ hub: this.hub, store: this.store }, await this.session(caller, "read"), caller.user.role, lastEventId));
  }

  /** The client asks for a human counselor (or accepts the crisis protocol's offer of one): the session is queued. */
  async requestCounselor(caller: Caller): Promise<ActorResult<HandoffView>> {
    return guard(async () => {
      this.handoff.request(await this.session(caller, "write"), caller.user);
      return handoffView(this.handoff.record());
    });
  }

  /**
   * Resolves when no turn is queued or running and the D1 mirror has been sent (or has failed and awaits its
   * retry); through the queue, once the consumer confirmed it (or CONFIRM_MS passed and the alarm takes over).
   */
  async settled(): Promise<void> {
    await this.quiet();
    await this.mirror.confirmed();
    this.mirror.saveIfUnsaved();
  }

  /** Counters for the benchmark; null where instrumentation is off (staging, production). */
  async instrumentation(): Promise<TurnCost | null> {
    return this.cost.report();
  }

  // ── WebSocket ─────────────────────────────────────────────────────────

  override async fetch(request: Request): Promise<Response> {
    return openSocket(this.sockets(), request);
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    await onSocketFrame(this.sockets(), ws, data);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    closeSocket(ws, code);
  }

  /** The runtime closes the socket; the client resumes from its last seq. */
  override async webSocketError(): Promise<void> {}

  // ── alarm: erase, watchdog, idle lifecycle, mirror retry, token expiry ─

  override async alarm(): Promise<void> {
    this.clock.fired();
    this.hub.expireSockets();
    const s = this.loader.current;
    if (!s) return;
    if (s.meta.erasing) return void (await this.completeErase(s).catch(() => undefined));
    if (retentionDue(s.meta, this.clock.clocks(this.pending())))
      return void (await this.eraseFor(s, retentionErasure(Date.now())).catch(() => undefined));
    await this.turns.drain();
    await this.handoff.onAlarm(s);
    const next = idleStatus(s.meta, this.clock.clocks(this.pending()));
    if (next && !this.turns.busy) goIdle({ store: this.store, mirror: this.mirror, hub: this.hub }, s, next);
    await this.mirror.retry();
    this.mirror.saveIfUnsaved();
    this.schedule();
  }

  // ── wiring ────────────────────────────────────────────────────────────

  /** The session checked against the caller; turns an interruption left behind resume first. */
  private async session(caller: Caller, access: Access): Promise<Loaded> {
    const s = await this.loader.session(caller, access);
    void this.turns.drain();
    return s;
  }

  private sockets(): SocketParts {
    const session = (caller: Caller, access: Access) => this.session(caller, access);
    const admit = (user: Caller["user"], s: Loaded) => this.admission.admit(user, s.meta);
    return { store: this.store, hub: this.hub, turns: this.turns, handoff: this.handoff, session, admit, wakeBy: (at) => this.clock.wakeBy(at) };
  }

  /** Marks the session erasing (refused to every reader from now on), closes its connections, then erases its copies and storage. */
  private async eraseFor(s: Loaded, erasure: Erasure): Promise<ErasedSession> {
    if (!s.meta.erasing) {
      s.meta = erasing(s.meta, erasure);
      this.mirror.commit(() => this.store.markErasing(erasure));
      this.turns.abort();
      this.hub.closeAll(CLOSE_CODES.sessionDeleted, "session deleted");
    }
    const erased = { sessionId: s.meta.sessionId, messages: s.lastSeq };
    await this.completeErase(s);
    return erased;
  }

  /** No turn running and no flush under way; a queue send may still be on its way (an erasure need not wait: it wins anyway). */
  private async quiet(): Promise<void> {
    await this.turns.idle();
    await this.mirror.idle();
    this.mirror.saveIfUnsaved();
  }

  private async completeErase(s: Loaded): Promise<void> {
    this.turns.abort();
    await this.quiet();
    await eraseCopies(this.io, s, this.mirror);
    await this.handoff.left(s.meta.sessionId);
    this.loader.current = null;
    this.clock.fired();
    await this.store.eraseAll();
    log({ level: "info", msg: "session erased", sessionId: s.meta.sessionId, reason: s.meta.erasure?.reason ?? "request" });
  }

  private pending() {
    // Sockets whose token expired are closed on the way: only the others' expiries are still due.
    return {
      mirrorPending: this.mirror.pending(),
      turnsPending: this.turns.busy,
      socketsExpireAt: this.hub.expireSockets(),
      handoffDueAt: this.handoff.dueAt(),
    };
  }

  private schedule(why?: "watchdog"): void {
    if (why === "watchdog" && this.clock.dueBy(Date.now() + WATCHDOG_MS)) return;
    const s = this.loader.current;
    if (s) this.clock.schedule(s.meta, this.pending());
  }
}
