/**
 * The API documents, clean: every operation named, public routes saying so,
 * development-only and benchmark routes absent outside development, and the
 * AsyncAPI 3 document of the live protocol valid for the maintained parser.
 * (Redocly's lint of the same document is `npm run lint:api`.)
 */
import { Parser } from "@asyncapi/parser";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { LOCAL_ONLY_EXTENSION } from "../../src/http/openapi";
import { serverFrameSchemas } from "../../src/http/asyncapi";
import { ClientFrameSchema } from "../../src/session/protocol";

const methods = ["get", "put", "post", "delete", "patch"];

async function openapi(environment: string) {
  const res = await createApp().request("/openapi.json", {}, { ENVIRONMENT: environment });
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, any>>; tags: { name: string }[]; components: any };
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => methods.includes(method))
      .map(([method, op]) => ({ path, method, op })),
  );
  return { doc, operations };
}

describe("the OpenAPI document", () => {
  it("names every operation, each name once", async () => {
    const { operations } = await openapi("development");
    const ids = operations.map((o) => o.op.operationId);
    expect(operations.filter((o) => typeof o.op.operationId !== "string").map((o) => `${o.method} ${o.path}`)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("declares security on every operation: the bearer scheme, or none (`[]`) on the public routes", async () => {
    const { operations } = await openapi("development");
    const open = operations.filter((o) => Array.isArray(o.op.security) && o.op.security.length === 0).map((o) => `${o.method} ${o.path}`);
    expect(operations.filter((o) => !Array.isArray(o.op.security)).map((o) => `${o.method} ${o.path}`)).toEqual([]);
    expect(open.sort()).toEqual(
      [
        "get /health",
        "get /health/ready",
        "get /api/crisis-resources",
        "get /api/scripts/schema.json",
        "get /api/scripts/test-schema.json",
        "post /api/auth/dev-token",
        "post /api/dev/seed",
        "get /api/bench/echo/{name}/ws",
      ].sort(),
    );
  });

  it("leaves out the development and benchmark routes, their tag and their schemas outside development", async () => {
    const local = await openapi("development");
    const marked = local.operations.filter((o) => o.op[LOCAL_ONLY_EXTENSION]).map((o) => o.path);
    expect(marked.sort()).toEqual(["/api/auth/dev-token", "/api/bench/cost", "/api/bench/echo/{name}/ws", "/api/dev/seed"]);
    for (const environment of ["staging", "production"]) {
      const { doc, operations } = await openapi(environment);
      expect(operations.length).toBe(local.operations.length - marked.length);
      for (const path of marked) expect(doc.paths, `${environment}: ${path}`).not.toHaveProperty(path);
      expect(doc.tags.map((t) => t.name)).not.toContain("bench");
      expect(Object.keys(doc.components.schemas)).not.toContain("DevTokenRequest");
      expect(Object.keys(doc.components.schemas)).not.toContain("BenchCost");
      // Everything a kept operation refers to is still there.
      for (const [, name] of JSON.stringify(doc.paths).matchAll(/"#\/components\/schemas\/([^"]+)"/g))
        expect(doc.components.schemas).toHaveProperty(name!);
    }
  });
});

describe("GET /asyncapi.json", () => {
  async function asyncapi() {
    const res = await createApp().request("https://heartrule.example/asyncapi.json", {}, { ENVIRONMENT: "production" });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, any>;
  }

  it("is an AsyncAPI 3 document the AsyncAPI parser accepts without an error", async () => {
    const doc = await asyncapi();
    expect(doc.asyncapi).toMatch(/^3\./);
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join(".")}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(
      document!
        .channels()
        .all()
        .map((c) => c.address()),
    ).toEqual(expect.arrayContaining(["/api/sessions/{id}/ws", "/api/sessions/{id}/events", "/api/sessions/{id}/messages"]));
    expect(document!.servers().get("websocket")?.protocol()).toBe("wss");
  });

  it("describes every client and server frame, with payloads from the zod schemas", async () => {
    const doc = await asyncapi();
    const names = Object.values(doc.components.messages as Record<string, { name: string }>).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining([...ClientFrameSchema.options.map((o) => o.shape.type.value), ...Object.keys(serverFrameSchemas)]));
    const error = doc.components.messages.server_error.payload;
    expect(error.properties.type).toMatchObject({ const: "error" });
    expect(Object.keys(error.properties)).toEqual(expect.arrayContaining(["code", "message", "retryAfter"]));
    const user = doc.components.messages.client_user_message.payload;
    expect(user.required).toEqual(expect.arrayContaining(["type", "content"]));
    expect(user.properties.content.maxLength).toBeGreaterThan(0);
  });

  it("tells clients to send the token as a subprotocol, not in the URL", async () => {
    const doc = await asyncapi();
    expect(doc.info.description).toContain("bearer.<JWT>");
    expect(doc.info.description).toContain("heartrule.v1");
  });
});
