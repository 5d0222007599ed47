/**
 * Reconcile: the actor compares its log with what D1 holds and re-sends what
 * is missing. The mirror's own progress (`mirroredSeq`) cannot see a hole D1
 * got from underneath it (a Time Travel restore that took rows back, rows
 * deleted by hand): here D1 is asked which seqs it has. What is re-sent is
 * what the actor still keeps: the session row, the missing messages, the
 * script and template texts, the safety log. Variable changes already sent
 * are not kept by the actor (their outbox entries are gone), so those lost
 * from D1 stay lost.
 */
import { enterSession } from "../../store/sessions/directory";
import { writeMirror } from "../../store/sessions/mirror";
import { mirroredSeqs } from "../../store/sessions/reconcile";
import type { CountedBindings } from "../instrumentation";
import type { Loaded } from "../load/loader";
import type { MirrorReport } from "../rpc";
import type { SessionStorage } from "../storage/tables";
import { MIRROR_CHUNK } from "./outbox";
import { mirrorBatch } from "./rows";

/** Runs of consecutive seqs, as [first, last] pairs. */
function runs(seqs: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const seq of seqs) {
    const last = out.at(-1);
    if (last && last[1] === seq - 1) last[1] = seq;
    else out.push([seq, seq]);
  }
  return out;
}

/** The report for an id this actor holds no session under (erased, or never created). */
export const notHeld = (sessionId: string): MirrorReport => ({
  sessionId,
  found: false,
  lastSeq: 0,
  d1: { row: false, lastSeq: null, messages: 0 },
  gaps: [],
  repaired: 0,
});

/** The session's D1 copy against its log; with `repair`, what is missing is sent (in batches of MIRROR_CHUNK messages). */
export async function reconcile(io: CountedBindings, store: SessionStorage, s: Loaded, repair: boolean): Promise<MirrorReport> {
  const { rowLastSeq, seqs } = await mirroredSeqs(io.DB, s.meta.sessionId);
  const have = new Set(seqs);
  const missing: number[] = [];
  for (let seq = 1; seq <= s.lastSeq; seq++) if (!have.has(seq)) missing.push(seq);
  const rowBehind = rowLastSeq === null || rowLastSeq < s.lastSeq;
  const report: MirrorReport = {
    sessionId: s.meta.sessionId,
    found: true,
    lastSeq: s.lastSeq,
    d1: { row: rowLastSeq !== null, lastSeq: rowLastSeq, messages: seqs.length },
    gaps: runs(missing),
    repaired: 0,
  };
  if (!repair || (!missing.length && !rowBehind)) return report;
  const lastTurn = store.lastTurnId();
  const texts = { ...s.meta, mirroredSeq: 0 };
  const safety = [{ id: 0, turnId: null, changes: [], safety: store.safetyLog(), createdAt: s.meta.updatedAt }];
  // The first batch carries the row, the texts and the safety log (all idempotent), so a session D1 lost entirely comes back whole.
  for (let i = 0; i === 0 || i < missing.length; i += MIRROR_CHUNK) {
    const log = runs(missing.slice(i, i + MIRROR_CHUNK)).flatMap(([from, to]) => store.messages(from - 1, to));
    await writeMirror(io.DB, mirrorBatch({ ...s, meta: i === 0 ? texts : s.meta, lastTurn, log, outbox: i === 0 ? safety : [], turns: [] }));
    report.repaired += log.length;
  }
  // The directory entry may be what was lost (a KV write that failed at the start): putting it again is harmless.
  await enterSession(io.CACHE, { ...s.meta, createdAt: s.meta.createdAt });
  return report;
}
