// Types for the tests that call the build (scripts/build-web.mjs is plain JavaScript).
export function buildWeb(options?: { outdir?: string; minify?: boolean }): Promise<{ file: string; bytes: number }[]>;
