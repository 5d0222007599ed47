import { defineConfig } from "vitest/config";

// `npm run test:e2e`: the web client in headless Chromium against `npm run dev`.
// Not part of `npm test` (CI runs both); one file at a time, one server each.
export default defineConfig({
  test: {
    name: "e2e",
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
