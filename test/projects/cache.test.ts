/**
 * The KV cache in front of session starts: the published pointer's two
 * lifetimes (and the race that makes them necessary), KV failing, and the
 * compiled scripts' loader tag.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import pkg from "../../package.json";
import type { Env } from "../../src/config";
import { scriptJsonSchema } from "../../src/engine/script";
import { COMPILED_FORMAT } from "../../src/engine/script/compiled-format";
import { database } from "../../src/store/db";
import { POINTER_TTL_SECONDS, READ_THROUGH_TTL_SECONDS, pointerKey, readPointer, scriptKey } from "../../src/authoring/cache";
import { contentHash } from "../../src/store/hash";
import { compileScript, currentLoaderTag, loaderTagFor } from "../../src/authoring/resolve";
import { body, call, json, type Person, person } from "../helpers";
import { settle } from "../session/helpers";
import { addFile, afterFirstRead, fileId, newProject, publishVersion, send, sessionYaml } from "./fixtures";

/** Seconds from now until `key` expires in KV (as `list` reports it). */
async function secondsLeft(key: string): Promise<number> {
  const { keys } = await env.CACHE.list({ prefix: key });
  const entry = keys.find((k) => k.name === key);
  if (!entry?.expiration) throw new Error(`${key} has no expiration`);
  return entry.expiration - Date.now() / 1000;
}

/** A project with one session script saying `words`, published as 1.0.0. */
async function publishedWith(who: Person, words: string) {
  const project = await newProject(who);
  await send("DELETE", `/api/projects/${project.id}/files/${await fileId(who, project.id, "sessions/hello_world.yaml")}`, who);
  await addFile(who, project.id, "sessions/main.yaml", sessionYaml("main", words));
  const version = await publishVersion(who, project.id, "1.0.0");
  return { project, version };
}

async function setMain(who: Person, projectId: string, words: string) {
  await body(
    await send("PUT", `/api/projects/${projectId}/files/${await fileId(who, projectId, "sessions/main.yaml")}`, who, {
      content: sessionYaml("main", words),
    }),
    200,
  );
}

/** A KV binding that is down: every call throws, and each call is counted. */
function brokenKv(): { kv: KVNamespace; calls: string[] } {
  const calls: string[] = [];
  const fail = (name: string) => async () => {
    calls.push(name);
    throw new Error(`KV ${name} failed`);
  };
  const kv = { get: fail("get"), getWithMetadata: fail("getWithMetadata"), put: fail("put"), delete: fail("delete"), list: fail("list") };
  return { kv: kv as unknown as KVNamespace, calls };
}

describe("the published pointer in KV", () => {
  it("keeps an authoritative rewrite for 10 minutes but a read-through write-back for 60 s", async () => {
    const a = await person("author");
    const { project, version } = await publishedWith(a, "Lifetimes");
    const key = pointerKey(project.id);
    expect(await secondsLeft(key)).toBeGreaterThan(POINTER_TTL_SECONDS - 30);

    await env.CACHE.delete(key);
    expect(await readPointer(env, database(env.DB), project.id)).toEqual({ versionId: version.id, versionNumber: "1.0.0" });
    expect(await env.CACHE.get(key, "json")).toEqual({ versionId: version.id, versionNumber: "1.0.0" });
    expect(await secondsLeft(key)).toBeLessThanOrEqual(READ_THROUGH_TTL_SECONDS + 1);
  });

  it("lets a write-back that a publish overtook outlive that publish by no more than 60 s", async () => {
    const a = await person("author");
    const { project, version: v1 } = await publishedWith(a, "Before the race");
    await setMain(a, project.id, "After the race");
    const key = pointerKey(project.id);
    await env.CACHE.delete(key);

    // The reader misses KV and reads D1 (1.0.0); before it writes back, 1.1.0 is
    // published and the pointer rewritten; then the reader's write-back lands.
    let v2: Record<string, any> | undefined;
    const racing = database(
      afterFirstRead(env.DB, async () => {
        v2 = await publishVersion(a, project.id, "1.1.0");
        expect(await env.CACHE.get(key, "json")).toEqual({ versionId: v2.id, versionNumber: "1.1.0" });
      }),
    );
    expect(await readPointer(env, racing, project.id)).toEqual({ versionId: v1.id, versionNumber: "1.0.0" });
    expect(v2).toBeDefined();

    // The late write-back did restore the old pointer (KV has no compare-and-set)…
    expect(await env.CACHE.get(key, "json")).toEqual({ versionId: v1.id, versionNumber: "1.0.0" });
    // …but only for KV's minimum TTL, not the 10 minutes of an authoritative rewrite.
    expect(await secondsLeft(key)).toBeLessThanOrEqual(READ_THROUGH_TTL_SECONDS + 1);

    // Once it expires, the next start reads the truth.
    await env.CACHE.delete(key);
    expect(await readPointer(env, database(env.DB), project.id)).toEqual({ versionId: v2!.id, versionNumber: "1.1.0" });
  });
});

