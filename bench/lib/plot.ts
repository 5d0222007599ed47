/**
 * The capacity plot: turn p99 against concurrent sessions, one line per
 * system, on log scales, with the knee's limit drawn across; written as SVG
 * and turned into a PNG by headless Chromium (installed on this machine; the
 * PNG is skipped, and said so, where it is missing).
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import type { CapacityCurve } from "../scenarios/capacity";

const run = promisify(execFile);
const W = 800;
const H = 440;
const M = { left: 70, right: 250, top: 40, bottom: 56 };
const COLORS = ["#d1495b", "#2e86ab", "#66a182", "#edae49"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function capacitySvg(curves: Record<string, CapacityCurve>, limitMs: number, title: string): string {
  const all = Object.values(curves).flatMap((c) => c.points.filter((p) => p.ran && p.p99Ms !== null));
  const xs = all.map((p) => p.sessions);
  const ys = all.map((p) => p.p99Ms!);
  const x0 = Math.log10(Math.min(...xs) / 1.2);
  const x1 = Math.log10(Math.max(...xs) * 1.2);
  const y0 = Math.log10(Math.max(0.5, Math.min(...ys, limitMs) / 2));
  const y1 = Math.log10(Math.max(...ys, limitMs) * 2);
  const px = (v: number) => M.left + ((Math.log10(v) - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (v: number) => H - M.bottom - ((Math.log10(v) - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  for (const s of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(`<line x1="${px(s)}" y1="${H - M.bottom}" x2="${px(s)}" y2="${M.top}" stroke="#eee"/>`);
    parts.push(`<text x="${px(s)}" y="${H - M.bottom + 18}" text-anchor="middle">${s}</text>`);
  }
  for (let e = Math.ceil(y0); e <= Math.floor(y1); e++) {
    const v = 10 ** e;
    parts.push(`<line x1="${M.left}" y1="${py(v)}" x2="${W - M.right}" y2="${py(v)}" stroke="#eee"/>`);
    parts.push(`<text x="${M.left - 8}" y="${py(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
  parts.push(
    `<line x1="${M.left}" y1="${py(limitMs)}" x2="${W - M.right}" y2="${py(limitMs)}" stroke="#888" stroke-dasharray="6 4"/>`,
    `<text x="${W - M.right + 6}" y="${py(limitMs) + 4}" fill="#666">p99 ${limitMs} ms</text>`,
  );
  Object.entries(curves).forEach(([name, curve], i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = curve.points.filter((p) => p.ran && p.p99Ms !== null);
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2.5" points="${pts.map((p) => `${px(p.sessions)},${py(p.p99Ms!)}`).join(" ")}"/>`,
    );
    for (const p of pts) parts.push(`<circle cx="${px(p.sessions)}" cy="${py(p.p99Ms!)}" r="4" fill="${color}"/>`);
    const knee = curve.kneeSessions === null ? "none" : String(curve.kneeSessions);
    parts.push(`<rect x="${W - M.right + 10}" y="${M.top + 30 + i * 22}" width="14" height="4" fill="${color}"/>`);
    parts.push(`<text x="${W - M.right + 30}" y="${M.top + 36 + i * 22}">${esc(name)} (knee ${knee})</text>`);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="24" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 14}" text-anchor="middle">concurrent sessions, one message per second each</text>`,
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">turn p99</text>`,
    ...parts,
    "</svg>",
  ].join("\n");
}

/** Writes `<base>.svg` and, through headless Chromium, `<base>.png`; resolves with the PNG's path or why there is none. */
export async function writePlot(svg: string, base: string): Promise<{ svg: string; png: string | null; note?: string }> {
  await writeFile(`${base}.svg`, svg);
  const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
  try {
    await run(
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        `--window-size=${W},${H}`,
        `--screenshot=${base}.png`,
        `file://${base}.svg`,
      ],
      { timeout: 60_000 },
    );
    return { svg: `${base}.svg`, png: `${base}.png` };
  } catch (err) {
    return { svg: `${base}.svg`, png: null, note: `no PNG: ${chromium} failed (${err instanceof Error ? err.message.split("\n")[0] : String(err)})` };
  }
}
