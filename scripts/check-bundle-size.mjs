#!/usr/bin/env node
// Fails when the dry-run bundle would not fit the Workers limit for the free
// plan (3 MiB gzipped); prints both sizes for the record.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const LIMIT_GZIP_BYTES = 3 * 1024 * 1024;
const dir = process.argv[2];
if (!dir) {
  console.error("usage: check-bundle-size.mjs <dry-run outdir>");
  process.exit(2);
}
let raw = 0;
let gzip = 0;
for (const name of readdirSync(dir)) {
  if (!/\.(m?js|wasm)$/.test(name)) continue;
  const file = join(dir, name);
  raw += statSync(file).size;
  gzip += gzipSync(readFileSync(file)).length;
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`bundle: ${kib(raw)} raw, ${kib(gzip)} gzipped (limit ${kib(LIMIT_GZIP_BYTES)} gzipped)`);
if (gzip > LIMIT_GZIP_BYTES) {
  console.error("The Worker bundle is over the Workers size limit.");
  process.exit(1);
}
