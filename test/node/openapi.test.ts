import { validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";

// The document is generated from the route schemas; no binding is touched.
const vars = { ENVIRONMENT: "development" };

async function openapiDocument() {
  const res = await createApp().request("/openapi.json", {}, vars);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document that a validator accepts", async () => {
    const doc = await openapiDocument();
    expect(doc.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it("declares the bearer scheme, tags and the problem schema", async () => {
    const doc = await openapiDocument();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.tags.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(["health", "auth"]));
    expect(doc.components.schemas.Problem.properties).toHaveProperty("code");
    expect(doc.paths["/api/auth/me"].get.security).toEqual([{ bearerAuth: [] }]);
  });

  it("covers every route the app serves", async () => {
    const app = createApp();
    const doc = await openapiDocument();
    const documented = new Set(Object.keys(doc.paths).map((p) => p.replace(/\{(\w+)\}/g, ":$1")));
    const served = app.routes.filter((r) => r.method !== "ALL" && !["/openapi.json", "/docs"].includes(r.path)).map((r) => r.path);
    for (const path of served) expect(documented, path).toContain(path);
  });
});

describe("GET /docs", () => {
  it("serves the interactive reference pointing at the document", async () => {
    const res = await createApp().request("/docs", {}, vars);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("/openapi.json");
    expect(res.headers.get("content-security-policy")).toContain("script-src");
  });

  it("asks no font service for anything: the page and its policy name only the UI's CDN", async () => {
    const res = await createApp().request("/docs", {}, vars);
    const hosts = (text: string) => new Set([...text.matchAll(/https:\/\/([a-z0-9.-]+)/g)].map((m) => m[1]));
    expect([...hosts(res.headers.get("content-security-policy")!)]).toEqual(["cdn.jsdelivr.net"]);
    expect(await res.text()).not.toMatch(/fonts\.(googleapis|gstatic)\.com/);
  });
});
