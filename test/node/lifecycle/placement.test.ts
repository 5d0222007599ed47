/** session/placement.ts: the jurisdiction written into a session id and read back from it. */
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { jurisdictionOf, newSessionId } from "../../../src/session/placement";
import { jurisdictions } from "../../../src/store/schema/plans";

describe("session ids and their jurisdiction", () => {
  it("round-trips every jurisdiction in a valid (version 8) UUID, and ordinary ids are random version-4 UUIDs naming none", () => {
    for (const j of jurisdictions) {
      for (let i = 0; i < 50; i++) {
        const id = newSessionId(j);
        expect(z.uuid().safeParse(id).success).toBe(true);
        expect(id[14]).toBe("8");
        expect(jurisdictionOf(id)).toBe(j);
      }
    }
    const ids = Array.from({ length: 200 }, () => newSessionId(null));
    expect(new Set(ids).size).toBe(200);
    expect(ids.every((id) => id[14] === "4" && jurisdictionOf(id) === null)).toBe(true);
  });

  it("reads no jurisdiction from a version-8 id with an unknown code", () => {
    expect(jurisdictionOf("0039fca1-308e-8a58-a227-ee798853ceff")).toBeNull();
  });
});
