/**
 * `npm run bench [-- --sessions 200 --think-ms 1000 …]`: measures HeartRule
 * against a bare Durable Object in one process and one run, prints a table
 * and writes bench/results/latest.json. See docs/performance.md.
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Api } from "./lib/api";
import { captureEnvironment } from "./lib/environment";
import { startFakeModel } from "./lib/fake-openai";
import type { LoadResult, Pacing } from "./lib/load";
import { latencyTable, targetLines, writeJson, type Target } from "./lib/report";
import { ratio, summarise } from "./lib/stats";
import { startWorker, stopAll } from "./lib/worker";
import { runBaseline } from "./scenarios/baseline";
import { perTurn, readCost, settledCost } from "./scenarios/cost";
import { INTAKE_ANSWERS, prepareSessions, runIntake, SAMPLE_SCRIPT } from "./scenarios/intake";
import { runStreaming, type StreamingResult } from "./scenarios/streaming";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "200" },
    "streaming-sessions": { type: "string", default: "20" },
    "think-ms": { type: "string", default: "1000" },
    "ttft-ms": { type: "string", default: "150" },
    "tokens-per-s": { type: "string", default: "50" },
    "reply-tokens": { type: "string", default: "12" },
    "connect-batch": { type: "string", default: "25" },
    "create-concurrency": { type: "string", default: "8" },
    "timeout-ms": { type: "string", default: "30000" },
    seed: { type: "string", default: "20260420" },
    out: { type: "string", default: "bench/results/latest.json" },
  },
  strict: true,
});

function positive(name: keyof typeof values, allowZero = false): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new Error(`--${name} must be a ${allowZero ? "non-negative" : "positive"} integer`);
  return n;
}

const config = {
  sessions: positive("sessions"),
  streamingSessions: positive("streaming-sessions"),
  thinkMs: positive("think-ms", true),
  connectBatch: positive("connect-batch"),
  createConcurrency: positive("create-concurrency"),
  timeoutMs: positive("timeout-ms"),
  seed: positive("seed", true),
  model: { ttftMs: positive("ttft-ms", true), tokensPerSecond: positive("tokens-per-s"), replyTokens: positive("reply-tokens") },
};
const outFile = resolve(values.out!);
const logDir = resolve("bench/results/logs");

const phases: Record<string, number> = {};
const runStarted = performance.now();

async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stdout.write(`… ${name}\n`);
  try {
    return await work();
  } finally {
    phases[name] = Math.round(performance.now() - started);
    process.stdout.write(`  ${name}: ${(phases[name] / 1000).toFixed(1)} s\n`);
  }
}

const scenario = (r: LoadResult) => ({
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
  ...(r.errorSamples.length ? { errorSamples: r.errorSamples } : {}),
});

async function main() {
  await mkdir(logDir, { recursive: true });
  const environment = captureEnvironment();
  const secret = randomBytes(32).toString("hex");
  const paced = { thinkMs: config.thinkMs, seed: config.seed };
  const saturated = { thinkMs: 0, seed: config.seed };
  const connect = { connectBatch: config.connectBatch, createConcurrency: config.createConcurrency, timeoutMs: config.timeoutMs };

  // ── offline model: baseline, turns, cost per turn ─────────────────────
  const worker = await phase("start wrangler dev (offline model)", () =>
    startWorker({ label: "offline", logDir, vars: { ENVIRONMENT: "bench", LLM_PROVIDER: "offline", JWT_SECRET: secret } }),
  );
  const api = new Api(worker.origin, secret);
  const projectId = await phase("publish the sample project", () => api.publishSampleProject());
  const echo = { connections: config.sessions, messages: INTAKE_ANSWERS, connectBatch: config.connectBatch, timeoutMs: config.timeoutMs };

  /** Creates and connects the sessions, runs them, and counts what their turns cost. */
  const measureTurns = async (label: string, pacing: Pacing) => {
    const prepared = await prepareSessions(api, { ...connect, count: config.sessions, projectId });
    const ids = prepared.sessions.map((s) => s.sessionId);
    const before = await readCost(api, ids);
    const toLastMessage: number[] = [];
    const load = await runIntake(prepared, { pacing, timeoutMs: config.timeoutMs, label }, (t) => {
      if (t.lastMessageAt !== null) toLastMessage.push(t.lastMessageAt - t.sentAt);
    });
    return { load, lastMessage: summarise(toLastMessage), cost: perTurn(before, await settledCost(api, ids)) };
  };

  const baseline = await phase("baseline: echo Durable Object, paced", () => runBaseline(worker, { ...echo, pacing: paced }));
  const turns = await phase("turns: intake sessions, paced", () => measureTurns("paced", paced));
  const baselineSaturated = await phase("baseline: echo Durable Object, closed loop", () => runBaseline(worker, { ...echo, pacing: saturated }));
  const turnsSaturated = await phase("turns: intake sessions, closed loop", () => measureTurns("saturated", saturated));
  await worker.stop();

  // ── streaming through the openai-compatible provider ──────────────────
  const model = await startFakeModel(config.model);
  let streaming: StreamingResult;
  try {
    const streamer = await phase("start wrangler dev (openai-compatible → fake server)", () =>
      startWorker({
        label: "streaming",
        logDir,
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
      streaming = await phase("streaming: intake sessions, paced", async () => {
        const streamApi = new Api(streamer.origin, secret);
        const project = await streamApi.publishSampleProject();
        const prepared = await prepareSessions(streamApi, { ...connect, count: config.streamingSessions, projectId: project });
        return runStreaming(prepared, model, { pacing: paced, timeoutMs: config.timeoutMs });
      });
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
    saturatedTurnsPerSOverEchoesPerS: ratio(turnsSaturated.load.throughputPerS, baselineSaturated.throughputPerS),
  };
  const turnErrors = turns.load.errors + turns.load.abandoned + turnsSaturated.load.errors + turnsSaturated.load.abandoned;
  const totalMs = Math.round(performance.now() - runStarted);
  const targets: Target[] = [
    { name: "turn p50 vs baseline p50", goal: "≤ 1.5×", actual: `${ratios.turnP50OverBaselineP50}×`, met: (ratios.turnP50OverBaselineP50 ?? Infinity) <= 1.5 },
    { name: "turn p99 vs baseline p99", goal: "≤ 3×", actual: `${ratios.turnP99OverBaselineP99}×`, met: (ratios.turnP99OverBaselineP99 ?? Infinity) <= 3 },
    { name: `errors at ${config.sessions} concurrent sessions`, goal: "0", actual: String(turnErrors), met: turnErrors === 0 },
    { name: "added time to first streamed token, p50", goal: "≤ 15 ms", actual: `${streaming.addedTtft.p50Ms} ms`, met: (streaming.addedTtft.p50Ms ?? Infinity) <= 15 },
    { name: "D1 round trips per turn", goal: "≤ 1", actual: String(turns.cost.d1RoundTrips), met: turns.cost.turns > 0 && turns.cost.d1RoundTrips <= 1 },
    { name: "KV reads per turn after the session started", goal: "0", actual: String(turns.cost.kvReads), met: turns.cost.turns > 0 && turns.cost.kvReads === 0 },
    { name: "whole run", goal: "< 300 s", actual: `${(totalMs / 1000).toFixed(1)} s`, met: totalMs < 300_000 },
  ];
  const result = {
    generatedAt: new Date().toISOString(),
    environment: {
      ...environment,
      concurrency: { sessions: config.sessions, streamingSessions: config.streamingSessions, connectBatch: config.connectBatch, createConcurrency: config.createConcurrency },
    },
    config: { ...config, messagesPerSession: INTAKE_ANSWERS.length, turnEnds: "state frame", script: SAMPLE_SCRIPT },
    scenarios: {
      baseline: scenario(baseline),
      turns: { ...scenario(turns.load), toLastAiMessage: turns.lastMessage },
      baselineSaturated: scenario(baselineSaturated),
      turnsSaturated: { ...scenario(turnsSaturated.load), toLastAiMessage: turnsSaturated.lastMessage },
      streaming: {
        addedTtftP50Ms: streaming.addedTtft.p50Ms,
        addedTtftP95Ms: streaming.addedTtft.p95Ms,
        addedTtftP99Ms: streaming.addedTtft.p99Ms,
        interTokenP50Ms: streaming.clientInterToken.p50Ms,
        interTokenP99Ms: streaming.clientInterToken.p99Ms,
        serverInterTokenP50Ms: streaming.serverInterToken.p50Ms,
        streamedMessages: streaming.addedTtft.count,
        unmatchedMessages: streaming.unmatched,
        model: config.model,
        turns: scenario(streaming.turns),
      },
    },
    ratios,
    perTurn: turns.cost,
    perTurnSaturated: turnsSaturated.cost,
    targets,
    phasesMs: phases,
    totalMs,
  };
  await writeJson(outFile, result);

  const label = (name: string, think: number) => `${name}${think ? `, think ${think} ms` : ", closed loop"}`;
  console.log(
    [
      "",
      `HeartRule benchmark — ${config.sessions} sessions × ${INTAKE_ANSWERS.length} turns · ${environment.cpu.cores}× ${environment.cpu.model} · Node ${environment.node} · ${environment.workerd.binary} · ${environment.git.commit?.slice(0, 10)}`,
      "",
      latencyTable([
        { label: label("baseline (echo DO)", config.thinkMs), ...baseline },
        { label: label("turns", config.thinkMs), ...turns.load },
        { label: label("baseline (echo DO)", 0), ...baselineSaturated },
        { label: label("turns", 0), ...turnsSaturated.load },
        { label: `streaming turns (${config.streamingSessions} sessions)`, ...streaming.turns },
      ]),
      "",
      `turn p50 / baseline p50 = ${ratios.turnP50OverBaselineP50}×   turn p99 / baseline p99 = ${ratios.turnP99OverBaselineP99}×   closed-loop turns/s ÷ echoes/s = ${ratios.saturatedTurnsPerSOverEchoesPerS}`,
      `streaming: added TTFT p50 ${streaming.addedTtft.p50Ms} ms, p99 ${streaming.addedTtft.p99Ms} ms over ${streaming.addedTtft.count} messages; inter-token p50 ${streaming.clientInterToken.p50Ms} ms at the client vs ${streaming.serverInterToken.p50Ms} ms at the server`,
      `per turn: ${turns.cost.d1RoundTrips} D1 round trips, ${turns.cost.kvReads} KV reads (${turns.cost.turns} turns counted)`,
      "",
      targetLines(targets),
      "",
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
