/**
 * The crisis panel in headless Chromium against `npm run dev`, on a short
 * phone (360×640): crisis words open it with the server's lines for the
 * session's language, without covering the last message or the composer and
 * with its Close button on screen; it stays reachable after Close, is open
 * again after a reload, lists the deployment's configured table, and falls
 * back to the built-in lines when the server cannot be asked.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, viewports, watchPage } from "./browser";
import { serverAndBrowser } from "./harness";

/** The deployment's own zh-CN table: the page must show what the server answers, not its built-in lines. */
const configuredZh = [
  { name: "全国心理援助热线", phone: "12356" },
  { name: "本地测试热线", phone: "0571-0000-1234", hours: "24小时" },
];

const ctx = serverAndBrowser({ vars: { CRISIS_RESOURCES: JSON.stringify({ "zh-CN": configuredZh }) } });

const viewport = viewports.shortPhone;
const statusIs = (page: Page, text: string) => expect.poll(() => page.locator("#chat-status").textContent(), { timeout: 30_000 }).toBe(text);

async function phonePage(): Promise<{ page: Page; problems: string[] }> {
  const page = await ctx.browser.newPage({ viewport, locale: "en-US", isMobile: true, hasTouch: true });
  return { page, problems: watchPage(page, ctx.server.url).problems };
}

/** Starts the published script whose picker label contains `label` and says `words`. */
async function startAndSay(page: Page, label: string, words: string) {
  await page.goto(`${ctx.server.url}/`);
  const option = page.locator("#script-select option", { hasText: label });
  await page.locator("#script-select").selectOption((await option.getAttribute("value"))!);
  await page.getByRole("button", { name: "Start" }).click();
  await statusIs(page, "Waiting for you");
  await page.getByLabel("Your message").fill(words);
  await page.keyboard.press("Enter");
  await expect.poll(() => page.locator("#crisis-panel").isVisible(), { timeout: 30_000 }).toBe(true);
  await statusIs(page, "Waiting for you");
}

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Where things are on screen: the Close button and the input with the element
 * the browser finds at their centres, and the part of the last message that
 * the transcript shows (its scroll clips it), with the element at its centre.
 */
function layout(page: Page) {
  return page.evaluate(() => {
    const box = (el: Element): Box => {
      const { top, bottom, left, right } = el.getBoundingClientRect();
      return { top, bottom, left, right };
    };
    const hitAt = (b: Box, target: Element) => {
      const found = document.elementFromPoint((b.left + b.right) / 2, (b.top + b.bottom) / 2);
      return !!found && (found === target || target.contains(found));
    };
    const close = document.getElementById("crisis-close")!;
    const input = document.getElementById("chat-input")!;
    const last = document.querySelector("#chat-transcript li:last-child")!;
    const transcript = box(document.getElementById("chat-transcript")!);
    const lastBox = box(last);
    const shown = { ...lastBox, top: Math.max(lastBox.top, transcript.top), bottom: Math.min(lastBox.bottom, transcript.bottom) };
    return {
      panel: box(document.getElementById("crisis-panel")!),
      close: box(close),
      closeHit: hitAt(box(close), close),
      input: box(input),
      inputHit: hitAt(box(input), input),
      last: lastBox,
      lastShown: shown,
      lastHit: hitAt(shown, last),
      lastIsAssistant: last.classList.contains("assistant"),
      body: box(document.getElementById("crisis-body")!),
      firstPhone: box(document.querySelector("#crisis-lines a[href^='tel:']")!),
      pageHeight: document.documentElement.scrollHeight,
    };
  });
}

const overlaps = (a: Box, b: Box) => a.top < b.bottom && b.top < a.bottom && a.left < b.right && b.left < a.right;
const onScreen = (b: Box) => b.top >= 0 && b.left >= 0 && b.bottom <= viewport.height && b.right <= viewport.width;

