/**
 * `npm run eval:safety [-- options]`: the detector alone on the corpus
 * (score-detector.ts), then every corpus utterance as a simulated
 * conversation through the real session actor (personas.ts, drive.ts,
 * score-conversation.ts). Prints both tables, writes
 * bench/results/safety-detector.json and bench/results/safety-eval.json,
 * and exits 1 when a threshold is missed or a conversation failed.
 * What each number means: eval/safety/README.md.
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Api } from "../../bench/lib/api";
import { captureEnvironment } from "../../bench/lib/environment";
import { writeJson } from "../../bench/lib/report";
import { startWorker, stopAll } from "../../bench/lib/worker";
import { modelFrom } from "../../src/cli/model-options";
import type { CrisisResource } from "../../src/engine/safety/resources";
import { type CorpusLanguage, corpusLanguages } from "./corpus";
import { drive } from "./drive";
import { buildPersonas } from "./personas";
import { type ConversationScore, lineMarkers, type LanguageSummary, scoreConversation, summarise, thresholdFailures } from "./score-conversation";
import { percent, reportDetector } from "./score-detector";

const { values } = parseArgs({
  options: {
    "detector-only": { type: "boolean", default: false },
    language: { type: "string", default: "all" },
    concurrency: { type: "string", default: "12" },
    /** A quick look: only the first N crisis and N benign conversations per language (thresholds still apply). */
    limit: { type: "string" },
    seed: { type: "string", default: "20261202" },
    "timeout-ms": { type: "string", default: "60000" },
    /** The Worker's port (and the next one for its inspector); default: free ports the kernel picks. */
    port: { type: "string" },
    "llm-base-url": { type: "string" },
    "llm-model": { type: "string" },
    "llm-response-format": { type: "string" },
  },
  strict: true,
});

const resultsDirectory = resolve("bench/results");

function integer(name: "concurrency" | "seed" | "timeout-ms" | "limit" | "port", min: number): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return n;
}

/** The Worker's [vars] (and its secret) for the model the flags name: the offline model without flags. */
function modelSettings(): { vars: Record<string, string>; secrets: Record<string, string>; label: string } {
  const flags = { baseUrl: values["llm-base-url"], model: values["llm-model"], responseFormat: values["llm-response-format"] };
  const chosen = modelFrom(flags);
  if (typeof chosen === "string") throw new Error(chosen);
  if (chosen.baseUrl === null) return { vars: { LLM_PROVIDER: "offline" }, secrets: {}, label: "offline model" };
  const vars: Record<string, string> = { LLM_PROVIDER: "openai-compatible", LLM_BASE_URL: flags.baseUrl!, LLM_MODEL: flags.model! };
  if (flags.responseFormat) vars.LLM_RESPONSE_FORMAT = flags.responseFormat;
  for (const name of ["LLM_TIMEOUT_MS", "LLM_MAX_RETRIES", "LLM_STREAM"]) if (process.env[name]) vars[name] = process.env[name]!;
  const secrets: Record<string, string> = process.env.LLM_API_KEY ? { LLM_API_KEY: process.env.LLM_API_KEY } : {};
  return { vars, secrets, label: `${flags.model} at ${flags.baseUrl}` };
}

function languages(): CorpusLanguage[] {
  if (values.language === "all") return [...corpusLanguages];
  if ((corpusLanguages as readonly string[]).includes(values.language!)) return [values.language as CorpusLanguage];
  throw new Error(`--language takes ${corpusLanguages.join(", ")} or all`);
}

/** A conversation that passed every check that applies to its kind. */
const passed = (s: ConversationScore) =>
  s.boundaryCrossings.length === 0 &&
  (s.kind === "benign" ? !s.protocolStarted : s.detected && s.confirmed && s.guidedSameTurn && s.carriedOn.length === 0);

const turnsText = (v: number | null) => (v === null ? "—" : v.toFixed(2));

function printTable(rows: { language: string; summary: LanguageSummary }[]): void {
  const header = [
    "language",
    "crisis n",
    "benign n",
    "recall",
    "FPR",
    "referral",
    "same-turn (detected)",
    "same-turn (all)",
    "confirmed",
    "carried on",
    "missed",
    "turns→resources",
    "boundary",
  ];
  console.log(header.join("\t"));
  for (const { language, summary: s } of rows) {
    console.log(
      [
        language,
        s.crisis,
        s.benign,
        percent(s.recall),
        percent(s.falsePositiveRate),
        percent(s.referralRate),
        percent(s.sameTurnResources),
        percent(s.sameTurnResourcesAll),
        percent(s.confirmed),
        s.carriedOn,
        s.missed,
        turnsText(s.meanTurnsToResources),
        s.boundaryCrossings,
      ].join("\t"),
    );
  }
}

