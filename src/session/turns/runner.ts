/**
 * One turn, once the queue lets it run:
 *   begin  — the user message gets its seq and is logged, the turn is `running`;
 *   step   — the engine runs; its events become frames for every connection;
 *   commit — one transaction: AI messages, state, turn result, outbox entry;
 *            then the final frames (with seq) go out and the D1 mirror is
 *            flushed in the background.
 * A turn cut short by eviction is still `queued`/`running` in storage; the
 * next activation runs it again from the state it started with, so it yields
 * its messages exactly once.
 */
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { flatVariables, step, type JsonValue, type Position, type StepStats } from "../../engine";
import { DomainError } from "../../errors";
import type { Instrumentation } from "../instrumentation";
import { errorFrame, stateFrame } from "../live/frames";
import type { Connections } from "../live/connections";
import { assertOpen } from "../load/access";
import { pinnedCrisisScript, pinnedTemplates } from "../load/crisis";
import type { Loaded, SessionLoader } from "../load/loader";
import type { Mirror } from "../mirror/outbox";
import { problemOf, sessionNotFound, type ProblemInit } from "../result";
import type { LoggedChange, TurnDebug } from "../schemas";
import { answered, failed, riskRaised, spoke, type Meta } from "../storage/meta";
import type { SessionStorage, StoredMessage, StoredResult, Turn } from "../storage/tables";
import { messageView } from "../views";
import type { ModelSource } from "./model";
import { finished, resultView, stepProblem, storedOutcome, storedProblem, type Outcome } from "./outcome";
import { flaggedMessages, highest, levelOf, safetyRecords, type Confirmation, type GradedFlag, type Guarded, type Referral } from "./safety-log";
import { RECOVERED, type TurnEvents, type TurnOrigin, type TurnWork } from "./turn-event";
import { log } from "../../log";

export interface RunnerParts {
  store: SessionStorage;
  loader: SessionLoader;
  hub: Connections;
  mirror: Mirror;
  models: ModelSource;
  cost: Instrumentation;
  /** Each turn's one content-free event (log line, data point) and the metrics stored with it. */
  events: TurnEvents;
  /**
   * Re-reads the deadlines (the watchdog is due while a turn runs). With "watchdog": only a turn started, which
   * needs nothing when the alarm fires within the watchdog's time anyway (it looks at the turn then).
   */
  schedule: (why?: "watchdog") => void;
  /** The tokens the model reported for a turn, failed or not: the token budgets count them (src/limits/budget.ts). */
  spent?: (meta: Meta, turnId: number, tokens: StepStats) => void;
  /** After each turn's commit: queues the session for a counselor when its risk or the script's `handoff` action asks (handoff/). */
  committed?: (s: Loaded, handoffReason: string | null) => void;
}

type Began = { ok: true; input: string | null; userMessage: StoredMessage | null } | { ok: false; problem: ProblemInit };

export class TurnRunner {
  /** The turn between its user message being logged and its commit. */
  current: number | null = null;
  private running: AbortController | null = null;

  constructor(private readonly p: RunnerParts) {}

  /** Erase: the running model call ends now. */
  abort(): void {
    this.running?.abort();
  }

  /** `accepted`: the turn as it was just accepted, when nothing ran since (else it is read again). */
  async execute(turnId: number, origin: TurnOrigin = RECOVERED, accepted?: Turn): Promise<Outcome> {
    const started = Date.now();
    const { store, loader, events } = this.p;
    const s = loader.current;
    const turn = accepted ?? store.turn(turnId);
    if (!s || !turn || s.meta.erasing) return { ok: false, problem: problemOf(sessionNotFound()) };
    if (finished(turn)) return storedOutcome(store, turn, s.meta.debug);
    let model: LanguageModelV3;
    try {
      model = this.p.models.get();
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const problem = problemOf(err);
      store.failTurn(turn.id, { status: problem.status, code: problem.code, detail: problem.detail, retryable: true });
      events.record(s.meta, turn.id, events.measure(origin, started, problem.code));
      return { ok: false, problem };
    }
    const began = this.begin(s, turn);
    if (!began.ok) {
      events.record(s.meta, turn.id, events.measure(origin, started, began.problem.code));
      this.p.hub.publish(errorFrame(began.problem), s.lastSeq, turn.id);
      return began;
    }
    return this.run(s, turn, model, began, origin, started);
  }

