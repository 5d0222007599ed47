#!/usr/bin/env node
// Builds the web client into public/ (the directory wrangler serves as static
// assets): public/assets/{chat,author,ops}.js and app.css bundled by esbuild from
// src/web/ (ops.css too: uPlot's stylesheet), and public/index.html, author.html and
// ops.html from one page template.
// wrangler runs it before `wrangler dev` and `wrangler deploy` ([build] in
// wrangler.toml, rebuilt when src/web changes); `npm test` and CI run it too.
// Everything the page needs is bundled: nothing loads from a CDN at run time.
// It also copies the API reference viewer for /docs (Scalar's standalone
// browser build, pinned in package.json) to public/assets/docs/scalar.js,
// the path src/http/docs-page.ts names.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** The prebuilt viewer: one self-contained script (its CSS included). */
const docsViewer = fileURLToPath(new URL("browser/standalone.js", import.meta.resolve("@scalar/api-reference")));

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "src/web");

const pages = [
  { file: "index.html", entry: "chat", title: "HeartRule" },
  { file: "author.html", entry: "author", title: "HeartRule · Author view" },
  { file: "ops.html", entry: "ops", title: "HeartRule · Operations" },
  { file: "console.html", entry: "console", title: "HeartRule · Counselor console" },
];

/** Builds into `outdir` (default: public/) and returns the files written with their sizes. */
export async function buildWeb({ outdir = join(root, "public"), minify = true } = {}) {
  const assets = join(outdir, "assets");
  rmSync(assets, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      chat: join(web, "chat/main.ts"),
      author: join(web, "author/main.ts"),
      ops: join(web, "ops/main.ts"),
      console: join(web, "console/main.ts"),
      app: join(web, "styles/app.css"),
    },
    outdir: assets,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome100", "firefox100", "safari15"],
    minify,
    sourcemap: "linked",
    loader: { ".yaml": "text" },
    legalComments: "linked",
    metafile: true,
    logLevel: "warning",
  });
  const outputs = Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith(".map") && !file.endsWith(".LEGAL.txt"))
    .map(([file, meta]) => ({ file: relative(outdir, join(root, file)), bytes: meta.bytes }));

  // Cache-busting query: changes whenever any built asset changes.
  const hash = createHash("sha256");
  for (const { file } of outputs) hash.update(readFileSync(join(outdir, file)));
  const version = hash.digest("hex").slice(0, 12);

  const template = readFileSync(join(web, "pages/page.html"), "utf8");
  mkdirSync(outdir, { recursive: true });
  for (const page of pages) {
    const html = template
      .replaceAll("{{title}}", page.title)
      .replaceAll("{{entry}}", page.entry)
      .replaceAll("{{version}}", version)
      .replaceAll("{{chatCurrent}}", page.entry === "chat" ? 'aria-current="page"' : "")
      .replaceAll("{{authorCurrent}}", page.entry === "author" ? 'aria-current="page"' : "")
      .replace("{{main}}", readFileSync(join(web, `pages/${page.entry}.html`), "utf8").trimEnd());
    writeFileSync(join(outdir, page.file), html);
    outputs.push({ file: page.file, bytes: Buffer.byteLength(html) });
  }

  // Its source map (20 MB) is not shipped: drop the comment that would point a debugger at it.
  const viewer = readFileSync(docsViewer, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
  mkdirSync(join(assets, "docs"), { recursive: true });
  writeFileSync(join(assets, "docs/scalar.js"), viewer);
  outputs.push({ file: "assets/docs/scalar.js", bytes: Buffer.byteLength(viewer) });
  return outputs;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outputs = await buildWeb();
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`web client built: ${outputs.map((o) => `${o.file} ${kib(o.bytes)}`).join(", ")}`);
}
