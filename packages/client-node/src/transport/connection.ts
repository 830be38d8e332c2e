/**
 * One WebSocket to an Operator: the signed greeting checked against the pinned key before anything is
 * sent (AUTH-7), every later frame sealed both ways (AUTH-9), answers matched to requests by id, pushes
 * surfaced as events, and every wait bounded by a timeout (TR-4) so nothing hangs forever on a slow Tor
 * circuit.
 * @module
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { ComradError, KeyPair, ProtocolError, type PublicKey } from '@comrad/core';
import {
  CHANNEL_OVERHEAD_BYTES,
  MAX_REQUEST_ID,
  MAX_RESPONSE_FRAME_BYTES,
  acceptGreeting,
  decodeGreeting,
  decodeResult,
  decodeServerFrame,
  encodeRequest,
  withClientHello,
  type Channel,
  type Hello,
  type Op,
  type Params,
  type Result,
} from '@comrad/core/wire';
import { checkOperatorUrl, proxyAgent } from './proxy.js';
import { operatorKeyChanged } from '../store/key-changed.js';
import { startCrypto } from '../crypto-ready.js';

/** TR-4: waiting for a connection and its greeting; generous, since a Tor circuit can take long to build. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;
/** TR-4: waiting for one answer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** How to reach an Operator. */
export interface ConnectionOptions {
  /** `ws://` or `wss://` address (a `.onion` host needs `proxy`). */
  url: string;
  /** `socks5h://` proxy URL (Tor). */
  proxy?: string;
  /** SOCKS credential naming the Tor circuit (see `proxyAgent`); random per connection when omitted. */
  isolation?: string;
  /**
   * The pinned Operator key: a greeting with another key is refused with KEY_CHANGED, one not signed by
   * it for this connection with BAD_SIGNATURE (AUTH-7). Without it (first use), the greeting must still
   * be signed by the key it names.
   */
  operatorKey?: PublicKey;
  /** TR-9: allow plain `ws://` to a host that is neither loopback nor an onion (unencrypted, warned). */
  insecure?: boolean;
  /** Default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  connectTimeoutMs?: number;
  /** Default {@link DEFAULT_REQUEST_TIMEOUT_MS}. */
  requestTimeoutMs?: number;
  /** Told before each new attempt after the proxy could not reach the Operator (TR-7), e.g. to show progress. */
  onRetry?: (retry: ConnectRetry) => void;
}

/** Why {@link OperatorConnection.open} tries again (TR-7, TR-8). */
export interface ConnectRetry {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** What the proxy said, e.g. `HostUnreachable` (no address or content), or `RATE_LIMITED` when the Operator was full (TR-8). */
  reason: string;
  /** Time left before the connect timeout. */
  remainingMs: number;
}

/** TR-7: pause before the next attempt after a proxy refusal; Tor answers those fast, so retry soon. */
const RETRY_DELAY_MS = 500;
/** TR-8: first pause after the Operator refused the connection as full; doubles per refusal, with jitter. */
const BUSY_RETRY_INITIAL_MS = 500;
/** TR-8: longest pause between attempts at a full Operator. */
const BUSY_RETRY_MAX_MS = 8_000;
/** Errors of a proxy that answered but could not reach the Operator (retried until the connect timeout). */
const proxyRefusals = new WeakSet<Error>();

/** The Operator's checked greeting on a new connection (AUTH-1, AUTH-7, AUTH-8). */
export type { Hello };

interface Pending {
  op: Op;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Events of an {@link OperatorConnection}. */
export interface ConnectionEvents {
  /** The Operator says mail is waiting (MB-6). */
  mail: [];
  /** The socket closed; `expected` is true after {@link OperatorConnection.close}. */
  close: [expected: boolean];
}

/** An open connection to an Operator, greeted and ready for requests. */
export class OperatorConnection extends EventEmitter<ConnectionEvents> {
  readonly #ws: WebSocket;
  readonly #channel: Channel;
  readonly #pending = new Map<number, Pending>();
  readonly #requestTimeoutMs: number;
  #nextId = 1;
  #closing = false;
  #closed = false;
  /** Why the Operator is about to close the connection, when it said so (an error frame without id). */
  #refusal: ProtocolError | undefined;
  /** AUTH-10: set once a frame did not open; every request fails with it from then on. */
  #failure: ProtocolError | undefined;

