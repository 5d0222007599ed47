/**
 * Helpers for the authoring → session lifecycle: a project edited and
 * published through the API, scripts whose every line names the version that
 * says it, and turns over REST, SSE or WebSocket.
 */
import { expect } from "vitest";
import { body, call, json, person, type Person } from "../helpers";
import { newProject, publishVersion, scriptYaml, type Line } from "../projects/fixtures";
import { lastState, readSse, type Socket } from "../session/helpers";

/** Every line names the version that says it, so a transcript shows which version spoke. */
const checkinLines = (tag: string): Line[] => [
  { say: `Welcome to the check-in of ${tag}.`, waits: false },
  { ask: `What should I call you? (${tag})`, into: "client_name" },
  { say: `Thank you, {client_name}. This is ${tag} speaking.` },
  { say: `Goodbye from ${tag}.` },
  { say: `Last words of ${tag}.` },
];
export const checkin = (tag: string) => scriptYaml("checkin", checkinLines(tag));

/** What each turn of the check-in says with `tag`'s words: the opening, then after each answer. */
export const checkinWords = (tag: string, name: string) => ({
  opening: [`Welcome to the check-in of ${tag}.`, `What should I call you? (${tag})`],
  afterName: [`Thank you, ${name}. This is ${tag} speaking.`],
  afterThanks: [`Goodbye from ${tag}.`],
  afterGoodbye: [`Last words of ${tag}.`],
});

/** Writes a workspace file by path: replaces it when it exists, adds it otherwise. Refuses content with errors. */
export async function putFile(author: Person, projectId: string, path: string, content: string): Promise<void> {
  const files = await body(await call(`/api/projects/${projectId}/files?limit=100`, { headers: author.headers }), 200);
  const existing = files.items.find((f: { path: string }) => f.path === path);
  const res = existing
    ? await call(`/api/projects/${projectId}/files/${existing.id}`, { ...json({ content }, author.headers), method: "PUT" })
    : await call(`/api/projects/${projectId}/files`, json({ path, content }, author.headers));
  const written = await body(res, existing ? 200 : 201);
  expect(written.diagnostics.filter((d: { severity: string }) => d.severity === "error")).toEqual([]);
}

/** globals.yaml giving every session of the project these variables. */
export function globalsYaml(variables: Record<string, string>): string {
  return [
    "variables:",
    ...Object.entries(variables).flatMap(([name, value]) => [`  - name: ${name}`, `    value: ${JSON.stringify(value)}`]),
    "",
  ].join("\n");
}

/** An author with a new project whose workspace holds `files` (hello_world removed), published as 1.0.0. */
export async function publishedProject(files: Record<string, string>, author?: Person) {
  const owner = author ?? (await person("author"));
  const projectId = (await newProject(owner)).id as string;
  const listed = await body(await call(`/api/projects/${projectId}/files?limit=100`, { headers: owner.headers }), 200);
  const hello = listed.items.find((f: { path: string }) => f.path === "sessions/hello_world.yaml");
  expect((await call(`/api/projects/${projectId}/files/${hello.id}`, { method: "DELETE", headers: owner.headers })).status).toBe(204);
  for (const [path, content] of Object.entries(files)) await putFile(owner, projectId, path, content);
  const version = await publishVersion(owner, projectId, "1.0.0");
  return { author: owner, projectId, version };
}

/** The contents of the AI's messages. */
export const said = (messages: { role?: string; content: string }[]) => messages.filter((m) => m.role !== "user").map((m) => m.content);

/** What `GET /api/sessions/:id` says the session runs. */
export async function sessionInfo(who: Person, sessionId: string) {
  return body(await call(`/api/sessions/${sessionId}`, { headers: who.headers }), 200);
}

/** One turn over SSE: the AI's messages from the `done` event. */
export async function sseTurn(who: Person, sessionId: string, content: string, clientMessageId: string) {
  const res = await call(`/api/sessions/${sessionId}/messages`, json({ content, clientMessageId }, { ...who.headers, accept: "text/event-stream" }));
  expect(res.status).toBe(200);
  const events = await readSse(res, (evs) => evs.some((e) => e.event === "done" || e.event === "error"));
  const done = events.at(-1)!;
  if (done.event !== "done") throw new Error(`turn failed: ${JSON.stringify(done.data)}`);
  return done.data;
}

/**
 * One turn over a WebSocket: sends the message and waits for the turn's
 * `state` frame (and its `debug` frame in debug sessions). Returns the
 * frames the turn produced.
 */
export async function wsTurn(socket: Socket, content: string, clientMessageId: string, options: { debug?: boolean } = {}) {
  await socket.until((f) => lastState(f) !== undefined);
  const from = socket.frames.length;
  const before = lastState(socket.frames).lastSeq;
  socket.send({ type: "user_message", content, clientMessageId });
  const turn = () => socket.frames.slice(from);
  await socket.until(() => {
    const error = turn().find((x) => x.type === "error");
    if (error) throw new Error(`turn failed: ${JSON.stringify(error)}`);
    return turn().some((x) => x.type === "state" && x.lastSeq > before) && (!options.debug || turn().some((x) => x.type === "debug"));
  });
  const frames = turn();
  return { frames, messages: frames.filter((x) => x.type === "message" && x.role === "assistant"), debug: frames.find((x) => x.type === "debug") };
}
