/**
 * An active relay on loopback between the real client transport and a real Operator (AUTH-7..AUTH-11):
 * it forwards the handshake untouched and then tries every injection a network attacker on clearnet
 * `ws://` can try. Each must be refused with a typed error and change nothing in the Operator's store.
 *
 * The relay is protocol-generic on purpose: where it can read a frame (plain msgpack) it rewrites it as
 * an attacker would; where it cannot (a sealed frame), it does the next best thing (flip a byte, replace
 * the frame with a forged plain one).
 */
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ComradError, KeyPair, randomBytes, sign } from '@comrad/core';
import { decode, encode } from '@comrad/core/codec';
import { Keymaker } from '@comrad/core/keymaker';
import { encodeOk, encodeRequest, makeAuthProof, makeRegisterProof, type InfoResult } from '@comrad/core/wire';
import { mailKey, postKey, randomPart } from '@comrad/operator';
import { OperatorConnection } from '../src/transport/connection.js';
import { testScope } from '@comrad/test-kit/client-node/scope';
import type { TestOperator } from '@comrad/test-kit/client-node/operator';

const scope = testScope();

type Rewrite = (frame: Uint8Array, index: number) => Uint8Array[];

interface Relay {
  url: string;
  /** Frames the Operator sent through the relay (after rewriting), per connection, in order. */
  toClient: Uint8Array[][];
  /** Sends bytes to the Operator on the newest connection, as if the client had sent them. */
  inject(bytes: Uint8Array): void;
  /** Resolves when the Operator has sent `n` frames on the newest connection, or closed it. */
  serverFrames(n: number): Promise<void>;
}

/** A WebSocket relay that forwards the upgrade URL (path and query) and rewrites frames with the hooks. */
async function startRelay(target: string, hooks: { up?: Rewrite; down?: Rewrite } = {}): Promise<Relay> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const toClient: Uint8Array[][] = [];
  let newest: { up: WebSocket; seen: Uint8Array[]; waiters: (() => void)[] } | undefined;
  const ups = new Set<WebSocket>();
  wss.on('connection', (client, req) => {
    const up = new WebSocket(target + (req.url ?? '/'), { perMessageDeflate: false });
    ups.add(up);
    const seen: Uint8Array[] = [];
    toClient.push(seen);
    const state = {
      up,
      seen,
      waiters: [] as (() => void)[],
    };
    newest = state;
    const early: Uint8Array[] = [];
    let upIndex = 0;
    let downIndex = 0;
    up.on('error', () => {});
    client.on('error', () => {});
    up.once('open', () => {
      for (const f of early.splice(0)) up.send(f);
    });
    client.on('message', (data: Buffer) => {
      const frames = hooks.up ? hooks.up(new Uint8Array(data), upIndex++) : [new Uint8Array(data)];
      for (const f of frames) {
        if (up.readyState === WebSocket.OPEN) up.send(f);
        else early.push(f);
      }
    });
    up.on('message', (data: Buffer) => {
      const frames = hooks.down ? hooks.down(new Uint8Array(data), downIndex++) : [new Uint8Array(data)];
      for (const f of frames) {
        seen.push(f);
        if (client.readyState === WebSocket.OPEN) client.send(f);
      }
      for (const w of state.waiters.splice(0)) w();
    });
    up.once('close', () => {
      client.close();
      for (const w of state.waiters.splice(0)) w();
    });
    client.once('close', () => up.close());
  });
  scope.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const u of ups) u.terminate();
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  );
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    toClient,
    inject: (bytes) => newest!.up.send(bytes),
    async serverFrames(n) {
      const s = newest!;
      while (s.seen.length < n && s.up.readyState !== WebSocket.CLOSED) await new Promise<void>((resolve) => s.waiters.push(resolve));
    },
  };
}

