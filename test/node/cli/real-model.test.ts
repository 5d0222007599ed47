/**
 * `heartrule run` and `heartrule chat --script` with a real model
 * (--llm-base-url): spawned the way users run them, against the project's
 * fake OpenAI-compatible server answering every call of the sample scripts
 * in one of the corpus's messy reply shapes (test/support/reply-corpus.ts).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeServer } from "../../support/fake-openai";
import { corpusResponder, residue, SHAPES, type Language } from "../../support/reply-corpus";

const repo = join(import.meta.dirname, "../../..");
const KEY = "sk-test-do-not-print-0123456789";

function heartrule(args: string[], stdin: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(repo, "bin/heartrule.mjs"), ...args], {
    cwd: repo,
    env: { ...process.env, LLM_API_KEY: KEY, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end(stdin);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
}

const SCRIPTS = { en: "scripts/sessions/intake_en.yaml", "zh-CN": "scripts/sessions/intake_zh.yaml" } as const;
const SCORE = { en: "mood_score", "zh-CN": "情绪评分" } as const;
/** Enough answers for every ask to run to its max_rounds (a plain-text reply never says EXIT). */
const ANSWERS = {
  en: ["Sam", "Work is stressful", "3", "No", "Badly", "Sleep better", "Thanks"],
  "zh-CN": ["小林", "工作压力大", "3", "没有", "睡不好", "睡得好一点", "谢谢"],
};
const answers = (language: Language) => `${[...ANSWERS[language], ...ANSWERS[language], ...ANSWERS[language]].join("\n")}\n`;

const dirty = /[{}]|"EXIT"|"content"|<\/?think>|```|^(Counselor|咨询师)\s*[:：]|A first draft|初稿/;

let server: FakeServer;
const responder = corpusResponder();
beforeAll(async () => {
  server = await startFakeOpenAI(responder.respond);
});
afterAll(() => server.close());

const modelFlags = () => ["--llm-base-url", server.url, "--llm-model", "m", "--llm-response-format", "json_schema"];

describe("heartrule run --llm-base-url: every corpus shape through the sample scripts", { timeout: 120_000 }, () => {
  for (const language of ["en", "zh-CN"] as const) {
    it(`completes ${language} in every shape, shows only what the model meant, types the score and runs the safety check`, async () => {
      for (const [i, shape] of SHAPES.entries()) {
        responder.plan({ shape: shape.name });
        const sent = server.requests.length;
        // Every shape streamed in one language and asked without streaming (LLM_STREAM=false) in the other.
        const streamed = (i % 2 === 0) === (language === "en");
        const r = await heartrule(
          ["run", SCRIPTS[language], "--json", "--answers", "-", ...modelFlags()],
          answers(language),
          streamed ? {} : { LLM_STREAM: "false" },
        );
        const lines = r.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Record<string, any>);
        const end = lines.at(-1)!;
        expect({ shape: shape.name, code: r.code, stderr: r.stderr, status: end.status }).toEqual({
          shape: shape.name,
          code: 0,
          stderr: "",
          status: "completed",
        });
        const messages = lines.filter((l) => l.type === "message");
        for (const m of messages) {
          expect(m.content, `${shape.name}: ${m.actionId}`).not.toMatch(dirty);
          expect(m.content.trim(), `${shape.name}: ${m.actionId}`).not.toBe("");
          expect(residue(m.content, language), `${shape.name}: ${m.actionId}`).toBe("");
        }
        expect(end.variables[SCORE[language]], shape.name).toBe(3);
        expect(
          messages.some((m) => m.actionId === "check_safety"),
          shape.name,
        ).toBe(true);
        // The key reaches the server and nothing else.
        const requests = server.requests.slice(sent);
        expect(requests.every((q) => q.authorization === `Bearer ${KEY}`)).toBe(true);
        expect(requests.every((q) => (q.stream === true) === streamed)).toBe(true);
        expect(r.stdout + r.stderr).not.toContain(KEY);
      }
    });
  }
});

describe("heartrule chat --script with a model of its own", { timeout: 60_000 }, () => {
  it("runs the file in-process to completion, each AI line once when piped", async () => {
    responder.plan({ shape: "two objects: the correction wins" });
    const r = await heartrule(
      ["chat", "--script", SCRIPTS.en, "--lang", "en", `--llm-base-url=${server.url}`, "--llm-model=m", "--llm-response-format=json_schema"],
      answers("en"),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("(the conversation is complete)");
    const said = r.stdout.split("\n").filter((l) => l.startsWith("AI: "));
    expect(said.length).toBeGreaterThan(5);
    for (const line of said) expect(residue(line.slice(4), "en")).toBe("");
    expect(r.stdout).toContain("you> Sam");
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it("refuses model flags without a local --script", async () => {
    const r = await heartrule(["chat", "--project", "p1", ...modelFlags()], "");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--llm-base-url runs a local --script FILE");
  });
});

describe("clear errors, no stack traces, never the key", { timeout: 60_000 }, () => {
  const run = (flags: string[], env: Record<string, string> = {}) =>
    heartrule(["run", SCRIPTS.en, "--answers", "-", ...flags], "Sam\n", { LLM_MAX_RETRIES: "0", ...env });
  const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |\.ts:\d+|Error:/);

  it.each([
    [["--llm-base-url", "not a url", "--llm-model", "m"], "--llm-base-url is not a URL: 'not a url'"],
    [["--llm-base-url", "ftp://example.com/v1", "--llm-model", "m"], "must be http:// or https://"],
    [["--llm-base-url", "http://127.0.0.1:9/v1"], "--llm-base-url needs --llm-model NAME"],
    [["--llm-model", "m"], "need --llm-base-url"],
    [
      ["--llm-base-url", "http://127.0.0.1:9/v1", "--llm-model", "m", "--llm-response-format", "yaml"],
      "takes json_object, json_schema or none, not 'yaml'",
    ],
    [["--llm-base-url"], "--llm-base-url needs a value"],
  ])("%j → exit 1: %s", async (flags, message) => {
    const r = await run(flags);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    noStack(r.stderr);
  });

  it("an unreachable server: the turn fails as LLM_UNAVAILABLE and says what to check", async () => {
    // Port 9 (discard) on loopback: nothing listens there.
    const r = await run(["--llm-base-url", "http://127.0.0.1:9/v1", "--llm-model", "m"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("LLM_UNAVAILABLE");
    expect(r.stderr).toContain("could not connect to http://127.0.0.1:9/v1");
    noStack(r.stderr);
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it("a model the server does not have (404) and a refused key (401) name the flag or variable to fix", async () => {
    const refusing = await startFakeOpenAI((request) => ({ kind: "status", status: request.body.model === "missing" ? 404 : 401 }));
    try {
      const missing = await run(["--llm-base-url", refusing.url, "--llm-model", "missing"]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/LLM_ERROR .*HTTP 404[\s\S]*check --llm-model/);
      noStack(missing.stderr);
      const refused = await run(["--llm-base-url", refusing.url, "--llm-model", "m"]);
      expect(refused.stderr).toMatch(/HTTP 401[\s\S]*set LLM_API_KEY/);
      expect(refused.stdout + refused.stderr).not.toContain(KEY);
    } finally {
      await refusing.close();
    }
  });

  it("--help lists the model flags and where the key comes from", async () => {
    for (const command of ["run", "chat"]) {
      const r = await heartrule([command, "--help"], "");
      expect(r.code).toBe(0);
      for (const flag of ["--llm-base-url URL", "--llm-model NAME", "--llm-response-format", "LLM_API_KEY"]) expect(r.stdout).toContain(flag);
    }
  });
});
