/**
 * The chat page in headless Chromium against `npm run dev`, reached through a
 * proxy that can cut the network: start the sample session from `/` with the
 * keyboard only, answer until the script completes, see every AI line exactly
 * once, lose the connection mid-turn and while typing, reload mid-session,
 * export the finished conversation; then a phone-sized screen in Chinese.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordStreaming, screenshot, viewports, watchPage } from "./browser";
import { serverAndBrowser } from "./harness";
import { expectedConversation, sampleAnswers, sampleYaml } from "./expected";
import { startDropProxy, type DropProxy } from "./proxy";

const ctx = serverAndBrowser();
let proxy: DropProxy;

beforeAll(async () => {
  proxy = await startDropProxy(ctx.server.url);
});

afterAll(async () => {
  await proxy?.close();
});

const status = (page: Page) => page.locator("#chat-status");
const statusIs = (page: Page, text: string) => expect.poll(() => status(page).textContent(), { timeout: 30_000 }).toBe(text);
const aiLines = (page: Page) => page.locator("#chat-transcript li.assistant[data-state=final] .text").allTextContents();
const userLines = (page: Page) => page.locator("#chat-transcript li.user .text").allTextContents();

/** A dropped connection is reported by the browser; everything else on the console is a problem. */
const unexpected = (problems: string[]) =>
  problems.filter((p) => !/WebSocket connection to .* failed|ERR_CONNECTION_(RESET|REFUSED|CLOSED)|ERR_EMPTY_RESPONSE/.test(p));

describe("chat page", () => {
  it("runs the sample session to completion with the keyboard, through dropped connections, without duplicates", async () => {
    const expected = await expectedConversation(sampleYaml("en"), sampleAnswers);
    const page = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "en-US", acceptDownloads: true });
    const watch = watchPage(page, proxy.url);
    const streamedTexts = await recordStreaming(page);
    await page.goto(`${proxy.url}/`);

    // Always visible, from the first paint.
    await expect.poll(() => page.locator("#disclosure").isVisible()).toBe(true);
    expect(await page.locator("#disclosure").textContent()).toBe("You are talking to an AI assistant, not a therapist.");

    // The sample is preselected and focused: Tab to Start, Enter.
    const picker = page.getByLabel("Conversation", { exact: true });
    await picker.waitFor();
    expect(await picker.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.locator("#script-select option:checked").textContent()).toContain("First session (intake)");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("start");
    await page.keyboard.press("Enter");

    await statusIs(page, "Waiting for you");
    const input = page.getByLabel("Your message");
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await aiLines(page)).toEqual(expected.turns[0]);

    for (let i = 0; i < expected.answersUsed; i++) {
      const answer = sampleAnswers[i]!;
      if (i === 1) {
        // Cut the network the moment the answer leaves: the turn finishes on the server meanwhile.
        await page.keyboard.type(answer);
        await page.keyboard.press("Enter");
        proxy.drop(1500);
        await statusIs(page, "Connecting…");
      } else if (i === 3) {
        // Offline while typing: the answer waits ("sending…") and goes out once reconnected.
        proxy.drop(2500);
        await statusIs(page, "Connecting…");
        await page.keyboard.type(answer);
        await page.keyboard.press("Enter");
        await expect.poll(() => page.locator("#chat-transcript li.user").last().textContent()).toContain("(sending…)");
      } else if (i === 4) {
        // A reload comes back to the same conversation (resume from the start of the log).
        await page.reload();
        await statusIs(page, "Waiting for you");
        expect(await aiLines(page)).toEqual(expected.turns.slice(0, i + 1).flat());
        await page.getByLabel("Your message").focus();
        await page.keyboard.type(answer);
        await page.keyboard.press("Enter");
      } else {
        await page.keyboard.type(answer);
        await page.keyboard.press("Enter");
      }
      await statusIs(page, i + 1 === expected.answersUsed ? "Conversation completed" : "Waiting for you");
      expect(await aiLines(page)).toEqual(expected.turns.slice(0, i + 2).flat());
      expect(await userLines(page)).toEqual(sampleAnswers.slice(0, i + 1));
    }
    expect(proxy.dropped).toBeGreaterThanOrEqual(2);

    // The words arrived as they were written: some line was on screen in part before it was whole.
    const streamed = await streamedTexts();
    const finals = expected.turns.flat();
    expect(streamed.some((part) => part.length > 0 && finals.some((line) => line.length > part.length && line.startsWith(part)))).toBe(true);

    // Every line once, each with its own seq; nothing left streaming or unsent.
    const seqs = await page.locator("#chat-transcript li").evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.seq));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.every((s) => s && Number(s) > 0)).toBe(true);
    expect(await page.locator("#chat-transcript li:not([data-state=final])").count()).toBe(0);
    // Screen readers heard the last completed message.
    expect(await page.locator("#chat-announcer p").last().textContent()).toBe(expected.turns.flat().at(-1));

    await screenshot(page, "chat-desktop");

    // Export: focus moved to it; the file holds the whole conversation.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("chat-export");
    const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    const exported = JSON.parse(await readFile((await download.path())!, "utf8")) as { messages: { role: string; content: string }[] };
    expect(exported.messages.filter((m) => m.role === "assistant").map((m) => m.content)).toEqual(expected.turns.flat());
    expect(exported.messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual(sampleAnswers.slice(0, expected.answersUsed));

    expect(unexpected(watch.problems)).toEqual([]);
    await page.close();
  });

  it("fits a 360 px phone screen and speaks Chinese to a Chinese browser", async () => {
    const page = await ctx.browser.newPage({ viewport: viewports.phone, locale: "zh-CN", isMobile: true, hasTouch: true });
    const watch = watchPage(page, proxy.url);
    await page.goto(`${proxy.url}/`);
    expect(await page.locator("#disclosure").textContent()).toBe("你正在与 AI 助手交谈，而不是心理治疗师。");
    await page.getByLabel("对话脚本").waitFor();
    expect(await page.locator("#script-select option:checked").textContent()).toContain("初次");
    await page.getByRole("button", { name: "开始" }).click();
    await statusIs(page, "等你回复");
    await page.getByLabel("你的消息").fill("小李");
    await page.getByRole("button", { name: "发送" }).click();
    await statusIs(page, "等你回复");
    expect(await userLines(page)).toEqual(["小李"]);
    expect((await aiLines(page)).some((line) => line.includes("小李"))).toBe(true);

    // Nothing wider than the screen; the disclosure and the composer stay on screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewports.phone.width);
    expect(await page.locator("#disclosure").isVisible()).toBe(true);
    await screenshot(page, "chat-phone");

    // The crisis resources open from the danger line, with the keyboard, and close again.
    const panel = page.locator("#crisis-panel");
    await page.getByRole("button", { name: "危机求助资源" }).focus();
    await page.keyboard.press("Enter");
    expect(await panel.isVisible()).toBe(true);
    expect(await panel.textContent()).toContain("12356");
    await page.getByRole("button", { name: "关闭" }).click();
    expect(await panel.isVisible()).toBe(false);

    // Crisis words: the server's safety flag opens them prominently, with an alert.
    await page.getByLabel("你的消息").fill("最近压力很大，有时候觉得活不下去");
    await page.keyboard.press("Enter");
    await expect.poll(() => panel.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await panel.getAttribute("class")).toContain("urgent");
    expect(await page.getByRole("alert").textContent()).toContain("你值得现在就得到支持");
    expect(unexpected(watch.problems)).toEqual([]);
    await page.close();
  });
});
