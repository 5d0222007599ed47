import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signPayload, verifyPayload } from "../../../src/notify/signature";

const secret = "whsec-test-0123456789";
const body = JSON.stringify({ id: "evt_1", type: "handoff.queued", sessionId: "s1" });

describe("webhook signature", () => {
  it("is HMAC-SHA256 over '<t>.<body>' in hex, as any receiver can compute with its own crypto", async () => {
    const header = await signPayload(secret, body, 1_800_000_000.7);
    const expected = createHmac("sha256", secret).update(`1800000000.${body}`).digest("hex");
    expect(header).toBe(`t=1800000000,v1=${expected}`);
  });

  it("verifies a fresh delivery and refuses a changed body, another secret, a stale or malformed header", async () => {
    const header = await signPayload(secret, body, 1_800_000_000);
    expect(await verifyPayload(secret, body, header, 1_800_000_100)).toEqual({ ok: true, timestamp: 1_800_000_000 });
    expect(await verifyPayload(secret, `${body} `, header, 1_800_000_000)).toEqual({ ok: false, reason: "mismatch" });
    expect(await verifyPayload("another-secret-xyz", body, header, 1_800_000_000)).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(await verifyPayload(secret, body, header, 1_800_000_301)).toEqual({ ok: false, reason: "stale" });
    for (const bad of [null, "", "t=abc,v1=00", `v1=${"0".repeat(64)}`, "t=1800000000"]) {
      expect(await verifyPayload(secret, body, bad, 1_800_000_000)).toEqual({ ok: false, reason: "malformed" });
    }
  });
});
