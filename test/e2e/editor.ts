/** Typing into the author view's editor (#yaml), shared by the author view's browser tests. */
import type { Page } from "playwright-core";
import { expect } from "vitest";

/** Replaces the first `find` in the editor by typing, as a person would; returns the line it was on. */
export async function typeOver(page: Page, find: string, replacement: string): Promise<number> {
  const editor = page.locator("#yaml");
  const text = await editor.inputValue();
  const at = text.indexOf(find);
  expect(at).toBeGreaterThan(-1);
  await editor.evaluate(
    (el: HTMLTextAreaElement, [from, to]) => {
      el.focus();
      el.setSelectionRange(from!, to!);
    },
    [at, at + find.length],
  );
  await page.keyboard.type(replacement);
  return text.slice(0, at).split("\n").length;
}
