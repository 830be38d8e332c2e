/**
 * World feed conformance (FEED-4, FEED-8) and world keys: newest first with `before` paging, expiry that
 * deletes, deletion only by the author, the posts-per-hour count, one world key per epoch.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@comrad/core';
import type { NewPost, Store, StoredPost } from '@comrad/operator';
import { DAY, T0, bytes, dumpHolds, idOf, post, randomName, secondInstance, type StoreUnderTest } from './fixtures.js';

function newPost(author: string, postedAt: number, expiresAt = postedAt + 3 * DAY): NewPost {
  return post({ author, sealed: bytes(40), epoch: Math.floor(postedAt / DAY), postedAt, expiresAt });
}

async function putId(store: Store, post: NewPost): Promise<string> {
  return idOf(await store.appendPost(post));
}

async function putPosts(store: Store, posts: NewPost[]): Promise<StoredPost[]> {
  const out: StoredPost[] = [];
  for (const post of posts) {
    const { key: _key, nonce: _nonce, ...stored } = post;
    out.push({ ...stored, id: await putId(store, post) });
  }
  return out;
}

/** Registers the world feed rules (FEED-4, FEED-8), paging and world keys for the store `sut()` returns. */
export function feedConformance(sut: () => StoreUnderTest): void {
  describe('world feed', () => {
    it('lists posts newest first; `before` pages through strictly older ones', async () => {
      const { store } = sut();
      const [alice, bob] = [randomName(), randomName()];
      const put = await putPosts(store, Array.from({ length: 7 }, (_, i) => newPost(i % 2 ? alice : bob, T0 + i * 1000)));
      expect([...put.map((p) => p.id)].sort()).toEqual(put.map((p) => p.id)); // newest has the greatest id
      const newestFirst = [...put].reverse();
      const pages: StoredPost[][] = [];
      let before: string | undefined;
      for (;;) {
        const page = await store.listPosts(T0 + 10_000, 3, before);
        if (page.length === 0) break;
        pages.push(page);
        before = page[page.length - 1]!.id;
      }
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual(newestFirst);
      expect(await store.listPosts(T0 + 10_000, 100, put[3]!.id)).toEqual(newestFirst.slice(4));
      expect(await store.getPost(put[2]!.id, T0 + 10_000)).toEqual(put[2]);
      expect(await store.listPosts(T0, 0)).toEqual([]);
    });

    it('posts from two instances with clocks apart still sort in arrival order', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      const author = randomName();
      const first = await putId(stores[0]!, newPost(author, T0 + 100));
      const second = await putId(stores[1]!, newPost(author, T0)); // this process's clock is behind
      expect(second > first).toBe(true);
      expect((await stores[0]!.listPosts(T0 + 1000, 10)).map((p) => p.id)).toEqual([second, first]);
      expect(await stores[1]!.listPosts(T0 + 1000, 10, second)).toHaveLength(1);
    });

    it('OP-5 after the newest post is deleted, a new post still sorts after it (clock standing still, then stepping back)', async () => {
      const { store } = sut();
      const author = randomName();
      const kept = await putId(store, newPost(author, T0));
      let newest = await putId(store, newPost(author, T0));
      for (const at of [T0, T0, T0 - 1000, T0 - 5000]) {
        expect(await store.deletePostIfAuthor(newest, author)).toBe(true);
        const id = await putId(store, newPost(author, at));
        expect(id > newest, `OP-5 ${id} after the deleted ${newest}`).toBe(true);
        // A reader whose cursor is the deleted post does not see the later post as older (FEED-6).
        expect((await store.listPosts(T0, 10, newest)).map((p) => p.id)).toEqual([kept]);
        newest = id;
      }
      expect((await store.listPosts(T0, 10)).map((p) => p.id)).toEqual([newest, kept]);
    });

    it('OP-5 the last post id outlives its post across a restart and between instances', async () => {
      const target = sut();
      const author = randomName();
      let store = target.store;
      let newest = await putId(store, newPost(author, T0));
      expect(await store.deletePostIfAuthor(newest, author)).toBe(true);
      if (target.reopen) store = await target.reopen(); // the feed is empty now: only the last id remains
      const afterRestart = await putId(store, newPost(author, T0 - 1));
      expect(afterRestart > newest, `OP-5 ${afterRestart} after the deleted ${newest}`).toBe(true);
      newest = afterRestart;
      expect(await store.deletePostIfAuthor(newest, author)).toBe(true);
      const other = target.twin ? await target.twin() : store;
      const fromOther = await putId(other, newPost(author, T0));
      expect(fromOther > newest, `OP-5 ${fromOther} after the deleted ${newest}`).toBe(true);
      expect((await store.listPosts(T0, 10, newest)).map((p) => p.id)).toEqual([]);
    });

    it('a malformed `before` is a MALFORMED error; garbage ids find nothing and delete nothing', async () => {
      const { store } = sut();
      const alice = randomName();
      const [post] = await putPosts(store, [newPost(alice, T0)]);
      await expect(store.listPosts(T0, 10, 'not an id')).rejects.toSatisfy((e) => ProtocolError.is(e, 'MALFORMED'));
      for (const garbage of ['', 'x', post!.id + 'x', post!.id.toUpperCase(), '*', 'a'.repeat(100_000)]) {
        expect(await store.getPost(garbage, T0)).toBeUndefined();
        expect(await store.deletePostIfAuthor(garbage, alice)).toBe(false);
      }
      expect(await store.getPost(post!.id, T0)).toEqual(post);
    });

    it('FEED-8 only the author deletes a post, and a deleted post is gone', async () => {
      const { store } = sut();
      const [alice, mallory] = [randomName(), randomName()];
      const [mine, other] = await putPosts(store, [newPost(alice, T0), newPost(alice, T0 + 1)]);
      expect(await store.deletePostIfAuthor(mine!.id, mallory)).toBe(false);
      expect(await store.getPost(mine!.id, T0)).toEqual(mine);
      expect(await store.deletePostIfAuthor(mine!.id, alice)).toBe(true);
      expect(await store.deletePostIfAuthor(mine!.id, alice)).toBe(false);
      expect(await store.getPost(mine!.id, T0)).toBeUndefined();
      expect(await store.listPosts(T0, 10)).toEqual([other]);
      expect(await dumpHolds(store, mine!.sealed)).toBe(false);
      expect(await store.countPostsSince(alice, 0)).toBe(1);
    });

    it('counts an author’s posts at or after a time', async () => {
      const { store } = sut();
      const [alice, bob] = [randomName(), randomName()];
      await putPosts(store, [newPost(alice, T0), newPost(alice, T0 + 10), newPost(bob, T0 + 15), newPost(alice, T0 + 20)]);
      expect(await store.countPostsSince(alice, T0)).toBe(3);
      expect(await store.countPostsSince(alice, T0 + 10)).toBe(2);
      expect(await store.countPostsSince(alice, T0 + 21)).toBe(0);
      expect(await store.countPostsSince(bob, 0)).toBe(1);
      expect(await store.countPostsSince(randomName(), 0)).toBe(0);
    });

    it('FEED-4 expired posts are never listed or returned, and expire() deletes them and their author index', async () => {
      const { store } = sut();
      const [alice, bob] = [randomName(), randomName()];
      const [short, long, other] = await putPosts(store, [newPost(alice, T0, T0 + 1000), newPost(alice, T0 + 1, T0 + 5000), newPost(bob, T0 + 2, T0 + 1000)]);
      expect(await store.listPosts(T0 + 1000, 10)).toEqual([long]);
      expect(await store.getPost(short!.id, T0 + 1000)).toBeUndefined();
      expect(await store.getPost(short!.id, T0 + 999)).toEqual(short);
      expect(await store.expire(T0 + 1000)).toEqual({ mail: 0, posts: 2 });
      expect(await dumpHolds(store, short!.sealed)).toBe(false);
      expect(await dumpHolds(store, other!.sealed)).toBe(false);
      expect(await dumpHolds(store, bob)).toBe(false);
      expect(await store.getPost(short!.id, T0)).toBeUndefined(); // deleted, not hidden
      expect(await store.countPostsSince(alice, 0)).toBe(1);
      expect(await store.expire(T0 + 5000)).toEqual({ mail: 0, posts: 1 });
      expect(await dumpHolds(store, alice)).toBe(false);
      expect(await store.listPosts(0, 10)).toEqual([]);
    });

    it('worldKey creates a value once per epoch; every instance and a restart agree; expire drops old epochs', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      let calls = 0;
      const create = () => (calls++, bytes(32));
      const first = await stores[0]!.worldKey(5, create);
      expect(await stores[1]!.worldKey(5, create)).toEqual(first);
      expect(calls).toBe(1);
      const raced = await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.worldKey(6, () => bytes(32))));
      expect(raced.every((v) => Buffer.compare(v, raced[0]!) === 0)).toBe(true);
      await stores[0]!.worldKey(7, create);
      let store = target.store;
      if (target.reopen) store = await target.reopen();
      expect(await store.worldKey(6, create)).toEqual(raced[0]);
      expect(await store.worldKey(5, create)).toEqual(first);
      await store.expire(T0, 6);
      expect(await dumpHolds(store, first)).toBe(false);
      expect(await dumpHolds(store, raced[0]!)).toBe(true);
      const fresh = await store.worldKey(5, () => bytes(32)); // an expired epoch gets a new value if asked again
      expect(fresh).not.toEqual(first);
    });
  });
}
