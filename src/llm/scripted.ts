/**
 * The scripted model of conversation tests (authoring/testing): each model
 * call answers with the next of the given replies, in order, whatever was
 * asked — a deterministic stand-in for a real model. A mapping is sent as its
 * JSON; a string is sent as written, so tests can give what real models send
 * (JSON in a ``` fence, prose around JSON, plain text) and prove the engine
 * copes. Replies stream in deltas like the offline model's.
 */
import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3GenerateResult, LanguageModelV3StreamResult } from "@ai-sdk/provider";
import { generated, streamed } from "./offline";

export class ScriptedModel implements LanguageModelV3 {
  readonly specificationVersion = "v3";
  readonly provider = "heartrule";
  readonly modelId = "scripted";
  readonly supportedUrls = {};
  /** Model calls made so far. */
  calls = 0;
  /** A call found no reply left (the step that made it failed). */
  exhausted = false;

  constructor(private readonly replies: readonly (string | Record<string, unknown>)[]) {}

  /** Replies no call has asked for yet. */
  get unused(): number {
    return Math.max(0, this.replies.length - this.calls);
  }

  private next(): string {
    const reply = this.replies[this.calls];
    this.calls++;
    if (reply === undefined) {
      this.exhausted = true;
      throw new Error(`The scripted model has ${this.replies.length} replies; call ${this.calls} found none.`);
    }
    return typeof reply === "string" ? reply : JSON.stringify(reply);
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    return generated(options, this.next());
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    return streamed(options, this.next());
  }
}
