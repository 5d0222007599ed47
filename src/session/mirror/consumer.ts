/**
 * The mirror queue's consumer (the Worker's `queue` handler): the sends of
 * many sessions, delivered together, written in as few D1 batches as D1's
 * limits allow, then confirmed to each session's actor so it can let its
 * outbox entries go.
 *
 * Delivery is at least once and in no particular order, which the statements
 * make harmless (store/sessions/mirror.ts): rows are inserted once, the
 * session row only moves forward, and nothing is written for a session whose
 * erasure marker exists. A message is acknowledged only once D1 holds it; one
 * that cannot be written is delivered again, and should it never be, its
 * actor's alarm writes the same entries to D1 itself (they stay in its outbox
 * until confirmed).
 */
import type { Env } from "../../config";
import { log } from "../../log";
import { mirrorRows, mirrorStatements } from "../../store/sessions/mirror";
import { sessionActor } from "../placement";
import { mirrorMessageSchema, type MirrorMessage } from "./message";

/**
 * Rows per D1 batch, and per invocation. D1 allows 1,000 queries per Worker invocation (Workers
 * Paid; 50 on Free), each statement of a batch one, and binds 100 parameters per statement, so a
 * statement holds three rows of the widest table (sessions) and more of the others: 1,500 rows are
 * 500 statements at most. What a delivery holds past the invocation's share is delivered again.
 */
export const D1_BATCH_ROWS = 1_500;
export const INVOCATION_ROWS = 2_700;
/** A message D1 refused is delivered again after this long, not at once into the same failure. */
const RETRY_DELAY_S = 5;

/** What this isolate's consumer has written: read by the benchmark (src/bench/mirror.ts). */
export const consumerCounts = { d1Batches: 0, statements: 0, messages: 0 };

interface Writable {
  message: Message<unknown>;
  body: MirrorMessage;
  rows: number;
}

async function write(db: D1Database, items: readonly Writable[], now: Date): Promise<boolean> {
  const statements = mirrorStatements(
    db,
    items.map((i) => i.body.batch),
    now,
  );
  consumerCounts.d1Batches++;
  consumerCounts.statements += statements.length;
  try {
    await db.batch(statements);
    return true;
  } catch (err) {
    log({ level: "warn", msg: "mirror queue batch failed", messages: items.length, error: err instanceof Error ? err.name : "unknown" });
    return false;
  }
}

/** Consecutive messages in groups of at most D1_BATCH_ROWS rows; a larger message goes alone. */
function chunks(items: readonly Writable[]): Writable[][] {
  const out: Writable[][] = [];
  let size = Infinity;
  for (const item of items) {
    if (size + item.rows > D1_BATCH_ROWS) {
      out.push([]);
      size = 0;
    }
    out.at(-1)!.push(item);
    size += item.rows;
  }
  return out;
}

export async function consumeMirror(
  batch: MessageBatch<unknown>,
  env: Pick<Env, "DB" | "SESSION_ACTOR">,
  ctx: Pick<ExecutionContext, "waitUntil">,
): Promise<void> {
  const now = new Date();
  const items: Writable[] = [];
  let budget = INVOCATION_ROWS;
  for (const message of batch.messages) {
    const parsed = mirrorMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      // Never writable, however often it comes: the sender's alarm covers what it held.
      log({ level: "warn", msg: "mirror queue message unreadable", attempts: message.attempts });
      message.ack();
      continue;
    }
    const rows = mirrorRows(parsed.data.batch);
    if (rows > budget && items.length) {
      message.retry();
      continue;
    }
    budget -= rows;
    items.push({ message, body: parsed.data, rows });
  }
  const written: Writable[] = [];
  for (const chunk of chunks(items)) {
    if (await write(env.DB, chunk, now)) {
      written.push(...chunk);
      continue;
    }
    // One refused message must not hold back the others: each is tried alone.
    for (const item of chunk.length > 1 ? chunk : []) {
      if (await write(env.DB, [item], now)) written.push(item);
      else item.message.retry({ delaySeconds: RETRY_DELAY_S });
    }
    if (chunk.length === 1) chunk[0]!.message.retry({ delaySeconds: RETRY_DELAY_S });
  }
  for (const item of written) item.message.ack();
  consumerCounts.messages += written.length;
  // After the acknowledgements: an actor out of reach costs a confirmation, never a redelivery.
  ctx.waitUntil(confirm(env, written));
}

/** Tells each actor which of its sends D1 holds; an actor out of reach finds out from its alarm instead. */
async function confirm(env: Pick<Env, "SESSION_ACTOR">, written: readonly Writable[]): Promise<void> {
  const bySession = new Map<string, string[]>();
  for (const { body } of written) bySession.set(body.sessionId, [...(bySession.get(body.sessionId) ?? []), body.token]);
  const results = await Promise.allSettled(
    [...bySession].map(async ([sessionId, tokens]) => sessionActor(env, sessionId).mirrorDelivered(sessionId, tokens)),
  );
  const unconfirmed = results.filter((r) => r.status === "rejected").length;
  if (unconfirmed) log({ level: "warn", msg: "mirror queue confirmations failed", sessions: unconfirmed });
}
