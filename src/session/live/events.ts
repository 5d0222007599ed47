/** GET /events as SSE: the messages after the client's Last-Event-ID, the session's state, then every frame live; a completed session's stream ends after the replay. */
import type { Role } from "../../http/auth";
import type { Loaded } from "../load/loader";
import { sseEvent } from "../protocol";
import type { SessionStorage } from "../storage/tables";
import { messageView } from "../views";
import type { Connections } from "./connections";
import { stateFrame } from "./frames";

/** Messages read from storage per page of a replay. */
const REPLAY_PAGE = 50;

export function streamEvents(p: { hub: Connections; store: SessionStorage }, s: Loaded, role: Role, lastEventId: number): ReadableStream<Uint8Array> {
  const channel = p.hub.openListener(role, replay(p.store, s, lastEventId));
  if (s.meta.status === "completed") channel.close();
  return channel.readable;
}

/**
 * The log after `after` up to the seq the stream joined at, then the state then, read page by page as
 * the reader takes it: a long transcript is never held whole for a reader that does not read.
 */
function replay(store: SessionStorage, s: Loaded, after: number): Iterable<Uint8Array> {
  // Taken now: `s` moves on with the next turn, and those frames reach the stream live.
  const upTo = s.lastSeq;
  const state = sseEvent(stateFrame(s.meta, s.state.position, upTo), upTo);
  return (function* () {
    for (let from = after; ; ) {
      const page = store.messages(from, upTo, REPLAY_PAGE);
      for (const m of page) yield sseEvent({ type: "message", ...messageView(m) }, m.seq);
      if (page.length < REPLAY_PAGE) break;
      from = page[page.length - 1]!.seq;
    }
    yield state;
  })();
}
