import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { buildWeb } from "../../scripts/build-web.mjs";
import { createApp } from "../../src/app";
import { DOCS_VIEWER_SCRIPT } from "../../src/http/docs-page";

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
    const served = app.routes.filter((r) => r.method !== "ALL" && !["/openapi.json", "/asyncapi.json", "/docs"].includes(r.path)).map((r) => r.path);
    for (const path of served) expect(documented, path).toContain(path);
  });
});

describe("GET /docs", () => {
  it("serves the interactive reference pointing at the document and at the viewer the Worker serves", async () => {
    const res = await createApp().request("/docs", {}, vars);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("/openapi.json");
    expect(html).toContain(`<script src="${DOCS_VIEWER_SCRIPT}"></script>`);
  });

  it("names nothing outside its own origin: no absolute URL in the page, no remote source or inline script in its policy", async () => {
    const res = await createApp().request("/docs", {}, vars);
    expect((await res.text()).match(/https?:\/\/[^\s"'<>]*/g)).toBeNull();
    const policy = res.headers.get("content-security-policy")!;
    expect(policy.match(/https?:[^\s;]*/g)).toBeNull();
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("connect-src 'self';");
  });

  it("points at the file the web build writes: the pinned Scalar standalone viewer", async () => {
    const outdir = mkdtempSync(join(tmpdir(), "heartrule-web-"));
    try {
      const outputs = await buildWeb({ outdir, minify: false });
      expect(outputs.map((o) => `/${o.file}`)).toContain(DOCS_VIEWER_SCRIPT);
      const viewer = readFileSync(join(outdir, DOCS_VIEWER_SCRIPT), "utf8");
      expect(viewer).toContain("createApiReference");
      expect(viewer).not.toContain("sourceMappingURL");
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
