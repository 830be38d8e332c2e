/**
 * Profiles (PROF-10, STORE-2): put-if-newer by the author's `at`, a retry of the same bytes, expiry by time
 * and by the sweep, the bytes a replaced profile frees, persistence, and the newest winning when puts race
 * (from two instances when the backend has them).
 */
import { describe, expect, it } from 'vitest';
import type { StoredProfile } from '@comrad/operator';
import { DAY, T0, bytes, randomName, secondInstance, type StoreUnderTest } from './fixtures.js';

const AT = Math.floor(T0 / 1000);

/** A profile as the policy hands it to the store: signed `at` seconds, kept 30 days from T0. */
function profile(at: number, size = 600, receivedAt = T0): StoredProfile {
  return { sealed: bytes(size), at, receivedAt, expiresAt: receivedAt + 30 * DAY };
}

/** Registers the profile cases for the store `sut()` returns. */
export function profileConformance(sut: () => StoreUnderTest): void {
  describe('profiles', () => {
    it('PROF-10 keeps only the newest profile per name by its at; the same bytes again are held, as new or older is stale', async () => {
      const { store } = sut();
      const name = randomName();
      expect(await store.getProfile(name, T0)).toBeUndefined();
      const first = profile(AT);
      expect(await store.putProfileIfNewer(name, first, T0)).toBe('ok');
      expect(await store.getProfile(name, T0)).toEqual(first);
      expect(await store.putProfileIfNewer(name, { ...first, sealed: first.sealed.slice() }, T0)).toBe('held');
      expect(await store.putProfileIfNewer(name, profile(AT), T0)).toBe('stale'); // same at, other bytes
      expect(await store.putProfileIfNewer(name, profile(AT - 1), T0)).toBe('stale'); // older
      expect(await store.getProfile(name, T0)).toEqual(first);
      const second = profile(AT + 1, 700, T0 + 1000);
      expect(await store.putProfileIfNewer(name, second, T0 + 1000)).toBe('ok');
      expect(await store.getProfile(name, T0 + 1000)).toEqual(second);
      expect(await store.putProfileIfNewer(name, first, T0 + 1000)).toBe('stale'); // the old one replayed
      // Another name is another profile.
      expect(await store.getProfile(randomName(), T0)).toBeUndefined();
    });

    it('PROF-10 STORE-2 a replaced profile frees its bytes in the same step; the store bound counts that', async () => {
      const { store } = sut();
      const name = randomName();
      const before = await store.storedBytes();
      expect(await store.putProfileIfNewer(name, profile(AT, 1000), T0)).toBe('ok');
      expect(await store.storedBytes()).toBe(before + 1000);
      expect(await store.putProfileIfNewer(name, profile(AT + 1, 400), T0)).toBe('ok');
      expect(await store.storedBytes()).toBe(before + 400);
      // A refresh of 500 bytes fits in a bound of before + 500 only because the 400 it replaces are freed.
      expect(await store.putProfileIfNewer(name, profile(AT + 2, 501), T0, before + 500)).toBe('storage-full');
      expect(await store.storedBytes()).toBe(before + 400);
      expect((await store.getProfile(name, T0))?.at).toBe(AT + 1);
      expect(await store.putProfileIfNewer(name, profile(AT + 2, 500), T0, before + 500)).toBe('ok');
      expect(await store.storedBytes()).toBe(before + 500);
      expect(await store.putProfileIfNewer(randomName(), profile(AT, 1), T0, before + 500)).toBe('storage-full');
    });

    it('PROF-10 an expired profile is never handed out, is replaced even by an older at, and the sweep deletes it and its bytes', async () => {
      const current = sut();
      const name = randomName();
      const other = randomName();
      const before = await current.store.storedBytes();
      const p = profile(AT, 300);
      expect(await current.store.putProfileIfNewer(name, p, T0)).toBe('ok');
      expect(await current.store.putProfileIfNewer(other, profile(AT, 200, T0 + 20 * DAY), T0 + 20 * DAY)).toBe('ok');
      expect(await current.store.getProfile(name, p.expiresAt - 1)).toEqual(p);
      expect(await current.store.getProfile(name, p.expiresAt)).toBeUndefined();
      expect(await current.store.expireProfiles(p.expiresAt)).toBe(1);
      expect(await current.store.expireProfiles(p.expiresAt)).toBe(0);
      expect(await current.store.storedBytes()).toBe(before + 200);
      const store = current.reopen ? await current.reopen() : current.store;
      expect(await store.getProfile(name, T0)).toBeUndefined();
      expect((await store.getProfile(other, T0 + 20 * DAY))?.sealed.length).toBe(200);
      // Held but expired (not yet swept): any profile replaces it.
      const late = T0 + 60 * DAY;
      expect(await store.putProfileIfNewer(other, profile(AT - 5, 100, late), late)).toBe('ok');
      expect(await store.storedBytes()).toBe(before + 100);
      expect(await store.expireProfiles(late)).toBe(0); // the replaced one's expiry entry deletes nothing
      expect((await store.getProfile(other, late))?.at).toBe(AT - 5);
    });

    it('PROF-10 puts that race: whatever the order, the newest at is the one kept', async () => {
      const a = sut().store;
      const b = await secondInstance(sut());
      for (let round = 0; round < 10; round++) {
        const name = randomName();
        const puts = [profile(AT + 1), profile(AT + 3), profile(AT + 2)];
        const results = await Promise.all(puts.map((p, i) => (i % 2 === 0 ? a : b).putProfileIfNewer(name, p, T0)));
        expect(results).toContain('ok');
        expect((await b.getProfile(name, T0))?.sealed).toEqual(puts[1]!.sealed);
        expect((await a.getProfile(name, T0))?.at).toBe(AT + 3);
      }
    });
  });
}
