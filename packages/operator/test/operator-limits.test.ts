/**
 * Limits (LIMIT-*) of spec/PROTOCOL.md: each refusal is typed, and the connection and the server
 * stay up for everyone else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeServerFrame, encodeRequest } from '@comrad/core/wire';
import { openStore } from '../src/store/index.js';
import { TestClient } from './_client.js';
import { holdStore, refusedWith, startTestOperator, type TestOperator } from './_fixtures.js';

let t: TestOperator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Opens a raw socket and resolves with its first frame and its close code. */
function rawConnect(url: string, options: WebSocket.ClientOptions = {}): { ws: WebSocket; first: Promise<ReturnType<typeof decodeServerFrame>>; closed: Promise<number> } {
  const ws = new WebSocket(url, options);
  ws.on('error', () => undefined);
  return {
    ws,
    first: new Promise((resolve) => ws.once('message', (d: Buffer) => resolve(decodeServerFrame(new Uint8Array(d))))),
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

  it('LIMIT-4 one connection over maxConnections gets RATE_LIMITED and close 1013; the others carry on', async () => {
    t = await startTestOperator({ limits: { maxConnections: 2 } });
    const [a, b] = [await t.connect(), await t.connect()];
    const extra = rawConnect(t.url);
    expect(await extra.first).toMatchObject({ type: 'err', code: 'RATE_LIMITED' });
    expect(await extra.closed).toBe(1013);
    expect((await a.request('info', {})).v).toBe(1);
    expect((await b.request('info', {})).v).toBe(1);
    await a.close();
    const later = await TestClient.connect(t.url);
    expect((await later.request('info', {})).v).toBe(1);
    await later.close();
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
});
