/**
 * A human counselor in the session. The session is queued (its risk reached
 * high, the client asked, or the script's `handoff` action ran) and the
 * Dispatch object is told; a counselor on the session's WebSocket takes it
 * over: from then on no turn runs (no model is called) and the client's
 * words are logged for the counselor, whose lines are logged as role
 * `counselor`. Handing back puts what was said into the script's history and
 * lets the script go on at its position (or at a chosen topic); ending
 * closes the session with the counselor's note. When nobody takes a queued
 * session in time, the alarm tells the client so, with the crisis lines again,
 * and the AI carries on (in the crisis protocol, if it was running).
 *
 * Every message goes through the same commit as a turn's (a turn row, the
 * log, the D1 outbox), so the log, the mirror and the export carry them.
 */
import { resumeAfterHandoff, UnknownTopicError, type HistoryEntry, type JsonValue, type Language, type SessionState } from "../../engine";
import type { CrisisResourceTable } from "../../engine/safety/resources";
import { DomainError } from "../../errors";
import type { AuthUser } from "../../http/user";
import { log } from "../../log";
import type { DispatchRpc } from "../../dispatch/rpc";
import type { Alert, QueueItem } from "../../dispatch/schemas";
import type { Connections } from "../live/connections";
import { stateFrame } from "../live/frames";
import type { Loaded } from "../load/loader";
import type { Mirror } from "../mirror/outbox";
import type { SendRequest } from "../requests";
import type { TurnResult } from "../schemas";
import { answered, atLeast, spoke, type Meta } from "../storage/meta";
import type { SafetyRecord, SessionStorage, StoredMessage, StoredResult, Turn } from "../storage/tables";
import { accept } from "../turns/intake";
import { resultView, type Outcome } from "../turns/outcome";
import type { Turns } from "../turns/turns";
import { flatVariables } from "../../engine";
import { messageView } from "../views";
import { audit, SYSTEM_ACTOR, type CounselorAction } from "./audit";
import { handedBackLine, joinedLine, languageOf, timedOutLine } from "./lines";
import { closed, held, KEY, open, queued, synced, syncFailed, taken, timedOut, type HandoffReason, type HandoffRecord } from "./record";
import { handoffView } from "./view";
import { retryDelay } from "../clock/lifecycle";

export interface HandoffSettings {
  timeoutMs: number;
  /** The deployment's origin for the alert's console link (undefined: a path). */
  consoleUrl: string | undefined;
  crisisResources: CrisisResourceTable | undefined;
}

export interface HandoffParts {
  store: SessionStorage;
  kv: SyncKvStorage;
  hub: Connections;
  mirror: Mirror;
  turns: Turns;
  db: D1Database;
  dispatch: () => DispatchRpc;
  settings: HandoffSettings;
  /** Re-reads the deadlines (a wait's timeout, a retry of telling the queue). */
  schedule: () => void;
}

/** A line the session logs outside the engine: a counselor's, the client's while held, or the session's own about the handoff. */
interface Line {
  role: StoredMessage["role"];
  content: string;
  metadata: Record<string, JsonValue> | null;
}

const isCounselor = (user: AuthUser) => user.role === "counselor" || user.role === "admin";

export class Handoff {
  constructor(private readonly p: HandoffParts) {}

  record(): HandoffRecord | null {
    return this.p.kv.get<HandoffRecord>(KEY) ?? null;
  }

  /** A counselor holds the session: its turns do not run. */
  holds(): boolean {
    return held(this.record());
  }

  /** The session is, or was, in the counselors' queue: counselors may read it (load/access.ts). */
  queued(): boolean {
    return this.record() !== null;
  }

  /** When the alarm must look at the handoff next: the wait's timeout, or a retry of telling the queue (null: nothing due). */
  dueAt(): number | null {
    const r = this.record();
    if (!r) return null;
    const retry = r.synced ? null : Date.now() + (r.syncAttempts ? retryDelay(r.syncAttempts) : 0);
    const times = [r.dueAt, retry].filter((t): t is number => t !== null);
    return times.length ? Math.min(...times) : null;
  }

  /** After a turn committed: a risk of high or more, or the script's `handoff` action (its reason), queues the session. */
  afterTurn(s: Loaded, scriptReason: string | null): void {
    const r = this.record();
    const risky = atLeast(s.meta.riskLevel, "high");
    // Queued once per risk level: a session handed back (or timed out) at this level is not queued again until it rises.
    if (scriptReason !== null) this.queue(s, "script", scriptReason);
    else if (risky && !(r && atLeast(r.riskLevel, s.meta.riskLevel))) this.queue(s, "risk", null);
  }

