/**
 * Signed webhook deliveries that survive the object sending them: each event
 * is stored (by its id) in the sender's Durable Object SQLite before it is
 * sent, sent with the one signature (signature.ts), and retried with backoff
 * from that object's alarm until the receiver answers 2xx. An event id seen
 * before is not stored or sent again, so an event raised twice (a retried
 * call, an activation after an eviction) reaches the receiver once; receivers
 * still dedupe on `HeartRule-Event-Id`, since a delivery whose answer was lost
 * is sent again.
 *
 * The counselor queue (src/dispatch) uses it; the operator alerts (src/ops/alerts.ts), whose
 * incidents live in D1, send with `sendSigned` alone.
 */
import { eventIdHeader, signatureHeader, signPayload } from "./signature";

export interface WebhookTarget {
  url: string;
  secret: string;
}

/** Deliveries given up after this many attempts (about 17 minutes of backoff in all). */
export const MAX_ATTEMPTS = 10;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;
/** A receiver that does not answer in this long counts as a failed attempt. */
const SEND_TIMEOUT_MS = 10_000;

/** Backoff after the nth failed attempt: 1 s, 2 s, 4 s … capped at 5 min. */
export const backoff = (attempts: number) => Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);

export type DeliveryState = "pending" | "delivered" | "failed";

export interface Delivery {
  eventId: string;
  /** The exact JSON text that is signed and sent. */
  body: string;
  state: DeliveryState;
  attempts: number;
  nextAt: number | null;
  /** The receiver's last HTTP status (null: no answer, or not tried yet). */
  lastStatus: number | null;
}

const TABLE = `
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  eventId TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  nextAt INTEGER,
  lastStatus INTEGER,
  createdAt INTEGER NOT NULL
)`;

/**
 * One signed POST of `body` under `eventId`: the receiver's HTTP status, or null when it did not answer.
 * Never throws; the body of the answer is not read.
 */
export async function sendSigned(
  target: WebhookTarget,
  eventId: string,
  body: string,
  options: { send?: typeof fetch; signal?: AbortSignal } = {},
): Promise<number | null> {
  const send = options.send ?? ((input, init) => fetch(input, init));
  try {
    const res = await send(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [eventIdHeader]: eventId,
        [signatureHeader]: await signPayload(target.secret, body, Date.now() / 1000),
        "user-agent": "HeartRule-Webhook/1",
      },
      body,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await res.body?.cancel();
    return res.status;
  } catch {
    return null;
  }
}

export class WebhookOutbox {
  private sending: Promise<void> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    /** Null: no webhook is configured; events are not stored. */
    private readonly target: WebhookTarget | null,
    private readonly send: typeof fetch = (input, init) => fetch(input, init),
  ) {
    sql.exec(TABLE);
  }

  /** Stores the event for delivery; false when no webhook is configured or this event id was stored before. */
  enqueue(eventId: string, payload: object, now = Date.now()): boolean {
    if (!this.target) return false;
    const body = JSON.stringify({ id: eventId, ...payload });
    const cursor = this.sql.exec(
      "INSERT OR IGNORE INTO webhook_deliveries (eventId, body, state, attempts, nextAt, lastStatus, createdAt) VALUES (?, ?, 'pending', 0, ?, NULL, ?)",
      eventId,
      body,
      now,
      now,
    );
    return cursor.rowsWritten > 0;
  }

  delivery(eventId: string): Delivery | null {
    return (this.sql.exec("SELECT * FROM webhook_deliveries WHERE eventId = ?", eventId).toArray()[0] as unknown as Delivery | undefined) ?? null;
  }

  /** When the next pending delivery is due (null: none is). */
  nextAttemptAt(): number | null {
    const row = this.sql.exec<{ at: number | null }>("SELECT min(nextAt) AS at FROM webhook_deliveries WHERE state = 'pending'").one();
    return row.at;
  }

  /** Sends every delivery due by `now`, one at a time; concurrent calls share one pass. Never throws. */
  deliverDue(now = Date.now()): Promise<void> {
    this.sending ??= this.pass(now).finally(() => (this.sending = null));
    return this.sending;
  }

  private async pass(now: number): Promise<void> {
    if (!this.target) return;
    const due = this.sql
      .exec<{ eventId: string }>("SELECT eventId FROM webhook_deliveries WHERE state = 'pending' AND nextAt <= ? ORDER BY createdAt", now)
      .toArray();
    for (const { eventId } of due) {
      const d = this.delivery(eventId);
      if (d?.state === "pending") await this.attempt(this.target, d);
    }
  }

  private async attempt(target: WebhookTarget, d: Delivery): Promise<void> {
    // No answer (null) counts as a failed attempt below.
    const status = await sendSigned(target, d.eventId, d.body, { send: this.send, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
    const attempts = d.attempts + 1;
    const ok = status !== null && status >= 200 && status < 300;
    const state: DeliveryState = ok ? "delivered" : attempts >= MAX_ATTEMPTS ? "failed" : "pending";
    const nextAt = state === "pending" ? Date.now() + backoff(attempts) : null;
    this.sql.exec(
      "UPDATE webhook_deliveries SET state = ?, attempts = ?, nextAt = ?, lastStatus = ? WHERE eventId = ?",
      state,
      attempts,
      nextAt,
      status,
      d.eventId,
    );
  }
}