/** A msgpack map, or undefined when the bytes are not one (a sealed frame). */
function readMap(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v = decode(bytes, bytes.length);
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function flipByte(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out[Math.floor(out.length / 2)]! ^= 0x01;
  return out;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) return 'no error';
  if (ComradError.is(err)) return err.code;
  throw err;
}

/** The code of the plain refusal the Operator sent after the handshake, if any. */
function plainRefusal(frames: Uint8Array[]): string | undefined {
  for (const f of frames) {
    const m = readMap(f);
    const err = m?.err as { code?: string } | undefined;
    if (err?.code) return err.code;
  }
  return undefined;
}

interface World {
  op: TestOperator;
  bob: Keymaker;
  register(name: string): Promise<Keymaker>;
  /** A letter for `to` (opaque bytes: the Operator never opens letters), stored directly. */
  mailFor(to: string): Promise<string>;
  mailOf(name: string): Promise<string[]>;
}

async function world(): Promise<World> {
  const op = await scope.operator();
  const register = async (name: string) => {
    const me = Keymaker.generate(name);
    const c = await OperatorConnection.open({ url: op.url, operatorKey: op.keys.operator.publicKey });
    await c.request('register', { name, key: me.publicKey, proof: makeRegisterProof(me.keys.privateKey, name, me.publicKey, op.keys.operator.publicKey) });
    await c.closed();
    return me;
  };
  const bob = await register('bob');
  return {
    op,
    bob,
    register,
    async mailFor(to) {
      const sealed = randomBytes(200);
      const mail = { sealed, receivedAt: Date.now(), expiresAt: Date.now() + 3_600_000, key: mailKey(sealed), nonce: randomPart() };
      const put = await op.store.appendMail(to, mail, { maxItems: 100, maxBytes: 1 << 20 });
      if (typeof put !== 'object') throw new Error(`appendMail: ${put}`);
      return put.id;
    },
    async mailOf(name) {
      return (await op.store.listMail(name, Date.now(), 100)).map((i) => i.id);
    },
  };
}

/** Opens bob's connection through `relay`, pinned to the real key, and logs in. */
async function bobThrough(w: World, relay: Relay): Promise<OperatorConnection> {
  const conn = await OperatorConnection.open({ url: relay.url, operatorKey: w.op.keys.operator.publicKey, requestTimeoutMs: 3_000 });
  scope.defer(() => conn.closed());
  const at = Date.now();
  const sig = makeAuthProof(w.bob.keys.privateKey, { challenge: conn.hello.challenge, operatorKey: w.op.keys.operator.publicKey, name: 'bob', at });
  await conn.request('auth', { name: 'bob', at, sig });
  return conn;
}

