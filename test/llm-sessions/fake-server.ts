/**
 * globalSetup of the `workers-llm` project: the fake OpenAI-compatible
 * server runs here, in Node, answering in the corpus's shapes; its URL
 * becomes the Worker's LLM_BASE_URL (vitest.config.ts) and tests choose the
 * shape with a control request (test/support/reply-corpus.ts, plan()).
 */
import type { TestProject } from "vitest/node";
import { startFakeOpenAI } from "../support/fake-openai";
import { corpusResponder } from "../support/reply-corpus";

declare module "vitest" {
  interface ProvidedContext {
    fakeOpenAIUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startFakeOpenAI(corpusResponder().respond);
  project.provide("fakeOpenAIUrl", server.url);
  return () => server.close();
}
