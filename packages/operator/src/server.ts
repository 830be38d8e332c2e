/**
 * The Operator's WebSocket server (OP-*, LIMIT-*): the socket, the signed greeting and sealed channel
 * (AUTH-1, AUTH-7, AUTH-9), the connection table (LIMIT-4, LIMIT-7, LIMIT-8), the memory budget (LIMIT-6),
 * pushes, the sweep and shutdown. What each frame means — the order of checks, decoding, the auth gate and
 * the op — is the request pipeline's (`pipeline.ts`); what is kept, and for how long, is the policy's
 * (`policy/`). Nothing from the network can stop the server or another client's connection.
 * @module
 */
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { ComradError, KeyPair, ProtocolError, type ErrorCode } from '@comrad/core';
import { CHANNEL_OVERHEAD_BYTES, encodeErr, encodeMailPush, makeGreeting, readClientHello, type Channel, type InfoResult, type Op } from '@comrad/core/wire';
import type { Clock, HandlerContext, OperatorKeys } from './handlers.js';
import { MemoryBudget, type BudgetHolder } from './budget.js';
import { announcedLimits, resolveLimits, type ServerLimits } from './limits.js';
import { safeError, silentLogger, type Logger } from './log.js';
import type { MetricsSink, RefusalReason } from './metrics.js';
import { RequestPipeline, type PipelineConnection, type Reservation } from './pipeline.js';
import { Policy } from './policy/index.js';
import { TokenBucket } from './rate.js';
import type { Store } from './store/types.js';
import { WorldKeys } from './world-keys.js';
import { TokenIssuer, type TokenOptions } from './tokens.js';

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
  /** LOG-2: where requests, refusals and pushes are counted (e.g. {@link OperatorMetrics}); default: nowhere. */
  metrics?: MetricsSink;
  /**
   * LIMIT-9: where each name's logged-in connections are counted when several processes serve one port
   * (`comrad-op --workers`), so `maxConnectionsPerName` holds over all of them; default: this process only.
   */
  nameSlots?: NameSlots;
  /** Unlinkable tokens (TOK-4, TOK-9, TOK-11): budget per period, period, and whether a letter needs one. */
  tokens?: Partial<TokenOptions>;
}

/** LIMIT-4 over several processes: a count of each name's logged-in connections kept outside this process. */
export interface NameSlots {
  /** Takes one of `name`'s slots; false when it holds `maxConnectionsPerName` already. */
  take(name: string): Promise<boolean>;
  /** Gives back a slot {@link NameSlots.take} gave. */
  give(name: string): void;
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
  /** Connections logged in right now. */
  loggedIn(): number;
  /** LIMIT-6: bytes held for connections now, the most held at once since start, and the budget. */
  memory(): { held: number; peak: number; budget: number };
  /** Runs the expiry sweep now (MB-5, FEED-4); returns how many items went. */
  sweep(): Promise<{ mail: number; posts: number }>;
  /** Stops accepting, lets requests in flight finish, closes every connection (1001). Does not close the store. */
  close(): Promise<void>;
}

interface Connection extends BudgetHolder, PipelineConnection {
  readonly ws: WebSocket;
  alive: boolean;
  /** LIMIT-7: closes the connection unless it logs in or is answered first. */
  handshake: NodeJS.Timeout | undefined;
}

