import type { LanguageModel } from "ai";
import { createOfflineModel } from "../llm/offline";

/** The model a session's turns run with. */
export function sessionModel(): LanguageModel {
  return createOfflineModel();
}
