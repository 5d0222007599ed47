#!/usr/bin/env node
/**
 * `npm run rollback -- --env production [--version <id>] [--message why] [--dry-run]`:
 * all traffic back to the previous Worker version (or the one named) with
 * `wrangler rollback`. D1 migrations stay applied (they only ever add, so the
 * older version runs on them) and a session a newer version saved in a format
 * the older one cannot read answers 503 until it is rolled forward again.
 */
import { parseRollbackArgs, rollbackCommand } from "./release";
import { wranglerStep } from "./wrangler-args.mjs";

try {
  const options = parseRollbackArgs(process.argv.slice(2));
  wranglerStep(rollbackCommand(options), { dryRun: options.dryRun });
  if (options.dryRun) console.log("(dry run: nothing was rolled back)");
} catch (err) {
  console.error(`Rollback failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
