/**
 * One WebSocket to an Operator: the Node bindings (ws, a SOCKS proxy for Tor, retries, Node events)
 * around core's client session (`@comrad/core/client`, BRW-1), which checks the signed greeting against
 * the pinned key before anything is sent (AUTH-7), seals every later frame both ways (AUTH-9), matches
 * answers to requests by id, surfaces pushes, and bounds every wait (TR-4) so nothing hangs forever on a
 * slow Tor circuit.
 * @module
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { ComradError, KeyPair, ProtocolError, type PublicKey } from '@comrad/core';
import { ClientSession, DEFAULT_REQUEST_TIMEOUT_MS, type ClientSocket } from '@comrad/core/client';
import { CHANNEL_OVERHEAD_BYTES, MAX_RESPONSE_FRAME_BYTES, withClientHello, type Hello, type Op, type Params, type Result } from '@comrad/core/wire';
import { checkOperatorUrl, proxyAgent } from './proxy.js';
import { operatorKeyChanged } from '../store/key-changed.js';
import { startCrypto } from '../crypto-ready.js';

/** TR-4: waiting for a connection and its greeting; generous, since a Tor circuit can take long to build. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;
/** TR-4: waiting for one answer (core's default, BRW-1). */
export { DEFAULT_REQUEST_TIMEOUT_MS };

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

/** Events of an {@link OperatorConnection}. */
export interface ConnectionEvents {
  /** The Operator says mail is waiting (MB-6). */
  mail: [];
  /** The socket closed; `expected` is true after {@link OperatorConnection.close}. */
  close: [expected: boolean];
}

/**
 * An open connection to an Operator, greeted and ready for requests: core's client session (BRW-1) over
 * a `ws` WebSocket, with the SOCKS proxy for Tor, retries and Node's events around it.
 */
export class OperatorConnection extends EventEmitter<ConnectionEvents> {
  readonly #session: ClientSession;

  private constructor(session: ClientSession) {
    super();
    this.#session = session;
    session.on('mail', () => this.emit('mail'));
    session.on('close', (expected) => this.emit('close', expected));
  }

  /** The greeting this connection received, checked: its challenge and the signed world key. */
  get hello(): Hello {
    return this.#session.hello;
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
    const agent = opts.proxy ? await proxyAgent(opts.proxy, opts.isolation ?? randomIsolation()) : undefined;
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
    const session = await ClientSession.open(wsSocket(ws, url), {
      ephemeral,
      ...(opts.operatorKey ? { operatorKey: opts.operatorKey } : {}),
      keyChanged: (pinned, announced) => operatorKeyChanged({ name: url.host, url: opts.url }, pinned, announced),
      timeoutMs: remainingMs,
      timeoutMessage: `no answer from the Operator at ${url.host} within ${Math.round(connectTimeoutMs / 1000)} s`,
      requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      host: `the Operator at ${url.host}`,
    });
    return new OperatorConnection(session);
  }

  /** True until the socket closes. */
  get isOpen(): boolean {
    return this.#session.isOpen;
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
  request<O extends Op>(op: O, params: Params<O>, timeoutMs?: number): Promise<Result<O>> {
    return this.#session.request(op, params, timeoutMs);
  }

  /** Closes the connection; pending requests fail with CONNECTION_CLOSED. */
  close(): void {
    this.#session.close();
  }

  /** Closes and waits until the socket is gone. */
  closed(): Promise<void> {
    return this.#session.closed();
  }
}

/**
 * A `ws` WebSocket as core's {@link ClientSocket} (BRW-1): binary messages as bytes, text as strings; a
 * failure before the greeting names its cause (a proxy's refusal is marked for TR-7); a close that the
 * peer does not answer ends the socket after 2 s, so no process is kept alive by it.
 */
function wsSocket(ws: WebSocket, url: URL): ClientSocket {
  let failure: Error | undefined;
  let closeHandler: ((error?: Error) => void) | undefined;
  ws.on('error', (err) => {
    if (failure) return;
    const refusal = PROXY_REFUSAL.exec(err.message)?.[1];
    if (refusal) {
      failure = new ProtocolError('CONNECTION_CLOSED', refusal);
      proxyRefusals.add(failure);
    } else failure = new ProtocolError('CONNECTION_CLOSED', `cannot reach the Operator at ${url.host}: ${describe(err)}`);
    // 'close' follows every 'error' once the socket was open; before that, ws may not emit it.
    if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.CLOSED) queueMicrotask(() => closeHandler?.(failure));
  });
  let closed = false;
  return {
    send: (data) => ws.send(data, (err) => {
      if (err) ws.terminate();
    }),
    onMessage: (handler) => ws.on('message', (data, isBinary) => handler(isBinary ? toBytes(data as Buffer) : String(data))),
    onClose: (handler) => {
      closeHandler = (error) => {
        if (closed) return;
        closed = true;
        handler(error);
      };
      ws.on('close', () => closeHandler!(failure));
    },
    close: () => {
      if (ws.readyState === WebSocket.CONNECTING) return ws.terminate();
      ws.close(1000);
      // A peer that does not answer the close handshake must not keep the process alive.
      setTimeout(() => ws.terminate(), 2_000).unref();
    },
  };
}

/** A fresh random SOCKS isolation token (a new Tor circuit). */
export function randomIsolation(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('hex');
}

function toBytes(data: Buffer): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The `socks` library's message when the proxy answered a CONNECT with an error reply (TR-7). */
const PROXY_REFUSAL = /^Socks5 proxy rejected connection - (\w+)/;

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ?? err.message.slice(0, 120);
}
