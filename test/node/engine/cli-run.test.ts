/**
 * `heartrule run`: the acceptance runs are spawned the way users run it
 * (bin → tsx → src/cli); the rest call the command in-process. The upstream
 * scripts are read in place, answers come from temp files.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../../src/cli/main";
import type { SessionScript } from "../../../src/engine";
import { parseScript } from "./helpers";
import { upstreamScript } from "./upstream";

const repo = resolve(import.meta.dirname, "../../..");
const dir = mkdtempSync(join(tmpdir(), "heartrule-run-"));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.trim()
    ? stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
}

/** The real command line, in a child process. */
function spawnHeartrule(args: string[], stdin = "") {
  const r = spawnSync(process.execPath, [join(repo, "bin/heartrule.mjs"), ...args], { cwd: repo, encoding: "utf8", input: stdin, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same command in-process, with its console output captured. */
async function heartrule(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    const code = await main(args);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

function outputNames(script: SessionScript): string[] {
  return script.session.phases.flatMap((p) =>
    p.topics.flatMap((t) =>
      t.actions.flatMap((a) => {
        if (a.action_type === "ai_say" || a.action_type === "handoff" || a.action_type === "set") return [];
        if (a.action_type === "use_skill") return Object.values(a.config.output ?? {});
        const saved = a.action_type === "ai_ask" && a.config.save_answer ? [a.config.save_answer] : [];
        return [...(a.config.output ?? []).map((o) => o.get), ...saved];
      }),
    ),
  );
}

describe("heartrule run", { timeout: 60_000 }, () => {
  it.each([
    ["cbt_depression_assessment.yaml", ["你好", "小林", "28", "最近总是睡不着", "很低落", "没什么兴趣了", "好的"]],
    ["story-2.1-verification-test.yaml", ["开始吧", "阿杰", "继续", "是", "好", "谢谢"]],
  ])("runs the upstream %s to completed with every output variable set", (name, answers) => {
    const r = spawnHeartrule(["run", upstreamScript.path(name), "--answers", file(`${name}.txt`, `${answers.join("\n")}\n`), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    const types = events.map((e) => e.type);
    expect(types.at(-1)).toBe("end");
    expect(types.filter((t) => t === "state")).toHaveLength(answers.length + 1);
    expect(types).toContain("message");
    const end = events.at(-1) as { status: string; variables: Record<string, string> };
    expect(end.status).toBe("completed");
    const outputs = outputNames(parseScript(upstreamScript(name)));
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) expect(end.variables[output], output).toMatch(/\S/);
  });

  it("exits 2 when the answers run out while the script waits", async () => {
    const r = await heartrule(["run", join(repo, "scripts/sessions/intake_en.yaml"), "--answers", file("short.txt", "Alex\n"), "--json"]);
    expect(r.code).toBe(2);
    const events = jsonLines(r.stdout);
    expect(events.at(-1)).toEqual({ type: "end", status: "waiting_input", variables: { client_name: "Alex" } });
    expect(events.filter((e) => e.type === "message").map((e) => e.actionId)).toEqual(["greet", "ask_name", "ask_problem"]);
  });

  it("reads answers from stdin with --answers - and prints a readable transcript", () => {
    const r = spawnHeartrule(["run", "scripts/sessions/intake_en.yaml", "--answers", "-"], "Alex\n");
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("AI: What would you like me to call you?");
    expect(r.stdout).toContain("you> Alex");
    expect(r.stdout).toContain("AI: Thank you, Alex. What brings you here today?");
    expect(r.stdout).toContain('client_name = "Alex"');
  });

  it("a condition that cannot be evaluated skips its action and the run goes on", async () => {
    const script = file(
      "broken.yaml",
      readFileSync(join(repo, "scripts/sessions/intake_en.yaml"), "utf8").replace("condition: mood_score <= 3", "condition: int(mood_score) < 4"),
    );
    // "low" is no integer: mood_score stays unset, so int(mood_score) cannot be evaluated.
    const r = await heartrule(["run", script, "--answers", file("bad-mood.txt", "Alex\nstress\nlow\n"), "--json"]);
    expect(r.code).toBe(2);
    const said = jsonLines(r.stdout)
      .filter((l) => l.type === "message")
      .map((l) => l.actionId);
    expect(said).not.toContain("check_safety");
    expect(said.at(-1)).toBe("ask_sleep");
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ type: "end", status: "waiting_input" });
  });

  it("exits 1 on a script that does not load, a technique script, or a bad option", async () => {
    const invalid = await heartrule(["run", file("bad.yaml", "session:\n  session_id: x\n")]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/error\(s\).*heartrule validate/s);
    const technique = await heartrule([
      "run",
      file("technique.yaml", "topic:\n  topic_id: t\n  actions:\n    - { action_type: ai_say, action_id: a, config: { content: hi } }\n"),
    ]);
    expect(technique).toMatchObject({ code: 1, stderr: expect.stringContaining("technique script") });
    expect((await heartrule(["run", "--frobnicate"])).code).toBe(1);
    expect((await heartrule(["run", "missing.yaml"])).stderr).toContain("cannot read missing.yaml");
  });

  it("runs a session whose use_skill names the upstream Socratic technique given with --technique, outputs mapped back", () => {
    const session = file(
      "uses-socratic.yaml",
      `session:
  session_id: uses_socratic
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_ask, action_id: ask_thought, config: { content: 最近有什么想法一直困扰你？, output: [{ get: belief }] } }
            - action_type: use_skill
              action_id: question
              config:
                skill: socratic_questioning
                input: { target_belief: "{belief}" }
                output: { reframed_belief: new_belief, alternative_thoughts: other_view }
            - { action_type: ai_say, action_id: close, config: { content: "谢谢你。{new_belief}", max_rounds: 1 } }
`,
    );
    const answers = ["我总是把事情搞砸", "嗯", "上次项目失败了", "其实上周做得不错", "朋友会说我太苛刻", "好一些", "谢谢", "再见"];
    const socratic = upstreamScript.path("socratic_questioning.yaml");
    const r = spawnHeartrule(["run", session, "--technique", socratic, "--answers", file("socratic.txt", `${answers.join("\n")}\n`), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    const end = events.at(-1) as { status: string; variables: Record<string, string> };
    expect(end.status).toBe("completed");
    expect(end.variables).toEqual({ belief: "我总是把事情搞砸", new_belief: expect.stringMatching(/\S/), other_view: "朋友会说我太苛刻" });
    expect(events.filter((e) => e.type === "message").map((e) => e.actionId)).toContain("explore_alternatives");
  });

  it("without the technique, says which skill is missing", async () => {
    const session = file(
      "needs-technique.yaml",
      "session:\n  session_id: x\n  phases:\n    - phase_id: p\n      topics:\n        - topic_id: t\n          actions:\n            - { action_type: use_skill, action_id: u, config: { skill: socratic_questioning } }\n",
    );
    const r = await heartrule(["run", session]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("UNKNOWN_SKILL");
    expect((await heartrule(["run", session, "--technique"])).stderr).toContain("--technique needs a file");
  });
});
