#!/usr/bin/env node
// The `heartrule` command. The CLI is TypeScript that shares the engine with
// the Worker; tsx compiles it on the fly so there is no separate build.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
