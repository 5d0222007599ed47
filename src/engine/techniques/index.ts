/**
 * The techniques every script may run with use_skill, whatever project it is in: each in English and
 * Chinese, under one technique_id (the loader picks the one of the session's language).
 */
import { load } from "../script/load";
import type { TechniqueScript } from "../script/schema";
import reframeEn from "./reframe-thought-en";
import reframeZh from "./reframe-thought-zh-CN";

const texts = [reframeEn, reframeZh];

let loaded: TechniqueScript[] | undefined;

/** The bundled techniques, loaded once (a bundled technique with an error is a bug: it throws). */
export function bundledTechniques(): readonly TechniqueScript[] {
  loaded ??= texts.map((yaml) => {
    const result = load(yaml);
    if (!result.script || result.kind !== "technique") throw new Error(`A bundled technique does not load: ${result.diagnostics[0]?.message ?? "?"}`);
    return result.script as TechniqueScript;
  });
  return loaded;
}
