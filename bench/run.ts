/**
 * `npm run bench [-- --sessions 200 --think-ms 1000 …]`: measures HeartRule
 * against a bare Durable Object in one process and one run, prints a table
 * and writes bench/results/latest.json. What each number means:
 * docs/performance.md.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Api } from "./lib/api";
import { captureEnvironment, packageVersion } from "./lib/environment";
import { startFakeModel, type FakeModelServer } from "./lib/fake-openai";
import type { LoadResult, Pacing } from "./lib/load";
import { devBundleMap, profileWhile, summariseProfile, type ProfileSummary } from "./lib/profile";
import { latencyTable, targetLines, writeJson, type Target } from "./lib/report";
import { ratio, summarise } from "./lib/stats";
import { startWorker, stopAll, type LocalWorker, type ServerCpu } from "./lib/worker";
import { capacitySvg, writePlot } from "./lib/plot";
import { runBaseline } from "./scenarios/baseline";
import { KNEE_P99_MS, sweep, type CapacityCurve } from "./scenarios/capacity";
import { measureCost, perTurn, readCost, settledCost, type PerTurn } from "./scenarios/cost";
import { INTAKE_ANSWERS, prepareSessions, runIntake, SAMPLE_SCRIPT } from "./scenarios/intake";
import { readPeerCost, runPeer, type PeerModel } from "./scenarios/peer";
import { runStreaming, type StreamingResult } from "./scenarios/streaming";
import { measureMirror, runMirrorSessions, type MirrorPath } from "./scenarios/mirror";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "200" },
    "think-ms": { type: "string", default: "1000" },
    "light-sessions": { type: "string", default: "10" },
    "light-think-ms": { type: "string", default: "1000" },
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
    "capacity-levels": { type: "string", default: "25,50,100,200" },
    /** `mirror`: only the D1 mirror's two paths, merged into the existing results file. */
    only: { type: "string" },
    "mirror-sessions": { type: "string", default: "200" },
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
  capacityLevels: values["capacity-levels"]!.split(",").map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error("--capacity-levels must be a comma-separated list of session counts");
    return n;
  }),
};
/** A capacity sweep stops driving a system harder once its p99 is past this: far beyond the knee, and slow to run. */
const SATURATED_P99_MS = 500;
/** The peer's model when it stands in for HeartRule's offline model: every token at once. */
const INSTANT_MODEL: PeerModel = { ttftMs: 0, tokensPerSecond: 0, replyTokens: config.model.replyTokens };
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
type WithCpu<T> = T & { cpuMsPerMessage: CpuPerMessage | null; runtimeBusyShare: number | null };

/** The local server's CPU time spent while `work` ran, per answered message, by process role. */
async function withCpu<T extends LoadResult | { turns: LoadResult }>(worker: LocalWorker, work: () => Promise<T>): Promise<WithCpu<T>> {
  const before = worker.cpuMs();
  const started = performance.now();
  const result = await work();
  const elapsed = performance.now() - started;
  const after = worker.cpuMs();
  const answered = "turns" in result ? result.turns.count : result.count;
  if (!before || !after || answered === 0) return { ...result, cpuMsPerMessage: null, runtimeBusyShare: null };
  const per = (role: keyof ServerCpu) => Math.round(((after[role] - before[role]) / answered) * 100) / 100;
  const cpu = { runtime: per("runtime"), proxy: per("proxy"), wrangler: per("wrangler") };
  return {
    ...result,
    cpuMsPerMessage: { ...cpu, total: Math.round((cpu.runtime + cpu.proxy + cpu.wrangler) * 100) / 100 },
    // The runtime runs a Worker's requests and objects on one thread: near 1, turns queue behind each other.
    runtimeBusyShare: Math.round(((after.runtime - before.runtime) / elapsed) * 100) / 100,
  };
}

const scenario = (r: LoadResult & { cpuMsPerMessage?: CpuPerMessage | null; runtimeBusyShare?: number | null }) => ({
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
  runtimeBusyShare: r.runtimeBusyShare ?? null,
  ...(r.errorSamples.length ? { errorSamples: r.errorSamples } : {}),
});

