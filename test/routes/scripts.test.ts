import { describe, expect, it } from "vitest";
import { authHeaders, call, expectProblem, json } from "../helpers";

const clean = [
  "session:",
  "  session_id: hello",
  "  phases:",
  "    - phase_id: p",
  "      topics:",
  "        - topic_id: t",
  "          actions:",
  "            - action_type: ai_say",
  "              action_id: hi",
  "              config: { content: 'Hello {name}' }",
  "",
].join("\n");
const broken = clean.replace("content: 'Hello {name}'", "content: hi, max_round: 2");

interface Validation {
  valid: boolean;
  kind?: string;
  diagnostics: { severity: string; code: string; path: string; line: number; column: number; message: string; suggestion: string }[];
}

async function validate(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call("/api/scripts/validate", json(body, { ...(await authHeaders("author-1", "author")), ...headers }));
}

describe("POST /api/scripts/validate", () => {
  it("answers 200 with the diagnostics of a valid script (warnings allowed)", async () => {
    const res = await validate({ yaml: clean });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Validation;
    expect(body.valid).toBe(true);
    expect(body.kind).toBe("session");
    expect(body.diagnostics).toEqual([
      expect.objectContaining({
        severity: "warning",
        code: "UNDEFINED_VARIABLE",
        path: "session.phases[0].topics[0].actions[0].config.content",
        line: 10,
        column: 41,
      }),
    ]);
  });

  it("answers 200 with valid: false and positioned errors for a broken script", async () => {
    const res = await validate({ yaml: broken });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Validation;
    expect(body.valid).toBe(false);
    expect(body.diagnostics).toEqual([
      {
        severity: "error",
        code: "UNKNOWN_FIELD",
        path: "session.phases[0].topics[0].actions[0].config.max_round",
        line: 10,
        column: 38,
        message: "`max_round` is not a field of an ai_say config.",
        suggestion: "Did you mean `max_rounds`?",
      },
    ]);
  });

  it("reports YAML that does not parse as a diagnostic, not a failure", async () => {
    const body = (await (await validate({ yaml: "session: [unclosed\n" })).json()) as Validation;
    expect(body.valid).toBe(false);
    expect(body.diagnostics.map((d) => d.code)).toEqual(["YAML_SYNTAX"]);
    expect(body.kind).toBeUndefined();
  });

  it("counts knownVariables as defined", async () => {
    const body = (await (await validate({ yaml: clean, knownVariables: ["name"] })).json()) as Validation;
    expect(body.diagnostics).toEqual([]);
  });

  it.each([
    ["zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"],
    ["zh-TW", "zh-CN"],
    ["fr, zh;q=0.5", "zh-CN"],
    ["en-GB,zh;q=0.5", "en"],
    ["de", "en"],
  ])("Accept-Language %s answers in %s", async (header, lang) => {
    const res = await validate({ yaml: broken }, { "accept-language": header });
    expect(res.headers.get("content-language")).toBe(lang);
    expect(res.headers.get("vary")).toMatch(/Accept-Language/i);
    const [d] = ((await res.json()) as Validation).diagnostics;
    if (lang === "zh-CN") expect(d!.message).toBe("`max_round` 不是「ai_say 的 config」的字段。");
    else expect(d!.message).toBe("`max_round` is not a field of an ai_say config.");
  });

  it("accepts admins", async () => {
    const res = await call("/api/scripts/validate", json({ yaml: clean }, await authHeaders("admin-1", "admin")));
    expect(res.status).toBe(200);
  });

  it("answers 413 PAYLOAD_TOO_LARGE for a script over 256 KiB", async () => {
    const filler = `# ${"x".repeat(1000)}\n`.repeat(263);
    expect(new TextEncoder().encode(filler + clean).byteLength).toBeGreaterThan(256 * 1024);
    const body = await expectProblem(await validate({ yaml: filler + clean }), 413, "PAYLOAD_TOO_LARGE");
    expect(body.limit).toBe(262144);
  });

  it("reads a script just under the limit", async () => {
    const filler = `# ${"x".repeat(1000)}\n`.repeat(250);
    expect(new TextEncoder().encode(filler + clean).byteLength).toBeLessThan(256 * 1024);
    expect((await validate({ yaml: filler + clean })).status).toBe(200);
  });

  it("counts the limit in UTF-8 bytes, so Chinese text counts three times", async () => {
    const filler = `# ${"字".repeat(1000)}\n`.repeat(90);
    expect(filler.length).toBeLessThan(256 * 1024);
    await expectProblem(await validate({ yaml: filler + clean }), 413, "PAYLOAD_TOO_LARGE");
  });

  it("answers 400 for a body without yaml", async () => {
    await expectProblem(await validate({ script: clean }), 400, "VALIDATION_FAILED");
    await expectProblem(await validate({ yaml: 42 }), 400, "VALIDATION_FAILED");
  });

  it("needs a token", async () => {
    await expectProblem(await call("/api/scripts/validate", json({ yaml: clean })), 401, "UNAUTHENTICATED");
  });

  it("refuses a bad token", async () => {
    await expectProblem(await call("/api/scripts/validate", json({ yaml: clean }, { authorization: "Bearer not.a.token" })), 401, "INVALID_TOKEN");
  });

  it("refuses clients", async () => {
    const res = await call("/api/scripts/validate", json({ yaml: clean }, await authHeaders("client-1", "client")));
    await expectProblem(res, 403, "FORBIDDEN");
  });
});

describe("GET /api/scripts/schema.json", () => {
  it("serves the JSON Schema publicly, cacheable, as application/schema+json", async () => {
    const res = await call("/api/scripts/schema.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/schema\+json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const schema = (await res.json()) as Record<string, unknown>;
    expect(schema).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", title: "HeartRule script" });
    expect(Object.keys(schema.$defs as object)).toEqual(expect.arrayContaining(["Session", "Topic", "Action", "OutputField"]));
  });
});

describe("GET /api/scripts/test-schema.json", () => {
  it("serves the JSON Schema of test files the same way", async () => {
    const res = await call("/api/scripts/test-schema.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/schema\+json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const schema = (await res.json()) as Record<string, any>;
    expect(schema).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", title: "HeartRule conversation test" });
    expect(Object.keys(schema.properties)).toEqual(["script", "description", "model", "cases"]);
  });
});

describe("OpenAPI", () => {
  it("documents both routes under the scripts tag, with the bearer scheme on validate only", async () => {
    const doc = (await (await call("/openapi.json")).json()) as Record<string, any>;
    expect(doc.tags).toContainEqual(expect.objectContaining({ name: "scripts" }));
    const validatePath = doc.paths["/api/scripts/validate"].post;
    expect(validatePath.tags).toEqual(["scripts"]);
    expect(validatePath.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(validatePath.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403", "413"]));
    const schemaPath = doc.paths["/api/scripts/schema.json"].get;
    // Public: it says so with `security: []` (no scheme), rather than by leaving security out.
    expect(schemaPath.security).toEqual([]);
    expect(Object.keys(schemaPath.responses["200"].content)).toEqual(["application/schema+json"]);
  });
});
