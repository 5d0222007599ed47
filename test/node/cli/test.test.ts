/**
 * `heartrule test`: the sample tests pass; a deliberately broken copy of the
 * sample project fails, with the step, the line of the test file, expected
 * and got; usage errors exit 2.
 */
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = join(import.meta.dirname, "../../..");

function heartrule(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot, "bin/heartrule.mjs"), "test", ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("heartrule test on the sample tests", () => {
  it("passes them all, exit 0, with one line per case and no colour off a terminal", async () => {
    const { code, stdout } = await heartrule("scripts/tests");
    expect(code).toBe(0);
    expect(stdout).toContain("scripts/tests/intake_en.test.yaml");
    expect(stdout).toContain("scripts/tests/intake_zh.test.yaml");
    expect(stdout).toContain("✓ 说出自伤的念头时进入危机流程");
    expect(stdout).toMatch(/(\d+) case\(s\): \1 passed, 0 failed/);
    expect(stdout).not.toContain("\x1b[");
  }, 60_000);
});

describe("heartrule test on a broken copy of the sample project", () => {
  let dir: string;
  let testText: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "heartrule-test-"));
    await cp(join(repoRoot, "scripts/sessions"), join(dir, "sessions"), { recursive: true });
    await cp(join(repoRoot, "scripts/tests"), join(dir, "tests"), { recursive: true });
    // The safety question now only follows a mood of 1 or less: the case with a mood of 2 must notice.
    const script = join(dir, "sessions/intake_en.yaml");
    const original = await readFile(script, "utf8");
    const broken = original.replace("condition: mood_score <= 3", "condition: mood_score <= 1");
    expect(broken).not.toBe(original);
    await writeFile(script, broken);
    testText = await readFile(join(dir, "tests/intake_en.test.yaml"), "utf8");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("fails, exit 1, naming the case, the step, the line, expected and got", async () => {
    const { code, stdout } = await heartrule(dir);
    expect(code).toBe(1);
    const line = testText.split("\n").findIndex((l) => l.includes("contains: That sounds really hard, Sam.")) + 1;
    expect(stdout).toContain("✗ a low mood leads to the safety question");
    expect(stdout).toContain(`step 4, line ${line}: contains`);
    expect(stdout).toContain('expected: "That sounds really hard, Sam."');
    expect(stdout).toContain('got:      "How have you been sleeping lately?"');
    expect(stdout).toMatch(/case\(s\): \d+ passed, [1-9]\d* failed/);
  }, 60_000);

  it("prints the same report as JSON with --json", async () => {
    const { code, stdout } = await heartrule(join(dir, "tests/intake_en.test.yaml"), "--json");
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ passed: false, failed: expect.any(Number), total: expect.any(Number) });
    const failing = report.files[0].cases.find((c: { passed: boolean }) => !c.passed);
    expect(failing.failure).toMatchObject({ step: 4, expectation: "contains", expected: '"That sounds really hard, Sam."' });
  }, 60_000);
});

describe("heartrule test usage", () => {
  it.each([
    ["no test named", []],
    ["a path that does not exist", ["no/such/dir"]],
    ["an unknown option", ["--fast", "scripts/tests"]],
    ["a model flag without its partner", ["--llm-model", "x", "scripts/tests"]],
  ])(
    "exits 2 for %s",
    async (_, args) => {
      const { code, stderr } = await heartrule(...args);
      expect(code).toBe(2);
      expect(stderr).toContain("usage: heartrule test");
    },
    60_000,
  );
});
