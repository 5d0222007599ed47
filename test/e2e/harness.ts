/** What most browser test files share: a dev server and a Chromium, started before their tests and stopped after them. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium } from "./browser";
import { startDevServer, type DevServer } from "./dev-server";

export interface Harness {
  server: DevServer;
  browser: Browser;
}

/** Call at the top of a test file; the fields are set once its `beforeAll` has run. */
export function serverAndBrowser(options?: Parameters<typeof startDevServer>[0]): Harness {
  const started = {} as Harness;
  beforeAll(async () => {
    [started.server, started.browser] = await Promise.all([startDevServer(options), launchChromium()]);
  });
  afterAll(async () => {
    await started.browser?.close();
    await started.server?.stop();
  });
  return started;
}
