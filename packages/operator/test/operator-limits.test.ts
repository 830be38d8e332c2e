/**
 * Limits (LIMIT-*) of spec/05-operator.md: each refusal is typed, and the connection and the server
 * stay up for everyone else.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { KeyPair } from '@comrad/core';
import { acceptGreeting, decodeGreeting, decodeServerFrame, encodeRequest, makeAuthProof, withClientHello } from '@comrad/core/wire';
import type { Keymaker } from '@comrad/core/keymaker';
import { openStore } from '../src/store/index.js';
import { TestClient } from '@comrad/test-kit/operator/client';
import { holdStore, refusedWith, startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';

let t: TestOperator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `cond` holds (the server sees closes a moment after the client does). */
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await sleep(10);
  }
}

/** Opens a raw socket (with a client hello, AUTH-7) and resolves with its first frame and its close code. */
function rawConnect(url: string, options: WebSocket.ClientOptions = {}): { ws: WebSocket; first: Promise<ReturnType<typeof decodeServerFrame> | { type: 'hello' }>; closed: Promise<number> } {
  const ws = new WebSocket(withClientHello(new URL(url), KeyPair.generate().publicKey), options);
  ws.on('error', () => undefined);
  const firstFrame = (bytes: Uint8Array) => {
    try {
      decodeGreeting(bytes);
      return { type: 'hello' as const };
    } catch {
      return decodeServerFrame(bytes);
    }
  };
  return {
    ws,
    first: new Promise((resolve) => ws.once('message', (d: Buffer) => resolve(firstFrame(new Uint8Array(d))))),
    closed: new Promise((resolve) => ws.once('close', (code) => resolve(code))),
  };
}

