/**
 * Runs conversation tests: each case starts a session of the test's script
 * in-process and drives the engine step by step, like `heartrule run`, with
 * the offline model (or the model the caller gives) or the case's scripted
 * replies; after each step its expectations are checked. A case stops at its
 * first failure. Used by `heartrule test`, the tests route and publish.
 */
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { start, step, type EngineMessage, type SessionState } from "../../engine";
import { createOfflineModel } from "../../llm/offline";
import { ScriptedModel } from "../../llm/scripted";
import type { DiagnosticLang } from "../globals";
import { firstMismatch, type SafetyEvent, type StepOutcome } from "./expect";
import type { TestCase } from "./format";
import { testMessages, type TestMessages } from "./messages";
import { parseTest, type ParsedTest, type Segment } from "./parse";
import { summarise, type TestCaseReport, type TestFailure, type TestFileReport, type TestReport } from "./report";
import { scriptSource, type ProjectFiles, type ScriptSource } from "./source";

export interface RunOptions {
  /** The model `model: offline` tests run with (default: the offline model); the CLI's --llm-base-url gives a real one. */
  model?: () => LanguageModelV3;
  /** The language of the report's sentences and of script diagnostics in file errors (default en). */
  lang?: DiagnosticLang;
  /** Clock for durations (ms). */
  now?: () => number;
  /** Most engine steps the run takes (default MAX_RUN_STEPS). */
  maxSteps?: number;
}

/**
 * Most engine steps one run takes, over all its files: a project's tests run inside a request
 * (and a publish), so their CPU time stays bounded whatever the test files ask for.
 */
export const MAX_RUN_STEPS = 5000;

/** The steps a run may still take, shared by its files and cases. */
interface Budget {
  left: number;
}

/** The files a test's `script:` and the rest of its project are read from (the CLI finds them beside or above the test file). */
export type FilesFor = (script: string, testPath: string) => ProjectFiles | Promise<ProjectFiles>;

const clock = () => performance.now();

function failureAt(parsed: ParsedTest, casePath: Segment[], stepIndex: number, at: Segment[] | null, f: Omit<TestFailure, "step" | "line">) {
  const stepPath = [...casePath, "steps", stepIndex];
  return { step: stepIndex + 1, line: parsed.lineOf(at ? [...stepPath, "expect", ...at] : stepPath), ...f };
}

function outcomeOf(result: Awaited<ReturnType<typeof step>>, safety: SafetyEvent[]): StepOutcome {
  return { result, state: result.state, text: result.messages.map((m: EngineMessage) => m.content).join("\n"), safety };
}

async function runCase(kase: TestCase, index: number, source: ScriptSource, parsed: ParsedTest, options: RunOptions, budget: Budget) {
  const casePath: Segment[] = ["cases", index];
  const t: TestMessages = testMessages[options.lang ?? "en"];
  const scripted = kase.replies ? new ScriptedModel(kase.replies) : null;
  const model = scripted ?? (options.model ?? createOfflineModel)();
  const { script, templates, crisisScript } = source;
  const engine = { model, templates, crisisScript };
  let state: SessionState = start(script, { variables: kase.variables ?? {}, globals: source.globals });
  const repliesLine = parsed.lineOf([...casePath, "replies"]);
  const outOfReplies = (stepIndex: number): TestFailure => ({
    step: stepIndex + 1,
    line: repliesLine,
    expectation: "replies",
    expected: `at most ${kase.replies?.length ?? 0} model calls`,
    got: `model call ${scripted?.calls ?? 0}`,
    message: t.outOfReplies(kase.replies?.length ?? 0),
  });

  const spent = (stepIndex: number) =>
    failureAt(parsed, casePath, stepIndex, null, {
      expectation: "budget",
      expected: `at most ${options.maxSteps ?? MAX_RUN_STEPS} steps in one run`,
      got: "more",
      message: t.budget,
    });
  // A case that begins with a client line still starts the session first: its opening lines are not checked.
  if (!kase.steps[0]?.start) {
    if (budget.left-- <= 0) return spent(0);
    const opening = await step(script, state, null, engine);
    if (scripted?.exhausted) return outOfReplies(0);
    if (opening.error) {
      return failureAt(parsed, casePath, 0, null, {
        expectation: "start",
        expected: "the session to start",
        got: `error (${opening.error.code}: ${opening.error.message})`,
        message: t.couldNotStart,
      });
    }
    state = opening.state;
  }
  for (const [i, s] of kase.steps.entries()) {
    if (s.client !== undefined && state.status === "completed") {
      return failureAt(parsed, casePath, i, null, {
        expectation: "client",
        expected: "the session to wait for the client",
        got: "completed",
        message: t.ended,
      });
    }
    if (budget.left-- <= 0) return spent(i);
    const safety: SafetyEvent[] = [];
    const result = await step(script, state, s.start ? null : (s.client ?? null), {
      ...engine,
      emit: (e) => (e.type === "safety" ? safety.push(e) : undefined),
    });
    if (scripted?.exhausted) return outOfReplies(i);
    const mismatch = firstMismatch(s.expect ?? {}, outcomeOf(result, safety), t);
    if (mismatch) {
      const { at, ...rest } = mismatch;
      return failureAt(parsed, casePath, i, at, rest);
    }
    state = result.state;
  }
  if (scripted && scripted.unused > 0) {
    return {
      step: kase.steps.length,
      line: repliesLine,
      expectation: "replies",
      expected: `${kase.replies!.length} model calls`,
      got: `${scripted.calls} model calls`,
      message: t.unusedReplies(scripted.unused),
    } satisfies TestFailure;
  }
  return null;
}

/** Runs one test file. A file that is not a valid test, or whose script cannot run, is reported with its error and no cases. */
export async function runTestFile(
  path: string,
  text: string,
  filesFor: FilesFor,
  options: RunOptions = {},
  budget: Budget = { left: options.maxSteps ?? MAX_RUN_STEPS },
): Promise<TestFileReport> {
  const parsed = parseTest(text);
  if (!("test" in parsed)) return { path, error: parsed, cases: [] };
  const { test } = parsed;
  const source = await scriptSource(await filesFor(test.script, path), test.script, options.lang ?? "en");
  if (typeof source === "string") return { path, error: { message: source, line: parsed.lineOf(["script"]) }, cases: [] };
  const now = options.now ?? clock;
  const cases: TestCaseReport[] = [];
  for (const [i, kase] of test.cases.entries()) {
    const began = now();
    const failure = await runCase(kase, i, source, parsed, options, budget);
    const durationMs = Math.max(0, Math.round(now() - began));
    cases.push({ name: kase.name, line: parsed.lineOf(["cases", i]), passed: !failure, durationMs, ...(failure ? { failure } : {}) });
  }
  return { path, cases };
}

/** Runs test files in order and reports them together. */
export async function runTests(
  tests: readonly { path: string; content: string }[],
  filesFor: FilesFor,
  options: RunOptions = {},
): Promise<TestReport> {
  const now = options.now ?? clock;
  const began = now();
  const files: TestFileReport[] = [];
  const budget: Budget = { left: options.maxSteps ?? MAX_RUN_STEPS };
  for (const t of tests) files.push(await runTestFile(t.path, t.content, filesFor, options, budget));
  return summarise(files, Math.max(0, Math.round(now() - began)));
}
