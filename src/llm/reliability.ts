/**
 * Timeouts, retries and response-format handling for network providers, as
 * AI SDK middleware so every provider gets the same policy:
 *
 * - each attempt is bounded by `timeoutMs` (the whole reply, streamed or
 *   not); a timeout is not retried — the step fails as LLM_TIMEOUT and the
 *   host may retry the turn;
 * - 429, 408, 409, 5xx and network errors are retried up to `maxRetries`
 *   times, waiting what Retry-After / retry-after-ms asks (up to 30 s; a
 *   longer wait fails at once) or else exponential backoff from 500 ms;
 * - a connection that is refused or drops carries no status: workerd says
 *   `Network connection lost.`, Node's fetch `fetch failed` or `terminated`.
 *   Those become retryable APICallErrors (the engine's LLM_UNAVAILABLE), also
 *   when the stream breaks after it started, where the engine decides
 *   whether to ask again (words may already have gone out).
 */
import { APICallError, type LanguageModelV3, type LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { wrapLanguageModel } from "ai";
import type { Config } from "../config";

/** json_schema: send the reply schema; json_object: JSON mode without a schema; none: plain text. */
export type ResponseFormat = NonNullable<Config["LLM_RESPONSE_FORMAT"]>;

export interface ReliabilityOptions {
  timeoutMs: number;
  maxRetries: number;
  responseFormat: ResponseFormat;
  /** Backoff base in ms (tests shorten it). */
  backoffMs?: number;
}

const MAX_RETRY_AFTER_MS = 30_000;

/** How long the server asked us to wait, in ms, when it said. */
function retryAfterMs(err: APICallError): number | undefined {
  const headers = err.responseHeaders ?? {};
  const get = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const ms = Number(get("retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = get("retry-after");
  if (after === undefined) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

const NETWORK_FAILURE =
  /network connection lost|fetch failed|terminated|socket hang up|other side closed|ECONNRESET|ECONNREFUSED|EPIPE|connection (?:reset|refused|closed)/i;

/** A failure of the connection itself (no HTTP status) as a retryable APICallError; anything else as it was. */
export function asNetworkFailure(err: unknown, url = ""): unknown {
  if (APICallError.isInstance(err) || !(err instanceof Error)) return err;
  if (err.name === "AbortError" || err.name === "TimeoutError") return err;
  const cause = (err as { cause?: unknown }).cause;
  const text = `${err.message} ${cause instanceof Error ? `${cause.message} ${(cause as { code?: string }).code ?? ""}` : ""}`;
  if (!NETWORK_FAILURE.test(text)) return err;
  return new APICallError({
    message: "The connection to the model service failed.",
    url,
    requestBodyValues: undefined,
    isRetryable: true,
    cause: err,
  });
}

/** The stream with a broken connection reported as an error part the engine can classify, not a raw exception. */
function classifiedStream<T>(stream: ReadableStream<T>): ReadableStream<T> {
  const reader = stream.getReader();
  return new ReadableStream<T>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        controller.enqueue({ type: "error", error: asNetworkFailure(err) } as T);
        controller.close();
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

async function withRetries<T>(
  attempt: (signal: AbortSignal) => PromiseLike<T>,
  params: LanguageModelV3CallOptions,
  options: ReliabilityOptions,
): Promise<T> {
  const base = options.backoffMs ?? 500;
  for (let n = 0; ; n++) {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = params.abortSignal ? AbortSignal.any([params.abortSignal, timeout]) : timeout;
    try {
      return await attempt(signal);
    } catch (thrown) {
      const err = asNetworkFailure(thrown);
      if (n >= options.maxRetries || !APICallError.isInstance(err) || !err.isRetryable) throw err;
      const asked = retryAfterMs(err);
      if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) throw err;
      await sleep(asked ?? base * 2 ** n + Math.random() * base * 0.5, params.abortSignal);
    }
  }
}

function formatParams(params: LanguageModelV3CallOptions, format: ResponseFormat): LanguageModelV3CallOptions {
  if (params.responseFormat?.type !== "json" || format === "json_schema") return params;
  if (format === "none") return { ...params, responseFormat: { type: "text" } };
  return { ...params, responseFormat: { type: "json" } };
}

export function reliable(model: LanguageModelV3, options: ReliabilityOptions): LanguageModelV3 {
  return wrapLanguageModel({
    model,
    middleware: {
      specificationVersion: "v3",
      transformParams: async ({ params }) => formatParams(params, options.responseFormat),
      wrapGenerate: ({ params, model: inner }) => withRetries((abortSignal) => inner.doGenerate({ ...params, abortSignal }), params, options),
      wrapStream: async ({ params, model: inner }) => {
        const result = await withRetries((abortSignal) => inner.doStream({ ...params, abortSignal }), params, options);
        return { ...result, stream: classifiedStream(result.stream) };
      },
    },
  });
}