/** The panel is open and leaves the conversation usable: the checks the issue asks for on a phone. */
async function expectPanelBesideConversation(page: Page) {
  const at = await layout(page);
  expect(onScreen(at.close), "Close on screen").toBe(true);
  expect(at.closeHit, "nothing covers Close").toBe(true);
  expect(onScreen(at.input), "input on screen").toBe(true);
  expect(overlaps(at.input, at.panel), "panel covers the input").toBe(false);
  expect(at.inputHit, "the input is what is at its centre").toBe(true);
  expect(at.lastIsAssistant).toBe(true);
  // The transcript follows its end: the last message's bottom is in view, and its shown part is clear of the panel.
  expect(at.last.bottom).toBeLessThanOrEqual(at.lastShown.bottom + 1);
  expect(at.lastShown.bottom - at.lastShown.top).toBeGreaterThan(40);
  expect(overlaps(at.lastShown, at.panel), "panel covers the last message").toBe(false);
  expect(at.lastHit, "the last message is what is at its centre").toBe(true);
  // The first line's number shows without scrolling the panel, and the page itself does not scroll.
  expect(at.firstPhone.top).toBeGreaterThanOrEqual(at.body.top);
  expect(at.firstPhone.bottom).toBeLessThanOrEqual(at.body.bottom);
  expect(at.pageHeight).toBeLessThanOrEqual(viewport.height);
}

describe("crisis panel on a phone", () => {
  it("opens on crisis words with the server's lines, beside the conversation; stays reachable after Close; is open again after a reload", async () => {
    const { page, problems } = await phonePage();
    const asked = page.waitForRequest((r) => r.url().includes("/api/crisis-resources?locale=en"));
    await startAndSay(page, "First session (intake)", "I want to kill myself");
    await asked;
    const panel = page.locator("#crisis-panel");
    expect(await panel.getAttribute("class")).toContain("urgent");
    expect(await page.getByRole("alert").textContent()).toContain("You deserve support right now");
    const lines = await page.locator("#crisis-lines").textContent();
    expect(lines).toContain("988 Suicide & Crisis Lifeline");
    expect(lines).toContain("Text HOME to 741741");
    expect(lines).not.toMatch(/\b110\b|police/i);
    await expectPanelBesideConversation(page);
    await screenshot(page, "crisis-phone");

    // Closed, it is one tap away (the danger line's button), and the conversation has the room back.
    await page.getByRole("button", { name: "Close" }).click();
    expect(await panel.isVisible()).toBe(false);
    const toggle = page.getByRole("button", { name: "Crisis resources" });
    expect(await toggle.isVisible()).toBe(true);
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await toggle.click();
    expect(await panel.isVisible()).toBe(true);
    expect(await page.locator("#crisis-lines").textContent()).toContain("988");
    await page.getByRole("button", { name: "Close" }).click();

    // A reload of the flagged session opens it again, as prominently: from the session's riskLevel as the
    // server keeps it, with the page's own note of the flag removed first.
    await page.evaluate(() => {
      for (const key of Object.keys(sessionStorage)) if (key.endsWith(".flagged")) sessionStorage.removeItem(key);
    });
    await page.reload();
    await statusIs(page, "Waiting for you");
    await expect.poll(() => panel.isVisible()).toBe(true);
    expect(await panel.getAttribute("class")).toContain("urgent");
    await expect.poll(() => page.locator("#crisis-lines").textContent()).toContain("988");
    await expectPanelBesideConversation(page);

    expect(problems).toEqual([]);
    await page.close();
  });

  it("lists the server's lines of the session's language (a Chinese script under the English page)", async () => {
    const { page, problems } = await phonePage();
    const asked = page.waitForResponse((r) => r.url().includes("/api/crisis-resources?locale=zh-CN"));
    await startAndSay(page, "初次", "我不想活了");
    expect((await asked).status()).toBe(200);
    const lines = await page.locator("#crisis-lines").textContent();
    expect(lines).toContain("全国心理援助热线: 12356");
    // The configured table, not the built-in one (which has 希望24热线 and no 本地测试热线).
    await expect.poll(() => page.locator("#crisis-lines").textContent()).toContain("本地测试热线: 0571-0000-1234 (24小时)");
    expect(await page.locator("#crisis-lines li").count()).toBe(configuredZh.length);
    expect(lines).not.toContain("988");
    expect(await page.locator("#crisis-lines").getAttribute("lang")).toBe("zh-CN");
    await expectPanelBesideConversation(page);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the built-in lines when the server cannot be asked for them", async () => {
    const { page } = await phonePage();
    let refused = 0;
    await page.route("**/api/crisis-resources*", (route) => {
      refused++;
      return route.abort("connectionrefused");
    });
    await startAndSay(page, "First session (intake)", "I want to kill myself");
    expect(refused).toBeGreaterThan(0);
    const lines = await page.locator("#crisis-lines").textContent();
    expect(lines).toContain("988 Suicide & Crisis Lifeline");
    expect(lines).toContain("911");
    await page.close();
  });
});
