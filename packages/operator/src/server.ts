/**
 * The Operator's WebSocket server (OP-*, LIMIT-*): one binary msgpack frame per message, every frame
 * decoded strictly, every failure answered with a typed error frame, and nothing from the network able
 * to stop the server or another client's connection.
 * @module
 */
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { ComradError, KeyPair, ProtocolError, randomBytes, type ErrorCode } from '@comrad/core';
import {
  CHALLENGE_BYTES,
  PUBLIC_OPS,
  decodeRequestEnvelope,
  decodeRequestParams,
  encodeErr,
  encodeHello,
  encodeMailPush,
  encodeOk,
  epochOf,
  isOp,
  type InfoResult,
} from '@comrad/core/wire';
import { handle, type Clock, type HandlerContext, type OperatorKeys, type Session } from './handlers.js';
import { announcedLimits, resolveLimits, type ServerLimits } from './limits.js';
import { safeError, silentLogger, type Logger } from './log.js';
import { TokenBucket } from './rate.js';
import type { Store } from './store/types.js';
import { WorldKeys } from './world-keys.js';

/** Options of {@link startOperator}. */
export interface StartOperatorOptions {
  /** Where the registry, mailboxes, posts and epoch keys live. The caller owns it (and closes it). */
  store: Store;
  /** The Operator's key pair, the world account's key pair and the at-rest key (see `loadOrCreateKeys`). */
  keys: OperatorKeys;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Port; default 7077, 0 picks a free one. */
  port?: number;
  /** Overrides of {@link DEFAULT_LIMITS}. */
  limits?: Partial<ServerLimits>;
  /** Time source; default `Date.now`. Tests inject one to move time. */
  clock?: Clock;
  /** Where logs go (LOG-1); default: nowhere. */
  logger?: Logger;
  /** How often expired mail, posts and epoch keys are deleted (ms); default 60 s, 0 = never (call `sweep()`). */
  sweepIntervalMs?: number;
  /** How often idle connections are pinged; a peer that misses one ping is dropped. Default 30 s, 0 = never. */
  heartbeatMs?: number;
}

/** A running Operator. */
export interface RunningOperator {
  /** `ws://host:port`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** What `info` answers. */
  readonly info: InfoResult;
  /** Open connections right now. */
  connections(): number;
  /** Runs the expiry sweep now (MB-5, FEED-4); returns how many items went. */
  sweep(): Promise<{ mail: number; posts: number }>;
  /** Stops accepting, lets requests in flight finish, closes every connection (1001). Does not close the store. */
  close(): Promise<void>;
}

interface Connection {
  readonly ws: WebSocket;
  readonly session: Session;
  readonly bucket: TokenBucket;
  inflight: number;
  alive: boolean;
}

const systemClock: Clock = { now: () => Date.now() };

/**
 * Starts an Operator on `host:port`.
 * @returns the running Operator once it listens
 * @throws the listen error (e.g. EADDRINUSE); RangeError for a bad limit
 * @example
 * ```ts
 * const op = await startOperator({ store: await openStore({ kind: 'memory' }), keys, port: 0 });
 * console.log(op.url);
 * await op.close();
 * ```
 */
