/**
 * The Operator's policy (`src/policy/`), on a real memory store, without a socket: each rule the policy
 * owns gives the spec's answer, and a refusal stores nothing. The same rules are checked end to end by the
 * spec's model-based test (`spec/test/operator-model.test.ts`) on every store.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError, randomBytes } from '@comrad/core';
import { epochOf } from '@comrad/core/wire';
import { resolveLimits } from '../src/limits.js';
import { DAY_MS, HOUR_MS, Policy, mailKey, postKey } from '../src/policy/index.js';
import { isStoreId } from '../src/policy/ids.js';
import { openStore, type Store } from '../src/store/index.js';

const T0 = 1_700_000_000_000;
const limits = resolveLimits({ mailboxItems: 3, mailTtlMs: 7 * DAY_MS, maxPostDays: 5, postsPerHour: 2, ackIds: 4, storageBytes: 10_000 });

async function setup(random?: () => string): Promise<{ store: Store; policy: Policy }> {
  const store = await openStore({ kind: 'memory' });
  return { store, policy: new Policy(store, limits, random ? { random } : {}) };
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
});