describe('active relay: requests after the handshake are bound to it (AUTH-9, AUTH-10)', () => {
  it('AUTH-9 an ack injected after the login is refused (DECRYPT_FAILED) and the mail stays', async () => {
    const w = await world();
    const id = await w.mailFor('bob');
    const relay = await startRelay(w.op.url);
    const conn = await bobThrough(w, relay);
    const before = relay.toClient[0]!.length;
    relay.inject(encodeRequest(900, 'ack', { ids: [id] }));
    await relay.serverFrames(before + 1);
    expect(await w.mailOf('bob')).toEqual([id]);
    expect(plainRefusal(relay.toClient[0]!.slice(before))).toBe('DECRYPT_FAILED');
    expect(await codeOf(conn.request('fetch', {}))).toBe('DECRYPT_FAILED');
  });

  it('AUTH-9 a delete injected after the login is refused and the post stays', async () => {
    const w = await world();
    const sealed = randomBytes(100);
    const post = { author: 'bob', sealed, epoch: 1, postedAt: Date.now(), expiresAt: Date.now() + 86_400_000, key: postKey('bob', sealed), nonce: randomPart() };
    const put = await w.op.store.appendPost(post);
    if (typeof put !== 'object') throw new Error(`appendPost: ${put}`);
    const postId = put.id;
    const relay = await startRelay(w.op.url);
    await bobThrough(w, relay);
    const before = relay.toClient[0]!.length;
    relay.inject(encodeRequest(901, 'delete', { postId }));
    await relay.serverFrames(before + 1);
    expect((await w.op.store.listPosts(Date.now(), 10)).map((p) => p.id)).toEqual([postId]);
    expect(plainRefusal(relay.toClient[0]!.slice(before))).toBe('DECRYPT_FAILED');
  });

  it('AUTH-9 an altered request is refused (DECRYPT_FAILED) and changes nothing', async () => {
    const w = await world();
    const id = await w.mailFor('bob');
    let target = -1;
    const relay = await startRelay(w.op.url, {
      up: (frame, i) => {
        if (i !== target) return [frame];
        const m = readMap(frame);
        // Readable: make bob's harmless ack delete the unread letter. Sealed: flip one bit.
        return [m && m.op === 'ack' ? encode({ ...m, ids: [id] }) : flipByte(frame)];
      },
    });
    const conn = await bobThrough(w, relay);
    target = 1; // the frame after auth
    expect(await codeOf(conn.request('ack', { ids: ['0-none'] }))).toBe('DECRYPT_FAILED');
    expect(await w.mailOf('bob')).toEqual([id]);
  });

  it('AUTH-9 an altered answer is refused (DECRYPT_FAILED), never taken for the truth', async () => {
    const w = await world();
    const id = await w.mailFor('bob');
    let target = -1;
    const relay = await startRelay(w.op.url, {
      down: (frame, i) => {
        if (i !== target) return [frame];
        const m = readMap(frame);
        // Readable: hide bob's letter from him. Sealed: flip one bit.
        return [m && 'ok' in m ? encode({ ...m, ok: { items: [] } }) : flipByte(frame)];
      },
    });
    const conn = await bobThrough(w, relay);
    target = 2; // greeting, the answer to auth, then the answer to fetch
    expect(await codeOf(conn.request('fetch', {}))).toBe('DECRYPT_FAILED');
    expect(await w.mailOf('bob')).toEqual([id]);
  });

  it('AUTH-9 a replayed request is refused (DECRYPT_FAILED) and is not carried out twice', async () => {
    const w = await world();
    const relay = await startRelay(w.op.url, {
      // The anonymous `send` is the frame after the greeting: deliver it twice.
      up: (frame, i) => (i === 0 ? [frame, frame] : [frame]),
    });
    const conn = await OperatorConnection.open({ url: relay.url, operatorKey: w.op.keys.operator.publicKey, requestTimeoutMs: 3_000 });
    scope.defer(() => conn.closed());
    // The Operator may refuse the copy before it answers the original: then the client is told the
    // connection was tampered with, as it would be told of a drop (the letter may or may not have gone).
    expect(['no error', 'DECRYPT_FAILED']).toContain(await codeOf(conn.request('send', { to: 'bob', letter: randomBytes(300) })));
    // Greeting, answer, refusal — or greeting and refusal, then the close.
    await relay.serverFrames(3);
    expect((await w.mailOf('bob')).length).toBe(1);
    expect(plainRefusal(relay.toClient[0]!)).toBe('DECRYPT_FAILED');
  });
});

