/**
 * Profiles on the Operator (spec/12-profiles.md, PROF-10, PROF-11): only the author puts, on their own
 * logged-in connection; anyone reads, logged in or not; only the newest is kept; a stale, old-epoch or
 * `trusted` header naming an epoch changes nothing (a trusted one names none, CIR-9); the sweep deletes what expired.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SymmetricKey, decryptFrom } from '@comrad/core';
import { createProfile, openProfile, sealProfile, type Profile } from '@comrad/core/envelope';
import { epochOf } from '@comrad/core/wire';
import type { Keymaker } from '@comrad/core/keymaker';
import type { TestClient } from '@comrad/test-kit/operator/client';
import { refusedWith, startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';

let t: TestOperator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const DAY = 86_400_000;

async function worldKey(t: TestOperator, c: TestClient, me: Keymaker, epoch: number): Promise<SymmetricKey> {
  const r = await c.request('worldKey', { epoch });
  return SymmetricKey.from(decryptFrom(me.keys.privateKey, t.keys.world.publicKey, r.sealed));
}

async function sealed(t: TestOperator, c: TestClient, me: Keymaker, over: Partial<Profile> = {}, epoch = epochOf(t.clock.now())): Promise<Uint8Array> {
  const p = { ...createProfile({ name: me.name, display: me.name.toUpperCase(), bio: 'hello', at: Math.floor(t.clock.now() / 1000) }), ...over };
  return sealProfile(p, me.keys, await worldKey(t, c, me, epoch), epoch);
}

describe('PROF-10 PROF-11 profiles on the Operator', () => {
  it('PROF-10 PROF-11 the author puts; a comrade logged in and a connection not logged in read it; the reader opens and verifies it', async () => {
    t = await startTestOperator();
    const { client: a, me: alice } = await t.login('alice');
    const { client: b, me: bob } = await t.login('bob');
    const profile = await sealed(t, a, alice);
    const { expiresAt } = await a.request('profileSet', { profile });
    expect(expiresAt).toBe(t.clock.now() + 30 * DAY);
    const read = await b.request('profileGet', { name: 'alice' });
    expect(read).toEqual({ profile, expiresAt });
    const anonymous = await t.connect();
    expect(await anonymous.request('profileGet', { name: 'alice' })).toEqual({ profile, expiresAt });
    const epoch = epochOf(t.clock.now());
    const opened = await openProfile(read.profile, async () => worldKey(t!, b, bob, epoch), { name: 'alice', key: alice.publicKey }, Math.floor(t.clock.now() / 1000));
    expect(opened.profile.display).toBe('ALICE');
    // "No such name" and "no profile" are one answer.
    await refusedWith(b.request('profileGet', { name: 'bob' }), 'NOT_FOUND');
    await refusedWith(b.request('profileGet', { name: 'nobody' }), 'NOT_FOUND');
  });

  it('PROF-10 only a logged-in author puts, and only under their own name: a profile put by bob is filed under bob', async () => {
    t = await startTestOperator();
    const { client: a, me: alice } = await t.login('alice');
    const { client: b } = await t.login('bob');
    const anonymous = await t.connect();
    const profile = await sealed(t, a, alice);
    await refusedWith(anonymous.request('profileSet', { profile }), 'UNAUTHENTICATED');
    // Bob hands in alice's sealed profile: it is filed under bob, where readers refuse it (PROF-9).
    await b.request('profileSet', { profile });
    await refusedWith(a.request('profileGet', { name: 'alice' }), 'NOT_FOUND');
    expect((await a.request('profileGet', { name: 'bob' })).profile).toEqual(profile);
  });

  it('PROF-10 a newer profile replaces the old one; an older or equal one, an old epoch, a far-off time or a trusted header naming an epoch change nothing (CIR-9)', async () => {
    t = await startTestOperator();
    const { client: a, me: alice } = await t.login('alice');
    const first = await sealed(t, a, alice);
    await a.request('profileSet', { profile: first });
    // A retry of the same bytes is answered as stored.
    await a.request('profileSet', { profile: first });
    const bytes = await t.store.storedBytes();
    await refusedWith(a.request('profileSet', { profile: await sealed(t, a, alice, { display: 'Same second' }) }), 'OUT_OF_ORDER');
    await refusedWith(a.request('profileSet', { profile: await sealed(t, a, alice, { at: Math.floor(t.clock.now() / 1000) - 10 }) }), 'OUT_OF_ORDER');
    await refusedWith(a.request('profileSet', { profile: await sealed(t, a, alice, { at: Math.floor(t.clock.now() / 1000) + 2 * 86_400 }) }), 'MALFORMED');
    await refusedWith(a.request('profileSet', { profile: await sealed(t, a, alice, {}, epochOf(t.clock.now()) + 1) }), 'MALFORMED');
    const trusted = (await sealed(t, a, alice)).slice();
    trusted[1] = 2;
    await refusedWith(a.request('profileSet', { profile: trusted }), 'MALFORMED');
    expect((await a.request('profileGet', { name: 'alice' })).profile).toEqual(first);
    expect(await t.store.storedBytes()).toBe(bytes);
    t.clock.advance(2 * DAY);
    await refusedWith(a.request('profileSet', { profile: await sealed(t, a, alice, {}, epochOf(t.clock.now()) - 2) }), 'EXPIRED');
    const newer = await sealed(t, a, alice, { bio: 'refreshed' });
    await a.request('profileSet', { profile: newer });
    expect((await a.request('profileGet', { name: 'alice' })).profile).toEqual(newer);
    expect(await t.store.storedBytes()).toBe(bytes - first.length + newer.length);
  });

  it('PROF-10 LIMIT-2 the size is checked before the header: an oversized profile with a bad version is TOO_LARGE, and nothing is stored', async () => {
    t = await startTestOperator({ limits: { sealedLetterBytes: 4096 } });
    const { client: a, me: alice } = await t.login('alice');
    const data = new Uint8Array(6000).fill(0x55);
    data.set([0xff, 0xd8, 0xff]);
    const big = await sealed(t, a, alice, { photo: { mime: 'image/jpeg', data } });
    expect(big.length).toBeGreaterThan(4096);
    const bad = big.slice();
    bad[0] = 9;
    await refusedWith(a.request('profileSet', { profile: bad }), 'TOO_LARGE');
    await refusedWith(a.request('profileSet', { profile: big }), 'TOO_LARGE');
    await refusedWith(a.request('profileSet', { profile: bad.subarray(0, 4000) }), 'UNSUPPORTED_VERSION');
    expect(await t.store.storedBytes()).toBe(0);
  });

  it('PROF-10 a profile not refreshed is gone after its lifetime, and the sweep deletes it', async () => {
    t = await startTestOperator();
    const { client: a, me: alice } = await t.login('alice');
    await a.request('profileSet', { profile: await sealed(t, a, alice) });
    t.clock.advance(30 * DAY - 1);
    expect(await a.request('profileGet', { name: 'alice' })).toBeDefined();
    t.clock.advance(1);
    await refusedWith(a.request('profileGet', { name: 'alice' }), 'NOT_FOUND');
    await t.op.sweep();
    expect(await t.store.storedBytes()).toBe(0);
    expect((await t.store.dump()).some(([k]) => k.includes('alice') && /prof|pf:/.test(k))).toBe(false);
  });
});
