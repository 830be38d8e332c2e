/**
 * A tiny SOCKS5 proxy for tests (RFC 1928, no auth or RFC 1929 user/password accepted as-is, CONNECT
 * only). It records what each client asked for, so a test can prove the client's traffic went through
 * it and that host names reached it unresolved. It only ever connects to loopback: domain names are
 * mapped through `hosts`, like Tor maps an onion address to a service.
 */
import { createConnection, createServer, type Socket } from 'node:net';

/** One CONNECT request as the proxy received it. */
export interface SocksRequest {
  /** How the client gave the destination: a domain name (ATYP 3) or an IP address. */
  atyp: 'domain' | 'ipv4' | 'ipv6';
  host: string;
  port: number;
  /** The RFC 1929 user name, when the client authenticated (Tor uses it to isolate circuits). */
  username?: string;
}

/** A running test proxy. */
export interface TestSocksServer {
  port: number;
  /** `socks5h://127.0.0.1:PORT` */
  url: string;
  requests: SocksRequest[];
  /** Stop accepting and drop every open tunnel. */
  close(): Promise<void>;
}

/**
 * Starts the proxy on an ephemeral loopback port.
 * @param hosts - domain name → loopback IP it stands for (anything else is refused)
 */
export async function startSocks5Server(hosts: Record<string, string> = {}): Promise<TestSocksServer> {
  const requests: SocksRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    void handle(client, hosts, requests, sockets).catch(() => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `socks5h://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function handle(client: Socket, hosts: Record<string, string>, requests: SocksRequest[], sockets: Set<Socket>) {
  const read = reader(client);
  const [ver, nMethods] = await read(2);
  if (ver !== 5) throw new Error('not SOCKS5');
  const methods = await read(nMethods!);
  let username: string | undefined;
  if (methods.includes(0x02)) {
    client.write(Buffer.from([5, 0x02]));
    const [, ulen] = await read(2);
    username = (await read(ulen!)).toString('utf8');
    const [plen] = await read(1);
    await read(plen!);
    client.write(Buffer.from([1, 0]));
  } else if (methods.includes(0x00)) {
    client.write(Buffer.from([5, 0x00]));
  } else {
    client.end(Buffer.from([5, 0xff]));
    return;
  }
  const [, cmd, , atypByte] = await read(4);
  let atyp: SocksRequest['atyp'];
  let host: string;
  if (atypByte === 3) {
    const [len] = await read(1);
    atyp = 'domain';
    host = (await read(len!)).toString('utf8');
  } else if (atypByte === 1) {
    atyp = 'ipv4';
    host = [...(await read(4))].join('.');
  } else if (atypByte === 4) {
    atyp = 'ipv6';
    host = (await read(16)).toString('hex').match(/.{4}/g)!.join(':');
  } else throw new Error('bad ATYP');
  const port = (await read(2)).readUInt16BE(0);
  requests.push({ atyp, host, port, ...(username !== undefined ? { username } : {}) });
  const target = atyp === 'domain' ? hosts[host] : host;
  // Only loopback, ever: tests must not reach out to the network.
  if (cmd !== 1 || !target || !/^127\./.test(target)) {
    client.end(Buffer.from([5, 0x04, 0, 1, 0, 0, 0, 0, 0, 0]));
    return;
  }
  const upstream = createConnection({ host: target, port });
  sockets.add(upstream);
  upstream.on('close', () => sockets.delete(upstream));
  upstream.once('error', () => {
    client.end(Buffer.from([5, 0x05, 0, 1, 0, 0, 0, 0, 0, 0]));
  });
  upstream.once('connect', () => {
    client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
    const rest = read.rest();
    if (rest.length) upstream.write(rest);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
}

/** Reads exactly n bytes at a time from a socket (the handshake is tiny, so buffering is simple). */
function reader(socket: Socket) {
  let buffered = Buffer.alloc(0);
  let waiting: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    pump();
  };
  const pump = () => {
    if (waiting && buffered.length >= waiting.n) {
      const { n, resolve } = waiting;
      waiting = undefined;
      const out = buffered.subarray(0, n);
      buffered = buffered.subarray(n);
      resolve(out);
    }
  };
  socket.on('data', onData);
  socket.once('close', () => waiting?.reject(new Error('closed')));
  const read = (n: number) =>
    new Promise<Buffer>((resolve, reject) => {
      waiting = { n, resolve, reject };
      pump();
    });
  read.rest = () => {
    socket.off('data', onData);
    const r = buffered;
    buffered = Buffer.alloc(0);
    return r;
  };
  return read;
}
