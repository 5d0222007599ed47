/**
 * The peer's model: a mock LanguageModelV3 (the AI SDK's own, from `ai/test`)
 * that streams a reply of `replyTokens` words, the first after `ttftMs`, the
 * rest `1000 / tokensPerSecond` ms apart: the bench's fake model as the
 * HeartRule streaming scenario meets it. With ttftMs 0 and no spacing it
 * answers at once, every part in one go, as HeartRule's offline model does.
 */
import type { LanguageModelV3StreamPart, LanguageModelV3Usage } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";

export interface FakeModelOptions {
  ttftMs: number;
  /** 0: no spacing between tokens. */
  tokensPerSecond: number;
  replyTokens: number;
}

const usage: LanguageModelV3Usage = {
  inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: undefined, text: undefined, reasoning: undefined },
};

export function fakeModel(options: FakeModelOptions): MockLanguageModelV3 {
  const gapMs = options.tokensPerSecond > 0 ? 1000 / options.tokensPerSecond : 0;
  const timed = options.ttftMs > 0 || gapMs > 0;
  return new MockLanguageModelV3({
    doStream: async () => {
      const words = Array.from({ length: options.replyTokens }, (_, i) => (i === 0 ? "Thanks" : ` word${i}`));
      const parts: LanguageModelV3StreamPart[] = [
        { type: "stream-start", warnings: [] },
        { type: "text-start", id: "0" },
        ...words.map((delta): LanguageModelV3StreamPart => ({ type: "text-delta", id: "0", delta })),
        { type: "text-end", id: "0" },
        { type: "finish", usage, finishReason: { unified: "stop", raw: "stop" } },
      ];
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        async start(controller) {
          if (!timed) {
            for (const p of parts) controller.enqueue(p);
            controller.close();
            return;
          }
          const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
          controller.enqueue(parts[0]!);
          controller.enqueue(parts[1]!);
          for (let i = 0; i < words.length; i++) {
            await sleep(i === 0 ? options.ttftMs : gapMs);
            controller.enqueue(parts[2 + i]!);
          }
          for (const p of parts.slice(2 + words.length)) controller.enqueue(p);
          controller.close();
        },
      });
      return { stream };
    },
  });
}
