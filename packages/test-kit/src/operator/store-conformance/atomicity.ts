/**
 * Atomicity of each conditional primitive: two writes whose condition only one of them can meet, sent at
 * once (from two instances when the backend has them, as two Operator processes would), and exactly one
 * wins — whatever the interleaving. Each round starts both writes before awaiting either, many rounds per
 * primitive, so a store that checked its condition outside its atomic step would let both through.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '@comrad/operator';
import { DAY, ROOMY, T0, bytes, idOf, keyOf, mail, nonce, post, randomName, secondInstance, type StoreUnderTest } from './fixtures.js';

const ROUNDS = 20;

/** Both instances of a backend that has two (Redis), else the one store twice. */
async function pair(sut: StoreUnderTest): Promise<[Store, Store]> {
  return [sut.store, await secondInstance(sut)];
}

const won = (results: readonly unknown[]) => results.filter((r) => typeof r === 'object' && r !== null && !('held' in r)).length;

/** Registers the one-of-two races for every conditional primitive of the store `sut()` returns. */
export function atomicityConformance(sut: () => StoreUnderTest): void {
  describe('atomicity: two conditional writes at once, one wins', () => {
    it('REG-2 putPairIfAbsent: one name, two keys — one pair is stored, the other is told name-taken', async () => {
      const [a, b] = await pair(sut());
      for (let round = 0; round < ROUNDS; round++) {
        const [name, k1, k2] = [randomName(), bytes(45), bytes(45)];
        const results = await Promise.all([a.putPairIfAbsent(name, k1, T0), b.putPairIfAbsent(name, k2, T0)]);
        expect([...results].sort()).toEqual(['name-taken', 'ok']);
        const winner = results[0] === 'ok' ? k1 : k2;
        expect(await b.keyOf(name)).toEqual(winner);
        expect(await a.nameOf(winner === k1 ? k2 : k1)).toBeUndefined();
      }
    });

    it('MB-4 appendMail: a mailbox with room for one more, two letters — one is stored, the other is told quota', async () => {
      const [a, b] = await pair(sut());
      for (let round = 0; round < ROUNDS; round++) {
        const bob = randomName();
        const quota = { maxItems: 2, maxBytes: 1 << 20 };
        idOf(await a.appendMail(bob, mail(bytes(10), T0, T0 + DAY), quota));
        const results = await Promise.all([a.appendMail(bob, mail(bytes(10), T0, T0 + DAY), quota), b.appendMail(bob, mail(bytes(10), T0, T0 + DAY), quota)]);
        expect(results.filter((r) => r === 'quota')).toHaveLength(1);
        expect(await b.listMail(bob, T0, 10)).toHaveLength(2);
      }
    });

    it('STORE-2 appendMail: a store with room for one more letter, two mailboxes — one is stored, the other is told storage-full', async () => {
      const [a, b] = await pair(sut());
      for (let round = 0; round < ROUNDS; round++) {
        const held = await a.storedBytes();
        const bound = { ...ROOMY, storageBytes: held + 16 };
        const results = await Promise.all([a.appendMail(randomName(), mail(bytes(16), T0, T0 + DAY), bound), b.appendMail(randomName(), mail(bytes(16), T0, T0 + DAY), bound)]);
        expect(won(results)).toBe(1);
        expect(results.filter((r) => r === 'storage-full')).toHaveLength(1);
        expect(await b.storedBytes()).toBe(held + 16);
      }
    });

    it('MB-11 appendMail: one key, two appends — one letter is stored; the other answers its id as held', async () => {
      const [a, b] = await pair(sut());
      for (let round = 0; round < ROUNDS; round++) {
        const bob = randomName();
        const sealed = bytes(24);
        const results = await Promise.all([a.appendMail(bob, mail(sealed, T0, T0 + DAY), ROOMY), b.appendMail(bob, mail(sealed, T0 + 1, T0 + DAY), ROOMY)]);
        expect(won(results)).toBe(1);
        expect(new Set(results.map(idOf)).size).toBe(1);
        expect(await a.listMail(bob, T0, 10)).toHaveLength(1);
      }
    });

    it('FEED-5 appendPost: an author with room for one more post, two posts — one is stored, the other is told rate-limited', async () => {
      const [a, b] = await pair(sut());
      for (let round = 0; round < ROUNDS; round++) {
        const alice = randomName();
        const quota = { maxPosts: 1, since: T0 };
        const make = () => post({ author: alice, sealed: bytes(20), epoch: 1, postedAt: T0, expiresAt: T0 + DAY });
        const results = await Promise.all([a.appendPost(make(), quota), b.appendPost(make(), quota)]);
        expect(results.filter((r) => r === 'rate-limited')).toHaveLength(1);
        expect(await b.countPostsSince(alice, T0)).toBe(1);
      }
    });

    it('FEED-9 appendPost: one key, two appends — one post is stored; the other answers its id as held', async () => {
      const [a, b] = await pair(sut());
      for (let round = 0; round < ROUNDS; round++) {
        const alice = randomName();
        const sealed = bytes(20);
        const make = (at: number) => ({ author: alice, sealed, epoch: 1, postedAt: at, expiresAt: T0 + DAY, key: keyOf(alice, sealed), nonce: nonce() });
        const results = await Promise.all([a.appendPost(make(T0)), b.appendPost(make(T0 + 1))]);
        expect(won(results)).toBe(1);
        expect(new Set(results.map(idOf)).size).toBe(1);
        expect(await a.countPostsSince(alice, 0)).toBe(1);
      }
    });

    it('FEED-8 deletePostIfAuthor: the author deletes from two instances at once — one delete succeeds', async () => {
      const [a, b] = await pair(sut());
      for (let round = 0; round < ROUNDS; round++) {
        const alice = randomName();
        const id = idOf(await a.appendPost(post({ author: alice, sealed: bytes(20), epoch: 1, postedAt: T0, expiresAt: T0 + DAY })));
        const before = await a.storedBytes();
        const results = await Promise.all([a.deletePostIfAuthor(id, alice), b.deletePostIfAuthor(id, alice), b.deletePostIfAuthor(id, randomName())]);
        expect(results).toEqual(results[0] ? [true, false, false] : [false, true, false]);
        expect(await b.storedBytes()).toBe(before - 20); // freed once, not twice
      }
    });

    it('MB-3 deleteMail: the same letters acknowledged from two instances at once — each goes once, counted once', async () => {
      const [a, b] = await pair(sut());
      for (let round = 0; round < ROUNDS; round++) {
        const bob = randomName();
        const ids = [];
        for (let i = 0; i < 3; i++) ids.push(idOf(await a.appendMail(bob, mail(bytes(8), T0, T0 + DAY), ROOMY)));
        const before = await a.storedBytes();
        const results = await Promise.all([a.deleteMail(bob, ids), b.deleteMail(bob, [...ids].reverse())]);
        expect(results[0]! + results[1]!).toBe(3);
        expect(await b.storedBytes()).toBe(before - 24);
        // A mailbox emptied by two racing acks holds nothing, so a full quota of new letters fits again.
        const quota = { maxItems: 1, maxBytes: 8 };
        idOf(await b.appendMail(bob, mail(bytes(8), T0, T0 + DAY), quota));
      }
    });

    it('MB-5 FEED-4 expire: two sweeps at once — every due item goes once, counted once', async () => {
      const [a, b] = await pair(sut());
      const bob = randomName();
      for (let i = 0; i < 30; i++) await a.appendMail(bob, mail(bytes(8), T0, T0 + 10 + i), ROOMY);
      for (let i = 0; i < 10; i++) await a.appendPost(post({ author: randomName(), sealed: bytes(8), epoch: 1, postedAt: T0, expiresAt: T0 + 10 + i }));
      const results = await Promise.all([a.expire(T0 + 100), b.expire(T0 + 100)]);
      expect(results[0]!.mail + results[1]!.mail).toBe(30);
      expect(results[0]!.posts + results[1]!.posts).toBe(10);
      expect(await a.storedBytes()).toBe(0);
    });
  });
}
