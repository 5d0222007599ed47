/** Shared by the limit tests: a fresh rate-limit window, and sessions enough turns long to spend a budget. */
import { RATE_LIMIT_PERIOD_SECONDS } from "../../src/limits/rate-limit";
import { tinyScript } from "../session/helpers";

/**
 * Miniflare's rate limiter counts in windows aligned to the clock: a test
 * that counts to the limit starts with most of a window ahead of it, so a
 * window boundary cannot reset its count half-way.
 */
export async function freshWindow(needMs = 8000): Promise<void> {
  const periodMs = RATE_LIMIT_PERIOD_SECONDS * 1000;
  const left = periodMs - (Date.now() % periodMs);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}

/** A script of `n` lines, each waiting for a reply: a session that can take n - 1 turns after its opening. */
export function longScript(id: string, n = 15): string {
  return tinyScript(
    id,
    Array.from({ length: n }, (_, i) => `Line ${i + 1}.`),
  );
}
