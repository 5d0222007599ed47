/**
 * The session in memory: read from the actor's storage once per activation
 * (its engine state upgraded by migrateState), or rebuilt from the D1 mirror
 * when the storage is empty, then checked against each caller.
 */
import { migrateState, StateError, type SessionState, type StateErrorCode } from "../../engine";
import { DomainError } from "../../errors";
import type { CountedBindings } from "../instrumentation";
import type { Caller } from "../requests";
import { sessionNotFound } from "../result";
import type { Meta } from "../storage/meta";
import { NewerSchemaError } from "../storage/migrations";
import type { PinnedScript, SessionStorage } from "../storage/tables";
import { sessionProject } from "../../store/sessions/readers";
import { authorize, type Access, type Readers } from "./access";
import { rebuildFromMirror } from "./rebuild";
import { log } from "../../log";

export interface Loaded {
  meta: Meta;
  state: SessionState;
  pinned: PinnedScript;
  lastSeq: number;
}

export class SessionLoader {
  /** The session, while this activation has it. */
  current: Loaded | null = null;
  /** Why the stored state could not be loaded (a newer release wrote it, or it is damaged); null when it could. */
  private unreadable: StateErrorCode | null = null;
  private loading: Promise<Loaded | null> | null = null;

  /** Looked up in D1 on each check of a caller who is not the session's client: a project's authors change. */
  private readonly readers: Readers = { project: (id) => sessionProject(this.io.DB, id), queued: () => this.queued() };

  constructor(
    private readonly store: SessionStorage,
    private readonly io: CountedBindings,
    /** The session is, or was, in the counselors' queue (handoff/): counselors read it. */
    private readonly queued: () => boolean = () => false,
  ) {}

  /** Reads what the storage holds (nothing for a new or erased actor). */
  loadLocal(): void {
    let row: ReturnType<SessionStorage["readMeta"]>;
    try {
      row = this.store.readMeta();
    } catch (err) {
      if (!(err instanceof NewerSchemaError)) throw err;
      this.unreadable = "NEWER_VERSION";
      log({ level: "error", msg: "session storage not loadable", code: "NEWER_VERSION", version: err.version });
      return;
    }
    if (!row) return;
    const pinned = this.store.readScript(row.meta.scriptHash);
    if (!pinned) throw new Error("session storage holds no pinned script");
    let state: SessionState;
    try {
      // A state written by an older engine is upgraded here, once per activation, before any step sees it.
      state = migrateState(row.state);
    } catch (err) {
      if (!(err instanceof StateError)) throw err;
      // Left as stored, untouched: nothing is lost, and an engine that knows this state can serve it.
      this.unreadable = err.code;
      log({ level: "error", msg: "session state not loadable", sessionId: row.meta.sessionId, code: err.code, version: err.version ?? null });
      return;
    }
    this.unreadable = null;
    this.current = { meta: row.meta, state, pinned, lastSeq: this.store.lastSeq() };
  }

  /** The session, loaded (or rebuilt from D1) and checked against the caller. */
  async session(caller: Caller, access: Access): Promise<Loaded> {
    let s = this.current;
    if (!s && this.unreadable) {
      // Never rebuilt from D1 over it: the stored state is the newest truth, this engine just cannot read it.
      if (this.unreadable === "NEWER_VERSION")
        throw new DomainError("SERVICE_UNAVAILABLE", "This session was saved by a newer version of HeartRule; try again shortly.");
      throw new DomainError("STATE_INVALID", "This session's saved state cannot be read.");
    }
    if (!s) {
      this.loading ??= rebuildFromMirror(this.io, this.store, caller.sessionId)
        .then(
          (ok) => {
            if (ok) this.loadLocal();
            return this.current;
          },
          (err: unknown) => {
            if (err instanceof DomainError) throw err;
            log({ level: "error", msg: "session rebuild failed", sessionId: caller.sessionId, error: err instanceof Error ? err.name : "unknown" });
            throw new DomainError("SERVICE_UNAVAILABLE", "The session cannot be loaded right now; try again shortly.");
          },
        )
        .finally(() => (this.loading = null));
      s = await this.loading;
    }
    if (!s || s.meta.erasing || s.meta.sessionId !== caller.sessionId) throw sessionNotFound();
    await authorize(s.meta, caller.user, access, this.readers);
    return s;
  }
}
