/**
 * Profiles (PROF-10, STORE-2): put-if-newer by the author's `at`, a retry of the same bytes, expiry by time
 * and by the sweep, the bytes a replaced profile frees, persistence, and the newest winning when puts race
 * (from two instances when the backend has them).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Store, StoredProfile } from '@comrad/operator';
import { DAY, T0, bytes, randomName, secondInstance, type StoreUnderTest } from './fixtures.js';

const AT = Math.floor(T0 / 1000);

/** A profile as the policy hands it to the store: signed `at` seconds, kept 30 days from T0. */
function profile(at: number, size = 600, receivedAt = T0): StoredProfile {
  return { sealed: bytes(size), at, receivedAt, expiresAt: receivedAt + 30 * DAY };
}

interface ProfileModel {
  now: number;
  /** Per name: the profile held, expired or not, until replaced or swept. */
  readonly held: Map<number, StoredProfile>;
}

interface ProfileReal {
  readonly stores: readonly Store[];
  readonly names: readonly string[];
  /** The store's bytes before the run. */
  readonly base: number;
}

type ProfileCommand = fc.AsyncCommand<ProfileModel, ProfileReal>;

/** A pool of contents, so that the same bytes come back (a retry) as well as new ones. */
const CONTENTS = Array.from({ length: 6 }, (_, i) => new Uint8Array(20 + i * 7).fill(i + 1));

class PutProfile implements ProfileCommand {
  constructor(readonly who: number, readonly at: number, readonly content: number, readonly ttl: number, readonly via: number) {}
  check = () => true;
  async run(m: ProfileModel, r: ProfileReal): Promise<void> {
    const p: StoredProfile = { sealed: CONTENTS[this.content]!, at: AT + this.at, receivedAt: m.now, expiresAt: m.now + this.ttl };
    const current = m.held.get(this.who);
    const live = current && current.expiresAt > m.now ? current : undefined;
    const expected = live && Buffer.compare(Buffer.from(live.sealed), Buffer.from(p.sealed)) === 0 ? 'held' : live && live.at >= p.at ? 'stale' : 'ok';
    expect(await r.stores[this.via % r.stores.length]!.putProfileIfNewer(r.names[this.who]!, p, m.now)).toBe(expected);
    if (expected === 'ok') m.held.set(this.who, p);
    const total = [...m.held.values()].reduce((n, x) => n + x.sealed.length, 0);
    expect(await r.stores[0]!.storedBytes()).toBe(r.base + total);
  }
  toString = () => `put(${this.who}, at +${this.at}, content ${this.content}, ttl ${this.ttl}, via ${this.via})`;
}

class GetProfile implements ProfileCommand {
  constructor(readonly who: number, readonly via: number) {}
  check = () => true;
  async run(m: ProfileModel, r: ProfileReal): Promise<void> {
    const held = m.held.get(this.who);
    const got = await r.stores[this.via % r.stores.length]!.getProfile(r.names[this.who]!, m.now);
    expect(got).toEqual(held && held.expiresAt > m.now ? held : undefined);
  }
  toString = () => `get(${this.who}, via ${this.via})`;
}

class TickProfiles implements ProfileCommand {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: ProfileModel): Promise<void> {
    m.now += this.ms;
  }
  toString = () => `tick(${this.ms})`;
}

class SweepProfiles implements ProfileCommand {
  constructor(readonly via: number) {}
  check = () => true;
  async run(m: ProfileModel, r: ProfileReal): Promise<void> {
    const due = [...m.held].filter(([, p]) => p.expiresAt <= m.now);
    expect(await r.stores[this.via % r.stores.length]!.expireProfiles(m.now)).toBe(due.length);
    for (const [who] of due) m.held.delete(who);
  }
  toString = () => `sweep(via ${this.via})`;
}

const profileCommands = fc.commands(
  [
    fc.tuple(fc.nat(2), fc.nat(4), fc.nat(CONTENTS.length - 1), fc.integer({ min: 1, max: 60 }), fc.nat(1)).map(([w, a, c, t, v]) => new PutProfile(w, a, c, t, v)),
    fc.tuple(fc.nat(2), fc.nat(1)).map(([w, v]) => new GetProfile(w, v)),
    fc.integer({ min: 1, max: 30 }).map((ms) => new TickProfiles(ms)),
    fc.nat(1).map((v) => new SweepProfiles(v)),
  ],
  { maxCommands: 25 },
);

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

    it('PROF-10 random put/get/tick/sweep sequences on three names agree with the model, bytes included', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      await fc.assert(
        fc.asyncProperty(profileCommands, async (cmds) => {
          await target.store.expireProfiles(T0 + 1000 * DAY); // every run starts with no profile held
          const real = { stores, names: [randomName(), randomName(), randomName()], base: await target.store.storedBytes() };
          await fc.asyncModelRun(() => ({ model: { now: T0, held: new Map<number, StoredProfile>() }, real }), cmds);
        }),
        { numRuns: 30 },
      );
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
