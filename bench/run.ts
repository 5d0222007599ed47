/**
 * `npm run bench [-- --sessions 200 --think-ms 1000 …]`: measures HeartRule
 * against a bare Durable Object in one process and one run, prints a table
 * and writes bench/results/latest.json. What each number means:
 * docs/performance.md.
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Api } from "./lib/api";
import { captureEnvironment } from "./lib/environment";
import { startFakeModel, type FakeModelServer } from "./lib/fake-openai";
import type { LoadResult, Pacing } from "./lib/load";
import { profileWhile, summariseProfile, type ProfileSummary } from "./lib/profile";
import { latencyTable, targetLines, writeJson, type Target } from "./lib/report";
import { ratio, summarise } from "./lib/stats";
import { startWorker, stopAll, type LocalWorker, type ServerCpu } from "./lib/worker";
import { runBaseline } from "./scenarios/baseline";
import { measureCost } from "./scenarios/cost";
import { INTAKE_ANSWERS, prepareSessions, runIntake, SAMPLE_SCRIPT } from "./scenarios/intake";
import { runStreaming, type StreamingResult } from "./scenarios/streaming";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "200" },
    "think-ms": { type: "string", default: "1000" },
    "light-sessions": { type: "string", default: "10" },
    "light-think-ms": { type: "string", default: "2000" },
    "cost-sessions": { type: "string", default: "20" },
    "streaming-sessions": { type: "string", default: "5" },
    "streaming-load-sessions": { type: "string", default: "20" },
    "ttft-ms": { type: "string", default: "150" },
    "tokens-per-s": { type: "string", default: "50" },
    "reply-tokens": { type: "string", default: "12" },
    "connect-batch": { type: "string", default: "25" },
    "create-concurrency": { type: "string", default: "8" },
    "timeout-ms": { type: "string", default: "60000" },
    seed: { type: "string", default: "20260420" },
    out: { type: "string", default: "bench/results/latest.json" },
    "state-dir": { type: "string" },
    profile: { type: "boolean", default: false },
  },
  strict: true,
});

function count(name: keyof typeof values, min = 1): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return n;
}

const config = {
  sessions: count("sessions"),
  thinkMs: count("think-ms", 0),
  lightSessions: count("light-sessions"),
  lightThinkMs: count("light-think-ms", 0),
  costSessions: count("cost-sessions"),
  streamingSessions: count("streaming-sessions"),
  streamingLoadSessions: count("streaming-load-sessions"),
  connectBatch: count("connect-batch"),
  createConcurrency: count("create-concurrency"),
  timeoutMs: count("timeout-ms"),
  seed: count("seed", 0),
  model: { ttftMs: count("ttft-ms", 0), tokensPerSecond: count("tokens-per-s"), replyTokens: count("reply-tokens", 2) },
};
const outFile = resolve(values.out!);
/** Parent of the Workers' fresh state directories: the disk by default; `--state-dir /dev/shm` takes the disk's flush latency out. */
const stateRoot = values["state-dir"] ? resolve(values["state-dir"]) : undefined;
const logDir = resolve("bench/results/logs");
/** Sampling interval of `--profile`: fine enough for a turn of a few milliseconds. */
const PROFILE_INTERVAL_US = 250;

const phases: Record<string, number> = {};
const runStarted = performance.now();

async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stdout.write(`… ${name}\n`);
  try {
    return await work();
  } finally {
    phases[name] = Math.round(performance.now() - started);
    process.stdout.write(`  ${(phases[name] / 1000).toFixed(1)} s\n`);
  }
}

type CpuPerMessage = ServerCpu & { total: number };

