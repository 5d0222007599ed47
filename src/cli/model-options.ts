/**
 * The model a terminal command runs a script with: the offline model, or,
 * with `--llm-base-url URL --llm-model NAME`, any OpenAI-compatible server
 * (DeepSeek, OpenAI, Ark, vLLM, Ollama…) through src/llm's createModel, the
 * Worker's provider with the Worker's defaults. The key comes from the
 * LLM_API_KEY environment variable only, so it never lands in shell history
 * and is never printed.
 */
import type { LanguageModelV3 } from "@ai-sdk/provider";
import type { StepError } from "../engine";
import { configSchema } from "../config";
import { createModel, createOfflineModel } from "../llm";

export const modelUsage = "[--llm-base-url URL --llm-model NAME [--llm-response-format json_object|json_schema|none]]";

export const modelHelp = [
  "Model (default: the offline model, no network):",
  "  --llm-base-url URL         an OpenAI-compatible chat completions API, e.g. https://api.deepseek.com/v1",
  "  --llm-model NAME           the model to ask, e.g. deepseek-chat",
  "  --llm-response-format F    json_object (default), json_schema or none (servers that reject response_format)",
  "  LLM_API_KEY                the API key, from the environment (never a flag; never printed)",
  "  LLM_TIMEOUT_MS, LLM_MAX_RETRIES, LLM_STREAM=false   as for the Worker (defaults 25000, 3, true)",
].join("\n");

export interface ModelFlags {
  baseUrl?: string;
  model?: string;
  responseFormat?: string;
}

const flagNames = { "--llm-base-url": "baseUrl", "--llm-model": "model", "--llm-response-format": "responseFormat" } as const;

/**
 * Takes the model flags out of args (`--flag value` or `--flag=value`).
 * Returns the flags and the other arguments, or what is wrong.
 */
export function takeModelFlags(args: string[]): { flags: ModelFlags; rest: string[] } | string {
  const flags: ModelFlags = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const key = flagNames[name as keyof typeof flagNames];
    if (!key) {
      rest.push(arg);
      continue;
    }
    const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : args[++i];
    if (!value || value.startsWith("--")) return `${name} needs a value`;
    flags[key] = value;
  }
  return { flags, rest };
}

/** Settings read from the environment, as the Worker reads them from its [vars] and secrets. */
const fromEnvironment = { LLM_API_KEY: true, LLM_TIMEOUT_MS: true, LLM_MAX_RETRIES: true, LLM_STREAM: true } as const;

export interface ChosenModel {
  model: LanguageModelV3;
  /** Where calls go, for error hints (null: the offline model). */
  baseUrl: string | null;
}

/** The model the flags name, validated the way the Worker validates its [vars]; a string says what is wrong. */
export function modelFrom(flags: ModelFlags, env: NodeJS.ProcessEnv = process.env): ChosenModel | string {
  if (!flags.baseUrl && !flags.model && !flags.responseFormat) return { model: createOfflineModel(), baseUrl: null };
  if (!flags.baseUrl) return "--llm-model and --llm-response-format need --llm-base-url (the offline model takes neither)";
  if (!flags.model) return "--llm-base-url needs --llm-model NAME (the model the server should run)";
  let url: URL;
  try {
    url = new URL(flags.baseUrl);
  } catch {
    return `--llm-base-url is not a URL: '${flags.baseUrl}' (e.g. https://api.deepseek.com/v1)`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `--llm-base-url must be http:// or https://, not '${url.protocol}'`;
  const parsed = configSchema
    .pick({ ...fromEnvironment, LLM_PROVIDER: true, LLM_BASE_URL: true, LLM_MODEL: true, LLM_RESPONSE_FORMAT: true })
    .safeParse({
      ...Object.fromEntries(Object.keys(fromEnvironment).flatMap((name) => (env[name] ? [[name, env[name]]] : []))),
      LLM_PROVIDER: "openai-compatible",
      LLM_BASE_URL: flags.baseUrl,
      LLM_MODEL: flags.model,
      LLM_RESPONSE_FORMAT: flags.responseFormat,
    });
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".");
    if (field === "LLM_RESPONSE_FORMAT") return `--llm-response-format takes json_object, json_schema or none, not '${flags.responseFormat}'`;
    // Names only: a value may be the key.
    return `invalid model settings in the environment: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`;
  }
  return { model: createModel(parsed.data), baseUrl: flags.baseUrl };
}

/** A sentence that says what to check when a step failed at the model service; undefined when there is nothing to add. */
export function modelHint(error: StepError, baseUrl: string | null): string | undefined {
  if (!baseUrl) return undefined;
  const status = Number(/\(HTTP (\d{3})\)/.exec(error.message)?.[1]);
  if (error.code === "LLM_UNAVAILABLE" && !status) return `could not connect to ${baseUrl}: is the server running, and is the URL right?`;
  if (status === 401 || status === 403) return `${baseUrl} refused the key: set LLM_API_KEY to a key it accepts`;
  if (status === 404)
    return `${baseUrl} has no such model or path: check --llm-model, and that the URL ends where /chat/completions goes (often /v1)`;
  if (status === 400 || status === 422) return "the server rejected the request: try --llm-response-format json_object or none";
  if (error.code === "LLM_TIMEOUT") return `${baseUrl} did not answer within the timeout`;
  return undefined;
}
