/**
 * Token budgets: per session (SESSION_TOKEN_BUDGET) and per project and UTC
 * day (PROJECT_DAILY_TOKEN_BUDGET, or the project's own figure in
 * PROJECT_DAILY_TOKEN_BUDGETS). Tokens are what the model reported for every
 * call of a turn, in and out, whether the turn succeeded or not (they were
 * spent either way).
 *
 * A budget is checked before a turn is accepted, never during one: the turn
 * that crosses it finishes whole, and the next message is refused with a
 * problem (nothing of it is stored, so it is not "accepted and lost"; the
 * client may keep it and send it elsewhere or later). Reaching a budget logs
 * one line with ids and the setting's name, never content.
 */
import type { Config, Env } from "../config";
import { DomainError } from "../errors";
import { log } from "../log";
import { secondsUntilNextDay, usageDay, type UsageCounterRpc } from "./usage-rpc";

/** Where the actor keeps its session's count: its storage's key-value space, erased with the rest of the session. */
const SESSION_TOKENS_KEY = "limits.sessionTokens";

/** What a budget check needs to know of a session. */
export interface Budgeted {
  sessionId: string;
  userId: string;
  projectId: string | null;
}

/** What the model reported for a turn (the engine's step stats). */
export interface TurnTokens {
  inputTokens: number;
  outputTokens: number;
}

/** The daily budget of a project: its own figure, else the default; undefined: none. */
export function projectDailyBudget(config: Config, projectId: string): number | undefined {
  return config.PROJECT_DAILY_TOKEN_BUDGETS?.[projectId] ?? config.PROJECT_DAILY_TOKEN_BUDGET;
}

function counter(env: Env, projectId: string, now: number): UsageCounterRpc {
  const ns = env.USAGE_COUNTER!;
  return ns.get(ns.idFromName(`${projectId}:${usageDay(now)}`)) as unknown as UsageCounterRpc;
}

function reached(setting: string, s: Budgeted, code: "SESSION_TOKEN_BUDGET_EXCEEDED" | "PROJECT_TOKEN_BUDGET_EXCEEDED"): void {
  log({
    level: "warn",
    msg: "token budget reached",
    code,
    fields: [setting],
    sessionId: s.sessionId,
    userId: s.userId,
    projectId: s.projectId ?? undefined,
  });
}

/**
 * Refuses new work for a project whose sessions have used today's budget
 * (PROJECT_TOKEN_BUDGET_EXCEEDED, `retryAfter` until the next UTC midnight).
 * A counter that cannot be reached lets the turn through: the budget is a
 * brake on spending, and its outage must not stop conversations.
 */
export async function checkProjectBudget(env: Env, config: Config, s: Budgeted): Promise<void> {
  if (!s.projectId || !env.USAGE_COUNTER) return;
  const budget = projectDailyBudget(config, s.projectId);
  if (budget === undefined) return;
  const now = Date.now();
  let used: number;
  try {
    used = await counter(env, s.projectId, now).total();
  } catch (err) {
    log({ level: "warn", msg: "usage counter failed", projectId: s.projectId, error: err instanceof Error ? err.name : "unknown" });
    return;
  }
  if (used < budget) return;
  reached("PROJECT_DAILY_TOKEN_BUDGET", s, "PROJECT_TOKEN_BUDGET_EXCEEDED");
  throw new DomainError("PROJECT_TOKEN_BUDGET_EXCEEDED", "This project has used today's token budget; new turns start again after midnight (UTC).", {
    retryAfter: secondsUntilNextDay(now),
  });
}

/** The budgets as one session's actor applies them: its own count in its storage, the project's in the project's counter. */
export class SessionBudget {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: Env,
    private readonly config: Config,
  ) {}

  /** Tokens this session's turns have used. */
  get used(): number {
    return this.storage.kv.get<number>(SESSION_TOKENS_KEY) ?? 0;
  }

  /** Before a user message is accepted: refuses it when the session's or the project's budget is used up. */
  async check(s: Budgeted): Promise<void> {
    const budget = this.config.SESSION_TOKEN_BUDGET;
    if (budget !== undefined && this.used >= budget) {
      reached("SESSION_TOKEN_BUDGET", s, "SESSION_TOKEN_BUDGET_EXCEEDED");
      throw new DomainError("SESSION_TOKEN_BUDGET_EXCEEDED", "This session has used its token budget; start a new session to go on.");
    }
    await checkProjectBudget(this.env, this.config, s);
  }

  /**
   * After the engine ran a turn: its tokens count, in the session at once (a
   * synchronous write, committed with the turn's own) and in the project's
   * day in the background. The add's key is the session, the turn and the
   * session's new total: the same add delivered twice counts once, while a
   * turn run again after an eviction (it called the model again) counts again.
   */
  spent(s: Budgeted, turnId: number, tokens: TurnTokens): void {
    const n = tokens.inputTokens + tokens.outputTokens;
    if (n <= 0) return;
    this.storage.kv.put(SESSION_TOKENS_KEY, this.used + n);
    // The project's day is counted only where a budget reads it: no call to its counter on every turn for nothing.
    if (!s.projectId || !this.env.USAGE_COUNTER || projectDailyBudget(this.config, s.projectId) === undefined) return;
    const projectId = s.projectId;
    counter(this.env, projectId, Date.now())
      .add(`${s.sessionId}:${turnId}:${this.used}`, n)
      .catch((err: unknown) =>
        log({ level: "warn", msg: "usage counter failed", projectId, sessionId: s.sessionId, error: err instanceof Error ? err.name : "unknown" }),
      );
  }
}
