/**
 * `heartrule run <file> [--answers <file|->] [--json] [model flags]`: runs a
 * session script in-process, with the offline model or a real one
 * (../model-options.ts). Each time the script waits, the
 * next line of the answers is the client's reply (an empty line sends
 * nothing). Without --answers, an interactive terminal asks for each reply.
 *
 * --json prints one JSON object per line: `message` for each AI line,
 * `state` after each step, and a final `end` with status and variables.
 * Exit 0 completed, 2 still waiting when the answers ran out, 1 error.
 */
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { flatVariables, start, step, type StepResult } from "../../engine";
import type { Command } from "../main";
import { modelFrom, modelHelp, modelHint, modelUsage, takeModelFlags } from "../model-options";
import { loadSessionScript, loadTechniques, takeTechniqueFlags, techniqueUsage } from "../script-file";

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

function report(result: StepResult, json: boolean, baseUrl: string | null): void {
  for (const m of result.messages) {
    console.log(json ? JSON.stringify({ type: "message", id: m.id, actionId: m.actionId, content: m.content }) : `AI: ${m.content}`);
  }
  if (json) console.log(JSON.stringify({ type: "state", status: result.status, position: result.state.position }));
  if (!result.error) return;
  const hint = modelHint(result.error, baseUrl);
  if (!json || hint)
    console.error(`error in ${result.error.actionId ?? "the script"}: ${result.error.code} — ${result.error.message}${hint ? `\n  ${hint}` : ""}`);
}

export const runCommand: Command = {
  summary: "Run a session script in-process (the offline model, or a real one), feeding answers from a file.",
  usage: `heartrule run <file> [--answers <file|->] [--json] ${techniqueUsage} ${modelUsage}`,
  help: modelHelp,
  async run(all) {
    const taken = takeModelFlags(all);
    if (typeof taken === "string") {
      console.error(`heartrule run: ${taken}\nusage: ${this.usage}`);
      return 1;
    }
    const withTechniques = takeTechniqueFlags(taken.rest);
    if (typeof withTechniques === "string") {
      console.error(`heartrule run: ${withTechniques}\nusage: ${this.usage}`);
      return 1;
    }
    const args = withTechniques.rest;
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
    const chosen = modelFrom(taken.flags);
    if (typeof chosen === "string") {
      console.error(`heartrule run: ${chosen}\nusage: ${this.usage}`);
      return 1;
    }
    const { model, baseUrl } = chosen;
    const techniques = await loadTechniques(withTechniques.files);
    const script = typeof techniques === "string" ? techniques : await loadSessionScript(files[0]!, techniques);
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

    let state = start(script);
    let input: string | null = null;
    let result: StepResult;
    try {
      for (;;) {
        result = await step(script, state, input, { model });
        report(result, json, baseUrl);
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
