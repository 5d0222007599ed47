import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { decode, sign, verify, verifyWithJwks } from "hono/jwt";
import { getConfig, type Config } from "../config";
import type { AppEnv } from "./types";
import { DomainError } from "../errors";
import { providerKeys } from "./jwks";
import { HttpProblem } from "./problem";
import { RoleSchema, roles, type AuthUser, type Role } from "./user";

/** Still importable from here, next to the functions that verify and mint them. */
export type { AuthUser, Role } from "./user";

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  role: RoleSchema,
});

/** How far the issuer's clock may be from the Worker's, either way, when `exp`, `nbf` and `iat` are checked. */
export const CLOCK_SKEW_SECONDS = 60;

// `exp` is required: a token without one would never expire. `nbf` and `iat` are checked when present.
const timeClaimsSchema = z.object({
  exp: z.number().finite(),
  nbf: z.number().finite().optional(),
  iat: z.number().finite().optional(),
});

/** The development token's life: short, because the pages and `heartrule chat` mint a new one before it runs out. */
export const DEV_TOKEN_TTL_SECONDS = 15 * 60;

function checkTimeClaims(payload: unknown, nowSeconds: number): void {
  const times = timeClaimsSchema.safeParse(payload);
  if (!times.success) {
    throw unauthenticated("INVALID_TOKEN", "The access token must carry a numeric `exp`; `nbf` and `iat`, when present, must be numbers.");
  }
  const { exp, nbf, iat } = times.data;
  if (exp + CLOCK_SKEW_SECONDS <= nowSeconds) throw unauthenticated("TOKEN_EXPIRED", "The access token has expired; sign in again.");
  if (nbf !== undefined && nbf - CLOCK_SKEW_SECONDS > nowSeconds) throw unauthenticated("INVALID_TOKEN", "The access token is not valid yet.");
  if (iat !== undefined && iat - CLOCK_SKEW_SECONDS > nowSeconds)
    throw unauthenticated("INVALID_TOKEN", "The access token was issued in the future.");
}

const asymmetric = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] as const;

const challenge = { "www-authenticate": 'Bearer realm="heartrule"' };

function unauthenticated(code: "UNAUTHENTICATED" | "INVALID_TOKEN" | "TOKEN_EXPIRED", detail: string): HttpProblem {
  return new HttpProblem(code, detail, challenge);
}

/** The `kid` a token names; undefined when its header cannot be read (verification then refuses it). */
function keyIdOf(token: string): string | undefined {
  try {
    const { kid } = decode(token).header as { kid?: unknown };
    return typeof kid === "string" ? kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a bearer token and returns its user; throws a 401 DomainError otherwise, or
 * 503 IDENTITY_PROVIDER_UNAVAILABLE when the JWKS_URL keys cannot be had to check it with.
 */
export async function verifyToken(token: string, config: Config): Promise<AuthUser> {
  // The time claims are checked below, with a clock skew hono's checks do not allow.
  const verification = {
    exp: false,
    nbf: false,
    iat: false,
    ...(config.JWT_ISSUER ? { iss: config.JWT_ISSUER } : {}),
    ...(config.JWT_AUDIENCE ? { aud: config.JWT_AUDIENCE } : {}),
  };
  let payload: unknown;
  try {
    if (config.JWKS_URL) {
      payload = await verifyWithJwks(token, {
        keys: await providerKeys(config.JWKS_URL, keyIdOf(token), config.JWKS_CACHE_SECONDS),
        allowedAlgorithms: asymmetric,
        verification,
      });
    } else if (config.JWT_SECRET) {
      payload = await verify(token, config.JWT_SECRET, { alg: "HS256", ...verification });
    } else {
      throw new DomainError("CONFIG_INVALID", "Token verification is not configured (set JWT_SECRET or JWKS_URL).");
    }
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw unauthenticated("INVALID_TOKEN", "The access token could not be verified.");
  }
  checkTimeClaims(payload, Math.floor(Date.now() / 1000));
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    throw unauthenticated("INVALID_TOKEN", `The access token must carry a \`sub\` and a \`role\` (${roles.join(", ")}).`);
  }
  return { id: claims.data.sub, role: claims.data.role };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * Requires a valid bearer token; with `allowed`, also one of those roles.
 * The verified user is stored as `c.var.user`.
 */
export function requireAuth(...allowed: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    const token = bearerToken(header);
    if (!token) {
      throw unauthenticated(
        header ? "INVALID_TOKEN" : "UNAUTHENTICATED",
        header ? "Use `Authorization: Bearer <token>`." : "Send `Authorization: Bearer <token>`.",
      );
    }
    const user = await verifyToken(token, getConfig(c.env));
    if (allowed.length > 0 && !allowed.includes(user.role)) {
      throw new DomainError("FORBIDDEN", `This needs one of the roles: ${allowed.join(", ")}.`);
    }
    c.set("user", user);
    await next();
  });
}

/** HS256 token for local development and tests. */
export async function mintToken(user: AuthUser, secret: string, ttlSeconds = DEV_TOKEN_TTL_SECONDS): Promise<{ token: string; expiresAt: string }> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + ttlSeconds;
  const token = await sign({ sub: user.id, role: user.role, iat: now, exp }, secret, "HS256");
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** The user `requireAuth` verified; routes without it have none. */
export function currentUser(c: Context<AppEnv>): AuthUser {
  const user = c.get("user");
  if (!user) throw unauthenticated("UNAUTHENTICATED", "Send `Authorization: Bearer <token>`.");
  return user;
}

export const bearerSecurity = [{ bearerAuth: [] as string[] }];

/** A route anyone may call without a token (OpenAPI `security: []`); such routes also count requests per address (limitPublicRoute). */
export const publicSecurity: (typeof bearerSecurity)[number][] = [];
