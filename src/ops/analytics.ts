/**
 * Where turn events go besides the log: Workers Analytics Engine (the `TURN_EVENTS`
 * dataset binding). Locally wrangler and the test pool bind a dataset that drops every
 * write, so local environments also keep the latest points in memory, where tests read
 * them (`recordedDataPoints`); unbound, writes go nowhere.
 */
import { isLocal, type Config, type Env } from "../config";

/** The one method of an Analytics Engine dataset the Worker uses. */
export interface DataPointSink {
  writeDataPoint(point: AnalyticsEngineDataPoint): void;
}

const RECORDED_LIMIT = 500;
const recorded: AnalyticsEngineDataPoint[] = [];

/** The latest data points written in this isolate (local environments only), oldest first. */
export function recordedDataPoints(): readonly AnalyticsEngineDataPoint[] {
  return recorded;
}

const recorder: DataPointSink = {
  writeDataPoint(point) {
    recorded.push(point);
    if (recorded.length > RECORDED_LIMIT) recorded.splice(0, recorded.length - RECORDED_LIMIT);
  },
};

const nowhere: DataPointSink = { writeDataPoint: () => undefined };

export function dataPointSink(env: Pick<Env, "TURN_EVENTS">, config: Config): DataPointSink {
  const dataset = env.TURN_EVENTS;
  if (!isLocal(config)) return dataset ?? nowhere;
  return {
    writeDataPoint(point) {
      recorder.writeDataPoint(point);
      dataset?.writeDataPoint(point);
    },
  };
}

/** The Worker version that runs this code (CF_VERSION_METADATA), or null where the binding is absent. */
export function workerVersion(env: Pick<Env, "CF_VERSION_METADATA">): string | null {
  return env.CF_VERSION_METADATA?.id || null;
}
