/**
 * The pure parts of the edge protection: the deployment settings wrangler reads
 * (every environment binds the limits, the deployed ones only at their custom
 * domain), the address a request is counted under, the budget settings, and
 * the offline model's token estimate.
 */
import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config";
import { projectDailyBudget } from "../../src/limits/budget";
import { clientAddress, limiterBindings, RATE_LIMIT_PERIOD_SECONDS } from "../../src/limits/rate-limit";
import { secondsUntilNextDay, usageDay } from "../../src/limits/usage-rpc";
import { tokenEstimate } from "../../src/llm/offline";

/** What these tests read of wrangler's resolved configuration. */
interface Deployment {
  ratelimits: { name: string; namespace_id: string; simple: { limit: number; period: number } }[];
  durable_objects: { bindings: { name: string }[] };
  workers_dev?: boolean;
  preview_urls?: boolean;
  routes?: unknown[];
}

const read = (env?: string) => unstable_readConfig({ config: "wrangler.toml", ...(env ? { env } : {}) }) as unknown as Deployment;

describe("wrangler.toml", () => {
  it.each([undefined, "staging", "production"])("binds every limiter and the usage counter (env %s), with the period Retry-After names", (env) => {
    const config = read(env);
    expect(config.ratelimits.map((r) => r.name).sort()).toEqual(Object.values(limiterBindings).sort());
    for (const r of config.ratelimits) expect(r.simple.period).toBe(RATE_LIMIT_PERIOD_SECONDS);
    expect(new Set(config.ratelimits.map((r) => r.namespace_id)).size).toBe(config.ratelimits.length);
    expect(config.durable_objects.bindings.map((b) => b.name)).toContain("USAGE_COUNTER");
  });

  it.each(["staging", "production"])("serves %s only at its custom domain: no workers.dev, no preview URLs", (env) => {
    const config = read(env);
    expect(config.workers_dev).toBe(false);
    expect(config.preview_urls).toBe(false);
    expect(config.routes).toEqual([expect.objectContaining({ custom_domain: true, pattern: expect.any(String) })]);
  });
});

describe("clientAddress", () => {
  it("keeps an IPv4 address, counts IPv6 by its /64, and has none without the header", () => {
    expect(clientAddress("198.51.100.7")).toBe("198.51.100.7");
    expect(clientAddress("2001:db8:a:b:1:2:3:4")).toBe("2001:db8:a:b::/64");
    expect(clientAddress("2001:0DB8:000a:b::99")).toBe("2001:db8:a:b::/64");
    expect(clientAddress("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientAddress("::1")).toBe("0:0:0:0::/64");
    expect(clientAddress(undefined)).toBeNull();
    expect(clientAddress(" ")).toBeNull();
  });
});

describe("budget settings", () => {
  const config = (vars: Record<string, string>) => configSchema.parse({ ENVIRONMENT: "production", ...vars });

  it("take a project's own daily figure over the default, and none when neither is set", () => {
    const c = config({ PROJECT_DAILY_TOKEN_BUDGET: "1000", PROJECT_DAILY_TOKEN_BUDGETS: '{"p-big": 50000}' });
    expect(projectDailyBudget(c, "p-big")).toBe(50000);
    expect(projectDailyBudget(c, "p-other")).toBe(1000);
    expect(projectDailyBudget(config({}), "p-other")).toBeUndefined();
  });

  it("refuse figures that are not positive whole numbers, naming the setting", () => {
    for (const vars of [
      { SESSION_TOKEN_BUDGET: "0" },
      { PROJECT_DAILY_TOKEN_BUDGET: "1.5" },
      { PROJECT_DAILY_TOKEN_BUDGETS: '{"p": -1}' },
      { PROJECT_DAILY_TOKEN_BUDGETS: "{" },
    ]) {
      const parsed = configSchema.safeParse({ ENVIRONMENT: "production", ...vars });
      expect(parsed.success, JSON.stringify(vars)).toBe(false);
      expect(parsed.error!.issues[0]!.path[0]).toBe(Object.keys(vars)[0]);
    }
  });

  it("count days in UTC: the retry waits until the next midnight", () => {
    const evening = Date.UTC(2026, 11, 2, 23, 59, 30);
    expect(usageDay(evening)).toBe("2026-12-02");
    expect(secondsUntilNextDay(evening)).toBe(30);
    expect(secondsUntilNextDay(Date.UTC(2026, 11, 3))).toBe(24 * 60 * 60);
  });
});

describe("the offline model's token estimate", () => {
  it("grows with the text: about four Latin characters, or one Chinese character, per token", () => {
    expect(tokenEstimate("")).toBe(0);
    expect(tokenEstimate("a".repeat(400))).toBe(100);
    expect(tokenEstimate("你好，我在听。")).toBeGreaterThanOrEqual(6);
    expect(tokenEstimate("word ".repeat(200))).toBeGreaterThan(tokenEstimate("word ".repeat(100)));
  });
});