/** The local server's CPU time spent while `work` ran, per answered message, by process role. */
async function withCpu<T extends LoadResult | { turns: LoadResult }>(
  worker: LocalWorker,
  work: () => Promise<T>,
): Promise<T & { cpuMsPerMessage: CpuPerMessage | null }> {
  const before = worker.cpuMs();
  const result = await work();
  const after = worker.cpuMs();
  const answered = "turns" in result ? result.turns.count : result.count;
  if (!before || !after || answered === 0) return { ...result, cpuMsPerMessage: null };
  const per = (role: keyof ServerCpu) => Math.round(((after[role] - before[role]) / answered) * 100) / 100;
  const cpu = { runtime: per("runtime"), proxy: per("proxy"), wrangler: per("wrangler") };
  return { ...result, cpuMsPerMessage: { ...cpu, total: Math.round((cpu.runtime + cpu.proxy + cpu.wrangler) * 100) / 100 } };
}

const scenario = (r: LoadResult & { cpuMsPerMessage?: CpuPerMessage | null }) => ({
  p50Ms: r.p50Ms,
  p95Ms: r.p95Ms,
  p99Ms: r.p99Ms,
  meanMs: r.meanMs,
  maxMs: r.maxMs,
  throughputPerS: r.throughputPerS,
  errors: r.errors + r.abandoned,
  count: r.count,
  connections: r.connections,
  messagesPerConnection: r.messagesPerConnection,
  thinkMs: r.thinkMs,
  elapsedMs: r.elapsedMs,
  cpuMsPerMessage: r.cpuMsPerMessage ?? null,
  ...(r.errorSamples.length ? { errorSamples: r.errorSamples } : {}),
});

const streamingView = (s: StreamingResult & { cpuMsPerMessage: CpuPerMessage | null }, sessions: number) => ({
  addedTtftP50Ms: s.addedTtft.p50Ms,
  addedTtftP95Ms: s.addedTtft.p95Ms,
  addedTtftP99Ms: s.addedTtft.p99Ms,
  interTokenP50Ms: s.clientInterToken.p50Ms,
  interTokenP99Ms: s.clientInterToken.p99Ms,
  serverInterTokenP50Ms: s.serverInterToken.p50Ms,
  sessions,
  streamedMessages: s.addedTtft.count,
  unmatchedMessages: s.unmatched,
  turns: scenario({ ...s.turns, cpuMsPerMessage: s.cpuMsPerMessage }),
});

