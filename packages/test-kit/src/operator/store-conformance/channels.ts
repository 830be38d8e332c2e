/**
 * Channel posts (CHAN-7, CHAN-8, CHAN-9): appends per channel with a dedupe key, the channel's count and
 * recent-count bounds and the store's, pages newest first, expiry, persistence, what a dump shows, and
 * one winner when appends race for the last place (from two instances when the backend has them).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChanQuota, NewChanPost } from '@comrad/operator';
import { DAY, T0, bytes, keyOf, nonce, secondInstance, type StoreUnderTest } from './fixtures.js';

const ROOMY_CHAN: ChanQuota = { maxPosts: 1_000_000, maxRecent: 1_000_000, since: 0 };

/** A random channel id as the policy names it: 64 hex digits. */
export function randomChannel(): string {
  return createHash('sha256').update(bytes(16)).digest('hex');
}

/** A channel post to append: its key is its content, a fresh nonce. */
function chanPost(sealed: Uint8Array, postedAt: number, expiresAt: number): NewChanPost {
  return { sealed, postedAt, expiresAt, key: keyOf(sealed), nonce: nonce() };
}

function idOf(result: unknown): string {
  if (typeof result === 'string') throw new Error(`unexpected refusal: ${result}`);
  return (result as { id: string }).id;
}

