/** What POST /api/projects/{id}/tests/run answers (and a TESTS_FAILED refusal carries as `report`). */
export interface TestFailure {
  step: number;
  line: number;
  expectation: string;
  expected: unknown;
  got: unknown;
  message: string;
}

export interface TestCaseResult {
  name: string;
  line: number;
  passed: boolean;
  durationMs: number;
  failure?: TestFailure;
}

export interface TestReport {
  passed: number;
  total: number;
  failed: number;
  durationMs: number;
  files: { path: string; error?: string; cases: TestCaseResult[] }[];
}
