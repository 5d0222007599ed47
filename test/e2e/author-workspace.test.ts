/**
 * The author workspace in a real browser against `npm run dev` with a fresh
 * state: a development author sees the sample project, creates a project,
 * adds a session script and a test file, sees the test fail (and publishing
 * refused for it), fixes the script, publishes 1.0.0 (after a refusal for an
 * error, shown in the dialog), edits and publishes 1.1.0, compares the two,
 * rolls back, and a client page started afterwards speaks 1.0.0's words. A reload mid-edit
 * loses nothing; at 1280 px a debug session leaves the editor 600 px and more.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, viewports, watchPage } from "./browser";
import { sampleYaml } from "./expected";
import { typeOver } from "./editor";
import { serverAndBrowser } from "./harness";

const ctx = serverAndBrowser();

const ONE = "Hello from version one.";
/** Holds for both versions' words, so it gates the first publish and lets the second through. */
const CHECKIN_TEST = `script: sessions/checkin.yaml
cases:
  - name: greets with the check-in words
    steps:
      - start: true
        expect:
          contains: Hello from version
`;
const TWO = "Hello from version two.";

async function signIn(page: Page, button = "Sign in as a development author") {
  await page.goto(`${ctx.server.url}/author`);
  await page.getByRole("button", { name: button }).click();
  await page.locator("#signed-in").waitFor();
  await page.locator("#yaml").waitFor();
}

const saved = (page: Page) => expect.poll(() => page.locator("#save-state").getAttribute("data-state"), { timeout: 15_000 }).toBe("saved");