  /** Logs the user message (once) and marks the turn running, in one transaction, before the model is called. */
  private begin(s: Loaded, turn: Turn): Began {
    const { store, mirror, hub } = this.p;
    if (turn.status === "running") {
      this.current = turn.id;
      this.p.schedule("watchdog");
      const logged = turn.userSeq === null ? null : store.message(turn.userSeq);
      return { ok: true, input: logged?.content ?? null, userMessage: logged };
    }
    try {
      assertOpen(s.meta);
    } catch (err) {
      const problem = problemOf(err as DomainError);
      store.failTurn(turn.id, { status: problem.status, code: problem.code, detail: problem.detail, retryable: false });
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
    const meta = spoke(s.meta, now);
    mirror.commit(() => {
      store.appendMessage(message);
      store.startTurn(turn.id, message.seq);
      store.writeStatus(meta);
    });
    s.meta = meta;
    s.lastSeq = message.seq;
    this.current = turn.id;
    // The watchdog: if this activation dies before the commit, the alarm wakes a new one to re-run the turn.
    this.p.schedule("watchdog");
    hub.publish({ type: "message", ...messageView(message) }, message.seq, turn.id);
    return { ok: true, input: message.content, userMessage: message };
  }

  private async run(
    s: Loaded,
    turn: Turn,
    model: LanguageModelV3,
    { input, userMessage }: Extract<Began, { ok: true }>,
    origin: TurnOrigin,
    started: number,
  ): Promise<Outcome> {
    const { store, mirror, hub, events } = this.p;
    const changes: LoggedChange[] = [];
    const positions: Position[] = [];
    const safety: GradedFlag[] = [];
    const referrals: Referral[] = [];
    const guards: Guarded[] = [];
    let handoffReason: string | null = null;
    const confirmations: Confirmation[] = [];
    const traces: TurnDebug["traces"] = [];
    const diagnostics: NonNullable<TurnDebug["diagnostics"]> = [];
    /** Lines whose text reached clients as deltas: the ones a failed turn takes back. */
    const streamed = new Map<string, string>();
    const abort = new AbortController();
    this.running = abort;
    const r = await step(s.pinned.script, s.state, input, {
      model,
      templates: pinnedTemplates(s.pinned),
      debug: s.meta.debug,
      signal: abort.signal,
      maxContentChars: this.p.models.maxContentChars,
      crisisResources: this.p.models.crisisResources,
      crisisScript: pinnedCrisisScript(s.pinned),
      classifier: this.p.models.classifier,
      emit: (e) => {
        switch (e.type) {
          case "message.delta":
            // The attempt that streamed this line was dropped: clients drop its text before the new text comes.
            if (e.reset) hub.publish({ type: "delta_reset", messageId: e.messageId, actionId: e.actionId }, s.lastSeq, turn.id);
            if (e.text) {
              streamed.set(e.messageId, e.actionId);
              hub.publish({ type: "delta", messageId: e.messageId, actionId: e.actionId, text: e.text }, s.lastSeq, turn.id);
            }
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
            const { type: _t, ...raw } = e;
            const flag = { ...raw, level: levelOf(raw) };
            safety.push(flag);
            // At once, even if the turn fails: a client in crisis must see help without waiting for the model.
            hub.publish({ type: "safety", ...flag }, s.lastSeq, turn.id);
            break;
          }
          case "crisis_referral": {
            const { type: _t, ...referral } = e;
            referrals.push(referral);
            break;
          }
          case "guard": {
            // Its line was already retracted (the `delta_reset` above) and the message that follows holds the safe line:
            // nothing to send, only to count with the turn.
            const { type: _t, ...guarded } = e;
            guards.push(guarded);
            break;
          }
          case "crisis_confirmation": {
            const { type: _t, ...confirmation } = e;
            confirmations.push(confirmation);
            break;
          }
          case "diagnostic": {
            // Something for the author to fix (it names the script, never what anyone said): the debug trace, never clients.
            const { type: _t, ...diagnostic } = e;
            if (s.meta.debug) diagnostics.push(diagnostic);
            break;
          }
          case "handoff":
            handoffReason = e.reason;
            break;
          case "message":
            break;
        }
      },
    });
    this.running = null;
    this.current = null;
    this.p.cost.turn();
    this.p.spent?.(s.meta, turn.id, r.stats);
    const work: TurnWork = {
      stats: r.stats,
      model: model.modelId,
      levels: safety.map((f) => f.level),
      referrals: referrals.length,
      guarded: guards.length,
    };
    if (s.meta.erasing) {
      const problem = problemOf(sessionNotFound());
      events.emit(s.meta, turn.id, events.measure(origin, started, problem.code, work));
      return { ok: false, problem };
    }
    const now = Date.now();
    // Kept even when the turn fails: the client was flagged, and shown the resources, all the same.
    const records = safetyRecords({
      turnId: turn.id,
      flags: safety,
      referrals,
      guards,
      confirmations,
      locale: s.pinned.script.session.language ?? "zh-CN",
      userMessage,
      now,
    });
    const flagged = (m: Meta) => riskRaised(m, highest(safety.map((f) => f.level)), now);

    if (r.status === "error") {
      const error = stepProblem(r.error!);
      const meta = flagged(failed(s.meta, now));
      const metrics = events.measure(origin, started, error.code, work);
      mirror.commit(() => {
        store.failTurn(turn.id, { ...error, metrics });
        store.writeStatus(meta);
        // The user's message is kept and mirrored; a failed opening turn has none (and its session is dropped).
        if (userMessage) store.addOutbox(turn.id, [], now, records);
      });
      s.meta = meta;
      if (userMessage) events.emit(s.meta, turn.id, metrics);
      else events.record(s.meta, turn.id, metrics);
      if (guards.length) logGuards(s.meta.sessionId, turn.id, guards);
      this.p.committed?.(s, null);
      const problem = storedProblem(error, turn.clientMessageId);
      // No line of a failed turn is committed: what was streamed of them is taken back before the error.
      for (const [messageId, actionId] of streamed) hub.publish({ type: "delta_reset", messageId, actionId }, s.lastSeq, turn.id);
      hub.publish(errorFrame(problem), s.lastSeq, turn.id);
      if (userMessage) void mirror.flush();
      return { ok: false, problem };
    }

    const logged: StoredMessage[] = r.messages.map((m, i) => ({
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
    const messages = flaggedMessages(logged, safety);
    const meta = flagged(answered(s.meta, r.status === "completed", now));
    const stored: StoredResult = {
      aiFrom: s.lastSeq + 1,
      aiTo: s.lastSeq + messages.length,
      status: meta.executionStatus,
      sessionStatus: meta.status,
      position: r.state.position,
      variables: flatVariables(r.state),
      safety,
    };
    const debug: TurnDebug | undefined = meta.debug ? { turn: turn.id, traces, variableChanges: changes, positions, diagnostics } : undefined;
    const metrics = events.measure(origin, started, null, work);
    mirror.commit(() => {
      for (const m of messages) store.appendMessage(m);
      store.writeState(meta, r.state);
      store.finishTurn(turn.id, { ...stored, metrics });
      store.addOutbox(turn.id, changes, now, records);
      if (debug) store.addDebug(debug);
    });
    s.meta = meta;
    s.state = r.state;
    s.lastSeq += messages.length;
    events.emit(s.meta, turn.id, metrics);

    const views = messages.map(messageView);
    for (const m of views) hub.publish({ type: "message", ...m }, m.seq, turn.id);
    hub.publish(stateFrame(s.meta, s.state.position, s.lastSeq), s.lastSeq, turn.id);
    if (debug) hub.publish({ type: "debug", ...debug }, s.lastSeq, turn.id);
    // The script has ended: nothing more will come on GET /events.
    if (meta.status === "completed") hub.endListeners();
    if (guards.length) logGuards(s.meta.sessionId, turn.id, guards);
    this.p.committed?.(s, handoffReason);
    void mirror.flush();
    return { ok: true, result: resultView(stored, views, userMessage, debug) };
  }
}

/** How many of the turn's lines the output guard replaced, and how: ids and counts, never a line. */
function logGuards(sessionId: string, turn: number, guards: Guarded[]): void {
  const canned = guards.filter((g) => g.action === "canned").length;
  log({ level: "info", msg: "output guard replaced lines", sessionId, turn, rewritten: guards.length - canned, canned });
}
