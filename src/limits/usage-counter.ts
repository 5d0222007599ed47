/**
 * UsageCounter: one Durable Object per project and UTC day, named
 * `<projectId>:<day>`, holding the tokens the project's sessions spent that
 * day. A Durable Object rather than a D1 row because every session of the
 * project adds to the same number at once: the object takes one call at a
 * time, so no add is lost to a race and a check reads the latest total from
 * memory (no D1 query in the turn path), and adds are idempotent by key, so
 * a call retried after a lost answer counts once. Its own alarm erases it
 * once its day is long over.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config";
import type { UsageCounterRpc } from "./usage-rpc";

/** A day's counter is kept this long after the day began (so a late add near midnight still finds its day), then erased. */
const KEEP_MS = 2 * 24 * 60 * 60 * 1000;

export class UsageCounter extends DurableObject<Env> implements UsageCounterRpc {
  private tokens = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS spent (key TEXT PRIMARY KEY, tokens INTEGER NOT NULL, at INTEGER NOT NULL)");
    this.tokens = Number(sql.exec<{ n: number | null }>("SELECT sum(tokens) AS n FROM spent").one().n ?? 0);
  }

  async total(): Promise<number> {
    return this.tokens;
  }

  async add(key: string, tokens: number): Promise<number> {
    const count = Math.max(0, Math.round(tokens));
    const { rowsWritten } = this.ctx.storage.sql.exec("INSERT OR IGNORE INTO spent (key, tokens, at) VALUES (?, ?, ?)", key, count, Date.now());
    if (rowsWritten > 0) this.tokens += count;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + KEEP_MS);
    return this.tokens;
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.tokens = 0;
  }
}
