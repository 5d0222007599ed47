/** The idle lifecycle's step when the alarm finds it due: the status is stored, queued for D1 and told to every connection. */
import type { SessionStatus } from "../../store/schema/sessions";
import type { Connections } from "../live/connections";
import { stateFrame } from "../live/frames";
import type { Loaded } from "../load/loader";
import type { Mirror } from "../mirror/outbox";
import { idled } from "../storage/meta";
import type { SessionStorage } from "../storage/tables";
import { log } from "../../log";

export function goIdle(p: { store: SessionStorage; mirror: Mirror; hub: Connections }, s: Loaded, status: SessionStatus, now = Date.now()): void {
  const meta = idled(s.meta, status, now);
  p.mirror.commit(() => {
    p.store.writeStatus(meta);
    p.store.addOutbox(null, [], now);
  });
  s.meta = meta;
  log({ level: "info", msg: "session idle", sessionId: meta.sessionId, status });
  p.hub.publish(stateFrame(meta, s.state.position, s.lastSeq), s.lastSeq);
}
