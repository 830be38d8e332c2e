/**
 * A loopback port that refuses every connection (ECONNREFUSED) for as long as it is held, and that
 * nobody can listen on meanwhile.
 *
 * A port found free and closed again (`pickFreePort`) is only free a moment: tests run side by side, and
 * any of them (a comrad-op on port 0, a redis-server, a tor) may be given it by the kernel before it is
 * dialled; the dialler then meets a stranger instead of a refusal. Held here as the local end of a live
 * loopback connection, the port has no listener (a SYN to it is answered RST) and stays bound
 * (listening on it fails with EADDRINUSE, even with SO_REUSEADDR), until `release()`.
 * @module
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A port held closed; see the module comment. */
export interface RefusedPort {
  /** The port on 127.0.0.1 that refuses connections. */
  readonly port: number;
  /** Lets the port go. */
  release(): Promise<void>;
}

/**
 * Holds a loopback port that refuses connections until released.
 * @example
 * ```ts
 * const closed = await refusedPort();
 * // … dial 127.0.0.1:closed.port: ECONNREFUSED, however long the test takes
 * await closed.release();
 * ```
 */
export async function refusedPort(): Promise<RefusedPort> {
  const accepted: Socket[] = [];
  const server: Server = createServer((s) => {
    s.on('error', () => undefined);
    s.unref();
    accepted.push(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no port assigned');
  const client = connect(address.port, '127.0.0.1');
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const port = client.localPort;
  if (port === undefined) throw new Error('no local port');
  // Neither end keeps the test process alive on its own.
  server.unref();
  client.unref();
  return {
    port,
    release: async () => {
      client.destroy();
      for (const s of accepted) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
