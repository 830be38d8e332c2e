/**
 * A tiny test client over `ws` and `@comrad/core/wire`: real frames on a real socket, with raw access for
 * adversarial tests. (The real client library lives in `@comrad/client-node`.)
 */
import WebSocket from 'ws';
import { KeyPair, ProtocolError, type PublicKey } from '@comrad/core';
import {
  acceptGreeting,
  decodeGreeting,
  makeAuthProof,
  decodeResult,
  decodeServerFrame,
  encodeRequest,
  withClientHello,
  CHANNEL_OVERHEAD_BYTES,
  MAX_RESPONSE_FRAME_BYTES,
  type Channel,
  type Hello,
  type Op,
  type Params,
  type Result,
  type ServerFrame,
} from '@comrad/core/wire';
import type { Keymaker } from '@comrad/core/keymaker';

type Waiter<T> = { resolve: (v: T) => void; reject: (e: unknown) => void; timer: NodeJS.Timeout; done: boolean };

const TIMEOUT_MS = 5000;

/** A connection to an Operator. */
export class TestClient {
  /** Frames that answered no pending request: errors without id, answers to raw frames. */
  private readonly loose: ServerFrame[] = [];
  private readonly looseWaiters: Waiter<ServerFrame>[] = [];
  private readonly pending = new Map<number, { op: Op; waiter: Waiter<ServerFrame> }>();
  private mailPushes = 0;
  private readonly mailWaiters: Waiter<void>[] = [];
  private nextId = 1;
  /** Resolves with the close code when the socket closes. */
  readonly closed: Promise<number>;