describe('LIMIT-* limits', () => {
  it('LIMIT-3 requests per second: a burst beyond the bucket → RATE_LIMITED, and the bucket refills with time', async () => {
    t = await startTestOperator({ limits: { requestsPerSecond: 5 } });
    const c = await t.connect();
    const frames = await Promise.all(Array.from({ length: 8 }, () => c.requestFrame('info', {})));
    const codes = frames.map((f) => (f.type === 'err' ? f.code : f.type));
    expect(codes.filter((x) => x === 'ok')).toHaveLength(5);
    expect(codes.filter((x) => x === 'RATE_LIMITED')).toHaveLength(3);
    t.clock.advance(1000);
    expect((await c.request('info', {})).v).toBe(1);
    // Another connection has its own bucket.
    const other = await t.connect();
    expect((await other.request('info', {})).v).toBe(1);
  });

  it('LIMIT-3 at most maxInflight requests of one connection at once → RATE_LIMITED', async () => {
    const inner = await openStore({ kind: 'memory' });
    const { store, release } = holdStore(inner, 'listMail');
    t = await startTestOperator({ store, limits: { maxInflight: 2 } });
    const { client } = await t.login('bob');
    const held = [client.request('fetch', {}), client.request('fetch', {})];
    await refusedWith(client.request('fetch', {}), 'RATE_LIMITED');
    release();
    expect(await Promise.all(held)).toEqual([{ items: [] }, { items: [] }]);
    expect(await client.request('fetch', {})).toEqual({ items: [] });
    await inner.close();
  });

  it('LIMIT-8 past greetingsPerSecond a new connection is refused RATE_LIMITED (1013) before any key work; the rate refills', async () => {
    t = await startTestOperator({ limits: { greetingsPerSecond: 3 } });
    for (let i = 0; i < 3; i++) expect((await (await t.connect()).request('info', {})).v).toBe(1);
    const refused = await t.connect().then(
      () => undefined,
      (err: { frame?: unknown }) => err.frame,
    );
    expect(refused).toMatchObject({ type: 'err', code: 'RATE_LIMITED' });
    t.clock.advance(1000);
    expect((await (await t.connect()).request('info', {})).v).toBe(1);
  });

  it('LIMIT-4 a connection beyond maxUnauthenticated pushes out the oldest one not logged in (RATE_LIMITED, 1013); logged-in ones stay', async () => {
    t = await startTestOperator({ limits: { maxConnections: 4, maxUnauthenticated: 2 } });
    const { client: alice } = await t.login('alice');
    await until(() => t!.op.connections() === 1);
    const [a, b] = [await t.connect(), await t.connect()];
    const c = await t.connect();
    expect(await a.nextLoose()).toMatchObject({ type: 'err', code: 'RATE_LIMITED' });
    expect(await a.closed).toBe(1013);
    expect((await b.request('info', {})).v).toBe(1);
    expect((await c.request('info', {})).v).toBe(1);
    expect(await alice.request('fetch', {})).toEqual({ items: [] });
    expect(t.op.connections()).toBe(3);
  });

  it('LIMIT-4 logins beyond the logged-in room (maxConnections − maxUnauthenticated) or maxConnectionsPerName → RATE_LIMITED, the connection stays', async () => {
    t = await startTestOperator({ limits: { maxConnections: 4, maxUnauthenticated: 2, maxConnectionsPerName: 1 } });
    const alice = await t.register('alice');
    const bob = await t.register('bob');
    const carol = await t.register('carol');
    const a1 = await t.connect();
    await a1.auth(alice, t.clock.now());
    const a2 = await t.connect();
    await refusedWith(a2.auth(alice, t.clock.now()), 'RATE_LIMITED');
    // Refused, not logged in: the connection still answers public ops, and not the logged-in ones.
    expect((await a2.request('info', {})).v).toBe(1);
    await refusedWith(a2.request('fetch', {}), 'UNAUTHENTICATED');
    await a2.close();
    const b = await t.connect();
    await b.auth(bob, t.clock.now());
    const c = await t.connect();
    await refusedWith(c.auth(carol, t.clock.now()), 'RATE_LIMITED');
    await a1.close();
    await until(() => t!.op.connections() === 2);
    const c2 = await t.connect();
    expect(await c2.auth(carol, t.clock.now())).toEqual({ name: 'carol' });
    expect(await b.request('fetch', {})).toEqual({ items: [] });
  });

  it('LIMIT-4 LIMIT-7 idle peers filling every slot do not lock out an honest client: it logs in and is answered', async () => {
    t = await startTestOperator({ limits: { maxConnections: 20 } });
    const alice = await t.register('alice');
    await until(() => t!.op.connections() === 0);
    const idle = Array.from({ length: 20 }, () => rawConnect(t!.url));
    await Promise.all(idle.map((i) => i.first));
    const honest = await t.connect();
    await honest.auth(alice, t.clock.now());
    expect(await honest.request('fetch', {})).toEqual({ items: [] });
    // The Operator made room by closing the oldest idle peers, and never went over its limit.
    expect(t.op.connections()).toBeLessThanOrEqual(20);
    expect((await Promise.race([idle[0]!.closed, sleep(2000).then(() => 'open')]))).toBe(1013);
  });

  it('LIMIT-7 a connection that neither logs in nor is answered within handshakeMs is closed; one that did stays', async () => {
    t = await startTestOperator({ limits: { handshakeMs: 300 } });
    const idle = Array.from({ length: 30 }, () => rawConnect(t!.url));
    await Promise.all(idle.map((i) => i.first));
    const garbage = await t.connect();
    garbage.sendRaw(new Uint8Array([0xc1]));
    expect(await garbage.nextLoose()).toMatchObject({ type: 'err', code: 'MALFORMED' });
    const asked = await t.connect();
    expect((await asked.request('info', {})).v).toBe(1);
    const { client: loggedIn } = await t.login('alice');
    expect(await Promise.all(idle.map((i) => i.closed))).toEqual(idle.map(() => 1006));
    expect(await garbage.closed).toBe(1006);
    expect((await asked.request('info', {})).v).toBe(1);
    expect(await loggedIn.request('fetch', {})).toEqual({ items: [] });
    expect(t.op.connections()).toBe(2);
  });

  it('LIMIT-1 a frame over frameBytes closes only that connection (1009); others are served', async () => {
    t = await startTestOperator({ limits: { frameBytes: 4096 } });
    const bystander = await t.connect();
    const big = await t.connect();
    big.sendRaw(encodeRequest(1, 'send', { to: 'bob', letter: new Uint8Array(5000) }));
    expect(await big.closed).toBe(1009);
    expect((await bystander.request('info', {})).limits.frameBytes).toBe(4096);
  });

  it('LIMIT-6 a peer that does not answer heartbeat pings is dropped', async () => {
    t = await startTestOperator({ heartbeatMs: 30 });
    const deaf = rawConnect(t.url, { autoPong: false });
    await deaf.first;
    expect(await deaf.closed).toBe(1006);
    const alive = await t.connect();
    await new Promise((r) => setTimeout(r, 100));
    expect((await alive.request('info', {})).v).toBe(1);
  });

  it('LIMIT-6 a page op takes room for the items it reads before reading them: with little room the page is shorter, and the rest follows', async () => {
    // Room for the frame and its answer (16 KiB) and a page's framing (64 KiB), then 4 letters of 10 000 bytes.
    const KiB = 1024;
    t = await startTestOperator({ limits: { sealedLetterBytes: 10_000, maxBufferedBytes: 128 * KiB, memoryBudgetBytes: 128 * KiB } });
    const { client: bob } = await t.login('bob');
    const anon = await t.connect();
    for (let i = 0; i < 10; i++) await anon.request('send', { to: 'bob', letter: new Uint8Array(1000).fill(i + 1) });
    const pages: number[] = [];
    for (;;) {
      const { items } = await bob.request('fetch', {});
      if (items.length === 0) break;
      pages.push(items.length);
      await bob.request('ack', { ids: items.map((i) => i.id) });
    }
    expect(pages).toEqual([4, 4, 2]);
    expect(t.op.memory().peak).toBeLessThanOrEqual(128 * KiB);
  });

  it('LIMIT-6 slow readers together hold at most memoryBudgetBytes: answers that do not fit are refused, never queued', { timeout: 30_000 }, async () => {
    const MiB = 1024 * 1024;
    const budget = 12 * MiB;
    t = await startTestOperator({ limits: { maxBufferedBytes: 6 * MiB, memoryBudgetBytes: budget, requestsPerSecond: 1000, maxConnectionsPerName: 100 } });
    const bob = await t.register('bob');
    // A mailbox of large letters, so that every fetch answers a full 4 MiB page (LIMIT-5).
    const sender = await t.connect();
    for (let i = 0; i < 20; i++) await sender.request('send', { to: 'bob', letter: new Uint8Array(240 * 1024).fill(i) });
    await sender.close();
    // Live bytes only: each sample follows a full collection, so the garbage of pages already written
    // (a 4 MiB page is encoded through several buffers) is not counted as held, and cannot hide an excess
    // either when it is collected between two samples.
    const gc = fullCollection();
    const live = () => {
      gc();
      return process.memoryUsage().arrayBuffers;
    };
    const before = live();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, live())), 20);
    // Eight logged-in peers that ask for sixteen pages each and never read their socket.
    const readers = await Promise.all(Array.from({ length: 8 }, () => slowReader(t!.url, bob, t!.clock.now())));
    for (const r of readers) for (let i = 0; i < 16; i++) r.send(encodeRequest(100 + i, 'fetch', {}));
    await sleep(1500);
    clearInterval(sampler);
    peak = Math.max(peak, live());
    const grown = peak - before;
    // What the Operator holds for them is bounded by the budget, whatever they ask, by its own count and
    // by the live bytes of the process: the sockets' and the test's own buffers add less than a page
    // (live growth measured 4–8 MiB; an Operator that keeps each reader's share, 48 MiB in all, and
    // reports the budget as its peak grows 32 MiB).
    expect(t.op.memory().peak).toBeLessThanOrEqual(budget);
    expect(grown).toBeLessThan(budget + 4.5 * MiB);
    // An honest client is still answered.
    const honest = await t.connect();
    expect((await honest.request('info', {})).v).toBe(1);
    for (const r of readers) r.terminate();
    await until(() => t!.op.memory().held < 64 * 1024);
  });
});

