import { describe, expect, it } from "vitest";
import intake from "../../scripts/sessions/intake_en.yaml";
import { authHeaders, call, json } from "../helpers";

describe("smoke", () => {
  it("creates and talks", async () => {
    const h = await authHeaders("author-1", "author");
    const res = await call("/api/sessions", json({ scriptYaml: intake }, h));
    const body = (await res.json()) as any;
    console.log(res.status, JSON.stringify(body).slice(0, 600));
    expect(res.status).toBe(201);
    const r2 = await call(`/api/sessions/${body.sessionId}/messages`, json({ content: "Sam", clientMessageId: "c1" }, h));
    console.log(r2.status, JSON.stringify(await r2.json()).slice(0, 600));
    const r3 = await call(`/api/sessions/${body.sessionId}/messages`, { method: "POST", headers: { ...h, "content-type": "application/json", accept: "text/event-stream" }, body: JSON.stringify({ content: "anxious", clientMessageId: "c2" }) });
    console.log(r3.status, r3.headers.get("content-type"), await r3.text());
    const r4 = await call(`/api/sessions/${body.sessionId}/messages?limit=3`, { headers: h });
    console.log(r4.status, JSON.stringify(await r4.json()).slice(0, 800));
  });
});
