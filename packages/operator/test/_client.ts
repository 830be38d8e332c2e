/**
 * A tiny test client over `ws` and `@comrad/core/wire`: real frames on a real socket, with raw access for
 * adversarial tests. (The real client library lives in `@comrad/client-node`.)
 */
import WebSocket from 'ws';
import { ProtocolError, type PublicKey } from '@comrad/core';
import { makeAuthProof, decodeResult, decodeServerFrame, encodeRequest, MAX_RESPONSE_FRAME_BYTES, type Op, type Params, type Result, type ServerFrame } from '@comrad/core/wire';
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
    /** The `hello` push of this connection. */
    readonly hello: { operatorKey: PublicKey; challenge: Uint8Array },
  ) {
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('message', (data: Buffer, isBinary) => this.onFrame(isBinary ? decodeServerFrame(new Uint8Array(data), MAX_RESPONSE_FRAME_BYTES) : undefined));
    ws.on('close', () => {
      for (const w of this.looseWaiters.splice(0)) w.reject(new Error('closed'));
      for (const [, p] of this.pending) p.waiter.reject(new ProtocolError('CONNECTION_CLOSED', 'closed'));
      this.pending.clear();
    });
  }

  /** Connects and waits for the `hello` push (AUTH-1). */
  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url, { maxPayload: MAX_RESPONSE_FRAME_BYTES, perMessageDeflate: false });
    ws.on('error', () => undefined);
    const first = await new Promise<ServerFrame>((resolve, reject) => {
      ws.once('message', (data: Buffer) => {
        try {
          resolve(decodeServerFrame(new Uint8Array(data)));
        } catch (err) {
          reject(err);
        }
      });
      ws.once('close', (code) => reject(new Error(`closed before hello (${code})`)));
    });
    if (first.type !== 'hello') throw Object.assign(new Error('first frame was not hello'), { frame: first });
    return new TestClient(ws, { operatorKey: first.operatorKey, challenge: first.challenge });
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

  /** Sends arbitrary bytes (or text) as one frame. */
  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
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
      this.ws.send(bytes);
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

/** The first waiter in `list` that has not timed out. */
function live<T>(list: Waiter<T>[]): Waiter<T> | undefined {
  let w = list.shift();
  while (w?.done) w = list.shift();
  return w;
}
