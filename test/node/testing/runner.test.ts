/**
 * The conversation test runner (src/authoring/testing): each expectation kind
 * holding and failing, the lines failures point at, format errors, and the
 * scripted model answering the way real models do.
 */
import { describe, expect, it } from "vitest";
import { runTestFile, runTests } from "../../../src/authoring/testing/run";
import type { TestFileReport } from "../../../src/authoring/testing/report";

const tiny = `session:
  session_id: tiny
  language: en
  phases:
    - phase_id: intro
      topics:
        - topic_id: age
          actions:
            - action_type: ai_ask
              action_id: ask_age
              config:
                content: How old are you?
                output:
                  - get: age
                    type: integer
            - action_type: ai_say
              action_id: bye
              config:
                content: Goodbye, you are {age}.
                wait_for_reply: false
`;

const project = new Map([["sessions/tiny.yaml", tiny]]);
const files = () => async (path: string) => project.get(path);

function run(text: string): Promise<TestFileReport> {
  return runTestFile("tests/tiny.test.yaml", text, files);
}

/** The 1-based line of the first line of `text` containing `marker`. */
function lineOf(text: string, marker: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`no ${marker}`);
  return i + 1;
}

/** The report of a file whose one case passed; a failure shows itself in the assertion. */
function expectPassed(report: TestFileReport): void {
  expect(report.error).toBeUndefined();
  expect(report.cases[0]?.failure).toBeUndefined();
  expect(report.cases[0]?.passed).toBe(true);
}

const oneCase = (steps: string, head = "script: sessions/tiny.yaml\n") => `${head}cases:\n  - name: the case\n    steps:\n${steps}`;

describe("expectations that hold", () => {
  it("passes a case where every kind of expectation holds", async () => {
    const report = await run(
      oneCase(`      - start: true
        expect:
          contains: How old are you?
          not_contains: [Goodbye, years]
          matches: "^How old"
          variables:
            age: { set: false }
          position: { phase: intro, topic: age, action: ask_age }
          status: active
          safety: none
          crisis: false
      - client: "42"
        expect:
          contains: Goodbye, you are 42.
          variables:
            age: { value: 42, type: integer }
          status: completed
`),
    );
    expect(report.error).toBeUndefined();
    expect(report.cases).toEqual([{ name: "the case", line: 3, passed: true, durationMs: expect.any(Number) }]);
  });

  it("checks safety events and the crisis protocol", async () => {
    const report = await run(
      oneCase(`      - client: I want to kill myself
        expect:
          safety: [{ source: input, crisis: true, risk_type: self_harm }]
          crisis: true
          not_contains: Goodbye
      - client: "no"
        expect:
          crisis: true
`),
    );
    expectPassed(report);
  });
});

describe("expectations that fail", () => {
  const cases: [string, string, string, RegExp][] = [
    ["contains: Hello there", "contains", '"Hello there"', /How old are you\?/],
    ["contains: [How old, Hello there]", "contains", '"Hello there"', /How old/],
    ["not_contains: How old", "not_contains", 'no "How old"', /How old are you\?/],
    ['matches: "^Goodbye"', "matches", "/^Goodbye/", /How old/],
    ['matches: "(unclosed"', "matches", "(unclosed", /invalid pattern/],
    ["variables: { age: 3 }", "variables.age", "3", /no value/],
    ["position: { action: bye }", "position.action", "bye", /ask_age/],
    ["position: { phase: outro }", "position.phase", "outro", /intro/],
    ["status: completed", "status", "completed", /active/],
    ["error: LLM_TIMEOUT", "error", "LLM_TIMEOUT", /active/],
    ["safety: { crisis: true }", "safety", '{"crisis":true}', /no safety event/],
    ["crisis: true", "crisis", "the crisis protocol", /the script/],
  ];
  it.each(cases)("reports `%s` as %s, expected vs got, at its line", async (expectation, name, expected, got) => {
    const text = oneCase(`      - start: true\n        expect:\n          ${expectation}\n`);
    const report = await run(text);
    const failure = report.cases[0]!.failure!;
    expect(failure).toMatchObject({ step: 1, line: lineOf(text, expectation.split(":")[0]!), expectation: name, expected });
    expect(failure.got).toMatch(got);
    expect(failure.message).not.toBe("");
  });

  it("reports a variable of the wrong type or value, and one that should not be set", async () => {
    const at = (v: string) => oneCase(`      - client: "42"\n        expect:\n          variables:\n            ${v}\n`);
    const wrongType = await run(at("age: { type: text }"));
    expect(wrongType.cases[0]!.failure).toMatchObject({ expectation: "variables.age", expected: "(text)", got: "42 (integer)", line: 8 });
    const wrongValue = await run(at("age: 41"));
    expect(wrongValue.cases[0]!.failure).toMatchObject({ expected: "41", got: "42" });
    const set = await run(at("age: { set: false }"));
    expect(set.cases[0]!.failure).toMatchObject({ expected: "no value", got: "42" });
  });

  it("names the step and the line of a later step's list item, and stops the case there", async () => {
    const text = oneCase(`      - start: true
      - client: "42"
        expect:
          contains:
            - Goodbye
            - see you soon
      - client: never reached
`);
    const report = await run(text);
    expect(report.cases[0]!.failure).toMatchObject({
      step: 2,
      line: lineOf(text, "see you soon"),
      expectation: "contains",
      expected: '"see you soon"',
    });
  });

  it("fails a client line after the script ended", async () => {
    const text = oneCase(`      - client: "42"\n        expect: { status: completed }\n      - client: hello?\n`);
    const report = await run(text);
    expect(report.cases[0]!.failure).toMatchObject({ step: 2, line: lineOf(text, "hello?"), expectation: "client" });
  });

  it("reports each case on its own: one failing case does not stop the next", async () => {
    const report = await run(`script: sessions/tiny.yaml
cases:
  - name: fails
    steps:
      - start: true
        expect: { contains: nope }
  - name: passes
    steps:
      - start: true
        expect: { contains: How old }
`);
    expect(report.cases.map((c) => [c.name, c.line, c.passed])).toEqual([
      ["fails", 3, false],
      ["passes", 7, true],
    ]);
  });
});