const streamingView = (s: WithCpu<StreamingResult>, sessions: number) => ({
  addedTtftP50Ms: s.addedTtft.p50Ms,
  addedTtftP95Ms: s.addedTtft.p95Ms,
  addedTtftP99Ms: s.addedTtft.p99Ms,
  interTokenP50Ms: s.clientInterToken.p50Ms,
  interTokenP99Ms: s.clientInterToken.p99Ms,
  serverInterTokenP50Ms: s.serverInterToken.p50Ms,
  sessions,
  streamedMessages: s.addedTtft.count,
  unmatchedMessages: s.unmatched,
  turns: scenario({ ...s.turns, cpuMsPerMessage: s.cpuMsPerMessage, runtimeBusyShare: s.runtimeBusyShare }),
});

type PeerPhase = WithCpu<LoadResult> & { storage: PerTurn };
type PeerResults =
  | { ok: true; versions: Record<string, string>; light: PeerPhase; heavy: PeerPhase; streaming: PeerPhase; capacity: CapacityCurve }
  | { ok: false; versions: Record<string, string>; reason: string };

/** The peer's scenarios on its own local Worker; a peer that cannot run is recorded with the reason, never dropped. */
async function runPeerScenarios(started: Promise<LocalWorker>, paced: Pacing, light: Pacing): Promise<PeerResults> {
  const versions = { agents: packageVersion("agents"), "@cloudflare/ai-chat": packageVersion("@cloudflare/ai-chat") };
  let peer: LocalWorker | undefined;
  try {
    peer = await started;
    const w = peer;
    const drive = async (connections: number, pacing: Pacing, model: PeerModel): Promise<PeerPhase> => {
      let before: Awaited<ReturnType<typeof readPeerCost>> | undefined;
      let names: string[] = [];
      const load = await withCpu(w, async () => {
        const r = await runPeer(w, {
          connections,
          messages: INTAKE_ANSWERS,
          connectBatch: config.connectBatch,
          timeoutMs: config.timeoutMs,
          pacing,
          model,
          beforeLoad: async (n) => void (before = await readPeerCost(w, n)),
        });
        names = r.names;
        return r.load;
      });
      return { ...load, storage: perTurn(before!, await readPeerCost(w, names), connections * INTAKE_ANSWERS.length) };
    };
    const lightRun = await phase(`peer, light load: ${config.lightSessions} conversations`, () => drive(config.lightSessions, light, INSTANT_MODEL));
    const heavy = await phase(`peer: ${config.sessions} conversations`, () => drive(config.sessions, paced, INSTANT_MODEL));
    const streaming = await phase(`peer, streaming the fake model: ${config.streamingSessions} conversations`, () =>
      drive(config.streamingSessions, paced, config.model),
    );
    const capacity = await phase(`capacity, peer: ${config.capacityLevels.filter((n) => n !== config.sessions).join(", ")} conversations`, () =>
      sweep(config.capacityLevels, (n) => drive(n, paced, INSTANT_MODEL), {
        known: new Map([[config.sessions, heavy]]),
        stopAboveMs: SATURATED_P99_MS,
      }),
    );
    return { ok: true, versions, light: lightRun, heavy, streaming, capacity };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    process.stdout.write(`  the peer could not run: ${reason}\n`);
    return { ok: false, versions, reason };
  } finally {
    await peer?.stop();
  }
}

const peerView = (r: PeerPhase) => ({ ...scenario(r), commitsPerTurn: r.storage.storageCommits });

function peerScenarios(peer: PeerResults) {
  if (!peer.ok) return { peer: { ran: false, versions: peer.versions, reason: peer.reason } };
  return {
    peer: { ran: true, versions: peer.versions, model: INSTANT_MODEL, ...peerView(peer.heavy) },
    peerLight: { model: INSTANT_MODEL, ...peerView(peer.light) },
    peerStreaming: { model: config.model, ...peerView(peer.streaming) },
  };
}

// ── the D1 mirror: direct and through the queue ────────────────────────

/** The issue's targets for the queue path, at the mirror's session count. */
const MIRROR_TARGETS = { d1BatchesPerTurn: 0.2, lagP99Ms: 2000 };

