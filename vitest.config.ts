import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import limitSettings from "./test/limits/settings.json" with { type: "json" };
import { WEBHOOK_SECRET } from "./test/support/webhook-receiver";

// wrangler.toml bundles imported .yaml files as text (a Text rule, which the
// workers pool honours); the node project needs the same to import the app.
const yamlAsText = {
  name: "yaml-as-text",
  enforce: "pre" as const,
  transform: (code: string, id: string) => (id.endsWith(".yaml") ? `export default ${JSON.stringify(code)};` : undefined),
};

// Five projects: `workers` runs inside workerd against local D1, KV and Durable
// Objects; `workers-queue` is the same with the D1 mirror through the local Queue; `workers-llm` is the same with the openai-compatible provider and
// the fake OpenAI server, which runs in Node (globalSetup) and hands its URL
// to the Worker's bindings; `workers-limits` has rate limits and budgets small enough to reach; `node` covers what runs in Node (the CLI and the
// pure engine).
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const testBindings = { TEST_MIGRATIONS: migrations, JWT_SECRET: "test-secret-0123456789abcdef" };
  return {
    test: {
      // The Worker's one-JSON-line-per-request logs would bury test output; tests
      // that check logging spy on console. SHOW_LOGS=1 prints them.
      onConsoleLog: (log: string) => (process.env.SHOW_LOGS || !log.startsWith('{"level":') ? undefined : false),
      projects: [
        {
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...testBindings,
                  // The handoff webhook goes to the receiver of test/setup/webhook-receiver.ts, which checks its signature.
                  HANDOFF_WEBHOOK_URL: `${inject("webhookReceiverUrl")}/hook`,
                  HANDOFF_WEBHOOK_SECRET: WEBHOOK_SECRET,
                },
                // A database nobody migrates: readiness must report it.
                d1Databases: ["UNMIGRATED_DB"],
              },
            })),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            // test/e2e runs in Node with a browser: `npm run test:e2e` (vitest.e2e.config.ts).
            exclude: ["test/node/**", "test/e2e/**", "test/llm-sessions/**", "test/limits/**", "test/queue/**"],
            globalSetup: ["./test/setup/webhook-receiver.ts"],
            setupFiles: ["./test/setup/apply-migrations.ts"],
          },
        },
        {
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...testBindings,
                  LLM_PROVIDER: "openai-compatible",
                  LLM_BASE_URL: inject("fakeOpenAIUrl"),
                  LLM_MODEL: "fake-model",
                  // The fake builds each reply from the schema the request carries.
                  LLM_RESPONSE_FORMAT: "json_schema",
                  LLM_MAX_RETRIES: "1",
                  LLM_TIMEOUT_MS: "5000",
                  LLM_MAX_CONTENT_CHARS: "400",
                },
              },
            })),
          ],
          test: {
            name: "workers-llm",
            include: ["test/llm-sessions/**/*.test.ts"],
            globalSetup: ["./test/llm-sessions/fake-server.ts"],
            setupFiles: ["./test/setup/apply-migrations.ts"],
          },
        },
        {
          // Rate limits and token budgets small enough to reach in a test (test/limits/settings.json): the same
          // Worker, the rate-limit bindings as miniflare emulates them.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { ...testBindings, ...limitSettings.budgets },
                ratelimits: {
                  RATE_LIMIT_SESSION_STARTS: { namespace_id: "1001", simple: { limit: limitSettings.rateLimits.sessionStarts, period: 60 } },
                  RATE_LIMIT_MESSAGES: { namespace_id: "1002", simple: { limit: limitSettings.rateLimits.messages, period: 60 } },
                  RATE_LIMIT_PUBLIC: { namespace_id: "1003", simple: { limit: limitSettings.rateLimits.publicRoutes, period: 60 } },
                },
              },
            }),
          ],
          test: {
            name: "workers-limits",
            include: ["test/limits/**/*.test.ts"],
            setupFiles: ["./test/setup/apply-migrations.ts"],
          },
        },
        {
          // The D1 mirror through the local Queue of wrangler.toml (MIRROR_VIA_QUEUE on): the actors send,
          // this Worker's queue handler consumes, as in a deployment. Erasure, reconcile, retention and the
          // canary's mirror lag run here a second time, to show they hold on this path too.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: { bindings: { ...testBindings, MIRROR_VIA_QUEUE: "true" } },
            }),
          ],
          test: {
            name: "workers-queue",
            include: [
              "test/queue/**/*.test.ts",
              "test/data/erasure.test.ts",
              "test/data/reconcile.test.ts",
              "test/data/retention.test.ts",
              "test/ops/cron.test.ts",
            ],
            setupFiles: ["./test/setup/apply-migrations.ts"],
          },
        },
        {
          plugins: [yamlAsText],
          test: {
            name: "node",
            include: ["test/node/**/*.test.ts"],
            environment: "node",
          },
        },
      ],
    },
  };
});
