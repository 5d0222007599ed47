/**
 * Latency summaries through HdrHistogram (hdr-histogram-js), the histogram
 * autocannon and wrk2 use: values are recorded in microseconds with three
 * significant digits, so percentiles are exact to 0.1 % of the value.
 */
import * as hdr from "hdr-histogram-js";

export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
  maxMs: number | null;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function summarise(samplesMs: readonly number[]): LatencySummary {
  if (samplesMs.length === 0) return { count: 0, p50Ms: null, p95Ms: null, p99Ms: null, meanMs: null, maxMs: null };
  const histogram = hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
  try {
    for (const ms of samplesMs) histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
    const at = (p: number) => round(histogram.getValueAtPercentile(p) / 1000);
    return {
      count: histogram.totalCount,
      p50Ms: at(50),
      p95Ms: at(95),
      p99Ms: at(99),
      meanMs: round(histogram.mean / 1000),
      maxMs: round(histogram.maxValue / 1000),
    };
  } finally {
    histogram.destroy();
  }
}

/** a / b to two decimals, or null when either side is missing. */
export function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100;
}
