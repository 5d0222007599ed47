import { z } from "@hono/zod-openapi";

export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

const pattern = /^v?(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

/** `MAJOR.MINOR.PATCH`, an optional leading `v` accepted and dropped. Pre-release tags are not supported. */
export const VersionNumberSchema = z
  .string()
  .trim()
  .regex(pattern, "a version number is MAJOR.MINOR.PATCH, e.g. 1.0.0 (a leading v is allowed)")
  .transform((s) => s.replace(/^v/, ""))
  .openapi({ example: "1.0.0" });

export function parseSemver(text: string): Semver {
  const m = pattern.exec(text.trim());
  if (!m) throw new Error(`not a version number: ${text}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function formatSemver(v: Semver): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export function compareSemver(a: Semver, b: Semver): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}
