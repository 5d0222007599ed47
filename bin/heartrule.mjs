#!/usr/bin/env node
// The `heartrule` command. The CLI is TypeScript that shares the engine with
// the Worker; tsx compiles it on the fly so there is no separate build.
import { register } from "tsx/esm/api";

// A reader that stopped reading (`heartrule run --json | head`) wants no more
// output: leave quietly, as a pipeline expects, instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
