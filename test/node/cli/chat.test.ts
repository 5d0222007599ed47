/**
 * `heartrule chat` against a real `npm run dev` (the e2e harness), through a
 * proxy that cuts the network: a whole sample session answered on stdin,
 * one dropped connection mid-turn, and the transcript on stdout exactly the
 * conversation the engine produces, each AI line once.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, startDevServer, type DevServer } from "../../e2e/dev-server";
import { expectedConversation, sampleAnswers, sampleYaml, type Expected } from "../../e2e/expected";
import { startDropProxy, type DropProxy } from "../../e2e/proxy";

let server: DevServer;
let proxy: DropProxy;

beforeAll(async () => {
  server = await startDevServer();
  proxy = await startDropProxy(server.url);
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

const PROMPT = "you> ";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the command, writing the next answer each time a new prompt appears
 * (as a person would); `onAnswer(i)` runs right after answer i is written.
 */
function chat(args: string[], answers: string[], onAnswer: (i: number) => void = () => {}): Promise<Run> {
  const child = spawn(process.execPath, [join(repoRoot, "bin/heartrule.mjs"), "chat", ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let answered = 0;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    const prompts = stdout.split(PROMPT).length - 1;
    while (answered < prompts && answered < answers.length) {
      child.stdin.write(`${answers[answered]}\n`);
      onAnswer(answered++);
    }
    if (answered === answers.length && child.stdin.writable) child.stdin.end();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** What stdout must be: each turn's AI lines, then the prompt with the echoed answer. */
function transcript(expected: Expected, answers: string[]): string {
  return expected.turns
    .map((lines, i) => lines.map((l) => `AI: ${l}\n`).join("") + (i < expected.answersUsed ? `${PROMPT}${answers[i]}\n` : ""))
    .join("");
}

describe("heartrule chat", () => {
  it("talks through the published sample and resumes after a dropped connection", async () => {
    const expected = await expectedConversation(sampleYaml("en"), sampleAnswers);
    const dropsBefore = proxy.dropped;
    const run = await chat(["--url", proxy.url, "--lang", "en"], sampleAnswers, (i) => {
      // Right after the second answer goes out: the turn runs on while the client is cut off.
      if (i === 1) proxy.drop(1000);
    });
    expect(run.stderr).toContain("(HeartRule samples — First session (intake))");
    expect(run.stderr).toContain("(connection lost; reconnecting…)");
    expect(run.stderr).toContain("(reconnected)");
    expect(run.stderr).toContain("(the conversation is complete)");
    expect(proxy.dropped).toBeGreaterThan(dropsBefore);
    expect(run.stdout).toBe(transcript(expected, sampleAnswers));
    expect(run.code).toBe(0);
  }, 120_000);

  it("runs a local script file as an inline author session", async () => {
    const expected = await expectedConversation(sampleYaml("en"), sampleAnswers);
    const run = await chat(["--url", server.url, "--script", join(repoRoot, "scripts/sessions/intake_en.yaml")], sampleAnswers);
    expect(run.stdout).toBe(transcript(expected, sampleAnswers));
    expect(run.code).toBe(0);
  }, 120_000);

  it("exits 2 when the input ends before the conversation does", async () => {
    const run = await chat(["--url", server.url, "--lang", "en"], sampleAnswers.slice(0, 2));
    expect(run.stderr).toContain("(input ended before the conversation completed)");
    expect(run.code).toBe(2);
  }, 120_000);

  it("refuses bad options with its usage and exit 1, contacting nothing", async () => {
    const run = await chat(["--lang", "fr"], []);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--lang takes en or zh-CN, not 'fr'");
    expect(run.stderr).toContain("usage: heartrule chat");
  });
});
