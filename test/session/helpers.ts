/** Helpers for session tests: people with tokens, turns over REST, SSE and WebSocket, the actor and its D1 mirror. */
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { createOfflineModel } from "../../src/llm/offline";
import type { SessionActor } from "../../src/session/actor";
import { SessionStorage } from "../../src/session/storage/tables";
import { body, call, json, person, type Person } from "../helpers";

/** The session tests import these from here; they live in test/helpers.ts for every test. */
export { body, person, type Person };

/** The English intake sample, answered to the end: each answer is one turn. */
export const INTAKE_ANSWERS = ["Sam", "Work has been stressful", "6", "Badly, I wake up at night", "Sleep better and worry less", "Thank you"];

/** A one-line script of its own, so cache and blob assertions see only this test's session. */
export function tinyScript(sessionId: string, lines = ["Hello.", "How are you?"]): string {
  return [
    "session:",
    `  session_id: ${sessionId}`,
    "  language: en",
    "  phases:",
    "    - phase_id: p1",
    "      topics:",
    "        - topic_id: t1",
    "          actions:",
    ...lines.flatMap((line, i) => [
      "            - action_type: ai_say",
      `              action_id: say_${i + 1}`,
      "              config:",
      `                content: ${JSON.stringify(line)}`,
      "                max_rounds: 1",
    ]),
    "",
  ].join("\n");
}

/** A project built from the sample scripts and published as 1.0.0 by a fresh author: what clients start sessions from. */
export async function publishedSamples(): Promise<{ author: Person; projectId: string; versionId: string }> {
  const author = await person("author");
  const project = await body(
    await call("/api/projects", json({ projectName: `Samples of ${author.id}`, language: "en", template: "sample" }, author.headers)),
    201,
  );
  const version = await body(await call(`/api/projects/${project.id}/publish`, json({ versionNumber: "1.0.0" }, author.headers)), 201);
  return { author, projectId: project.id, versionId: version.id };
}

/** A client's own session of the English intake, from a published project. */
export async function clientIntake(projectId: string, client?: Person) {
  const owner = client ?? (await person("client"));
  const created = await startSession(owner, { projectId, script: "intake_en" });
  return { owner, id: created.sessionId as string, created };
}

export async function startSession(who: Person, payload: Record<string, unknown>) {
  return body(await call("/api/sessions", json(payload, who.headers)), 201);
}

export function sendMessage(who: Person, sessionId: string, content: string, clientMessageId?: string, headers: Record<string, string> = {}) {
  return call(
    `/api/sessions/${sessionId}/messages`,
    json({ content, ...(clientMessageId ? { clientMessageId } : {}) }, { ...who.headers, ...headers }),
  );
}

export async function say(who: Person, sessionId: string, content: string, clientMessageId?: string) {
  return body(await sendMessage(who, sessionId, content, clientMessageId), 200);
}

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: any;
}

export function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .map((block) => block.split("\n").filter((l) => l && !l.startsWith(":") && !l.startsWith("retry:")))
    .filter((lines) => lines.length > 0)
    .map((lines) => {
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      return { id: field("id"), event: field("event") ?? "message", data: JSON.parse(field("data") ?? "null") };
    });
}

/** Reads an SSE body until `done` says enough, then lets go of it. */
export async function readSse(res: Response, done: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
    if (done(parseSse(text.slice(0, text.lastIndexOf("\n\n") + 2)))) break;
  }
  await reader.cancel().catch(() => undefined);
  return parseSse(text.slice(0, text.lastIndexOf("\n\n") + 2));
}

export interface Socket {
  ws: WebSocket;
  frames: any[];
  send(frame: unknown): void;
  /** Waits (up to 5 s) until `test` holds for the frames received so far. */
  until(test: (frames: any[]) => boolean): Promise<void>;
}