/** LIMIT-6: room for a page's framing around its items (ids, times, map keys), besides the items' bytes. */
const PAGE_FRAMING_BYTES = 64 * 1024;

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
  const { store, keys, nameSlots } = options;
  const info: InfoResult = {
    v: 1,
    operatorKey: keys.operator.publicKey,
    worldKey: keys.world.publicKey,
    limits: announcedLimits(limits),
    pow: { register: limits.registerPowBits, send: limits.sendPowBits },
  };
  const policy = new Policy(store, limits);
  const ctx: HandlerContext = {
    store,
    policy,
    keys,
    limits,
    clock,
    info,
    worldKeys: new WorldKeys(store, keys.world, keys.atRestKey),
    decoyKey: KeyPair.generate().publicKey,
    tokens: new TokenIssuer(store, keys.atRestKey, options.tokens),
  };

  const connections = new Set<Connection>();
  /** LIMIT-4: connections not logged in, oldest first (a Set iterates in insertion order). */
  const unauthenticated = new Set<Connection>();
  /** Logged-in connections by name, for "you have mail" pushes (MB-6). Memory only, never logged. */
  const byName = new Map<string, Set<Connection>>();
  const inflight = new Set<Promise<void>>();
  const stats = new Stats(options.metrics);
  const budget = new MemoryBudget(limits.memoryBudgetBytes, limits.maxBufferedBytes);
  let closing = false;

  const wss = new WebSocketServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 7077,
    // LIMIT-1: a larger frame is never buffered; ws closes the connection with 1009. The sealed channel
    // (AUTH-9) adds its overhead around a frame of `frameBytes`.
    maxPayload: limits.frameBytes + CHANNEL_OVERHEAD_BYTES,
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

  /**
   * Seals `frame` in the connection's channel (AUTH-9) and queues it, giving back the room `reservation`
   * held for it first.
   */
  function send(conn: Connection, frame: Uint8Array, reservation?: Reservation): void {
    if (reservation) {
      budget.give(conn, reservation.bytes);
      reservation.bytes = 0;
    }
    if (conn.ws.readyState !== WebSocket.OPEN || conn.channel.broken) return;
    queue(conn, conn.channel.seal(frame));
  }

  /**
   * Queues bytes to the peer as they are. LIMIT-6: the bytes are taken from the budget before they are
   * queued and given back once the socket has written them; a frame that does not fit is never queued,
   * and its connection is dropped.
   */
  function queue(conn: Connection, frame: Uint8Array): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    const refusal = budget.take(conn, frame.length);
    if (refusal) {
      // LIMIT-6: an answer that does not fit is not queued; refusing it would need a frame of its own.
      stats.refused(refusal === 'slow-reader' ? 'SLOW_READER' : 'MEMORY_BUDGET');
      drop(conn);
      return;
    }
    const n = frame.length;
    conn.queued += n;
    conn.ws.send(frame, () => {
      if (conn.released) return;
      conn.queued -= n;
      budget.give(conn, n);
    });
  }

  /** Closes a connection at once (no close handshake to wait for) and gives back what it held. */
  function drop(conn: Connection): void {
    detach(conn);
    conn.ws.terminate();
  }

  /**
   * AUTH-10: a frame that does not open means someone between the ends injected, altered, replayed or
   * dropped one. Nothing later can open either; say so once, unsealed (the session key may be what is
   * wrong), and close. Nothing the frame asked for is done.
   */
  function breakChannel(conn: Connection): void {
    conn.channel.wipe();
    stats.refused('DECRYPT_FAILED');
    log.debug({ event: 'request', op: undefined, outcome: 'DECRYPT_FAILED' });
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(encodeErr(undefined, 'DECRYPT_FAILED', 'a frame did not open on this connection'));
    conn.ws.close(1008);
  }

  /** Runs one received frame through the pipeline and sends its answer, sealed (AUTH-9). */
  async function dispatch(conn: Connection, data: Uint8Array, isBinary: boolean): Promise<void> {
    const start = performance.now();
    const result = await pipeline.process(conn, data, isBinary);
    if (result.kind === 'broken') return breakChannel(conn);
    if (result.kind === 'none') return;
    stats.answered(result.op, result.outcome, (performance.now() - start) / 1000);
    // LOG-1: the op (a known name only) and the code, nothing else.
    log.debug({ event: 'request', op: result.op, outcome: result.outcome });
    send(conn, result.frame, result.reservation);
  }

  /**
   * LIMIT-6: holds the bytes of a request's frame and room for its answer until the answer is written, or
   * says no: undefined when the Operator is short of memory (the request is refused), and the connection
   * dropped when its own unread answers already fill its share.
   */
  function reserve(conn: Connection, bytes: number): Reservation | undefined {
    const refusal = budget.take(conn, bytes);
    if (!refusal) return { bytes };
    stats.refused(refusal === 'slow-reader' ? 'SLOW_READER' : 'MEMORY_BUDGET');
    if (refusal === 'slow-reader') drop(conn);
    return undefined;
  }

  /**
   * LIMIT-6: room for a page op's items — the letters or posts it reads from the store, of up to
   * `sealedLetterBytes` each, which also bounds the page's frame — taken before the store is read. With
   * less room than a full page, the page has fewer items (LIMIT-5 lets a page stop early); with room for
   * none, the request is refused.
   * @returns how many items the page may read
   */
  function reservePage(conn: Connection, reservation: Reservation, op: 'fetch' | 'feed' | 'chanFeed', asked: number | undefined): number {
    const most = Math.min(asked ?? Infinity, op === 'fetch' ? limits.fetchItems : limits.feedItems);
    // `feed` and `chanFeed` read one item more than they answer, to know whether a next page exists.
    const extra = op === 'fetch' ? 0 : 1;
    const fits = Math.floor((budget.room(conn) - PAGE_FRAMING_BYTES) / limits.sealedLetterBytes) - extra;
    const items = Math.min(most, fits);
    if (items < 1) {
      if (budget.take(conn, 0) === 'slow-reader' || budget.room(conn) === 0) stats.refused('MEMORY_BUDGET');
      throw new ProtocolError('RATE_LIMITED', 'the Operator is busy: try again shortly');
    }
    const bytes = PAGE_FRAMING_BYTES + (items + extra) * limits.sealedLetterBytes;
    if (budget.take(conn, bytes)) throw new ProtocolError('RATE_LIMITED', 'the Operator is busy: try again shortly');
    reservation.bytes += bytes;
    return items;
  }

  /** LIMIT-4: a login is refused while the logged-in connections' room is full. */
  function checkLoggedInRoom(): void {
    if (connections.size - unauthenticated.size >= limits.maxConnections - limits.maxUnauthenticated) {
      throw new ProtocolError('RATE_LIMITED', 'too many connections: try again later');
    }
  }

  async function attach(conn: Connection): Promise<void> {
    // A connection that closed while its auth was in flight is gone already: never index it.
    if (!connections.has(conn)) return;
    const name = conn.session.name!;
    // LIMIT-4, checked again now that the login is done (others may have logged in meanwhile): one name,
    // or all of them, cannot take more than their room. The connection stays, not logged in.
    const tooMany = () => new ProtocolError('RATE_LIMITED', `at most ${limits.maxConnectionsPerName} connections per name`);
    try {
      checkLoggedInRoom();
      if ((byName.get(name)?.size ?? 0) >= limits.maxConnectionsPerName) throw tooMany();
      // LIMIT-9: and over every process serving this port.
      if (nameSlots && !(await nameSlots.take(name))) throw tooMany();
    } catch (err) {
      conn.session.name = undefined;
      conn.session.key = undefined;
      throw err;
    }
    // Closed while the slot was asked for: give it back rather than index a dead connection.
    if (!connections.has(conn)) return nameSlots?.give(name);
    let set = byName.get(name);
    if (!set) byName.set(name, (set = new Set()));
    set.add(conn);
    unauthenticated.delete(conn);
  }

  /** LIMIT-7: a connection that logged in or was answered keeps its slot. */
  function handshakeDone(conn: Connection): void {
    clearTimeout(conn.handshake);
    conn.handshake = undefined;
  }

  function detach(conn: Connection): void {
    handshakeDone(conn);
    budget.releaseAll(conn);
    connections.delete(conn);
    unauthenticated.delete(conn);
    const name = conn.session.name;
    if (name === undefined) return;
    const set = byName.get(name);
    if (set?.delete(conn)) nameSlots?.give(name);
    if (set?.size === 0) byName.delete(name);
  }

  /**
   * Refuses or ends a connection with a typed frame (never counted against the budget: it is closed at
   * once) and a close code. A connection already greeted gets it sealed (AUTH-9), one that is not, plain.
   */
  function refuse(ws: WebSocket, message: string, code: 1001 | 1013, channel?: Channel): void {
    const frame = encodeErr(undefined, 'RATE_LIMITED', message);
    ws.send(channel && !channel.broken ? channel.seal(frame) : frame);
    ws.close(code);
  }

  const pipeline = new RequestPipeline<Connection>(ctx, { closing: () => closing, reserve, reservePage, checkLoggedInRoom, attach, handshakeDone }, log);
  const greetings = new TokenBucket(limits.greetingsPerSecond, clock.now());

  wss.on('connection', (ws, req) => {
    ws.on('error', (err) => log.debug({ event: 'socket-error', err: safeError(err) }));
    if (closing) {
      stats.refused('CLOSING');
      refuse(ws, 'the Operator is shutting down', 1001);
      return;
    }
    // LIMIT-8: the greeting is public-key work done for anyone who connects; past the process's rate a
    // connection is refused before any of it, and the client backs off and retries (TR-8).
    if (!greetings.take(clock.now())) {
      stats.refused('GREETING_RATE');
      refuse(ws, 'too many new connections: try again', 1013);
      return;
    }
    // AUTH-7 before LIMIT-4: a peer without a valid client hello never takes anyone's slot.
    let greeting;
    try {
      // AUTH-7: the client's fresh ephemeral key comes with the upgrade; the greeting is signed over it.
      greeting = makeGreeting(keys.operator, keys.world.publicKey, readClientHello(req.url ?? '/'));
    } catch (err) {
      const code = err instanceof ComradError ? err.code : 'INTERNAL';
      stats.refused(code);
      ws.send(encodeErr(undefined, code, err instanceof ComradError ? err.message : 'internal error'));
      ws.close(1002);
      return;
    }
    // LIMIT-4: the newest connection is admitted and the oldest one not logged in makes room, so idle
    // peers cannot keep honest ones out: to push an honest newcomer out before it logs in, a flood must
    // open maxUnauthenticated connections within that newcomer's handshake.
    if (unauthenticated.size >= limits.maxUnauthenticated) {
      const oldest = unauthenticated.values().next().value!;
      stats.refused('TOO_MANY_CONNECTIONS');
      detach(oldest);
      refuse(oldest.ws, 'too many connections that are not logged in: try again', 1013, oldest.channel);
    }
    const conn: Connection = {
      ws,
      channel: greeting.channel,
      // POW-1: proof of work is bound to the same challenge, kept apart since `auth` spends its copy.
      session: { challenge: greeting.challenge, powChallenge: greeting.challenge, greetedAt: clock.now(), name: undefined, key: undefined },
      bucket: new TokenBucket(limits.requestsPerSecond, clock.now()),
      inflight: 0,
      alive: true,
      held: 0,
      queued: 0,
      released: false,
      handshake: undefined,
    };
    connections.add(conn);
    unauthenticated.add(conn);
    // LIMIT-7: a peer that neither logs in nor gets an answer in time gives its slot back.
    conn.handshake = setTimeout(() => {
      stats.refused('HANDSHAKE_TIMEOUT');
      drop(conn);
    }, limits.handshakeMs);
    log.debug({ event: 'connection', open: connections.size });
    ws.on('pong', () => (conn.alive = true));
    ws.on('close', () => {
      detach(conn);
      log.debug({ event: 'disconnection', open: connections.size });
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (conn.released) return;
      const p = dispatch(conn, toBytes(data), isBinary).catch((err) => log.error({ event: 'dispatch-error', err: safeError(err) }));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    });
    // AUTH-1, AUTH-7: the signed greeting goes first and unsealed; everything after it is sealed.
    queue(conn, greeting.frame);
  });

  // MB-6: "you have mail" to every connection logged in as the recipient, in this process or another.
  const unsubscribe = store.onMail((to) => {
    const set = byName.get(to);
    if (!set) return;
    const frame = encodeMailPush();
    for (const conn of set) send(conn, frame);
    stats.pushed(set.size);
  });

  async function sweep(): Promise<{ mail: number; posts: number }> {
    const removed = await policy.sweep(clock.now());
    await ctx.tokens.sweep(clock.now());
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
    loggedIn: () => connections.size - unauthenticated.size,
    memory: () => ({ held: budget.used, peak: budget.peak, budget: budget.total }),
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

/**
 * Counts per op and per refusal code between two log lines: numbers only (LOG-1); each also goes to the
 * metrics, when there are any (LOG-2).
 */
class Stats {
  #ok: Record<string, number> = {};
  #refused: Record<string, number> = {};
  pushes = 0;

  constructor(private readonly metrics: MetricsSink | undefined) {}

  /** A request answered, `ok` or with its error code, after `seconds`. */
  answered(op: Op | undefined, outcome: 'ok' | ErrorCode, seconds: number): void {
    if (outcome === 'ok') this.#ok[op!] = (this.#ok[op!] ?? 0) + 1;
    else this.#refused[outcome] = (this.#refused[outcome] ?? 0) + 1;
    this.metrics?.request(op, outcome, seconds);
  }

  /** The server refused or dropped a connection or request itself (not a request's typed answer). */
  refused(code: RefusalReason): void {
    this.#refused[code] = (this.#refused[code] ?? 0) + 1;
    this.metrics?.refused(code);
  }

  /** "You have mail" pushes sent. */
  pushed(count: number): void {
    this.pushes += count;
    this.metrics?.pushed(count);
  }

  take(): { ok: Record<string, number>; refused: Record<string, number>; pushes: number } {
    const out = { ok: this.#ok, refused: this.#refused, pushes: this.pushes };
    this.#ok = {};
    this.#refused = {};
    this.pushes = 0;
    return out;
  }
}
