import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem } from "../helpers";

const upgrade = { headers: { upgrade: "websocket" } };

/**
 * Opens the echo socket, sends each frame and collects what comes back. One frame at a time:
 * the pool's in-isolate socket pair can hand a same-tick burst to the object out of order
 * (a real socket under `wrangler dev` does not), and the object answers what it is handed.
 */
async function echoes(environment: string, name: string, frames: string[], query = ""): Promise<string[]> {
  const res = await call(`/api/bench/echo/${name}/ws${query}`, upgrade, { ENVIRONMENT: environment });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const received: string[] = [];
  let next: () => void = () => undefined;
  ws.addEventListener("message", (event) => {
    received.push(event.data as string);
    next();
  });
  for (const frame of frames) {
    const answered = new Promise<void>((resolve) => (next = resolve));
    ws.send(frame);
    await answered;
  }
  ws.close(1000, "done");
  return received;
}

describe("GET /api/bench/echo/:name/ws", () => {
  it.each(["development", "bench"])("echoes every frame as it was sent when ENVIRONMENT=%s", async (environment) => {
    const frames = ['{"n":1}', "second", "ünïcödé ✓"];
    expect(await echoes(environment, `echo-${environment}`, frames)).toEqual(frames);
  });

  it("with ?durable=1 writes each frame to the object's storage before echoing it", async () => {
    const frames = ["one", "two"];
    expect(await echoes("bench", "durable-echo", frames, "?durable=1")).toEqual(frames);
    const stored = await runInDurableObject(env.BENCH_ECHO.get(env.BENCH_ECHO.idFromName("durable-echo")), (_o, state) =>
      state.storage.sql
        .exec<{ body: string }>("SELECT body FROM frames ORDER BY id")
        .toArray()
        .map((r) => r.body),
    );
    expect(stored).toEqual(frames);
  });

  it("gives each name its own object", async () => {
    await echoes("bench", "one", ["a"]);
    await echoes("bench", "two", ["b"]);
    const ids = (await listDurableObjectIds(env.BENCH_ECHO)).map((id) => id.toString());
    expect(ids).toEqual(expect.arrayContaining([env.BENCH_ECHO.idFromName("one").toString(), env.BENCH_ECHO.idFromName("two").toString()]));
  });

  it.each(["production", "staging", "test"])("does not exist when ENVIRONMENT=%s, and creates no object", async (environment) => {
    const before = (await listDurableObjectIds(env.BENCH_ECHO)).length;
    const res = await call(`/api/bench/echo/hidden-${environment}/ws`, upgrade, { ENVIRONMENT: environment });
    await expectProblem(res, 404, "NOT_FOUND");
    expect(await listDurableObjectIds(env.BENCH_ECHO)).toHaveLength(before);
  });

  it("answers 404 outside development and bench before looking at the name", async () => {
    const res = await call("/api/bench/echo/not%20valid!/ws", upgrade, { ENVIRONMENT: "production" });
    await expectProblem(res, 404, "NOT_FOUND");
  });

  it("refuses a plain request with a problem", async () => {
    const res = await call("/api/bench/echo/plain/ws", {}, { ENVIRONMENT: "bench" });
    const body = await expectProblem(res, 400, "BAD_REQUEST");
    expect(body.detail).toMatch(/WebSocket/);
  });

  it("refuses a name that is not a short identifier", async () => {
    const res = await call(`/api/bench/echo/${"x".repeat(65)}/ws`, upgrade, { ENVIRONMENT: "bench" });
    await expectProblem(res, 400, "VALIDATION_FAILED");
  });

  it("is documented as a bench-only route", async () => {
    const doc = (await (await call("/openapi.json")).json()) as { paths: Record<string, { get?: { tags: string[]; description: string } }> };
    const route = doc.paths["/api/bench/echo/{name}/ws"]?.get;
    expect(route?.tags).toEqual(["bench"]);
    expect(route?.description).toMatch(/only when `ENVIRONMENT` is `development` or `bench`/);
  });
});
