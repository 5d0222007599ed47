import { describe, expect, it } from "vitest";
import { call } from "../helpers";

interface Answer {
  locale: string;
  source: string;
  resources: { name: string; kind: string; phone?: string; text?: string }[];
}

const read = async (path: string, overrides = {}) => {
  const res = await call(path, {}, overrides);
  return { res, body: (await res.json()) as Answer };
};

const phones = (body: Answer) => body.resources.map((r) => r.phone ?? r.text);

describe("GET /api/crisis-resources", () => {
  it("answers the default lines of each locale without a token, cacheable for a short time", async () => {
    const zh = await read("/api/crisis-resources?locale=zh-CN");
    expect(zh.res.status).toBe(200);
    expect(zh.res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(zh.body).toMatchObject({ locale: "zh-CN", source: "default" });
    expect(phones(zh.body)).toEqual(["12356", "400-161-9995", "010-82951332", "120"]);

    const gb = await read("/api/crisis-resources?locale=en-GB");
    expect(gb.body.locale).toBe("en-GB");
    expect(phones(gb.body)).toEqual(["116 123", "Text SHOUT to 85258", "999"]);

    // A bare language takes its usual region.
    const en = await read("/api/crisis-resources?locale=en");
    expect(en.body.locale).toBe("en-US");
    expect(phones(en.body)).toEqual(["988", "Text HOME to 741741", "911"]);
  });

  it("never offers a police number", async () => {
    for (const locale of ["en-US", "en-GB", "zh-CN"]) {
      const { body } = await read(`/api/crisis-resources?locale=${locale}`);
      expect(JSON.stringify(body)).not.toMatch(/\b110\b|police|报警/i);
    }
  });

  it("answers en-US for a locale neither table has, and when none is given", async () => {
    const fr = await read("/api/crisis-resources?locale=fr-FR");
    expect(fr.res.status).toBe(200);
    expect(fr.body).toMatchObject({ locale: "en-US", source: "default" });
    expect(phones(fr.body)[0]).toBe("988");
    const none = await read("/api/crisis-resources");
    expect(none.body.locale).toBe("en-US");
  });

  it("answers the deployment's CRISIS_RESOURCES where it has the locale, the defaults elsewhere", async () => {
    const CRISIS_RESOURCES = JSON.stringify({
      "zh-CN": [{ name: "本地热线", phone: "12320-5" }],
      "en-GB": [{ name: "Local line", phone: "0800 000 111", hours: "9–17" }],
    });
    const zh = await read("/api/crisis-resources?locale=zh-CN", { CRISIS_RESOURCES });
    expect(zh.body).toEqual({ locale: "zh-CN", source: "configured", resources: [{ name: "本地热线", kind: "crisis_line", phone: "12320-5" }] });
    // The configured en-GB serves a bare "en" (a table's own entries for the language beat the defaults' region).
    const en = await read("/api/crisis-resources?locale=en", { CRISIS_RESOURCES });
    expect(en.body).toMatchObject({ locale: "en-GB", source: "configured" });
    expect(phones(en.body)).toEqual(["0800 000 111"]);
    // An exact default locale still wins over another region of the configured table.
    const us = await read("/api/crisis-resources?locale=en-US", { CRISIS_RESOURCES });
    expect(us.body).toMatchObject({ locale: "en-US", source: "default" });
  });

  it("refuses a malformed locale with a 400 problem", async () => {
    for (const locale of ["x", "zh_CN", "../etc", `en-${"a".repeat(40)}`]) {
      const res = await call(`/api/crisis-resources?locale=${encodeURIComponent(locale)}`);
      expect(res.status, locale).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { code: string; errors: { path: string }[] };
      expect(problem.code).toBe("VALIDATION_FAILED");
      expect(problem.errors.map((e) => e.path)).toContain("locale");
    }
  });
});
