/** What the read routes answer, from the loaded session and its log. */
import type { Role } from "../../http/user";
import { seesDebug } from "../live/connections";
import type { MessagePage } from "../rpc";
import type { SessionExport } from "../schemas";
import type { SessionStorage } from "../storage/tables";
import { infoView, iso, messageView, safetyRecordView, variablesView } from "../views";
import type { Loaded } from "./loader";

/** Messages after seq `after`, oldest first. */
export function messagePage(store: SessionStorage, s: Loaded, page: { after: number; limit: number }): MessagePage {
  const rows = store.messages(page.after, s.lastSeq, page.limit + 1);
  const items = rows.slice(0, page.limit).map(messageView);
  const last = items[items.length - 1];
  return { items, nextAfter: rows.length > page.limit && last ? last.seq : null };
}

/** The whole session with its safety log; a debug session's traces only for authors and admins. */
export function sessionExport(store: SessionStorage, s: Loaded, role: Role, now = Date.now()): SessionExport {
  const debug = s.meta.debug && seesDebug(role) ? store.allDebug().map(({ turn, traces }) => ({ turn, traces })) : undefined;
  return {
    session: infoView(s.meta, s.state.position, s.lastSeq),
    messages: store.messages(0).map(messageView),
    variables: variablesView(s.state),
    safety: store.safetyLog().map(safetyRecordView),
    exportedAt: iso(now),
    ...(debug ? { debug } : {}),
  };
}
