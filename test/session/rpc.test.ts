/**
 * session/rpc.ts: the actor's RPC surface as the Worker's binding types it. Every method the interface
 * names is one the actor answers over a real stub, so the binding's type and the class cannot drift apart
 * (a method added to the interface and not to this list fails the type check).
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SessionActor } from "../../src/session/actor";
import type { SessionActorRpc } from "../../src/session/rpc";
import { actor, person } from "./helpers";

const surface: Record<Exclude<keyof SessionActorRpc, "__DURABLE_OBJECT_BRAND">, true> = {
  ping: true,
  create: true,
  send: true,
  sendStream: true,
  info: true,
  messages: true,
  variables: true,
  export: true,
  events: true,
  erase: true,
  expire: true,
  reconcile: true,
  mirrorDelivered: true,
  requestCounselor: true,
  instrumentation: true,
  fetch: true,
};

describe("session/rpc.ts: SessionActorRpc", () => {
  it("names only methods the actor answers, and the binding reaches them", async () => {
    const stub = actor("rpc-surface");
    expect(await stub.ping()).toBe("pong");
    const methods = await runInDurableObject(stub, (instance: SessionActor) =>
      Object.keys(surface).filter((name) => typeof Reflect.get(instance, name) !== "function"),
    );
    expect(methods).toEqual([]);
    // A session that does not exist is a problem over RPC, not a thrown error.
    const who = await person("client");
    const info = await stub.info({ sessionId: "rpc-surface", user: { id: who.id, role: "client" } });
    expect(info).toMatchObject({ ok: false, problem: { status: 404 } });
  });
});
