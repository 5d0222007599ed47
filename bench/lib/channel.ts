/**
 * A WebSocket client (the `ws` package) that timestamps every frame it gets
 * with performance.now() and lets a caller wait for the first frame after a
 * given point that matches a test. All timing in the benchmark uses this one
 * clock, so client and fake-server times compare directly.
 */
import WebSocket from "ws";

export interface Received<F = unknown> {
  at: number;
  /** Position among the frames this socket received. */
  index: number;
  frame: F;
}

interface Waiter {
  from: number;
  test: (frame: unknown) => boolean;
  resolve: (r: Received) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Channel {
  readonly received: Received[] = [];
  private waiters = new Set<Waiter>();
  private closedWith: Error | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      const at = performance.now();
      const text = data.toString();
      let frame: unknown = text;
      if (!isBinary) {
        try {
          frame = JSON.parse(text);
        } catch {
          frame = text;
        }
      }
      const r: Received = { at, index: this.received.length, frame };
      this.received.push(r);
      for (const w of this.waiters) {
        if (r.index >= w.from && w.test(frame)) this.settle(w, () => w.resolve(r));
      }
    });
    ws.on("close", (code, reason) => this.fail(new Error(`socket closed (${code}${reason.length ? ` ${reason}` : ""})`)));
    ws.on("error", (err) => this.fail(err));
  }

  /** Resolves once the socket is open; rejects on an error or after timeoutMs. */
  static open(url: string, timeoutMs: number): Promise<Channel> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
      ws.once("open", () => resolve(new Channel(ws)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
  }

  /** Sends a frame and returns the performance.now() just before it left, and the index of the next frame. */
  send(frame: string | object): { at: number; from: number } {
    if (this.closedWith) throw this.closedWith;
    const from = this.received.length;
    const at = performance.now();
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    return { at, from };
  }

  /** The first frame at index ≥ from that passes test. */
  waitFor<F = unknown>(from: number, test: (frame: unknown) => boolean, timeoutMs: number): Promise<Received<F>> {
    for (let i = from; i < this.received.length; i++) {
      const r = this.received[i]!;
      if (test(r.frame)) return Promise.resolve(r as Received<F>);
    }
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        from,
        test,
        resolve: resolve as (r: Received) => void,
        reject,
        timer: setTimeout(() => this.settle(waiter, () => reject(new Error(`no matching frame within ${timeoutMs} ms`))), timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close(1000, "done");
      setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2000).unref();
    });
  }

  private settle(w: Waiter, done: () => void): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
    done();
  }

  private fail(err: Error): void {
    this.closedWith ??= err;
    for (const w of [...this.waiters]) this.settle(w, () => w.reject(err));
  }
}

/** Opens one socket per URL, `batch` at a time, so 200 handshakes do not land at once. */
export async function openAll(urls: readonly string[], { batch, timeoutMs }: { batch: number; timeoutMs: number }): Promise<Channel[]> {
  const channels: Channel[] = [];
  for (let i = 0; i < urls.length; i += batch) {
    const opened = await Promise.allSettled(urls.slice(i, i + batch).map((u) => Channel.open(u, timeoutMs)));
    for (const o of opened) if (o.status === "fulfilled") channels.push(o.value);
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) {
      await Promise.all(channels.map((c) => c.close()));
      throw new Error(`${opened.filter((o) => o.status === "rejected").length} of ${urls.length} sockets did not open: ${String(failed.reason)}`);
    }
  }
  return channels;
}