const mirrorWorker = (secret: string, viaQueue: boolean) =>
  startWorker({
    label: viaQueue ? "mirror-queue" : "mirror-direct",
    logDir,
    stateRoot,
    vars: { ENVIRONMENT: "bench", LLM_PROVIDER: "offline", JWT_SECRET: secret, MIRROR_VIA_QUEUE: String(viaQueue) },
  });

function mirrorResults(sessions: number, direct: MirrorPath, queue: MirrorPath) {
  const targets: Target[] = [
    {
      name: `D1 batches per turn through the mirror queue, ${sessions} sessions`,
      goal: `≤ ${MIRROR_TARGETS.d1BatchesPerTurn}`,
      actual: `${queue.d1BatchesPerTurn} (direct: ${direct.d1BatchesPerTurn})`,
      met: queue.complete && queue.d1BatchesPerTurn <= MIRROR_TARGETS.d1BatchesPerTurn,
    },
    {
      name: `mirror lag p99 through the queue, ${sessions} sessions`,
      goal: `≤ ${MIRROR_TARGETS.lagP99Ms} ms`,
      actual: `${queue.lag.p99Ms} ms (direct: ${direct.lag.p99Ms} ms)`,
      met: queue.complete && (queue.lag.p99Ms ?? Infinity) <= MIRROR_TARGETS.lagP99Ms,
    },
  ];
  return { sessions, thinkMs: config.thinkMs, direct, queue, targets };
}

/** `--only mirror`: both mirror paths, each on a Worker of its own (MIRROR_VIA_QUEUE is read at start). */
async function runMirrorPaths(secret: string) {
  const sessions = count("mirror-sessions");
  const connect = { connectBatch: config.connectBatch, createConcurrency: config.createConcurrency, timeoutMs: config.timeoutMs };
  const path = async (viaQueue: boolean): Promise<MirrorPath> => {
    const worker = await phase(`start wrangler dev (mirror ${viaQueue ? "through the queue" : "direct"})`, () => mirrorWorker(secret, viaQueue));
    try {
      const api = new Api(worker.origin, secret);
      const projectId = await api.publishSampleProject();
      return await phase(`mirror, ${viaQueue ? "through the queue" : "direct"}: ${sessions} sessions`, () =>
        runMirrorSessions(api, { ...connect, sessions, projectId, pacing: { thinkMs: config.thinkMs, seed: config.seed } }),
      );
    } finally {
      await worker.stop();
    }
  };
  return mirrorResults(sessions, await path(false), await path(true));
}

type MirrorResults = Awaited<ReturnType<typeof runMirrorPaths>>;

function mirrorLines(m: MirrorResults): string[] {
  const line = (name: string, p: MirrorPath) =>
    `mirror ${name}, ${p.sessions} sessions: ${p.d1BatchesPerTurn} D1 batches per turn (actors ${p.actorD1RoundTrips}, consumer ${p.consumerD1Batches}${p.consumerD1Batches ? `, ${p.messagesPerConsumerBatch} messages and ${p.consumerStatementsPerTurn} statements per turn` : ""}) over ${p.turns} turns; lag p50 ${p.lag.p50Ms} / p95 ${p.lag.p95Ms} / p99 ${p.lag.p99Ms} ms over ${p.lag.count} turns${p.complete ? "" : ", INCOMPLETE"}`;
  return [line("direct", m.direct), line("through the queue", m.queue)];
}

/** `--only mirror`: the mirror's paths alone, written as the `mirror` key of the results file, every other key kept. */
async function mirrorOnly(): Promise<void> {
  await mkdir(logDir, { recursive: true });
  const mirror = await runMirrorPaths(randomBytes(32).toString("hex"));
  const existing = await readFile(outFile, "utf8").then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => ({}),
  );
  await writeJson(outFile, { ...existing, mirror: { generatedAt: new Date().toISOString(), environment: captureEnvironment(), ...mirror } });
  console.log(["", ...mirrorLines(mirror), "", targetLines(mirror.targets), "", `wrote the mirror key of ${outFile}`].join("\n"));
}