  /** The client accepted the offer of a counselor (or asked for one). */
  request(s: Loaded, user: AuthUser): void {
    if (s.meta.userId !== user.id) throw new DomainError("FORBIDDEN", "Only the session's client asks for a counselor.");
    this.queue(s, "client", null);
  }

  /** A counselor's socket joined the session (read-only until they take over). */
  async joined(s: Loaded, user: AuthUser): Promise<void> {
    if (user.role === "counselor") await this.audit(user, "counselor.join", s);
  }

  async takeOver(s: Loaded, user: AuthUser, name: string): Promise<void> {
    this.assertCounselor(user);
    const r = this.record();
    if (held(r)) {
      if (r.holder.userId === user.id) return;
      throw new DomainError("HANDOFF_HELD", "Another counselor holds this session; you can follow it read-only.");
    }
    // A turn already running ends first: its lines land before the counselor's.
    await this.p.turns.idle();
    const base = r && open(r) ? r : queued(r, "client", null, s.meta.riskLevel, Date.now(), this.p.settings.timeoutMs);
    const next = taken(base, { userId: user.id, name }, s.lastSeq);
    this.commitLines(
      s,
      [{ role: "counselor", content: joinedLine(this.language(s), name), metadata: { handoff: "joined", counselorName: name } }],
      next,
    );
    this.changed(s);
    await this.audit(user, "counselor.take_over", s);
  }

  say(s: Loaded, user: AuthUser, content: string): void {
    const r = this.holding(user);
    this.commitLines(s, [{ role: "counselor", content, metadata: { counselorName: r.holder.name } }], r);
  }

  /** The client's message while a counselor holds the session: logged and shown to the counselor, no turn runs. */
  relay(s: Loaded, req: Pick<SendRequest, "content" | "clientMessageId">): Promise<Outcome> {
    const repeat = req.clientMessageId ? this.p.store.turnByClientId(req.clientMessageId) !== null : false;
    const turn = accept(this.p.store, s.meta, req);
    // A repeated clientMessageId gets the answer it had (or its turn from before the take-over).
    if (repeat) return this.p.turns.outcomeOf(turn);
    return Promise.resolve({ ok: true, result: this.commitLines(s, [], this.record(), { turn, content: req.content }) });
  }

  async handBack(s: Loaded, user: AuthUser, topicId: string | undefined): Promise<void> {
    const r = this.holding(user);
    const said = this.p.store.messages(r.heldFromSeq ?? s.lastSeq).map(historyEntry);
    let state: SessionState;
    try {
      state = resumeAfterHandoff(s.pinned.script, s.state, said, topicId);
    } catch (err) {
      if (!(err instanceof UnknownTopicError)) throw err;
      throw new DomainError("VALIDATION_FAILED", `The script has no topic "${err.topicId}".`);
    }
    const line: Line = {
      role: "counselor",
      content: handedBackLine(this.language(s), r.holder.name),
      metadata: { handoff: "returned", counselorName: r.holder.name },
    };
    this.commitLines(s, [line], closed(r, "returned"), { state });
    this.changed(s);
    await this.audit(user, "counselor.hand_back", s, { topicId: topicId ?? null });
    // At a chosen topic the script speaks first; at its own position it waits for the client, as it did.
    if (topicId !== undefined) await this.p.turns.outcomeOf(this.openingTurn());
  }

  async end(s: Loaded, user: AuthUser, note: string): Promise<void> {
    const r = this.holding(user);
    const meta = answered(s.meta, true, Date.now());
    this.commitLines(s, [{ role: "counselor", content: note, metadata: { handoff: "ended", counselorName: r.holder.name } }], closed(r, "ended"), {
      meta,
    });
    this.changed(s);
    this.p.hub.endListeners();
    await this.audit(user, "counselor.end", s);
  }

  /** The other side is typing: the client (its own session), or the counselor who holds it. */
  typing(s: Loaded, user: AuthUser, on: boolean): void {
    if (s.meta.userId !== user.id) this.holding(user);
    this.p.hub.publish({ type: "typing", role: s.meta.userId === user.id ? "user" : "counselor", on }, s.lastSeq);
  }

  /** The session is erased: its queue entry goes too (a failure leaves an entry that opens to a 404, nothing more). */
  async left(sessionId: string): Promise<void> {
    if (!this.record()) return;
    await this.p
      .dispatch()
      .remove(sessionId)
      .catch(() => log({ level: "warn", msg: "counselor queue not reached", sessionId }));
  }

