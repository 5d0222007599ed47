/**
 * Bad ids on every project and session route with a path parameter, taken
 * from the OpenAPI document so a new route is covered the day it is added:
 * a malformed value of any parameter is 400 VALIDATION_FAILED, a well-formed
 * unknown one 404 NOT_FOUND, never a 500. The caller is an admin, who may
 * reach everything, so the answer is about the id and nothing else.
 */
import { describe, expect, it } from "vitest";
import { call, expectProblem } from "../helpers";
import { bodies, fixture, operations as all, realValues, request, type Operation } from "./operations";

const operations = all.filter((op) => /^\/api\/(projects|sessions)\/.*\{/.test(op.path));

/** Parameters that are not UUIDs: a value the route refuses as malformed, and a well-formed one that names nothing. */
const namedParams: Record<string, { malformed: string; unknown: string }> = {
  schemeName: { malformed: "no spaces!", unknown: "no_such_scheme" },
  templateName: { malformed: "not-a-template", unknown: "no_such_template" },
};

function badValues(param: Operation["params"][number]) {
  if (param.schema.format === "uuid") return { malformed: "not-a-uuid", unknown: crypto.randomUUID() };
  const values = namedParams[param.name];
  if (!values) throw new Error(`no bad values for the path parameter "${param.name}": add them to namedParams`);
  return values;
}

describe("bad ids on project and session routes", () => {
  it("reads every such route from the OpenAPI document, with a body for each that takes one", () => {
    const names = operations.map((op) => `${op.method} ${op.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "GET /api/sessions/{id}/ws",
        "DELETE /api/sessions/{id}",
        "PUT /api/projects/{id}/templates/{schemeName}/{templateName}",
      ]),
    );
    expect(operations.length).toBeGreaterThanOrEqual(30);
    const withBody = operations.filter((op) => op.bodySchema).map((op) => op.name);
    expect(withBody.every((name) => name in bodies)).toBe(true);
    expect(operations.every((op) => op.params.length > 0)).toBe(true);
  });

  it.each(operations.map((op) => [`${op.method} ${op.path}`, op] as const))("%s: malformed → 400, unknown → 404", async (_name, op) => {
    const f = await fixture();
    const real = realValues(op, f);
    for (const param of op.params) {
      const bad = badValues(param);
      const malformed = await request(op, { ...real, [param.name]: bad.malformed }, f.admin.headers, f);
      expect([param.name, "malformed", malformed.status]).toEqual([param.name, "malformed", 400]);
      await expectProblem(malformed, 400, "VALIDATION_FAILED");
      const unknown = await request(op, { ...real, [param.name]: bad.unknown }, f.admin.headers, f);
      expect([param.name, "unknown", unknown.status, unknown.status === 404 ? "" : await unknown.clone().text()]).toEqual([
        param.name,
        "unknown",
        404,
        "",
      ]);
      await expectProblem(unknown, 404, "NOT_FOUND");
    }
  });
});

describe("ids outside the path", () => {
  it("compareWith of a diff: malformed → 400, unknown → 404", async () => {
    const f = await fixture();
    const diff = (compareWith: string) =>
      call(`/api/projects/${f.projectId}/versions/${f.versionId}/diff?compareWith=${compareWith}`, { headers: f.admin.headers });
    await expectProblem(await diff("not-a-uuid"), 400, "VALIDATION_FAILED");
    await expectProblem(await diff(crypto.randomUUID()), 404, "NOT_FOUND");
  });
});
