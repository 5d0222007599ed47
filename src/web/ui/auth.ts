/**
 * Where the page's bearer token comes from.
 *
 * 1. A token handed to the page: `/#token=<JWT>` (the fragment never reaches
 *    the server). It is moved to sessionStorage and the fragment is removed.
 *    This is how a deployer plugs in an identity provider: its login flow
 *    redirects here with the JWT it issued (verified by JWKS_URL).
 * 2. In development only: a token the page mints itself through
 *    POST /api/auth/dev-token for an anonymous id kept in localStorage
 *    (the author view asks first: "development sign-in").
 * A token about to run out counts as none, so the next call mints a fresh
 * development token for the same id (they live minutes).
 * Tokens live in sessionStorage (gone with the tab) and are sent only as the
 * Authorization header, and on the WebSocket as its `bearer.<token>` subprotocol (never in its URL).
 */
import { Api, ApiError, type Role } from "../client/api";
import { jwtClaims, RENEW_MARGIN_MS } from "../client/renewing-token";

interface Stored {
  token: string;
  expiresAt: number;
}

const HANDED = "heartrule.token";

function read(key: string): Stored | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(key) ?? "null") as Stored | null;
    return stored && stored.expiresAt - RENEW_MARGIN_MS > Date.now() ? stored : null;
  } catch {
    return null;
  }
}

function write(key: string, stored: Stored): void {
  sessionStorage.setItem(key, JSON.stringify(stored));
}

/** Expiry of a JWT from its `exp` claim (the signature is the server's business). */
function expiryOf(token: string): number {
  const claims = jwtClaims(token);
  if (!claims) return 0;
  return typeof claims.exp === "number" ? claims.exp * 1000 : Date.now() + 3_600_000;
}

/** Takes `#token=` out of the address bar into sessionStorage. Call once, first thing. */
export function adoptHandedToken(): void {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  if (!token) return;
  write(HANDED, { token, expiresAt: expiryOf(token) });
  params.delete("token");
  const rest = params.toString();
  history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
}

/** An anonymous, stable id for development sign-in; nothing personal. */
function anonymousId(prefix: string): string {
  const key = `heartrule.${prefix}Id`;
  let id = localStorage.getItem(key);
  if (!id) {
    id = `${prefix}-${crypto.randomUUID()}`;
    localStorage.setItem(key, id);
  }
  return id;
}

export class PageAuth {
  private readonly devKey: string;
  /** Whether dev sign-in may happen without asking (the chat page) or waits for a click (the author view). */
  constructor(
    private readonly api: Api,
    private readonly role: Role,
    private devAllowed: boolean,
  ) {
    this.devKey = `heartrule.dev.${role}`;
  }

  /** The current token, minting a development one when allowed; null when the person must sign in. */
  async token(): Promise<string | null> {
    const handed = read(HANDED);
    if (handed) return handed.token;
    const dev = read(this.devKey);
    if (dev) return dev.token;
    if (!this.devAllowed) return null;
    try {
      const { token, expiresAt } = await this.api.devToken(anonymousId(this.role), this.role);
      write(this.devKey, { token, expiresAt: Date.parse(expiresAt) });
      return token;
    } catch (err) {
      // 404: not a development server, so there is no dev sign-in.
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** The author view's "development sign-in" button. */
  async devSignIn(): Promise<string | null> {
    this.devAllowed = true;
    return this.token();
  }

  /** A token pasted by hand (author view). False, and nothing kept, when it is no JWT or has expired. */
  useToken(token: string): boolean {
    const stored = { token, expiresAt: expiryOf(token) };
    if (stored.expiresAt - RENEW_MARGIN_MS <= Date.now()) return false;
    write(HANDED, stored);
    return true;
  }

  signOut(): void {
    sessionStorage.removeItem(HANDED);
    sessionStorage.removeItem(this.devKey);
  }
}

/** The page's API client and its sign-in, wired to each other. */
export function pageClient(role: Role, devAllowed: boolean, lang: string): { api: Api; auth: PageAuth } {
  let auth: PageAuth | null = null;
  const api = new Api(
    location.origin,
    () => auth!.token(),
    () => lang,
  );
  auth = new PageAuth(api, role, devAllowed);
  return { api, auth };
}
