/**
 * The canary: every cron run, one whole session of the sample script through the public
 * API — the Worker's own app.fetch, in process, with a short-lived service token minted
 * with JWT_SECRET for the user `heartrule-canary` — so it crosses the same routing, auth,
 * Durable Object, model and D1 mirror as a client does. It answers each question with a
 * fixed line, measures how long the D1 mirror takes to show the last turn, erases the
 * session, and records the outcome in `canary_runs`. Deployments that verify tokens only with JWKS_URL
 * cannot mint one: the canary is skipped there (logged), and nothing is recorded.
 */
import intake from "../../scripts/sessions/intake_en.yaml";
import { getConfig, type Env } from "../config";
import { mintToken } from "../http/auth";
import { log } from "../log";
import { database } from "../store/db";
import { canaryRuns } from "../store/schema";

export type AppFetch = (request: Request, env: Env) => Response | Promise<Response>;

export const CANARY_USER = "heartrule-canary";
/** Fixed answers, one per question; the sample asks five, and says goodbye after the last. */
const ANSWERS = ["Alex", "Work has been busy lately", "6", "I sleep well most nights", "Feel calmer at work", "Thank you"];
const MAX_TURNS = 12;
const ORIGIN = "https://canary.heartrule.internal";
const POLL_MS = 200;

export type CanaryRun = typeof canaryRuns.$inferInsert;

class CanaryFailure extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = "CanaryFailure";
  }
}

export async function runCanary(env: Env, app: AppFetch): Promise<CanaryRun | null> {
  const config = getConfig(env);
  if (!config.JWT_SECRET || config.JWKS_URL) {
    log({ level: "warn", msg: "canary skipped: no JWT_SECRET to mint its token", fields: ["JWT_SECRET"] });
    return null;
  }
  const role = config.CANARY_PROJECT_ID ? "client" : "author";
  const { token } = await mintToken({ id: CANARY_USER, role }, config.JWT_SECRET, 300);
  const api = async (path: string, method = "GET", payload?: unknown) => {
    const res = await app(
      new Request(`${ORIGIN}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      }),
      env,
    );
    const body = res.status === 204 ? null : ((await res.json().catch(() => null)) as Record<string, any> | null);
    if (!res.ok) throw new CanaryFailure(typeof body?.code === "string" ? body.code : `HTTP_${res.status}`);
    return body!;
  };

  const started = Date.now();
  let sessionId: string | null = null;
  let turns = 0;
  let code: string | null = null;
  let mirrorLagMs: number | null = null;
  try {
    const created = await api("/api/sessions", "POST", config.CANARY_PROJECT_ID ? { projectId: config.CANARY_PROJECT_ID } : { scriptYaml: intake });
    sessionId = created.sessionId as string;
    turns = 1;
    let status = created.status as string;
    while (status === "waiting_input") {
      if (turns >= MAX_TURNS) throw new CanaryFailure("CANARY_NOT_COMPLETED");
      const reply = await api(`/api/sessions/${sessionId}/messages`, "POST", { content: ANSWERS[turns - 1] ?? "Thank you" });
      turns++;
      status = reply.status as string;
    }
    if (status !== "completed") throw new CanaryFailure("CANARY_NOT_COMPLETED");
    const answered = Date.now();
    // A mirror that lags fails no client (the actor answered): it is its own alert, not the canary's failure.
    mirrorLagMs = await mirrorCaughtUp(env.DB, sessionId, turns, config.ALERT_MIRROR_LAG_MS, answered);
  } catch (err) {
    code = err instanceof CanaryFailure ? err.code : "CANARY_ERROR";
  }
  const run: CanaryRun = {
    id: crypto.randomUUID(),
    startedAt: new Date(started),
    ok: code === null,
    latencyMs: Date.now() - started,
    turns,
    code,
    mirrorLagMs,
  };
  if (sessionId) await api(`/api/sessions/${sessionId}`, "DELETE").catch(() => undefined);
  await database(env.DB).insert(canaryRuns).values(run);
  log({
    level: run.ok ? "info" : "warn",
    msg: "canary",
    ok: run.ok,
    code: code ?? undefined,
    turns,
    durationMs: run.latencyMs,
    sessionId: sessionId ?? undefined,
  });
  return run;
}

/** How long after `since` the D1 session row showed turn `turn`; null if it did not within `limitMs`. */
async function mirrorCaughtUp(db: D1Database, sessionId: string, turn: number, limitMs: number, since: number): Promise<number | null> {
  const read = db.prepare("SELECT last_turn FROM sessions WHERE id = ?").bind(sessionId);
  while (Date.now() - since <= limitMs) {
    const row = await read.first<{ last_turn: number }>();
    if (row && row.last_turn >= turn) return Date.now() - since;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return null;
}