  /** The alarm's part: a wait that ran out times out; the queue is told what it has not heard yet. */
  async onAlarm(s: Loaded, now = Date.now()): Promise<void> {
    const r = this.record();
    if (!r) return;
    if (r.status === "waiting" && r.dueAt !== null && r.dueAt <= now) await this.timeout(s, r);
    if (!this.record()?.synced) await this.sync(s);
  }

  private async timeout(s: Loaded, r: HandoffRecord): Promise<void> {
    const { text, locale } = timedOutLine(this.language(s), this.p.settings.crisisResources);
    const referral = (turnId: number, messageId: string, now: number): SafetyRecord => ({
      id: crypto.randomUUID(),
      kind: "referral",
      turnId,
      messageId,
      actionId: null,
      source: null,
      level: s.meta.riskLevel === "none" ? "low" : s.meta.riskLevel,
      locale,
      createdAt: now,
    });
    this.commitLines(s, [{ role: "assistant", content: text, metadata: { handoff: "timed_out", crisis: true } }], timedOut(r), { referral });
    this.changed(s);
    await this.audit(SYSTEM_ACTOR, "counselor.timeout", s);
  }

  private queue(s: Loaded, reason: HandoffReason, note: string | null): void {
    const prev = this.record();
    const next = queued(prev, reason, note, s.meta.riskLevel, Date.now(), this.p.settings.timeoutMs);
    this.p.mirror.commit(() => this.p.kv.put(KEY, next));
    if (!open(prev)) log({ level: "info", msg: "session queued for a counselor", sessionId: s.meta.sessionId, code: reason });
    this.changed(s);
  }

  /** Everyone on the session sees where the handoff stands; the queue is told; the alarm looks again when due. */
  private changed(s: Loaded): void {
    this.p.hub.publish({ type: "handoff", ...handoffView(this.record()) }, s.lastSeq);
    void this.sync(s);
    this.p.schedule();
  }

  /** Tells the Dispatch object the newest state (an alert with the first report of each queueing); on failure the alarm retries. */
  private async sync(s: Loaded): Promise<void> {
    const r = this.record();
    if (!r || r.synced) return;
    try {
      if (open(r)) await this.p.dispatch().put(this.item(s, r), r.status === "waiting" ? this.alert(s, r) : null);
      else await this.p.dispatch().remove(s.meta.sessionId);
    } catch (err) {
      const latest = this.record();
      if (latest) this.p.kv.put(KEY, syncFailed(latest));
      log({ level: "warn", msg: "counselor queue not reached", sessionId: s.meta.sessionId, error: err instanceof Error ? err.name : "unknown" });
      this.p.schedule();
      return;
    }
    // Only if nothing changed meanwhile: a newer state is still to be told.
    const latest = this.record();
    if (latest && JSON.stringify({ ...latest, syncAttempts: 0 }) === JSON.stringify({ ...r, syncAttempts: 0 })) this.p.kv.put(KEY, synced(latest));
  }

  private item(s: Loaded, r: HandoffRecord): QueueItem {
    const { phaseId, topicId, actionId } = s.state.position;
    return {
      sessionId: s.meta.sessionId,
      projectId: s.meta.projectId,
      scriptId: s.meta.scriptId,
      language: this.language(s),
      riskLevel: r.riskLevel,
      reason: r.reason,
      status: r.status as QueueItem["status"],
      queuedAt: r.queuedAt,
      position: { phaseId, topicId, actionId },
      counselorName: r.holder?.name ?? null,
    };
  }

  /** One event per queueing and risk level: retries and re-reports carry the same id, so the receiver gets it once. */
  private alert(s: Loaded, r: HandoffRecord): Alert {
    const id = s.meta.sessionId;
    const link = `${this.p.settings.consoleUrl?.replace(/\/$/, "") ?? ""}/console?session=${encodeURIComponent(id)}`;
    return {
      eventId: `handoff.${id}.${r.round}.${r.riskLevel}`,
      payload: {
        type: "handoff.queued",
        sessionId: id,
        riskLevel: r.riskLevel,
        language: this.language(s),
        reason: r.reason,
        queuedAt: new Date(r.queuedAt).toISOString(),
        consoleUrl: link,
      },
    };
  }