  private constructor(
    ws: WebSocket,
    /** The greeting this connection received, checked: its challenge and the signed world key. */
    readonly hello: Hello,
    channel: Channel,
    requestTimeoutMs: number,
  ) {
    super();
    this.#ws = ws;
    this.#channel = channel;
    this.#requestTimeoutMs = requestTimeoutMs;
    ws.on('message', (data, isBinary) => this.#onFrame(data as Buffer, isBinary));
    ws.on('close', () => this.#onClose());
    ws.on('error', () => {
      /* 'close' follows every 'error'; pending requests are failed there */
    });
  }

  /**
   * Connects and waits for the Operator's greeting. Through a proxy, a CONNECT the proxy refuses (Tor:
   * onion descriptor not published yet, circuit failed) is tried again every 0.5 s, on a fresh circuit,
   * until the connect timeout (TR-7); a proxy that is not listening fails at once.
   * @param opts - address, proxy, pinned key, timeouts, retry listener
   * @returns the open connection
   * A greeting replaced by `{err: RATE_LIMITED}` (the Operator is full, LIMIT-4) is tried again with
   * exponential backoff and jitter until the connect timeout (TR-8).
   * @throws ProtocolError TIMEOUT (no greeting in time), RATE_LIMITED (the Operator stayed full until the
   *   connect timeout), CONNECTION_CLOSED (refused or dropped), KEY_CHANGED (the greeting names another key
   *   than the pinned one), BAD_SIGNATURE (a greeting not signed for this connection: replayed or
   *   altered), DECRYPT_FAILED, MALFORMED, or the code of another refusal in place of the greeting (e.g.
   *   UNSUPPORTED_VERSION); UsageError for a bad URL or proxy
   */
  static async open(opts: ConnectionOptions): Promise<OperatorConnection> {
    const url = checkOperatorUrl(opts.url, opts.proxy, opts.insecure === true);
    // The client hello needs a fresh key pair (AUTH-7), so crypto must be up before the first connection.
    await startCrypto();
    const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const deadline = Date.now() + connectTimeoutMs;
    // TR-7: through Tor, an onion service whose descriptor is not yet published (or a circuit that
    // failed) is refused at once by the proxy; that is worth retrying until the connect timeout.
    let busy = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await OperatorConnection.#attempt(opts, url, deadline - Date.now(), connectTimeoutMs);
      } catch (err) {
        const remainingMs = deadline - Date.now();
        if (ComradError.is(err, 'RATE_LIMITED')) {
          // TR-8: a full Operator is asked again later, each client at its own random moment, so that a
          // crowd turned away together does not come back together.
          const base = Math.min(BUSY_RETRY_MAX_MS, BUSY_RETRY_INITIAL_MS * 2 ** busy++);
          const delay = base / 2 + Math.random() * (base / 2);
          if (remainingMs <= delay) throw err;
          opts.onRetry?.({ attempt, reason: 'RATE_LIMITED', remainingMs });
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        if (!(err instanceof Error) || !proxyRefusals.has(err)) throw err;
        if (remainingMs <= RETRY_DELAY_MS) {
          throw new ProtocolError('TIMEOUT', `the proxy could not reach the Operator at ${url.host} within ${Math.round(connectTimeoutMs / 1000)} s (${err.message})`);
        }
        opts.onRetry?.({ attempt, reason: err.message, remainingMs });
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      }
    }
  }

  /** One connection attempt, bounded by `remainingMs`; proxy refusals are marked in {@link proxyRefusals}. */
  static async #attempt(opts: ConnectionOptions, url: URL, remainingMs: number, connectTimeoutMs: number): Promise<OperatorConnection> {
    const agent = opts.proxy ? proxyAgent(opts.proxy, opts.isolation ?? randomIsolation()) : undefined;
    // AUTH-7: a fresh ephemeral key per connection, named in the upgrade URL so the greeting that answers
    // it can be signed over it with no extra round trip.
    const ephemeral = KeyPair.generate();
    const ws = new WebSocket(withClientHello(url, ephemeral.publicKey), {
      ...(agent ? { agent } : {}),
      handshakeTimeout: remainingMs,
      maxPayload: MAX_RESPONSE_FRAME_BYTES + CHANNEL_OVERHEAD_BYTES,
      // TR-5: no compression. Compressing before encryption-free framing of ciphertext buys nothing and
      // compression side channels have leaked secrets before (CRIME).
      perMessageDeflate: false,
      followRedirects: false,
    });
    return await new Promise((resolve, reject) => {
      const fail = (err: Error) => {
        ephemeral.privateKey.wipe();
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(err);
      };
      const timer = setTimeout(
        () => fail(new ProtocolError('TIMEOUT', `no answer from the Operator at ${url.host} within ${Math.round(connectTimeoutMs / 1000)} s`)),
        remainingMs,
      );
      ws.once('error', (err) => {
        const refusal = PROXY_REFUSAL.exec(err.message)?.[1];
        if (refusal) {
          const e = new ProtocolError('CONNECTION_CLOSED', refusal);
          proxyRefusals.add(e);
          return fail(e);
        }
        fail(new ProtocolError('CONNECTION_CLOSED', `cannot reach the Operator at ${url.host}: ${describe(err)}`));
      });
      ws.once('close', () => fail(new ProtocolError('CONNECTION_CLOSED', `the Operator at ${url.host} closed the connection`)));
      ws.once('message', (data, isBinary) => {
        try {
          if (!isBinary) throw new ProtocolError('MALFORMED', 'the Operator sent a text frame');
          const bytes = toBytes(data as Buffer);
          // LIMIT-4: a full Operator answers a new connection with its refusal instead of a greeting.
          const refusal = refusalOf(bytes);
          if (refusal) throw refusal;
          const greeting = decodeGreeting(bytes);
          if (opts.operatorKey && !opts.operatorKey.equals(greeting.operatorKey)) {
            throw operatorKeyChanged({ name: url.host, url: opts.url }, opts.operatorKey, greeting.operatorKey);
          }
          // AUTH-7: nothing is sent before the greeting proves it comes from the pinned key, now.
          const { hello, channel } = acceptGreeting(greeting, opts.operatorKey ?? greeting.operatorKey, ephemeral);
          ephemeral.privateKey.wipe();
          clearTimeout(timer);
          ws.removeAllListeners();
          resolve(new OperatorConnection(ws, hello, channel, opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS));
        } catch (err) {
          fail(err as Error);
        }
      });
    });
  }

