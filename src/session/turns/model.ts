/**
 * The language model turns run with: made from the configuration once per
 * activation. Local environments (development, test, bench) can put another
 * model in its place, which is how tests give a turn a failing or hanging model.
 */
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { isLocal, type Config, type Env } from "../../config";
import { DomainError } from "../../errors";
import { createModel, LlmConfigError } from "../../llm";
import { createClassifier } from "../../llm/classifier";
import type { SafetyClassifier } from "../../engine/safety/classifier";
import type { CrisisResourceTable } from "../../engine/safety/resources";

export class ModelSource {
  private model: LanguageModelV3 | null = null;
  private safety: SafetyClassifier | undefined;

  constructor(
    private readonly config: Config,
    private readonly env: Env,
  ) {}

  /** The longest line a client is shown (LLM_MAX_CONTENT_CHARS); longer replies are cut after a sentence. */
  get maxContentChars(): number {
    return this.config.LLM_MAX_CONTENT_CHARS;
  }

  /** The deployment's crisis lines (CRISIS_RESOURCES), which prompts offer; undefined: the defaults. */
  get crisisResources(): CrisisResourceTable | undefined {
    return this.config.CRISIS_RESOURCES;
  }

  /** The classifier models of SAFETY_CLASSIFIER as one, made once; undefined when none is configured. */
  get classifier(): SafetyClassifier | undefined {
    const entries = this.config.SAFETY_CLASSIFIER;
    if (!entries) return undefined;
    return (this.safety ??= createClassifier(entries, { apiKey: this.config.SAFETY_CLASSIFIER_API_KEY, ai: this.env.AI }));
  }

  /** The model for the next turn; a configuration it cannot be made from is the caller's CONFIG_INVALID. */
  get(): LanguageModelV3 {
    try {
      return (this.model ??= createModel(this.config, this.env));
    } catch (err) {
      if (err instanceof LlmConfigError) throw new DomainError("CONFIG_INVALID", `Check these settings: ${err.field}.`);
      throw err;
    }
  }

  /** Local environments only: `model` for the following turns, or (null) the configured one again. */
  replace(model: LanguageModelV3 | null): void {
    if (!isLocal(this.config)) throw new Error("the session's model is replaced only in local environments");
    this.model = model;
  }
}
