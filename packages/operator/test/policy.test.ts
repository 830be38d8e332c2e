/**
 * The Operator's policy (`src/policy/`), on a real memory store, without a socket: each rule the policy
 * owns gives the spec's answer, and a refusal stores nothing. The same rules are checked end to end by the
 * spec's model-based test (`spec/test/operator-model.test.ts`) on every store.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProtocolError, randomBytes } from '@comrad/core';
import { epochOf } from '@comrad/core/wire';
import { resolveLimits } from '../src/limits.js';
import { DAY_MS, HOUR_MS, Policy, chanPostKey, mailKey, postKey } from '../src/policy/index.js';
import { _scriptIdsForVectors, isRandomPart, isStoreId, randomPart } from '../src/policy/ids.js';
import { openStore, type Store } from '../src/store/index.js';

const T0 = 1_700_000_000_000;
const limits = resolveLimits({ mailboxItems: 3, mailTtlMs: 7 * DAY_MS, maxPostDays: 5, postsPerHour: 2, ackIds: 4, storageBytes: 10_000, fetchItems: 4, feedItems: 3, logEntries: 3, logItems: 2 });

async function setup(random?: () => string, options: Partial<typeof limits> = {}): Promise<{ store: Store; policy: Policy }> {
  const store = await openStore({ kind: 'memory' });
  return { store, policy: new Policy(store, { ...limits, ...options }, random ? { random } : {}) };
}

const code = async (p: Promise<unknown> | (() => unknown)): Promise<string> => {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'ok';
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
};

describe('policy', () => {
  it('REG-2 REG-5 a name and a key register once; repeating one’s own registration succeeds', async () => {
    const { policy } = await setup();
    const [k1, k2] = [randomBytes(45), randomBytes(45)];
    expect(await code(policy.register('alice', k1, T0))).toBe('ok');
    expect(await code(policy.register('alice', k1, T0 + 1))).toBe('ok');
    expect(await code(policy.register('alice', k2, T0))).toBe('NAME_TAKEN');
    expect(await code(policy.register('alicia', k1, T0))).toBe('KEY_TAKEN');
  });

  it('MB-5 a letter lives the sender’s ttl, at most the Operator’s mailTtlMs', async () => {
    const { policy, store } = await setup();
    expect(policy.mailExpiry(T0, undefined)).toBe(T0 + 7 * DAY_MS);
    expect(policy.mailExpiry(T0, HOUR_MS)).toBe(T0 + HOUR_MS);
    expect(policy.mailExpiry(T0, 30 * DAY_MS)).toBe(T0 + 7 * DAY_MS);
    await policy.register('bob', randomBytes(45), T0);
    await policy.deliver('bob', randomBytes(100), 30 * DAY_MS, T0);
    expect((await store.listMail('bob', T0, 10))[0]!.expiresAt).toBe(T0 + 7 * DAY_MS);
  });

  it('MB-4 MB-11 NOT_FOUND for an unknown recipient; the same bytes twice are one letter; a full mailbox refuses', async () => {
    const { policy, store } = await setup();
    expect(await code(policy.deliver('nobody', randomBytes(10), undefined, T0))).toBe('NOT_FOUND');
    await policy.register('bob', randomBytes(45), T0);
    const same = randomBytes(50);
    await policy.deliver('bob', same, undefined, T0);
    await policy.deliver('bob', same, undefined, T0 + 1);
    expect(await store.listMail('bob', T0, 10)).toHaveLength(1);
    await policy.deliver('bob', randomBytes(50), undefined, T0);
    await policy.deliver('bob', randomBytes(50), undefined, T0);
    expect(await code(policy.deliver('bob', randomBytes(50), undefined, T0))).toBe('QUOTA_EXCEEDED');
    expect(await store.listMail('bob', T0, 10)).toHaveLength(3);
  });

  it('STORE-2 past the store’s budget a letter is refused STORAGE_FULL', async () => {
    const { policy, store } = await setup();
    await policy.register('bob', randomBytes(45), T0);
    await policy.register('carol', randomBytes(45), T0);
    await policy.deliver('bob', randomBytes(9_000), undefined, T0);
    expect(await code(policy.deliver('carol', randomBytes(1_001), undefined, T0))).toBe('STORAGE_FULL');
    expect(await store.storedBytes()).toBe(9_000);
  });

  it('MB-3 an ack of more than ackIds ids is TOO_LARGE and deletes nothing; an ack deletes only its own mailbox', async () => {
    const { policy, store } = await setup();
    await policy.register('bob', randomBytes(45), T0);
    await policy.register('carol', randomBytes(45), T0);
    await policy.deliver('bob', randomBytes(10), undefined, T0);
    await policy.deliver('carol', randomBytes(10), undefined, T0);
    const [bobs] = await policy.fetch('bob', T0, undefined);
    const [carols] = await policy.fetch('carol', T0, undefined);
    expect(await code(policy.ack('bob', [bobs!.id, 'a', 'b', 'c', 'd']))).toBe('TOO_LARGE');
    expect(await policy.ack('bob', [carols!.id])).toBe(0);
    expect(await policy.ack('bob', [bobs!.id])).toBe(1);
    expect(await store.listMail('carol', T0, 10)).toHaveLength(1);
  });

  it('MB-3 fetch gives at most the asked, fetchItems and pageItems letters, oldest first', async () => {
    const { policy } = await setup();
    await policy.register('bob', randomBytes(45), T0);
    for (let i = 0; i < 3; i++) await policy.deliver('bob', randomBytes(10), undefined, T0 + i);
    expect(await policy.fetch('bob', T0, undefined)).toHaveLength(3);
    expect(await policy.fetch('bob', T0, 2)).toHaveLength(2);
    expect(await policy.fetch('bob', T0, undefined, 1)).toHaveLength(1);
  });

  it('FEED-3 FEED-4 FEED-5 FEED-9 a post: epoch window, lifetime, hourly limit, a retry answers as stored', async () => {
    const { policy } = await setup();
    const epoch = epochOf(T0);
    expect(await code(policy.post('alice', randomBytes(20), epoch - 2, 1, T0))).toBe('EXPIRED');
    expect(await code(policy.post('alice', randomBytes(20), epoch + 1, 1, T0))).toBe('MALFORMED');
    expect(await code(() => policy.checkPost(20, 6))).toBe('MALFORMED');
    expect(await code(() => policy.checkPost(limits.sealedLetterBytes + 1, 1))).toBe('TOO_LARGE');
    const sealed = randomBytes(20);
    const first = await policy.post('alice', sealed, epoch - 1, 2, T0);
    expect(first.expiresAt).toBe(T0 + 2 * DAY_MS);
    expect(await policy.post('alice', sealed, epoch, 5, T0 + 1000)).toEqual(first);
    // Held but expired (not yet swept; its epoch still open): the retry answers the post as stored, not a
    // lifetime it never got.
    const brief = randomBytes(20);
    const short = await policy.post('bob', brief, epoch, 1, T0, HOUR_MS);
    expect(short.expiresAt).toBe(T0 + HOUR_MS);
    expect(await policy.post('bob', brief, epoch, 1, T0 + HOUR_MS + 1)).toEqual(short);
    await policy.post('alice', randomBytes(20), epoch, 1, T0 + 1);
    expect(await code(policy.post('alice', randomBytes(20), epoch, 1, T0 + 2))).toBe('RATE_LIMITED');
    expect(await code(policy.post('alice', randomBytes(20), epoch, 1, T0 + HOUR_MS + 1))).toBe('ok');
  });

  it('FEED-8 only the author deletes a post; anyone else gets the answer of a post that does not exist', async () => {
    const { policy, store } = await setup();
    const { id } = await policy.post('alice', randomBytes(20), epochOf(T0), 1, T0);
    expect(await code(policy.deletePost('mallory', id))).toBe('NOT_FOUND');
    expect(await store.getPost(id, T0)).toBeDefined();
    expect(await code(policy.deletePost('alice', id))).toBe('ok');
    expect(await code(policy.deletePost('alice', id))).toBe('NOT_FOUND');
  });

  it('FEED-2 world keys exist from maxPostDays + 1 epochs back to tomorrow; the sweep keeps exactly those', async () => {
    const { policy, store } = await setup();
    const now = T0;
    const current = epochOf(now);
    expect(policy.worldKeyEpoch(undefined, now)).toBe(current);
    expect(policy.worldKeyEpoch(current - 6, now)).toBe(current - 6);
    expect(await code(() => policy.worldKeyEpoch(current - 7, now))).toBe('EXPIRED');
    expect(policy.worldKeyEpoch(current + 1, now)).toBe(current + 1);
    expect(await code(() => policy.worldKeyEpoch(current + 2, now))).toBe('NOT_FOUND');
    for (const e of [current - 7, current - 6]) await store.worldKey(e, () => Uint8Array.of(e & 0xff));
    await policy.sweep(now);
    const kept = (await store.dump()).filter(([k]) => k.startsWith('world/')).map(([k]) => Number(k.slice(6)));
    expect(kept).toEqual([current - 6]);
  });

  it('OP-5 ids take their random part from the policy’s source, so a recorded conversation can fix them', async () => {
    let n = 0;
    const { policy, store } = await setup(() => (n++).toString(16).padStart(12, '0'));
    await policy.register('bob', randomBytes(45), T0);
    await policy.deliver('bob', randomBytes(10), undefined, T0);
    const { id } = await policy.post('alice', randomBytes(20), epochOf(T0), 1, T0);
    const [letter] = await store.listMail('bob', T0, 1);
    expect([letter!.id.slice(-12), id.slice(-12)]).toEqual(['000000000000', '000000000001']);
    expect(isStoreId(letter!.id) && isStoreId(id)).toBe(true);
  });

  it('MB-11 FEED-9 dedupe keys: a letter’s is its bytes; a post’s is its author and bytes', () => {
    const sealed = randomBytes(30);
    expect(mailKey(sealed)).toBe(mailKey(sealed.slice()));
    expect(mailKey(sealed)).not.toBe(mailKey(randomBytes(30)));
    expect(postKey('alice', sealed)).not.toBe(postKey('mallory', sealed));
    expect(postKey('ab', Uint8Array.of(99, 1))).not.toBe(postKey('abc', Uint8Array.of(1)));
  });

  it('LIMIT-2 a letter, a post and a profile of exactly sealedLetterBytes are taken, one byte more is TOO_LARGE', async () => {
    const { policy } = await setup();
    const max = limits.sealedLetterBytes;
    expect(await code(() => policy.checkLetterSize(max))).toBe('ok');
    expect(await code(() => policy.checkLetterSize(max + 1))).toBe('TOO_LARGE');
    expect(await code(() => policy.checkPost(max, limits.maxPostDays))).toBe('ok');
    expect(await code(() => policy.checkPost(max + 1, 1))).toBe('TOO_LARGE');
    expect(await code(() => policy.checkPost(20, limits.maxPostDays + 1))).toBe('MALFORMED');
    expect(await code(() => policy.checkProfileSize(max))).toBe('ok');
    expect(await code(() => policy.checkProfileSize(max + 1))).toBe('TOO_LARGE');
  });

  it('MB-3 LIMIT-6 fetch: the asked number, capped by fetchItems and by pageItems', async () => {
    const { policy } = await setup(undefined, { mailboxItems: 10 });
    await policy.register('bob', randomBytes(45), T0);
    for (let i = 0; i < 6; i++) await policy.deliver('bob', randomBytes(10), undefined, T0 + i);
    expect(await policy.fetch('bob', T0, undefined)).toHaveLength(4);
    expect(await policy.fetch('bob', T0, 6)).toHaveLength(4);
    expect(await policy.fetch('bob', T0, 3)).toHaveLength(3);
    expect(await policy.fetch('bob', T0, 6, 2)).toHaveLength(2);
    const letters = await policy.fetch('bob', T0, undefined);
    expect(letters.map((l) => l.receivedAt)).toEqual([T0, T0 + 1, T0 + 2, T0 + 3]);
  });

  it('MB-3 an ack of exactly ackIds ids is taken', async () => {
    const { policy } = await setup();
    await policy.register('bob', randomBytes(45), T0);
    await policy.deliver('bob', randomBytes(10), undefined, T0);
    const [bobs] = await policy.fetch('bob', T0, undefined);
    expect(await policy.ack('bob', [bobs!.id, 'a', 'b', 'c'])).toBe(1);
  });

  it('FEED-6 LIMIT-6 feed: newest first, the asked number capped by feedItems and pageItems, and one more to tell a next page', async () => {
    const { policy } = await setup(undefined, { postsPerHour: 10 });
    const epoch = epochOf(T0);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await policy.post(`a${i}`, randomBytes(20), epoch, 1, T0 + i)).id);
    const page = async (asked: number | undefined, before?: string, pageItems?: number) => {
      const { found, limit } = await policy.feed(T0 + 10, asked, before, pageItems);
      return { ids: found.map((p) => p.id), limit };
    };
    expect(await page(undefined)).toEqual({ ids: ids.slice(1).reverse(), limit: 3 });
    expect(await page(5)).toEqual({ ids: ids.slice(1).reverse(), limit: 3 });
    expect(await page(1)).toEqual({ ids: [ids[4], ids[3]], limit: 1 });
    expect(await page(5, undefined, 2)).toEqual({ ids: [ids[4], ids[3], ids[2]], limit: 2 });
    expect(await page(2, ids[2])).toEqual({ ids: [ids[1], ids[0]], limit: 2 });
    // Expired posts are not listed.
    expect((await policy.feed(T0 + DAY_MS + 10, undefined, undefined)).found).toEqual([]);
  });

  it('FEED-3 a post sealed under the current or the previous epoch is taken, and lives exactly its days', async () => {
    const { policy, store } = await setup();
    const epoch = epochOf(T0);
    const { id, expiresAt } = await policy.post('alice', randomBytes(20), epoch, 3, T0);
    expect(expiresAt).toBe(T0 + 3 * DAY_MS);
    expect((await store.getPost(id, T0))!.expiresAt).toBe(T0 + 3 * DAY_MS);
    expect((await store.getPost(id, T0))!.epoch).toBe(epoch);
    expect(await code(policy.post('alice', randomBytes(20), epoch - 1, 1, T0))).toBe('ok');
  });

  it('FEED-4 CHAN-7 EVT-8 a ttl ends a post or a channel post at arrival + ttl, not at the end of a whole day; a longer ttl changes nothing', async () => {
    const { policy, store } = await setup();
    const epoch = epochOf(T0);
    const soon = await policy.post('alice', randomBytes(20), epoch, 1, T0, 90 * 60_000);
    expect(soon.expiresAt).toBe(T0 + 90 * 60_000);
    expect((await store.getPost(soon.id, T0))!.expiresAt).toBe(T0 + 90 * 60_000);
    expect(await store.getPost(soon.id, T0 + 90 * 60_000)).toBeUndefined();
    expect((await policy.post('alice', randomBytes(20), epoch, 1, T0, 3 * DAY_MS)).expiresAt).toBe(T0 + DAY_MS);
    const chan = 'ab'.repeat(32);
    expect((await policy.chanPost(chan, randomBytes(20), 1, T0, 60_000)).expiresAt).toBe(T0 + 60_000);
    expect(await policy.chanFeed(chan, T0 + 60_000, undefined, undefined, 100)).toMatchObject({ found: [] });
    expect((await policy.chanPost(chan, randomBytes(20), 2, T0, 3 * DAY_MS)).expiresAt).toBe(T0 + 2 * DAY_MS);
  });

  it('STORE-2 past the store’s budget a post is refused STORAGE_FULL and nothing is stored', async () => {
    const { policy, store } = await setup();
    await policy.post('alice', randomBytes(9_000), epochOf(T0), 1, T0);
    expect(await code(policy.post('bob', randomBytes(1_001), epochOf(T0), 1, T0))).toBe('STORAGE_FULL');
    expect(await store.storedBytes()).toBe(9_000);
  });

  it('COL-19 COL-22 a log entry goes at the log’s end only, once, within logEntries and the store’s budget', async () => {
    const { policy, store } = await setup();
    const entries = [randomBytes(10), randomBytes(10), randomBytes(10), randomBytes(10)];
    expect(await code(policy.appendEntry('log1', 1, entries[0]!))).toBe('OUT_OF_ORDER');
    expect(await code(policy.appendEntry('log1', 0, entries[0]!))).toBe('ok');
    // A retry of the same bytes at their own position succeeds without a second copy.
    expect(await code(policy.appendEntry('log1', 0, entries[0]!))).toBe('ok');
    expect(await code(policy.appendEntry('log1', 0, entries[1]!))).toBe('OUT_OF_ORDER');
    expect(await code(policy.appendEntry('log1', 1, entries[1]!))).toBe('ok');
    expect(await code(policy.appendEntry('log1', 2, entries[2]!))).toBe('ok');
    expect(await code(policy.appendEntry('log1', 3, entries[3]!))).toBe('QUOTA_EXCEEDED');
    expect(await store.storedBytes()).toBe(30);
    expect(await code(policy.appendEntry('log2', 0, randomBytes(9_971)))).toBe('STORAGE_FULL');
    expect((await store.readEntries('log2', 0, 10)).length).toBe(0);
  });

  it('COL-23 reading a log gives the asked number of entries from a position, at most logItems, and its length', async () => {
    const { policy } = await setup();
    const entries = [randomBytes(10), randomBytes(10), randomBytes(10)];
    for (const [i, e] of entries.entries()) await policy.appendEntry('log', i, e);
    const read = async (position: number, asked: number | undefined) => {
      const page = await policy.readEntries('log', position, asked);
      return { entries: page.entries.map((e) => [...e]), length: page.length };
    };
    expect(await read(0, undefined)).toEqual({ entries: [[...entries[0]!], [...entries[1]!]], length: 3 });
    expect(await read(0, 5)).toEqual({ entries: [[...entries[0]!], [...entries[1]!]], length: 3 });
    expect(await read(1, 1)).toEqual({ entries: [[...entries[1]!]], length: 3 });
    expect(await read(2, undefined)).toEqual({ entries: [[...entries[2]!]], length: 3 });
  });

  describe('profiles', () => {
    const seconds = Math.floor(T0 / 1000);
    const header = (at: number, epoch = epochOf(T0)) => ({ visibility: 'world' as const, epoch, at });

    it('PROF-10 a profile is kept its lifetime, never longer than its epoch’s world key (maxPostDays)', async () => {
      const { policy } = await setup();
      expect(policy.profileExpiry(T0)).toBe(T0 + 5 * DAY_MS);
      const { policy: long } = await setup(undefined, { maxPostDays: 60 });
      expect(long.profileExpiry(T0)).toBe(T0 + 30 * DAY_MS);
    });

    it('PROF-10 the epoch window and a day of clock skew either way, each bound inclusive', async () => {
      const { policy, store } = await setup();
      const epoch = epochOf(T0);
      const put = (h: ReturnType<typeof header>) => code(policy.putProfile('alice', randomBytes(30), h, T0));
      expect(await put(header(seconds, epoch - 2))).toBe('EXPIRED');
      expect(await put(header(seconds, epoch + 1))).toBe('MALFORMED');
      expect(await put(header(seconds + 86_401))).toBe('MALFORMED');
      expect(await put(header(seconds - 86_401))).toBe('EXPIRED');
      expect(await store.getProfile('alice', T0)).toBeUndefined();
      expect(await put(header(seconds - 86_400, epoch - 1))).toBe('ok');
      expect(await put(header(seconds))).toBe('ok');
      expect(await put(header(seconds + 86_400))).toBe('ok');
      expect(await code(() => policy.putProfile('alice', randomBytes(limits.sealedLetterBytes + 1), header(seconds + 86_400), T0))).toBe('TOO_LARGE');
    });

    it('PROF-10 PROF-11 only a newer profile replaces the one held; the same bytes again answer as stored', async () => {
      const { policy, store } = await setup();
      const first = randomBytes(30);
      expect(await code(policy.getProfile('alice', T0))).toBe('NOT_FOUND');
      expect(await policy.putProfile('alice', first, header(seconds), T0)).toEqual({ expiresAt: T0 + 5 * DAY_MS });
      const held = await policy.getProfile('alice', T0 + 1);
      expect([...held.sealed]).toEqual([...first]);
      expect(held.at).toBe(seconds);
      expect(held.receivedAt).toBe(T0);
      // A retry an hour later answers the expiry first stored.
      expect(await policy.putProfile('alice', first, header(seconds), T0 + HOUR_MS)).toEqual({ expiresAt: T0 + 5 * DAY_MS });
      expect(await code(policy.putProfile('alice', randomBytes(30), header(seconds), T0 + 2))).toBe('OUT_OF_ORDER');
      expect(await code(policy.putProfile('alice', randomBytes(30), header(seconds - 1), T0 + 2))).toBe('OUT_OF_ORDER');
      const newer = randomBytes(30);
      expect(await policy.putProfile('alice', newer, header(seconds + 1), T0 + 3)).toEqual({ expiresAt: T0 + 3 + 5 * DAY_MS });
      expect([...(await policy.getProfile('alice', T0 + 4)).sealed]).toEqual([...newer]);
      expect(await store.storedBytes()).toBe(30);
      // PROF-10, MB-5: the sweep deletes it when it expires.
      await policy.sweep(T0 + 3 + 5 * DAY_MS);
      expect(await code(policy.getProfile('alice', T0))).toBe('NOT_FOUND');
    });

    it('STORE-2 a profile past the store’s budget is STORAGE_FULL and stores nothing', async () => {
      const { policy, store } = await setup();
      await policy.post('bob', randomBytes(9_980), epochOf(T0), 1, T0);
      expect(await code(policy.putProfile('alice', randomBytes(30), header(seconds), T0))).toBe('STORAGE_FULL');
      expect(await store.getProfile('alice', T0)).toBeUndefined();
    });
  });

  it('MB-5 FEED-4 the sweep deletes exactly what has expired and says how much', async () => {
    const { policy, store } = await setup();
    await policy.register('bob', randomBytes(45), T0);
    await policy.deliver('bob', randomBytes(10), HOUR_MS, T0);
    await policy.deliver('bob', randomBytes(10), 2 * HOUR_MS, T0);
    await policy.post('alice', randomBytes(20), epochOf(T0), 1, T0);
    expect(await policy.sweep(T0 + HOUR_MS - 1)).toEqual({ mail: 0, posts: 0 });
    expect(await policy.sweep(T0 + HOUR_MS)).toEqual({ mail: 1, posts: 0 });
    expect(await policy.sweep(T0 + DAY_MS)).toEqual({ mail: 1, posts: 1 });
    expect(await store.storedBytes()).toBe(0);
  });

  it('REG-2 a key that extends the registered one is another key: NAME_TAKEN', async () => {
    const { policy } = await setup();
    const key = randomBytes(45);
    await policy.register('alice', key.subarray(0, 44), T0);
    expect(await code(policy.register('alice', key, T0))).toBe('NAME_TAKEN');
    await policy.register('bob', key, T0);
    expect(await code(policy.register('bob', key.subarray(0, 44), T0))).toBe('NAME_TAKEN');
    // Equal but for one byte, and equal but for all bytes but one: another key either way.
    const near = key.slice();
    near[44] = near[44]! ^ 1;
    expect(await code(policy.register('bob', near, T0))).toBe('NAME_TAKEN');
    const far = key.map((b, i) => (i === 0 ? b : b ^ 1));
    expect(await code(policy.register('bob', far, T0))).toBe('NAME_TAKEN');
  });

  it('OP-5 a random part is 12 hex digits in a string; a recorded conversation can script it, then the CSPRNG is back', () => {
    expect(isRandomPart('0123456789ab')).toBe(true);
    expect(isRandomPart(123456789012)).toBe(false);
    expect(isRandomPart('0123456789aB')).toBe(false);
    expect(isRandomPart('0123456789a')).toBe(false);
    const restore = _scriptIdsForVectors((n) => new Uint8Array(n).fill(0xab));
    try {
      expect(randomPart()).toBe('abababababab');
    } finally {
      restore();
    }
    const drawn = new Set(Array.from({ length: 1000 }, () => randomPart()));
    expect(drawn.size).toBe(1000);
    expect([...drawn].every(isRandomPart)).toBe(true);
  });

  describe('channels and pins', () => {
    const chan = 'ab'.repeat(32);
    const chanLimits = { chanPosts: 3, chanPostsPerHour: 2, storageBytes: 10_000 };

    it('CHAN-7 LIMIT-2 a channel post of exactly sealedLetterBytes and maxPostDays is taken; one more of either is refused', async () => {
      const { policy } = await setup();
      expect(await code(() => policy.checkChanPost(limits.sealedLetterBytes, limits.maxPostDays))).toBe('ok');
      expect(await code(() => policy.checkChanPost(limits.sealedLetterBytes + 1, 1))).toBe('TOO_LARGE');
      expect(await code(() => policy.checkChanPost(20, limits.maxPostDays + 1))).toBe('MALFORMED');
    });

    it('CHAN-7 STORE-3 a channel post lives its days; the same bytes again answer as stored; per-hour, per-channel and store bounds', async () => {
      const { policy, store } = await setup(undefined, chanLimits);
      const sealed = randomBytes(20);
      const first = await policy.chanPost(chan, sealed, 2, T0);
      expect(first.expiresAt).toBe(T0 + 2 * DAY_MS);
      expect(await policy.chanPost(chan, sealed, 5, T0 + 1000)).toEqual(first);
      expect(chanPostKey(sealed)).toBe(mailKey(sealed));
      await policy.chanPost(chan, randomBytes(20), 1, T0 + 1);
      expect(await code(policy.chanPost(chan, randomBytes(20), 1, T0 + 2))).toBe('RATE_LIMITED');
      // Another channel has its own hourly count.
      expect(await code(policy.chanPost('cd'.repeat(32), randomBytes(20), 1, T0 + 2))).toBe('ok');
      await policy.chanPost(chan, randomBytes(20), 3, T0 + HOUR_MS + 1);
      expect(await code(policy.chanPost(chan, randomBytes(20), 1, T0 + HOUR_MS + 2))).toBe('QUOTA_EXCEEDED');
      expect((await store.listChanPosts(chan, T0 + HOUR_MS + 2, 10)).length).toBe(3);
      expect(await code(policy.chanPost('ef'.repeat(32), randomBytes(9_950), 1, T0 + 2))).toBe('STORAGE_FULL');
    });

    it('CHAN-7 a retry finds the post held however deep in the channel it lies', async () => {
      const { policy } = await setup(undefined, { chanPosts: 250, chanPostsPerHour: 250, storageBytes: 1_000_000 });
      const sealed = randomBytes(20);
      const first = await policy.chanPost(chan, sealed, 2, T0);
      for (let i = 0; i < 210; i++) await policy.chanPost(chan, randomBytes(20), 1, T0 + 1 + i);
      expect(await policy.chanPost(chan, sealed, 1, T0 + 500)).toEqual(first);
      // One on a full first page of the listing is found there.
      const recent = randomBytes(20);
      const stored = await policy.chanPost(chan, recent, 1, T0 + 600);
      for (let i = 0; i < 5; i++) await policy.chanPost(chan, randomBytes(20), 1, T0 + 601 + i);
      expect(await policy.chanPost(chan, recent, 3, T0 + 700)).toEqual(stored);
      // Held but expired (not yet swept): no page lists it; the retry still answers its id.
      const later = T0 + DAY_MS + 1;
      expect((await policy.chanPost(chan, sealed, 1, later)).id).toBe(first.id);
    });

    it('CHAN-8 a channel feed: newest first, the asked number capped by feedItems and pageItems, one more to tell a next page', async () => {
      const { policy } = await setup(undefined, { chanPosts: 10, chanPostsPerHour: 10 });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await policy.chanPost(chan, randomBytes(20), 1, T0 + i)).id);
      const page = async (asked: number | undefined, before?: string, pageItems?: number) => {
        const { found, limit } = await policy.chanFeed(chan, T0 + 10, asked, before, pageItems);
        return { ids: found.map((p) => p.id), limit };
      };
      expect(await page(undefined)).toEqual({ ids: ids.slice(1).reverse(), limit: 3 });
      expect(await page(1)).toEqual({ ids: [ids[4], ids[3]], limit: 1 });
      expect(await page(5, undefined, 2)).toEqual({ ids: [ids[4], ids[3], ids[2]], limit: 2 });
      expect(await page(2, ids[2])).toEqual({ ids: [ids[1], ids[0]], limit: 2 });
      expect((await policy.chanFeed('cd'.repeat(32), T0, undefined, undefined)).found).toEqual([]);
    });

    it('VOTE-7 VOTE-9 VOTE-4 a vote on a channel post: NOT_FOUND in another channel or once expired (token unspent), DUPLICATE the same way twice, a change with a new token; its votes go with the post', async () => {
      const { policy, store } = await setup(undefined, { chanPosts: 10, chanPostsPerHour: 10 });
      const { id, expiresAt } = await policy.chanPost(chan, randomBytes(20), 1, T0);
      const voter = randomBytes(32);
      const spend = (n = randomBytes(32)) => ({ period: 20_000, nullifier: Buffer.from(n).toString('hex'), action: 'ab'.repeat(32) });
      const s1 = spend();
      expect(await code(policy.chanVote('cd'.repeat(32), id, voter, 1, s1, T0 + 1))).toBe('NOT_FOUND');
      expect(await code(policy.chanVote(chan, id, voter, 1, s1, expiresAt))).toBe('NOT_FOUND');
      expect(await code(policy.chanVote(chan, 'not-an-id', voter, 1, s1, T0 + 1))).toBe('NOT_FOUND');
      // Refused for its post, the token was never burned: it pays for this vote now.
      expect(await policy.chanVote(chan, id, voter, 1, s1, T0 + 1)).toEqual({ up: 1, down: 0 });
      expect(await code(policy.chanVote(chan, id, voter, 1, spend(), T0 + 2))).toBe('DUPLICATE');
      expect(await code(policy.chanVote(chan, id, randomBytes(32), 0, spend(), T0 + 2))).toBe('DUPLICATE');
      expect(await code(policy.chanVote(chan, id, randomBytes(32), -1, { ...s1, action: 'cd'.repeat(32) }, T0 + 2))).toBe('TOKEN_SPENT');
      expect(await policy.chanVote(chan, id, voter, -1, spend(), T0 + 3)).toEqual({ up: 0, down: 1 });
      expect(await policy.tallies([id], chan)).toEqual([{ up: 0, down: 1 }]);
      expect(await policy.tallies([id])).toEqual([{ up: 0, down: 0 }]);
      // VOTE-4: the tag is SHA-256 of the voter value; the value itself is nowhere.
      const dump = await store.dump();
      expect(dump.some(([k, v]) => Buffer.from(k).includes(Buffer.from(voter).toString('hex')) || Buffer.from(v).includes(Buffer.from(voter)))).toBe(false);
      expect(dump.some(([k]) => k.includes(createHash('sha256').update(voter).digest('hex')))).toBe(true);
      await policy.sweep(expiresAt);
      expect(await policy.tallies([id], chan)).toEqual([{ up: 0, down: 0 }]);
      expect((await store.dump()).filter(([k]) => /^(vote|tally)\//.test(k))).toEqual([]);
    });

    it('PIN-4 PIN-5 a pin lives its ttl cut to maxPinTtlMs, has a random id, and the store holds at most maxPins', async () => {
      const { policy, store } = await setup(undefined, { maxPins: 2, maxPinTtlMs: HOUR_MS });
      const a = await policy.putPin({ cell: 'u4pruyd', kind: 'police', ttl: 600 }, T0);
      expect(a.expiresAt).toBe(T0 + 600_000);
      expect(a.id).toMatch(/^[0-9a-f]{32}$/);
      const b = await policy.putPin({ cell: 'u4pruyd', kind: 'police', note: 'at the gate', ttl: 7200 }, T0);
      expect(b.expiresAt).toBe(T0 + HOUR_MS);
      expect(b.id).not.toBe(a.id);
      expect(await code(policy.putPin({ cell: 'u4pruyd', kind: 'police', ttl: 600 }, T0))).toBe('QUOTA_EXCEEDED');
      const pins = await store.listPins(['u4pruyd'], T0, 10);
      expect(pins.map((p) => [p.note, p.createdAt, p.confirms, p.denies]).sort()).toEqual([['', T0, 0, 0], ['at the gate', T0, 0, 0]]);
    });

    it('PIN-6 a confirm adds pinVoteMs up to pinMaxLifeMs, a deny takes it away, once per nullifier; unknown and expired pins', async () => {
      const { policy } = await setup(undefined, { pinVoteMs: 10 * 60_000, pinMaxLifeMs: HOUR_MS + 5 * 60_000 });
      const { id, expiresAt } = await policy.putPin({ cell: 'u4pruyd', kind: 'police', ttl: 3600 }, T0);
      expect(expiresAt).toBe(T0 + HOUR_MS);
      const n = (b: number) => new Uint8Array(32).fill(b);
      expect(await policy.votePin(id, 'confirm', n(1), T0 + 1)).toEqual({ expiresAt: T0 + HOUR_MS + 5 * 60_000, confirms: 1, denies: 0 });
      expect(await code(policy.votePin(id, 'deny', n(1), T0 + 2))).toBe('DUPLICATE');
      expect(await policy.votePin(id, 'deny', n(2), T0 + 3)).toEqual({ expiresAt: T0 + HOUR_MS - 5 * 60_000, confirms: 1, denies: 1 });
      expect(await code(policy.votePin('0'.repeat(32), 'confirm', n(3), T0))).toBe('NOT_FOUND');
      expect(await code(policy.votePin(id, 'confirm', n(4), T0 + HOUR_MS))).toBe('EXPIRED');
    });

    it('PIN-8 listing pins: the asked number, at most pinItems', async () => {
      const { policy } = await setup(undefined, { pinItems: 2 });
      for (let i = 0; i < 3; i++) await policy.putPin({ cell: 'u4pruyd', kind: 'police', ttl: 600 }, T0 + i);
      expect(await policy.listPins(['u4pruy'], undefined, T0 + 10)).toHaveLength(2);
      expect(await policy.listPins(['u4pruy'], 5, T0 + 10)).toHaveLength(2);
      expect(await policy.listPins(['u4pruy'], 1, T0 + 10)).toHaveLength(1);
      expect(await policy.listPins(['u4prux'], undefined, T0 + 10)).toHaveLength(0);
    });
  });
});
