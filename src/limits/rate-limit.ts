/**
 * Rate limits, through the Workers Rate Limiting binding (one binding per
 * limiter, `[[ratelimits]]` in wrangler.toml; miniflare emulates them
 * locally). Counts are per Cloudflare location and approximate, which is what
 * the binding offers: enough to stop a runaway client or script from spending
 * the model budget, not an exact quota (budgets are that).
 */
import { createMiddleware } from "hono/factory";
import type { Env } from "../config";
import { DomainError } from "../errors";
import type { AppEnv } from "../http/types";
import { log } from "../log";

/**
 * Every limiter's `period` in wrangler.toml. The binding does not say when a
 * key will be let through again, so `Retry-After` is one whole window.
 */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/** The limiters and their bindings: session starts and messages per user, requests per address on the public routes. */
export const limiterBindings = {
  sessionStarts: "RATE_LIMIT_SESSION_STARTS",
  messages: "RATE_LIMIT_MESSAGES",
  publicRoutes: "RATE_LIMIT_PUBLIC",
} as const satisfies Record<string, keyof Env>;

export type Limiter = keyof typeof limiterBindings;

const counted: Record<Limiter, string> = {
  sessionStarts: "sessions started by this user",
  messages: "messages sent by this user",
  publicRoutes: "requests from this address",
};

/**
 * Counts one request of `key` against the limiter; throws RATE_LIMITED
 * (with `retryAfter`) once the key is over it. Nothing else happens before
 * it throws, so a limited request changes nothing. Without the binding (a
 * deployment that leaves it out) nothing is limited; a failing binding lets
 * the request through: its outage must not take the API down with it.
 */
export async function countRequest(env: Env, limiter: Limiter, key: string): Promise<void> {
  const binding = env[limiterBindings[limiter]];
  if (!binding) return;
  let success: boolean;
  try {
    ({ success } = await binding.limit({ key }));
  } catch (err) {
    log({ level: "warn", msg: "rate limiter failed", fields: [limiterBindings[limiter]], error: err instanceof Error ? err.name : "unknown" });
    return;
  }
  if (!success) {
    throw new DomainError("RATE_LIMITED", `Too many ${counted[limiter]}; try again in ${RATE_LIMIT_PERIOD_SECONDS} seconds.`, {
      retryAfter: RATE_LIMIT_PERIOD_SECONDS,
      limiter,
    });
  }
}

/**
 * The address a request is counted under: Cloudflare's `CF-Connecting-IP`
 * (set by the edge, and by `wrangler dev`), an IPv6 address by its /64, which
 * one subscriber usually holds whole. Null without the header (a request that
 * did not come through Cloudflare: tests calling the app directly).
 */
export function clientAddress(header: string | undefined): string | null {
  const ip = header?.trim();
  if (!ip) return null;
  if (!ip.includes(":")) return ip;
  const [head = "", tail] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** The public routes (no token) count each request per address. */
export const limitPublicRoute = createMiddleware<AppEnv>(async (c, next) => {
  const address = clientAddress(c.req.header("cf-connecting-ip"));
  if (address) await countRequest(c.env, "publicRoutes", address);
  await next();
});

/** Counts each request of the verified user (after requireAuth) against `limiter`. */
export function limitPerUser(limiter: Exclude<Limiter, "publicRoutes">) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const user = c.get("user");
    if (user) await countRequest(c.env, limiter, user.id);
    await next();
  });
}
