/**
 * `/docs` with the network off: headless Chromium against `npm run dev`, every
 * request to a host other than this machine aborted and recorded. The API
 * reference must render from what the Worker serves itself.
 */
import { describe, expect, it } from "vitest";
import { screenshot, viewports, watchPage } from "./browser";
import { serverAndBrowser } from "./harness";

const ctx = serverAndBrowser();

const localHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

interface OpenApiDocument {
  info: { title: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
}

describe("/docs", () => {
  it("renders the API reference with every request to another host blocked", async () => {
    const doc = (await (await fetch(`${ctx.server.url}/openapi.json`)).json()) as OpenApiDocument;
    // The first tag opens by default: its operations are on screen without a click.
    const firstTag = doc.tags[0]!.name;
    const summaries = Object.values(doc.paths)
      .flatMap((methods) => Object.values(methods))
      .filter((op) => op.tags?.includes(firstTag) && op.summary)
      .map((op) => op.summary!);
    expect(summaries.length).toBeGreaterThan(0);

    const context = await ctx.browser.newContext({ viewport: viewports.desktop, locale: "en-US" });
    const blocked: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === "data:" || url.protocol === "blob:" || localHosts.has(url.hostname)) return route.continue();
      blocked.push(url.href);
      return route.abort("internetdisconnected");
    });
    const page = await context.newPage();
    const watch = watchPage(page, ctx.server.url);
    const failed: string[] = [];
    page.on("requestfailed", (req) => failed.push(`${req.url()}: ${req.failure()?.errorText}`));
    page.on("response", (res) => {
      if (res.status() >= 400) failed.push(`${res.url()}: HTTP ${res.status()}`);
    });

    const res = await page.goto(`${ctx.server.url}/docs`);
    expect(res?.status()).toBe(200);

    await expect.poll(() => page.getByRole("heading", { name: doc.info.title, level: 1 }).isVisible(), { timeout: 60_000 }).toBe(true);
    for (const summary of summaries) {
      await expect.poll(() => page.getByRole("heading", { name: summary }).first().isVisible(), { timeout: 30_000 }).toBe(true);
    }
    expect(await page.title()).toContain(doc.info.title);
    await screenshot(page, "docs-offline");

    expect(blocked).toEqual([]);
    expect(failed).toEqual([]);
    // Console errors include Content-Security-Policy violations.
    expect(watch.problems).toEqual([]);
    await context.close();
  });
});
