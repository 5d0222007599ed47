/**
 * The clients against `npm run dev` talking to a real `openai-compatible`
 * provider: a fake OpenAI server whose first attempt at a line streams half a
 * sentence and then turns out unusable (its last `content` is empty), so the
 * engine asks again and the server takes the half sentence back. The page
 * (Chromium) and `heartrule chat` on a terminal (tmux) must show exactly the
 * repaired text. Also: a finished conversation reloads whole and read-only,
 * and a pasted bad token is explained on the author view.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type Behaviour, type FakeServer } from "../support/fake-openai";
import { launchChromium, recordStreaming, viewports, watchPage } from "./browser";
import { repoRoot, startDevServer, type DevServer } from "./dev-server";

const script = `session:
  session_id: retraction
  language: en
  phases:
    - phase_id: only
      topics:
        - topic_id: only
          actions:
            - action_type: ai_say
              action_id: hello
              config:
                content: Greet the client and ask how they are.
            - action_type: ai_say
              action_id: thanks
              config:
                content: Thank the client for talking.
                wait_for_reply: false
`;

const GREETING = "Hello, how are you today?";
const DISCARDED = "I was about to say something else entirely";
const FINAL = "Thank you for talking with me today.";
const reply = (content: string): Behaviour => ({ kind: "stream", pieces: [JSON.stringify({ content })] });
/** Streams half a line, slowly enough to be seen, then ends it with an empty `content`: the engine must ask again. */
const discarded: Behaviour = {
  kind: "stream",
  pieces: [`{"content": "${DISCARDED.slice(0, 20)}`, DISCARDED.slice(20), `", "content": ""}`],
  delayMs: 400,
};
/** The model calls of one conversation: the greeting, then the failed and the repaired closing line. */
const conversation = (): Behaviour[] => [
  reply(GREETING),
  discarded,
  { kind: "stream", pieces: [`{"content": "Thank you `, `for talking with me today."}`], delayMs: 200 },
];

let fake: FakeServer;
const behaviours: Behaviour[] = [];
let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeOpenAI(behaviours);
  [server, browser] = await Promise.all([
    startDevServer({ vars: { LLM_PROVIDER: "openai-compatible", LLM_BASE_URL: fake.url, LLM_MODEL: "fake-model", LLM_MAX_RETRIES: "0" } }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.close();
});

async function authorToken(userId: string): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/dev-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, role: "author" }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe("a reply the model had to repair", () => {
  it("replaces the half sentence on the page, and a reload of the finished conversation shows it whole, read-only", async () => {
    behaviours.push(...conversation());
    const token = await authorToken("e2e-retraction-page");
    const created = await fetch(`${server.url}/api/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ scriptYaml: script }),
    });
    expect(created.status).toBe(201);
    const { sessionId } = (await created.json()) as { sessionId: string };

    const page = await browser.newPage({ viewport: viewports.desktop, locale: "en-US" });
    const watch = watchPage(page, server.url);
    await page.addInitScript((id) => sessionStorage.setItem("heartrule.activeSession.chat", id), sessionId);
    const streamedTexts = await recordStreaming(page);
    // The author's token handed to the page, as an identity provider would.
    await page.goto(`${server.url}/#token=${token}`);
    const status = () => page.locator("#chat-status").textContent();
    await expect.poll(status, { timeout: 30_000 }).toBe("Waiting for you");
    await page.getByLabel("Your message").fill("Fine, thanks");
    await page.keyboard.press("Enter");
    await expect.poll(status, { timeout: 30_000 }).toBe("Conversation completed");

    const lines = () => page.locator("#chat-transcript li .text").allTextContents();
    expect(await lines()).toEqual([GREETING, "Fine, thanks", FINAL]);
    // The discarded attempt was on screen while it streamed, and nothing of it is left.
    const streamed = await streamedTexts();
    expect(streamed.some((text) => text.startsWith(DISCARDED.slice(0, 20)))).toBe(true);
    expect(await page.locator("#chat-transcript").textContent()).not.toContain(DISCARDED.slice(0, 20));

    await page.reload();
    await expect.poll(status, { timeout: 30_000 }).toBe("Conversation completed");
    expect(await lines()).toEqual([GREETING, "Fine, thanks", FINAL]);
    expect(await page.locator("#chat-composer").isHidden()).toBe(true);
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it("replaces the half sentence in `heartrule chat` on a terminal", async () => {
    behaviours.push(...conversation());
    const dir = mkdtempSync(join(tmpdir(), "heartrule-tmux-"));
    const file = join(dir, "retraction.yaml");
    writeFileSync(file, script);
    const tmux = (...args: string[]) => execFileSync("tmux", ["-L", `heartrule-e2e-${process.pid}`, ...args], { encoding: "utf8" });
    // The pane stays after `heartrule chat` exits (remain-on-exit), so its last screen can still be read (from the start of its history: a line scrolled off is still there); tmux's own status line is not part of it.
    const screen = () =>
      tmux("capture-pane", "-p", "-S", "-", "-t", "chat")
        .replace(/^Pane is dead.*$/m, "")
        .replace(/\s+$/, "");
    const until = (check: (s: string) => boolean) => expect.poll(screen, { timeout: 30_000, interval: 100 }).toSatisfy(check);
    try {
      tmux(
        "new-session",
        "-d",
        "-s",
        "chat",
        "-x",
        "60",
        "-y",
        "20",
        "-c",
        repoRoot,
        "env",
        "NO_COLOR=1",
        "LANG=en_US.UTF-8",
        process.execPath,
        "bin/heartrule.mjs",
        "chat",
        "--url",
        server.url,
        "--script",
        file,
      );
      tmux("set-option", "-t", "chat", "remain-on-exit", "on");
      await until((s) => s.endsWith("you>"));
      tmux("send-keys", "-t", "chat", "Fine, thanks", "Enter");
      // Seen while the discarded attempt streams…
      await until((s) => s.includes(DISCARDED.slice(0, 20)));
      // …and gone once the repaired line is in.
      await until((s) => s.includes("(the conversation is complete)"));
      const lines = screen().split("\n");
      expect(lines).toEqual([`AI: ${GREETING}`, "you> Fine, thanks", `AI: ${FINAL}`, "(the conversation is complete)"]);
    } finally {
      try {
        tmux("kill-server");
      } catch {
        // the session ended by itself
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the author view", () => {
  it("says why a pasted token is not accepted", async () => {
    const page = await browser.newPage({ viewport: viewports.desktop, locale: "en-US" });
    await page.goto(`${server.url}/author`);
    await page.getByLabel("Or paste an author token").fill("not-a-token");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That is not a usable token");

    // Well formed but signed by someone else: the server's refusal is shown.
    const forged = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: "x", role: "author", exp: Math.floor(Date.now() / 1000) + 3600 })).toString("base64url")}.c2lnbmF0dXJl`;
    await page.getByLabel("Or paste an author token").fill(forged);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("The server did not accept that token");
    await page.close();
  });
});
