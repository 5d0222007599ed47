/**
 * Step failures. Anything thrown while a step runs becomes a StepError; the
 * code says what kind of failure it was, the message says what failed
 * without repeating counseling content.
 */
import { APICallError } from "@ai-sdk/provider";
import type { StepError, StepErrorCode } from "./events";

export class EngineError extends Error {
  constructor(
    readonly code: StepErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly actionId?: string,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

function named(err: unknown, name: string): boolean {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === name;
}

/** Maps whatever a step threw to the structured error it returns. */
export function toStepError(err: unknown, actionId: string | undefined): StepError {
  const at = actionId === undefined ? {} : { actionId };
  if (err instanceof EngineError) {
    return { code: err.code, message: err.message, retryable: err.retryable, ...(err.actionId ? { actionId: err.actionId } : at) };
  }
  if (named(err, "TimeoutError")) {
    return { code: "LLM_TIMEOUT", message: "The model did not answer in time.", retryable: true, ...at };
  }
  if (named(err, "AbortError")) {
    return { code: "ABORTED", message: "The step was aborted.", retryable: true, ...at };
  }
  if (APICallError.isInstance(err)) {
    const status = err.statusCode;
    // A 2xx that is still an error is one the provider layer diagnosed itself: its message says what to change.
    if (status !== undefined && status < 300) return { code: "LLM_ERROR", message: err.message, retryable: err.isRetryable, ...at };
    return err.isRetryable
      ? { code: "LLM_UNAVAILABLE", message: `The model service is unavailable${status ? ` (HTTP ${status})` : ""}.`, retryable: true, ...at }
      : { code: "LLM_ERROR", message: `The model service refused the request${status ? ` (HTTP ${status})` : ""}.`, retryable: false, ...at };
  }
  return { code: "INTERNAL", message: "The engine failed unexpectedly.", retryable: true, ...at };
}