async function main(): Promise<number> {
  reportDetector(resultsDirectory);
  if (values["detector-only"]) return 0;

  const concurrency = integer("concurrency", 1);
  const seed = integer("seed", 0);
  const timeoutMs = integer("timeout-ms", 1000);
  const limit = values.limit === undefined ? undefined : integer("limit", 1);
  const port = values.port === undefined ? undefined : integer("port", 1);
  const model = modelSettings();
  const logDir = resolve(resultsDirectory, "logs");
  await mkdir(logDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  const started = performance.now();
  const worker = await startWorker({
    label: "safety-eval",
    logDir,
    vars: { ENVIRONMENT: "bench", JWT_SECRET: secret, ...model.vars },
    secrets: model.secrets,
    ...(port === undefined ? {} : { ports: { http: port, inspector: port + 1 } }),
  });
  const results: { language: CorpusLanguage; summary: LanguageSummary; failed: { id: string; error: string }[]; durationMs: number }[] = [];
  const conversations: unknown[] = [];
  try {
    const api = new Api(worker.origin, secret);
    const projectId = await api.publishSampleProject();
    console.log(`Conversations through the session actor (wrangler dev, ${model.label}), ${concurrency} at a time, seed ${seed}\n`);
    for (const language of languages()) {
      const all = buildPersonas(language, seed);
      const personas =
        limit === undefined
          ? all
          : [...all.filter((p) => p.kind === "crisis").slice(0, limit), ...all.filter((p) => p.kind === "benign").slice(0, limit)];
      // The lines the server offers for the script's language: what a message must hold to count as showing them.
      const lines = await api.get<{ resources: CrisisResource[] }>(`/api/crisis-resources?locale=${language}`);
      const markers = lineMarkers(lines.resources);
      const t0 = performance.now();
      const driven = await drive(api, personas, { projectId, concurrency, timeoutMs });
      const durationMs = Math.round(performance.now() - t0);
      const scores = driven.flatMap((d) => (d.ok ? [scoreConversation(d.transcript, markers)] : []));
      const failed = driven.flatMap((d) => (d.ok ? [] : [{ id: d.id, error: d.error }]));
      // Only the conversations that fell short somewhere (each passing one would add nothing but bulk).
      conversations.push(...scores.filter((s) => !passed(s)).map((s) => ({ language, ...s })));
      const turns = driven.reduce((n, d) => n + (d.ok ? d.transcript.turns.length - 1 : 0), 0);
      console.log(`${language}: ${personas.length} conversations, ${turns} turns in ${(durationMs / 1000).toFixed(1)} s (${failed.length} failed)`);
      results.push({ language, summary: summarise(scores), failed, durationMs });
    }
  } finally {
    await worker.stop();
  }
  const totalMs = Math.round(performance.now() - started);
  console.log("");
  printTable(results);
  const failures = results.flatMap((r) => [
    ...thresholdFailures(r.language, r.summary),
    ...(r.failed.length ? [`${r.language}: ${r.failed.length} conversation(s) failed, e.g. ${r.failed[0]!.id}: ${r.failed[0]!.error}`] : []),
  ]);
  for (const r of results) {
    const s = r.summary;
    for (const [label, ids] of [
      ["missed (nothing detected)", s.missedIds],
      ["false positives (protocol started)", s.falsePositiveIds],
      ["carried on over the disclosure", s.carriedOnIds],
      ["no resources in the disclosure's turn", s.notSameTurnIds],
    ] as const) {
      if (ids.length) console.log(`${r.language} ${label}: ${ids.join(" ")}`);
    }
  }
  const out = resolve(resultsDirectory, "safety-eval.json");
  await writeJson(out, {
    generatedAt: new Date().toISOString(),
    environment: captureEnvironment(),
    model: model.label,
    path: "every conversation through the session actor (wrangler dev, HTTP + WebSocket)",
    seed,
    concurrency,
    totalMs,
    languages: results,
    /** Every conversation that fell short of a check, with the reasons. */
    shortfalls: conversations,
    failures,
  });
  console.log(
    `\n${failures.length ? failures.map((f) => `MISSED: ${f}`).join("\n") : "all thresholds met"}\nwrote ${out} in ${(totalMs / 1000).toFixed(1)} s`,
  );
  return failures.length ? 1 : 0;
}

process.on("SIGINT", () => void stopAll().finally(() => process.exit(130)));
process.on("SIGTERM", () => void stopAll().finally(() => process.exit(143)));
main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    await stopAll();
    process.exit(1);
  },
);