async function publish(page: Page, version: string, note: string) {
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Publish a version" });
  await dialog.waitFor();
  expect(await dialog.getByLabel("Version number").inputValue()).toBe(version);
  await dialog.getByLabel("Release note").fill(note);
  await dialog.getByRole("button", { name: "Publish" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.locator(`#versions li.current[data-version="${version}"]`).waitFor();
}

async function confirm(page: Page, title: string, button: string) {
  const dialog = page.getByRole("dialog", { name: title });
  await dialog.waitFor();
  await dialog.getByRole("button", { name: button }).click();
  await dialog.waitFor({ state: "detached" });
}

describe("author workspace", () => {
  it("creates, publishes, compares and rolls back a project; clients then meet the rolled-back words", async () => {
    const page = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "en-US" });
    const watch = watchPage(page, ctx.server.url);
    const browserDialogs: string[] = [];
    page.on("dialog", (d) => {
      browserDialogs.push(d.type());
      void d.accept();
    });
    await signIn(page);

    // The development author has the sample project of their own.
    expect(await page.locator("#project-select option:checked").textContent()).toBe("HeartRule samples");
    expect(await page.locator("#file-tree button.file").allTextContents()).toEqual([
      "intake_en.yaml",
      "intake_zh.yaml",
      "intake_en.test.yaml",
      "intake_en_model.test.yaml",
      "intake_zh.test.yaml",
      "globals.yaml",
    ]);

    // A new, blank project.
    await page.getByRole("button", { name: "New project" }).click();
    const create = page.getByRole("dialog", { name: "Create a project" });
    await create.getByLabel("Name").fill("E2E check-in");
    await create.getByLabel("Start from").selectOption("blank");
    await create.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => page.locator("#project-select option:checked").textContent()).toBe("E2E check-in");
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe("sessions/hello_world.yaml");

    // Deleting asks first and can be undone; then it goes for good.
    await page.getByRole("button", { name: "Delete" }).click();
    await confirm(page, "Delete sessions/hello_world.yaml?", "Delete");
    await expect.poll(() => page.locator('#file-tree button[data-path="sessions/hello_world.yaml"]').count()).toBe(0);
    await page.locator("#ws-notices").getByRole("button", { name: "Undo" }).click();
    await page.locator('#file-tree button[data-path="sessions/hello_world.yaml"]').waitFor();
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe("sessions/hello_world.yaml");
    await page.getByRole("button", { name: "Delete" }).click();
    await confirm(page, "Delete sessions/hello_world.yaml?", "Delete");
    await expect.poll(() => page.locator('#file-tree button[data-path="sessions/hello_world.yaml"]').count()).toBe(0);

    // A session script of its own.
    await page.getByRole("button", { name: "New file" }).click();
    const add = page.getByRole("dialog", { name: "Add a file" });
    await add.getByLabel("Kind").selectOption("session");
    await add.getByLabel("Name", { exact: true }).fill("checkin");
    await add.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe("sessions/checkin.yaml");

    // A test of it that fails: the script still greets with the starter's words.
    await page.getByRole("button", { name: "New file" }).click();
    await add.getByLabel("Kind").selectOption("test");
    await add.getByLabel("Name", { exact: true }).fill("checkin");
    await add.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe("tests/checkin.test.yaml");
    await page.locator("#yaml").fill(CHECKIN_TEST);
    await saved(page);
    await expect.poll(() => page.locator("#diag-summary").textContent()).toBe("No problems found.");
    await page.getByRole("tab", { name: "Tests" }).click();
    await page.getByRole("button", { name: "Run the tests" }).click();
    await expect.poll(() => page.locator("#test-summary").textContent(), { timeout: 30_000 }).toMatch(/^0 of 1 passed/);
    const failing = page.locator('#test-results li.case.failed[data-case="greets with the check-in words"]');
    expect(await failing.locator(".failure").textContent()).toContain("Step 1, line 7:");
    await failing.scrollIntoViewIfNeeded();
    await screenshot(page, "author-tests-failed");
    // Its step opens the test file at the expectation's line.
    await failing.locator(".failure button.where").click();
    await expect
      .poll(() => page.locator("#yaml").evaluate((el: HTMLTextAreaElement) => el.value.slice(0, el.selectionStart).split("\n").length))
      .toBe(7);

    // Publishing is refused while it fails, with the report in the dialog.
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    const gated = page.getByRole("dialog", { name: "Publish a version" });
    await gated.getByRole("button", { name: "Publish" }).click();
    await gated.locator('.test-report li.case.failed[data-case="greets with the check-in words"]').waitFor();
    expect(await gated.locator(".problem").textContent()).toContain("TESTS_FAILED");
    // An author cannot publish past them; only an admin is offered that.
    expect(await gated.locator("#publish-force").isVisible()).toBe(false);
    await gated.getByRole("button", { name: "Cancel" }).click();

    // The script fixed: the test passes.
    await page.locator('#file-tree button[data-path="sessions/checkin.yaml"]').click();
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe("sessions/checkin.yaml");
    await typeOver(page, "Welcome. I'm glad you're here, and there is no hurry.", ONE);
    await typeOver(page, "session_name: Hello world", "session_name: Check-in");
    await saved(page);
    await page.getByRole("button", { name: "Run the tests" }).click();
    await expect.poll(() => page.locator("#test-summary").textContent(), { timeout: 30_000 }).toMatch(/^1 of 1 passed/);
    await page.getByRole("tab", { name: "Versions" }).click();

    // A reload mid-edit loses nothing: the text comes back and reaches the server.
    await typeOver(page, "How have you been lately?", "How has this week been?");
    await page.reload();
    expect(browserDialogs).toEqual(["beforeunload"]);
    await page.locator("#yaml").waitFor();
    await expect.poll(() => page.locator("#yaml").inputValue()).toContain("How has this week been?");
    await saved(page);

    // Publishing a script with an error is refused in the dialog, which points at the line.
    await typeOver(page, "max_rounds: 1", "max_roudns: 1");
    await saved(page);
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    const refused = page.getByRole("dialog", { name: "Publish a version" });
    await refused.getByRole("button", { name: "Publish" }).click();
    await refused.locator("#publish-refusal").waitFor();
    expect(await refused.locator("#publish-refusal").textContent()).toMatch(/sessions\/checkin\.yaml:\d+:\d+/);
    await screenshot(page, "author-publish-refused");
    await refused.getByRole("button", { name: "Cancel" }).click();
    await typeOver(page, "max_roudns: 1", "max_rounds: 1");
    await saved(page);

    await publish(page, "1.0.0", "First check-in");
    await typeOver(page, ONE, TWO);
    await saved(page);
    await publish(page, "1.1.0", "New greeting");

    // The difference between the two, side by side, then unified.
    await page.getByLabel("From", { exact: true }).selectOption({ label: "1.0.0" });
    await page.getByLabel("To", { exact: true }).selectOption({ label: "1.1.0" });
    await page.getByRole("button", { name: "Show the differences" }).click();
    const diff = page.locator("#diff-view");
    await diff.waitFor();
    expect(await diff.locator("#diff-summary").textContent()).toBe("1.0.0 → 1.1.0: 1 modified, 0 added, 0 removed, 2 unchanged");
    expect(await diff.locator("td.code.del").allTextContents()).toEqual([expect.stringContaining(ONE)]);
    expect(await diff.locator("td.code.add").allTextContents()).toEqual([expect.stringContaining(TWO)]);
    await screenshot(page, "author-diff");
    await page.getByLabel("Layout", { exact: true }).selectOption("unified");
    await expect.poll(() => page.locator("#diff-view").getAttribute("data-layout")).toBe("unified");
    expect(await page.locator("#diff-view tr.del td.code").allTextContents()).toEqual([expect.stringContaining(ONE)]);
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "Differences from 1.0.0 to 1.1.0" }).waitFor({ state: "detached" });

    // Rollback asks first, publishes 1.1.1 with 1.0.0's files and puts them in the editor.
    await page.locator('[data-rollback="1.0.0"]').click();
    await confirm(page, "Roll back to version 1.0.0?", "Roll back to 1.0.0");
    await page.locator('#versions li.current[data-version="1.1.1"]').waitFor();
    await expect.poll(() => page.locator("#yaml").inputValue()).toContain(ONE);

    // The audit trail has it all.
    await page.getByRole("tab", { name: "Audit" }).click();
    await expect
      .poll(() => page.locator("#audit li").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.action)))
      .toEqual(expect.arrayContaining(["version.rollback", "version.publish", "file.delete", "file.create", "project.create"]));

    // A client starting now meets 1.0.0's words.
    const client = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "en-US" });
    await client.goto(`${ctx.server.url}/`);
    const option = client.locator("#script-select option", { hasText: "Check-in" });
    await option.waitFor({ state: "attached" });
    await client.locator("#script-select").selectOption({ label: (await option.textContent())! });
    await client.getByRole("button", { name: "Start" }).click();
    await expect.poll(() => client.locator("#chat-transcript li.assistant .text").first().textContent(), { timeout: 30_000 }).toBe(ONE);
    await client.close();

    // Archiving asks first and can be undone.
    await page.getByRole("button", { name: "Archive" }).click();
    await confirm(page, "Archive this project?", "Archive");
    await expect.poll(() => page.locator("#project-status").getAttribute("data-status")).toBe("archived");
    await expect.poll(() => page.locator("#yaml").getAttribute("readonly")).toBe("");
    expect(await page.locator("#new-file").isDisabled()).toBe(true);
    await page.locator("#ws-notices").getByRole("button", { name: "Undo" }).click();
    await expect.poll(() => page.locator("#project-status").getAttribute("data-status")).toBe("published");
    // The failed requests are the two refused publishes, which the browser reports on its console.
    expect(watch.problems).toEqual(
      Array(2).fill("console error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"),
    );
    await page.close();
  });

  it("adds technique scripts and templates, renames, loads the sample only when asked, and restores edits that never reached the server (each with an undo)", async () => {
    const page = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "en-US" });
    const watch = watchPage(page, ctx.server.url);
    await signIn(page);
    const add = page.getByRole("dialog", { name: "Add a file" });

    await page.getByRole("button", { name: "New file" }).click();
    await add.getByLabel("Kind").selectOption("technique");
    await add.getByLabel("Name", { exact: true }).fill("breathing");
    await add.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe("techniques/breathing.yaml");
    await expect.poll(() => page.locator("#diag-summary").textContent()).toBe("No problems found.");
    expect(await page.locator('.tree-group[data-group="technique"] button.file').allTextContents()).toEqual(["breathing.yaml"]);

    // A template starts from the engine's own text of it.
    await page.getByRole("button", { name: "New file" }).click();
    await add.getByLabel("Kind").selectOption("template");
    const templates = add.getByLabel("Template (starts from the built-in text)");
    await expect.poll(() => templates.locator("option").count()).toBeGreaterThan(0);
    const templateName = await templates.inputValue();
    await add.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe(`templates/custom/${templateName}.md`);
    expect((await page.locator("#yaml").inputValue()).length).toBeGreaterThan(0);
    await expect.poll(() => page.locator("#diag-summary").textContent()).toBe("No problems found.");

    await page.getByRole("button", { name: "Rename" }).click();
    const rename = page.getByRole("dialog", { name: "Rename or move the file" });
    await rename.getByLabel("New path").fill(`templates/gentle/${templateName}.md`);
    await rename.getByRole("button", { name: "Rename" }).click();
    await page.locator(`#file-tree button[data-path="templates/gentle/${templateName}.md"]`).waitFor();
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe(`templates/gentle/${templateName}.md`);
    expect(await page.locator('#file-tree button[data-path^="templates/custom/"]').count()).toBe(0);

    // Loading the sample asks first, replaces the text, and can be undone.
    await page.locator('#file-tree button[data-path="sessions/intake_zh.yaml"]').click();
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe("sessions/intake_zh.yaml");
    const mine = await page.locator("#yaml").inputValue();
    await page.getByRole("button", { name: "Load the sample script" }).click();
    await confirm(page, "Replace this file with the sample script?", "Load the sample script");
    await expect.poll(() => page.locator("#yaml").inputValue()).toBe(sampleYaml("en"));
    await page.locator("#ws-notices").getByRole("button", { name: "Undo" }).click();
    await expect.poll(() => page.locator("#yaml").inputValue()).toBe(mine);
    await saved(page);

    // Edits this browser kept but never saved, typed over a text the server has replaced since: restored, with an undo.
    await page.evaluate(() => {
      const id = localStorage.getItem("heartrule.author.file");
      localStorage.setItem(`heartrule.author.unsaved.${id}`, JSON.stringify({ text: "# typed offline\n", base: "an older text" }));
    });
    await page.reload();
    await expect.poll(() => page.locator("#yaml").inputValue()).toBe("# typed offline\n");
    expect(await page.locator("#ws-notices").textContent()).toContain(
      "Your edits of sessions/intake_zh.yaml that had not reached the server were restored from this browser, over a newer text saved elsewhere",
    );
    await saved(page);
    await page.locator("#ws-notices").getByRole("button", { name: "Undo" }).click();
    await expect.poll(() => page.locator("#yaml").inputValue()).toBe(mine);
    await saved(page);
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it("keeps the editor 600 px wide and more beside a debug session at 1280 px, with a keyboard-resizable divider", async () => {
    const page = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "en-US" });
    const watch = watchPage(page, ctx.server.url);
    await signIn(page);
    await expect.poll(() => page.locator("#run").isEnabled(), { timeout: 15_000 }).toBe(true);
    await page.getByRole("button", { name: "Run in a debug session" }).click();
    await expect.poll(() => page.locator("#debug-status").textContent(), { timeout: 30_000 }).toBe("Waiting for you");
    const width = () => page.locator("#yaml").evaluate((el) => el.getBoundingClientRect().width);
    expect(await width()).toBeGreaterThanOrEqual(600);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "author-workspace-debug");

    // The divider: focus it and narrow the side pane with the arrow keys; widening it stops where the editor keeps 600 px.
    const divider = page.getByRole("separator", { name: "Resize the side panel" });
    const before = Number(await divider.getAttribute("aria-valuenow"));
    await divider.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    expect(Number(await divider.getAttribute("aria-valuenow"))).toBe(before - 48);
    expect(await width()).toBeGreaterThanOrEqual(600 + 48);
    await page.keyboard.press("Home");
    expect(Number(await divider.getAttribute("aria-valuenow"))).toBeGreaterThanOrEqual(before);
    expect(Math.round(await width())).toBeGreaterThanOrEqual(600);
    await page.keyboard.press("End");
    expect(Number(await divider.getAttribute("aria-valuenow"))).toBe(280);
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it("works on a tablet held upright: taps open files and dialogs, nothing scrolls sideways", async () => {
    const tablet = { width: 768, height: 1024 };
    const page = await ctx.browser.newPage({ viewport: tablet, hasTouch: true, locale: "en-US" });
    const watch = watchPage(page, ctx.server.url);
    await signIn(page);
    await page.locator('#file-tree button[data-path="tests/intake_en.test.yaml"]').tap();
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe("tests/intake_en.test.yaml");
    await page.getByRole("tab", { name: "Tests" }).tap();
    await page.getByRole("button", { name: "Run the tests" }).tap();
    await expect.poll(() => page.locator("#test-summary").getAttribute("data-state"), { timeout: 60_000 }).toBe("passed");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(tablet.width);
    await page.getByRole("button", { name: "New project" }).tap();
    await page.getByRole("dialog", { name: "Create a project" }).waitFor();
    await page.keyboard.press("Escape");
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "author-tablet");
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it("lets an admin publish past failing tests when they choose to, and records it; another browser opens what was saved", async () => {
    const minted = await fetch(`${ctx.server.url}/api/auth/dev-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: "e2e-admin", role: "admin" }),
    });
    const { token } = (await minted.json()) as { token: string };
    const asAdmin = async (path: string, body: unknown) => {
      const res = await fetch(`${ctx.server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string };
    };
    const project = await asAdmin("/api/projects", { projectName: "E2E forced", language: "en", template: "blank" });
    await asAdmin(`/api/projects/${project.id}/files`, {
      path: "tests/hello.test.yaml",
      content:
        "script: sessions/hello_world.yaml\ncases:\n  - name: says what it never says\n    steps:\n      - start: true\n        expect:\n          contains: Not in the script\n",
    });

    const page = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "en-US" });
    const watch = watchPage(page, ctx.server.url);
    await page.goto(`${ctx.server.url}/author#token=${token}`);
    await page.locator("#signed-in").waitFor();
    await page.locator("#project-select").selectOption({ label: "E2E forced" });
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe("sessions/hello_world.yaml");
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Publish a version" });
    await dialog.getByRole("button", { name: "Publish" }).click();
    await dialog.locator('.test-report li.case.failed[data-case="says what it never says"]').waitFor();
    await dialog.getByLabel("Publish anyway, although tests fail (admins only; recorded in the audit trail)").check();
    await dialog.getByRole("button", { name: "Publish" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.locator('#versions li.current[data-version="1.0.0"]').waitFor();
    await page.getByRole("tab", { name: "Audit" }).click();
    await expect
      .poll(() => page.locator('#audit li[data-action="version.publish"] .badge.forced').textContent())
      .toBe("forced past 1 failing test(s)");
    // Another browser with the same sign-in opens what this one saved.
    await page.locator("#yaml").waitFor();
    await typeOver(page, "Welcome.", "Welcome back.");
    await saved(page);
    const other = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "en-US" });
    await other.goto(`${ctx.server.url}/author#token=${token}`);
    await other.locator("#signed-in").waitFor();
    await other.locator("#project-select").selectOption({ label: "E2E forced" });
    await expect.poll(() => other.locator("#editor-title").textContent()).toBe("sessions/hello_world.yaml");
    await expect.poll(() => other.locator("#yaml").inputValue()).toContain("Welcome back.");
    await other.close();
    // The one failed request is the refused first try.
    expect(watch.problems).toEqual(["console error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"]);
    await page.close();
  });

  it("speaks Chinese to a Chinese browser", async () => {
    const page = await ctx.browser.newPage({ viewport: viewports.desktop, locale: "zh-CN" });
    await signIn(page, "以开发作者身份登录");
    expect(await page.locator("#save-state").textContent()).toBe("所有更改已保存");
    expect(await page.getByRole("tab").allTextContents()).toEqual(["版本", "测试", "审计", "调试"]);
    await page.locator('#file-tree button[data-path="sessions/intake_zh.yaml"]').click();
    await expect.poll(() => page.locator("#editor-title").textContent()).toBe("sessions/intake_zh.yaml");
    await screenshot(page, "author-workspace-zh");
    await page.getByRole("button", { name: "新建项目" }).click();
    await page.getByRole("dialog", { name: "创建项目" }).waitFor();
    await screenshot(page, "author-new-project-zh");
    await page.close();
  });
});
