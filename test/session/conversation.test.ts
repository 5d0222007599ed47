import { describe, expect, it } from "vitest";
import intake from "../../scripts/sessions/intake_en.yaml";
import { call, json } from "../helpers";
import { allMessages, INTAKE_ANSWERS, lastState, openSocket, person, readSse, say, startSession, transcript, type Person } from "./helpers";

async function overRest(who: Person): Promise<string> {
  const created = await startSession(who, { scriptYaml: intake });
  let last = created;
  for (const [i, answer] of INTAKE_ANSWERS.entries()) {
    last = await say(who, created.sessionId, answer, `rest-${i}`);
    expect(last.userMessage).toMatchObject({ role: "user", content: answer, clientMessageId: `rest-${i}` });
  }
  expect(last.status).toBe("completed");
  expect(last.sessionStatus).toBe("completed");
  return created.sessionId;
}

async function overSse(who: Person): Promise<{ sessionId: string; streamed: any[] }> {
  const created = await startSession(who, { scriptYaml: intake });
  const streamed: any[] = created.messages;
  for (const [i, answer] of INTAKE_ANSWERS.entries()) {
    const res = await call(
      `/api/sessions/${created.sessionId}/messages`,
      json({ content: answer, clientMessageId: `sse-${i}` }, { ...who.headers, accept: "text/event-stream" }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readSse(res, (evs) => evs.some((e) => e.event === "done" || e.event === "error"));
    const messages = events.filter((e) => e.event === "message").map(({ data: { type: _t, ...m } }) => m);
    // Every event has an id; a message's id is its seq.
    expect(events.every((e) => e.id !== undefined)).toBe(true);
    for (const e of events.filter((e) => e.event === "message")) expect(Number(e.id)).toBe(e.data.seq);
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    expect(done.data.messages).toEqual(messages.filter((m) => m.role === "assistant"));
    // Streamed text adds up to the final messages it announced.
    for (const m of done.data.messages) {
      const text = events
        .filter((e) => e.event === "delta" && e.data.messageId === m.id)
        .map((e) => e.data.text)
        .join("");
      expect(text).toBe(m.content);
    }
    streamed.push(...messages);
  }
  return { sessionId: created.sessionId, streamed };
}

async function overWebSocket(who: Person): Promise<{ sessionId: string; streamed: any[] }> {
  const created = await startSession(who, { scriptYaml: intake });
  const socket = await openSocket(created.sessionId, who.token);
  await socket.until((f) => lastState(f) !== undefined);
  expect(lastState(socket.frames)).toMatchObject({ status: "waiting_input", sessionStatus: "active", lastSeq: created.messages.length });
  for (const [i, answer] of INTAKE_ANSWERS.entries()) {
    const before = lastState(socket.frames).lastSeq;
    socket.send({ type: "user_message", content: answer, clientMessageId: `ws-${i}` });
    await socket.until((f) => lastState(f).lastSeq > before);
  }
  expect(lastState(socket.frames)).toMatchObject({ status: "completed", sessionStatus: "completed" });
  expect(socket.frames.some((f) => f.type === "delta")).toBe(true);
  expect(socket.frames.filter((f) => f.type === "error")).toEqual([]);
  socket.ws.close(1000, "bye");
  const streamed = [...created.messages, ...socket.frames.filter((f) => f.type === "message").map(({ type: _t, ...m }) => m)];
  return { sessionId: created.sessionId, streamed };
}

describe("a whole sample conversation", () => {
  it("gives the same transcript over REST, SSE and WebSocket, and each channel delivers exactly the log", async () => {
    const who = await person("author");
    const rest = await overRest(who);
    const sse = await overSse(who);
    const ws = await overWebSocket(who);

    const logs = await Promise.all([rest, sse.sessionId, ws.sessionId].map((id) => allMessages(who, id)));
    const [restLog, sseLog, wsLog] = logs.map(transcript);
    expect(restLog!.length).toBe(2 + INTAKE_ANSWERS.length + 7); // 7 AI lines after the answers: the last is the goodbye to the client's last line
    expect(restLog![0]).toEqual(["assistant", expect.stringMatching(/^Hello, and welcome/), "greet"]);
    expect(restLog!.filter(([role]) => role === "user").map(([, content]) => content)).toEqual(INTAKE_ANSWERS);
    expect(sseLog).toEqual(restLog);
    expect(wsLog).toEqual(restLog);

    // What streamed is exactly the log: every message once, in seq order.
    for (const [streamed, log] of [
      [sse.streamed, logs[1]!],
      [ws.streamed, logs[2]!],
    ] as const) {
      expect(streamed.map((m) => m.seq)).toEqual(log.map((m) => m.seq));
      expect(transcript(streamed)).toEqual(transcript(log));
    }
    expect(logs.every((log) => log.every((m, i) => m.seq === i + 1))).toBe(true);
  });

  it("answers the variables and the export with what the conversation gathered", async () => {
    const author = await person("author");
    const created = await startSession(author, { scriptYaml: intake });
    for (const answer of INTAKE_ANSWERS.slice(0, 2)) await say(author, created.sessionId, answer);
    const vars = (await (await call(`/api/sessions/${created.sessionId}/variables`, { headers: author.headers })).json()) as any;
    expect(vars.variables).toMatchObject({ client_name: "Sam", presenting_problem: "Work has been stressful" });
    expect(vars.scopes.session).toMatchObject({ client_name: "Sam" });

    const res = await call(`/api/sessions/${created.sessionId}/export`, { headers: author.headers });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain(created.sessionId);
    const exported = (await res.json()) as any;
    expect(exported.session).toMatchObject({ sessionId: created.sessionId, userId: author.id, status: "active", lastSeq: 6 });
    expect(transcript(exported.messages)).toEqual(transcript(await allMessages(author, created.sessionId)));
    expect(exported.variables).toEqual(vars);
    expect(exported.debug).toBeUndefined();
  });

  it("streams crisis flags to the client at once", async () => {
    const who = await person("author");
    const created = await startSession(who, { scriptYaml: intake });
    const socket = await openSocket(created.sessionId, who.token);
    socket.send({ type: "user_message", content: "Sometimes I want to kill myself", clientMessageId: "crisis-1" });
    await socket.until((f) => f.some((x) => x.type === "state" && x.lastSeq > 2));
    expect(socket.frames.find((f) => f.type === "safety")).toMatchObject({ crisis: true, source: "input" });
    const turn = await say(who, created.sessionId, "I still want to kill myself", "crisis-2");
    expect(turn.safety).toEqual(expect.arrayContaining([expect.objectContaining({ crisis: true })]));
  });
});
