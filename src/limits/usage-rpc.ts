/**
 * The project's daily token counter as the Worker and the session actor call
 * it (usage-counter.ts implements it). Kept apart from the class so config.ts
 * can type its binding without importing a Durable Object.
 */
export interface UsageCounterRpc extends Rpc.DurableObjectBranded {
  /** Tokens counted so far this day. */
  total(): Promise<number>;
  /** Counts a turn's tokens once per `key` (a repeated key counts nothing); returns the new total. */
  add(key: string, tokens: number): Promise<number>;
}

/** The UTC day a count belongs to (`2026-12-02`): each project has one counter per day. */
export function usageDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** Seconds until the next UTC midnight, when a new day's counter starts at zero. */
export function secondsUntilNextDay(now: number): number {
  const next = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now) / 1000));
}
