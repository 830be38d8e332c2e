/**
 * The client session over any socket (BRW-1..BRW-6): the signed greeting checked against the pinned key
 * before anything is sent (AUTH-7), every later frame sealed both ways in order (AUTH-9, AUTH-10),
 * answers matched to requests by id and checked against their op's schema (OP-2), pushes surfaced as
 * events, every wait bounded (TR-4). It imports nothing but core: a browser's `WebSocket`, Node's `ws`
 * (with a SOCKS agent for Tor) or anything else that moves binary messages plugs in as a
 * {@link ClientSocket}. All crypto goes through the asynchronous API (CRY-18), so it runs on every backend.
 * @module
 */
import { ComradError, ProtocolError } from '../errors.js';
import type { KeyPair, PublicKey } from '../crypto/keys.js';
import { acceptGreetingAsync, decodeGreeting, type Hello } from '../wire/greeting.js';
import type { Channel } from '../wire/channel.js';
import { decodeResult, decodeServerFrame, encodeRequest } from '../wire/frame.js';
import { MAX_REQUEST_ID } from '../wire/limits.js';
import type { Op, Params, Result } from '../wire/ops.js';

/**
 * BRW-1: what the session needs of a transport — a message-oriented, ordered, reliable socket, already
 * connecting to the Operator's address with the client hello in it (`withClientHello`).
 */
export interface ClientSocket {
  /** Sends one binary message. Failures surface as a close. */
  send(data: Uint8Array): void;
  /** Called with each message as it arrives, in order: bytes, or a string for a text message. */
  onMessage(handler: (data: Uint8Array | string) => void): void;
  /** Called once when the socket is gone; `error` says why when the transport knows (a refused proxy…). */
  onClose(handler: (error?: Error) => void): void;
  /** Closes the socket; `onClose` follows. */
  close(): void;
}

/** TR-4: waiting for the greeting. */
export const DEFAULT_GREETING_TIMEOUT_MS = 60_000;
/** TR-4: waiting for one answer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Options of {@link ClientSession.open}. */
export interface ClientSessionOptions {
  /** The fresh key pair named in this connection's client hello (AUTH-7); wiped once the greeting is checked. */
  readonly ephemeral: KeyPair;
  /** The pinned Operator key; without it (first use) the greeting must be signed by the key it names. */
  readonly operatorKey?: PublicKey;
  /** Builds the error for a greeting that names another key than the pinned one (default KEY_CHANGED). */
  readonly keyChanged?: (pinned: PublicKey, announced: PublicKey) => Error;
  /** Waiting for the greeting (default {@link DEFAULT_GREETING_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** The TIMEOUT message when the greeting does not come in time. */
  readonly timeoutMessage?: string;
  /** Waiting for one answer (default {@link DEFAULT_REQUEST_TIMEOUT_MS}). */
  readonly requestTimeoutMs?: number;
  /** The Operator's address as shown in messages (never anything about the user). */
  readonly host?: string;
}

/** Events of a {@link ClientSession}. */
export interface ClientSessionEvents {
  /** The Operator says mail is waiting (MB-6). */
  mail: [];
  /** The socket closed; `expected` is true after {@link ClientSession.close}. */
  close: [expected: boolean];
}

type Listener<E extends keyof ClientSessionEvents> = (...args: ClientSessionEvents[E]) => void;

interface Pending {
  op: Op;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One greeted connection to an Operator over a {@link ClientSocket}.
 * @example
 * ```ts
 * import { ready, KeyPair } from '@comrad/core';
 * import { ClientSession, webSocketOf } from '@comrad/core/client';
 * import { withClientHello } from '@comrad/core/wire';
 * await ready();
 * const ephemeral = await KeyPair.generateAsync();
 * const socket = webSocketOf(new WebSocket(withClientHello(new URL('wss://op.example'), ephemeral.publicKey)));
 * const session = await ClientSession.open(socket, { ephemeral, operatorKey: pinned });
 * const info = await session.request('info', {});
 * ```
 */
export class ClientSession {
  readonly #socket: ClientSocket;
  readonly #channel: Channel;
  readonly #pending = new Map<number, Pending>();
  readonly #requestTimeoutMs: number;
  readonly #listeners: { [E in keyof ClientSessionEvents]: Set<Listener<E>> } = { mail: new Set(), close: new Set() };
  /** BRW-3: frames leave in the order they were numbered, whatever order their sealing finishes in. */
  #sending: Promise<unknown> = Promise.resolve();
  /** BRW-3: frames are opened one after the other, in the order they arrived. */
  #receiving: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #closing = false;
  #closed = false;
  /** Why the Operator is about to close the connection, when it said so (an error frame without id). */
  #refusal: ProtocolError | undefined;
  /** AUTH-10: set once a frame did not open; every request fails with it from then on. */
  #failure: ProtocolError | undefined;

