/**
 * The optional third layer of crisis detection: a classifier model the host configures (a moderation
 * endpoint, Llama Guard). The engine stays pure: it is handed one, like the model, and reads the
 * client's words with it beside the local detector; the highest grade wins. An implementation answers
 * `none` with a `failure` code when it cannot read the words (timeout, an error, a reply it does not
 * understand), so a classifier that is down never blocks a turn and never lowers a grade.
 */
import type { RiskLevel } from "../runtime/events";
import type { Language } from "../script/schema";

export interface ClassifierReading {
  level: RiskLevel;
  /** Why nothing could be read (a stable code, never the words): the reading is then `none`. */
  failure?: string;
}

export interface SafetyClassifier {
  classify(text: string, options: { language: Language; signal?: AbortSignal | undefined }): Promise<ClassifierReading>;
}

/** No classifier: the detector and the model's own flag are the layers. */
export const noClassifier: SafetyClassifier = { classify: async () => ({ level: "none" }) };
