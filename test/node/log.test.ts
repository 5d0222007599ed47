/** Log lines are metadata only: the logger keeps its listed fields and drops anything else. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { log, logLine, type LogFields } from "../../src/log";

afterEach(() => vi.restoreAllMocks());

describe("log", () => {
  it("writes one JSON line to the console with the fields it was given", () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    log({ level: "warn", msg: "turn failed", sessionId: "s-1", turn: 3, code: "LLM_TIMEOUT" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ level: "warn", msg: "turn failed", sessionId: "s-1", turn: 3, code: "LLM_TIMEOUT" });
  });

  it("drops fields outside the list, so content passed by mistake never reaches the log", () => {
    const secret = "I have not slept since my brother died";
    const fields = {
      level: "info",
      msg: "session erased",
      sessionId: "s-1",
      content: secret,
      variables: { mood: secret },
      prompt: secret,
    } as LogFields;
    const line = logLine(fields);
    expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toEqual({ level: "info", msg: "session erased", sessionId: "s-1" });
  });

  it("keeps lists of names but drops objects and unset values in listed fields", () => {
    const line = logLine({
      level: "error",
      msg: "invalid configuration",
      fields: ["LLM_PROVIDER"],
      requestId: undefined,
      version: { nested: "x" } as never,
    });
    expect(JSON.parse(line)).toEqual({ level: "error", msg: "invalid configuration", fields: ["LLM_PROVIDER"] });
  });
});
