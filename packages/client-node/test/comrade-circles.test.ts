/**
 * Trusted circles through the Comrade API against a real Operator (spec/13-circles.md, CIR-*): the key
 * reaches each trusted comrade as a sealed letter and is kept sealed at rest; an untrust rotates the key,
 * so the one untrusted reads nothing posted after; a rotation is noticed; bad input changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComradError } from '@comrad/core';
import { Comrade } from '../src/comrade/comrade.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { testScope } from '@comrad/test-kit/client-node/scope';

const PASS = 'correct horse battery staple';
const scope = testScope();

async function registered(op: { url: string }, name: string): Promise<{ c: Comrade; home: string }> {
  const home = (await tempHome()).dir;
  const c = await Comrade.connect({ home, operator: { name: 'test', url: op.url } });
  scope.defer(() => c.close());
  await c.register(name, PASS);
  return { c, home };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (ComradError.is(e) || (e as { name?: string }).name === 'UsageError' ? (e as { code: string }).code : String(e)),
  );
const texts = async (c: Comrade) => (await c.circleFeed()).posts.map((p) => `${p.author}:${p.text}`);

describe('Comrade trusted circles (CIR-*)', () => {
  it('CIR-1 CIR-4 CIR-5 CIR-6 CIR-7 CIR-8 the trusted read the circle (generation 1, then 2); after an untrust, the untrusted read nothing new and the others notice the new key', async () => {
    const op = await scope.operator();
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    expect(await alice.c.trust('@Bob')).toEqual({ name: 'bob', added: true, gen: 1 });
    expect(await alice.c.trust('carol')).toEqual({ name: 'carol', added: true, gen: 1 });
    // CIR-6: the key arrives as a letter, kept (not shown as one); a second delivery changes nothing.
    const bobInbox = await bob.c.inbox();
    expect(bobInbox.circleKeys).toEqual([{ from: 'alice', gen: 1, status: 'new' }]);
    expect(bobInbox.received).toEqual([]);
    expect((await carol.c.inbox()).circleKeys).toEqual([{ from: 'alice', gen: 1, status: 'new' }]);
    expect(await bob.c.trusted()).toEqual({ trusted: [], trustedBy: [{ owner: 'alice', gen: 1 }] });
    expect(await alice.c.trusted()).toEqual({ trusted: ['bob', 'carol'], gen: 1, trustedBy: [] });

    await alice.c.circlePost('before: for bob and carol');
    expect(await texts(bob.c)).toEqual(['alice:before: for bob and carol']);
    expect(await texts(carol.c)).toEqual(['alice:before: for bob and carol']);
    expect((await carol.c.circleFeed()).posts[0]).toMatchObject({ circle: 'alice', gen: 1, kind: 'post' });

    // CIR-5: carol leaves; the new key goes to bob only, before anything is posted under it.
    expect(await alice.c.untrust('carol')).toEqual({ name: 'carol', gen: 2, profile: { status: 'none' }, sentTo: ['bob'], unreached: [] });
    await alice.c.circlePost('after: bob only');
    expect((await bob.c.inbox()).circleKeys).toEqual([{ from: 'alice', gen: 2, status: 'rotated' }]);
    expect((await carol.c.inbox()).circleKeys).toEqual([]);
    expect(await texts(bob.c)).toEqual(['alice:after: bob only', 'alice:before: for bob and carol']);
    // Carol holds only the old key: the post made after she left is not hers to read.
    expect(await texts(carol.c)).toEqual(['alice:before: for bob and carol']);
    // The owner reads every generation of their own circle.
    expect(await texts(alice.c)).toEqual(['alice:after: bob only', 'alice:before: for bob and carol']);

    // Trusting bob again re-sends the current key (a lost letter), adding nobody.
    expect(await alice.c.trust('bob')).toEqual({ name: 'bob', added: false, gen: 2 });
    expect((await bob.c.inbox()).circleKeys).toEqual([{ from: 'alice', gen: 2, status: 'known' }]);
  });

  it('CIR-4 CIR-5 CIR-7 bad input is typed and changes nothing: an unknown name, ourselves, someone not trusted, a post with no circle', async () => {
    const op = await scope.operator();
    const alice = await registered(op, 'alice');
    expect(await codeOf(alice.c.circlePost('nobody to read it'))).toBe('NO_CIRCLE');
    expect(await codeOf(alice.c.trust('nobody'))).toBe('NOT_FOUND');
    expect(await codeOf(alice.c.trust('alice'))).toBe('BAD_ARGUMENT');
    expect(await alice.c.trusted()).toEqual({ trusted: [], trustedBy: [] });
    await registered(op, 'bob');
    await alice.c.trust('bob');
    expect(await codeOf(alice.c.untrust('carol'))).toBe('NOT_TRUSTED');
    expect(await alice.c.trusted()).toEqual({ trusted: ['bob'], gen: 1, trustedBy: [] });
    expect(await op.store.storedBytes()).toBeGreaterThan(0); // bob's key letter, nothing for carol
  });

  it('CIR-9 PROF-12 a profile for the trusted circle is read by those trusted, FORBIDDEN to others; before any trust NO_CIRCLE', async () => {
    const op = await scope.operator();
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    expect(await codeOf(alice.c.setProfile({ display: 'Alice', visibility: 'trusted' }))).toBe('NO_CIRCLE');
    await alice.c.trust('bob');
    await bob.c.inbox();
    const set = await alice.c.setProfile({ display: 'Alice (organiser)', bio: 'For comrades only.', visibility: 'trusted' });
    expect(set.profile.visibility).toBe('trusted');
    expect(await bob.c.profile('alice')).toMatchObject({ name: 'alice', display: 'Alice (organiser)', bio: 'For comrades only.', visibility: 'trusted' });
    expect(await alice.c.profile('alice')).toMatchObject({ display: 'Alice (organiser)' });
    expect(await codeOf(carol.c.profile('alice'))).toBe('FORBIDDEN');
    // What the Operator holds names no epoch and opens with no world key.
    const held = (await op.store.getProfile('alice', Date.now()))!.sealed;
    expect([...held.subarray(1, 6)]).toEqual([2, 0, 0, 0, 0]);
  });

  it('PROF-14 CIR-5 after an untrust the trusted profile is sealed again under the new key: the untrusted get FORBIDDEN, those still trusted read it', async () => {
    const op = await scope.operator();
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    await alice.c.trust('bob');
    await alice.c.trust('carol');
    await bob.c.inbox();
    await carol.c.inbox();
    await alice.c.setProfile({ display: 'Alice (organiser)', bio: 'Meets on Thursdays.', visibility: 'trusted' });
    // What bob saw while trusted, he keeps; nothing more.
    const seen = await bob.c.profile('alice');
    expect(seen).toMatchObject({ display: 'Alice (organiser)', bio: 'Meets on Thursdays.' });
    const before = (await op.store.getProfile('alice', Date.now()))!.sealed;

    const res = await alice.c.untrust('bob');
    // The profile the Operator holds from now on is another sealed profile, which bob's keys do not open.
    expect(await codeOf(bob.c.profile('alice'))).toBe('FORBIDDEN');
    const after = (await op.store.getProfile('alice', Date.now()))!.sealed;
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(false);
    expect(res).toMatchObject({ name: 'bob', gen: 2, sentTo: ['carol'], unreached: [], profile: { status: 'resealed' } });
    // Carol, still trusted, reads the very same profile once her new key has arrived; alice reads her own.
    expect((await carol.c.inbox()).circleKeys).toEqual([{ from: 'alice', gen: 2, status: 'rotated' }]);
    expect(await carol.c.profile('alice')).toMatchObject({ display: 'Alice (organiser)', bio: 'Meets on Thursdays.', visibility: 'trusted' });
    expect(await alice.c.profile('alice')).toMatchObject({ display: 'Alice (organiser)', bio: 'Meets on Thursdays.' });

    // A profile set after the untrust is sealed under the new key too: bob cannot read the update.
    await alice.c.setProfile({ display: 'Alice', bio: 'Now meets on Fridays.', visibility: 'trusted' });
    expect(await codeOf(bob.c.profile('alice'))).toBe('FORBIDDEN');
    expect(await carol.c.profile('alice')).toMatchObject({ bio: 'Now meets on Fridays.' });

    // A world profile is left as it is: it was never the circle's to hide.
    await alice.c.trust('bob');
    await alice.c.setProfile({ display: 'Alice', visibility: 'world' });
    const world = (await op.store.getProfile('alice', Date.now()))!.sealed;
    expect(await alice.c.untrust('bob')).toMatchObject({ gen: 3, profile: { status: 'none' } });
    expect(Buffer.from((await op.store.getProfile('alice', Date.now()))!.sealed).equals(Buffer.from(world))).toBe(true);
    expect(await bob.c.profile('alice')).toMatchObject({ display: 'Alice', visibility: 'world' });
  });

  it('CIR-6 circle keys are sealed at rest in the home: the file names no one, and a restarted client still reads the circle', async () => {
    const op = await scope.operator();
    const [alice, bob] = [await registered(op, 'alice'), await registered(op, 'bob')];
    await alice.c.trust('bob');
    await bob.c.inbox();
    for (const who of [alice, bob]) {
      const file = await readFile(join(who.home, 'circles.cell'));
      for (const name of ['alice', 'bob']) expect(file.includes(Buffer.from(name))).toBe(false);
    }
    // The key reads the channel: a fresh process on bob's home, unlocked by passphrase, still reads alice's circle.
    await alice.c.circlePost('kept across restarts');
    await bob.c.close();
    const again = await Comrade.connect({ home: bob.home, operator: { name: 'test', url: op.url }, passphrase: PASS });
    scope.defer(() => again.close());
    expect(await texts(again)).toEqual(['alice:kept across restarts']);
  });
});