  private constructor(
    socket: ClientSocket,
    /** The greeting this connection received, checked: its challenge and the signed world key. */
    readonly hello: Hello,
    channel: Channel,
    requestTimeoutMs: number,
  ) {
    this.#socket = socket;
    this.#channel = channel;
    this.#requestTimeoutMs = requestTimeoutMs;
  }

  /**
   * Waits for the Operator's greeting on `socket` and checks it (BRW-2): a refusal in its place (LIMIT-4)
   * is that refusal's typed error; a greeting naming another key than the pinned one is KEY_CHANGED; one
   * not signed for this connection is BAD_SIGNATURE. Nothing is sent before the greeting is checked.
   * @param socket - a socket connecting to the Operator with the client hello of `opts.ephemeral`
   * @param opts - the ephemeral key pair, the pinned key, timeouts
   * @returns the open session
   * @throws ProtocolError TIMEOUT, CONNECTION_CLOSED (or the socket's own error), KEY_CHANGED,
   *   BAD_SIGNATURE, DECRYPT_FAILED, MALFORMED, a refusal's code (RATE_LIMITED, UNSUPPORTED_VERSION…)
   */
  static open(socket: ClientSocket, opts: ClientSessionOptions): Promise<ClientSession> {
    const host = opts.host ?? 'the Operator';
    const timeoutMs = opts.timeoutMs ?? DEFAULT_GREETING_TIMEOUT_MS;
    return new Promise<ClientSession>((resolve, reject) => {
      let state: 'greeting' | 'checking' | 'open' | 'failed' = 'greeting';
      let session: ClientSession | undefined;
      const early: Uint8Array[] = [];
      const fail = (err: Error) => {
        if (state === 'failed' || state === 'open') return;
        state = 'failed';
        opts.ephemeral.privateKey.wipe();
        clearTimeout(timer);
        socket.close();
        reject(err);
      };
      const timer = setTimeout(
        () => fail(new ProtocolError('TIMEOUT', opts.timeoutMessage ?? `no answer from ${host} within ${Math.round(timeoutMs / 1000)} s`)),
        timeoutMs,
      );
      socket.onClose((error) => {
        if (session) return session.#onClose();
        fail(error ?? new ProtocolError('CONNECTION_CLOSED', `${host} closed the connection`));
      });
      socket.onMessage((data) => {
        if (session) return session.#onMessage(data);
        if (state === 'checking') {
          // Frames after the greeting, before it is checked: kept in order for the session.
          if (typeof data !== 'string') early.push(data);
          return;
        }
        if (state !== 'greeting') return;
        state = 'checking';
        void (async () => {
          try {
            if (typeof data === 'string') throw new ProtocolError('MALFORMED', 'the Operator sent a text frame');
            // LIMIT-4: a full Operator answers a new connection with its refusal instead of a greeting.
            const refusal = refusalOf(data);
            if (refusal) throw refusal;
            const greeting = decodeGreeting(data);
            if (opts.operatorKey && !opts.operatorKey.equals(greeting.operatorKey)) {
              throw opts.keyChanged?.(opts.operatorKey, greeting.operatorKey) ?? new ProtocolError('KEY_CHANGED', 'the Operator greeted with another key than the pinned one');
            }
            // AUTH-7: nothing is sent before the greeting proves it comes from the pinned key, now.
            const { hello, channel } = await acceptGreetingAsync(greeting, opts.operatorKey ?? greeting.operatorKey, opts.ephemeral);
            if (state !== 'checking') return channel.wipe(); // timed out or closed meanwhile
            opts.ephemeral.privateKey.wipe();
            clearTimeout(timer);
            state = 'open';
            session = new ClientSession(socket, hello, channel, opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
            for (const frame of early) session.#onMessage(frame);
            resolve(session);
          } catch (err) {
            fail(err as Error);
          }
        })();
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
   * @param timeoutMs - this request's timeout (default: the session's)
   * @returns the checked result
   * @throws ProtocolError with the Operator's code (e.g. NOT_FOUND, RATE_LIMITED), TIMEOUT,
   *   CONNECTION_CLOSED, DECRYPT_FAILED (a tampered connection), or a decoding code for a malformed answer
   */
  request<O extends Op>(op: O, params: Params<O>, timeoutMs = this.#requestTimeoutMs): Promise<Result<O>> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed || this.#closing) return Promise.reject(new ProtocolError('CONNECTION_CLOSED', 'the connection to the Operator is closed'));
    const id = this.#takeId();
    let frame: Promise<Uint8Array>;
    try {
      // AUTH-9: the frame's number is taken now, so frames are numbered in the order of the calls.
      frame = this.#channel.sealAsync(encodeRequest(id, op, params));
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Result<O>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ProtocolError('TIMEOUT', `the Operator did not answer "${op}" within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.#pending.set(id, { op, resolve: resolve as (v: unknown) => void, reject, timer });
      // BRW-3: sent in numbering order, one after the other.
      this.#sending = this.#sending.then(
        () => frame.then((bytes) => (this.#closed ? undefined : this.#socket.send(bytes))),
      ).catch((err: unknown) => this.#settle(id, undefined, err instanceof ComradError ? err : new ProtocolError('CONNECTION_CLOSED', 'the connection dropped while sending')));
    });
  }

  /**
   * Listens to an event: `mail` (mail is waiting) or `close`.
   * @returns a function that stops listening
   */
  on<E extends keyof ClientSessionEvents>(event: E, listener: Listener<E>): () => void {
    (this.#listeners[event] as Set<Listener<E>>).add(listener);
    return () => (this.#listeners[event] as Set<Listener<E>>).delete(listener);
  }

  /** Closes the connection; pending requests fail with CONNECTION_CLOSED. */
  close(): void {
    if (this.#closed) return;
    this.#closing = true;
    this.#socket.close();
  }

  /** Closes and waits until the socket is gone. */
  closed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.on('close', () => resolve()));
    this.close();
    return done;
  }

  #emit<E extends keyof ClientSessionEvents>(event: E, ...args: ClientSessionEvents[E]): void {
    for (const listener of [...(this.#listeners[event] as Set<Listener<E>>)]) listener(...args);
  }

  #takeId(): number {
    // Skip ids still pending after a wrap-around (2^32 requests on one connection, in theory).
    do {
      this.#nextId = this.#nextId >= MAX_REQUEST_ID ? 1 : this.#nextId + 1;
    } while (this.#pending.has(this.#nextId));
    return this.#nextId;
  }

  #onMessage(data: Uint8Array | string): void {
    if (this.#failure) return;
    // BRW-3: each frame's number is taken when its turn comes, in arrival order.
    this.#receiving = this.#receiving.then(() => this.#onFrame(data));
  }

  async #onFrame(data: Uint8Array | string): Promise<void> {
    if (this.#failure || this.#closed) return;
    let plain: Uint8Array;
    try {
      if (typeof data === 'string') throw new ProtocolError('MALFORMED', 'text frame');
      plain = await this.#channel.openAsync(data);
    } catch {
      // AUTH-10: a frame that is not sealed for its place (injected, altered, replayed, or the Operator's
      // unsealed notice that one of ours did not open) ends the connection; every request fails typed.
      this.#channel.break();
      this.#failure = new ProtocolError('DECRYPT_FAILED', 'the connection to the Operator was tampered with (a frame did not open): closed');
      for (const id of [...this.#pending.keys()]) this.#settle(id, undefined, this.#failure);
      this.#socket.close();
      return;
    }
    let frame;
    try {
      frame = decodeServerFrame(plain);
    } catch {
      // A frame we cannot read means the Operator (or something between) is broken: drop the
      // connection rather than guess which request it answered.
      this.#socket.close();
      return;
    }
    if (frame.type === 'mail') {
      this.#emit('mail');
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
    this.#emit('close', this.#closing);
  }
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
