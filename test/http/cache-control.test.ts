/** Nothing that carries a session's content or a token may be kept by a cache. */
import { describe, expect, it } from "vitest";
import { call, json, person } from "../helpers";
import { tinyScript } from "../session/helpers";

const noStore = (res: Response) => res.headers.get("cache-control");

describe("Cache-Control", () => {
  it("is no-store on tokens and the caller's identity", async () => {
    const minted = await call("/api/auth/dev-token", json({ userId: "cache-user", role: "client" }), { ENVIRONMENT: "development" });
    expect([minted.status, noStore(minted)]).toEqual([200, "no-store"]);
    const who = await person("client");
    const me = await call("/api/auth/me", { headers: who.headers });
    expect([me.status, noStore(me)]).toEqual([200, "no-store"]);
  });

  it("is no-store on every read of a session, its stream, and problems", async () => {
    const author = await person("author");
    const created = await call("/api/sessions", json({ scriptYaml: tinyScript("cached"), debug: true }, author.headers));
    expect([created.status, noStore(created)]).toEqual([201, "no-store"]);
    const { sessionId } = (await created.json()) as { sessionId: string };
    const turn = await call(`/api/sessions/${sessionId}/messages`, json({ content: "hello" }, author.headers));
    expect([turn.status, noStore(turn)]).toEqual([200, "no-store"]);
    for (const path of ["", "/messages", "/variables", "/export"]) {
      const res = await call(`/api/sessions/${sessionId}${path}`, { headers: author.headers });
      expect([path, res.status, noStore(res)]).toEqual([path, 200, "no-store"]);
    }
    const list = await call("/api/sessions", { headers: author.headers });
    expect([list.status, noStore(list)]).toEqual([200, "no-store"]);
    const controller = new AbortController();
    const stream = await call(`/api/sessions/${sessionId}/events`, { headers: author.headers, signal: controller.signal });
    // The stream keeps no-transform so proxies pass events through unbuffered.
    expect([stream.status, noStore(stream)]).toEqual([200, "no-store, no-transform"]);
    await stream.body?.cancel();
    const stranger = await call(`/api/sessions/${sessionId}/messages`, { headers: (await person("client")).headers });
    expect([stranger.status, noStore(stranger)]).toEqual([404, "no-store"]);
    const anonymous = await call(`/api/sessions/${sessionId}`);
    expect([anonymous.status, noStore(anonymous)]).toEqual([401, "no-store"]);
  });

  it("leaves the public script schema cacheable", async () => {
    const res = await call("/api/scripts/schema.json");
    expect([res.status, noStore(res)]).toEqual([200, "public, max-age=3600"]);
  });
});
