/**
 * What a user message must pass before the session actor accepts it, on every
 * channel (REST, SSE, WebSocket): the per-user message rate limit, then the
 * token budgets. A refused message is not stored and runs nothing.
 */
import type { Env } from "../config";
import type { AuthUser } from "../http/user";
import type { Budgeted, SessionBudget } from "./budget";
import { countRequest } from "./rate-limit";

export class Admission {
  /** Checks run one after another, so messages that arrive together are accepted in the order they came. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly env: Env,
    private readonly budget: SessionBudget,
  ) {}

  /** Resolves when the message may be accepted; rejects with the DomainError that refuses it. */
  admit(user: AuthUser, session: Budgeted): Promise<void> {
    const run = this.tail.then(async () => {
      await countRequest(this.env, "messages", user.id);
      await this.budget.check(session);
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
