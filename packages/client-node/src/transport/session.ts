/**
 * A connection that comes back (TR-6): when the socket drops, the session reconnects with exponential
 * backoff and jitter, runs its `onConnect` step again (the login handshake), and serves requests made in
 * the meantime once it is back — or fails them with TIMEOUT when it is not back in time.
 * @module
 */
import { EventEmitter } from 'node:events';
import { ComradError, ProtocolError } from '@comrad/core';
import type { Op, Params, Result } from '@comrad/core/wire';
import { DEFAULT_CONNECT_TIMEOUT_MS, OperatorConnection, type ConnectionOptions } from './connection.js';

/** Options of a {@link Session}. */
export interface SessionOptions extends ConnectionOptions {
  /** Runs on every new connection before it serves requests (e.g. `auth`); a failure closes it. */
  onConnect?: (conn: OperatorConnection) => Promise<void>;
  /** Reconnect after an unexpected close (default true). */
  reconnect?: boolean;
  /** First reconnect delay (default 500 ms); doubles per failed attempt. */
  backoffInitialMs?: number;
  /** Longest reconnect delay (default 30 s). */
  backoffMaxMs?: number;
}

/** Events of a {@link Session}. */
export interface SessionEvents {
  /** The Operator says mail is waiting. */
  mail: [];
  /** The connection dropped; reconnecting. */
  disconnect: [];
  /** A new connection is up (and `onConnect` succeeded). */
  reconnect: [];
  /** Reconnecting stopped for good (e.g. the Operator's key changed). */
  error: [err: Error];
}

/** Codes that mean "try again later" rather than "this will never work". */
const TRANSIENT: ReadonlySet<string> = new Set(['TIMEOUT', 'CONNECTION_CLOSED', 'RATE_LIMITED', 'INTERNAL']);

/** A reconnecting connection to one Operator. */
export class Session extends EventEmitter<SessionEvents> {
  #conn: OperatorConnection | undefined;
  #waiters: { resolve: (c: OperatorConnection) => void; reject: (e: Error) => void }[] = [];
  #closed = false;
  #failure: Error | undefined;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(private readonly opts: SessionOptions) {
    super();
  }

  /**
   * Connects (one attempt: a first connection that fails is reported at once) and runs `onConnect`.
   * @throws ProtocolError as {@link OperatorConnection.open}, or whatever `onConnect` throws
   */
  static async open(opts: SessionOptions): Promise<Session> {
    const s = new Session(opts);
    s.#adopt(await s.#connect());
    return s;
  }

  /** The current connection's greeting (the challenge changes on every reconnect). */
  get connection(): OperatorConnection | undefined {
    return this.#conn;
  }

  /**
   * Sends a request on the current connection, waiting for a reconnect when the session is down.
   * Requests in flight when the connection drops fail with CONNECTION_CLOSED (they may or may not have
   * been carried out; callers retry only what is safe to repeat).
   * @throws ProtocolError the Operator's code, TIMEOUT, CONNECTION_CLOSED
   */
  async request<O extends Op>(op: O, params: Params<O>, timeoutMs?: number): Promise<Result<O>> {
    const conn = await this.#ready();
    return conn.request(op, params, timeoutMs);
  }

  /** Stops reconnecting and closes the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#failWaiters(new ProtocolError('CONNECTION_CLOSED', 'the session is closed'));
    await this.#conn?.closed();
  }

  async #connect(): Promise<OperatorConnection> {
    const conn = await OperatorConnection.open(this.opts);
    try {
      await this.opts.onConnect?.(conn);
    } catch (err) {
      await conn.closed();
      throw err;
    }
    return conn;
  }

  #adopt(conn: OperatorConnection): void {
    this.#conn = conn;
    this.#attempt = 0;
    conn.on('mail', () => this.emit('mail'));
    conn.once('close', (expected) => {
      if (this.#conn === conn) this.#conn = undefined;
      if (expected || this.#closed) return;
      this.emit('disconnect');
      if (this.opts.reconnect === false) {
        this.#fail(new ProtocolError('CONNECTION_CLOSED', 'the connection to the Operator closed'));
      } else this.#schedule();
    });
    for (const w of this.#waiters.splice(0)) w.resolve(conn);
  }

  #schedule(): void {
    const initial = this.opts.backoffInitialMs ?? 500;
    const max = this.opts.backoffMaxMs ?? 30_000;
    const base = Math.min(max, initial * 2 ** this.#attempt++);
    // Full jitter: many clients that lost the same Operator do not all come back at the same instant.
    const delay = base / 2 + Math.random() * (base / 2);
    this.#timer = setTimeout(() => void this.#retry(), delay);
    // Reconnecting alone must not keep a finished program alive.
    if (this.#waiters.length === 0) this.#timer.unref();
  }

  async #retry(): Promise<void> {
    if (this.#closed) return;
    try {
      const conn = await this.#connect();
      if (this.#closed) return void conn.close();
      this.#adopt(conn);
      this.emit('reconnect');
    } catch (err) {
      if (this.#closed) return;
      if (ComradError.is(err) && TRANSIENT.has(err.code)) this.#schedule();
      else this.#fail(err as Error);
    }
  }

  #ready(): Promise<OperatorConnection> {
    if (this.#conn?.isOpen) return Promise.resolve(this.#conn);
    if (this.#closed) return Promise.reject(new ProtocolError('CONNECTION_CLOSED', 'the session is closed'));
    if (this.#failure) return Promise.reject(this.#failure);
    const waitMs = this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    // Someone is waiting now: a pending reconnect timer must keep the process alive.
    this.#timer?.ref();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (c: OperatorConnection) => {
          clearTimeout(t);
          resolve(c);
        },
        reject: (e: Error) => {
          clearTimeout(t);
          reject(e);
        },
      };
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new ProtocolError('TIMEOUT', `could not reconnect to the Operator within ${Math.round(waitMs / 1000)} s`));
      }, waitMs);
      this.#waiters.push(waiter);
    });
  }

  #fail(err: Error): void {
    this.#failure = err;
    this.#failWaiters(err);
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  #failWaiters(err: Error): void {
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }
}
