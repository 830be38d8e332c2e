/**
 * Redis-only behaviour, on a real redis-server: prefixes isolate stores, connection failures are typed
 * and do not echo the URL, scripts survive a Redis that forgot them, the Lua id rule is `nextId`'s, a
 * Redis that can lose acknowledged writes is refused (STORE-1), and a reply lost with its connection
 * stores nothing twice (STORE-3).
 */
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ComradError } from '@comrad/core';
import { NEXT_ID_LUA, SEQ_DIGITS, TIME_DIGITS, laterId, nextId } from '../../src/policy/ids.js';
import { openStore, type Store } from '../../src/store/index.js';
import { VOLATILE_REDIS_ARGS, redisServerBinary, startRedisServer, useRedisServer } from '@comrad/test-kit/operator/redis';
import { DAY, ROOMY, T0, bytes, mail, post, randomName } from '@comrad/test-kit/operator/store-conformance';

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
    expect(await a.putPairIfAbsent(name, key, T0)).toBe('ok');
    expect(await b.putPairIfAbsent(name, key, T0)).toBe('ok');
    const heardByB: string[] = [];
    b.onMail((to) => heardByB.push(to));
    const [x, y] = [randomName(), randomName()];
    await a.appendMail(x, mail(bytes(10), T0, T0 + DAY), ROOMY);
    expect(await b.listMail(x, T0, 10)).toEqual([]);
    await b.appendMail(y, mail(bytes(10), T0, T0 + DAY), ROOMY);
    await vi.waitFor(() => expect(heardByB).toEqual([y])); // a's notification would have come first
    expect((await b.dump()).some(([k]) => k.includes(x))).toBe(false);
  });

  it('STORE-5 every key of a store carries its prefix as a hash tag, so a cluster keeps the store in one slot', async () => {
    const prefix = `t${randomBytes(6).toString('hex')}:`;
    const store = await open(prefix);
    const [bob, carol] = [randomName(), randomName()];
    await store.putPairIfAbsent(bob, bytes(45), T0);
    await store.appendMail(carol, mail(bytes(10), T0, T0 + DAY), ROOMY);
    await store.appendPost(post({ author: bob, sealed: bytes(20), epoch: 1, postedAt: T0, expiresAt: T0 + DAY }));
    const raw = new Redis(redis.url);
    try {
      const keys = (await raw.keys(`*${prefix}*`)).sort();
      expect(keys.length).toBeGreaterThan(8);
      for (const key of keys) expect(key.startsWith(`{${prefix}}`)).toBe(true);
    } finally {
      raw.disconnect();
    }
  });

  it('STORE-5 a store written before the tags (`P n:…`) opens with its keys tagged: registrations, mail and posts stay; another store whose prefix starts the same is untouched', async () => {
    const prefix = `t${randomBytes(6).toString('hex')}:`;
    const before = await open(prefix);
    const [bob, carol] = [randomName(), randomName()];
    const key = bytes(45);
    await before.putPairIfAbsent(bob, key, T0);
    const letter = bytes(30);
    const { id } = (await before.appendMail(carol, mail(letter, T0, T0 + DAY), ROOMY)) as { id: string };
    await before.appendPost(post({ author: bob, sealed: bytes(20), epoch: 1, postedAt: T0, expiresAt: T0 + DAY }));
    await before.close();
    opened.splice(opened.indexOf(before), 1);
    const raw = new Redis(redis.url);
    try {
      // The layout before STORE-5: the same keys without the braces.
      for (const k of await raw.keys(`{${prefix}}*`)) await raw.rename(k, prefix + k.slice(prefix.length + 2));
      const neighbour = `${prefix}x:n:${bob}`; // a key of the store with prefix `${prefix}x:`
      await raw.set(neighbour, 'theirs');
      const after = await open(prefix);
      expect(await after.keyOf(bob)).toEqual(key);
      expect(await after.nameOf(key)).toBe(bob);
      expect((await after.listMail(carol, T0, 10)).map((m) => [m.id, m.sealed])).toEqual([[id, letter]]);
      expect(await after.listPosts(T0, 10)).toHaveLength(1);
      expect(await after.putPairIfAbsent(bob, bytes(45), T0)).toBe('name-taken');
      expect(await raw.get(neighbour)).toBe('theirs');
      expect(await raw.keys(`${prefix}[^x]*`)).toEqual([]);
      expect(await after.deleteMail(carol, [id])).toBe(1);
      expect(await after.storedBytes()).toBe(20); // the counter moved with its keys (STORE-2)
    } finally {
      raw.disconnect();
    }
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
    await store.appendMail(bob, mail(bytes(10), T0, T0 + DAY), ROOMY);
    const admin = new Redis(redis.url);
    try {
      await admin.script('FLUSH');
    } finally {
      admin.disconnect();
    }
    const put = await store.appendMail(bob, mail(bytes(10), T0, T0 + DAY), ROOMY);
    expect(put).not.toBe('quota');
    expect(await store.listMail(bob, T0, 10)).toHaveLength(2);
  });

  it('MB-3 OP-5 the Lua id rule mints what nextId mints after the greatest of two ids (carry included)', async () => {
    const admin = new Redis(redis.url);
    const lua = `${NEXT_ID_LUA}\nreturn next_id(tonumber(ARGV[1]), ARGV[2], ARGV[3] ~= '' and ARGV[3] or nil, ARGV[4] ~= '' and ARGV[4] or nil)`;
    // Times and counters close together, and counters at the carry, so ties and carries are common.
    const at = fc.integer({ min: T0, max: T0 + 3 });
    const seq = fc.constantFrom(0, 1, 2, 36 ** SEQ_DIGITS - 2, 36 ** SEQ_DIGITS - 1);
    const id = fc.option(
      fc.tuple(at, seq, fc.stringMatching(/^[0-9a-f]{12}$/)).map(([t, s, r]) => t.toString(36).padStart(TIME_DIGITS, '0') + s.toString(36).padStart(SEQ_DIGITS, '0') + r),
      { nil: undefined },
    );
    try {
      await fc.assert(
        fc.asyncProperty(at, id, id, fc.stringMatching(/^[0-9a-f]{12}$/), async (time, a, b, random) => {
          const expected = nextId(time, laterId(a, b), random);
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

describe('STORE-1 the Redis store refuses persistence that can lose acknowledged writes', () => {
  const cases: Array<[string, readonly string[], RegExp]> = [
    ['no AOF (Redis as it comes, snapshots off)', VOLATILE_REDIS_ARGS, /appendonly is no/],
    ['AOF with appendfsync no', ['--appendonly', 'yes', '--appendfsync', 'no', '--save', ''], /appendfsync is no/],
    ['AOF with appendfsync everysec (a power loss drops up to a second)', ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], /everysec/],
    ['CONFIG renamed away', ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--rename-command', 'CONFIG', ''], /cannot be read/],
  ];
  for (const [what, args, reason] of cases) {
    it(`${what}: refused, naming the risk and the flag; opens with allowDataLoss`, async () => {
      const server = await startRedisServer({ args });
      try {
        const failure = await openStore({ kind: 'redis', url: server.url, prefix: 'p:' }).catch((e: unknown) => e);
        expect(ComradError.is(failure, 'INTERNAL')).toBe(true);
        expect((failure as Error).message).toMatch(reason);
        expect((failure as Error).message).toContain('--appendonly yes --appendfsync always');
        expect((failure as Error).message).toContain('--redis-allow-data-loss');
        const store = await openStore({ kind: 'redis', url: server.url, prefix: 'p:', allowDataLoss: true });
        expect(await store.putPairIfAbsent(randomName(), bytes(45), T0)).toBe('ok');
        await store.close();
      } finally {
        await server.stop();
      }
    });
  }

  it('the configuration the README gives (appendonly yes, appendfsync always) opens, and a kill -9 of redis-server loses no answered write', async () => {
    const server = await startRedisServer(); // DURABLE_REDIS_ARGS: what the README says
    let again: Awaited<ReturnType<typeof startRedisServer>> | undefined;
    try {
      const store = await openStore({ kind: 'redis', url: server.url, prefix: 'p:' });
      const [name, key, bob] = [randomName(), bytes(45), randomName()];
      expect(await store.putPairIfAbsent(name, key, T0)).toBe('ok');
      const ids = await Promise.all(Array.from({ length: 20 }, () => store.appendMail(bob, mail(bytes(200), T0, T0 + DAY), ROOMY)));
      await server.kill();
      await store.close().catch(() => {});
      again = await startRedisServer({ dir: server.dir });
      const reopened = await openStore({ kind: 'redis', url: again.url, prefix: 'p:' });
      expect(await reopened.keyOf(name)).toEqual(key);
      expect((await reopened.listMail(bob, T0, 100)).map((m) => m.id).sort()).toEqual(ids.map((r) => (typeof r === 'string' ? r : r.id)).sort());
      await reopened.close();
    } finally {
      await again?.stop();
      await server.stop();
    }
  });
});

/**
 * A TCP proxy on loopback between the store and redis-server. When armed with a marker, it forwards the
 * first client chunk that holds the marker to Redis, then, instead of forwarding Redis's reply, cuts that
 * connection: the write happened, its answer is lost (the failure ioredis answers by re-sending).
 */
class ReplyCutter {
  private marker: Buffer | undefined;
  cuts = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(target: number) {
    this.server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: target });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      let cutOnReply = false;
      client.on('data', (chunk) => {
        if (this.marker && chunk.includes(this.marker)) {
          this.marker = undefined;
          cutOnReply = true;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!cutOnReply) return void client.write(chunk);
        this.cuts++;
        client.destroy();
        upstream.destroy();
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  static async start(target: number): Promise<{ proxy: ReplyCutter; url: string }> {
    const proxy = new ReplyCutter(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return { proxy, url: `redis://127.0.0.1:${(proxy.server.address() as { port: number }).port}` };
  }

  /** Cuts the reply to the next command whose bytes contain `marker`. */
  arm(marker: Uint8Array): void {
    this.marker = Buffer.from(marker);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('STORE-3 a reply lost with its connection stores nothing twice', () => {
  it('MB-11 20 letters whose put reply is cut after Redis ran the script: each stored once, with the id the retry answers', async () => {
    const port = Number(new URL(redis.url).port);
    const { proxy, url } = await ReplyCutter.start(port);
    const prefix = `t${randomBytes(6).toString('hex')}:`;
    const store = await openStore({ kind: 'redis', url, prefix });
    const direct = await open(prefix);
    try {
      const bob = randomName();
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const sealed = bytes(300);
        proxy.arm(sealed);
        const put = await store.appendMail(bob, mail(sealed, T0 + i, T0 + DAY), ROOMY);
        if (typeof put === 'string') throw new Error(`refused: ${put}`);
        ids.push(put.id);
      }
      expect(proxy.cuts).toBe(20); // every put lost its first reply and was answered by ioredis's re-send
      const held = await direct.listMail(bob, T0, 100);
      expect(held).toHaveLength(20); // 0 duplicates
      expect(held.map((m) => m.id)).toEqual(ids);
    } finally {
      await store.close().catch(() => {});
      await proxy.close();
    }
  });

  it('FEED-9 a post whose reply is cut is stored once and counted once (FEED-5)', async () => {
    const port = Number(new URL(redis.url).port);
    const { proxy, url } = await ReplyCutter.start(port);
    const prefix = `t${randomBytes(6).toString('hex')}:`;
    const store = await openStore({ kind: 'redis', url, prefix });
    try {
      const alice = randomName();
      for (let i = 0; i < 5; i++) {
        const sealed = bytes(300);
        proxy.arm(sealed);
        const put = await store.appendPost(post({ author: alice, sealed, epoch: 1, postedAt: T0 + i, expiresAt: T0 + DAY }), { maxPosts: 5, since: T0 });
        expect(typeof put).not.toBe('string');
      }
      expect(proxy.cuts).toBe(5);
      expect(await store.countPostsSince(alice, T0)).toBe(5);
      expect(await store.listPosts(T0, 100)).toHaveLength(5);
    } finally {
      await store.close().catch(() => {});
      await proxy.close();
    }
  });
});
