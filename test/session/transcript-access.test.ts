/**
 * Who reads, exports and watches a session's transcript: its client, the authors of the project it runs, admins;
 * an inline debug session only its author (and admins). Everyone else gets the 404 a missing session gets.
 */
import { describe, expect, it } from "vitest";
import { call, expectProblem } from "../helpers";
import { body, clientIntake, person, publishedSamples, readSse, startSession, tinyScript, type Person } from "./helpers";

/** A response's status, and the problem's code and detail when it is not `ok`. */
async function answer(res: Response, ok: number): Promise<{ status: number; code?: unknown; detail?: unknown }> {
  if (res.status === ok) return { status: ok };
  const { code, detail } = (await res.json()) as { code: unknown; detail: unknown };
  return { status: res.status, code, detail };
}

/** What each way of reading a session answers `who`. */
async function reach(who: Person, id: string) {
  const answers: Record<string, { status: number; code?: unknown; detail?: unknown }> = {};
  for (const [name, path] of [
    ["read", ""],
    ["messages", "/messages"],
    ["variables", "/variables"],
    ["export", "/export"],
    ["events", "/events"],
  ] as const) {
    const res = await call(`/api/sessions/${id}${path}`, { headers: who.headers });
    if (res.status === 200 && name === "events") {
      // Watching: the stream starts with the session's state.
      const events = await readSse(res, (evs) => evs.some((e) => e.event === "state"));
      expect(events.at(-1)?.event).toBe("state");
    } else if (res.status === 200) await res.body?.cancel();
    answers[name] = await answer(res, 200);
  }
  const ws = await call(`/api/sessions/${id}/ws?token=${encodeURIComponent(who.token)}`, { headers: { Upgrade: "websocket" } });
  ws.webSocket?.accept();
  ws.webSocket?.close(1000, "done");
  answers.watch = await answer(ws, 101);
  return answers;
}

const allowed = { read: 200, messages: 200, variables: 200, export: 200, events: 200, watch: 101 };
const statuses = (answers: Record<string, { status: number }>) => Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, v.status]));

describe("who reads a session's transcript", () => {
  it("a project session: its client, the project's author and admins; another author and another client get a missing session's 404", async () => {
    const { author, projectId } = await publishedSamples();
    const { owner, id } = await clientIntake(projectId);
    const [otherAuthor, otherClient, admin] = await Promise.all([person("author"), person("client"), person("admin")]);

    for (const reader of [owner, author, admin]) expect([reader.role, statuses(await reach(reader, id))]).toEqual([reader.role, allowed]);

    // The answer an outsider gets is the answer for an id that names no session: nothing tells them it exists.
    const missing = await reach(otherAuthor, crypto.randomUUID());
    for (const outsider of [otherAuthor, otherClient]) {
      const answers = await reach(outsider, id);
      for (const [name, answer] of Object.entries(answers)) {
        expect([outsider.role, name, answer]).toEqual([outsider.role, name, { status: 404, code: "NOT_FOUND", detail: missing[name]!.detail }]);
      }
    }
  });

  it("an inline debug session: only the author who ran it and admins", async () => {
    const runner = await person("author");
    const { sessionId } = await startSession(runner, { scriptYaml: tinyScript("inline_access"), debug: true });
    expect(statuses(await reach(runner, sessionId))).toEqual(allowed);
    expect(statuses(await reach(await person("admin"), sessionId))).toEqual(allowed);
    expect(Object.values(statuses(await reach(await person("author"), sessionId)))).toEqual(Object.values(allowed).map(() => 404));
  });

  it("the project's author reads but does not speak or delete; an outside author cannot tell the session from a missing one there either", async () => {
    const { author, projectId } = await publishedSamples();
    const { id } = await clientIntake(projectId);
    const outsider = await person("author");
    const speak = (who: Person) =>
      call(`/api/sessions/${id}/messages`, {
        method: "POST",
        headers: { ...who.headers, "content-type": "application/json" },
        body: '{"content":"hi"}',
      });
    const remove = (who: Person) => call(`/api/sessions/${id}`, { method: "DELETE", headers: who.headers });
    await expectProblem(await speak(author), 403, "FORBIDDEN");
    await expectProblem(await remove(author), 403, "FORBIDDEN");
    await expectProblem(await speak(outsider), 404, "NOT_FOUND");
    await expectProblem(await remove(outsider), 404, "NOT_FOUND");
    expect((await body(await call(`/api/sessions/${id}/messages`, { headers: author.headers }), 200)).items).toHaveLength(2);
  });

  it("the list shows each caller only the sessions they are the client of", async () => {
    const { author, projectId } = await publishedSamples();
    const { owner, id } = await clientIntake(projectId);
    const listed = async (who: Person) => (await body(await call("/api/sessions", { headers: who.headers }), 200)).items.map((s: any) => s.sessionId);
    expect(await listed(owner)).toEqual([id]);
    expect(await listed(author)).not.toContain(id);
    expect(await listed(await person("admin"))).not.toContain(id);
  });
});
