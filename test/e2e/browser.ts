/**
 * Headless Chromium from the system (Debian's `chromium` package; `.ci/run`
 * installs it) driven by playwright-core: no browser download. Each launch
 * gets a fresh temporary profile.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { repoRoot } from "./dev-server";

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

declare global {
  interface Window {
    /** Every text a streaming AI line showed, in order (recordStreaming's init script keeps it). */
    streamed?: string[];
  }
}

/**
 * Records what each AI line shows while it is still streaming, as a reader
 * would see it change. Call before the page loads; the function it returns
 * reads the record of the current document (a reload starts a new one).
 */
export async function recordStreaming(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    window.streamed = seen;
    new MutationObserver(() => {
      for (const li of document.querySelectorAll("#chat-transcript li.assistant[data-state=streaming]"))
        seen.push(li.querySelector(".text")?.textContent ?? "");
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  return () => page.evaluate(() => window.streamed ?? []);
}

export const viewports = {
  desktop: { width: 1280, height: 860 },
  /** The author view puts editor, chat and debug panel side by side. */
  wide: { width: 1440, height: 960 },
  /** A small phone: the page must work from 360 px wide. */
  phone: { width: 360, height: 740 },
  /** A small, short phone: where the crisis panel has the least room. */
  shortPhone: { width: 360, height: 640 },
} as const;

/**
 * Collects what must never happen on a page: uncaught errors, console errors
 * (CSP violations are reported there) and requests to anywhere but the server.
 */
export function watchPage(page: Page, origin: string): { problems: string[] } {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("request", (req) => {
    const url = new URL(req.url());
    const allowed =
      url.origin === origin ||
      (url.host === new URL(origin).host && url.protocol.startsWith("ws")) ||
      url.protocol === "blob:" ||
      url.protocol === "data:";
    if (!allowed) problems.push(`request outside the server: ${req.url()}`);
  });
  return { problems };
}

export const screenshotDir = join(repoRoot, "docs/screenshots");

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