export async function openSocket(sessionId: string, token: string): Promise<Socket> {
  const res = await call(`/api/sessions/${sessionId}/ws?token=${encodeURIComponent(token)}`, { headers: { Upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const frames: any[] = [];
  let wake: () => void = () => undefined;
  ws.addEventListener("message", (e) => {
    frames.push(JSON.parse(e.data as string));
    wake();
  });
  return {
    ws,
    frames,
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    async until(test) {
      const deadline = Date.now() + 5000;
      while (!test(frames)) {
        if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(frames.map((f) => f.type))}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

/** The newest `state` frame's lastSeq. */
export const lastState = (frames: any[]) => frames.filter((f) => f.type === "state").at(-1);

export function actor(sessionId: string) {
  return env.SESSION_ACTOR.get(env.SESSION_ACTOR.idFromName(sessionId));
}

/** Waits until the actor has no turn running and has sent (or failed to send) its D1 batch. */
export function settle(sessionId: string): Promise<void> {
  return runInDurableObject(actor(sessionId), (instance: SessionActor) => instance.settled());
}

export async function allMessages(who: Person, sessionId: string) {
  return (await body(await call(`/api/sessions/${sessionId}/messages?limit=200`, { headers: who.headers }), 200)).items as any[];
}

/** What a reader sees of a conversation: who said what, at which action. */
export const transcript = (messages: { role: string; content: string; actionId: string | null }[]) =>
  messages.map((m) => [m.role, m.content, m.actionId]);

export async function d1Messages(sessionId: string) {
  const { results } = await env.DB.prepare(
    "SELECT seq, id, role, content, action_id, client_message_id FROM messages WHERE session_id = ? ORDER BY seq",
  )
    .bind(sessionId)
    .all<{ seq: number; id: string; role: string; content: string; action_id: string | null; client_message_id: string | null }>();
  return results;
}

export async function d1Session(sessionId: string) {
  return env.DB.prepare("SELECT * FROM sessions WHERE id = ?").bind(sessionId).first<Record<string, any>>();
}

/** The actor's log in the shape of d1Messages. */
export async function actorLog(who: Person, sessionId: string) {
  return (await allMessages(who, sessionId)).map((m) => ({
    seq: m.seq,
    id: m.id,
    role: m.role,
    content: m.content,
    action_id: m.actionId,
    client_message_id: m.clientMessageId,
  }));
}

/** Gives the actor the offline model's answers, with every call awaiting `before()` first (a gate, a counter). */
export async function offlineModelWith(sessionId: string, before: () => unknown): Promise<void> {
  await runInDurableObject(actor(sessionId), (instance: SessionActor) => {
    const offline = createOfflineModel();
    const wrapped: LanguageModelV3 = {
      specificationVersion: offline.specificationVersion,
      provider: offline.provider,
      modelId: offline.modelId,
      supportedUrls: offline.supportedUrls,
      doGenerate: async (options) => (await before(), offline.doGenerate(options)),
      doStream: async (options) => (await before(), offline.doStream(options)),
    };
    instance.useModel(wrapped);
  });
}

/**
 * Holds the actor's model until `release()`: the offline model's answers, but every call
 * waits for the gate first, so a test can line up input behind a running turn.
 */
export async function holdModel(sessionId: string): Promise<{ release: () => void }> {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await offlineModelWith(sessionId, () => gate);
  return { release: () => release() };
}

/**
 * A model that starts its reply with `text` and then breaks off, as a provider cut off mid-reply does:
 * its stream fails ("fails") or never goes on ("hangs").
 */
export function breaksOffMidReply(text: string, then: "fails" | "hangs"): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    doStream: async () => ({
      stream: new ReadableStream({
        start(controller) {
          controller.enqueue({ type: "stream-start", warnings: [] });
          controller.enqueue({ type: "text-start", id: "t" });
          controller.enqueue({ type: "text-delta", id: "t", delta: `{"EXIT": false, "content": "${text}` });
          if (then === "hangs") return;
          controller.enqueue({ type: "error", error: new Error("connection reset") });
          controller.close();
        },
      }),
    }),
  });
}

/** A model whose calls never answer: the turn waits on it until its activation ends. */
export const neverAnswers = () => new MockLanguageModelV3({ doStream: () => new Promise(() => undefined) });

/** The actor's turns for these clientMessageIds, in the order it queued them, with their status. */
export function queuedTurns(sessionId: string, clientMessageIds: string[]) {
  return runInDurableObject(actor(sessionId), (_instance: SessionActor, state) => {
    const store = new SessionStorage(state.storage);
    return clientMessageIds
      .map((cmid) => store.turnByClientId(cmid))
      .filter((t) => t !== null)
      .map((t) => ({ id: t.id, clientMessageId: t.clientMessageId, status: t.status }));
  });
}

/** Polls until `test` holds (the actor's work is asynchronous to the test). */
export async function eventually<T>(read: () => Promise<T>, test: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (test(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A session's rows of one D1 safety table (safety_flags, crisis_referrals, guard_actions, crisis_confirmations), by turn. */
export async function d1Records(table: string, sessionId: string) {
  const { results } = await env.DB.prepare(`SELECT * FROM ${table} WHERE session_id = ? ORDER BY turn, created_at, id`)
    .bind(sessionId)
    .all<Record<string, any>>();
  return results;
}

/**
 * A safety record reaches D1 exactly once: D1 refuses the batch of the turn `turn` runs (its `table` is
 * renamed away meanwhile), so the record is committed with the turn and waits in the outbox; the retry the
 * failed batch scheduled runs in a fresh activation after an eviction and brings it; an activation that dies
 * before it records the delivery makes the next one send it again, and D1 still holds the same rows. Returns them.
 */
export async function deliveredOnceAcrossEviction(sessionId: string, table: string, turn: () => Promise<unknown>) {
  await settle(sessionId);
  const before = await d1Records(table, sessionId);
  await env.DB.exec(`ALTER TABLE ${table} RENAME TO ${table}_away`);
  try {
    await turn();
    await settle(sessionId);
  } finally {
    await env.DB.exec(`ALTER TABLE ${table}_away RENAME TO ${table}`);
  }
  expect(await d1Records(table, sessionId)).toEqual(before);
  await evictDurableObject(actor(sessionId));
  expect(await runDurableObjectAlarm(actor(sessionId))).toBe(true);
  const delivered = await d1Records(table, sessionId);
  expect(delivered.length).toBeGreaterThan(before.length);

  await abortAllDurableObjects();
  expect(await runDurableObjectAlarm(actor(sessionId))).toBe(true);
  await settle(sessionId);
  expect(await d1Records(table, sessionId)).toEqual(delivered);
  const outbox = await runInDurableObject(
    actor(sessionId),
    (_i: SessionActor, state) => state.storage.sql.exec("SELECT count(*) AS n FROM outbox").one().n,
  );
  expect(outbox).toBe(0);
  return delivered;
}

/** The safety report's count `column` for this month (UTC), over every locale or only `locale`. */
export async function reportedThisMonth(column: string, locale?: string): Promise<number> {
  const admin = await person("admin");
  const month = new Date().toISOString().slice(0, 7);
  const report = await body(await call(`/api/admin/safety/report?from=${month}&to=${month}`, { headers: admin.headers }), 200);
  return report.rows.filter((row: any) => locale === undefined || row.locale === locale).reduce((n: number, row: any) => n + row[column], 0);
}
