/**
 * The session's meta row and the only ways it changes. Each transition
 * returns a new Meta; the actor replaces its copy and writes the one it got,
 * so no method edits a shared object behind another's back.
 */
// Not the engine's index: that would build the engine's zod schemas before @hono/zod-openapi extends zod.
import { riskLevels, type RiskLevel } from "../../engine/runtime/events";
import type { ExecutionStatus, SessionStatus } from "../../store/schema/sessions";
import { retryDelay } from "../clock/lifecycle";

export interface Meta {
  sessionId: string;
  userId: string;
  projectId: string | null;
  versionId: string | null;
  versionNumber: string | null;
  scriptPath: string | null;
  scriptId: string;
  scriptHash: string;
  /** Template name → content hash of the override. */
  templateHashes: Record<string, string>;
  debug: boolean;
  status: SessionStatus;
  executionStatus: ExecutionStatus;
  createdAt: number;
  updatedAt: number;
  lastActivityAt: number;
  completedAt: number | null;
  /** The highest risk a safety flag of the session carried. */
  riskLevel: RiskLevel;
  /** When the session first reached `riskLevel` (null while it is `none`). */
  riskRaisedAt: number | null;
  /** Every message up to this seq is in D1. */
  mirroredSeq: number;
  mirrorAttempts: number;
  mirrorRetryAt: number | null;
  /** DELETE was accepted; the D1 rows may still have to go. */
  erasing: boolean;
  /** Days after the last activity the session erases itself (the project's setting when it started); null: SESSION_RETENTION_DAYS. */
  retentionDays: number | null;
  /** Why and by whom the erasure was asked for (set with `erasing`): D1's audit row is written from it. */
  erasure: Erasure | null;
}

/** Why a session is erased, and by whom; never any content. */
export interface Erasure {
  reason: "request" | "user" | "retention";
  actorId: string;
  actorRole: string;
  at: number;
}

export type MetaOrigin = Omit<
  Meta,
  | "status"
  | "executionStatus"
  | "createdAt"
  | "updatedAt"
  | "lastActivityAt"
  | "completedAt"
  | "riskLevel"
  | "riskRaisedAt"
  | "mirroredSeq"
  | "mirrorAttempts"
  | "mirrorRetryAt"
  | "erasing"
  | "erasure"
>;

/** A session that has just been created: active, nothing mirrored yet. */
/** What a session is, without the actor's own bookkeeping (mirror progress, erasure): what its D1 row and its views show. */
export function described({ mirroredSeq: _m, mirrorAttempts: _a, mirrorRetryAt: _r, erasing: _e, erasure: _w, ...session }: Meta) {
  return session;
}

export function created(origin: MetaOrigin, now: number): Meta {
  return {
    ...origin,
    status: "active",
    executionStatus: "waiting_input",
    createdAt: now,
    updatedAt: now,
    lastActivityAt: now,
    completedAt: null,
    riskLevel: "none",
    riskRaisedAt: null,
    mirroredSeq: 0,
    mirrorAttempts: 0,
    mirrorRetryAt: null,
    erasing: false,
    erasure: null,
  };
}

/** The user spoke: a paused session is active again. */
export function spoke(m: Meta, now: number): Meta {
  return { ...m, status: m.status === "paused" ? "active" : m.status, updatedAt: now, lastActivityAt: now };
}

/** A turn ended with the engine's answer. */
export function answered(m: Meta, completed: boolean, now: number): Meta {
  return {
    ...m,
    executionStatus: completed ? "completed" : "waiting_input",
    status: completed ? "completed" : "active",
    completedAt: completed ? now : null,
    updatedAt: now,
    lastActivityAt: now,
  };
}

/** A turn ended in an error: the session waits for the same input again. */
export function failed(m: Meta, now: number): Meta {
  return { ...m, executionStatus: "error", updatedAt: now };
}

/** Whether `level` is `min` or above. */
export const atLeast = (level: RiskLevel, min: RiskLevel) => riskLevels.indexOf(level) >= riskLevels.indexOf(min);

/** A safety flag of `level` was raised at `now`: the session keeps its highest level and when it first reached it. */
export function riskRaised(m: Meta, level: RiskLevel, now: number): Meta {
  return atLeast(m.riskLevel, level) ? m : { ...m, riskLevel: level, riskRaisedAt: now };
}

/** Idleness moved the session on (paused, archived). */
export function idled(m: Meta, status: SessionStatus, now: number): Meta {
  return { ...m, status, updatedAt: now };
}

/** D1 has every message up to `seq`. */
export function mirrored(m: Meta, seq: number): Meta {
  return { ...m, mirroredSeq: seq, mirrorAttempts: 0, mirrorRetryAt: null };
}

/** D1 refused a write: retried with backoff. */
export function mirrorFailed(m: Meta, now: number): Meta {
  const attempts = m.mirrorAttempts + 1;
  return { ...m, mirrorAttempts: attempts, mirrorRetryAt: now + retryDelay(attempts) };
}

/** The retention sweep and reconcile act on a session as the system does: with an admin's reach, as no person. */
export const SYSTEM_USER = { id: "system", role: "admin" } as const;

/** The erasure retention asks for: by the system, not by a person. */
export const retentionErasure = (at: number): Erasure => ({ reason: "retention", actorId: SYSTEM_USER.id, actorRole: "system", at });

export function erasing(m: Meta, erasure: Erasure): Meta {
  return { ...m, erasing: true, erasure };
}
