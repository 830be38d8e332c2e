/**
 * Redis-only behaviour, on a real redis-server: prefixes isolate stores, connection failures are typed
 * and do not echo the URL, scripts survive a Redis that forgot them, and the Lua id rule is `nextId`'s.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ComradError } from '@comrad/core';
import { SEQ_DIGITS, TIME_DIGITS, laterId, nextId } from '../../src/store/_ids.js';
import { NEXT_ID } from '../../src/store/_redis-scripts.js';
import { openStore, type Store } from '../../src/store/index.js';
import { redisServerBinary, useRedisServer } from '../_redis.js';
import { DAY, ROOMY, T0, bytes, randomName } from './conformance/fixtures.js';

const redis = useRedisServer();
const opened: Store[] = [];
const open = async (prefix = `t${randomBytes(6).toString('hex')}:`) => {
  const store = await openStore({ kind: 'redis', url: redis.url, prefix });
  opened.push(store);
  return store;
};
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('redis store', () => {
  it('REG-2 MB-3 stores under different prefixes on one Redis share nothing, notifications included', async () => {
    const [a, b] = [await open(), await open()];
    const [name, key] = [randomName(), bytes(45)];
    expect(await a.register(name, key, T0)).toBe('ok');
    expect(await b.register(name, key, T0)).toBe('ok');
    const heardByB: string[] = [];
    b.onMail((to) => heardByB.push(to));
    const [x, y] = [randomName(), randomName()];
    await a.putMail(x, bytes(10), T0, T0 + DAY, ROOMY);
    expect(await b.listMail(x, T0, 10)).toEqual([]);
    await b.putMail(y, bytes(10), T0, T0 + DAY, ROOMY);
    await vi.waitFor(() => expect(heardByB).toEqual([y])); // a's notification would have come first
    expect((await b.dump()).some(([k]) => k.includes(x))).toBe(false);
  });

  it('an unreachable Redis is ComradError INTERNAL, without the URL (it may hold a password) in the message', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const failure = await openStore({ kind: 'redis', url: `redis://user:hunter2@127.0.0.1:${port}`, prefix: 'x:' }).catch((e: unknown) => e);
    expect(ComradError.is(failure, 'INTERNAL')).toBe(true);
    expect(String((failure as Error).message)).not.toContain('hunter2');
  });

  it('keeps working after Redis forgets its scripts (SCRIPT FLUSH, as after a Redis restart)', async () => {
    const store = await open();
    const bob = randomName();
    await store.putMail(bob, bytes(10), T0, T0 + DAY, ROOMY);
    const admin = new Redis(redis.url);
    try {
      await admin.script('FLUSH');
    } finally {
      admin.disconnect();
    }
    const put = await store.putMail(bob, bytes(10), T0, T0 + DAY, ROOMY);
    expect(put).not.toBe('quota');
    expect(await store.listMail(bob, T0, 10)).toHaveLength(2);
  });

  it('MB-3 OP-5 the Lua id rule mints what nextId mints after the greatest of two ids (carry included)', async () => {
    const admin = new Redis(redis.url);
    const lua = `${NEXT_ID}\nreturn next_id(tonumber(ARGV[1]), ARGV[2], ARGV[3] ~= '' and ARGV[3] or nil, ARGV[4] ~= '' and ARGV[4] or nil)`;
    // Times and counters close together, and counters at the carry, so ties and carries are common.
    const at = fc.integer({ min: T0, max: T0 + 3 });
    const seq = fc.constantFrom(0, 1, 2, 36 ** SEQ_DIGITS - 2, 36 ** SEQ_DIGITS - 1);
    const id = fc.option(
      fc.tuple(at, seq, fc.stringMatching(/^[0-9a-f]{12}$/)).map(([t, s, r]) => t.toString(36).padStart(TIME_DIGITS, '0') + s.toString(36).padStart(SEQ_DIGITS, '0') + r),
      { nil: undefined },
    );
    try {
      await fc.assert(
        fc.asyncProperty(at, id, id, async (time, a, b) => {
          const expected = nextId(time, laterId(a, b));
          const random = expected.slice(TIME_DIGITS + SEQ_DIGITS);
          expect(await admin.eval(lua, 0, time, random, a ?? '', b ?? '')).toBe(expected);
        }),
        { numRuns: 300 },
      );
    } finally {
      admin.disconnect();
    }
  });

  it('the test launcher fails (never skips) with the install command when redis-server is missing', () => {
    expect(() => redisServerBinary(['/nonexistent'])).toThrow('apt-get install -y redis-server');
    expect(redisServerBinary()).toMatch(/redis-server$/);
  });

  it('refuses a prefix that could match other keys', async () => {
    for (const prefix of ['', 'a*', 'a?', 'a[b]', 'x'.repeat(65), 'a b']) {
      await expect(openStore({ kind: 'redis', url: redis.url, prefix })).rejects.toThrow(TypeError);
    }
  });
});
