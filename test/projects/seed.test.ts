import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import intakeEn from "../../scripts/sessions/intake_en.yaml";
import intakeZh from "../../scripts/sessions/intake_zh.yaml";
import { resolveSessionSource } from "../../src/authoring/resolve";
import { starterFiles } from "../../src/authoring/starters";
import { body, call, expectProblem, json, person } from "../helpers";
import { filesOf, newProject, send } from "./fixtures";

const seed = (environment: string) => call("/api/dev/seed", { method: "POST" }, { ENVIRONMENT: environment });

describe("POST /api/dev/seed", () => {
  it.each(["production", "staging", "test", "bench"])("does not exist when ENVIRONMENT=%s", async (environment) => {
    await expectProblem(await seed(environment), 404, "NOT_FOUND");
    expect((await env.DB.prepare("SELECT count(*) AS n FROM projects").first<{ n: number }>())?.n).toBe(0);
  });

  it("publishes the sample project once, from the bundled scripts/sessions scripts", async () => {
    const first = await body(await seed("development"), 200);
    expect(first).toMatchObject({ seeded: true, versionNumber: "1.0.0", projectId: expect.any(String) });
    expect(await body(await seed("development"), 200)).toEqual({ seeded: false, projectId: null, versionNumber: null });

    const admin = await person("admin");
    const all = await body(await send("GET", "/api/projects?status=all", admin), 200);
    expect(all.items).toEqual([
      expect.objectContaining({
        id: first.projectId,
        projectName: "HeartRule samples",
        ownerId: "sample-author",
        status: "published",
        currentVersionNumber: "1.0.0",
      }),
    ]);

    const client = await person("client");
    const scripts = await body(await send("GET", "/api/projects/published", client), 200);
    expect(scripts.items.map((s: { path: string; sessionId: string; language: string }) => [s.path, s.sessionId, s.language])).toEqual([
      ["sessions/intake_en.yaml", "intake_en", "en"],
      ["sessions/intake_zh.yaml", "intake_zh", "zh-CN"],
    ]);
    const zh = await resolveSessionSource(env, { projectId: first.projectId, script: "intake_zh", user: { id: client.id, role: "client" } });
    expect(zh.yaml).toBe(intakeZh);
  });
});

describe("POST /api/auth/dev-token for an author", () => {
  const mint = (userId: string, role: string) => call("/api/auth/dev-token", json({ userId, role }), { ENVIRONMENT: "development" });

  it("gives an author without projects their own draft copy of the sample, once", async () => {
    const { token } = await body(await mint("dev-author-1", "author"), 200);
    await body(await mint("dev-author-1", "author"), 200);
    const author = { authorization: `Bearer ${token}` };
    const sample = starterFiles("sample", "en").map((f) => f.path);
    const mine = await body(await call("/api/projects", { headers: author }), 200);
    expect(mine.items).toEqual([
      expect.objectContaining({ projectName: "HeartRule samples", ownerId: "dev-author-1", status: "draft", fileCount: sample.length }),
    ]);
    const files = await body(await call(`/api/projects/${mine.items[0].id}/files`, { headers: author }), 200);
    expect(files.items.map((f: { path: string }) => f.path)).toEqual(sample.sort());
  });

  it("seeds nothing for other roles, nor outside development", async () => {
    await body(await mint("dev-client-1", "client"), 200);
    await expectProblem(
      await call("/api/auth/dev-token", json({ userId: "prod-author", role: "author" }), { ENVIRONMENT: "production" }),
      404,
      "NOT_FOUND",
    );
    const owned = await env.DB.prepare("SELECT count(*) AS n FROM projects WHERE owner_id IN ('dev-client-1', 'prod-author')").first<{ n: number }>();
    expect(owned?.n).toBe(0);
  });
});

describe("POST /api/projects with template sample", () => {
  it("copies the sample scripts into the project's sessions/ folder, and their tests into tests/", async () => {
    const a = await person("author");
    const project = await newProject(a, { template: "sample" });
    const files = await filesOf(a, project.id);
    expect(files.map((f) => f.path)).toEqual([
      "globals.yaml",
      "sessions/intake_en.yaml",
      "sessions/intake_zh.yaml",
      "tests/intake_en.test.yaml",
      "tests/intake_en_model.test.yaml",
      "tests/intake_zh.test.yaml",
    ]);
    const en = await body(await send("GET", `/api/projects/${project.id}/files/${files[1]!.id}`, a), 200);
    expect(en).toMatchObject({ content: intakeEn, kind: "session", sessionId: "intake_en", valid: true });
  });
});