describe("the step budget of a run", () => {
  it("fails the cases past it, across files, at the step that would cross it", async () => {
    const text = oneCase(`      - start: true\n      - client: "42"\n`);
    const report = await runTests(
      [
        { path: "tests/a.test.yaml", content: text },
        { path: "tests/b.test.yaml", content: text },
      ],
      files,
      { maxSteps: 3 },
    );
    expect(report.files[0]!.cases[0]).toMatchObject({ passed: true });
    expect(report.files[1]!.cases[0]!.failure).toMatchObject({ step: 2, line: lineOf(text, 'client: "42"'), expectation: "budget" });
    expect(report).toMatchObject({ passed: false, total: 2, failed: 1 });
  });
});

describe("files that cannot run", () => {
  const problems: [string, string, RegExp, number | undefined][] = [
    ["not YAML (a key written twice)", "script: sessions/tiny.yaml\nscript: sessions/other.yaml\n", /Not valid YAML/, 2],
    ["an unknown key", oneCase("      - start: true\n        expect:\n          says: hi\n"), /says/, 6],
    ["a step that is neither start nor client", oneCase("      - expect: { status: active }\n"), /start: true. or a .client:/, 5],
    ["start after the first step", oneCase("      - client: x\n      - start: true\n"), /first step/, 6],
    ["a missing script", "script: sessions/none.yaml\ncases:\n  - name: c\n    steps: [{ start: true }]\n", /no script sessions\/none\.yaml/, 1],
    ["scripted without replies", oneCase("      - start: true\n", "script: sessions/tiny.yaml\nmodel: scripted\n"), /needs .replies/, 4],
    [
      "replies without a scripted model",
      "script: sessions/tiny.yaml\ncases:\n  - name: c\n    replies: [{}]\n    steps: [{ start: true }]\n",
      /model: scripted/,
      4,
    ],
  ];
  it.each(problems)("reports %s with its line and no cases", async (_, text, message, line) => {
    const report = await run(text);
    expect(report.cases).toEqual([]);
    expect(report.error?.message).toMatch(message);
    expect(report.error?.line).toBe(line);
  });

  it("reports a script with errors, with the script's first error", async () => {
    project.set("sessions/broken.yaml", "session:\n  session_id: broken\n  phases: []\n");
    const report = await run("script: sessions/broken.yaml\ncases:\n  - name: c\n    steps: [{ start: true }]\n");
    expect(report.error?.message).toMatch(/^sessions\/broken\.yaml has \d+ error\(s\); the first, line \d+:/);
  });
});

describe("the scripted model", () => {
  const scripted = (replies: string, steps: string) =>
    `script: sessions/tiny.yaml\nmodel: scripted\ncases:\n  - name: scripted\n    replies:\n${replies}    steps:\n${steps}`;
  const askAge = `      - { content: How old are you?, EXIT: "false" }\n`;

  it("reads JSON, JSON in a fence, prose around JSON and plain text the way the engine reads a real model", async () => {
    const report = await run(
      scripted(
        `${askAge}      - |
        \`\`\`json
        { "content": "Thanks.", "EXIT": "true", "age": "42 years" }
        \`\`\`
      - 'Sure! Here it is: { "content": "Farewell, friend of 42 years.", "EXIT": "false" } — hope that helps.'
`,
        `      - start: true
        expect: { contains: How old are you? }
      - client: forty-two
        expect:
          contains: Farewell, friend of 42 years.
          variables:
            age: { value: 42, type: integer }
          status: completed
`,
      ),
    );
    expectPassed(report);
  });

  it("shows a plain-text reply where a line is due", async () => {
    const report = await run(
      scripted(
        `      - Tell me, how many years young are you?\n`,
        `      - start: true\n        expect: { contains: "how many years young are you?" }\n`,
      ),
    );
    expectPassed(report);
  });

  it("lets a test expect the error of replies that stay broken", async () => {
    const broken = `      - '{ "content": "How old", "EXIT": '\n`;
    const report = await run(scripted(broken.repeat(3), `      - start: true\n        expect: { error: MODEL_REPLY_INVALID }\n`));
    expectPassed(report);
  });

  it("fails at the step that asked for more replies than the case has, pointing at `replies`", async () => {
    const text = scripted(askAge, `      - start: true\n      - client: "42"\n`);
    const report = await run(text);
    expect(report.cases[0]!.failure).toMatchObject({ step: 2, line: lineOf(text, "replies:"), expectation: "replies" });
  });

  it("fails a case whose replies are not all asked for", async () => {
    const text = scripted(askAge + askAge, `      - start: true\n`);
    const report = await run(text);
    expect(report.cases[0]!.failure).toMatchObject({ step: 1, line: lineOf(text, "replies:"), expectation: "replies", got: "1 model calls" });
  });
});
