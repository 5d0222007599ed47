/**
 * `heartrule run <file> [--answers <file|->] [--json]`: runs a session
 * script in-process with the offline model. Each time the script waits, the
 * next line of the answers is the client's reply (an empty line sends
 * nothing). Without --answers, an interactive terminal asks for each reply.
 *
 * --json prints one JSON object per line: `message` for each AI line,
 * `state` after each step, and a final `end` with status and variables.
 * Exit 0 completed, 2 still waiting when the answers ran out, 1 error.
 */
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { flatVariables, start, step, type SessionScript, type StepResult } from "../../engine";
import { load } from "../../engine/script";
import { createOfflineModel } from "../../llm";
import type { Command } from "../main";

type Answers = { next(): Promise<string | undefined>; close(): void };

function lines(text: string): Answers {
  const all = text.split(/\r?\n/);
  if (all.at(-1) === "") all.pop(); // the newline that ends the file is not an empty answer
  return { next: async () => all.shift(), close: () => {} };
}

function interactive(): Answers {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  return {
    next: () => rl.question("you> ").catch(() => undefined),
    close: () => rl.close(),
  };
}

async function answersFrom(source: string | undefined): Promise<Answers> {
  if (source === "-") {
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    return lines(text);
  }
  if (source !== undefined) return lines(await readFile(source, "utf8"));
  return process.stdin.isTTY ? interactive() : lines("");
}

function report(result: StepResult, json: boolean): void {
  for (const m of result.messages) {
    console.log(json ? JSON.stringify({ type: "message", id: m.id, actionId: m.actionId, content: m.content }) : `AI: ${m.content}`);
  }
  if (json) console.log(JSON.stringify({ type: "state", status: result.status, position: result.state.position }));
  else if (result.error) console.error(`error in ${result.error.actionId ?? "the script"}: ${result.error.code} — ${result.error.message}`);
}

async function loadScript(file: string): Promise<SessionScript | string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "unknown error"})`;
  }
  const { script, kind, diagnostics } = load(text);
  if (!script) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    return [
      `${file} has ${errors.length} error(s); run \`heartrule validate ${file}\` for details:`,
      ...errors.map((d) => `  ${d.line}:${d.column} ${d.code} ${d.message}`),
    ].join("\n");
  }
  if (kind !== "session") return `${file} is a technique script: only session scripts run on their own.`;
  return script as SessionScript;
}

export const runCommand: Command = {
  summary: "Run a session script in-process with the offline model, feeding answers from a file.",
  usage: "heartrule run <file> [--answers <file|->] [--json]",
  async run(args) {
    let json = false;
    let answersSource: string | undefined;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === "--json") json = true;
      else if (arg === "--answers" || arg.startsWith("--answers=")) {
        answersSource = arg === "--answers" ? args[++i] : arg.slice("--answers=".length);
        if (!answersSource) {
          console.error(`heartrule run: --answers takes a file or -\nusage: ${this.usage}`);
          return 1;
        }
      } else if (arg.startsWith("-")) {
        console.error(`heartrule run: unknown option '${arg}'\nusage: ${this.usage}`);
        return 1;
      } else files.push(arg);
    }
    if (files.length !== 1) {
      console.error(`heartrule run: name one script file\nusage: ${this.usage}`);
      return 1;
    }
    const script = await loadScript(files[0]!);
    if (typeof script === "string") {
      console.error(`heartrule run: ${script}`);
      return 1;
    }
    let answers: Answers;
    try {
      answers = await answersFrom(answersSource);
    } catch (err) {
      console.error(`heartrule run: cannot read answers from ${answersSource} (${(err as NodeJS.ErrnoException).code ?? "unknown error"})`);
      return 1;
    }

    const model = createOfflineModel();
    let state = start(script);
    let input: string | null = null;
    let result: StepResult;
    try {
      for (;;) {
        result = await step(script, state, input, { model });
        report(result, json);
        if (result.status !== "waiting_input") break;
        state = result.state;
        const answer = await answers.next();
        if (answer === undefined) break;
        if (!json && answersSource !== undefined) console.log(`you> ${answer}`);
        input = answer;
      }
    } finally {
      answers.close();
    }
    const variables = flatVariables(result.status === "error" ? state : result.state);
    if (json) {
      console.log(JSON.stringify({ type: "end", status: result.status, variables, ...(result.error ? { error: result.error } : {}) }));
    } else {
      console.log(`\n[${result.status}]`);
      for (const [name, value] of Object.entries(variables)) console.log(`  ${name} = ${JSON.stringify(value)}`);
    }
    return result.status === "completed" ? 0 : result.status === "waiting_input" ? 2 : 1;
  },
};
