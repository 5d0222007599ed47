/**
 * The signature every outgoing webhook of HeartRule carries (counselor handoffs, operator
 * alerts), so a receiver can tell our calls from anyone else's and refuse replays.
 *
 *   HeartRule-Event-Id: <id>            the same id on every retry of one event (dedupe on it)
 *   HeartRule-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The shape follows the widely used Stripe-style scheme so receivers' existing verifiers fit.
 * Web Crypto only: it runs in the Worker, the CLI and Node tests alike.
 */
export const signatureHeader = "HeartRule-Signature";
export const eventIdHeader = "HeartRule-Event-Id";

/** How old a signed timestamp a receiver should accept, in seconds (clock skew plus retries in flight). */
export const defaultToleranceS = 300;

const encoder = new TextEncoder();

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The header value for `body` sent at `nowS` (unix seconds). */
export async function signPayload(secret: string, body: string, nowS: number): Promise<string> {
  const t = Math.floor(nowS);
  return `t=${t},v1=${await hmacHex(secret, `${t}.${body}`)}`;
}

/** Equal-length strings compared without an early exit, so timing does not reveal a prefix. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: "malformed" | "mismatch" | "stale" };

/** What a receiver does with a delivery: the reference check the docs and tests use. */
export async function verifyPayload(
  secret: string,
  body: string,
  header: string | null | undefined,
  nowS: number,
  toleranceS = defaultToleranceS,
): Promise<SignatureCheck> {
  const parts = new Map(
    (header ?? "").split(",").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get("t"));
  const given = parts.get("v1");
  if (!Number.isInteger(t) || !given || !/^[0-9a-f]{64}$/.test(given)) return { ok: false, reason: "malformed" };
  if (!constantTimeEqual(given, await hmacHex(secret, `${t}.${body}`))) return { ok: false, reason: "mismatch" };
  if (Math.abs(nowS - t) > toleranceS) return { ok: false, reason: "stale" };
  return { ok: true, timestamp: t };
}
