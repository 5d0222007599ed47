/**
 * `npm run bench:engine`: how fast the engine steps through real scripts
 * with the offline model, excluding model time.
 *
 * Each benchmark iteration is one step() of a conversation that loops over
 * the script (start → steps with scripted answers → completed → start
 * again), on the main thread (one core). Times are process CPU time, so
 * other processes taking the CPU away do not count. The engine's
 * injectable clock is the benchmark's clock, so the time a step spends in
 * the model (StepResult.stats.modelMs: the offline model's doStream and
 * reading its stream) is subtracted exactly: what remains is the engine's
 * own overhead. A CPU clock read is a system call (about 1–2 µs, a large
 * share of a step); like tinybench's subtractTimerOverhead, its cost is
 * calibrated in the same run and the reads that fall inside the measured
 * window are subtracted. They are counted, not assumed: one for the step's
 * bounds, plus every read the engine made (the step's time for prompts, two
 * per model call) less one per model call, whose cost already lies inside
 * that call's model time. The calibration is the mean cost over many reads
 * (the clock ticks in whole µs, so the median of back-to-back differences
 * would round it to 0, 1 or 2 µs).
 * Also measured in the same run: the same steps with model time included,
 * and a baseline — a JSON round trip of the state, the least a host does per
 * turn to persist it — to give ratios that do not depend on the machine.
 *
 * Also the loader's CPU time for inputs that once made it slow (alias and
 * merge-key bombs, thousands of anchors and keys: bench/engine/hostile.ts),
 * against an ordinary script of 254 KB; each must stay under a second.
 *
 * Prints a table and writes bench/results/engine.json. Target: ≥ 20,000
 * steps/s (excluding model time) for the sample intake script, on one core.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { start, step, type SessionScript, type SessionState } from "../../src/engine";
import { load } from "../../src/engine/script";
import { createOfflineModel } from "../../src/llm";
import { mergeBomb, mergeChain, nestedMergeChain, ordinaryScript } from "./hostile";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET_STEPS_PER_SECOND = 20_000;
const LOADER_LIMIT_MS = 1000;

interface Conversation {
  name: string;
  file: string;
  answers: string[];
}

const conversations: Conversation[] = [
  {
    name: "intake_en",
    file: "scripts/sessions/intake_en.yaml",
    answers: ["Alex", "I can't sleep and work is too much", "2", "No", "badly", "sleep through the night", "thank you"],
  },
  {
    name: "intake_zh",
    file: "scripts/sessions/intake_zh.yaml",
    answers: ["小周", "工作压力很大", "6", "经常失眠", "能睡个好觉", "谢谢"],
  },
];

function loadScript(file: string): SessionScript {
  const { script, kind, diagnostics } = load(readFileSync(resolve(root, file), "utf8"));
  if (!script || kind !== "session") throw new Error(`${file} does not load: ${diagnostics.map((d) => d.code).join(", ")}`);
  return script as SessionScript;
}

/** Process CPU time in ms (user + system). */
function clock(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The clock as the engine gets it: counts its reads, so the bench knows how many fell in a step. */
let clockReads = 0;
function countedClock(): number {
  clockReads++;
  return clock();
}

/** Mean cost of one (counted) clock read, in ms: the median of several batches of many reads. */
function calibrateClock(): number {
  const batches: number[] = [];
  const reads = 20_000;
  for (let b = 0; b < 9; b++) {
    const began = clock();
    for (let i = 0; i < reads; i++) countedClock();
    batches.push((clock() - began) / reads);
  }
  batches.sort((x, y) => x - y);
  return batches[batches.length >> 1]!;
}
const clockRead = calibrateClock();

/** Steps through the conversation forever, one step per call. */
function looper(conversation: Conversation) {
  const script = loadScript(conversation.file);
  const model = createOfflineModel();
  let state: SessionState = start(script);
  let turn = 0;
  return {
    script,
    state: () => state,
    async next() {
      const input = turn === 0 ? null : (conversation.answers[turn - 1] ?? "");
      const result = await step(script, state, input, { model, now: countedClock });
      if (result.status === "error") throw new Error(`${conversation.name}: ${result.error?.code} at turn ${turn}`);
      if (result.status === "completed") {
        state = start(script);
        turn = 0;
      } else {
        state = result.state;
        turn++;
      }
      return result;
    },
  };
}

const bench = new Bench({ name: "engine", time: 2000, warmup: true });
const us = (ms: number) => Math.round(ms * 1000 * 10) / 10;

for (const conversation of conversations) {
  const overhead = looper(conversation);
  bench.add(`${conversation.name}: step, excluding model time`, async () => {
    const began = clock();
    clockReads = 0;
    const result = await overhead.next();
    const reads = clockReads;
    const measured = clock() - began - result.stats.modelMs;
    return { overriddenDuration: Math.max(0, measured - (1 + reads - result.stats.llmCalls) * clockRead) };
  });
  const endToEnd = looper(conversation);
  bench.add(`${conversation.name}: step, including model time`, async () => {
    const began = clock();
    clockReads = 0;
    await endToEnd.next();
    const reads = clockReads;
    return { overriddenDuration: Math.max(0, clock() - began - (1 + reads) * clockRead) };
  });
  const baseline = looper(conversation);
  bench.add(`${conversation.name}: baseline, state JSON round trip`, async () => {
    const began = clock();
    JSON.parse(JSON.stringify(baseline.state()));
    const duration = Math.max(0, clock() - began - clockRead);
    await baseline.next(); // walk through the conversation so the state has realistic sizes
    return { overriddenDuration: duration };
  });
}

await bench.run();
console.table(bench.table());
const loaderInputs = [
  { input: "ordinary script, 254 KB", yaml: ordinaryScript(254_000) },
  { input: "merge-key bomb, 100 levels", yaml: mergeBomb(100) },
  { input: "merge-key bomb, 400 levels", yaml: mergeBomb(400) },
  { input: "merge chain, 254 KB", yaml: mergeChain(254_000) },
  { input: "nested merge chain, 254 KB", yaml: nestedMergeChain(254_000) },
];
// A load of 254 KB takes hundreds of ms: a few samples each, not tinybench's default minimum of 64.
const loaderBench = new Bench({ name: "loader", time: 500, iterations: 5, warmupIterations: 1 });
for (const { input, yaml } of loaderInputs) {
  loaderBench.add(`load: ${input}`, () => {
    const began = clock();
    load(yaml);
    return { overriddenDuration: Math.max(0, clock() - began - clockRead) };
  });
}

await loaderBench.run();
console.table(loaderBench.table());

const stats = (name: string) => {
  const task = [...bench.tasks, ...loaderBench.tasks].find((t) => t.name === name);
  const result = task?.result;
  if (!result || !("latency" in result)) throw new Error(`benchmark ${name} did not complete`);
  return result;
};

const results = conversations.map(({ name }) => {
  const engine = stats(`${name}: step, excluding model time`);
  const full = stats(`${name}: step, including model time`);
  const base = stats(`${name}: baseline, state JSON round trip`);
  return {
    script: name,
    stepsPerSecondExcludingModel: Math.round(1000 / engine.latency.mean),
    medianOverheadMicroseconds: us(engine.latency.p50),
    meanOverheadMicroseconds: us(engine.latency.mean),
    p99OverheadMicroseconds: us(engine.latency.p99),
    samples: engine.latency.samplesCount,
    stepsPerSecondIncludingModel: Math.round(1000 / full.latency.mean),
    medianStepIncludingModelMicroseconds: us(full.latency.p50),
    baselineMedianMicroseconds: us(base.latency.p50),
    overheadToBaselineRatio: Math.round((engine.latency.p50 / base.latency.p50) * 100) / 100,
  };
});

const ordinaryLoad = stats(`load: ${loaderInputs[0]!.input}`).latency.p50;
const loader = loaderInputs.map(({ input, yaml }) => {
  const { latency } = stats(`load: ${input}`);
  return {
    input,
    bytes: yaml.length,
    medianMs: Math.round(latency.p50 * 10) / 10,
    maxMs: Math.round(latency.max * 10) / 10,
    toOrdinaryRatio: Math.round((latency.p50 / ordinaryLoad) * 100) / 100,
  };
});
const loaderMet = loader.every((l) => l.maxMs < LOADER_LIMIT_MS);

const intake = results.find((r) => r.script === "intake_en")!;
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  clock: "process CPU time",
  clockReadMicroseconds: Math.round(clockRead * 1e6) / 1000,
  target: {
    script: "intake_en",
    stepsPerSecondExcludingModel: TARGET_STEPS_PER_SECOND,
    met: intake.stepsPerSecondExcludingModel >= TARGET_STEPS_PER_SECOND,
  },
  results,
  loader: { limitMs: LOADER_LIMIT_MS, met: loaderMet, inputs: loader },
};
const out = resolve(root, "bench/results/engine.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\nintake_en: ${intake.stepsPerSecondExcludingModel} steps/s excluding model time (target ${TARGET_STEPS_PER_SECOND}: ${report.target.met ? "met" : "NOT met"}), median overhead ${intake.medianOverheadMicroseconds} µs/step; written to bench/results/engine.json`,
);
for (const l of loader)
  console.log(`load ${l.input} (${l.bytes} bytes): median ${l.medianMs} ms, max ${l.maxMs} ms, ${l.toOrdinaryRatio}× the ordinary script`);
process.exitCode = report.target.met && loaderMet ? 0 : 1;