describe('active relay: what the Operator says is what it signed (AUTH-7, AUTH-8)', () => {
  it('AUTH-8 a world key swapped in the info answer is refused, never used', async () => {
    const w = await world();
    const fake = KeyPair.generate().publicKey;
    const relay = await startRelay(w.op.url, {
      down: (frame) => {
        const m = readMap(frame);
        if (m && 'push' in m) return [frame];
        const forged: InfoResult = { ...w.op.server.info, worldKey: fake };
        const id = m && typeof m.id === 'number' ? m.id : 2;
        return [encodeOk(id, 'info', forged)];
      },
    });
    const conn = await OperatorConnection.open({ url: relay.url, operatorKey: w.op.keys.operator.publicKey, requestTimeoutMs: 3_000 });
    scope.defer(() => conn.closed());
    const got = await conn.request('info', {}).then(
      (info) => info.worldKey.fingerprint(),
      (e: unknown) => (ComradError.is(e) ? e.code : String(e)),
    );
    expect(got).toBe('DECRYPT_FAILED');
  });

  it('AUTH-8 a world key swapped in the greeting is refused (BAD_SIGNATURE)', async () => {
    const w = await world();
    const fake = KeyPair.generate().publicKey;
    const relay = await startRelay(w.op.url, {
      down: (frame, i) => {
        const m = readMap(frame);
        if (i !== 0 || !m) return [frame];
        // The old greeting names no world key: then the attacker swaps it where it is named, in info.
        return [encode('world' in m ? { ...m, world: fake.bytes() } : m)];
      },
    });
    const opened = OperatorConnection.open({ url: relay.url, operatorKey: w.op.keys.operator.publicKey, requestTimeoutMs: 3_000 });
    const got = await opened.then(
      async (conn) => {
        scope.defer(() => conn.closed());
        return (await conn.request('info', {})).worldKey.equals(w.op.keys.world.publicKey) ? 'the real key' : 'a swapped key';
      },
      (e: unknown) => (ComradError.is(e) ? e.code : String(e)),
    );
    expect(got).toBe('BAD_SIGNATURE');
  });

  it("AUTH-7 a greeting with the relay's own key is refused (KEY_CHANGED)", async () => {
    const w = await world();
    const relayKeys = KeyPair.generate();
    const relay = await startRelay(w.op.url, {
      down: (frame, i) => {
        const m = readMap(frame);
        if (i !== 0 || !m) return [frame];
        const swapped: Record<string, unknown> = { ...m, operatorKey: relayKeys.publicKey.bytes() };
        if ('sig' in m) swapped.sig = sign(relayKeys.privateKey, randomBytes(32));
        return [encode(swapped)];
      },
    });
    expect(await codeOf(OperatorConnection.open({ url: relay.url, operatorKey: w.op.keys.operator.publicKey, connectTimeoutMs: 3_000 }))).toBe('KEY_CHANGED');
  });

  it('AUTH-7 an old greeting replayed by a fake Operator is refused (BAD_SIGNATURE) before anything is sent', async () => {
    const w = await world();
    // Record one real greeting, on a connection of the attacker's own.
    const recorder = await startRelay(w.op.url);
    const first = await OperatorConnection.open({ url: recorder.url, operatorKey: w.op.keys.operator.publicKey });
    await first.closed();
    const greeting = recorder.toClient[0]![0]!;
    // A fake Operator: replays that greeting, then answers whatever comes with a forged info.
    const fake = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => fake.once('listening', resolve));
    const received: Uint8Array[] = [];
    fake.on('connection', (ws) => {
      ws.send(greeting);
      ws.on('message', (d: Buffer) => {
        received.push(new Uint8Array(d));
        const m = readMap(new Uint8Array(d));
        ws.send(encodeOk(typeof m?.id === 'number' ? m.id : 2, 'info', { ...w.op.server.info, worldKey: KeyPair.generate().publicKey }));
      });
    });
    scope.defer(() => new Promise<void>((resolve) => (fake.clients.forEach((c) => c.terminate()), fake.close(() => resolve()))));
    const url = `ws://127.0.0.1:${(fake.address() as { port: number }).port}`;
    const got = await OperatorConnection.open({ url, operatorKey: w.op.keys.operator.publicKey, connectTimeoutMs: 3_000 }).then(
      async (conn) => {
        scope.defer(() => conn.closed());
        return codeOf(conn.request('info', {}));
      },
      (e: unknown) => (ComradError.is(e) ? e.code : String(e)),
    );
    expect(got).toBe('BAD_SIGNATURE');
    expect(received).toEqual([]);
  });
});
