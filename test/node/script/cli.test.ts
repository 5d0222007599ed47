/**
 * `heartrule validate` and `heartrule schema`, run as a user runs them: the real bin.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { scriptJsonSchema } from "../../../src/engine/script";
import { repoRoot, upstreamDir } from "./helpers";

const run = promisify(execFile);

async function heartrule(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, "bin/heartrule.mjs"), ...args], { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dir = mkdtempSync(path.join(tmpdir(), "heartrule-cli-"));
const broken = path.join(dir, "broken.yaml");
writeFileSync(
  broken,
  "session:\n  session_id: s\n  phases:\n    - phase_id: p\n      topics:\n        - topic_id: t\n          actions:\n            - action_type: ai_say\n              action_id: a\n              config: { content: hi, max_round: 2 }\n",
);

describe("heartrule validate", { timeout: 30_000 }, () => {
  it("--json prints one entry per file and exits 0 when only warnings remain", async () => {
    const files = ["cbt_depression_assessment.yaml", "story-2.1-verification-test.yaml"].map((f) => path.join(upstreamDir, f));
    const { code, stdout } = await heartrule("validate", "--json", ...files);
    expect(code).toBe(0);
    const results = JSON.parse(stdout) as { file: string; valid: boolean; diagnostics: Record<string, unknown>[] }[];
    expect(results.map((r) => [r.file, r.valid])).toEqual(files.map((f) => [f, true]));
    expect(results[0]!.diagnostics.length).toBeGreaterThan(0);
    expect(Object.keys(results[0]!.diagnostics[0]!)).toEqual(["severity", "code", "path", "line", "column", "message", "suggestion"]);
    expect(results[1]!.diagnostics).toEqual([]);
  });

  it("loads the upstream socratic_questioning.yaml as a technique: warnings, no errors, exit 0", async () => {
    const socratic = path.join(upstreamDir, "socratic_questioning.yaml");
    const { code, stdout } = await heartrule("validate", "--json", socratic);
    expect(code).toBe(0);
    const [result] = JSON.parse(stdout) as { valid: boolean; diagnostics: { severity: string; code: string; path: string }[] }[];
    expect(result!.valid).toBe(true);
    expect(result!.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result!.diagnostics).toContainEqual(expect.objectContaining({ code: "DEPRECATED_FIELD", path: "input_parameters" }));
  });

  it("resolves a session's use_skill against a technique in the same run or given with --technique", async () => {
    const socratic = path.join(upstreamDir, "socratic_questioning.yaml");
    const session = path.join(dir, "uses.yaml");
    writeFileSync(
      session,
      'session:\n  session_id: s\n  phases:\n    - phase_id: p\n      topics:\n        - topic_id: t\n          actions:\n            - { action_type: use_skill, action_id: u, config: { skill: socratic_questioning, input: { target_belief: "I fail" } } }\n',
    );
    expect((await heartrule("validate", session, socratic)).code).toBe(0);
    expect((await heartrule("validate", session, "--technique", socratic)).code).toBe(0);
    const alone = await heartrule("validate", session);
    expect(alone.code).toBe(1);
    expect(alone.stdout).toContain("UNKNOWN_SKILL");
  });

  it("exits 1 when a file has an error, and says where in plain text", async () => {
    const sample = path.join(repoRoot, "scripts/sessions/intake_en.yaml");
    const { code, stdout } = await heartrule("validate", sample, broken);
    expect(code).toBe(1);
    expect(stdout).toContain(broken);
    expect(stdout).toMatch(/10:38 {2}error {2}UNKNOWN_FIELD {2}`max_round` is not a field of an ai_say config\./);
    expect(stdout).toContain("Did you mean `max_rounds`?");
    expect(stdout).toContain("2 file(s) checked: 1 with errors; 1 error(s), 0 warning(s).");
  });

  it("--lang zh-CN answers in Chinese", async () => {
    const { code, stdout } = await heartrule("validate", "--json", "--lang", "zh-CN", broken);
    expect(code).toBe(1);
    const [result] = JSON.parse(stdout) as { diagnostics: { message: string; suggestion: string }[] }[];
    expect(result!.diagnostics[0]).toMatchObject({
      message: "`max_round` 不是「ai_say 的 config」的字段。",
      suggestion: "你是不是想写 `max_rounds`？",
    });
  });

  it("reports an unreadable file as an error of that file", async () => {
    const missing = path.join(dir, "missing.yaml");
    const { code, stdout } = await heartrule("validate", "--json", missing);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual([
      { file: missing, valid: false, diagnostics: [expect.objectContaining({ code: "FILE_UNREADABLE", severity: "error" })] },
    ]);
  });

  it("refuses unknown options and a missing file list", async () => {
    expect((await heartrule("validate", "--lang", "fr", broken)).code).toBe(1);
    const none = await heartrule("validate");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("usage: heartrule validate");
  });
});

describe("heartrule schema", { timeout: 30_000 }, () => {
  it("prints the JSON Schema", async () => {
    const { code, stdout } = await heartrule("schema");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(scriptJsonSchema());
  });
});
