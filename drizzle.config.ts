import { defineConfig } from "drizzle-kit";

// `npx drizzle-kit generate --name <what>` writes the next migration into
// migrations/, where wrangler (local, CI and remote) applies it.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema/index.ts",
  out: "./migrations",
});
