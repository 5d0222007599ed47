#!/usr/bin/env node
// `npm run lint:api`: builds the OpenAPI document from the app itself (the
// route definitions, exactly as GET /openapi.json serves it outside
// development) and lints it with Redocly CLI's recommended rules
// (redocly.yaml). Exits non-zero on any error. Works offline: Redocly's
// telemetry and update check are turned off, and the document has no
// remote $ref.
//
//   node scripts/lint-openapi.mjs [--environment production|development] [--out FILE]
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { environment: { type: "string", default: "production" }, out: { type: "string" } } });

/** The app as one Node module: YAML imports become text, as wrangler's Text rule makes them. */
async function loadApp(dir) {
  const outfile = join(dir, "app.mjs");
  await build({
    absWorkingDir: root,
    stdin: { contents: 'export { createApp } from "./src/app.ts";', resolveDir: root, loader: "ts" },
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    loader: { ".yaml": "text" },
    // Packages stay imports, resolved from node_modules/.cache (below), where Node finds them.
    packages: "external",
    logLevel: "warning",
  });
  return import(pathToFileURL(outfile).href);
}

// A fixed place: .redocly.lint-ignore.yaml names the document by this path.
const dir = join(root, "node_modules/.cache/heartrule-openapi");
mkdirSync(dir, { recursive: true });
try {
  const { createApp } = await loadApp(dir);
  const res = await createApp().request("https://heartrule.example/openapi.json", {}, { ENVIRONMENT: values.environment });
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
  const file = values.out ?? join(dir, "openapi.json");
  writeFileSync(file, `${JSON.stringify(await res.json(), null, 2)}\n`);
  const manifest = createRequire(import.meta.url).resolve("@redocly/cli/package.json");
  const cli = join(dirname(manifest), "bin/cli.js");
  const lint = spawnSync(process.execPath, [cli, "lint", file, "--config", join(root, "redocly.yaml")], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
  });
  process.exitCode = lint.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