async function main() {
  await mkdir(logDir, { recursive: true });
  const environment = captureEnvironment();
  const secret = randomBytes(32).toString("hex");
  const connect = { connectBatch: config.connectBatch, createConcurrency: config.createConcurrency, timeoutMs: config.timeoutMs };

  // ── offline model: baseline, turns, cost per turn ─────────────────────
  const worker = await phase("start wrangler dev (offline model)", () =>
    startWorker({ label: "offline", logDir, stateRoot, vars: { ENVIRONMENT: "bench", LLM_PROVIDER: "offline", JWT_SECRET: secret } }),
  );
  const api = new Api(worker.origin, secret);
  const projectId = await phase("publish the sample project", () => api.publishSampleProject());

  const echo = (connections: number, pacing: Pacing, durable = false) =>
    withCpu(worker, () =>
      runBaseline(worker, { connections, messages: INTAKE_ANSWERS, connectBatch: config.connectBatch, timeoutMs: config.timeoutMs, pacing, durable }),
    );

  /** Creates and connects the sessions (not timed), then runs them to completion (timed). */
  const intake = async (sessions: number, pacing: Pacing, label: string) => {
    const prepared = await prepareSessions(api, { ...connect, count: sessions, projectId });
    const toLastMessage: number[] = [];
    const toEcho: number[] = [];
    const run = () =>
      runIntake(prepared, { pacing, timeoutMs: config.timeoutMs, label }, (t) => {
        toEcho.push(t.echoAt - t.sentAt);
        if (t.lastMessageAt !== null) toLastMessage.push(t.lastMessageAt - t.sentAt);
      });
    let profile: ProfileSummary | undefined;
    const load = await withCpu(worker, async () => {
      if (!values.profile) return run();
      const profiled = await profileWhile(worker.inspectorPort, PROFILE_INTERVAL_US, run);
      profile = await summariseProfile(profiled.profile, resolve(logDir, `turns-${label}.cpuprofile`), PROFILE_INTERVAL_US);
      return profiled.result;
    });
    return { load, lastMessage: summarise(toLastMessage), userEcho: summarise(toEcho), profile };
  };

  const paced = { thinkMs: config.thinkMs, seed: config.seed };
  const light = { thinkMs: config.lightThinkMs, seed: config.seed };
  const baseline = await phase(`baseline: echo Durable Object, ${config.sessions} connections`, () => echo(config.sessions, paced));
  const baselineDurable = await phase(`durable baseline: echo after a SQLite write, ${config.sessions} connections`, () =>
    echo(config.sessions, paced, true),
  );
  const turns = await phase(`turns: ${config.sessions} intake sessions`, () => intake(config.sessions, paced, "turns"));
  const baselineLight = await phase(`baseline, light load: ${config.lightSessions} connections`, () => echo(config.lightSessions, light));
  const turnsLight = await phase(`turns, light load: ${config.lightSessions} sessions`, () => intake(config.lightSessions, light, "light"));
  const cost = await phase(`cost per turn: ${config.costSessions} sessions`, () =>
    measureCost(api, { ...connect, sessions: config.costSessions, projectId }),
  );
  await worker.stop();

  // ── streaming through the openai-compatible provider ──────────────────
  const model = await startFakeModel(config.model);
  async function stream(streamer: LocalWorker, fake: FakeModelServer, sessions: number) {
    const streamApi = new Api(streamer.origin, secret);
    const project = await streamApi.publishSampleProject();
    const prepared = await prepareSessions(streamApi, { ...connect, count: sessions, projectId: project });
    return withCpu(streamer, () => runStreaming(prepared, fake, { pacing: paced, timeoutMs: config.timeoutMs }));
  }
  let streaming: Awaited<ReturnType<typeof stream>>;
  let streamingLoaded: Awaited<ReturnType<typeof stream>>;
  try {
    const streamer = await phase("start wrangler dev (openai-compatible → fake server)", () =>
      startWorker({
        label: "streaming",
        logDir,
        stateRoot,
        vars: {
          ENVIRONMENT: "bench",
          JWT_SECRET: secret,
          LLM_PROVIDER: "openai-compatible",
          LLM_BASE_URL: model.baseUrl,
          LLM_MODEL: "bench-model",
          LLM_API_KEY: "bench-key",
          LLM_RESPONSE_FORMAT: "json_schema",
          // A failed model call is an error here, not a hidden retry.
          LLM_MAX_RETRIES: "0",
        },
      }),
    );
    try {
      streaming = await phase(`streaming: ${config.streamingSessions} sessions`, () => stream(streamer, model, config.streamingSessions));
      streamingLoaded = await phase(`streaming: ${config.streamingLoadSessions} sessions`, () =>
        stream(streamer, model, config.streamingLoadSessions),
      );
    } finally {
      await streamer.stop();
    }
  } finally {
    await model.close();
  }
  if (model.refused.length) throw new Error(`the fake model refused ${model.refused.length} requests: ${model.refused[0]}`);

  // ── report ────────────────────────────────────────────────────────────
  const ratios = {
    turnP50OverBaselineP50: ratio(turns.load.p50Ms, baseline.p50Ms),
    turnP99OverBaselineP99: ratio(turns.load.p99Ms, baseline.p99Ms),
    turnP50OverDurableBaselineP50: ratio(turns.load.p50Ms, baselineDurable.p50Ms),
    turnP99OverDurableBaselineP99: ratio(turns.load.p99Ms, baselineDurable.p99Ms),
    lightTurnP50OverBaselineP50: ratio(turnsLight.load.p50Ms, baselineLight.p50Ms),
    lightTurnP99OverBaselineP99: ratio(turnsLight.load.p99Ms, baselineLight.p99Ms),
    runtimeCpuPerTurnOverPerEcho: ratio(turns.load.cpuMsPerMessage?.runtime ?? null, baseline.cpuMsPerMessage?.runtime ?? null),
    serverCpuPerTurnOverPerEcho: ratio(turns.load.cpuMsPerMessage?.total ?? null, baseline.cpuMsPerMessage?.total ?? null),
  };
  const turnErrors = turns.load.errors + turns.load.abandoned;
  const totalMs = Math.round(performance.now() - runStarted);
  const streamingTarget = (s: typeof streaming, sessions: number): Target => ({
    name: `added time to first streamed token, p50, ${sessions} streaming sessions`,
    goal: "≤ 15 ms",
    actual: `${s.addedTtft.p50Ms} ms`,
    met: (s.addedTtft.p50Ms ?? Infinity) <= 15,
  });
  const targets: Target[] = [
    {
      name: `turn p50 vs baseline p50, ${config.sessions} sessions`,
      goal: "≤ 1.5×",
      actual: `${ratios.turnP50OverBaselineP50}×`,
      met: (ratios.turnP50OverBaselineP50 ?? Infinity) <= 1.5,
    },
    {
      name: `turn p99 vs baseline p99, ${config.sessions} sessions`,
      goal: "≤ 3×",
      actual: `${ratios.turnP99OverBaselineP99}×`,
      met: (ratios.turnP99OverBaselineP99 ?? Infinity) <= 3,
    },
    { name: `errors at ${config.sessions} concurrent sessions`, goal: "0", actual: String(turnErrors), met: turnErrors === 0 },
    streamingTarget(streaming, config.streamingSessions),
    streamingTarget(streamingLoaded, config.streamingLoadSessions),
    { name: "D1 round trips per turn", goal: "≤ 1", actual: String(cost.d1RoundTrips), met: cost.complete && cost.d1RoundTrips <= 1 },
    { name: "KV reads per turn after the session started", goal: "0", actual: String(cost.kvReads), met: cost.complete && cost.kvReads === 0 },
    { name: "whole run", goal: "< 300 s", actual: `${(totalMs / 1000).toFixed(1)} s`, met: totalMs < 300_000 },
  ];
  const profile = turns.profile ?? turnsLight.profile;
  const result = {
    generatedAt: new Date().toISOString(),
    environment: {
      ...environment,
      concurrency: {
        sessions: config.sessions,
        lightSessions: config.lightSessions,
        costSessions: config.costSessions,
        streamingSessions: config.streamingSessions,
        streamingLoadSessions: config.streamingLoadSessions,
        connectBatch: config.connectBatch,
        createConcurrency: config.createConcurrency,
      },
    },
    config: {
      ...config,
      stateDir: stateRoot ?? "system temporary directory",
      messagesPerSession: INTAKE_ANSWERS.length,
      turnEnds: "state frame",
      script: SAMPLE_SCRIPT,
    },
    scenarios: {
      baseline: scenario(baseline),
      baselineDurable: scenario(baselineDurable),
      turns: { ...scenario(turns.load), toUserEcho: turns.userEcho, toLastAiMessage: turns.lastMessage },
      baselineLight: scenario(baselineLight),
      turnsLight: { ...scenario(turnsLight.load), toUserEcho: turnsLight.userEcho, toLastAiMessage: turnsLight.lastMessage },
      streaming: { ...streamingView(streaming, config.streamingSessions), model: config.model },
      streamingLoaded: streamingView(streamingLoaded, config.streamingLoadSessions),
    },
    ratios,
    perTurn: cost,
    ...(profile ? { profile } : {}),
    targets,
    phasesMs: phases,
    totalMs,
  };
  await writeJson(outFile, result);

  const cpu = (v: CpuPerMessage | null) => (v === null ? "n/a" : `${v.total} ms (runtime ${v.runtime}, proxy ${v.proxy}, wrangler ${v.wrangler})`);
  const streamLine = (s: typeof streaming, sessions: number) =>
    `streaming, ${sessions} sessions: added TTFT p50 ${s.addedTtft.p50Ms} ms, p99 ${s.addedTtft.p99Ms} ms over ${s.addedTtft.count} messages; inter-token p50 ${s.clientInterToken.p50Ms} ms at the client vs ${s.serverInterToken.p50Ms} ms at the server; server CPU ${cpu(s.cpuMsPerMessage)} per turn`;
  console.log(
    [
      "",
      `HeartRule benchmark · ${environment.cpu.cores}× ${environment.cpu.model} · Node ${environment.node} · ${environment.workerd.binary} · ${environment.git.commit?.slice(0, 10)}`,
      "",
      latencyTable([
        { label: `baseline: echo DO, ${config.sessions} conns, think ${config.thinkMs} ms`, ...baseline },
        { label: `durable baseline: echo after a write, ${config.sessions} conns`, ...baselineDurable },
        { label: `turns: ${config.sessions} sessions, think ${config.thinkMs} ms`, ...turns.load },
        { label: `baseline: echo DO, ${config.lightSessions} conns, think ${config.lightThinkMs} ms`, ...baselineLight },
        { label: `turns: ${config.lightSessions} sessions, think ${config.lightThinkMs} ms`, ...turnsLight.load },
        { label: `streaming turns: ${config.streamingSessions} sessions`, ...streaming.turns },
        { label: `streaming turns: ${config.streamingLoadSessions} sessions`, ...streamingLoaded.turns },
      ]),
      "",
      `ratios, ${config.sessions} sessions: turn p50 / baseline p50 = ${ratios.turnP50OverBaselineP50}×, p99 = ${ratios.turnP99OverBaselineP99}×; light load: p50 ${ratios.lightTurnP50OverBaselineP50}×, p99 ${ratios.lightTurnP99OverBaselineP99}×`,
      `against the durable baseline (echo after a SQLite write), ${config.sessions} sessions: p50 ${ratios.turnP50OverDurableBaselineP50}×, p99 ${ratios.turnP99OverDurableBaselineP99}×`,
      `light load: user message echoed after p50 ${turnsLight.userEcho.p50Ms} ms, last AI message p50 ${turnsLight.lastMessage.p50Ms} ms, state p50 ${turnsLight.load.p50Ms} ms`,
      `server CPU per turn: ${cpu(turns.load.cpuMsPerMessage)}`,
      `server CPU per echo: ${cpu(baseline.cpuMsPerMessage)}; runtime ratio ${ratios.runtimeCpuPerTurnOverPerEcho}×, total ${ratios.serverCpuPerTurnOverPerEcho}×`,
      streamLine(streaming, config.streamingSessions),
      streamLine(streamingLoaded, config.streamingLoadSessions),
      `per turn: ${cost.d1RoundTrips} D1 round trips, ${cost.kvReads} KV reads (${cost.turns} turns of ${cost.sessions} sessions${cost.complete ? "" : ", INCOMPLETE: some counters were reset"})`,
      "",
      targetLines(targets),
      "",
      ...(profile
        ? [
            `workerd CPU profile (${profile.file}), share of busy samples with the function on the stack:`,
            ...profile.inclusive.slice(0, 15).map((f) => `  ${String(f.percent).padStart(5)}%  ${f.frame}`),
            "",
          ]
        : []),
      `wrote ${outFile} in ${(totalMs / 1000).toFixed(1)} s`,
    ].join("\n"),
  );
}

process.on("SIGINT", () => void stopAll().finally(() => process.exit(130)));
process.on("SIGTERM", () => void stopAll().finally(() => process.exit(143)));
main().catch(async (err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  await stopAll();
  process.exit(1);
});