describe("KV down", () => {
  it("still publishes, and POST /api/sessions starts the version just published", async () => {
    const a = await person("author");
    const client = await person("client");
    const { project, version: v1 } = await publishedWith(a, "Words of one");
    await setMain(a, project.id, "Words of two");
    const { kv, calls } = brokenKv();
    const broken: Partial<Env> = { CACHE: kv };

    const published = await body(
      await call(`/api/projects/${project.id}/publish`, json({ versionNumber: "2.0.0", releaseNote: "" }, a.headers), broken),
      201,
    );
    expect(published).toMatchObject({ versionNumber: "2.0.0", isCurrent: true });
    expect(calls).toContain("put");
    // The rewrite never reached KV: a working KV would still serve 1.0.0 (until the 10-minute TTL).
    expect(await env.CACHE.get(pointerKey(project.id), "json")).toEqual({ versionId: v1.id, versionNumber: "1.0.0" });

    calls.length = 0;
    const started = await body(await call("/api/sessions", json({ projectId: project.id }, client.headers), broken), 201);
    expect(calls).toEqual(expect.arrayContaining(["get", "put"])); // pointer and compiled script both tried KV
    expect(started.messages.map((m: { content: string }) => m.content)).toEqual(["Words of two"]);
    const info = await body(await send("GET", `/api/sessions/${started.sessionId}`, client), 200);
    expect(info).toMatchObject({ projectId: project.id, versionId: published.id, versionNumber: "2.0.0" });
    await settle(started.sessionId);
  });

  it("resolves the pointer from D1 when KV get and put throw", async () => {
    const a = await person("author");
    const { project, version } = await publishedWith(a, "D1 answers");
    const { kv, calls } = brokenKv();
    expect(await readPointer({ ...env, CACHE: kv }, database(env.DB), project.id)).toEqual({ versionId: version.id, versionNumber: "1.0.0" });
    expect(calls).toEqual(["get", "put"]);
    expect(await readPointer({ ...env, CACHE: kv }, database(env.DB), crypto.randomUUID())).toBeNull();
  });
});

describe("compiled scripts' loader tag", () => {
  it("changes with the compiled format, the schema and the release", async () => {
    const schema = scriptJsonSchema();
    const tag = await currentLoaderTag();
    expect(tag).toBe(await loaderTagFor(COMPILED_FORMAT, schema, pkg.version));
    expect(await loaderTagFor(COMPILED_FORMAT + 1, schema, pkg.version)).not.toBe(tag);
    expect(await loaderTagFor(COMPILED_FORMAT, { ...schema, title: "changed" }, pkg.version)).not.toBe(tag);
    expect(await loaderTagFor(COMPILED_FORMAT, schema, `${pkg.version}-next`)).not.toBe(tag);
  });

  it("recompiles an entry another loader wrote and uses one this loader wrote", async () => {
    const yaml = sessionYaml("tagged", `Tag test ${crypto.randomUUID()}`);
    const hash = await contentHash(yaml);
    const key = scriptKey(hash);
    const file = { path: "sessions/tagged.yaml", contentHash: hash };
    const impostor = { session: { session_id: "impostor", phases: [] } };

    // Written by another loader (the old tag was the package version): ignored, recompiled, replaced.
    await env.CACHE.put(key, JSON.stringify({ loader: pkg.version, script: impostor }));
    const compiled = await compileScript(env, file, yaml);
    expect(compiled.session.session_id).toBe("tagged");
    const stored = await env.CACHE.get<{ loader: string; script: unknown }>(key, "json");
    expect(stored).toEqual({ loader: await currentLoaderTag(), script: compiled });

    // Written by this loader: served as is, without compiling.
    await env.CACHE.put(key, JSON.stringify({ loader: await currentLoaderTag(), script: impostor }));
    expect(await compileScript(env, file, yaml)).toEqual(impostor);
    await env.CACHE.delete(key);
  });
});
