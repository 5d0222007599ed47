/**
 * A bearer token that is minted again shortly before it runs out. Development
 * tokens live minutes (the server's DEV_TOKEN_TTL_SECONDS), so a terminal chat
 * or an open page that outlives one asks for the next on its own.
 */

/** How long before `expiresAt` a token counts as spent, so no request arrives with one that ran out on the way. */
export const RENEW_MARGIN_MS = 60_000;

export interface MintedToken {
  token: string;
  /** ISO 8601, as POST /api/auth/dev-token answers it. */
  expiresAt: string;
}

/** Returns the current token, minting one through `mint` first when there is none or it is about to expire. */
export function renewingToken(mint: () => Promise<MintedToken>, now: () => number = Date.now): () => Promise<string> {
  let current: { token: string; expiresAt: number } | null = null;
  // Callers that ask while a token is being minted wait for that one instead of minting their own.
  let pending: Promise<string> | null = null;
  return () => {
    if (current && current.expiresAt - RENEW_MARGIN_MS > now()) return Promise.resolve(current.token);
    pending ??= mint()
      .then(({ token, expiresAt }) => {
        current = { token, expiresAt: Date.parse(expiresAt) };
        return token;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };
}

/** A JWT's claims, read and not verified (the server verifies); null when the token cannot be read. */
export function jwtClaims(token: string): Record<string, unknown> | null {
  try {
    const payload = token.split(".")[1] ?? "";
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    return claims !== null && typeof claims === "object" ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Whether a JWT's `exp` has passed. A token without a readable `exp` counts as live, so the server's answer decides. */
export function jwtExpired(token: string, now: () => number = Date.now): boolean {
  const exp = jwtClaims(token)?.exp;
  return typeof exp === "number" && exp * 1000 <= now();
}
