import type { Language } from "../../engine/script/schema";
import { GLOBALS_PATH } from "./paths";
import globals from "./starters/globals.yaml";
import helloEn from "./starters/hello_world.en.yaml";
import helloZh from "./starters/hello_world.zh-CN.yaml";

export const starterNames = ["blank", "sample"] as const;
export type StarterName = (typeof starterNames)[number];

const hello: Record<Language, string> = { en: helloEn, "zh-CN": helloZh };

/** The files a new project starts with. */
export function starterFiles(name: StarterName, language: Language): { path: string; content: string }[] {
  if (name === "sample") return [{ path: GLOBALS_PATH, content: globals }];
  return [
    { path: GLOBALS_PATH, content: globals },
    { path: "sessions/hello_world.yaml", content: hello[language] },
  ];
}
