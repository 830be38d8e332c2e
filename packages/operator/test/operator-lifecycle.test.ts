/**
 * The server's life (OP-6, MB-5): a graceful close answers requests in flight before closing
 * connections, refuses new ones, and the periodic sweep runs on its own.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from '@comrad/core';
import { openStore } from '../src/store/index.js';
import { TestClient } from '@comrad/test-kit/operator/client';
import { holdStore, startTestOperator } from '@comrad/test-kit/operator/fixtures';

describe('the server lifecycle', () => {
  it('OP-6 close() answers the requests in flight, then closes every connection with 1001', async () => {
    const inner = await openStore({ kind: 'memory' });
    const { store, entered, release } = holdStore(inner, 'listMail');
    const t = await startTestOperator({ store });
    const { client } = await t.login('bob');
    const pending = client.request('fetch', {});
    await entered;
    const closing = t.op.close();
    // While closing, no new connection is served.
    await expect(TestClient.connect(t.url)).rejects.toThrow();
    release();
    expect(await pending).toEqual({ items: [] });
    await closing;
    expect(await client.closed).toBe(1001);
    expect(t.op.connections()).toBe(0);
    await t.close();
    await inner.close();
  });

  it('MB-5 the periodic sweep deletes expired letters without being asked', async () => {
    const t = await startTestOperator({ sweepIntervalMs: 20, limits: { mailTtlMs: 60_000 } });
    await t.register('bob');
    const anon = await t.connect();
    await anon.request('send', { to: 'bob', letter: randomBytes(50) });
    expect((await t.store.dump()).some(([k]) => k.includes('mail'))).toBe(true);
    t.clock.advance(60_000);
    for (let i = 0; i < 100 && (await t.store.dump()).some(([k]) => k.includes('mail')); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await t.store.dump()).some(([k]) => k.includes('mail'))).toBe(false);
    await t.close();
  });
});
