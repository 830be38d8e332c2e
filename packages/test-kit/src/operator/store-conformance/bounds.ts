/**
 * Conformance of the rules that count and the rules that make a put repeatable: the hourly post limit
 * (FEED-5) and the store's byte budget (STORE-2) are checked atomically with the insert, also when many
 * puts race from two instances; the same sealed bytes are held once per mailbox (MB-11) and the same post
 * once per author (FEED-9), so a repeated put is a no-op that answers the first id (STORE-3).
 */
import { describe, expect, it, vi } from 'vitest';
import type { NewPost, Store } from '@comrad/operator';
import { DAY, ROOMY, T0, bytes, dumpHolds, idOf, mail, post, randomName, secondInstance, type StoreUnderTest } from './fixtures.js';

const HOUR = 3_600_000;

function newPost(author: string, postedAt: number, sealed = bytes(40)): NewPost {
  return post({ author, sealed, epoch: Math.floor(postedAt / DAY), postedAt, expiresAt: postedAt + 3 * DAY });
}

/** Both instances of a backend that has two (Redis), else the one store twice. */
async function pair(sut: StoreUnderTest): Promise<Store[]> {
  return [sut.store, await secondInstance(sut)];
}

/** Registers the counting and repeat rules (FEED-5, STORE-2, MB-11, FEED-9, STORE-3) for the store `sut()` returns. */
export function boundsConformance(sut: () => StoreUnderTest): void {
  describe('counted rules and repeated puts', () => {
    it('FEED-5 64 racing posts by one author (from two instances when the backend has them): exactly the limit is stored', async () => {
      const stores = await pair(sut());
      const [alice, bob] = [randomName(), randomName()];
      const quota = { maxPosts: 20, since: T0 - HOUR };
      await stores[0]!.appendPost(newPost(alice, T0 - HOUR - 1), quota); // before the window: does not count
      const results = await Promise.all(Array.from({ length: 64 }, (_, i) => stores[i % 2]!.appendPost(newPost(alice, T0 + i), quota)));
      expect(results.filter((r) => typeof r !== 'string')).toHaveLength(20);
      expect(results.filter((r) => r === 'rate-limited')).toHaveLength(44);
      expect(await stores[0]!.countPostsSince(alice, T0 - HOUR)).toBe(20);
      expect(typeof (await stores[1]!.appendPost(newPost(bob, T0), quota))).not.toBe('string'); // per author
      const listed = await stores[0]!.listPosts(T0 + 100, 100);
      expect(listed.filter((p) => p.author === alice)).toHaveLength(21);
    });

    it('FEED-5 a deleted post frees its place; without a quota nothing is counted', async () => {
      const { store } = sut();
      const alice = randomName();
      const quota = { maxPosts: 2, since: T0 };
      const first = idOf(await store.appendPost(newPost(alice, T0), quota));
      idOf(await store.appendPost(newPost(alice, T0 + 1), quota));
      expect(await store.appendPost(newPost(alice, T0 + 2), quota)).toBe('rate-limited');
      expect(await store.deletePostIfAuthor(first, alice)).toBe(true);
      idOf(await store.appendPost(newPost(alice, T0 + 3), quota));
      idOf(await store.appendPost(newPost(alice, T0 + 4))); // no quota given: the store does not limit
    });

    it('STORE-2 the byte budget counts letters and posts; a put past it is refused whole; acks, deletions and expiry free it', async () => {
      const target = sut();
      let store = target.store;
      const [bob, alice] = [randomName(), randomName()];
      const budget = { ...ROOMY, storageBytes: 100 };
      const a = idOf(await store.appendMail(bob, mail(bytes(40), T0, T0 + 10), budget));
      const post = idOf(await store.appendPost(newPost(alice, T0, bytes(50)), { maxPosts: 10, since: 0, storageBytes: 100 }));
      expect(await store.storedBytes()).toBe(90);
      const refused = bytes(11);
      expect(await store.appendMail(randomName(), mail(refused, T0, T0 + DAY), budget)).toBe('storage-full');
      expect(await store.appendPost(newPost(alice, T0 + 1, refused), { maxPosts: 10, since: 0, storageBytes: 100 })).toBe('storage-full');
      expect(await dumpHolds(store, refused)).toBe(false);
      idOf(await store.appendMail(bob, mail(bytes(10), T0, T0 + DAY), budget)); // exactly full
      expect(await store.storedBytes()).toBe(100);
      if (target.reopen) store = await target.reopen();
      expect(await store.storedBytes()).toBe(100); // the count is stored, not rebuilt from a guess
      expect(await store.appendMail(bob, mail(bytes(1), T0, T0 + DAY), budget)).toBe('storage-full');
      expect(await store.deleteMail(bob, [a])).toBe(1);
      expect(await store.storedBytes()).toBe(60);
      expect(await store.deletePostIfAuthor(post, alice)).toBe(true);
      expect(await store.storedBytes()).toBe(10);
      await store.expire(T0 + DAY + 1);
      expect(await store.storedBytes()).toBe(0);
      idOf(await store.appendMail(bob, mail(bytes(100), T0 + DAY, T0 + 2 * DAY), budget));
    });

    it('STORE-2 racing puts to many mailboxes (from two instances when the backend has them): exactly what fits is stored', async () => {
      const stores = await pair(sut());
      const budget = { ...ROOMY, storageBytes: 10 * 32 };
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.appendMail(randomName(), mail(bytes(32), T0, T0 + DAY), budget)));
      expect(results.filter((r) => typeof r !== 'string')).toHaveLength(10);
      expect(results.filter((r) => r === 'storage-full')).toHaveLength(30);
      expect(await stores[1]!.storedBytes()).toBe(320);
    });

    it('MB-11 the same sealed bytes put again hold one letter and answer its id, even when the mailbox is full; nothing new is announced', async () => {
      const target = sut();
      const [store, other] = await pair(target);
      const heard: string[] = [];
      store!.onMail((to) => heard.push(to));
      const [bob, carol] = [randomName(), randomName()];
      const quota = { maxItems: 2, maxBytes: 1 << 20 };
      const sealed = bytes(64);
      const first = idOf(await store!.appendMail(bob, mail(sealed, T0, T0 + DAY), quota));
      expect(await other!.appendMail(bob, mail(sealed, T0 + 5, T0 + 9 * DAY), quota)).toEqual({ id: first, held: true });
      idOf(await store!.appendMail(bob, mail(bytes(64), T0, T0 + DAY), quota)); // now full
      expect(idOf(await store!.appendMail(bob, mail(sealed.slice(), T0 + 6, T0 + DAY), quota))).toBe(first); // held: no quota refusal
      expect(await store!.appendMail(bob, mail(bytes(64), T0, T0 + DAY), quota)).toBe('quota');
      const listed = await store!.listMail(bob, T0, 10);
      expect(listed.map((m) => m.id)).toContain(first);
      expect(listed).toHaveLength(2);
      expect(listed.find((m) => m.id === first)!.receivedAt).toBe(T0); // the first copy, unchanged
      expect(await store!.storedBytes()).toBe(128);
      idOf(await store!.appendMail(carol, mail(sealed, T0, T0 + DAY), quota)); // per mailbox: carol holds her own copy
      await vi.waitFor(() => expect(heard).toHaveLength(3));
      expect(heard.filter((to) => to === bob)).toHaveLength(2);
      // Once acknowledged, the same bytes are a new letter (the index goes with the letter: MB-3).
      expect(await store!.deleteMail(bob, [first])).toBe(1);
      const again = await store!.appendMail(bob, mail(sealed, T0 + 7, T0 + DAY), quota);
      expect(typeof again !== 'string' && again.id !== first && again.held === undefined).toBe(true);
    });

    it('MB-11 STORE-3 racing puts of the same bytes (from two instances when the backend has them): one letter, one id', async () => {
      const stores = await pair(sut());
      const bob = randomName();
      const sealed = bytes(100);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.appendMail(bob, mail(sealed, T0 + i, T0 + DAY), ROOMY)));
      const ids = new Set(results.map(idOf));
      expect(ids.size).toBe(1);
      expect((await stores[0]!.listMail(bob, T0, 100)).map((m) => m.id)).toEqual([...ids]);
    });

    it('FEED-9 STORE-3 the same post by the same author is held once, even at the limit; another author’s copy is its own post', async () => {
      const { store } = sut();
      const [alice, mallory] = [randomName(), randomName()];
      const quota = { maxPosts: 1, since: T0 - HOUR };
      const sealed = bytes(40);
      const id = idOf(await store.appendPost(newPost(alice, T0, sealed), quota));
      expect(await store.appendPost(newPost(alice, T0 + 1, sealed), quota)).toEqual({ id, held: true }); // a retry, not a second post
      expect(await store.appendPost(newPost(alice, T0 + 2), quota)).toBe('rate-limited');
      const copy = idOf(await store.appendPost(newPost(mallory, T0 + 3, sealed), quota));
      expect(copy).not.toBe(id);
      expect((await store.listPosts(T0 + 10, 10)).map((p) => p.author).sort()).toEqual([alice, mallory].sort());
      expect(await store.deletePostIfAuthor(id, alice)).toBe(true);
      const reposted = idOf(await store.appendPost(newPost(alice, T0 + 4, sealed), quota));
      expect(reposted).not.toBe(id); // the digest went with the post
    });
  });
}
