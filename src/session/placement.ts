/**
 * Where a session's Durable Object lives. A project may ask for a
 * jurisdiction (`eu`: the object is created, and its storage kept, only
 * inside the EU) or a location hint (the region it is first created near).
 * A jurisdiction is a separate id space: `jurisdiction("eu").idFromName(x)`
 * is another object than `idFromName(x)`, so every later request must know
 * it. It is written into the session id itself: such sessions get a UUID of
 * version 8 (RFC 9562's custom version) whose last byte names the
 * jurisdiction; every other session keeps its random version-4 UUID. Any id
 * a client holds therefore routes without a lookup, even with D1 gone.
 * A location hint needs no routing: it only matters when the object is created.
 */
import type { Env } from "../config";
import { DomainError } from "../errors";
import { jurisdictions, type Jurisdiction, type LocationHint } from "../store/schema/plans";
import type { SessionActorRpc } from "./rpc";

/** Index 14 is the UUID's version digit. */
const VERSION_AT = 14;

/** A new session's id: random, with its jurisdiction (if any) in it. */
export function newSessionId(jurisdiction: Jurisdiction | null): string {
  const id = crypto.randomUUID();
  if (jurisdiction === null) return id;
  const code = (jurisdictions.indexOf(jurisdiction) + 1).toString(16).padStart(2, "0");
  return `${id.slice(0, VERSION_AT)}8${id.slice(VERSION_AT + 1, -2)}${code}`;
}

/** The jurisdiction a session id names; null for an ordinary (version-4) id. */
export function jurisdictionOf(sessionId: string): Jurisdiction | null {
  if (sessionId[VERSION_AT] !== "8") return null;
  return jurisdictions[Number.parseInt(sessionId.slice(-2), 16) - 1] ?? null;
}

/** The session's actor, in the namespace its id names. The stub's generated types recurse too deeply on JSON-valued results, and RPC returns these values unchanged. */
export function sessionActor(env: Pick<Env, "SESSION_ACTOR">, sessionId: string, locationHint?: LocationHint | null): SessionActorRpc {
  const jurisdiction = jurisdictionOf(sessionId);
  let namespace = env.SESSION_ACTOR;
  if (jurisdiction !== null) {
    try {
      namespace = env.SESSION_ACTOR.jurisdiction(jurisdiction);
    } catch {
      // workerd (wrangler dev, the tests) implements no jurisdictions: it throws rather than place the object anywhere.
      throw new DomainError("SERVICE_UNAVAILABLE", `This deployment cannot reach sessions kept in the ${jurisdiction} jurisdiction.`);
    }
  }
  const id = namespace.idFromName(sessionId);
  return (locationHint ? namespace.get(id, { locationHint }) : namespace.get(id)) as unknown as SessionActorRpc;
}
