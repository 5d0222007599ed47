/**
 * Problems across the Worker ↔ actor RPC boundary. RPC keeps an error's
 * message but not its class or fields, so actor methods return
 * `ActorResult` instead of throwing, and the Worker turns a failure back
 * into the same DomainError the actor raised.
 */
import { DomainError, isErrorCode } from "../errors";

export interface ProblemInit {
  status: number;
  code: string;
  detail: string;
  extra?: Record<string, unknown>;
}

export type ActorResult<T> = { ok: true; value: T } | { ok: false; problem: ProblemInit };

export function problemOf(err: DomainError): ProblemInit {
  return { status: err.status, code: err.code, detail: err.detail ?? err.code, extra: err.params };
}

export function toProblemError(p: ProblemInit): DomainError {
  return new DomainError(isErrorCode(p.code) ? p.code : "INTERNAL_ERROR", p.detail, p.extra ?? {});
}

/** Runs an actor method body; a DomainError becomes a failed result, anything else stays an error. */
export async function guard<T>(fn: () => T | Promise<T>): Promise<ActorResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof DomainError) return { ok: false, problem: problemOf(err) };
    throw err;
  }
}

/** Worker side: the value, or the actor's problem thrown as a DomainError. */
export async function unwrap<T>(result: Promise<ActorResult<T>> | ActorResult<T>): Promise<T> {
  const r = await result;
  if (r.ok) return r.value;
  throw toProblemError(r.problem);
}

export const sessionNotFound = () => new DomainError("NOT_FOUND", "There is no such session (or it is not yours).");
