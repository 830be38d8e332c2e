/**
 * A recording relay: a WebSocket proxy on loopback between clients and a real Operator that logs every
 * connection (when it opened and closed) and every frame in both directions, decoded with the wire
 * codecs — what an Operator, or anyone on its side of the network, sees. Each listener it opens stands
 * for one person's client, so a test knows (as the adversary must guess) whose connection is whose.
 */
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeRequestEnvelope, decodeServerFrame } from '@comrad/core/wire';

/** One frame as the relay saw it. */
export interface RecordedFrame {
  /** `up`: client → Operator; `down`: Operator → client. */
  readonly dir: 'up' | 'down';
  readonly bytes: Uint8Array;
  /** The op of a request, or, for an answer, the op of the request it answers. */
  readonly op?: string;
  /** Monotonic ms. */
  readonly at: number;
}

/** One connection as the relay saw it. */
export interface RecordedConnection {
  readonly n: number;
  /** Whose client opened it (the listener's label). */
  readonly origin: string;
  readonly openedAt: number;
  closedAt: number | undefined;
  readonly frames: RecordedFrame[];
}

/** A running relay. */
export interface RecordingRelay {
  readonly connections: RecordedConnection[];
  /** A new listener standing for `origin`'s client; returns its `ws://` URL. */
  listen(origin: string): Promise<string>;
  /** Waits until every connection seen so far has closed (both sides). */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a relay in front of the Operator at `target`.
 * @param target - the Operator's `ws://` URL
 */
export function startRecordingRelay(target: string): RecordingRelay {
  const connections: RecordedConnection[] = [];
  const servers: WebSocketServer[] = [];
  const sockets = new Set<WebSocket>();

  const relay = (client: WebSocket, origin: string): void => {
    const rec: RecordedConnection = { n: connections.length, origin, openedAt: performance.now(), closedAt: undefined, frames: [] };
    connections.push(rec);
    const upstream = new WebSocket(target);
    sockets.add(client).add(upstream);
    const ops = new Map<number, string>();
    const queued: Buffer[] = [];
    const record = (dir: 'up' | 'down', data: Buffer): void => {
      const bytes = new Uint8Array(data);
      let op: string | undefined;
      try {
        if (dir === 'up') {
          const env = decodeRequestEnvelope(bytes, Number.MAX_SAFE_INTEGER);
          op = env.op;
          ops.set(env.id, env.op);
        } else {
          const frame = decodeServerFrame(bytes, Number.MAX_SAFE_INTEGER);
          op = frame.type === 'ok' || (frame.type === 'err' && frame.id !== undefined) ? ops.get(frame.id!) : frame.type;
        }
      } catch {
        op = undefined; // recorded all the same: the bytes are what counts
      }
      rec.frames.push({ dir, bytes, at: performance.now(), ...(op !== undefined ? { op } : {}) });
    };
    let open = 2;
    const closedOne = (): void => {
      if (--open === 0) rec.closedAt = performance.now();
    };
    client.on('message', (data: Buffer) => {
      record('up', data);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data);
      else queued.push(data);
    });
    upstream.on('open', () => {
      for (const d of queued.splice(0)) upstream.send(d);
    });
    upstream.on('message', (data: Buffer) => {
      record('down', data);
      if (client.readyState === WebSocket.OPEN) client.send(data);
    });
    client.on('close', () => {
      closedOne();
      upstream.close();
    });
    upstream.on('close', () => {
      closedOne();
      client.close();
    });
    client.on('error', () => upstream.terminate());
    upstream.on('error', () => client.terminate());
  };

  return {
    connections,
    async listen(origin) {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024 });
      await new Promise<void>((resolve) => wss.once('listening', resolve));
      wss.on('connection', (ws) => relay(ws, origin));
      servers.push(wss);
      return `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    },
    async settled(timeoutMs = 5_000) {
      const deadline = performance.now() + timeoutMs;
      while (connections.some((c) => c.closedAt === undefined) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    },
    async close() {
      for (const s of sockets) s.terminate();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** True when `needle` occurs anywhere in `hay`. */
export function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength)) !== -1;
}

/** True when the two connections were open at the same time (an open one counts as open until now). */
export function overlap(a: RecordedConnection, b: RecordedConnection): boolean {
  const end = (c: RecordedConnection) => c.closedAt ?? Number.POSITIVE_INFINITY;
  return a.openedAt < end(b) && b.openedAt < end(a);
}
