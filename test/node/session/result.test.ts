/** result.ts: problems across the Worker ↔ actor RPC, which keeps an error's message but not its class. */
import { describe, expect, it } from "vitest";
import { DomainError } from "../../../src/errors";
import { guard, problemOf, sessionNotFound, toProblemError, unwrap } from "../../../src/session/result";

describe("result.ts", () => {
  it("guard turns a DomainError into a failed result and the Worker's unwrap throws the same error again", async () => {
    const failed = await guard(() => {
      throw new DomainError("TURN_SUPERSEDED", "later turns ran", { clientMessageId: "c-1" });
    });
    expect(failed).toEqual({
      ok: false,
      problem: { status: 409, code: "TURN_SUPERSEDED", detail: "later turns ran", extra: { clientMessageId: "c-1" } },
    });
    // What crosses RPC is plain data: a structured clone of it unwraps the same.
    const error = await unwrap(structuredClone(failed)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "TURN_SUPERSEDED", status: 409, detail: "later turns ran", params: { clientMessageId: "c-1" } });
  });

  it("guard passes values through and lets anything but a DomainError stay an error", async () => {
    expect(await guard(async () => 7)).toEqual({ ok: true, value: 7 });
    expect(await unwrap(guard(async () => "v"))).toBe("v");
    await expect(guard(() => Promise.reject(new TypeError("bug")))).rejects.toThrow(TypeError);
  });

  it("a code outside the error table becomes INTERNAL_ERROR, and a missing session is NOT_FOUND", () => {
    expect(toProblemError({ status: 418, code: "TEAPOT", detail: "d" }).code).toBe("INTERNAL_ERROR");
    expect(problemOf(sessionNotFound())).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });
});
