import { createServer, type Server } from 'node:net';

/**
 * Free TCP ports for components that must know their port before they start (HAProxy's config names
 * them, and a restart reuses the same one). The kernel picks each port (bind to 0); all sockets stay
 * open until every port is picked, so one call never returns the same port twice. Another process
 * may still take a port between this call and the child's bind: the stack reports that as a start
 * failure naming the port.
 */
export async function allocatePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ port: 0, host, exclusive: true }, () => {
            const address = server.address();
            if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
            else resolve(address.port);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export async function allocatePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await allocatePorts(1, host);
  return port!;
}
