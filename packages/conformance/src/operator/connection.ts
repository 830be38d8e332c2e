/**
 * One connection to the Operator under test: the client hello, the signed greeting checked against the
 * pinned key, the sealed channel, typed requests matched by id, raw frames for the wire checks, and pacing
 * below the Operator's announced request rate (LIMIT-3), so the kit is never refused for its own speed.
 *
 * It is a probe, not a client: where `@comrad/core/client`'s `ClientSession` ends a connection on a frame
 * that does not open or decode (AUTH-10), this one hands the frame over, so a check can read the
 * Operator's unsealed notice, a malformed answer or a close code; and it sends whatever bytes a check
 * makes, sealed or not. The repository's own tests use it too (`@comrad/test-kit/operator/client`).
 * @module
 */
import WebSocket from 'ws';
import { KeyPair, ProtocolError, type PublicKey } from '@comrad/core';
import {
  CHANNEL_OVERHEAD_BYTES,
  MAX_RESPONSE_FRAME_BYTES,
  acceptGreeting,
  decodeGreeting,
  decodeResult,
  decodeServerFrame,
  encodeRequest,
  makeAuthProof,
  withClientHello,
  type Channel,
  type Hello,
  type Op,
  type Params,
  type Result,
  type ServerFrame,
} from '@comrad/core/wire';

/** How long the kit waits for any one answer before calling the Operator unresponsive. */
export const ANSWER_TIMEOUT_MS = 10_000;

/** Thrown when the Operator does not answer in time or closes a connection the kit still needed. */
export class NoAnswer extends Error {
  override readonly name = 'NoAnswer';
}

type Waiter<T> = { resolve: (v: T) => void; reject: (e: unknown) => void; timer: NodeJS.Timeout; done: boolean };

/** What the first frame of a connection was, when it was not a greeting that checks out. */
export class RefusedConnection extends Error {
  override readonly name = 'RefusedConnection';
  constructor(
    message: string,
    /** The first frame, decoded, when it was an (unsealed) error frame. */
    readonly frame: ServerFrame | undefined,
    /** The close code, when the Operator closed. */
    readonly closeCode: number | undefined,
  ) {
    super(message);
  }
}

/** Pacing shared by every connection the kit opens: the Operator's per-connection rate, with margin. */
export interface Pace {
  /** Least time between two requests on one connection (ms). */
  intervalMs: number;
}

/** Options of {@link Connection.open}. */
export interface ConnectionOptions {
  /** The upgrade path and query to use instead of a proper client hello (wire checks). */
  readonly path?: string;
  /** How long to wait for the greeting and for any one answer (default {@link ANSWER_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

/** A connection to the Operator under test. */
export class Connection {
  readonly #loose: ServerFrame[] = [];
  readonly #looseWaiters: Waiter<ServerFrame>[] = [];
  readonly #pending = new Map<number, Waiter<ServerFrame>>();
  #mailPushes = 0;
  readonly #mailWaiters: Waiter<void>[] = [];
  #nextId = 1;
  #lastSent = 0;
  /** Resolves with the close code when the socket closes. */
  readonly closed: Promise<number>;
  #isClosed = false;

