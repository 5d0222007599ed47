import { createServer } from "node:net";

/** Ports already handed out in this process (a Worker may not be listening on its port yet). */
const handedOut = new Set<number>();

function listenable(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const got = typeof address === "object" && address ? address.port : 0;
      server.close(() => (got ? resolve(got) : reject(new Error("no port assigned"))));
    });
  });
}

/**
 * A port nobody listens on right now: the kernel's pick for port 0, or, with
 * `BENCH_PORTS=first-last` (a shared machine where each user has a range),
 * the first free one of that range.
 */
export async function freePort(): Promise<number> {
  const range = /^(\d+)-(\d+)$/.exec(process.env.BENCH_PORTS ?? "");
  if (!range) return listenable(0);
  for (let port = Number(range[1]); port <= Number(range[2]); port++) {
    if (handedOut.has(port)) continue;
    try {
      await listenable(port);
      handedOut.add(port);
      return port;
    } catch {
      // in use
    }
  }
  throw new Error(`no free port in BENCH_PORTS=${process.env.BENCH_PORTS}`);
}
