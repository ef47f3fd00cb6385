import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  port: number;
  /** An outage: every open connection is dropped and new ones are closed as soon as they arrive. */
  cut(): void;
  restore(): void;
  /** How many connections were refused while cut. */
  readonly refused: number;
  close(): Promise<void>;
}

/**
 * Pipes an accepted connection to host:port both ways; either side closing or failing drops both. The two
 * sockets stay in `open` while they live, so the proxy can cut them.
 */
export function spliceTo(client: net.Socket, target: { host: string; port: number }, open: Set<net.Socket>) {
  const upstream = net.connect(target);
  open.add(client).add(upstream);
  const drop = () => {
    client.destroy();
    upstream.destroy();
    open.delete(client);
    open.delete(upstream);
  };
  client.on('error', drop).on('close', drop);
  upstream.on('error', drop).on('close', drop);
  client.pipe(upstream);
  upstream.pipe(client);
}

/** A loopback TCP proxy to host:port that a test can cut and restore, to simulate a database outage. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let down = false;
  let refused = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) {
      refused += 1;
      client.destroy();
      return;
    }
    spliceTo(client, target, open);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    get refused() {
      return refused;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
