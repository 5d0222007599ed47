/**
 * A counselor in the session, two pages at once against `npm run dev`: a client in crisis on the chat
 * page (a phone), a counselor on /console who sees the session appear in the live queue, takes it over,
 * and they exchange messages both ways in real time (with typing shown); the counselor hands back and
 * the script continues on the client's page.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, viewports, watchPage } from "./browser";
import { serverAndBrowser } from "./harness";

const ctx = serverAndBrowser();
const poll = { timeout: 30_000 };
const statusIs = (page: Page, text: string) => expect.poll(() => page.locator("#chat-status").textContent(), poll).toBe(text);

describe("a counselor takes over a client in crisis and hands back", () => {
  it("the queue, the take-over, messages and typing both ways, the hand-back", async () => {
    const client = await ctx.browser.newPage({ viewport: viewports.phone, locale: "en-US", isMobile: true, hasTouch: true });
    const clientProblems = watchPage(client, ctx.server.url).problems;
    const desk = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "en-US" });
    const deskProblems = watchPage(desk, ctx.server.url).problems;

    await desk.goto(`${ctx.server.url}/console`);
    await desk.getByRole("button", { name: "Sign in (development)" }).click();
    await expect.poll(() => desk.locator("#queue-title").isVisible(), poll).toBe(true);

    await client.goto(`${ctx.server.url}/`);
    const option = client.locator("#script-select option", { hasText: "Intake" }).first();
    await client.locator("#script-select").selectOption((await option.getAttribute("value"))!);
    await client.getByRole("button", { name: "Start" }).click();
    await statusIs(client, "Waiting for you");
    await client.getByLabel("Your message").fill("I want to kill myself");
    await client.keyboard.press("Enter");
    await expect.poll(() => client.locator("#crisis-panel").isVisible(), poll).toBe(true);
    await statusIs(client, "Waiting for you");

    // The session appears in the console's live queue without a reload.
    const entry = desk.locator(".queue-item[data-status=waiting]").first();
    await expect.poll(() => entry.isVisible(), poll).toBe(true);
    expect(await entry.textContent()).toMatch(/high/i);
    await entry.getByRole("button", { name: "Open" }).click();
    await expect.poll(() => desk.locator("#console-transcript li").count(), poll).toBeGreaterThan(2);
    await desk.locator("#console-name").fill("Alex");
    await desk.getByRole("button", { name: "Take over" }).click();
    await expect.poll(() => client.locator(".line.counselor").first().textContent(), poll).toContain("A counselor, Alex, has joined");
    await expect.poll(() => client.locator("#handoff-status").textContent(), poll).toBe("You are talking with Alex, a counselor.");

    await desk.locator("#console-message").fill("Hi, I'm Alex. I'm here with you.");
    await expect.poll(() => client.locator("#handoff-typing").textContent(), poll).toBe("The counselor is typing…");
    await desk.getByRole("button", { name: "Send", exact: true }).click();
    await expect.poll(() => client.locator(".line.counselor").last().textContent(), poll).toContain("Hi, I'm Alex. I'm here with you.");

    await client.getByLabel("Your message").fill("Thank you for coming");
    await expect.poll(() => desk.locator("#console-typing").textContent(), poll).toBe("The client is typing…");
    await client.keyboard.press("Enter");
    await expect.poll(() => desk.locator("#console-transcript").textContent(), poll).toContain("Thank you for coming");
    await screenshot(client, "counselor-client-phone");
    await screenshot(desk, "counselor-console");

    const aiLines = () => client.locator(".line.assistant").count();
    const before = await aiLines();
    await desk.getByRole("button", { name: "Hand back" }).click();
    await expect.poll(() => client.locator("#handoff-status").textContent(), poll).toBe("The AI assistant is back in the conversation.");
    await client.getByLabel("Your message").fill("No, I'm safe now, I won't hurt myself");
    await client.keyboard.press("Enter");
    await expect.poll(aiLines, poll).toBeGreaterThan(before);
    await statusIs(client, "Waiting for you");
    await screenshot(client, "counselor-handed-back");
    expect(clientProblems).toEqual([]);
    expect(deskProblems).toEqual([]);
  }, 180_000);
});
