/**
 * use_skill: runs a technique (runtime/technique.ts) as part of the
 * conversation. Its inputs are rendered from this script's variables when
 * it starts; when it ends, the outputs `output:` maps are written into this
 * script's variables, and nothing else it set. The loader resolved the
 * technique into the script (`script.techniques`), so what runs is what was
 * validated and pinned.
 */
import { EngineError } from "../runtime/errors";
import { runTechnique, techniqueProgram, type TechniqueRun } from "../runtime/technique";
import type { JsonValue, TechniqueFrame, VariableMap } from "../runtime/state";
import type { Turn } from "../runtime/turn";
import { singlePlaceholder } from "../script/placeholders";
import type { TechniqueScript } from "../script/schema";
import { coerceOutput } from "../variables/coerce";
import { render } from "../variables/render";
import { lookupVariable, textLookup } from "../variables/store";
import { done, type ActionHandler, type NodeOf, type Outcome } from "./types";

function techniqueOf(turn: Turn, node: NodeOf<"use_skill">): TechniqueScript {
  const skill = node.action.config.skill;
  const technique = turn.program.script.techniques?.[skill];
  if (!technique) {
    throw new EngineError(
      "SCRIPT_MISMATCH",
      `Action "${node.action.action_id}" runs the technique "${skill}", which the script was not loaded with.`,
      false,
      node.action.action_id,
    );
  }
  return technique;
}

/** The technique's inputs from this script's variables: a lone placeholder passes the value as it is, other text is rendered. */
function inputsOf(turn: Turn, node: NodeOf<"use_skill">, technique: TechniqueScript): VariableMap {
  const declared = new Map((technique.technique?.inputs ?? []).map((i) => [i.name, i]));
  const lookup = textLookup(turn.state);
  const inputs: VariableMap = {};
  for (const [name, given] of Object.entries(node.action.config.input ?? {})) {
    let value: JsonValue | undefined = given;
    if (typeof given === "string") {
      const only = singlePlaceholder(given);
      value = only === undefined ? render(given, lookup).trim() : lookupVariable(turn.state, only);
    }
    const field = declared.get(name);
    if (value !== undefined && field?.type) value = coerceOutput(field, value);
    if (value !== undefined && value !== null && value !== "") inputs[name] = value;
  }
  return inputs;
}

function finish(turn: Turn, node: NodeOf<"use_skill">, run: TechniqueRun): Outcome {
  if (!run.done) return { wait: true, round: 1, technique: run.position };
  turn.state.technique = null;
  const values = Object.entries(node.action.config.output ?? {}).flatMap(([from, into]) => {
    const value = run.variables[from];
    if (value !== undefined) return [{ field: { get: into }, value }];
    turn.emit({
      type: "diagnostic",
      actionId: node.action.action_id,
      code: "SKILL_OUTPUT_MISSING",
      message: `The technique "${node.action.config.skill}" ended without a value for its output "${from}"; "${into}" was not written.`,
      names: [into],
    });
    return [];
  });
  turn.write(node, values);
  return done;
}

async function begin(turn: Turn, node: NodeOf<"use_skill">): Promise<Outcome> {
  const technique = techniqueOf(turn, node);
  const program = techniqueProgram(technique, turn.language);
  const s = turn.state;
  const running = s.technique?.actionId === node.action.action_id ? s.technique : null;
  // Started again with its technique under way (after the crisis protocol): the technique's own action starts again.
  const at = running && s.position.technique ? { ...s.position.technique, round: 0 } : null;
  const frame: TechniqueFrame = running
    ? { ...running, inFlight: null }
    : {
        skill: node.action.config.skill,
        actionId: node.action.action_id,
        inFlight: null,
        scopes: { global: inputsOf(turn, node, technique), session: {}, phase: {}, topic: {} },
      };
  s.technique = frame;
  return finish(turn, node, await runTechnique(turn, program, frame, at, null));
}

async function resume(turn: Turn, node: NodeOf<"use_skill">, _inFlight: unknown, answer: string | null): Promise<Outcome> {
  const frame = turn.state.technique;
  if (!frame || frame.actionId !== node.action.action_id) return begin(turn, node);
  const program = techniqueProgram(techniqueOf(turn, node), turn.language);
  return finish(turn, node, await runTechnique(turn, program, frame, turn.state.position.technique, answer));
}

export const useSkill: ActionHandler<"use_skill"> = {
  maxRounds: () => 1,
  begin,
  resume,
};
