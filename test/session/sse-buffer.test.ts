/**
 * The buffer of one SSE stream is capped (SSE_BUFFER_BYTES): a reader that stops reading is dropped (its stream
 * ends) once the frames waiting for it pass the cap, and resumes with Last-Event-ID where it was. Readers that read are not
 * dropped, and a replay is read from storage as the reader takes it, so a long log never fills the buffer.
 */
import { describe, expect, it } from "vitest";
import { streamEvents } from "../../src/session/live/events";
import { SSE_BUFFER_BYTES } from "../../src/session/protocol";
import { messageView } from "../../src/session/views";
import { parseSse, type SseEvent } from "./helpers";
import { logged, openSession, sseEvents, withParts } from "./parts";

const LINE = "x".repeat(16 * 1024);
/** Enough 16 KiB messages to pass the cap. */
const COUNT = Math.ceil(SSE_BUFFER_BYTES / LINE.length) + 4;

const seqsOf = (events: SseEvent[]) => events.filter((e) => e.event === "message").map((e) => e.data.seq as number);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("SSE stream buffers", () => {
  it("drop a reader that stopped reading once the cap is passed; it resumes with Last-Event-ID and loses nothing; a reader that reads stays", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      for (const seq of [1, 2, 3]) p.store.appendMessage(logged(seq));
      s.lastSeq = 3;
      const paused = streamEvents(p, s, "client", 0).getReader();
      const reading = sseEvents(streamEvents(p, s, "client", 0));

      // The paused reader takes the replay, then stops.
      let text = "";
      const decoder = new TextDecoder();
      while (!text.includes("event: state")) text += decoder.decode((await paused.read()).value);
      const beforePause = parseSse(text);

      const last = 3 + COUNT;
      for (let seq = 4; seq <= last; seq++) {
        const m = { ...logged(seq), content: LINE };
        p.store.appendMessage(m);
        s.lastSeq = seq;
        p.hub.publish({ type: "message", ...messageView(m) }, seq);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      // Dropped: the stream has ended, without the events it was behind on.
      const afterPause = await paused.read();

      // Back with the id of the last event it saw: a replay larger than the cap, read as it is taken.
      const lastEventId = Number(beforePause.at(-1)!.id);
      const resumed = sseEvents(streamEvents(p, s, "client", lastEventId));
      p.hub.endListeners();
      return { beforePause, afterPause, lastEventId, last, reading: await reading, resumed: await resumed };
    });
    expect(seqsOf(seen.beforePause)).toEqual([1, 2, 3]);
    expect(seen.afterPause).toEqual({ done: true, value: undefined });
    expect(seen.lastEventId).toBe(3);
    expect(seqsOf(seen.resumed)).toEqual(range(4, seen.last));
    expect(seen.resumed.at(-1)).toMatchObject({ event: "state", id: String(seen.last) });
    expect(seqsOf(seen.reading)).toEqual(range(1, seen.last));
  });

  it("end a turn's stream the same way when its reader stops reading", async () => {
    const seen = await withParts(async (p) => {
      const sink = p.hub.openTurnSink(1, "client");
      const reader = sink.readable.getReader();
      for (let i = 0; i < COUNT; i++) p.hub.publish({ type: "delta", messageId: "m", actionId: "a", text: LINE }, 0, 1);
      return reader.read();
    });
    expect(seen).toEqual({ done: true, value: undefined });
  });

  it("still deliver one event larger than the buffer to a reader that has taken everything before it", async () => {
    const seen = await withParts(async (p) => {
      const sink = p.hub.openTurnSink(1, "author");
      const events = sseEvents(sink.readable);
      await new Promise((resolve) => setTimeout(resolve, 0));
      p.hub.publish({ type: "delta", messageId: "m", actionId: "a", text: "x".repeat(SSE_BUFFER_BYTES + 1) }, 0, 1);
      sink.close();
      return (await events).map((e) => [e.event, e.data.text.length]);
    });
    expect(seen).toEqual([["delta", SSE_BUFFER_BYTES + 1]]);
  });
});
