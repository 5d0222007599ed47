/**
 * The limits the `workers-limits` test project runs under (vitest.config.ts reads
 * this file): small enough to reach in a test. Everything else runs under
 * wrangler.toml's, which no test reaches.
 */
export const testRateLimits = { sessionStarts: 3, messages: 8, publicRoutes: 3 } as const;
export const testBudgets = { SESSION_TOKEN_BUDGET: "3000", PROJECT_DAILY_TOKEN_BUDGET: "1" } as const;
