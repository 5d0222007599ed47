/**
 * `heartrule chat` against a real `npm run dev` (the e2e harness), through a
 * proxy that cuts the network: a whole sample session answered on stdin,
 * one dropped connection mid-turn, and the transcript on stdout exactly the
 * conversation the engine produces, each AI line once.
 */
import { validate } from "@readme/openapi-parser";
import { sign } from "hono/jwt";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultCrisisResources, describeCrisisResource } from "../../../src/engine/safety/resources";
import { strings } from "../../../src/web/client/i18n";
import { repoRoot, startDevServer, type DevServer } from "../../e2e/dev-server";
import { expectedConversation, sampleAnswers, sampleYaml, type Expected } from "../../e2e/expected";
import { startDropProxy, type DropProxy } from "../../e2e/proxy";

let server: DevServer;
let proxy: DropProxy;

/** The server's signing secret, so a test can hand the CLI a token that expires in a moment. */
const JWT_SECRET = `chat-test-${crypto.randomUUID()}`;

beforeAll(async () => {
  server = await startDevServer({ vars: { JWT_SECRET } });
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

/** A published script of the sample project, as a client lists it. */
async function published(path: string): Promise<{ projectId: string; path: string }> {
  const { token } = (await (
    await fetch(`${server.url}/api/auth/dev-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: "cli-project", role: "client" }),
    })
  ).json()) as { token: string };
  const list = (await (await fetch(`${server.url}/api/projects/published`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    items: { projectId: string; path: string }[];
  };
  return list.items.find((i) => i.path === path)!;
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

  it("starts the script it is given from a chosen project (a Chinese script under the English interface)", async () => {
    const zh = await published("sessions/intake_zh.yaml");
    const answers = ["小周", "最近工作压力很大", "6", "经常失眠", "能睡个好觉", "谢谢"];
    const expected = await expectedConversation(sampleYaml("zh"), answers);
    const run = await chat(["--url", server.url, "--project", zh.projectId, "--script", zh.path, "--lang", "en"], answers);
    expect(run.stdout).toBe(transcript(expected, answers));
    expect(run.code).toBe(0);
  }, 120_000);

  it("prints the crisis lines once after a flagged turn's reply, before the next prompt", async () => {
    const run = await chat(["--url", server.url, "--lang", "en"], ["Sam", "I want to kill myself", "/quit"]);
    const notice = `\n${strings.en.cliCrisis}\n${defaultCrisisResources["en-US"]!.map((r) => `  ${describeCrisisResource(r)}\n`).join("")}\n`;
    expect(run.stdout.split(notice)).toHaveLength(2);
    const [before, after] = run.stdout.split(notice) as [string, string];
    // After the reply to the crisis words, and the prompt for the next answer follows.
    // The crisis protocol's lines (care, the configured crisis lines, the safety question), then the notice.
    expect(before).toMatch(/you> I want to kill myself\nAI: [\s\S]+\?\n$/);
    expect(before.slice(before.indexOf("you> I want to kill myself"))).toContain("\n- 988 Suicide & Crisis Lifeline: 988 · Text 988");
    expect(after.startsWith(PROMPT)).toBe(true);
    expect(run.stdout).toContain("988 Suicide & Crisis Lifeline: 988 · Text 988");
    expect(run.code).toBe(2);
  }, 120_000);

  it("prints the crisis lines of the session's language: a Chinese script under the English interface", async () => {
    const zh = await published("sessions/intake_zh.yaml");
    const run = await chat(["--url", server.url, "--project", zh.projectId, "--script", zh.path, "--lang", "en"], ["小周", "我不想活了", "/quit"]);
    expect(run.stdout).toContain(`${strings.en.cliCrisis}\n  全国心理援助热线: 12356\n`);
    expect(run.stdout).not.toContain("988");
    expect(run.code).toBe(2);
  }, 120_000);

  it("exits 2 when the input ends before the conversation does", async () => {
    const run = await chat(["--url", server.url, "--lang", "en"], sampleAnswers.slice(0, 2));
    expect(run.stderr).toContain("(input ended before the conversation completed)");
    expect(run.code).toBe(2);
  }, 120_000);

  it("ends on /quit without announcing a lost connection", async () => {
    const run = await chat(["--url", server.url, "--lang", "en"], ["/quit"]);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain("reconnecting");
    expect(run.stderr).not.toContain("input ended");
  }, 120_000);

  it("ends on Ctrl+C (SIGINT) with 130, quietly", async () => {
    const child = spawn(process.execPath, [join(repoRoot, "bin/heartrule.mjs"), "chat", "--url", server.url, "--lang", "en"], {
      cwd: repoRoot,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.endsWith(PROMPT)) child.kill("SIGINT");
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(130);
    expect(stderr).not.toContain("reconnecting");
  }, 120_000);

  it("stops with exit 1 and a note when the --token it was given expires (the server closes the socket with 4401)", async () => {
    // Long enough for the session to start on a loaded machine; the socket may open before or after it runs out.
    const exp = Math.floor(Date.now() / 1000) + 5;
    const token = await sign({ sub: `cli-expiring-${crypto.randomUUID()}`, role: "client", exp }, JWT_SECRET, "HS256");
    // stdin stays open: only the expiry ends the conversation.
    const child = spawn(process.execPath, [join(repoRoot, "bin/heartrule.mjs"), "chat", "--url", server.url, "--lang", "en", "--token", token], {
      cwd: repoRoot,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stdout).toContain(PROMPT);
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    expect(stderr).toContain("(the token has expired: run again with a fresh --token)");
    expect(code).toBe(1);
  }, 30_000);

  it("shows where a --script file is wrong, with line and column, as heartrule validate does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "heartrule-chat-"));
    const file = join(dir, "broken.yaml");
    writeFileSync(
      file,
      (await readFile(join(repoRoot, "scripts/sessions/intake_en.yaml"), "utf8")).replace("action_type: ai_say", "action_type: ai_sya"),
    );
    try {
      const run = await chat(["--url", server.url, "--script", file], []);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("(SCRIPT_INVALID)");
      expect(run.stderr).toContain(file);
      expect(run.stderr).toMatch(/\n {2}\d+:\d+ {2}error {2}[A-Z_]+ {2}\S/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("refuses bad options with its usage and exit 1, contacting nothing", async () => {
    const run = await chat(["--lang", "fr"], []);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--lang takes en or zh-CN, not 'fr'");
    expect(run.stderr).toContain("usage: heartrule chat");
  }, 30_000);
});

/** What a newcomer opens after `npm run dev` (the foundation's checks, against the real server). */
describe("npm run dev serves", () => {
  it("/health, /health/ready with its three checks, a valid /openapi.json and the /docs page", async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(
      Object.entries(body.checks)
        .map(([name, c]) => [name, c.ok])
        .sort(),
    ).toEqual([
      ["d1", true],
      ["durableObject", true],
      ["kv", true],
    ]);
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Parameters<typeof validate>[0];
    const result = await validate(doc);
    expect(result.valid ? [] : result.errors).toEqual([]);
    const docs = await fetch(`${server.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await docs.text()).toMatch(/<html/i);
  }, 30_000);
});
