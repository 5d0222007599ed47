/**
 * The identity provider's signing keys (JWKS_URL), kept in memory for
 * JWKS_CACHE_SECONDS instead of fetched on every request. A token whose `kid`
 * the keys lack makes one early fetch (the provider rotated its keys), at
 * most once per KID_REFETCH_MS, so a stream of forged kids cannot turn into a
 * stream of fetches. When the provider cannot be reached the keys last
 * fetched stay in use (up to STALE_LIMIT_MS); with none at all, the caller
 * gets 503 IDENTITY_PROVIDER_UNAVAILABLE: the token may be fine, it just
 * cannot be checked now, which a 401 would wrongly blame on it.
 */
import { DomainError } from "../errors";
import { log } from "../log";

/** An unknown `kid` fetches the keys again at most this often. */
export const KID_REFETCH_MS = 30_000;
/** Keys older than their TTL are still used for this long while the provider is down. */
export const STALE_LIMIT_MS = 24 * 60 * 60 * 1000;
const FETCH_TIMEOUT_MS = 5000;

interface Jwk extends JsonWebKey {
  kid?: string;
  alg?: string;
}

interface Entry {
  keys: Jwk[];
  fetchedAt: number;
}

/** Per isolate: every request it serves shares the keys. */
const cache = new Map<string, Entry>();
const inFlight = new Map<string, Promise<Entry>>();

function unavailable(why: string): DomainError {
  log({ level: "warn", msg: "identity provider keys unavailable", error: why, fields: ["JWKS_URL"] });
  return new DomainError("IDENTITY_PROVIDER_UNAVAILABLE", "The identity provider's keys cannot be fetched right now; try again shortly.");
}

async function download(url: string): Promise<Entry> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: "application/json" } });
  } catch (err) {
    throw unavailable(err instanceof Error ? err.name : "fetch failed");
  }
  if (!res.ok) throw unavailable(`HTTP ${res.status}`);
  const body = (await res.json().catch(() => null)) as { keys?: unknown } | null;
  if (!body || !Array.isArray(body.keys)) throw unavailable("no keys array");
  return { keys: body.keys as Jwk[], fetchedAt: Date.now() };
}

/** One download per URL at a time: requests that need the keys together share it. */
function refresh(url: string): Promise<Entry> {
  let running = inFlight.get(url);
  if (!running) {
    running = download(url)
      .then((entry) => {
        cache.set(url, entry);
        return entry;
      })
      .finally(() => inFlight.delete(url));
    inFlight.set(url, running);
  }
  return running;
}

/** The keys to verify a token with `kid` against, fetched only when the cached ones are too old or lack that kid. */
export async function providerKeys(url: string, kid: string | undefined, ttlSeconds: number): Promise<Jwk[]> {
  const now = Date.now();
  const cached = cache.get(url);
  const fresh = cached && now - cached.fetchedAt < ttlSeconds * 1000;
  const known = cached?.keys.some((k) => k.kid === kid) ?? false;
  if (cached && fresh && (known || now - cached.fetchedAt < KID_REFETCH_MS)) return cached.keys;
  try {
    return (await refresh(url)).keys;
  } catch (err) {
    if (cached && now - cached.fetchedAt < ttlSeconds * 1000 + STALE_LIMIT_MS) return cached.keys;
    throw err;
  }
}