/** Registers the channel cases for the store `sut()` returns. */
export function channelConformance(sut: () => StoreUnderTest): void {
  describe('channels', () => {
    it('CHAN-8 posts list newest first, per channel, paged by id, expired ones never listed', async () => {
      const { store } = sut();
      const chan = randomChannel();
      const sealed = [bytes(40), bytes(50), bytes(60), bytes(70)];
      const ids: string[] = [];
      for (const [i, s] of sealed.entries()) ids.push(idOf(await store.appendChanPost(chan, chanPost(s, T0 + i, T0 + (i === 1 ? 10 : DAY)), ROOMY_CHAN)));
      expect([...ids].sort()).toEqual(ids);
      const all = await store.listChanPosts(chan, T0 + 100, 10);
      expect(all.map((p) => p.id)).toEqual([ids[3], ids[2], ids[0]]);
      expect(all[0]).toEqual({ id: ids[3], sealed: sealed[3], postedAt: T0 + 3, expiresAt: T0 + DAY });
      expect((await store.listChanPosts(chan, T0 + 100, 1, ids[3])).map((p) => p.id)).toEqual([ids[2]]);
      expect((await store.listChanPosts(chan, T0 + 100, 10, ids[2])).map((p) => p.id)).toEqual([ids[0]]);
      expect(await store.listChanPosts(chan, T0 + 100, 0)).toEqual([]);
      expect(await store.listChanPosts(randomChannel(), T0, 10)).toEqual([]);
    });

    it('CHAN-7 STORE-3 the same bytes again in one channel answer the held id and store nothing; in another channel they are another post', async () => {
      const { store } = sut();
      const chan = randomChannel();
      const sealed = bytes(64);
      const first = idOf(await store.appendChanPost(chan, chanPost(sealed, T0, T0 + DAY), ROOMY_CHAN));
      const held = await store.storedBytes();
      expect(await store.appendChanPost(chan, chanPost(sealed.slice(), T0 + 5, T0 + 2 * DAY), ROOMY_CHAN)).toEqual({ id: first, held: true });
      expect(await store.storedBytes()).toBe(held);
      expect(await store.listChanPosts(chan, T0, 10)).toHaveLength(1);
      const other = randomChannel();
      expect(idOf(await store.appendChanPost(other, chanPost(sealed, T0, T0 + DAY), ROOMY_CHAN))).toEqual(expect.any(String));
      expect(await store.storedBytes()).toBe(held + 64);
    });

    it('CHAN-7 STORE-2 a full channel, a busy channel and a full store refuse, storing nothing', async () => {
      const { store } = sut();
      const chan = randomChannel();
      const before = await store.storedBytes();
      const quota = (q: Partial<ChanQuota>): ChanQuota => ({ ...ROOMY_CHAN, ...q });
      expect(await store.appendChanPost(chan, chanPost(bytes(10), T0, T0 + DAY), quota({ maxPosts: 2 }))).toMatchObject({ id: expect.any(String) });
      expect(await store.appendChanPost(chan, chanPost(bytes(10), T0 + 10, T0 + DAY), quota({ maxPosts: 2 }))).toMatchObject({ id: expect.any(String) });
      expect(await store.appendChanPost(chan, chanPost(bytes(10), T0 + 20, T0 + DAY), quota({ maxPosts: 2 }))).toBe('full');
      // Two posted at or after T0 + 10? Only one: the window counts from `since` on.
      expect(await store.appendChanPost(chan, chanPost(bytes(10), T0 + 20, T0 + DAY), quota({ maxRecent: 1, since: T0 + 10 }))).toBe('rate-limited');
      expect(await store.appendChanPost(chan, chanPost(bytes(10), T0 + 20, T0 + DAY), quota({ storageBytes: before + 29 }))).toBe('storage-full');
      expect(await store.storedBytes()).toBe(before + 20);
      expect(await store.listChanPosts(chan, T0, 10)).toHaveLength(2);
      expect(await store.appendChanPost(chan, chanPost(bytes(10), T0 + 20, T0 + DAY), quota({ maxRecent: 2, since: T0 + 10, storageBytes: before + 30 }))).toMatchObject({ id: expect.any(String) });
      expect(await store.storedBytes()).toBe(before + 30);
    });

    it('CHAN-7 expiry deletes due posts, frees their bytes and their dedupe keys; the rest survives a restart', async () => {
      const current = sut();
      const chan = randomChannel();
      const gone = bytes(30);
      const kept = bytes(40);
      await current.store.appendChanPost(chan, chanPost(gone, T0, T0 + DAY), ROOMY_CHAN);
      const keptId = idOf(await current.store.appendChanPost(chan, chanPost(kept, T0 + 1, T0 + 3 * DAY), ROOMY_CHAN));
      expect(await current.store.expireChanPosts(T0 + DAY)).toBe(1);
      expect(await current.store.expireChanPosts(T0 + DAY)).toBe(0);
      expect(await current.store.storedBytes()).toBe(40);
      // Its dedupe key went with it: the same bytes are a new post now.
      const again = await current.store.appendChanPost(chan, chanPost(gone, T0 + DAY + 1, T0 + 2 * DAY), ROOMY_CHAN);
      expect(again).not.toHaveProperty('held');
      const store = current.reopen ? await current.reopen() : current.store;
      expect((await store.listChanPosts(chan, T0 + DAY + 2, 10)).map((p) => p.sealed)).toEqual([gone, kept]);
      expect((await store.listChanPosts(chan, T0 + DAY + 2, 10))[1]!.id).toBe(keptId);
      expect(await store.storedBytes()).toBe(70);
      expect(await store.expireChanPosts(T0 + 10 * DAY)).toBe(2);
      expect(await store.storedBytes()).toBe(0);
    });

    it('CHAN-9 a dump shows a channel id, ids, times and the sealed bytes: no author, no reader', async () => {
      const { store } = sut();
      const chan = randomChannel();
      const sealed = bytes(48);
      const id = idOf(await store.appendChanPost(chan, chanPost(sealed, T0, T0 + DAY), ROOMY_CHAN));
      const digest = keyOf(sealed);
      for (const [key, value] of (await store.dump()).filter(([k]) => k.includes(chan))) {
        // The key names the channel and at most an id, a dedupe key and numbers, with short structural tags.
        const rest = key.split(chan).join(' ').split(id).join(' ').split(digest).join(' ').replace(/\d+(\.\d+)?(e[+-]?\d+)?/g, ' ');
        expect(rest.split(/[^A-Za-z0-9]+/).filter(Boolean).every((w) => /^[a-z]{1,6}$/.test(w)), key).toBe(true);
        const v = typeof value === 'string' ? value : new TextDecoder().decode(value);
        if (typeof value !== 'string' && value.length >= sealed.length) continue; // the record
        expect(v.length <= 80, `value of ${key}`).toBe(true);
      }
    });

    it('CHAN-7 appends racing for the last place in a channel: exactly as many stored as the bound allows', async () => {
      const a = sut().store;
      const b = await secondInstance(sut());
      for (let round = 0; round < 10; round++) {
        const chan = randomChannel();
        const quota = { ...ROOMY_CHAN, maxPosts: 1 };
        const results = await Promise.all([a.appendChanPost(chan, chanPost(bytes(16), T0, T0 + DAY), quota), b.appendChanPost(chan, chanPost(bytes(16), T0, T0 + DAY), quota)]);
        expect(results.filter((r) => r === 'full')).toHaveLength(1);
        expect(await b.listChanPosts(chan, T0, 10)).toHaveLength(1);
      }
    });
  });
}