export async function startOperator(options: StartOperatorOptions): Promise<RunningOperator> {
  const limits = resolveLimits(options.limits);
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? silentLogger();
  const { store, keys } = options;
  const info: InfoResult = {
    v: 1,
    operatorKey: keys.operator.publicKey,
    worldKey: keys.world.publicKey,
    limits: announcedLimits(limits),
    pow: { register: limits.registerPowBits, send: limits.sendPowBits },
  };
  const ctx: HandlerContext = {
    store,
    keys,
    limits,
    clock,
    info,
    worldKeys: new WorldKeys(store, keys.world, keys.atRestKey),
    decoyKey: KeyPair.generate().publicKey,
  };

  const connections = new Set<Connection>();
  /** Logged-in connections by name, for "you have mail" pushes (MB-6). Memory only, never logged. */
  const byName = new Map<string, Set<Connection>>();
  const inflight = new Set<Promise<void>>();
  const stats = new Stats();
  let closing = false;

  const wss = new WebSocketServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 7077,
    // LIMIT-1: a larger frame is never buffered; ws closes the connection with 1009.
    maxPayload: limits.frameBytes,
    // No compression: it lets one small frame expand into a large one, and leaks lengths (CRIME).
    perMessageDeflate: false,
    clientTracking: false,
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('error', (err) => log.error({ event: 'server-error', err: safeError(err) }));
  const address = wss.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 7077);
  const host = options.host ?? '127.0.0.1';
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;

  function send(conn: Connection, frame: Uint8Array): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    // LIMIT-6: a client that does not read its answers is dropped rather than buffered without end.
    if (conn.ws.bufferedAmount > limits.maxBufferedBytes) {
      stats.refused('SLOW_READER');
      conn.ws.terminate();
      return;
    }
    conn.ws.send(frame);
  }

  function errorFrame(id: number | undefined, err: unknown): Uint8Array {
    if (err instanceof ComradError && err.code !== 'INTERNAL') {
      stats.refused(err.code);
      return encodeErr(id, err.code, err.message);
    }
    stats.refused('INTERNAL');
    log.error({ event: 'internal-error', err: safeError(err) });
    return encodeErr(id, 'INTERNAL', 'internal error');
  }

  async function dispatch(conn: Connection, data: Uint8Array, isBinary: boolean): Promise<void> {
    // LIMIT-3: every frame spends a token, garbage included, so garbage cannot be sent faster than requests.
    const allowed = conn.bucket.take(clock.now());
    if (closing) return answer(conn, undefined, undefined, new ProtocolError('RATE_LIMITED', 'the Operator is shutting down'));
    if (!isBinary) return answer(conn, undefined, undefined, new ProtocolError('MALFORMED', 'frames must be binary msgpack'));
    let env;
    try {
      env = decodeRequestEnvelope(data, limits.frameBytes);
    } catch (err) {
      return answer(conn, undefined, undefined, err);
    }
    // LOG-1: only a known op name is ever logged; an unknown one is attacker-chosen text.
    const op = isOp(env.op) ? env.op : undefined;
    if (!allowed) return answer(conn, env.id, op, new ProtocolError('RATE_LIMITED', `at most ${limits.requestsPerSecond} requests per second`));
    if (conn.inflight >= limits.maxInflight) return answer(conn, env.id, op, new ProtocolError('RATE_LIMITED', 'too many requests in flight'));
    conn.inflight++;
    try {
      if (!op) throw new ProtocolError('UNKNOWN_OP', 'unknown op');
      // OP-4: only the public ops before a successful auth.
      if (!PUBLIC_OPS.has(op) && conn.session.name === undefined) throw new ProtocolError('UNAUTHENTICATED', 'log in first (auth)');
      const req = decodeRequestParams(env);
      const result = await handle(ctx, conn.session, req);
      if (req.op === 'auth') attach(conn);
      stats.ok(req.op);
      log.debug({ event: 'request', op: req.op, outcome: 'ok' });
      send(conn, encodeOk(req.id, req.op, result));
    } catch (err) {
      answer(conn, env.id, op, err);
    } finally {
      conn.inflight--;
    }
  }

  /** Answers a refused frame with its typed error (OP-3) and logs the op and code only (LOG-1). */
  function answer(conn: Connection, id: number | undefined, op: string | undefined, err: unknown): void {
    const frame = errorFrame(id, err);
    log.debug({ event: 'request', op, outcome: err instanceof ComradError ? err.code : 'INTERNAL' });
    send(conn, frame);
  }

  function attach(conn: Connection): void {
    // A connection that closed while its auth was in flight is gone already: never index it.
    if (!connections.has(conn)) return;
    const name = conn.session.name!;
    let set = byName.get(name);
    if (!set) byName.set(name, (set = new Set()));
    set.add(conn);
  }

  function detach(conn: Connection): void {
    connections.delete(conn);
    const name = conn.session.name;
    if (name === undefined) return;
    const set = byName.get(name);
    set?.delete(conn);
    if (set?.size === 0) byName.delete(name);
  }

  wss.on('connection', (ws) => {
    ws.on('error', (err) => log.debug({ event: 'socket-error', err: safeError(err) }));
    // LIMIT-4: refuse with a typed frame, then close with 1013 (try again later); 1001 while shutting down.
    if (closing || connections.size >= limits.maxConnections) {
      stats.refused(closing ? 'CLOSING' : 'TOO_MANY_CONNECTIONS');
      ws.send(encodeErr(undefined, 'RATE_LIMITED', closing ? 'the Operator is shutting down' : 'too many connections'));
      ws.close(closing ? 1001 : 1013);
      return;
    }
    const challenge = randomBytes(CHALLENGE_BYTES);
    const conn: Connection = {
      ws,
      session: { challenge, name: undefined, key: undefined },
      bucket: new TokenBucket(limits.requestsPerSecond, clock.now()),
      inflight: 0,
      alive: true,
    };
    connections.add(conn);
    log.debug({ event: 'connection', open: connections.size });
    ws.on('pong', () => (conn.alive = true));
    ws.on('close', () => {
      detach(conn);
      log.debug({ event: 'disconnection', open: connections.size });
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const p = dispatch(conn, toBytes(data), isBinary).catch((err) => log.error({ event: 'dispatch-error', err: safeError(err) }));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    });
    // AUTH-1: the greeting carries a fresh challenge.
    ws.send(encodeHello(keys.operator.publicKey, challenge));
  });

  // MB-6: "you have mail" to every connection logged in as the recipient, in this process or another.
  const unsubscribe = store.onMail((to) => {
    const set = byName.get(to);
    if (!set) return;
    const frame = encodeMailPush();
    for (const conn of set) send(conn, frame);
    stats.pushes += set.size;
  });

  async function sweep(): Promise<{ mail: number; posts: number }> {
    const now = clock.now();
    // FEED-2: epoch keys are kept as long as a post sealed under them can live.
    const removed = await store.expire(now, epochOf(now) - limits.maxPostDays - 1);
    log.info({ event: 'sweep', expiredMail: removed.mail, expiredPosts: removed.posts, connections: connections.size, ...stats.take() });
    return removed;
  }

  const timers: NodeJS.Timeout[] = [];
  const sweepEvery = options.sweepIntervalMs ?? 60_000;
  if (sweepEvery > 0) {
    timers.push(setInterval(() => void sweep().catch((err) => log.error({ event: 'sweep-error', err: safeError(err) })), sweepEvery).unref());
  }
  const heartbeat = options.heartbeatMs ?? 30_000;
  if (heartbeat > 0) {
    timers.push(
      setInterval(() => {
        for (const conn of connections) {
          if (!conn.alive) {
            conn.ws.terminate();
            continue;
          }
          conn.alive = false;
          conn.ws.ping();
        }
      }, heartbeat).unref(),
    );
  }

  log.info({ event: 'listening', store: store.kind, limits: info.limits, pow: info.pow });

  let closed: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing = true;
    for (const t of timers) clearInterval(t);
    unsubscribe();
    const serverClosed = new Promise<void>((resolve) => wss.close(() => resolve()));
    // Requests in flight finish and are answered before their connections close.
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
    await Promise.all([...connections].map((conn) => closeConnection(conn.ws)));
    await serverClosed;
    log.info({ event: 'closed', ...stats.take() });
  }

  return {
    url,
    port,
    info,
    connections: () => connections.size,
    sweep,
    close: () => (closed ??= close()),
  };
}

/** Closes one connection politely (1001), and hard if the peer does not answer within 2 s. */
function closeConnection(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), 2000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, 'the Operator is shutting down');
  });
}

/** A private copy of a frame's bytes: stored letters must not pin or alias the socket's buffers. */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return new Uint8Array(data instanceof ArrayBuffer ? data.slice(0) : data);
}

/** Counts per op and per refusal code between two log lines: numbers only (LOG-1). */
class Stats {
  #ok: Record<string, number> = {};
  #refused: Record<string, number> = {};
  pushes = 0;

  ok(op: string): void {
    this.#ok[op] = (this.#ok[op] ?? 0) + 1;
  }

  refused(code: ErrorCode | 'SLOW_READER' | 'TOO_MANY_CONNECTIONS' | 'CLOSING'): void {
    this.#refused[code] = (this.#refused[code] ?? 0) + 1;
  }

  take(): { ok: Record<string, number>; refused: Record<string, number>; pushes: number } {
    const out = { ok: this.#ok, refused: this.#refused, pushes: this.pushes };
    this.#ok = {};
    this.#refused = {};
    this.pushes = 0;
    return out;
  }
}
