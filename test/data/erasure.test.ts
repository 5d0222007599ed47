/** DELETE /api/users/{userId}/data: every session of the user, everywhere, with a receipt and audit rows; found without D1 too. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { body, call, expectProblem, person } from "../helpers";
import { say, settle } from "../session/helpers";
import { auditRows, d1Count, directoryOf, expectGone, projectWith, start } from "./helpers";

const eraseUser = (userId: string, who: { headers: Record<string, string> }) =>
  call(`/api/users/${encodeURIComponent(userId)}/data`, { method: "DELETE", headers: who.headers });

describe("DELETE /api/users/{userId}/data", () => {
  it("erases every session of the client who asks, even those whose D1 rows are gone, and returns a receipt", async () => {
    const { projectId } = await projectWith();
    const client = await person("client");
    const other = await person("client");
    const ids = [await start(client, projectId), await start(client, projectId), await start(client, projectId)];
    const kept = await start(other, projectId);
    await say(client, ids[0]!, "Sam");
    for (const id of [...ids, kept]) await settle(id);
    expect(await directoryOf(client.id)).toEqual([...ids].sort());

    // D1 lost two of them entirely (a restore to before they started): only the session directory still knows them.
    for (const id of ids.slice(1)) {
      await env.DB.batch([
        env.DB.prepare("DELETE FROM messages WHERE session_id = ?").bind(id),
        env.DB.prepare("DELETE FROM sessions WHERE id = ?").bind(id),
      ]);
    }

    const receipt = await body(await eraseUser(client.id, client), 200);
    expect(receipt).toMatchObject({ userId: client.id, pending: [], counts: { sessions: 3, messages: 4 + 2 + 2, pending: 0 } });
    expect(receipt.sessions.map((s: { sessionId: string }) => s.sessionId).sort()).toEqual([...ids].sort());
    expect(Date.parse(receipt.erasedAt)).not.toBeNaN();
    for (const id of ids) await expectGone(id, client.id);
    expect(await d1Count("messages", kept)).toBeGreaterThan(0);
    expect(await directoryOf(other.id)).toEqual([kept]);

    // One audit row per session and one for the request: ids, reason and counts, never a word that was said.
    for (const id of ids)
      expect(await auditRows(id)).toMatchObject([{ action: "session.erase", actor_id: client.id, actor_role: "client", detail: { reason: "user" } }]);
    const request = await auditRows(client.id);
    expect(request).toEqual([
      {
        actor_id: client.id,
        actor_role: "client",
        action: "user.erase",
        project_id: null,
        target: client.id,
        detail: { sessions: 3, messages: 8, pending: 0 },
      },
    ]);
    const { results } = await env.DB.prepare("SELECT detail FROM audit_events WHERE action IN ('session.erase', 'user.erase')").all<{
      detail: string;
    }>();
    expect(results.map((r) => r.detail).join(" ")).not.toMatch(/Sam|Welcome|check-in/);

    // Again: nothing left to erase.
    expect((await body(await eraseUser(client.id, client), 200)).counts).toEqual({ sessions: 0, messages: 0, pending: 0 });
  });

  it("finds sessions D1 knows that the directory does not, and admins may erase anyone", async () => {
    const { projectId } = await projectWith();
    const client = await person("client");
    const id = await start(client, projectId);
    await settle(id);
    // The directory entry is lost (a KV write that failed): D1 still lists the session.
    await env.CACHE.delete(`sessions:${encodeURIComponent(client.id)}/${id}`);
    const admin = await person("admin");
    const receipt = await body(await eraseUser(client.id, admin), 200);
    expect(receipt.sessions).toEqual([{ sessionId: id, messages: 2 }]);
    await expectGone(id, client.id);
    expect(await auditRows(id)).toMatchObject([{ action: "session.erase", actor_id: admin.id, actor_role: "admin", detail: { reason: "user" } }]);
  });

  it("refuses anyone but an admin another user's data, and changes nothing", async () => {
    const { projectId, author } = await projectWith();
    const client = await person("client");
    const id = await start(client, projectId);
    for (const who of [await person("client"), author, await person("counselor")]) {
      await expectProblem(await eraseUser(client.id, who), 403, "FORBIDDEN");
    }
    await expectProblem(await call(`/api/users/${client.id}/data`, { method: "DELETE" }), 401, "UNAUTHENTICATED");
    expect(await directoryOf(client.id)).toEqual([id]);
  });
});
