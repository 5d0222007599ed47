/** What a test run reports: the same JSON from `heartrule test --json`, the tests route and a refused publish. */
import { z } from "@hono/zod-openapi";

export const TestFailureSchema = z
  .object({
    step: z.number().int().min(1).openapi({ description: "The failing step of the case, from 1" }),
    line: z.number().int().min(1).openapi({ description: "The line of the test file the failing expectation is written on" }),
    expectation: z.string().openapi({ example: "variables.mood_score" }),
    expected: z.string(),
    got: z.string(),
    message: z.string(),
  })
  .openapi("TestFailure");

export const TestCaseReportSchema = z
  .object({
    name: z.string(),
    line: z.number().int().min(1),
    passed: z.boolean(),
    durationMs: z.number().min(0),
    failure: TestFailureSchema.optional(),
  })
  .openapi("TestCaseReport");

export const TestFileReportSchema = z
  .object({
    path: z.string(),
    error: z
      .object({ message: z.string(), line: z.number().int().min(1).optional() })
      .optional()
      .openapi({ description: "The file could not run (not a valid test file, or its script is missing or has errors); its cases count as failed." }),
    cases: z.array(TestCaseReportSchema),
  })
  .openapi("TestFileReport");

export const TestReportSchema = z
  .object({
    passed: z.boolean().openapi({ description: "Every case of every file passed, and no file had an error" }),
    total: z.number().int().min(0).openapi({ description: "Cases run" }),
    failed: z.number().int().min(0).openapi({ description: "Cases that failed, plus files that could not run" }),
    durationMs: z.number().min(0),
    files: z.array(TestFileReportSchema),
  })
  .openapi("TestReport");

export type TestFailure = z.infer<typeof TestFailureSchema>;
export type TestCaseReport = z.infer<typeof TestCaseReportSchema>;
export type TestFileReport = z.infer<typeof TestFileReportSchema>;
export type TestReport = z.infer<typeof TestReportSchema>;

/** The report of several files' runs. */
export function summarise(files: TestFileReport[], durationMs: number): TestReport {
  const total = files.reduce((n, f) => n + f.cases.length, 0);
  const failed = files.reduce((n, f) => n + f.cases.filter((c) => !c.passed).length + (f.error ? 1 : 0), 0);
  return { passed: failed === 0, total, failed, durationMs, files };
}
