/** GET /events as SSE: the messages after the client's Last-Event-ID, the session's state, then every frame live; a completed session's stream ends after the replay. */
import type { Role } from "../../http/auth";
import type { Loaded } from "../load/loader";
import type { SessionStorage } from "../storage/tables";
import { messageView } from "../views";
import type { Connections } from "./connections";
import { stateFrame } from "./frames";

export function streamEvents(p: { hub: Connections; store: SessionStorage }, s: Loaded, role: Role, lastEventId: number): ReadableStream<Uint8Array> {
  const channel = p.hub.openListener(role);
  for (const m of p.store.messages(lastEventId, s.lastSeq)) channel.send({ type: "message", ...messageView(m) }, m.seq);
  channel.send(stateFrame(s.meta, s.state.position, s.lastSeq), s.lastSeq);
  if (s.meta.status === "completed") channel.close();
  return channel.readable;
}
