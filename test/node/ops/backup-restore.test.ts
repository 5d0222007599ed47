/**
 * The restore drill, end to end on `npm run dev` state directories: sessions
 * and the sample project on one dev server, `npm run backup` of its state
 * while it runs, `npm run restore` into a fresh state directory, a second dev
 * server on that directory. There the Durable Objects' own storage is empty,
 * so each session rebuilds itself from the restored D1 rows
 * (src/session/load/rebuild.ts): its transcript is the one backed up, a
 * retried message is answered from the restored log, and the conversation
 * continues to its end with the lines the engine gives in process. The
 * published pointer restored into KV starts new sessions on the same version.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readManifest } from "../../../scripts/backup-file";
import { repoRoot, startDevServer, type DevServer } from "../../e2e/dev-server";
import { expectedConversation, sampleAnswers, sampleYaml } from "../../e2e/expected";

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "heartrule-restore-drill-"));
const servers: DevServer[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(work, { recursive: true, force: true });
});

async function npm(script: string, args: string[]): Promise<string> {
  const { stdout } = await run("npm", ["run", "--silent", script, "--", ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: "1" },
    maxBuffer: 64 << 20,
  });
  return stdout;
}

async function api(server: DevServer, path: string, token: string, body?: unknown): Promise<any> {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

async function tokenFor(server: DevServer, userId: string): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/dev-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, role: "client" }),
  });
  return ((await res.json()) as { token: string }).token;
}

const say = (server: DevServer, token: string, id: string, content: string, clientMessageId: string) =>
  api(server, `/api/sessions/${id}/messages`, token, { content, clientMessageId });

const transcript = async (server: DevServer, token: string, id: string) =>
  ((await api(server, `/api/sessions/${id}/messages?limit=100`, token)).items as any[]).map((m) => [m.seq, m.role, m.content]);

/** The D1 mirror is written after each turn's commit: wait until the list (read from D1) shows every message. */
async function mirrored(server: DevServer, token: string, lastSeqs: Record<string, number>): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const items = (await api(server, "/api/sessions", token)).items as { sessionId: string; lastSeq: number }[];
    if (Object.entries(lastSeqs).every(([id, seq]) => items.find((s) => s.sessionId === id)?.lastSeq === seq)) return;
    if (Date.now() > deadline) throw new Error(`the D1 mirror did not catch up: ${JSON.stringify(items)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("backup → restore into a fresh state directory → sessions rebuild and continue", () => {
  it("restores every row and pointer, and a restored session runs to completion", async () => {
    const expected = await expectedConversation(sampleYaml("en"), sampleAnswers);
    const timings: Record<string, number> = {};
    const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      try {
        return await f();
      } finally {
        timings[name] = Date.now() - started;
      }
    };

    // 1. A dev server with two clients' sessions: one halfway, one finished.
    const source = await timed("start source server", () => startDevServer({ persistTo: join(work, "source") }));
    servers.push(source);
    const alice = await tokenFor(source, "drill-alice");
    const bob = await tokenFor(source, "drill-bob");
    const [sample] = (await api(source, "/api/projects/published", alice)).items as { projectId: string; versionId: string; path: string }[];
    const start = (token: string) => api(source, "/api/sessions", token, { projectId: sample!.projectId, script: "sessions/intake_en.yaml" });

    const half = (await start(alice)).sessionId as string;
    await say(source, alice, half, sampleAnswers[0]!, "half-1");
    const second = await say(source, alice, half, sampleAnswers[1]!, "half-2");
    const done = (await start(bob)).sessionId as string;
    let last: any;
    for (const [i, answer] of sampleAnswers.slice(0, expected.answersUsed).entries()) last = await say(source, bob, done, answer, `done-${i}`);
    expect(last.sessionStatus).toBe("completed");

    const halfBefore = await transcript(source, alice, half);
    const doneBefore = await transcript(source, bob, done);
    await mirrored(source, alice, { [half]: halfBefore.at(-1)![0] });
    await mirrored(source, bob, { [done]: doneBefore.at(-1)![0] });

    // 2. Backup while the server runs, as an operator would; then the source is gone.
    const file = join(work, "backup.sql");
    await timed("backup", () => npm("backup", ["--persist-to", join(work, "source"), "--output", file]));
    await source.stop();
    rmSync(join(work, "source"), { recursive: true, force: true });

    const manifest = readManifest(readFileSync(file, "utf8"));
    expect(manifest.tables).toMatchObject({ sessions: 2, messages: halfBefore.length + doneBefore.length, projects: 1 });
    expect(manifest.kv).toEqual([
      { key: `pub:${sample!.projectId}`, value: expect.stringContaining(sample!.versionId), expiration_ttl: expect.any(Number) },
    ]);

    // 3. Restore into a state directory nothing has used, and serve it.
    const restoredDir = join(work, "restored");
    const restored = await timed("restore", () => npm("restore", ["--persist-to", restoredDir, "--file", file]));
    expect(restored).toMatch(/Restored .*sessions 2/);
    // A restore never merges: the same file again into the now filled database is refused.
    await expect(npm("restore", ["--persist-to", restoredDir, "--file", file])).rejects.toThrow(/already has rows \(.*sessions 2/);
    const target = await timed("start restored server", () => startDevServer({ persistTo: restoredDir }));
    servers.push(target);
    const alice2 = await tokenFor(target, "drill-alice");
    const bob2 = await tokenFor(target, "drill-bob");

    // 4. The sessions rebuild from D1: the same transcripts, a retried message answered from the log.
    expect(await transcript(target, alice2, half)).toEqual(halfBefore);
    expect(await transcript(target, bob2, done)).toEqual(doneBefore);
    for (const id of [half, done]) expect(target.output()).toMatch(new RegExp(`"msg":"session rebuilt from d1"[^\\n]*"sessionId":"${id}"`));
    expect((await api(target, `/api/sessions/${done}`, bob2)).status).toBe("completed");
    const retried = await say(target, alice2, half, sampleAnswers[1]!, "half-2");
    expect(retried.messages).toEqual(second.messages);

    // …and the half-done one continues to its end with the lines the engine gives in process.
    for (let turn = 3; turn <= expected.answersUsed; turn++) {
      last = await say(target, alice2, half, sampleAnswers[turn - 1]!, `half-${turn}`);
      expect(last.messages.map((m: any) => m.content)).toEqual(expected.turns[turn]);
    }
    expect(last.sessionStatus).toBe("completed");

    // 5. A new session resolves the published version through the restored pointer.
    const fresh = await api(target, "/api/sessions", alice2, { projectId: sample!.projectId, script: "sessions/intake_en.yaml" });
    expect(fresh.messages.map((m: any) => m.content)).toEqual(expected.turns[0]);
    expect((await api(target, `/api/sessions/${fresh.sessionId}`, alice2)).versionId).toBe(sample!.versionId);

    console.log(`restore drill timings (ms): ${JSON.stringify(timings)}`);
  }, 600_000);
});
