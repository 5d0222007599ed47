/** How a turn's end reaches its caller: problems from the one error table, debug only for authors, views without the actor's bookkeeping. */
import { describe, expect, it } from "vitest";
import { statusOf } from "../../../src/errors";
import type { SessionMessage, TurnResult } from "../../../src/session/schemas";
import { created } from "../../../src/session/storage/meta";
import { finished, forCaller, resultView, stepProblem, storedProblem } from "../../../src/session/turns/outcome";
import { infoView, messageView } from "../../../src/session/views";
import { origin } from "./fixtures";

const debug: NonNullable<TurnResult["debug"]> = { turn: 1, traces: [], variableChanges: [], positions: [] };
const position: Parameters<typeof infoView>[1] = {
  phaseIndex: 0,
  topicIndex: 0,
  actionIndex: 0,
  phaseId: "p",
  topicId: "t",
  actionId: "a",
  actionType: "ai_say",
  round: 1,
  maxRounds: 1,
  technique: null,
};

describe("a failed step", () => {
  it("takes its status from the error table, and a stored problem keeps whether it may be retried", () => {
    for (const code of ["LLM_UNAVAILABLE", "MODEL_REPLY_INVALID", "LLM_TIMEOUT"] as const) {
      const stored = stepProblem({ code, message: "m", retryable: true });
      expect(stored).toEqual({ status: statusOf(code), code, detail: "m", retryable: true });
    }
    expect(stepProblem({ code: "LLM_UNAVAILABLE", message: "m", retryable: true }).status).toBe(503);
    expect(storedProblem({ status: 503, code: "LLM_UNAVAILABLE", detail: "d", retryable: true }, "c-1")).toEqual({
      status: 503,
      code: "LLM_UNAVAILABLE",
      detail: "d",
      extra: { retryable: true, clientMessageId: "c-1" },
    });
  });
});

describe("a turn's result", () => {
  const stored = { status: "waiting_input", sessionStatus: "active", position, variables: { name: "x" }, safety: [], aiFrom: 1, aiTo: 1 };
  const message: SessionMessage = { seq: 1, role: "assistant", content: "hi", actionId: "a", createdAt: new Date(0).toISOString() } as SessionMessage;

  it("carries debug traces to authors and admins only", () => {
    const result = resultView(stored as never, [message], null, debug);
    expect(result.debug).toBe(debug);
    expect(forCaller(result, { id: "u", role: "author" } as never).debug).toBe(debug);
    expect(forCaller(result, { id: "u", role: "admin" } as never).debug).toBe(debug);
    expect("debug" in forCaller(result, { id: "u", role: "client" } as never)).toBe(false);
    expect(resultView(stored as never, [message], null, null)).not.toHaveProperty("debug");
  });

  it("is finished once done or failed, not while queued or running", () => {
    const turn = (status: string) => ({ status }) as Parameters<typeof finished>[0];
    expect(["done", "failed", "queued", "running"].map((s) => finished(turn(s)))).toEqual([true, true, false, false]);
  });
});

describe("views", () => {
  it("show times as ISO strings and leave the actor's mirror bookkeeping out", () => {
    const meta = {
      ...created(origin, 0),
      mirrorAttempts: 3,
      erasing: true,
    };
    const info = infoView(meta, position, 7);
    expect(info).toMatchObject({ sessionId: "s", lastSeq: 7, position, createdAt: "1970-01-01T00:00:00.000Z" });
    for (const key of ["mirroredSeq", "mirrorAttempts", "mirrorRetryAt", "erasing", "templateHashes"]) expect(info).not.toHaveProperty(key);
    const view = messageView({ seq: 2, role: "user", content: "c", actionId: null, turnId: 9, createdAt: 1000 } as never);
    expect(view).toMatchObject({ seq: 2, createdAt: "1970-01-01T00:00:01.000Z" });
    expect(view).not.toHaveProperty("turnId");
  });
});
