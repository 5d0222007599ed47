/**
 * Turns run strictly one at a time, in the order they were queued: input
 * gates open while a model call is awaited, so without the queue two requests
 * could interleave their turns. A turn already in line is joined, not run twice.
 */
export class TurnQueue<O> {
  private readonly inLine = new Map<number, Promise<O>>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly onSettled: () => void = () => undefined) {}

  /** Runs `execute` after every turn queued before it; resolves with its outcome. */
  enqueue(turnId: number, execute: (turnId: number) => Promise<O>): Promise<O> {
    const tracked = this.tail
      .then(() => execute(turnId))
      .finally(() => {
        this.inLine.delete(turnId);
        this.onSettled();
      });
    this.tail = tracked.catch(() => undefined);
    this.inLine.set(turnId, tracked);
    return tracked;
  }

  /** The turn's run when it is queued or running here. */
  joined(turnId: number): Promise<O> | undefined {
    return this.inLine.get(turnId);
  }

  get size(): number {
    return this.inLine.size;
  }

  /** Resolves once every turn queued so far has ended. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
