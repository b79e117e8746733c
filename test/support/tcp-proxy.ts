import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy whose target can be switched: a stable address for Redis while the server behind it
 * is replaced (failover to a promoted replica, as a virtual IP or DNS switch would do), or turned
 * into a black hole (connections accepted, nothing ever answered: Toxiproxy's `timeout=0`).
 */
export interface TcpProxy {
  port: number;
  url(scheme: string): string;
  /** New connections go to `port`; null: accept them and answer nothing. */
  setTarget(port: number | null): void;
  /** Destroys every open connection (clients see a reset and reconnect). */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number | null): Promise<TcpProxy> {
  let target = targetPort;
  const pairs = new Set<Socket>();
  const server = createServer((client) => {
    pairs.add(client);
    client.once('close', () => pairs.delete(client));
    client.on('error', () => client.destroy());
    if (target === null) return;
    const upstream = createConnection({ host: '127.0.0.1', port: target });
    pairs.add(upstream);
    upstream.once('close', () => {
      pairs.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.once('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const cutAll = (): void => {
    for (const s of pairs) s.destroy();
  };
  return {
    port,
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    setTarget: (p) => {
      target = p;
    },
    cutAll,
    close: async () => {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
