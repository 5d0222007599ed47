/**
 * `heartrule test <files|dirs…> [--json] [model flags]`: runs conversation
 * tests (*.test.yaml) in-process, as the tests route and publish do. A
 * directory stands for every test file under it. A test's `script:` is looked
 * up beside the test file, then in each folder above it: the first folder
 * that has it is the project, whose globals.yaml, templates/ and crisis/ the
 * session uses. With --llm-base-url, `model: offline` tests run against that
 * model instead (scripted tests keep their replies).
 *
 * Exit 0 when every case passes, 1 when one fails or a file cannot run,
 * 2 on a usage error (no test named, a path that does not exist, bad flags).
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { TEST_SUFFIX } from "../../authoring/paths";
import type { TestFileReport, TestReport } from "../../authoring/testing/report";
import { runTests } from "../../authoring/testing/run";
import type { ProjectFiles } from "../../authoring/testing/source";
import type { Command } from "../main";
import { modelFrom, modelHelp, modelUsage, takeModelFlags } from "../model-options";

async function testFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(TEST_SUFFIX))
    .map((e) => join(e.parentPath, e.name))
    .filter(
      (p) =>
        !relative(dir, p)
          .split(/[\\/]/)
          .some((s) => s.startsWith(".") || s === "node_modules"),
    )
    .sort();
}

const readText = (path: string) => readFile(path, "utf8").catch(() => undefined);

function rootedAt(root: string): ProjectFiles {
  return (path) => readText(join(root, path));
}

/** The folder a test's project is in: the test file's own folder or the nearest one above that holds `script`. */
async function projectOf(testFile: string, script: string): Promise<ProjectFiles> {
  let dir = dirname(resolve(testFile));
  for (;;) {
    const found = await stat(join(dir, script)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (found) return rootedAt(dir);
    const up = dirname(dir);
    if (up === dir) return rootedAt(dirname(resolve(testFile)));
    dir = up;
  }
}

interface Paint {
  pass(s: string): string;
  fail(s: string): string;
  dim(s: string): string;
}

const plain: Paint = { pass: (s) => s, fail: (s) => s, dim: (s) => s };
const ansi: Paint = { pass: (s) => `\x1b[32m${s}\x1b[39m`, fail: (s) => `\x1b[31m${s}\x1b[39m`, dim: (s) => `\x1b[2m${s}\x1b[22m` };

function describeFile(file: TestFileReport, paint: Paint): string[] {
  const out = [file.path];
  if (file.error) out.push(`  ${paint.fail("✗ cannot run")}${file.error.line ? ` (line ${file.error.line})` : ""}: ${file.error.message}`);
  for (const c of file.cases) {
    if (c.passed) {
      out.push(`  ${paint.pass("✓")} ${c.name} ${paint.dim(`(${c.durationMs} ms)`)}`);
      continue;
    }
    const f = c.failure!;
    out.push(
      `  ${paint.fail("✗")} ${c.name} ${paint.dim(`(line ${c.line})`)}`,
      `      step ${f.step}, line ${f.line}: ${f.expectation}`,
      `      expected: ${f.expected}`,
      `      got:      ${f.got}`,
      `      ${f.message}`,
    );
  }
  return out;
}

export function describeReport(report: TestReport, paint: Paint = plain): string {
  const lines = report.files.flatMap((f) => [...describeFile(f, paint), ""]);
  const errors = report.files.filter((f) => f.error).length;
  const failedCases = report.failed - errors;
  const summary = `${report.total} case(s): ${report.total - failedCases} passed, ${failedCases} failed${errors ? `; ${errors} file(s) could not run` : ""} (${report.durationMs} ms)`;
  lines.push(report.passed ? paint.pass(summary) : paint.fail(summary));
  return lines.join("\n");
}

export const testCommand: Command = {
  summary: "Run conversation tests (*.test.yaml): client lines and what the script must answer.",
  usage: `heartrule test <file|dir…> [--json] ${modelUsage}`,
  help: [
    "A directory runs every *.test.yaml under it. --json prints the report the API answers with.",
    "Exit 0 all cases pass, 1 a case fails or a file cannot run, 2 usage error.",
    "",
    modelHelp,
  ].join("\n"),
  async run(all) {
    const usage = (problem: string) => {
      console.error(`heartrule test: ${problem}\nusage: ${this.usage}`);
      return 2;
    };
    const taken = takeModelFlags(all);
    if (typeof taken === "string") return usage(taken);
    let json = false;
    const targets: string[] = [];
    for (const arg of taken.rest) {
      if (arg === "--json") json = true;
      else if (arg.startsWith("-")) return usage(`unknown option '${arg}'`);
      else targets.push(arg);
    }
    if (!targets.length) return usage("name test files or a project folder");
    const chosen = modelFrom(taken.flags);
    if (typeof chosen === "string") return usage(chosen);

    const files: string[] = [];
    for (const target of targets) {
      const info = await stat(target).catch(() => null);
      if (!info) return usage(`no such file or folder: ${target}`);
      if (!info.isDirectory()) files.push(target);
      else {
        const found = await testFilesUnder(target);
        if (!found.length) return usage(`no *${TEST_SUFFIX} file under ${target}`);
        files.push(...found);
      }
    }
    const tests: { path: string; content: string }[] = [];
    for (const path of files) {
      const content = await readText(path);
      if (content === undefined) return usage(`cannot read ${path}`);
      tests.push({ path, content });
    }
    const report = await runTests(tests, (script, path) => projectOf(path, script), { model: () => chosen.model });
    const colour = process.stdout.isTTY && !process.env.NO_COLOR;
    console.log(json ? JSON.stringify(report, null, 2) : describeReport(report, colour ? ansi : plain));
    return report.passed ? 0 : 1;
  },
};
