import { describe, expect, it } from "vitest";
import { jwtExpired, RENEW_MARGIN_MS, renewingToken } from "../../../src/web/client/renewing-token";

/** A mint that hands out numbered tokens living `lifeMs` from the fake clock's present. */
function minter(clock: { now: number }, lifeMs: number) {
  let count = 0;
  const mint = async () => {
    count += 1;
    return { token: `token-${count}`, expiresAt: new Date(clock.now + lifeMs).toISOString() };
  };
  return { mint, minted: () => count };
}

describe("renewingToken", () => {
  it("keeps a token until shortly before it expires, then mints the next", async () => {
    const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
    const life = 15 * 60_000;
    const { mint, minted } = minter(clock, life);
    const token = renewingToken(mint, () => clock.now);
    expect(await token()).toBe("token-1");
    clock.now += life - RENEW_MARGIN_MS - 1;
    expect(await token()).toBe("token-1");
    clock.now += 1;
    expect(await token()).toBe("token-2");
    expect(minted()).toBe(2);
  });

  it("mints once for callers that ask at the same time", async () => {
    const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
    const { mint, minted } = minter(clock, 15 * 60_000);
    const token = renewingToken(mint, () => clock.now);
    expect(await Promise.all([token(), token(), token()])).toEqual(["token-1", "token-1", "token-1"]);
    expect(minted()).toBe(1);
  });

  it("tries again after a failed mint", async () => {
    let fail = true;
    const token = renewingToken(async () => {
      if (fail) throw new Error("offline");
      return { token: "ok", expiresAt: new Date(Date.now() + 600_000).toISOString() };
    });
    await expect(token()).rejects.toThrow("offline");
    fail = false;
    expect(await token()).toBe("ok");
  });
});

describe("jwtExpired", () => {
  const jwt = (payload: object) => `h.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.s`;
  it("reads exp (seconds) against the clock, and leaves tokens it cannot read to the server", () => {
    const now = () => 1_800_000_000_000;
    expect(jwtExpired(jwt({ exp: 1_800_000_000 }), now)).toBe(true);
    expect(jwtExpired(jwt({ exp: 1_800_000_001 }), now)).toBe(false);
    expect(jwtExpired(jwt({ sub: "u" }), now)).toBe(false);
    expect(jwtExpired("not-a-jwt", now)).toBe(false);
    expect(jwtExpired("h.%%%.s", now)).toBe(false);
  });
});