  private constructor(
    private readonly ws: WebSocket,
    /** The checked greeting of this connection (AUTH-7). */
    readonly hello: Hello,
    /** The sealed channel (AUTH-9); raw frames go through it too, so they reach the Operator's decoder. */
    readonly channel: Channel,
  ) {
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) throw new Error('the Operator sent a text frame');
      const bytes = new Uint8Array(data);
      // After a broken channel the Operator says so once, unsealed (AUTH-10): surface it as a loose frame.
      const plain = this.channel.broken ? bytes : tryOpen(this.channel, bytes);
      this.onFrame(decodeServerFrame(plain ?? bytes, MAX_RESPONSE_FRAME_BYTES));
    });
    ws.on('close', () => {
      for (const w of this.looseWaiters.splice(0)) w.reject(new Error('closed'));
      for (const [, p] of this.pending) p.waiter.reject(new ProtocolError('CONNECTION_CLOSED', 'closed'));
      this.pending.clear();
    });
  }

  /**
   * Connects with a fresh client hello and waits for the greeting, checked against `pinned` (default: the
   * key the greeting names) (AUTH-7). A first frame that is not a greeting rejects, with the frame.
   */
  static async connect(url: string, pinned?: PublicKey): Promise<TestClient> {
    const eph = KeyPair.generate();
    const ws = new WebSocket(withClientHello(new URL(url), eph.publicKey), { maxPayload: MAX_RESPONSE_FRAME_BYTES + CHANNEL_OVERHEAD_BYTES, perMessageDeflate: false });
    ws.on('error', () => undefined);
    const first = await new Promise<Uint8Array>((resolve, reject) => {
      ws.once('message', (data: Buffer) => resolve(new Uint8Array(data)));
      ws.once('close', (code) => reject(new Error(`closed before hello (${code})`)));
    });
    let greeting;
    try {
      greeting = decodeGreeting(first);
    } catch {
      throw Object.assign(new Error('first frame was not hello'), { frame: decodeServerFrame(first) });
    }
    const { hello, channel } = acceptGreeting(greeting, pinned ?? greeting.operatorKey, eph);
    return new TestClient(ws, hello, channel);
  }

  /** Sends a typed request and resolves with its checked result; an error frame rejects with its ProtocolError. */
  async request<O extends Op>(op: O, params: Params<O>): Promise<Result<O>> {
    const id = this.nextId++;
    const frame = await this.exchange(id, op, encodeRequest(id, op, params));
    if (frame.type === 'err') throw new ProtocolError(frame.code, frame.message);
    if (frame.type !== 'ok') throw new Error(`unexpected ${frame.type}`);
    return decodeResult(op, frame.value);
  }

  /** Sends a typed request, resolving with the raw answer frame. */
  requestFrame<O extends Op>(op: O, params: Params<O>): Promise<ServerFrame> {
    const id = this.nextId++;
    return this.exchange(id, op, encodeRequest(id, op, params));
  }

  /** The client side's TCP port (privacy tests look for it in the Operator's logs). */
  get localPort(): number {
    return (this.ws as unknown as { _socket: { localPort: number } })._socket.localPort;
  }

  /** Sends arbitrary bytes as one sealed frame (they reach the Operator's decoder), or text as a text frame. */
  sendRaw(data: Uint8Array | string): void {
    if (typeof data === 'string') this.ws.send(data, { binary: false });
    // A Secure Cell seals no empty message, so the channel has no empty frame; a lone reserved msgpack
    // byte is the nearest garbage that still reaches the decoder.
    else this.ws.send(this.channel.seal(data.length > 0 ? data : Uint8Array.of(0xc1)));
  }

  /** Sends bytes as they are, outside the channel (as a relay would inject them). */
  sendUnsealed(data: Uint8Array): void {
    this.ws.send(data);
  }

  /** The next frame that answered no typed request (raw frames' answers, errors without id). */
  nextLoose(): Promise<ServerFrame> {
    const f = this.loose.shift();
    if (f) return Promise.resolve(f);
    return new Promise((resolve, reject) => this.looseWaiters.push(this.waiter(resolve, reject, 'a frame')));
  }

  /** Resolves once a `mail` push has arrived (MB-6), consuming it. */
  nextMailPush(): Promise<void> {
    if (this.mailPushes > 0) {
      this.mailPushes--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.mailWaiters.push(this.waiter(resolve, reject, 'a mail push')));
  }

  /** How many mail pushes arrived and were not consumed. */
  get unreadPushes(): number {
    return this.mailPushes;
  }

  /** Logs in as `who` with a fresh signature over this connection's challenge (AUTH-2). */
  auth(who: Keymaker, at = Date.now(), challenge = this.hello.challenge): Promise<Result<'auth'>> {
    const sig = makeAuthProof(who.keys.privateKey, { challenge, operatorKey: this.hello.operatorKey, name: who.name, at });
    return this.request('auth', { name: who.name, at, sig });
  }

  /** Closes the socket and waits for it. */
  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    await this.closed;
  }

  private exchange(id: number, op: Op, bytes: Uint8Array): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { op, waiter: this.waiter(resolve, reject, `the answer to ${op}`) });
      this.ws.send(this.channel.seal(bytes));
    });
  }

  private onFrame(frame: ServerFrame | undefined): void {
    if (!frame) throw new Error('the Operator sent a text frame');
    if (frame.type === 'mail') {
      const w = live(this.mailWaiters);
      if (w) this.settle(w, undefined);
      else this.mailPushes++;
      return;
    }
    const id = frame.type === 'ok' || frame.type === 'err' ? frame.id : undefined;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (p && id !== undefined) {
      this.pending.delete(id);
      this.settle(p.waiter, frame);
      return;
    }
    const w = live(this.looseWaiters);
    if (w) this.settle(w, frame);
    else this.loose.push(frame);
  }

  private waiter<T>(resolve: (v: T) => void, reject: (e: unknown) => void, what: string): Waiter<T> {
    const w: Waiter<T> = {
      resolve,
      reject,
      done: false,
      timer: setTimeout(() => {
        w.done = true;
        reject(new Error(`timed out waiting for ${what}`));
      }, TIMEOUT_MS),
    };
    return w;
  }

  private settle<T>(w: Waiter<T>, value: T): void {
    clearTimeout(w.timer);
    w.done = true;
    w.resolve(value);
  }
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
