import { describe, expect, it } from "vitest";
import { crisisResourcesFor, crisisResourceTableSchema, defaultCrisisResources, describeCrisisResource } from "../../../src/engine/safety/resources";

describe("crisis resources", () => {
  it("has defaults for en-US and zh-CN that validate, with no police number as a crisis line", () => {
    const table = crisisResourceTableSchema.parse(defaultCrisisResources);
    for (const locale of ["en-US", "zh-CN"]) {
      const lines = table[locale]!.filter((r) => r.kind === "crisis_line");
      expect(lines.length).toBeGreaterThan(0);
      for (const r of table[locale]!) expect(["110", "112"]).not.toContain(r.phone);
    }
    expect(table["en-US"]!.map((r) => r.phone)).toContain("988");
  });

  it("picks an exact locale, then the language's usual region, then en-US", () => {
    expect(crisisResourcesFor("zh-CN")[0]!.phone).toBe("12356");
    expect(crisisResourcesFor("zh")[0]!.phone).toBe("12356");
    expect(crisisResourcesFor("zh-TW")[0]!.phone).toBe("12356");
    expect(crisisResourcesFor("en-GB")[0]!.phone).toBe("116 123");
    expect(crisisResourcesFor("en")[0]!.phone).toBe("988");
    expect(crisisResourcesFor("fr-FR")[0]!.phone).toBe("988");
    expect(crisisResourcesFor(undefined)[0]!.phone).toBe("988");
  });

  it("prefers the configured table and falls back to the defaults for locales it lacks", () => {
    const configured = crisisResourceTableSchema.parse({ "en-US": [{ name: "Campus line", phone: "555-0100" }] });
    expect(crisisResourcesFor("en-US", configured).map((r) => r.name)).toEqual(["Campus line"]);
    expect(crisisResourcesFor("zh-CN", configured)[0]!.phone).toBe("12356");
  });

  it("uses a configured region of the client's language before the default region", () => {
    const configured = crisisResourceTableSchema.parse({ "en-GB": [{ name: "Samaritans", phone: "116 123" }] });
    expect(crisisResourcesFor("en", configured)[0]!.phone).toBe("116 123");
    expect(crisisResourcesFor("en-US", configured)[0]!.phone).toBe("988");
  });

  it("refuses a table with a malformed locale or an empty list", () => {
    expect(crisisResourceTableSchema.safeParse({ english: [{ name: "x" }] }).success).toBe(false);
    expect(crisisResourceTableSchema.safeParse({ "en-US": [] }).success).toBe(false);
  });

  it("describes a resource on one line with every way to reach it", () => {
    expect(describeCrisisResource(defaultCrisisResources["en-US"]![0]!)).toBe(
      "988 Suicide & Crisis Lifeline: 988 · Text 988 · https://988lifeline.org/chat/ (24/7)",
    );
  });
});
