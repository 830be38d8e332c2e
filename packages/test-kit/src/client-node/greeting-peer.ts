/**
 * A WebSocket peer that greets like an Operator (a real signed greeting, AUTH-7) and then never answers:
 * the unresponsive Operator the client's timeouts exist for. Everything else is tested against the real one.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { KeyPair, ready } from '@comrad/core';
import { encodeErr, encodeMailPush, makeGreeting, readClientHello, type Channel } from '@comrad/core/wire';

/** A running greeting peer. */
export interface GreetingPeer {
  port: number;
  /** The key it greets with. */
  keys: KeyPair;
  /** Frames received, in order. */
  received: Uint8Array[];
  /** Connections accepted so far, refused ones included. */
  readonly connections: number;
  /** Push a `mail` notification to every connected client. */
  pushMail(): void;
  /** Drop every connection (as a crashing server would). */
  dropAll(): void;
  close(): Promise<void>;
}

/**
 * Starts the peer on an ephemeral loopback port.
 * @param opts - `refuseFirst`: this many connections are refused as a full Operator refuses them
 *   (LIMIT-4: `{err: RATE_LIMITED}` instead of the greeting, then close 1013)
 */
export async function startGreetingPeer(opts: { refuseFirst?: number } = {}): Promise<GreetingPeer> {
  await ready();
  const keys = KeyPair.generate();
  const received: Uint8Array[] = [];
  const world = KeyPair.generate().publicKey;
  const channels = new Map<unknown, Channel>();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  let connections = 0;
  wss.on('connection', (ws, req) => {
    if (connections++ < (opts.refuseFirst ?? 0)) {
      ws.send(encodeErr(undefined, 'RATE_LIMITED', 'too many connections'));
      ws.close(1013);
      return;
    }
    const greeting = makeGreeting(keys, world, readClientHello(req.url ?? '/'));
    channels.set(ws, greeting.channel);
    ws.send(greeting.frame);
    ws.on('message', (data) => received.push(new Uint8Array(data as Buffer)));
  });
  return {
    port: (wss.address() as { port: number }).port,
    keys,
    received,
    get connections() {
      return connections;
    },
    pushMail: () => wss.clients.forEach((c) => c.send(channels.get(c)!.seal(encodeMailPush()))),
    dropAll: () => wss.clients.forEach((c) => c.terminate()),
    close: () =>
      new Promise<void>((resolve) => {
        wss.clients.forEach((c) => c.terminate());
        wss.close(() => resolve());
      }),
  };
}

/** A TCP server that accepts connections and never says a word (not even the HTTP upgrade). */
export async function startMuteServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
