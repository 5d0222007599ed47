/**
 * `heartrule chat --script FILE` with a model of its own (--llm-base-url):
 * the conversation runs in this process, no HeartRule server. The engine's
 * events become the same line changes the WebSocket client produces, so the
 * terminal printers stream, retract (a `reset` delta: a discarded model
 * attempt) and write each final line exactly as `heartrule chat` does
 * against a server.
 */
import { createInterface } from "node:readline";
import { start, step, type EngineEvent, type SessionScript, type StepResult } from "../engine";
import type { Line, LineChange } from "../web/client/conversation";
import type { Strings } from "../web/client/i18n";
import type { ChosenModel } from "./model-options";
import { modelHint } from "./model-options";
import { finalLinePrinter, streamingPrinter, type TranscriptPrinter } from "./transcript-printer";

const line = (messageId: string, content: string, state: Line["state"]): Line => ({
  key: messageId,
  role: "assistant",
  content,
  state,
  seq: null,
  messageId,
  clientMessageId: null,
  actionId: null,
});

/** Turns one step's engine events into line changes for the printer. */
function streamInto(printer: TranscriptPrinter): { emit(event: EngineEvent): void; fail(): void } {
  const streaming = new Map<string, string>();
  const apply = (change: LineChange) => printer.apply(change);
  return {
    emit(event) {
      if (event.type === "message.delta") {
        const before = streaming.get(event.messageId);
        if (event.reset && before !== undefined) apply({ kind: "removed", line: line(event.messageId, before, "streaming") });
        const text = (event.reset ? "" : (before ?? "")) + event.text;
        if (!text) return void streaming.delete(event.messageId);
        streaming.set(event.messageId, text);
        apply({ kind: before === undefined || event.reset ? "added" : "updated", line: line(event.messageId, text, "streaming") });
      } else if (event.type === "message") {
        const { id, content } = event.message;
        apply({ kind: streaming.has(id) ? "updated" : "added", line: line(id, content, "final") });
        streaming.delete(id);
      }
    },
    /** A failed step's events are void: what streamed is taken back. */
    fail() {
      for (const [id, text] of streaming) apply({ kind: "removed", line: line(id, text, "streaming") });
      streaming.clear();
    },
  };
}

export async function chatLocally(script: SessionScript, chosen: ChosenModel, t: Strings): Promise<number> {
  const out = (text: string) => process.stdout.write(text);
  const note = (text: string) => process.stderr.write(`${text}\n`);
  const printer = process.stdout.isTTY
    ? streamingPrinter(t.cliAssistant, out, () => process.stdout.columns || 80)
    : finalLinePrinter(t.cliAssistant, out);
  const echo = !process.stdin.isTTY;
  const input = createInterface({ input: process.stdin, terminal: false });
  const lines = input[Symbol.asyncIterator]();
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    input.close();
  };
  process.once("SIGINT", onInterrupt);

  let state = start(script);
  let answer: string | null = null;
  try {
    for (;;) {
      const events = streamInto(printer);
      const result: StepResult = await step(script, state, answer, { model: chosen.model, emit: events.emit });
      if (result.status === "completed") {
        note(t.cliCompleted);
        return 0;
      }
      if (result.error) {
        events.fail();
        const hint = modelHint(result.error, chosen.baseUrl);
        note(t.cliError(`${result.error.code}: ${result.error.message}${hint ? ` — ${hint}` : ""}`));
      } else state = result.state;
      // Read until there is something to send; /retry sends the failed answer again.
      let next: string | null | undefined;
      while (next === undefined) {
        out(t.cliPrompt);
        const read = await lines.next();
        if (read.done) {
          if (interrupted) return 130;
          note(t.cliInputEnded);
          return 2;
        }
        const text = read.value.trim();
        if (echo) out(`${text}\n`);
        if (text === "/quit") return 2;
        if (text === "/retry") next = result.error ? answer : undefined;
        else if (text) next = text;
      }
      answer = next;
    }
  } finally {
    process.off("SIGINT", onInterrupt);
    input.close();
  }
}