  /** True until the socket closes. */
  get isOpen(): boolean {
    return !this.#closed;
  }

  /**
   * Sends one request and waits for its answer, checked against the op's result schema (OP-2).
   * @param op - the op
   * @param params - its parameters
   * @param timeoutMs - this request's timeout (default: the connection's)
   * @returns the checked result
   * @throws ProtocolError with the Operator's code (e.g. NOT_FOUND, RATE_LIMITED), TIMEOUT,
   *   CONNECTION_CLOSED, or a decoding code when the answer is malformed
   */
  request<O extends Op>(op: O, params: Params<O>, timeoutMs = this.#requestTimeoutMs): Promise<Result<O>> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed || this.#closing) return Promise.reject(new ProtocolError('CONNECTION_CLOSED', 'the connection to the Operator is closed'));
    const id = this.#takeId();
    // AUTH-9: sealed at once, so frames are numbered in the order they are sent.
    const frame = this.#channel.seal(encodeRequest(id, op, params));
    return new Promise<Result<O>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ProtocolError('TIMEOUT', `the Operator did not answer "${op}" within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.#pending.set(id, { op, resolve: resolve as (v: unknown) => void, reject, timer });
      this.#ws.send(frame, (err) => {
        if (err) this.#settle(id, undefined, new ProtocolError('CONNECTION_CLOSED', 'the connection dropped while sending'));
      });
    });
  }

  /** Closes the connection; pending requests fail with CONNECTION_CLOSED. */
  close(): void {
    if (this.#closed) return;
    this.#closing = true;
    this.#ws.close(1000);
    // A peer that does not answer the close handshake must not keep the process alive.
    setTimeout(() => this.#ws.terminate(), 2_000).unref();
  }

  /** Closes and waits until the socket is gone. */
  async closed(): Promise<void> {
    if (this.#closed) return;
    const done = new Promise<void>((resolve) => this.once('close', () => resolve()));
    this.close();
    await done;
  }

  #takeId(): number {
    // Skip ids still pending after a wrap-around (2^32 requests on one connection, in theory).
    do {
      this.#nextId = this.#nextId >= MAX_REQUEST_ID ? 1 : this.#nextId + 1;
    } while (this.#pending.has(this.#nextId));
    return this.#nextId;
  }

  #onFrame(data: Buffer, isBinary: boolean): void {
    if (this.#failure) return;
    let plain;
    try {
      if (!isBinary) throw new ProtocolError('MALFORMED', 'text frame');
      plain = this.#channel.open(toBytes(data));
    } catch {
      // AUTH-10: a frame that is not sealed for its place (injected, altered, replayed, or the Operator's
      // unsealed notice that one of ours did not open) ends the connection; every request fails typed.
      this.#channel.break();
      this.#failure = new ProtocolError('DECRYPT_FAILED', 'the connection to the Operator was tampered with (a frame did not open): closed');
      for (const id of [...this.#pending.keys()]) this.#settle(id, undefined, this.#failure);
      this.#ws.terminate();
      return;
    }
    let frame;
    try {
      frame = decodeServerFrame(plain);
    } catch {
      // A frame we cannot read means the Operator (or something between) is broken: drop the
      // connection rather than guess which request it answered.
      this.#ws.terminate();
      return;
    }
    if (frame.type === 'mail') {
      this.emit('mail');
    } else if (frame.type === 'ok') {
      const p = this.#pending.get(frame.id);
      if (!p) return;
      try {
        const result = decodeResult(p.op, frame.value);
        if (p.op === 'info') this.#checkInfo(result as Result<'info'>);
        this.#settle(frame.id, result);
      } catch (err) {
        this.#settle(frame.id, undefined, err as Error);
      }
    } else if (frame.type === 'err') {
      if (frame.id === undefined) {
        // LIMIT-4: pushed out to make room; requests still waiting fail with this code, not a bare close.
        if (frame.code === 'RATE_LIMITED') this.#refusal = new ProtocolError(frame.code, frame.message);
        return;
      }
      this.#settle(frame.id, undefined, new ProtocolError(frame.code, frame.message));
    }
  }

  /** AUTH-8: `info` must name the keys the greeting signed; the signed ones are what the client uses. */
  #checkInfo(info: Result<'info'>): void {
    if (!info.operatorKey.equals(this.hello.operatorKey) || !info.worldKey.equals(this.hello.worldKey)) {
      throw new ProtocolError('KEY_CHANGED', '`info` names other keys than the signed greeting');
    }
  }

  #settle(id: number, value: unknown, err?: Error): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel.wipe();
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id, undefined, this.#refusal ?? new ProtocolError('CONNECTION_CLOSED', 'the connection to the Operator closed before it answered'));
    }
    this.emit('close', this.#closing);
  }
}

/** A fresh random SOCKS isolation token (a new Tor circuit). */
export function randomIsolation(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('hex');
}

function toBytes(data: Buffer): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * An Operator's refusal sent instead of a greeting (too many connections, a version it does not speak),
 * as its typed error. It is unsigned, so it can only end this attempt, which anyone between can anyway.
 */
function refusalOf(bytes: Uint8Array): ProtocolError | undefined {
  let frame;
  try {
    frame = decodeServerFrame(bytes, 1024);
  } catch {
    return undefined;
  }
  return frame.type === 'err' ? new ProtocolError(frame.code, `the Operator refused the connection: ${frame.message}`) : undefined;
}

/** The `socks` library's message when the proxy answered a CONNECT with an error reply (TR-7). */
const PROXY_REFUSAL = /^Socks5 proxy rejected connection - (\w+)/;

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ?? err.message.slice(0, 120);
}
