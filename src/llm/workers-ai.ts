/**
 * The Workers AI binding as workers-ai-provider sees it, minus one leak.
 *
 * workers-ai-provider 3.3 `console.warn`s every SSE event of a streamed reply
 * that is not JSON, with the event's text: model output, that is counseling
 * content, in the Worker's logs. The provider takes no logger, and a console
 * override would silence the whole isolate, so the binding's stream is
 * filtered before the provider reads it: a `data:` line that is not JSON is
 * dropped (the provider skips it anyway, after logging it), and a
 * metadata-only line says how many were dropped. Lines are split exactly as
 * the provider's own SSE decoder splits them, so everything else reaches it
 * byte for byte.
 */

import { log } from "../log";

/** The event data of an SSE line as the provider reads it, or null for a line that carries none. */
function eventData(line: string): string | null {
  const trimmed = line.trim();
  if (trimmed.startsWith("data: ")) return trimmed.slice(6);
  if (trimmed.startsWith("data:")) return trimmed.slice(5);
  return null;
}

function unreadable(line: string): boolean {
  const data = eventData(line);
  if (!data || data === "[DONE]") return false;
  try {
    JSON.parse(data);
    return false;
  } catch {
    return true;
  }
}

/** Drops the `data:` lines the provider could not parse; counts them, never shows them. */
export function unreadableEventsDropped(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = "";
  let dropped = 0;
  let droppedChars = 0;
  const keep = (line: string) => {
    if (!unreadable(line)) return true;
    dropped += 1;
    droppedChars += line.length;
    return false;
  };
  return new TransformStream({
    transform(chunk, controller) {
      buffer += decoder.decode(chunk, { stream: true });
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      const kept = lines.filter(keep);
      if (kept.length) controller.enqueue(encoder.encode(kept.map((l) => `${l}\n`).join("")));
    },
    flush(controller) {
      buffer += decoder.decode();
      if (buffer && keep(buffer)) controller.enqueue(encoder.encode(buffer));
      if (dropped) log({ level: "warn", msg: "workers-ai stream events not JSON, dropped", events: dropped, chars: droppedChars });
    },
  });
}

/** `ai` with every streamed reply of `run` passed through unreadableEventsDropped(); everything else untouched. */
export function withoutContentLogs(ai: Ai): Ai {
  const run = async (...args: unknown[]) => {
    const out: unknown = await (ai.run as (...a: unknown[]) => Promise<unknown>).apply(ai, args);
    return out instanceof ReadableStream ? out.pipeThrough(unreadableEventsDropped()) : out;
  };
  return new Proxy(ai, {
    get(target, prop) {
      if (prop === "run") return run;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
