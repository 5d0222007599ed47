import { z } from "zod";
import { crisisResourceTableSchema } from "./engine/safety/resources";
import { classifierConfigSchema } from "./llm/classifier-config";
import type { SessionActorRpc } from "./session/rpc";

/** Bindings and variables the Worker receives; names match wrangler.toml. */
export interface Env {
  DB: D1Database;
  CACHE: KVNamespace;
  /** Typed with the actor's RPC surface, not its class: the class imports this file. */
  SESSION_ACTOR: DurableObjectNamespace<SessionActorRpc>;
  /** The benchmark's echo object (src/bench/echo.ts); it has no RPC, its route only forwards the upgrade. Answers only in development and bench. */
  BENCH_ECHO: DurableObjectNamespace;
  ASSETS?: Fetcher;
  AI?: Ai;

  ENVIRONMENT?: string;
  LLM_PROVIDER?: string;
  CORS_ORIGINS?: string;
  SESSION_PAUSE_TIMEOUT?: string;
  SESSION_ARCHIVE_TIMEOUT?: string;
  LLM_TIMEOUT_MS?: string;
  LLM_MAX_RETRIES?: string;
  LLM_BASE_URL?: string;
  LLM_MODEL?: string;
  LLM_RESPONSE_FORMAT?: string;
  LLM_STREAM?: string;
  LLM_MAX_CONTENT_CHARS?: string;
  CRISIS_RESOURCES?: string;
  SAFETY_CLASSIFIER?: string;
  JWKS_URL?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;

  // Secrets (wrangler secret put / .dev.vars)
  JWT_SECRET?: string;
  LLM_API_KEY?: string;
  SAFETY_CLASSIFIER_API_KEY?: string;
}

const csv = z
  .string()
  .default("")
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A JSON text, parsed; text that is not JSON is an issue of this field (so CONFIG_INVALID names it). */
const jsonText = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "not valid JSON" });
    return z.NEVER;
  }
});

export const environments = ["development", "test", "bench", "staging", "production"] as const;
export const llmProviders = ["offline", "openai-compatible", "workers-ai"] as const;

/** The [vars] and secrets, validated once per Env object. */
export const configSchema = z.object({
  ENVIRONMENT: z.enum(environments).default("production"),
  LLM_PROVIDER: z.enum(llmProviders).default("offline"),
  CORS_ORIGINS: csv,
  SESSION_PAUSE_TIMEOUT: positiveInt(1800),
  SESSION_ARCHIVE_TIMEOUT: positiveInt(86400),
  LLM_TIMEOUT_MS: positiveInt(25000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  LLM_BASE_URL: z.url().optional(),
  LLM_MODEL: z.string().min(1).optional(),
  LLM_RESPONSE_FORMAT: z.enum(["json_schema", "json_object", "none"]).optional(),
  /** false: providers that cannot stream are called once per reply (the line appears whole). */
  LLM_STREAM: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  /** Longest line a client is shown, in characters (longer model lines are cut after a sentence). */
  LLM_MAX_CONTENT_CHARS: positiveInt(2000),
  /** Crisis lines per locale, as JSON (`{"zh-CN": [{"name": "…", "phone": "…"}]}`); locales it lacks keep the defaults of src/engine/safety/resources.ts. */
  CRISIS_RESOURCES: jsonText.pipe(crisisResourceTableSchema).optional(),
  /** Classifier models that grade the client's words beside the local detector, as JSON (src/llm/classifier-config.ts); unset: none. */
  SAFETY_CLASSIFIER: jsonText.pipe(classifierConfigSchema).optional(),
  SAFETY_CLASSIFIER_API_KEY: z.string().min(1).optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  JWT_SECRET: z.string().min(16, "JWT_SECRET must be at least 16 characters").optional(),
  JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly fields: string[]) {
    super(`Invalid configuration: ${fields.join(", ")}`);
    this.name = "ConfigError";
  }
}

const cache = new WeakMap<object, Config>();

/** Empty strings in [vars] mean "unset", so optional values fall back to defaults. */
function withoutEmpty(env: Env): Record<string, unknown> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === "string" && v.trim() !== ""));
}

export function getConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = configSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => i.path.join(".")));
  }
  cache.set(env, parsed.data);
  return parsed.data;
}

/** Routes and helpers that only exist while developing or benchmarking locally. */
export function isLocal(config: Config): boolean {
  return config.ENVIRONMENT === "development" || config.ENVIRONMENT === "test" || config.ENVIRONMENT === "bench";
}
