/** The run's results: a table on stdout and one JSON document. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export interface Target {
  name: string;
  goal: string;
  actual: string;
  met: boolean;
}

export interface TableRow {
  label: string;
  count: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  throughputPerS: number;
}

const ms = (v: number | null) => (v === null ? "—" : v.toFixed(2));

export function latencyTable(rows: readonly TableRow[]): string {
  const header = ["scenario", "count", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms", "per s"];
  const body = rows.map((r) => [
    r.label,
    String(r.count),
    String(r.errors),
    ms(r.p50Ms),
    ms(r.p95Ms),
    ms(r.p99Ms),
    ms(r.maxMs),
    r.throughputPerS.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export function targetLines(targets: readonly Target[]): string {
  return targets.map((t) => `${t.met ? "met " : "MISS"}  ${t.name}: ${t.actual} (goal ${t.goal})`).join("\n");
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}