/**
 * A function that runs a full garbage collection and frees the array buffers it found dead before it
 * returns. Vitest's workers do not start with `--expose-gc`; the flag set at run time gives `gc` to
 * contexts made after it. V8 otherwise frees dead array buffers on a background thread after the
 * collection, so a count read at once would still include tens of MiB of them.
 */
function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
  return runInNewContext('gc') as () => void;
}

/** A logged-in socket that stops reading: its answers pile up in the Operator, not in this process. */
async function slowReader(url: string, who: Keymaker, at: number): Promise<{ send(frame: Uint8Array): void; terminate(): void }> {
  const eph = KeyPair.generate();
  const ws = new WebSocket(withClientHello(new URL(url), eph.publicKey), { perMessageDeflate: false, maxPayload: 2 ** 30 });
  ws.on('error', () => undefined);
  const next = () => new Promise<Uint8Array>((resolve) => ws.once('message', (d: Buffer) => resolve(new Uint8Array(d))));
  const greeting = decodeGreeting(await next());
  const { hello, channel } = acceptGreeting(greeting, greeting.operatorKey, eph);
  const sig = makeAuthProof(who.keys.privateKey, { challenge: hello.challenge, operatorKey: hello.operatorKey, name: who.name, at });
  ws.send(channel.seal(encodeRequest(1, 'auth', { name: who.name, at, sig })));
  const answer = decodeServerFrame(channel.open(await next()));
  if (answer.type !== 'ok') throw new Error('auth failed');
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  return { send: (frame) => ws.send(channel.seal(frame)), terminate: () => ws.terminate() };
}