  /**
   * Logs `lines` (and the client's message of `client`) in one commit with a turn row, the handoff record and the D1
   * outbox entry, then sends their frames. Returns what a turn returns, for the client's REST call.
   */
  private commitLines(
    s: Loaded,
    lines: Line[],
    record: HandoffRecord | null,
    extra: {
      turn?: Turn;
      content?: string;
      state?: SessionState;
      meta?: Meta;
      referral?: (turnId: number, messageId: string, now: number) => SafetyRecord;
    } = {},
  ): TurnResult {
    const { store, mirror, hub } = this.p;
    const now = Date.now();
    const actionId = s.state.position.actionId;
    let seq = s.lastSeq;
    const user: StoredMessage | null = extra.turn
      ? {
          seq: ++seq,
          id: `usr_${seq}`,
          role: "user",
          content: extra.content ?? "",
          actionId,
          clientMessageId: extra.turn.clientMessageId,
          turnId: extra.turn.id,
          createdAt: now,
          metadata: null,
        }
      : null;
    const meta = extra.meta ?? (user ? spoke(s.meta, now) : s.meta);
    const state = extra.state ?? s.state;
    const result = (turnId: number): { logged: StoredMessage[]; stored: StoredResult } => {
      const from = seq + 1;
      const logged = lines.map((l, i): StoredMessage => {
        const n = from + i;
        return {
          seq: n,
          id: `${l.role === "counselor" ? "csl" : "msg"}_${n}`,
          role: l.role,
          content: l.content,
          actionId,
          clientMessageId: null,
          turnId,
          createdAt: now,
          metadata: l.metadata,
        };
      });
      const stored: StoredResult = {
        aiFrom: from,
        aiTo: from + lines.length - 1,
        status: meta.executionStatus,
        sessionStatus: meta.status,
        position: state.position,
        variables: flatVariables(state),
        safety: [],
      };
      return { logged, stored };
    };
    const out = mirror.commit(() => {
      const turnId = extra.turn?.id ?? store.insertTurn({ clientMessageId: null, input: null, userSeq: null, status: "running", createdAt: now });
      if (user) {
        store.appendMessage(user);
        store.startTurn(turnId, user.seq);
      }
      const { logged, stored } = result(turnId);
      for (const m of logged) store.appendMessage(m);
      store.finishTurn(turnId, stored);
      if (extra.state) store.writeState(meta, state);
      else store.writeStatus(meta);
      const records = extra.referral && logged[0] ? [extra.referral(turnId, logged[0].id, now)] : [];
      store.addOutbox(turnId, [], now, records);
      if (record) this.p.kv.put(KEY, record);
      return { logged, stored };
    });
    s.meta = meta;
    s.state = state;
    s.lastSeq = seq + out.logged.length;
    const views = out.logged.map(messageView);
    if (user) hub.publish({ type: "message", ...messageView(user) }, user.seq);
    for (const m of views) hub.publish({ type: "message", ...m }, m.seq);
    if (extra.state || extra.meta) hub.publish(stateFrame(s.meta, s.state.position, s.lastSeq), s.lastSeq);
    void mirror.flush();
    return resultView(out.stored, views, user, null);
  }

  /** A turn with no input, as a session's opening is: the script speaks from its position. */
  private openingTurn(): Turn {
    const now = Date.now();
    const id = this.p.store.insertTurn({ clientMessageId: null, input: null, userSeq: null, status: "running", createdAt: now });
    return { id, clientMessageId: null, input: null, userSeq: null, status: "running", result: null, error: null, createdAt: now };
  }

  private holding(user: AuthUser): HandoffRecord & { holder: NonNullable<HandoffRecord["holder"]> } {
    this.assertCounselor(user);
    const r = this.record();
    if (!held(r) || r.holder.userId !== user.id)
      throw new DomainError("HANDOFF_NOT_HELD", "Take the session over first; only the counselor who holds it speaks in it.");
    return r;
  }

  private assertCounselor(user: AuthUser): void {
    if (!isCounselor(user)) throw new DomainError("FORBIDDEN", "Only counselors take sessions over.");
  }

  private language(s: Loaded): Language {
    return languageOf(s.pinned.script.session.language);
  }

  private audit(user: AuthUser, action: CounselorAction, s: Loaded, detail: Record<string, string | null> = {}): Promise<void> {
    return audit(this.p.db, user, action, s.meta.sessionId, detail);
  }
}

/** A logged message as the script's history reads it: the counselor speaks on the assistant's side. */
function historyEntry(m: StoredMessage): HistoryEntry {
  return { role: m.role === "user" ? "user" : "assistant", content: m.content, actionId: m.actionId };
}
