/**
 * The Tests panel: runs the project's conversation tests (tests/*.test.yaml)
 * on the draft and shows each case passed or failed, with the failing step,
 * what was expected and what came; a case's line opens the test file there.
 */
import { ApiError } from "../client/api";
import type { Strings } from "../client/i18n";
import { h } from "../ui/dom";
import type { TestReport } from "../../authoring/testing/report";
import type { WorkspaceApi } from "./workspace-api";

export function renderReport(t: Strings, report: TestReport, goTo: (path: string, line: number) => void): HTMLElement {
  const passedCases = report.files.reduce((n, f) => n + f.cases.filter((c) => c.passed).length, 0);
  const where = (path: string, line: number, text: string) => {
    const button = h("button", { type: "button", class: "link-button where", "aria-label": t.ws.openAt(path, line) }, text);
    button.addEventListener("click", () => goTo(path, line));
    return button;
  };
  return h(
    "div",
    { class: "test-report" },
    h(
      "p",
      { class: "test-summary", id: "test-summary", "data-state": report.passed ? "passed" : "failed" },
      report.total === 0 && report.files.length === 0 ? t.ws.noTests : t.ws.testSummary(passedCases, report.total, Math.round(report.durationMs)),
    ),
    ...report.files.map((file) =>
      h(
        "section",
        { class: "test-file", "data-path": file.path },
        h("h4", {}, file.path),
        file.error
          ? h(
              "p",
              { class: "problem file-error" },
              file.error.line ? where(file.path, file.error.line, `${t.ws.line(file.error.line)}:`) : null,
              ` ${file.error.message}`,
            )
          : null,
        h(
          "ul",
          { class: "test-cases" },
          ...file.cases.map((c) =>
            h(
              "li",
              { class: c.passed ? "case passed" : "case failed", "data-case": c.name },
              h("span", { class: "verdict" }, c.passed ? `✓ ${t.ws.passed}` : `✗ ${t.ws.failed}`),
              " ",
              where(file.path, c.line, `${c.name} (${t.ws.line(c.line)})`),
              c.failure
                ? h(
                    "div",
                    { class: "failure" },
                    h("p", {}, where(file.path, c.failure.line, t.ws.failedStep(c.failure.step, c.failure.line)), ` ${c.failure.expectation}`),
                    h("p", { class: "message" }, c.failure.message),
                    h(
                      "dl",
                      {},
                      h("dt", {}, t.ws.expected),
                      h("dd", {}, h("code", {}, c.failure.expected)),
                      h("dt", {}, t.ws.got),
                      h("dd", {}, h("code", {}, c.failure.got)),
                    ),
                  )
                : null,
            ),
          ),
        ),
      ),
    ),
  );
}

export class TestsPanel {
  private readonly result = h("div", { id: "test-results", "aria-live": "polite" });
  private readonly run: HTMLButtonElement;

  constructor(
    readonly el: HTMLElement,
    private readonly t: Strings,
    private readonly ws: WorkspaceApi,
    private readonly projectId: () => string,
    private readonly flush: () => Promise<void>,
    private readonly goTo: (path: string, line: number) => void,
  ) {
    this.run = h("button", { type: "button", id: "run-tests" }, t.ws.runTests);
    this.run.addEventListener("click", () => void this.runTests());
    el.replaceChildren(h("h3", {}, t.ws.testsTitle), h("p", { class: "hint" }, t.ws.testsHint), this.run, this.result);
  }

  reset(): void {
    this.result.replaceChildren();
  }

  async runTests(): Promise<void> {
    this.run.disabled = true;
    this.result.replaceChildren(h("p", { class: "hint" }, this.t.ws.testsRunning));
    try {
      await this.flush();
      this.result.replaceChildren(renderReport(this.t, await this.ws.runTests(this.projectId()), this.goTo));
    } catch (err) {
      this.result.replaceChildren(h("p", { class: "problem", role: "alert" }, err instanceof ApiError ? `${err.detail} (${err.code})` : String(err)));
    } finally {
      this.run.disabled = false;
    }
  }
}
