/**
 * The yearly safety report's counts (the shape California SB 243 asks operators to report): safety flags,
 * the crisis protocol's confirmations, crisis referrals and output-guard actions per calendar month (UTC)
 * and locale, from the D1 mirror. Counts only: no session, user or message appears in the answer.
 */
import { and, gte, lt, sql } from "drizzle-orm";
import { database } from "../db";
import { crisisConfirmations, crisisReferrals, guardActions, safetyFlags } from "../schema";

export interface SafetyReportRow {
  /** YYYY-MM */
  month: string;
  locale: string;
  detections: number;
  /** Answers to the protocol's question about safety that showed a current risk. */
  confirmations: number;
  /** Answers to it read as no current risk. */
  denials: number;
  /** Answers to it nothing could be read from. */
  unclear: number;
  referrals: number;
  /** Lines the output guard replaced before a client kept them. */
  guardActions: number;
}

type CreatedAt = (typeof safetyFlags | typeof crisisReferrals | typeof guardActions | typeof crisisConfirmations)["createdAt"];

const month = (column: CreatedAt) => sql<string>`strftime('%Y-%m', ${column} / 1000, 'unixepoch')`;

/** Months from `from` through `to` (both YYYY-MM, inclusive), oldest first, then by locale; months without records are left out. */
export async function safetyReport(d1: D1Database, from: string, to: string): Promise<SafetyReportRow[]> {
  const db = database(d1);
  const start = monthStart(from);
  const end = monthStart(to, 1);
  const [flags, confirmations, referrals, guards] = await db.batch([
    db
      .select({
        month: month(safetyFlags.createdAt),
        locale: safetyFlags.locale,
        detections: sql<number>`sum(${safetyFlags.level} IN ('low', 'high', 'imminent'))`,
      })
      .from(safetyFlags)
      .where(and(gte(safetyFlags.createdAt, start), lt(safetyFlags.createdAt, end)))
      .groupBy(sql`1`, sql`2`),
    db
      .select({
        month: month(crisisConfirmations.createdAt),
        locale: crisisConfirmations.locale,
        confirmations: sql<number>`sum(${crisisConfirmations.outcome} = 'confirmed')`,
        denials: sql<number>`sum(${crisisConfirmations.outcome} = 'denied')`,
        unclear: sql<number>`sum(${crisisConfirmations.outcome} = 'unclear')`,
      })
      .from(crisisConfirmations)
      .where(and(gte(crisisConfirmations.createdAt, start), lt(crisisConfirmations.createdAt, end)))
      .groupBy(sql`1`, sql`2`),
    db
      .select({ month: month(crisisReferrals.createdAt), locale: crisisReferrals.locale, referrals: sql<number>`count(*)` })
      .from(crisisReferrals)
      .where(and(gte(crisisReferrals.createdAt, start), lt(crisisReferrals.createdAt, end)))
      .groupBy(sql`1`, sql`2`),
    db
      .select({ month: month(guardActions.createdAt), locale: guardActions.locale, guardActions: sql<number>`count(*)` })
      .from(guardActions)
      .where(and(gte(guardActions.createdAt, start), lt(guardActions.createdAt, end)))
      .groupBy(sql`1`, sql`2`),
  ]);
  const rows = new Map<string, SafetyReportRow>();
  const row = (m: string, locale: string) => {
    const key = `${m} ${locale}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { month: m, locale, detections: 0, confirmations: 0, denials: 0, unclear: 0, referrals: 0, guardActions: 0 }));
    return r;
  };
  for (const f of flags) row(f.month, f.locale).detections = f.detections;
  for (const { month: m, locale, ...counts } of confirmations) Object.assign(row(m, locale), counts);
  for (const r of referrals) row(r.month, r.locale).referrals = r.referrals;
  for (const g of guards) row(g.month, g.locale).guardActions = g.guardActions;
  return [...rows.values()]
    .filter((r) => r.detections + r.confirmations + r.denials + r.unclear + r.referrals + r.guardActions > 0)
    .sort((a, b) => a.month.localeCompare(b.month) || a.locale.localeCompare(b.locale));
}

/** The first instant (UTC) of the month `ym` (YYYY-MM), or of the month `after` months later. */
function monthStart(ym: string, after = 0): Date {
  const [y, m] = ym.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + after, 1));
}