  private constructor(
    private readonly ws: WebSocket,
    /** The checked greeting (AUTH-7). */
    readonly hello: Hello,
    /** The sealed channel (AUTH-9). */
    readonly channel: Channel,
    private readonly pace: Pace,
    private readonly timeoutMs: number,
  ) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.#isClosed = true;
        resolve(code);
      }),
    );
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const bytes = new Uint8Array(data);
      let frame: ServerFrame;
      try {
        // AUTH-10: after a broken channel the Operator says so once, unsealed.
        const plain = this.channel.broken || !isBinary ? bytes : tryOpen(this.channel, bytes);
        frame = decodeServerFrame(plain ?? bytes, MAX_RESPONSE_FRAME_BYTES);
      } catch (err) {
        frame = { type: 'err', code: 'MALFORMED', message: `the kit could not read the Operator's frame: ${(err as Error).message}` };
        (frame as { undecodable?: boolean }).undecodable = true;
      }
      this.#onFrame(frame);
    });
    ws.on('close', () => {
      for (const w of this.#looseWaiters.splice(0)) w.reject(new NoAnswer('the Operator closed the connection'));
      for (const w of this.#mailWaiters.splice(0)) w.reject(new NoAnswer('the Operator closed the connection'));
      for (const [, w] of this.#pending) w.reject(new NoAnswer('the Operator closed the connection before answering'));
      this.#pending.clear();
    });
  }

  /**
   * Connects with a fresh client hello and checks the greeting against `pinned` (AUTH-1, AUTH-7), or
   * trusts the key the greeting names when there is no pin yet (trust on first use).
   * @param opts - another upgrade path (wire checks), the answer timeout
   * @throws RefusedConnection when the first frame is not a greeting, or the socket closes first;
   *   ProtocolError KEY_CHANGED, BAD_SIGNATURE, DECRYPT_FAILED from the greeting check
   */
  static async open(url: string, pinned: PublicKey | undefined, pace: Pace, opts: ConnectionOptions = {}): Promise<Connection> {
    const { path } = opts;
    const timeoutMs = opts.timeoutMs ?? ANSWER_TIMEOUT_MS;
    const eph = KeyPair.generate();
    const target = path === undefined ? withClientHello(new URL(url), eph.publicKey) : new URL(path, url);
    const ws = new WebSocket(target, { maxPayload: MAX_RESPONSE_FRAME_BYTES + CHANNEL_OVERHEAD_BYTES, perMessageDeflate: false });
    ws.on('error', () => undefined);
    const first = await new Promise<{ bytes?: Uint8Array; closeCode?: number }>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve({});
      }, timeoutMs);
      ws.once('message', (data: Buffer) => {
        clearTimeout(timer);
        resolve({ bytes: new Uint8Array(data) });
      });
      ws.once('close', (code) => {
        clearTimeout(timer);
        resolve({ closeCode: code });
      });
    });
    if (!first.bytes) throw new RefusedConnection(first.closeCode === undefined ? 'no greeting within the deadline' : `closed (${first.closeCode}) before greeting`, undefined, first.closeCode);
    let greeting;
    try {
      greeting = decodeGreeting(first.bytes);
    } catch {
      let frame: ServerFrame | undefined;
      try {
        frame = decodeServerFrame(first.bytes);
      } catch {
        frame = undefined;
      }
      const closeCode = await new Promise<number | undefined>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve(undefined);
        const timer = setTimeout(() => {
          ws.terminate();
          resolve(undefined);
        }, 2000);
        ws.once('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      throw new RefusedConnection('the first frame was not a greeting', frame, closeCode);
    }
    try {
      const { hello, channel } = acceptGreeting(greeting, pinned ?? greeting.operatorKey, eph);
      return new Connection(ws, hello, channel, pace, timeoutMs);
    } catch (err) {
      ws.terminate();
      throw err;
    }
  }

  /** True once the socket closed. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** The client side's TCP port (privacy tests look for it in the Operator's logs). */
  get localPort(): number {
    return (this.ws as unknown as { _socket: { localPort: number } })._socket.localPort;
  }

  /**
   * Sends a typed request and resolves with its checked result; an error frame rejects with its
   * ProtocolError.
   * @throws ProtocolError (the Operator's refusal, or MALFORMED when its result does not decode), NoAnswer
   */
  async request<O extends Op>(op: O, params: Params<O>): Promise<Result<O>> {
    const frame = await this.requestFrame(op, params);
    if (frame.type === 'err') throw new ProtocolError(frame.code, frame.message);
    if (frame.type !== 'ok') throw new NoAnswer(`a ${frame.type} frame answered ${op}`);
    return decodeResult(op, frame.value);
  }

  /** Sends a typed request and resolves with the raw answer frame. */
  async requestFrame<O extends Op>(op: O, params: Params<O>): Promise<ServerFrame> {
    await this.#paced();
    const id = this.#nextId++;
    return this.#exchange(id, encodeRequest(id, op, params));
  }

  /**
   * Sends bytes of the kit's choosing as one sealed frame and resolves with the answer that carries
   * `id`, or with the next answer that carries none when `id` is undefined.
   */
  async rawExchange(bytes: Uint8Array, id: number | undefined): Promise<ServerFrame> {
    await this.#paced();
    if (id !== undefined) return this.#exchange(id, bytes);
    this.ws.send(this.channel.seal(bytes));
    return this.nextLoose();
  }

  /** {@link rawExchange} without pacing: for the rate-limit check, which must exceed the rate. */
  rawExchangeNow(bytes: Uint8Array, id: number): Promise<ServerFrame> {
    return this.#exchange(id, bytes);
  }

  /** An id no request of this connection uses: for raw frames. */
  freshId(): number {
    return this.#nextId++;
  }

  /** Sends text as a text frame (OP-1 wants binary). */
  sendText(text: string): void {
    this.ws.send(text, { binary: false });
  }

  /** Sends bytes as they are, outside the channel (as a relay would inject them). */
  sendUnsealed(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  /** Seals bytes in the channel without sending them (to replay or alter them). */
  seal(bytes: Uint8Array): Uint8Array {
    return this.channel.seal(bytes);
  }

  /** The next frame that answered no typed request (errors without id, answers to raw frames). */
  nextLoose(): Promise<ServerFrame> {
    const f = this.#loose.shift();
    if (f) return Promise.resolve(f);
    if (this.#isClosed) return Promise.reject(new NoAnswer('the connection is closed'));
    return new Promise((resolve, reject) => this.#looseWaiters.push(this.#waiter(resolve, reject, 'a frame')));
  }

  /** Resolves once a `mail` push has arrived (MB-6), consuming it. */
  nextMailPush(): Promise<void> {
    if (this.#mailPushes > 0) {
      this.#mailPushes--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#mailWaiters.push(this.#waiter(resolve, reject, 'a mail push')));
  }

  /** Frames that answered no request and were not read (errors without id). */
  get looseCount(): number {
    return this.#loose.length;
  }

  /** Mail pushes that arrived and were not consumed. */
  get unreadPushes(): number {
    return this.#mailPushes;
  }

  /** Logs in as `name` with a fresh signature over this connection's challenge (AUTH-2). */
  auth(name: string, keys: KeyPair, at = Date.now(), challenge = this.hello.challenge): Promise<Result<'auth'>> {
    const sig = makeAuthProof(keys.privateKey, { challenge, operatorKey: this.hello.operatorKey, name, at });
    return this.request('auth', { name, at, sig });
  }

  /** Closes the socket and waits for it (at most 2 s, then it is cut). */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.ws.close();
    const timer = setTimeout(() => this.ws.terminate(), 2000);
    await this.closed;
    clearTimeout(timer);
  }

  async #paced(): Promise<void> {
    const wait = this.#lastSent + this.pace.intervalMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.#lastSent = Date.now();
  }

  #exchange(id: number, bytes: Uint8Array): Promise<ServerFrame> {
    if (this.#isClosed) return Promise.reject(new NoAnswer('the connection is closed'));
    return new Promise((resolve, reject) => {
      this.#pending.set(id, this.#waiter(resolve, reject, `the answer to request ${id}`));
      this.ws.send(this.channel.seal(bytes));
    });
  }

  #onFrame(frame: ServerFrame): void {
    if (frame.type === 'mail') {
      const w = live(this.#mailWaiters);
      if (w) settle(w, undefined);
      else this.#mailPushes++;
      return;
    }
    const id = frame.type === 'ok' || frame.type === 'err' ? frame.id : undefined;
    const p = id === undefined ? undefined : this.#pending.get(id);
    if (p && id !== undefined) {
      this.#pending.delete(id);
      settle(p, frame);
      return;
    }
    const w = live(this.#looseWaiters);
    if (w) settle(w, frame);
    else this.#loose.push(frame);
  }

  #waiter<T>(resolve: (v: T) => void, reject: (e: unknown) => void, what: string): Waiter<T> {
    const w: Waiter<T> = {
      resolve,
      reject,
      done: false,
      timer: setTimeout(() => {
        w.done = true;
        reject(new NoAnswer(`no ${what} within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs),
    };
    return w;
  }
}

function settle<T>(w: Waiter<T>, value: T): void {
  clearTimeout(w.timer);
  w.done = true;
  w.resolve(value);
}

/** The frame opened by the channel, or undefined (and the channel broken) when it does not open. */
function tryOpen(channel: Channel, bytes: Uint8Array): Uint8Array | undefined {
  try {
    return channel.open(bytes);
  } catch {
    return undefined;
  }
}

/** The first waiter in `list` that has not timed out. */
function live<T>(list: Waiter<T>[]): Waiter<T> | undefined {
  let w = list.shift();
  while (w?.done) w = list.shift();
  return w;
}
