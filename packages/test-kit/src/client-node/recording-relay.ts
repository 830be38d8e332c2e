/**
 * A recording relay: a WebSocket proxy on loopback between clients and a real Operator that logs every
 * connection (when it opened and closed) and every frame in both directions, decoded with the wire
 * codecs — what the Operator sees. Each listener it opens stands for one person's client, so a test knows
 * (as the adversary must guess) whose connection is whose.
 *
 * Frames after the greeting travel sealed (AUTH-9): on the wire the relay sees only ciphertext, as a
 * network observer would. The Operator sees the plaintext, and the Operator is the adversary here, so
 * the relay also reads what each end of the channel sealed or opened (the real `Channel`, observed, not
 * replaced), matched to the frames it carried by their exact ciphertext.
 */
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { toHex } from '@comrad/core';
import { Channel, decodeRequestEnvelope, decodeServerFrame } from '@comrad/core/wire';

/** One frame as the relay saw it. */
export interface RecordedFrame {
  /** `up`: client → Operator; `down`: Operator → client. */
  readonly dir: 'up' | 'down';
  /** The frame as the Operator reads or wrote it: the plaintext of a sealed frame (see {@link RecordingRelay.resolve}). */
  bytes: Uint8Array;
  /** The bytes on the wire. */
  readonly wire: Uint8Array;
  /** The op of a request, or, for an answer, the op of the request it answers. */
  op?: string;
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
  /** Fills in each frame's plaintext and op (call once the Operator has handled what it received). */
  resolve(): void;
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
  const plain = observeChannels();

  const relay = (client: WebSocket, origin: string, path: string): void => {
    const rec: RecordedConnection = { n: connections.length, origin, openedAt: performance.now(), closedAt: undefined, frames: [] };
    connections.push(rec);
    // The client hello rides in the upgrade URL (AUTH-7): passed on as it is.
    const upstream = new WebSocket(new URL(path, target));
    sockets.add(client).add(upstream);
    const queued: Buffer[] = [];
    const record = (dir: 'up' | 'down', data: Buffer): void => {
      const wire = new Uint8Array(data);
      rec.frames.push({ dir, wire, bytes: wire, at: performance.now() });
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
      wss.on('connection', (ws, req) => relay(ws, origin, req.url ?? '/'));
      servers.push(wss);
      return `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    },
    async settled(timeoutMs = 5_000) {
      const deadline = performance.now() + timeoutMs;
      while (connections.some((c) => c.closedAt === undefined) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    },
    resolve() {
      for (const c of connections) {
        const ops = new Map<number, string>();
        for (const f of c.frames) {
          f.bytes = plain.get(toHex(f.wire)) ?? f.wire;
          try {
            if (f.dir === 'up') {
              const env = decodeRequestEnvelope(f.bytes, Number.MAX_SAFE_INTEGER);
              f.op = env.op;
              ops.set(env.id, env.op);
            } else {
              const frame = decodeServerFrame(f.bytes, Number.MAX_SAFE_INTEGER);
              f.op = frame.type === 'ok' || (frame.type === 'err' && frame.id !== undefined) ? ops.get(frame.id!) : frame.type;
            }
          } catch {
            // the greeting, or bytes no end could read: recorded all the same, the bytes are what counts
          }
        }
      }
    },
    async close() {
      plain.stop();
      for (const s of sockets) s.terminate();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/**
 * Watches every `Channel` in this process: the plaintext each end seals or opens, by the hex of its
 * ciphertext. The methods still do their work; they are only observed.
 */
function observeChannels(): { get(hex: string): Uint8Array | undefined; stop(): void } {
  const seen = new Map<string, Uint8Array>();
  const proto = Channel.prototype;
  const { seal, open } = proto;
  proto.seal = function (this: Channel, frame: Uint8Array): Uint8Array {
    const sealed = seal.call(this, frame);
    seen.set(toHex(sealed), frame.slice());
    return sealed;
  };
  proto.open = function (this: Channel, bytes: Uint8Array): Uint8Array {
    const opened = open.call(this, bytes);
    seen.set(toHex(bytes), opened.slice());
    return opened;
  };
  return {
    get: (hex) => seen.get(hex),
    stop: () => {
      proto.seal = seal;
      proto.open = open;
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
