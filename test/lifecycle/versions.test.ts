/**
 * The authoring lifecycle with real running sessions, through the HTTP API:
 * every session speaks the words of the version it started on, whatever is
 * edited, published, rolled back or evicted after it started.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { body, call, json, person } from "../helpers";
import { actor, allMessages, openSocket, say, settle, startSession } from "../session/helpers";
import { newProject, publishVersion } from "../projects/fixtures";
import { checkin, checkinWords, publishedProject, putFile, said, sessionInfo, sseTurn, wsTurn } from "./helpers";

describe("create → edit → publish 1.0.0 → session A → edit → publish 1.1.0 → session B", () => {
  it("A speaks 1.0.0's words to the end and B 1.1.0's, over REST, WebSocket and SSE", async () => {
    const author = await person("author");
    const projectId = (await newProject(author)).id;
    await putFile(author, projectId, "sessions/checkin.yaml", checkin("version one"));
    const v1 = await publishVersion(author, projectId, "1.0.0");

    const clientA = await person("client");
    const a = await startSession(clientA, { projectId, script: "checkin" });
    const one = checkinWords("version one", "Sam");
    expect(said(a.messages)).toEqual(one.opening);

    await putFile(author, projectId, "sessions/checkin.yaml", checkin("version two"));
    // An edit nobody published reaches no new session.
    const between = await startSession(await person("client"), { projectId, script: "checkin" });
    expect(said(between.messages)).toEqual(one.opening);
    const v2 = await publishVersion(author, projectId, "1.1.0");

    const clientB = await person("client");
    const b = await startSession(clientB, { projectId, script: "checkin" });
    const two = checkinWords("version two", "Kim");
    expect(said(b.messages)).toEqual(two.opening);

    // A, after 1.1.0 is out: REST, then WebSocket, then SSE.
    expect(said((await say(clientA, a.sessionId, "Sam")).messages)).toEqual(one.afterName);
    const socketA = await openSocket(a.sessionId, clientA.token);
    expect(said((await wsTurn(socketA, "ok", "a-2")).messages)).toEqual(one.afterThanks);
    expect(said((await sseTurn(clientA, a.sessionId, "fine", "a-3")).messages)).toEqual(one.afterGoodbye);

    // B: WebSocket, SSE, then REST.
    const socketB = await openSocket(b.sessionId, clientB.token);
    expect(said((await wsTurn(socketB, "Kim", "b-1")).messages)).toEqual(two.afterName);
    expect(said((await sseTurn(clientB, b.sessionId, "ok", "b-2")).messages)).toEqual(two.afterThanks);
    expect(said((await say(clientB, b.sessionId, "fine")).messages)).toEqual(two.afterGoodbye);

    const infoA = await sessionInfo(clientA, a.sessionId);
    const infoB = await sessionInfo(clientB, b.sessionId);
    expect(infoA).toMatchObject({ projectId, versionId: v1.id, versionNumber: "1.0.0", scriptPath: "sessions/checkin.yaml", scriptId: "checkin" });
    expect(infoB).toMatchObject({ projectId, versionId: v2.id, versionNumber: "1.1.0", scriptPath: "sessions/checkin.yaml" });
    expect(infoA.scriptHash).not.toBe(infoB.scriptHash);

    // The whole logs: A never heard version two, B never version one.
    const logA = said(await allMessages(clientA, a.sessionId));
    const logB = said(await allMessages(clientB, b.sessionId));
    expect(logA).toEqual([...one.opening, ...one.afterName, ...one.afterThanks, ...one.afterGoodbye]);
    expect(logB).toEqual([...two.opening, ...two.afterName, ...two.afterThanks, ...two.afterGoodbye]);
    socketA.ws.close(1000);
    socketB.ws.close(1000);
  });
});

describe("rollback", () => {
  it("leaves a running session its content and gives new sessions the restored words", async () => {
    const { author, projectId, version: v1 } = await publishedProject({ "sessions/checkin.yaml": checkin("version one") });
    await putFile(author, projectId, "sessions/checkin.yaml", checkin("version two"));
    await publishVersion(author, projectId, "1.1.0");

    const clientX = await person("client");
    const x = await startSession(clientX, { projectId });
    expect(said(x.messages)).toEqual(checkinWords("version two", "Sam").opening);

    const rolled = await body(await call(`/api/projects/${projectId}/rollback`, json({ targetVersionId: v1.id }, author.headers)), 201);
    expect(rolled).toMatchObject({ versionNumber: "1.1.1", isRollback: true, rollbackFromVersionId: v1.id });

    const clientY = await person("client");
    const y = await startSession(clientY, { projectId });
    expect(said(y.messages)).toEqual(checkinWords("version one", "Ann").opening);
    expect(await sessionInfo(clientY, y.sessionId)).toMatchObject({ versionId: rolled.id, versionNumber: "1.1.1" });

    expect(said((await say(clientX, x.sessionId, "Sam")).messages)).toEqual(checkinWords("version two", "Sam").afterName);
    expect(said((await say(clientY, y.sessionId, "Ann")).messages)).toEqual(checkinWords("version one", "Ann").afterName);
    expect(await sessionInfo(clientX, x.sessionId)).toMatchObject({ versionNumber: "1.1.0" });
  });
});

describe("eviction", () => {
  it("keeps a session on its version after the Durable Object is evicted, a publish in between, and a rebuild from D1", async () => {
    const { author, projectId, version: v1 } = await publishedProject({ "sessions/checkin.yaml": checkin("version one") });
    const client = await person("client");
    const a = await startSession(client, { projectId });
    const one = checkinWords("version one", "Sam");
    expect(said((await say(client, a.sessionId, "Sam")).messages)).toEqual(one.afterName);
    const pinned = (await sessionInfo(client, a.sessionId)).scriptHash;

    await abortAllDurableObjects();
    await putFile(author, projectId, "sessions/checkin.yaml", checkin("version two"));
    await publishVersion(author, projectId, "1.1.0");
    expect(said((await say(client, a.sessionId, "ok")).messages)).toEqual(one.afterThanks);

    // The actor's own storage is lost: it rebuilds from its D1 mirror, which pinned the same script text.
    await settle(a.sessionId);
    await runInDurableObject(actor(a.sessionId), async (_instance, state) => {
      await state.storage.deleteAlarm();
      await state.storage.deleteAll();
    });
    await abortAllDurableObjects();
    await putFile(author, projectId, "sessions/checkin.yaml", checkin("version three"));
    await publishVersion(author, projectId, "1.2.0");

    expect(said((await say(client, a.sessionId, "fine")).messages)).toEqual(one.afterGoodbye);
    expect(await sessionInfo(client, a.sessionId)).toMatchObject({ versionId: v1.id, versionNumber: "1.0.0", scriptHash: pinned });
    const fresh = await startSession(await person("client"), { projectId });
    expect(said(fresh.messages)).toEqual(checkinWords("version three", "Sam").opening);
  });
});
