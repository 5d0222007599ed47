/** The golden-conversation runner shared by the golden test files. */
import { expect } from "vitest";
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { flatVariables, renderPlaceholders, type Position, type SessionScript, type StepStatus } from "../../../src/engine";
import { noRisk as none } from "../../model-replies";
import { runTurns, scriptedModel } from "./helpers";

export interface Expected {
  input: string | null;
  /** The AI lines of this turn, exactly. */
  say: unknown[];
  status: StepStatus;
  at?: Partial<Position>;
  /** The whole flat variable view after the turn. */
  vars?: Record<string, unknown>;
}

export interface Golden {
  name: string;
  script: () => SessionScript;
  runs: { model: string; create: () => LanguageModelV3; turns: Expected[] }[];
}

export async function checkGolden(script: SessionScript, model: LanguageModelV3, turns: Expected[]): Promise<void> {
  const { results } = await runTurns(
    script,
    turns.map((t) => t.input),
    { model },
  );
  results.forEach((r, i) => {
    const want = turns[i]!;
    const turn = `turn ${i + 1} (${JSON.stringify(want.input)})`;
    expect(r.error, turn).toBeUndefined();
    expect(
      r.messages.map((m) => m.content),
      turn,
    ).toEqual(want.say);
    expect(r.status, turn).toBe(want.status);
    if (want.at) expect(r.state.position, turn).toMatchObject(want.at);
    if (want.vars) expect(flatVariables(r.state), turn).toEqual(want.vars);
  });
}

/** What an action's content reads with these variables filled in (trimmed, as the engine shows it). */
export function contentOf(script: SessionScript, actionId: string, vars: Record<string, string> = {}): string {
  for (const phase of script.session.phases) {
    for (const topic of phase.topics) {
      const action = topic.actions.find((a) => a.action_id === actionId);
      if (action && action.action_type !== "set" && action.action_type !== "use_skill")
        return renderPlaceholders(action.config.content, (n) => vars[n]).trim();
    }
  }
  throw new Error(`no action ${actionId}`);
}

/**
 * A scripted model that answers differently from the offline one, so a run
 * proves the values come from the model: lines are quoted «…»; an answer
 * starting with "more" keeps an ai_ask going; otherwise the ask ends without
 * reporting values (the engine's fallback chain fills them) and extraction
 * finds nothing; ai_think fills `thought:<name>`.
 */
export function echoModel(): LanguageModelV3 {
  return scriptedModel((req) => {
    switch (req.purpose) {
      case "ai_say":
      case "ai_say_paraphrase":
        return { EXIT: "false", content: `«${req.round > 1 ? "…" : req.content}»`, ...none };
      case "ai_ask":
        if (req.answer === null) return { EXIT: "false", content: `«${req.content}»`, ...none };
        return req.answer.startsWith("more") ? { EXIT: "false", content: "«Tell me more.»", ...none } : { EXIT: "true", content: "", ...none };
      case "ai_think":
        return { ...Object.fromEntries(req.outputs.map((o) => [o.name, `thought:${o.name}`])), ...none };
      case "extract":
        return { ...Object.fromEntries(req.outputs.map((o) => [o.name, null])), ...none };
      case "rewrite":
        return { content: "«rewritten»", ...none };
    }
  });
}
