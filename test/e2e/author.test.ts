/**
 * The author view in a real browser: development sign-in opens the author's
 * copy of the sample project on its first session script, checked as it
 * loads; a typo typed into the editor is reported at its line (in the list
 * and the gutter) within the debounce, and fixed again.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, viewports, watchPage } from "./browser";
import { typeOver } from "./editor";
import { serverAndBrowser } from "./harness";
import { expectedConversation, sampleAnswers, sampleYaml } from "./expected";

const ctx = serverAndBrowser();

async function signIn(page: Page) {
  await page.goto(`${ctx.server.url}/author`);
  await page.getByRole("button", { name: "Sign in as a development author" }).click();
  await page.locator("#signed-in").waitFor();
  await page.locator("#yaml").waitFor();
  await expect.poll(() => page.locator("#diag-summary").textContent()).toBe("No problems found.");
}

describe("author view", () => {
  it("shows a typo's diagnostic at its line as you type, and clears it when fixed", async () => {
    const page = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "en-US" });
    const watch = watchPage(page, ctx.server.url);
    await signIn(page);
    expect(await page.locator("#yaml").inputValue()).toBe(sampleYaml("en"));
    await expect.poll(() => page.locator("#run").isEnabled()).toBe(true);

    // A misspelt field name inside the third action.
    const line = await typeOver(page, "max_rounds: 3", "max_roudns: 3");
    const diagnostic = page.locator(`#diagnostics li.error[data-line="${line}"]`);
    await diagnostic.waitFor();
    expect(await diagnostic.locator("button.where").textContent()).toMatch(new RegExp(`^${line}:\\d+$`));
    expect(await diagnostic.textContent()).toContain("max_roudns");
    expect(await page.locator(`.gutter .ln.error[data-line="${line}"]`).count()).toBe(1);
    expect(await page.locator("#diag-summary").textContent()).toMatch(/^1 error\(s\)/);
    expect(await page.locator("#run").isDisabled()).toBe(true);

    // The line:column button puts the caret on that line.
    await diagnostic.locator("button.where").click();
    const caretLine = await page.locator("#yaml").evaluate((el: HTMLTextAreaElement) => el.value.slice(0, el.selectionStart).split("\n").length);
    expect(caretLine).toBe(line);
    await screenshot(page, "author-diagnostics");

    await typeOver(page, "max_roudns: 3", "max_rounds: 3");
    await expect.poll(() => page.locator("#diag-summary").textContent()).toBe("No problems found.");
    expect(await page.locator(".gutter .ln.error").count()).toBe(0);
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it("runs the script in a debug session with the position, the variables and the model calls beside the chat", async () => {
    const expected = await expectedConversation(sampleYaml("en"), sampleAnswers);
    const page = await ctx.browser.newPage({ viewport: viewports.wide, locale: "en-US" });
    const watch = watchPage(page, ctx.server.url);
    await signIn(page);
    await page.getByRole("button", { name: "Run in a debug session" }).click();
    const status = page.locator("#debug-status");
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe("Waiting for you");
    const input = page.getByLabel("Your message");
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);

    // The opening turn: greet said, ask_name waiting in its first round.
    await page.locator("#debug-calls .turn").first().waitFor();
    expect(await page.locator("#debug-position [aria-current=step]").getAttribute("data-action")).toBe("ask_name");
    expect(await page.locator("#debug-position .action.done").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.action))).toEqual([
      "greet",
    ]);

    for (const [i, answer] of sampleAnswers.slice(0, 3).entries()) {
      await page.keyboard.type(answer);
      await page.keyboard.press("Enter");
      await expect.poll(() => page.locator("#debug-calls .turn").count(), { timeout: 30_000 }).toBe(i + 2);
      await expect.poll(() => status.textContent()).toBe("Waiting for you");
    }
    expect(await page.locator("#debug-transcript li.assistant .text").allTextContents()).toEqual(expected.turns.slice(0, 4).flat());
    // After the mood answer: the script waits in ask_sleep; mood_score is this turn's change.
    expect(await page.locator("#debug-position [aria-current=step]").getAttribute("data-action")).toBe("ask_sleep");
    const session = page.locator('#debug-variables [data-scope="session"]');
    await expect
      .poll(() => session.locator("dt.changed").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name)))
      .toEqual(["mood_score"]);
    expect(await session.locator("dd").allTextContents()).toEqual(expect.arrayContaining(["Sam", sampleAnswers[1], sampleAnswers[2]]));
    // Each model call of the latest turn: its action, prompt and reply.
    const latest = page.locator("#debug-calls .turn").first();
    const calls = latest.locator("details.call");
    expect(await calls.count()).toBeGreaterThan(0);
    expect(await calls.first().locator("summary").textContent()).toMatch(/^rate_mood · \w+ · .* tokens · \d+ ms$/);
    await calls.first().locator("summary").click();
    expect((await calls.first().locator("pre").first().textContent())!.length).toBeGreaterThan(0);

    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "author-desktop");
    // The opened model call (prompt, reply, tokens, latency) sits below the fold: a picture of its own.
    await calls
      .first()
      .locator("summary")
      .evaluate((el) => {
        el.scrollIntoView({ block: "start" });
        window.scrollBy(0, -(document.querySelector(".notice")?.getBoundingClientRect().height ?? 0) - 16); // clear of the sticky disclosure
      });
    await screenshot(page, "author-model-calls");
    await page.setViewportSize(viewports.phone);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewports.phone.width);
    await screenshot(page, "author-phone");
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it("follows a Chinese browser: Chinese labels and Chinese diagnostics", async () => {
    const page = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "zh-CN" });
    await page.goto(`${ctx.server.url}/author`);
    expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");
    expect(await page.locator("#disclosure").textContent()).toBe("你正在与 AI 助手交谈，而不是心理治疗师。");
    await page.getByRole("button", { name: "以开发作者身份登录" }).click();
    await page.locator("#signed-in").waitFor();
    await page.locator('#file-tree button[data-path="sessions/intake_zh.yaml"]').click();
    await expect.poll(() => page.locator("#yaml").inputValue()).toBe(sampleYaml("zh"));
    await expect.poll(() => page.locator("#diag-summary").textContent()).toBe("没有发现问题。");
    const line = await typeOver(page, "session_id:", "sesion_id:");
    const diagnostic = page.locator(`#diagnostics li.error[data-line="${line}"]`);
    await diagnostic.waitFor();
    expect(await diagnostic.locator(".severity").textContent()).toBe("错误");
    expect(await diagnostic.locator(".message").textContent()).toMatch(/[\u4e00-\u9fff]/);
    await page.close();
  });
});
