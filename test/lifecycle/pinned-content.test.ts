/**
 * What else a session pins besides its script: the prompt templates of its
 * template scheme and the project's globals. The offline model ignores prompt
 * text, so debug sessions show the prompts the model was given.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { body, call, json, person, type Person } from "../helpers";
import { actor, openSocket, say, settle, startSession } from "../session/helpers";
import { newProject, publishVersion, scriptYaml } from "../projects/fixtures";
import { globalsYaml, publishedProject, putFile, said, sessionInfo, wsTurn } from "./helpers";

/** An ai_say override that names itself; warnings (no safety section) are fine, errors are not. */
const template = (marker: string) =>
  `${marker}: tell the client {{topic_content}} (round {{current_round}} of {{max_rounds}}). Reply as JSON with "content", safety_risk and metadata.crisis_signal.`;

/** Words only the bundled ai_say template has. */
const BUNDLED = "Continue the conversation with your next line";

const styled = scriptYaml("styled", [{ say: "First line." }, { say: "Second line." }, { say: "Third line." }, { say: "Fourth line." }], {
  scheme: "gentle",
});

async function putTemplate(author: Person, projectId: string, content: string) {
  const written = await body(
    await call(`/api/projects/${projectId}/templates/gentle/ai_say`, { ...json({ content }, author.headers), method: "PUT" }),
    200,
  );
  expect(written.valid).toBe(true);
}

/** A project with the scheme `gentle` (its ai_say says `marker`), a `styled` script using it and a `plain` one, published as 1.0.0. */
async function schemeProject(marker: string) {
  const author = await person("author");
  const projectId = (await newProject(author)).id;
  await body(await call(`/api/projects/${projectId}/template-schemes`, json({ name: "gentle" }, author.headers)), 201);
  await putTemplate(author, projectId, template(marker));
  await putFile(author, projectId, "sessions/styled.yaml", styled);
  await putFile(author, projectId, "sessions/plain.yaml", scriptYaml("plain", [{ say: "Plain line." }]));
  await publishVersion(author, projectId, "1.0.0");
  return { author, projectId };
}

/** The ai_say prompts a turn's debug output shows, with the line each conveyed. */
const sayPrompts = (debug: { traces: { purpose: string; prompt: string; actionId: string }[] }) =>
  debug.traces.filter((t) => t.purpose === "ai_say").map((t) => t.prompt);

describe("a template scheme", () => {
  it("overrides the prompt in a running session, and later template edits and publishes do not reach it", async () => {
    const { author, projectId } = await schemeProject("GENTLE-ONE");

    const a = await startSession(author, { projectId, script: "styled", debug: true });
    expect(said(a.messages)).toEqual(["First line."]);
    const [opening] = sayPrompts(a.debug);
    expect(opening).toContain("GENTLE-ONE: tell the client First line. (round 1 of 1)");
    expect(opening).not.toContain(BUNDLED);

    // An edit not yet published.
    await putTemplate(author, projectId, template("GENTLE-TWO"));
    const second = sayPrompts((await say(author, a.sessionId, "ok")).debug);
    expect(second).toEqual([expect.stringContaining("GENTLE-ONE: tell the client Second line.")]);

    // Published: new sessions get it, the running one keeps its text (seen here in a debug frame).
    await publishVersion(author, projectId, "1.1.0");
    const socket = await openSocket(a.sessionId, author.token);
    const third = await wsTurn(socket, "ok", "styled-3", { debug: true });
    expect(said(third.messages)).toEqual(["Third line."]);
    expect(sayPrompts(third.debug)).toEqual([expect.stringContaining("GENTLE-ONE: tell the client Third line.")]);
    expect(sayPrompts(third.debug)[0]).not.toContain("GENTLE-TWO");
    socket.ws.close(1000);

    const b = await startSession(author, { projectId, script: "styled", debug: true });
    expect(sayPrompts(b.debug)).toEqual([expect.stringContaining("GENTLE-TWO: tell the client First line.")]);
    expect(await sessionInfo(author, b.sessionId)).toMatchObject({ versionNumber: "1.1.0" });

    // A script of the same project without the scheme keeps the bundled template.
    const plain = await startSession(author, { projectId, script: "plain", debug: true });
    expect(sayPrompts(plain.debug)).toEqual([expect.stringContaining(BUNDLED)]);
    expect(sayPrompts(plain.debug)[0]).not.toContain("GENTLE");
  });

  it("stays pinned after the Durable Object is evicted and after a rebuild from D1", async () => {
    const { author, projectId } = await schemeProject("GENTLE-ONE");
    const a = await startSession(author, { projectId, script: "styled", debug: true });
    await putTemplate(author, projectId, template("GENTLE-TWO"));
    await publishVersion(author, projectId, "1.1.0");

    await abortAllDurableObjects();
    expect(sayPrompts((await say(author, a.sessionId, "ok")).debug)).toEqual([expect.stringContaining("GENTLE-ONE: tell the client Second line.")]);

    await settle(a.sessionId);
    await runInDurableObject(actor(a.sessionId), async (_instance, state) => {
      await state.storage.deleteAlarm();
      await state.storage.deleteAll();
    });
    await abortAllDurableObjects();
    expect(sayPrompts((await say(author, a.sessionId, "ok")).debug)).toEqual([expect.stringContaining("GENTLE-ONE: tell the client Third line.")]);
  });
});

describe("globals", () => {
  it("are in the session's variables and its first message, and stay as they were when the session started", async () => {
    const { author, projectId } = await publishedProject({
      "globals.yaml": globalsYaml({ counselor_name: "Lin", clinic_city: "Oslo" }),
      // A client may set `referral` because the script declares it under `inputs:`.
      "sessions/welcome.yaml": scriptYaml("welcome", [
        { say: "Hello, I am {counselor_name} from {{clinic_city}}.", waits: false },
        { ask: "What should I call you?", into: "client_name" },
        { say: "${counselor_name} is glad to meet you, {client_name}." },
      ]).replace("  phases:\n", "  inputs:\n    - name: referral\n  phases:\n"),
    });
    const client = await person("client");
    const a = await startSession(client, { projectId, initialVariables: { referral: "self" } });
    expect(said(a.messages)).toEqual(["Hello, I am Lin from Oslo.", "What should I call you?"]);
    const variables = await body(await call(`/api/sessions/${a.sessionId}/variables`, { headers: client.headers }), 200);
    expect(variables.variables).toEqual({ counselor_name: "Lin", clinic_city: "Oslo", referral: "self" });
    expect(variables.scopes.global).toEqual({ counselor_name: "Lin", clinic_city: "Oslo" });
    expect(variables.scopes.session).toEqual({ referral: "self" });

    await putFile(author, projectId, "globals.yaml", globalsYaml({ counselor_name: "Kai", clinic_city: "Lima" }));
    await publishVersion(author, projectId, "1.1.0");
    expect(said((await say(client, a.sessionId, "Sam")).messages)).toEqual(["Lin is glad to meet you, Sam."]);
    const after = await body(await call(`/api/sessions/${a.sessionId}/variables`, { headers: client.headers }), 200);
    expect(after.scopes.global).toEqual({ counselor_name: "Lin", clinic_city: "Oslo" });

    const b = await startSession(await person("client"), { projectId });
    expect(said(b.messages)).toEqual(["Hello, I am Kai from Lima.", "What should I call you?"]);
  });
});
