import { z } from "zod";
import { crisisResourceTableSchema } from "./engine/safety/resources";
import type { UsageCounterRpc } from "./limits/usage-rpc";
import type { DispatchRpc } from "./dispatch/rpc";
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
  /** The counselors' queue (src/dispatch): one object for the deployment. */
  DISPATCH: DurableObjectNamespace<DispatchRpc>;
  ASSETS?: Fetcher;
  AI?: Ai;
  /** Workers Analytics Engine: one data point per turn (src/session/turns/turn-event.ts). */
  TURN_EVENTS?: AnalyticsEngineDataset;
  /** The Worker version that answers (id, tag, timestamp): on every log line and turn event. */
  CF_VERSION_METADATA?: WorkerVersionMetadata;
  /** Rate limits (src/limits/rate-limit.ts): session starts and messages per user, requests per address on public routes. Unbound: no limit. */
  RATE_LIMIT_SESSION_STARTS?: RateLimit;
  RATE_LIMIT_MESSAGES?: RateLimit;
  RATE_LIMIT_PUBLIC?: RateLimit;
  /** Per project and UTC day, the tokens its sessions spent (src/limits/usage-counter.ts). */
  USAGE_COUNTER?: DurableObjectNamespace<UsageCounterRpc>;
  /** The D1 mirror's queue (src/session/mirror/consumer.ts): used only with MIRROR_VIA_QUEUE=true; its messages are checked by the consumer. */
  MIRROR_QUEUE?: Queue;

  ENVIRONMENT?: string;
  LLM_PROVIDER?: string;
  CORS_ORIGINS?: string;
  SESSION_PAUSE_TIMEOUT?: string;
  SESSION_ARCHIVE_TIMEOUT?: string;
  SESSION_RETENTION_DAYS?: string;
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
  MODEL_PRICES?: string;
  CANARY_PROJECT_ID?: string;
  ALERT_WEBHOOK_URL?: string;
  ALERT_ERROR_RATE?: string;
  ALERT_P95_MS?: string;
  ALERT_MIRROR_LAG_MS?: string;
  ALERT_WINDOW_MINUTES?: string;
  METRICS_RETENTION_DAYS?: string;
  JWKS_CACHE_SECONDS?: string;
  SESSION_TOKEN_BUDGET?: string;
  PROJECT_DAILY_TOKEN_BUDGET?: string;
  PROJECT_DAILY_TOKEN_BUDGETS?: string;
  HANDOFF_TIMEOUT_S?: string;
  HANDOFF_WEBHOOK_URL?: string;
  HANDOFF_CONSOLE_URL?: string;
  MIRROR_VIA_QUEUE?: string;

  // Secrets (wrangler secret put / .dev.vars)
  JWT_SECRET?: string;
  LLM_API_KEY?: string;
  ALERT_WEBHOOK_SECRET?: string;
  HANDOFF_WEBHOOK_SECRET?: string;
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

/** US dollars per million tokens, per model id: what the metrics' cost estimate multiplies by. */
export const modelPricesSchema = z.record(
  z.string().min(1),
  z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).strict(),
);

export type ModelPrices = z.infer<typeof modelPricesSchema>;

/** Operations: cost prices, the canary and the alert thresholds (src/ops). */
const opsFields = {
  MODEL_PRICES: jsonText.pipe(modelPricesSchema).optional(),
  /** The project whose published script the canary runs; unset: the bundled English sample, inline. */
  CANARY_PROJECT_ID: z.uuid().optional(),
  ALERT_WEBHOOK_URL: z.url().optional(),
  ALERT_WEBHOOK_SECRET: z.string().min(16, "ALERT_WEBHOOK_SECRET must be at least 16 characters").optional(),
  /** Share of turns failing with a server-side code (5xx) over the window that opens an incident. */
  ALERT_ERROR_RATE: z.coerce.number().gt(0).max(1).default(0.05),
  ALERT_P95_MS: positiveInt(15000),
  ALERT_MIRROR_LAG_MS: positiveInt(60000),
  ALERT_WINDOW_MINUTES: positiveInt(15),
  /** How long turn metrics, canary runs and resolved incidents are kept. */
  METRICS_RETENTION_DAYS: positiveInt(90),
};

/** The [vars] and secrets, validated once per Env object. */
export const configSchema = z.object({
  ENVIRONMENT: z.enum(environments).default("production"),
  LLM_PROVIDER: z.enum(llmProviders).default("offline"),
  CORS_ORIGINS: csv,
  SESSION_PAUSE_TIMEOUT: positiveInt(1800),
  SESSION_ARCHIVE_TIMEOUT: positiveInt(86400),
  /** Days after its last activity a session erases itself (DO storage and D1 rows); a project may set its own. */
  SESSION_RETENTION_DAYS: positiveInt(90),
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
  ...opsFields,
  /** How long the identity provider's keys (JWKS_URL) are used before they are fetched again, in seconds. */
  JWKS_CACHE_SECONDS: positiveInt(600),
  /** Tokens (in + out) one session may use; unset: no limit. */
  SESSION_TOKEN_BUDGET: z.coerce.number().int().positive().optional(),
  /** Tokens one project's sessions may use per UTC day; unset: no limit. */
  PROJECT_DAILY_TOKEN_BUDGET: z.coerce.number().int().positive().optional(),
  /** Per-project daily budgets that replace the default, as JSON (`{"<project id>": 500000}`). */
  PROJECT_DAILY_TOKEN_BUDGETS: jsonText.pipe(z.record(z.string(), z.number().int().positive())).optional(),
  /** How long a queued session waits for a counselor before the client is told and the AI carries on, in seconds. */
  HANDOFF_TIMEOUT_S: positiveInt(120),
  /** Where the handoff alert is POSTed (signed with HANDOFF_WEBHOOK_SECRET); unset: no alert. */
  HANDOFF_WEBHOOK_URL: z.url().optional(),
  HANDOFF_WEBHOOK_SECRET: z.string().min(16, "HANDOFF_WEBHOOK_SECRET must be at least 16 characters").optional(),
  /** The deployment's public origin, for the console link in alerts (e.g. https://heartrule.example); unset: the link is a path. */
  HANDOFF_CONSOLE_URL: z.url().optional(),
  /** true: each session's mirror batches go through MIRROR_QUEUE, whose consumer writes many sessions in one D1 batch; false: each actor writes D1 itself. */
  MIRROR_VIA_QUEUE: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
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
