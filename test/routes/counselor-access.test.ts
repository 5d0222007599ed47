/**
 * Who may do what as a counselor, beyond the route matrix (access-matrix.test.ts walks the queue, its
 * feed and POST /counselor for no token, wrong role and other users): the queue and its feed answer
 * counselors and admins; a counselor opens only sessions that were flagged or queued (another
 * session is a 404, as for anyone who may not know it exists); only counselors take over, only the
 * holder speaks, and a client never receives a counselor's account or anything of the queue.
 */
import { describe, expect, it } from "vitest";
import { body, call, person } from "../helpers";
import { clientIntake, openSocket, publishedSamples, say, settle } from "../session/helpers";

const samples = publishedSamples();

async function feed(token: string) {
  const res = await call(`/api/counselor/queue/ws?token=${encodeURIComponent(token)}`, { headers: { Upgrade: "websocket" } });
  return res;
}

describe("the queue and its feed", () => {
  it("answer counselors and admins; the feed sends the queue on connecting and after each change", async () => {
    for (const role of ["counselor", "admin"] as const) {
      const who = await person(role);
      expect((await call("/api/counselor/queue", { headers: who.headers })).status).toBe(200);
    }
    const counselor = await person("counselor");
    const res = await feed(counselor.token);
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const frames: any[] = [];
    ws.addEventListener("message", (e) => frames.push(JSON.parse(e.data as string)));
    const { projectId } = await samples;
    const { owner, id } = await clientIntake(projectId);
    await say(owner, id, "I want to kill myself");
    await settle(id);
    const deadline = Date.now() + 5000;
    while (!frames.some((f) => f.items.some((i: any) => i.sessionId === id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(frames[0].type).toBe("queue");
    expect(frames.at(-1).items.find((i: any) => i.sessionId === id)).toMatchObject({ riskLevel: "high", status: "waiting" });
    ws.close();
  });

  it("refuse a client's and an author's token on the feed", async () => {
    for (const role of ["client", "author"] as const) {
      const res = await feed((await person(role)).token);
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([403, "FORBIDDEN"]);
    }
  });
});

describe("the session's socket with a counselor's token", () => {
  it("is a 404 for a session that was never flagged or queued", async () => {
    const { projectId } = await samples;
    const { id } = await clientIntake(projectId);
    const counselor = await person("counselor");
    const res = await call(`/api/sessions/${id}/ws?token=${encodeURIComponent(counselor.token)}`, { headers: { Upgrade: "websocket" } });
    expect(res.status).toBe(404);
  });

  it("takes over only for counselors, and lets only the holder speak; the client sees the name, never the account", async () => {
    const { projectId } = await samples;
    const { owner, id } = await clientIntake(projectId);
    await say(owner, id, "I want to kill myself");
    await settle(id);
    const client = await openSocket(id, owner.token);
    client.send({ type: "take_over", displayName: "Me" });
    client.send({ type: "counselor_message", content: "I am the counselor now" });
    await client.until((f) => f.filter((x) => x.type === "error").length === 2);
    expect(client.frames.filter((x) => x.type === "error").map((x) => x.code)).toEqual(["FORBIDDEN", "FORBIDDEN"]);

    const admin = await person("admin");
    const watching = await openSocket(id, admin.token);
    const counselor = await person("counselor");
    const desk = await openSocket(id, counselor.token);
    desk.send({ type: "counselor_message", content: "Before taking over" });
    await desk.until((f) => f.some((x) => x.type === "error"));
    expect(desk.frames.find((x) => x.type === "error").code).toBe("HANDOFF_NOT_HELD");
    desk.send({ type: "take_over", displayName: "Alex" });
    await client.until((f) => f.some((x) => x.type === "handoff" && x.status === "held"));
    // Only the holder (or the client) types; an admin who does not hold it is refused.
    watching.send({ type: "typing", on: true });
    await watching.until((f) => f.some((x) => x.type === "error"));
    expect(watching.frames.find((x) => x.type === "error").code).toBe("HANDOFF_NOT_HELD");
    expect(JSON.stringify(client.frames)).not.toContain(counselor.id);
    const messages = (await body(await call(`/api/sessions/${id}/messages?limit=200`, { headers: owner.headers }), 200)).items;
    expect(JSON.stringify(messages)).not.toContain(counselor.id);
  });

  it("lets a client ask for a counselor only in their own session", async () => {
    const { projectId } = await samples;
    const { id } = await clientIntake(projectId);
    const stranger = await person("client");
    expect((await call(`/api/sessions/${id}/counselor`, { method: "POST", headers: stranger.headers })).status).toBe(404);
    const admin = await person("admin");
    const res = await call(`/api/sessions/${id}/counselor`, { method: "POST", headers: admin.headers });
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([403, "FORBIDDEN"]);
  });
});
