#!/usr/bin/env node
// `npm run deploy [-- --env staging|production]`: remote D1 migrations first,
// so the new code never runs against an older schema, then `wrangler deploy`.
// A `--dry-run` deploys nothing, so it must not migrate the remote database either.
import { sharedFlags, wranglerForeground, wranglerSync } from "./wrangler-args.mjs";

const args = process.argv.slice(2);
if (!args.includes("--dry-run")) wranglerSync(["d1", "migrations", "apply", "DB", "--remote", ...sharedFlags(args)]);
wranglerForeground(["deploy", ...args]);
