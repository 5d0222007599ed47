/**
 * Operations against a real `npm run dev`: the Cron Trigger fired through wrangler's
 * scheduled-event endpoint (/cdn-cgi/handler/scheduled) runs the canary and the alert
 * checks; a p95 threshold of 1 ms makes every run cross it, so a local receiver must get
 * exactly one signed webhook for the one open incident. Then /ops in Chromium draws the
 * metrics of that traffic and of a client's session, in English and in Chinese.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventIdHeader, signatureHeader, verifyPayload } from "../../src/notify/signature";
import { screenshot, viewports, watchPage } from "./browser";
import { freePort } from "./dev-server";
import { serverAndBrowser } from "./harness";

const SECRET = "e2e-alert-secret-0123456789";
interface Delivery {
  body: string;
  eventId: string | undefined;
  signature: string | undefined;
}
const deliveries: Delivery[] = [];
let receiver: Server;
const vars: Record<string, string> = { ALERT_WEBHOOK_SECRET: SECRET, ALERT_P95_MS: "1" };

beforeAll(async () => {
  const port = await freePort();
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      // Only the alert POSTs count; anything else that finds this port (a probe on a busy CI machine) is answered and left out.
      if (req.method !== "POST" || req.url !== "/alerts" || !req.headers[signatureHeader.toLowerCase()]) return void res.writeHead(404).end();
      deliveries.push({
        body,
        eventId: req.headers[eventIdHeader.toLowerCase()] as string,
        signature: req.headers[signatureHeader.toLowerCase()] as string,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(port, "127.0.0.1", resolve));
  vars.ALERT_WEBHOOK_URL = `http://127.0.0.1:${port}/alerts`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

// Its beforeAll runs after the one above, so the server starts with the receiver's address.
const ctx = serverAndBrowser({ vars });

async function token(role: string): Promise<string> {
  const res = await fetch(`${ctx.server.url}/api/auth/dev-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId: `e2e-${role}`, role }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function api(path: string, bearer: string, body?: unknown): Promise<any> {
  const res = await fetch(`${ctx.server.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const scheduled = () => fetch(`${ctx.server.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);

describe("operations", () => {
  it("runs the canary from the scheduled-event endpoint and sends one signed alert per incident", async () => {
    const admin = await token("admin");
    expect((await scheduled()).status).toBe(200);
    await expect.poll(async () => (await api("/api/admin/metrics", admin)).canary.runs, { timeout: 30_000 }).toBe(1);
    const first = (await api("/api/admin/metrics", admin)).canary.recent[0];
    expect(first).toMatchObject({ ok: true, turns: 7, code: null });
    // ALERT_P95_MS=1 makes the p95 check fire. On a loaded machine another check (the mirror's lag) may cross
    // its threshold too: each incident is its own alert, so the test follows the p95 one.
    const p95 = () => deliveries.filter((d) => JSON.parse(d.body).kind === "p95_latency");
    await expect.poll(() => p95().length, { timeout: 10_000 }).toBe(1);

    // The next run: the same incident is still open, so it is not sent again, and no incident is sent twice.
    expect((await scheduled()).status).toBe(200);
    await expect.poll(async () => (await api("/api/admin/metrics", admin)).canary.runs, { timeout: 30_000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 1000));
    expect(p95()).toHaveLength(1);
    const ids = deliveries.map((d) => d.eventId);
    expect(new Set(ids).size).toBe(ids.length);

    const [delivery] = p95();
    const alert = JSON.parse(delivery!.body);
    expect(alert).toMatchObject({ type: "alert", kind: "p95_latency", threshold: 1, environment: "development" });
    expect(delivery!.eventId).toBe(alert.incidentId);
    expect(await verifyPayload(SECRET, delivery!.body, delivery!.signature, Date.now() / 1000)).toMatchObject({ ok: true });
    expect((await verifyPayload("another-secret-0123456789", delivery!.body, delivery!.signature, Date.now() / 1000)).ok).toBe(false);
  });

  it("/ops draws the metrics of real traffic as charts, in English and Chinese", async () => {
    // A client's own session of the sample, answered for a few turns.
    const client = await token("client");
    const published = await api("/api/projects/published", client);
    const script = published.items.find((i: any) => i.sessionId === "intake_en");
    const created = await api("/api/sessions", client, { projectId: script.projectId, script: script.sessionId });
    const send = (content: string) =>
      fetch(`${ctx.server.url}/api/sessions/${created.sessionId}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${client}`, "content-type": "application/json" },
        body: JSON.stringify({ content }),
      });
    for (const answer of ["Robin", "Deadlines at work", "5", "Badly", "Sleep better"]) expect((await send(answer)).status).toBe(200);

    const page = await ctx.browser.newPage({ viewport: viewports.wide, locale: "en-US" });
    const watch = watchPage(page, ctx.server.url);
    await page.goto(`${ctx.server.url}/ops`);
    await page.getByRole("button", { name: "Sign in as a development admin" }).click();
    await page.locator("#signed-in").waitFor();
    await expect.poll(() => page.locator(".ops-chart canvas").count(), { timeout: 15_000 }).toBe(4);
    const tile = (label: string) => page.locator(".ops-tile", { hasText: label }).locator("strong").textContent();
    expect(Number(await tile("Turns"))).toBeGreaterThanOrEqual(2 * 7 + 6);
    expect(await tile("Canary runs (failed)")).toBe("2 (0)");
    await expect.poll(() => page.locator("#project-usage tbody tr").count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator("#errors").textContent()).toContain("No failed turns in this range.");
    // The turns chart has a legend entry per series and was drawn from the series.
    expect(await page.locator("#chart-turns .u-legend").textContent()).toContain("Failed");
    await screenshot(page, "ops-desktop");
    await page.locator("#errors").scrollIntoViewIfNeeded();
    await screenshot(page, "ops-tables");

    await page.locator("#lang-select").selectOption("zh-CN");
    await page.waitForLoadState("load");
    await expect.poll(() => page.locator("#ops-title").textContent()).toBe("运维");
    await expect.poll(() => page.locator(".ops-chart canvas").count(), { timeout: 15_000 }).toBe(4);
    await expect.poll(() => page.locator("#chart-turns figcaption").textContent()).toBe("轮次与失败");
    await screenshot(page, "ops-zh-CN");
    expect(watch.problems).toEqual([]);
    await page.close();
  });
});
