/**
 * What a sample conversation must show, computed by running the same script
 * in-process with the offline model (the model `npm run dev` uses): the AI
 * lines of every turn, in order. Browser and CLI tests compare what they saw
 * with this, so no expected text is written by hand.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { start, step, type SessionScript } from "../../src/engine";
import { load } from "../../src/engine/script";
import { createOfflineModel } from "../../src/llm/offline";
import { repoRoot } from "./dev-server";

export const sampleYaml = (lang: "en" | "zh" = "en") => readFileSync(join(repoRoot, `scripts/sessions/intake_${lang}.yaml`), "utf8");

/** Answers that walk the English intake sample to its end (mood 6 keeps the safety question out). */
export const sampleAnswers = [
  "Sam",
  "I have been anxious at work for months",
  "6",
  "Not well, I wake up at 4am",
  "Feel calmer and sleep through the night",
  "Thank you, that helps",
];

export interface Expected {
  /** AI lines of each turn: turn 0 opens the session, turn n answers answer n. */
  turns: string[][];
  /** How many answers the script took to complete. */
  answersUsed: number;
}

export async function expectedConversation(yaml: string, answers: string[]): Promise<Expected> {
  const { script } = load(yaml);
  if (!script || !("session" in script)) throw new Error("not a session script");
  const session = script as SessionScript;
  const model = createOfflineModel();
  let state = start(session);
  const turns: string[][] = [];
  const inputs: (string | null)[] = [null, ...answers];
  for (let i = 0; i < inputs.length; i++) {
    const result = await step(session, state, inputs[i]!, { model });
    if (result.status === "error") throw new Error(`the engine failed: ${result.error?.code}`);
    turns.push(result.messages.map((m) => m.content));
    state = result.state;
    if (result.status === "completed") return { turns, answersUsed: i };
  }
  throw new Error(`the script did not complete with ${answers.length} answers`);
}
