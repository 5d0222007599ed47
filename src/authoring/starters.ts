import type { Language } from "../engine/script/schema";
import intakeEn from "../../scripts/sessions/intake_en.yaml";
import intakeZh from "../../scripts/sessions/intake_zh.yaml";
import intakeEnTest from "../../scripts/tests/intake_en.test.yaml";
import intakeEnModelTest from "../../scripts/tests/intake_en_model.test.yaml";
import intakeZhTest from "../../scripts/tests/intake_zh.test.yaml";
import { GLOBALS_PATH } from "./paths";
import globals from "./starters/globals.yaml";
import helloEn from "./starters/hello_world.en.yaml";
import helloZh from "./starters/hello_world.zh-CN.yaml";

export const starterNames = ["blank", "sample"] as const;
export type StarterName = (typeof starterNames)[number];

const hello: Record<Language, string> = { en: helloEn, "zh-CN": helloZh };

/**
 * The sample scripts are scripts/sessions/*.yaml and their tests
 * scripts/tests/*.test.yaml, bundled at build time (the Text rule in
 * wrangler.toml), so those folders stay their only source. A new sample file
 * there needs a line here.
 */
const samples: Record<string, string> = {
  "sessions/intake_en.yaml": intakeEn,
  "sessions/intake_zh.yaml": intakeZh,
  "tests/intake_en.test.yaml": intakeEnTest,
  "tests/intake_en_model.test.yaml": intakeEnModelTest,
  "tests/intake_zh.test.yaml": intakeZhTest,
};

/** The files a new project starts with. */
export function starterFiles(name: StarterName, language: Language): { path: string; content: string }[] {
  const scripts =
    name === "sample"
      ? Object.entries(samples).map(([path, content]) => ({ path, content }))
      : [{ path: "sessions/hello_world.yaml", content: hello[language] }];
  return [{ path: GLOBALS_PATH, content: globals }, ...scripts];
}
