/**
 * `--profile`: a CPU profile of workerd while a phase runs, taken through the
 * DevTools protocol on wrangler's inspector port. The raw profile is saved
 * (open it in Chrome DevTools → Performance, or any .cpuprofile viewer) and
 * summarised by sample count: on a shared machine the OS can pause workerd
 * for tens of milliseconds, and time-weighted samples would blame whatever
 * frame was on top at that moment; counts do not.
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SourceMapConsumer } from "source-map-js";
import WebSocket from "ws";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  samplingIntervalUs: number;
  samples: number;
  busySamples: number;
  /** Share of busy samples whose top frame is this function. */
  self: { frame: string; percent: number }[];
  /** Share of busy samples with this function anywhere on the stack. */
  inclusive: { frame: string; percent: number }[];
  /**
   * Share of busy samples by the source module of the deepest bundle frame (through the bundle's source map);
   * native work (`exec` is SQLite, `fetch` a binding call) is charged to the module that called it. Empty without a map.
   */
  modules: { module: string; percent: number }[];
}

class Inspector {
  private next = 0;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      const p = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id!);
      if (m.error) p.reject(new Error(m.error.message));
      else p.resolve(m.result);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return new Inspector(ws);
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

export async function profileWhile<T>(
  inspectorPort: number,
  intervalUs: number,
  work: () => Promise<T>,
): Promise<{ result: T; profile: CpuProfile }> {
  const inspector = await Inspector.connect(inspectorPort);
  try {
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: intervalUs });
    await inspector.call("Profiler.start");
    const result = await work();
    const { profile } = await inspector.call<{ profile: CpuProfile }>("Profiler.stop");
    return { result, profile };
  } finally {
    inspector.close();
  }
}

const frameName = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"}:${n.callFrame.lineNumber + 1}`;

/** The source map of the bundle the running `wrangler dev` built (the newest under .wrangler/tmp), if any. */
export async function devBundleMap(root = ".wrangler/tmp"): Promise<string | null> {
  const dirs = await readdir(root).catch(() => [] as string[]);
  const maps = await Promise.all(
    dirs
      .filter((d) => d.startsWith("dev-"))
      .map(async (d) => {
        const file = join(root, d, "index.js.map");
        return stat(file).then(
          (st) => ({ file, at: st.mtimeMs }),
          () => null,
        );
      }),
  );
  const found = maps.filter((m): m is { file: string; at: number } => m !== null).sort((a, b) => b.at - a.at);
  return found[0]?.file ?? null;
}

/** `src/session/storage/tables.ts` stays itself; a package is its name. */
function moduleOf(source: string): string {
  const lib = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(source);
  if (lib) return `package ${lib[1]}`;
  const src = /(?:^|\/)(src\/.+)$/.exec(source);
  return src ? src[1]! : source;
}

async function byModule(profile: CpuProfile, mapFile: string | null, top: number): Promise<ProfileSummary["modules"]> {
  if (!mapFile) return [];
  const map = new SourceMapConsumer(JSON.parse(await readFile(mapFile, "utf8")));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const named = new Map<number, string>();
  const nameOf = (id: number): string => {
    let known = named.get(id);
    if (known !== undefined) return known;
    let native: string | null = null;
    known = "(runtime)";
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { callFrame } = byId.get(at)!;
      if (callFrame.url === "index.js") {
        const source = map.originalPositionFor({ line: callFrame.lineNumber + 1, column: callFrame.columnNumber }).source;
        known = `${source ? moduleOf(source) : "index.js"}${native ? ` → ${native}` : ""}`;
        break;
      }
      native ??= callFrame.url || callFrame.functionName || null;
    }
    named.set(id, known);
    return known;
  };
  const counts = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
    busy++;
    const name = nameOf(id);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([module, n]) => ({ module, percent: Math.round((n / busy) * 1000) / 10 }));
}

export async function summariseProfile(
  profile: CpuProfile,
  file: string,
  intervalUs: number,
  top = 20,
  mapFile: string | null = null,
): Promise<ProfileSummary> {
  await writeFile(file, JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, count] of hits) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === "(idle)") continue;
    busy += count;
    self.set(frameName(node), (self.get(frameName(node)) ?? 0) + count);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = frameName(byId.get(at)!);
      if (name.startsWith("(root)") || seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + count);
    }
  }
  const ranked = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, n]) => ({ frame, percent: Math.round((n / busy) * 1000) / 10 }));
  return {
    file,
    samplingIntervalUs: intervalUs,
    samples: profile.samples.length,
    busySamples: busy,
    self: ranked(self),
    inclusive: ranked(inclusive),
    modules: await byModule(profile, mapFile, top),
  };
}
