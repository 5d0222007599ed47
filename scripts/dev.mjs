#!/usr/bin/env node
// `npm run dev [-- <wrangler dev flags>]`: local secrets, local D1 migrations,
// then `wrangler dev`, and once it is ready the sample project when the local
// database has none. Flags such as --persist-to and --env reach every step,
// so the migrations land in the same state directory the server uses.
import { copyFileSync, existsSync } from "node:fs";
import { devOrigin, seedWhenReady } from "./seed.mjs";
import { sharedFlags, wranglerForeground, wranglerSync } from "./wrangler-args.mjs";

const args = process.argv.slice(2);

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local secrets; never commit it).");
}

// CI=1 keeps wrangler from asking for confirmation on an interactive terminal.
wranglerSync(["d1", "migrations", "apply", "DB", "--local", ...sharedFlags(args)], {
  env: { ...process.env, CI: "1" },
});

wranglerForeground(["dev", ...args]);

// Through the running Worker, so the sample is built by the same code as any project.
seedWhenReady(devOrigin(args)).catch((err) => console.error(`Sample project not seeded: ${err.message}`));
