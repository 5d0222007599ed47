/**
 * A TCP proxy in front of the dev server that can cut every connection at
 * once and refuse new ones for a while: a real network drop (the client sees
 * its socket die without a close frame), for testing reconnect and resume.
 */
import { createServer, connect, type Socket } from "node:net";
import { freePort } from "./dev-server";

export interface DropProxy {
  url: string;
  /** Connections cut so far (each drop counts the client sockets it closed). */
  dropped: number;
  /** Cuts every open connection; with `refuseMs`, new ones are refused for that long (the caller need not wait). */
  drop(refuseMs?: number): void;
  close(): Promise<void>;
}

export async function startDropProxy(target: string): Promise<DropProxy> {
  const { hostname, port: targetPort } = new URL(target);
  const open = new Set<Socket>();
  let refuseUntil = 0;
  const server = createServer((client) => {
    if (Date.now() < refuseUntil) return void client.destroy();
    const upstream = connect(Number(targetPort), hostname);
    open.add(client);
    const end = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await freePort([Number(targetPort)]);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const proxy: DropProxy = {
    url: `http://127.0.0.1:${port}`,
    dropped: 0,
    drop(refuseMs = 0) {
      refuseUntil = Date.now() + refuseMs;
      for (const socket of open) {
        // resetAndDestroy: an RST, like a network that went away, not a polite FIN.
        socket.resetAndDestroy();
        proxy.dropped++;
      }
      open.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