async function main() {
  if (values.only !== undefined) {
    if (values.only !== "mirror") throw new Error("--only takes `mirror`");
    return mirrorOnly();
  }
  await mkdir(logDir, { recursive: true });
  const environment = captureEnvironment();
  const secret = randomBytes(32).toString("hex");
  const connect = { connectBatch: config.connectBatch, createConcurrency: config.createConcurrency, timeoutMs: config.timeoutMs };

  // The three local Workers start together (each start is mostly waiting); the two not being measured sit idle meanwhile.
  const model = await startFakeModel(config.model);
  const offlineStart = startWorker({
    label: "offline",
    logDir,
    stateRoot,
    vars: { ENVIRONMENT: "bench", LLM_PROVIDER: "offline", JWT_SECRET: secret },
  });
  const streamerStart = startWorker({
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
  });
  const queuedStart = mirrorWorker(secret, true);
  const peerStart = startWorker({ label: "peer", logDir, stateRoot, config: "bench/peer/wrangler.toml", vars: {} });
  // A peer that fails to start is recorded with its reason later, not a failed run.
  peerStart.catch(() => {});
  const [worker, queued] = await phase(
    "start wrangler dev ×4 (offline model; offline, mirror through the queue; openai-compatible → fake server; peer: AIChatAgent)",
    () => Promise.all([offlineStart, queuedStart, streamerStart, peerStart.catch(() => null)]),
  );

  // ── offline model: baseline, turns, cost per turn ─────────────────────
  const api = new Api(worker.origin, secret);
  const queuedApi = new Api(queued.origin, secret);
  const [projectId, queuedProjectId] = await phase("publish the sample project (both offline Workers)", () =>
    Promise.all([api.publishSampleProject(), queuedApi.publishSampleProject()]),
  );
  const offline = { worker, api, projectId };
  const intake = (sessions: number, pacing: Pacing, label: string, mirrored = false) => intakeOn(offline, sessions, pacing, label, mirrored);

  const echo = (connections: number, pacing: Pacing, durable = false) =>
    withCpu(worker, () =>
      runBaseline(worker, { connections, messages: INTAKE_ANSWERS, connectBatch: config.connectBatch, timeoutMs: config.timeoutMs, pacing, durable }),
    );

  /** Creates and connects the sessions (not timed), then runs them to completion (timed). */
  /** Creates and connects the sessions (not timed), then runs them to completion (timed); `mirrored`: with the D1 mirror's figures. */
  const intakeOn = async (
    target: { worker: LocalWorker; api: Api; projectId: string },
    sessions: number,
    pacing: Pacing,
    label: string,
    mirrored = false,
  ) => {
    const { worker, api } = target;
    const prepared = await prepareSessions(api, { ...connect, count: sessions, projectId: target.projectId });
    const ids = prepared.sessions.map((x) => x.sessionId);
    const toLastMessage: number[] = [];
    const toEcho: number[] = [];
    /** The echo of the user's message by the turn's place in the session: the first turns are the ones that could arm the alarm. */
    const echoByTurn: number[][] = INTAKE_ANSWERS.map(() => []);
    const before = await readCost(api, ids);
    const run = () =>
      runIntake(prepared, { pacing, timeoutMs: config.timeoutMs, label }, (t, turn) => {
        toEcho.push(t.echoAt - t.sentAt);
        echoByTurn[turn]!.push(t.echoAt - t.sentAt);
        if (t.lastMessageAt !== null) toLastMessage.push(t.lastMessageAt - t.sentAt);
      });
    let profile: ProfileSummary | undefined;
    const measured = () =>
      withCpu(worker, async () => {
        if (!values.profile) return run();
        const profiled = await profileWhile(worker.inspectorPort, PROFILE_INTERVAL_US, run);
        profile = await summariseProfile(
          profiled.profile,
          resolve(logDir, `turns-${label}.cpuprofile`),
          PROFILE_INTERVAL_US,
          20,
          await devBundleMap(),
        );
        return profiled.result;
      });
    const { load, mirror } = mirrored ? await measureMirror(api, ids, measured) : { load: await measured(), mirror: undefined };
    const storage = perTurn(before, await settledCost(api, ids), sessions * INTAKE_ANSWERS.length);
    return {
      load,
      mirror,
      lastMessage: summarise(toLastMessage),
      userEcho: summarise(toEcho),
      userEchoByTurn: echoByTurn.map((b) => summarise(b).p99Ms),
      storage,
      profile,
    };
  };

  const paced = { thinkMs: config.thinkMs, seed: config.seed };
  const light = { thinkMs: config.lightThinkMs, seed: config.seed };
  const baseline = await phase(`baseline: echo Durable Object, ${config.sessions} connections`, () => echo(config.sessions, paced));
  const baselineDurable = await phase(`durable baseline: echo after a SQLite write, ${config.sessions} connections`, () =>
    echo(config.sessions, paced, true),
  );
  const turns = await phase(`turns: ${config.sessions} intake sessions`, () => intake(config.sessions, paced, "turns", true));
  // The same turns with the actors sending their D1 writes through the mirror queue: its D1 batches, lag and CPU per turn.
  const turnsQueued = await phase(`turns, mirror through the queue: ${config.sessions} intake sessions`, () =>
    intakeOn({ worker: queued, api: queuedApi, projectId: queuedProjectId }, config.sessions, paced, "turns-queued", true),
  );
  await queued.stop();
  const mirror = mirrorResults(config.sessions, turns.mirror!, turnsQueued.mirror!);
  const baselineLight = await phase(`baseline, light load: ${config.lightSessions} connections`, () => echo(config.lightSessions, light));
  const turnsLight = await phase(`turns, light load: ${config.lightSessions} sessions`, () => intake(config.lightSessions, light, "light"));
  const cost = await phase(`cost per turn: ${config.costSessions} sessions`, () =>
    measureCost(api, { ...connect, sessions: config.costSessions, projectId }),
  );
  const otherLevels = config.capacityLevels.filter((n) => n !== config.sessions);
  const capacityHeartRule = await phase(`capacity, HeartRule: ${otherLevels.join(", ")} sessions`, () =>
    sweep(config.capacityLevels, async (n) => (await intake(n, paced, `capacity-${n}`)).load, {
      known: new Map([[config.sessions, turns.load]]),
      stopAboveMs: SATURATED_P99_MS,
    }),
  );
  const capacityEcho = await phase(`capacity, durable echo: ${otherLevels.join(", ")} connections`, () =>
    sweep(config.capacityLevels, (n) => echo(n, paced, true), {
      known: new Map([[config.sessions, baselineDurable]]),
      stopAboveMs: SATURATED_P99_MS,
    }),
  );
  await worker.stop();

  // ── streaming through the openai-compatible provider ──────────────────
  async function stream(streamer: LocalWorker, fake: FakeModelServer, sessions: number) {
    const streamApi = new Api(streamer.origin, secret);
    const project = await streamApi.publishSampleProject();
    const prepared = await prepareSessions(streamApi, { ...connect, count: sessions, projectId: project });
    const ids = prepared.sessions.map((x) => x.sessionId);
    const before = await readCost(streamApi, ids);
    const result = await withCpu(streamer, () => runStreaming(prepared, fake, { pacing: paced, timeoutMs: config.timeoutMs }));
    return { ...result, storage: perTurn(before, await settledCost(streamApi, ids), sessions * INTAKE_ANSWERS.length) };
  }
  let streaming: Awaited<ReturnType<typeof stream>>;
  let streamingLoaded: Awaited<ReturnType<typeof stream>>;
  try {
    const streamer = await streamerStart;
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

  // ── the peer: AIChatAgent on the same workerd ─────────────────────────
  const peer = await runPeerScenarios(peerStart, paced, light);

  const curves: Record<string, CapacityCurve> = {
    HeartRule: capacityHeartRule,
    "durable echo": capacityEcho,
    ...(peer.ok ? { "peer (AIChatAgent)": peer.capacity } : {}),
  };
  const plot = await writePlot(
    capacitySvg(curves, KNEE_P99_MS, `Turn p99 by load (think ${config.thinkMs} ms), ${environment.git.commit?.slice(0, 7) ?? ""}`),
    resolve(dirname(outFile), "capacity"),
  );
  if (plot.note) process.stdout.write(`  ${plot.note}\n`);

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
    runtimeCpuPerTurnOverDurableEcho: ratio(turns.load.cpuMsPerMessage?.runtime ?? null, baselineDurable.cpuMsPerMessage?.runtime ?? null),
    queuedRuntimeCpuPerTurnOverDurableEcho: ratio(
      turnsQueued.load.cpuMsPerMessage?.runtime ?? null,
      baselineDurable.cpuMsPerMessage?.runtime ?? null,
    ),
    queuedTurnP99OverDurableBaselineP99: ratio(turnsQueued.load.p99Ms, baselineDurable.p99Ms),
    runtimeCpuPerTurnOverPeer: peer.ok ? ratio(turns.load.cpuMsPerMessage?.runtime ?? null, peer.heavy.cpuMsPerMessage?.runtime ?? null) : null,
    lightTurnP50OverPeerLightP50: peer.ok ? ratio(turnsLight.load.p50Ms, peer.light.p50Ms) : null,
    turnP99OverPeerP99: peer.ok ? ratio(turns.load.p99Ms, peer.heavy.p99Ms) : null,
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
    {
      name: "commits per turn on the common path (offline model)",
      goal: "1",
      actual: String(turns.storage.storageCommits),
      met: turns.storage.complete && turns.storage.storageCommits <= 1,
    },
    {
      name: `turn p99 vs durable echo p99, ${config.sessions} sessions`,
      goal: "≤ 3×",
      actual: `${ratios.turnP99OverDurableBaselineP99}×`,
      met: (ratios.turnP99OverDurableBaselineP99 ?? Infinity) <= 3,
    },
    {
      name: "runtime CPU per turn vs durable echo",
      goal: "≤ 2×",
      actual: `${ratios.runtimeCpuPerTurnOverDurableEcho}×`,
      met: (ratios.runtimeCpuPerTurnOverDurableEcho ?? Infinity) <= 2,
    },
    {
      name: "runtime CPU per turn vs the peer",
      goal: "≤ 1×",
      actual: peer.ok ? `${ratios.runtimeCpuPerTurnOverPeer}×` : `peer did not run: ${peer.reason}`,
      met: (ratios.runtimeCpuPerTurnOverPeer ?? Infinity) <= 1,
    },
    {
      name: "turn p50 at light load vs the peer's",
      goal: "≤ 1×",
      actual: peer.ok ? `${ratios.lightTurnP50OverPeerLightP50}×` : `peer did not run: ${peer.reason}`,
      met: (ratios.lightTurnP50OverPeerLightP50 ?? Infinity) <= 1,
    },
    ...mirror.targets,
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
      turns: {
        ...scenario(turns.load),
        toUserEcho: turns.userEcho,
        toLastAiMessage: turns.lastMessage,
        toUserEchoP99ByTurn: turns.userEchoByTurn,
        commitsPerTurn: turns.storage.storageCommits,
      },
      baselineLight: scenario(baselineLight),
      turnsQueued: { ...scenario(turnsQueued.load), commitsPerTurn: turnsQueued.storage.storageCommits },
      turnsLight: {
        ...scenario(turnsLight.load),
        toUserEcho: turnsLight.userEcho,
        toLastAiMessage: turnsLight.lastMessage,
        commitsPerTurn: turnsLight.storage.storageCommits,
      },
      streaming: { ...streamingView(streaming, config.streamingSessions), model: config.model, commitsPerTurn: streaming.storage.storageCommits },
      streamingLoaded: { ...streamingView(streamingLoaded, config.streamingLoadSessions), commitsPerTurn: streamingLoaded.storage.storageCommits },
      ...peerScenarios(peer),
    },
    storagePerTurn: {
      turns: turns.storage,
      turnsQueued: turnsQueued.storage,
      turnsLight: turnsLight.storage,
      streaming: streaming.storage,
      ...(peer.ok ? { peer: peer.heavy.storage, peerLight: peer.light.storage, peerStreaming: peer.streaming.storage } : {}),
    },
    capacity: {
      p99LimitMs: KNEE_P99_MS,
      thinkMs: config.thinkMs,
      saturatedAboveMs: SATURATED_P99_MS,
      heartRule: capacityHeartRule,
      durableEcho: capacityEcho,
      peer: peer.ok ? peer.capacity : null,
      plot,
    },
    ratios,
    perTurn: cost,
    mirror,
    ...(profile ? { profile } : {}),
    targets,
    phasesMs: phases,
    totalMs,
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
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
        ...(peer.ok
          ? [
              { label: `peer: ${config.lightSessions} conversations, think ${config.lightThinkMs} ms`, ...peer.light },
              { label: `peer: ${config.sessions} conversations, think ${config.thinkMs} ms`, ...peer.heavy },
              { label: `peer streaming: ${config.streamingSessions} conversations`, ...peer.streaming },
            ]
          : []),
      ]),
      "",
      `ratios, ${config.sessions} sessions: turn p50 / baseline p50 = ${ratios.turnP50OverBaselineP50}×, p99 = ${ratios.turnP99OverBaselineP99}×; light load: p50 ${ratios.lightTurnP50OverBaselineP50}×, p99 ${ratios.lightTurnP99OverBaselineP99}×`,
      `against the durable baseline (echo after a SQLite write), ${config.sessions} sessions: p50 ${ratios.turnP50OverDurableBaselineP50}×, p99 ${ratios.turnP99OverDurableBaselineP99}×`,
      `light load: user message echoed after p50 ${turnsLight.userEcho.p50Ms} ms, last AI message p50 ${turnsLight.lastMessage.p50Ms} ms, state p50 ${turnsLight.load.p50Ms} ms`,
      `server CPU per turn: ${cpu(turns.load.cpuMsPerMessage)}`,
      `server CPU per echo: ${cpu(baseline.cpuMsPerMessage)}; runtime ratio ${ratios.runtimeCpuPerTurnOverPerEcho}×, total ${ratios.serverCpuPerTurnOverPerEcho}×`,
      streamLine(streaming, config.streamingSessions),
      streamLine(streamingLoaded, config.streamingLoadSessions),
      `storage per turn (commits / SQL statements): turns ${turns.storage.storageCommits} / ${turns.storage.sqlStatements}, light ${turnsLight.storage.storageCommits} / ${turnsLight.storage.sqlStatements}, streaming ${streaming.storage.storageCommits} / ${streaming.storage.sqlStatements}${peer.ok ? `; peer ${peer.heavy.storage.storageCommits} / ${peer.heavy.storage.sqlStatements}, peer streaming ${peer.streaming.storage.storageCommits} / ${peer.streaming.storage.sqlStatements}` : ""}`,
      peer.ok
        ? `peer CPU per turn: ${cpu(peer.heavy.cpuMsPerMessage)}; HeartRule runtime / peer runtime ${ratios.runtimeCpuPerTurnOverPeer}×; light p50 HeartRule / peer ${ratios.lightTurnP50OverPeerLightP50}×`
        : `peer did not run (${JSON.stringify(peer.versions)}): ${peer.reason}`,
      `capacity knee (highest sessions with p99 < ${KNEE_P99_MS} ms): ${Object.entries(curves)
        .map(([name, c]) => `${name} ${c.kneeSessions ?? "none"}`)
        .join(", ")}; plot ${plot.png ?? plot.svg}`,
      ...mirrorLines(mirror),
      `through the queue, ${config.sessions} sessions: turn p50 ${turnsQueued.load.p50Ms} / p99 ${turnsQueued.load.p99Ms} ms, server CPU per turn ${cpu(turnsQueued.load.cpuMsPerMessage)}; runtime / durable echo ${ratios.queuedRuntimeCpuPerTurnOverDurableEcho}×, p99 / durable echo ${ratios.queuedTurnP99OverDurableBaselineP99}×`,
      `per turn: ${cost.d1RoundTrips} D1 round trips, ${cost.kvReads} KV reads (${cost.turns} turns of ${cost.sessions} sessions${cost.complete ? "" : ", INCOMPLETE: some counters were reset"})`,
      "",
      targetLines(targets),
      "",
      ...(profile
        ? [
            `workerd CPU profile (${profile.file}), share of busy samples with the function on the stack:`,
            ...profile.inclusive.slice(0, 15).map((f) => `  ${String(f.percent).padStart(5)}%  ${f.frame}`),
            "by source module (the deepest bundle frame; native work charged to its caller):",
            ...profile.modules.slice(0, 15).map((m) => `  ${String(m.percent).padStart(5)}%  ${m.module}`),
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
