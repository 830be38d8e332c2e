/**
 * Collectives through the Comrade API against a real Operator (COL-*): founded with the name registered
 * under the collective's key (COL-25), an invitation (COL-26), a request, vouches admitting the newcomer
 * when the quorum is met (COL-11, COL-12), an amendment by vote (COL-13, COL-14), concurrent acts rebuilt
 * on the new head (COL-19), refusals typed with nothing appended (COL-8), and a log the Operator cannot
 * read (COL-20, COL-24).
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComradError } from '@comrad/core';
import type { Quorum } from '@comrad/core/collective';
import { openStore } from '@comrad/operator';
import { Comrade } from '../src/comrade/comrade.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { testScope } from '@comrad/test-kit/client-node/scope';

const PASS = 'correct horse battery staple';
const scope = testScope();
const rule = (permille: number): Quorum => ({ permille, min: 1, cap: 100 });

async function registered(op: { url: string }, name: string): Promise<Comrade> {
  const c = await Comrade.connect({ home: (await tempHome()).dir, operator: { name: 'test', url: op.url } });
  scope.defer(() => c.close());
  await c.register(name, PASS);
  return c;
}

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (ComradError.is(e) ? e.code : String(e)));

describe('Comrade collectives (COL-*, COL-27)', () => {
  it('COL-25 COL-26 COL-12 COL-14 founded, invited, vouched in by the quorum, amended by vote', async () => {
    const op = await scope.operator();
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    // A quorum of 60 %: with 1 member one vouch, with 2 members two.
    const view = await alice.found('@Portland', { admit: rule(600), amend: rule(500) });
    expect([...view.state.members]).toEqual(['alice']);
    // COL-25: the name is taken in the registry, for comrades too.
    expect(await codeOf((await Comrade.connect({ home: (await tempHome()).dir, operator: { name: 'test', url: op.url } })).register('portland', PASS))).toBe('NAME_TAKEN');

    // COL-26: without an invitation, no request.
    expect(await codeOf(bob.request('portland'))).toBe('NOT_FOUND');
    await alice.invite('portland', 'bob');
    await bob.request('portland', 'from the tenants union');
    expect(await alice.requests('portland')).toEqual([{ name: 'bob', note: 'from the tenants union', vouches: [], needed: 1 }]);
    expect(await alice.vouch('portland', 'bob')).toMatchObject({ admitted: true });
    expect((await bob.members('portland')).members).toEqual(['alice', 'bob']);

    // Two members now: carol needs two vouches; the first does not admit her.
    await bob.invite('portland', 'carol');
    await carol.request('portland');
    expect((await alice.vouch('portland', 'carol')).admitted).toBe(false);
    expect(await bob.requests('portland')).toEqual([{ name: 'carol', vouches: ['alice'], needed: 2 }]);
    expect((await bob.vouch('portland', 'carol')).admitted).toBe(true);

    // An amendment: admission now needs every member; amend needs 2 of 3 yes votes.
    const id = await carol.propose('portland', { admit: rule(1000), amend: rule(500) });
    expect((await alice.members('portland')).proposals).toMatchObject([{ id, by: 'carol', yes: [], needed: 2 }]);
    expect(await alice.vote('portland', id, true)).toEqual({ passed: false });
    expect(await bob.vote('portland', id, true)).toEqual({ passed: true });
    const after = await carol.members('portland');
    expect(after.constitution?.admit.permille).toBe(1000);
    expect(after.proposals).toEqual([]);
    expect(after.rejected).toBe(0);
    expect(await carol.collectives()).toEqual([{ name: 'portland', status: 'member', members: 3, requests: 0, proposals: 0 }]);
  });

  it('COL-5 COL-17 COL-26 one read shows a collective whole: invitations waiting, requests, proposals and votes to expel, each with the quorum it needs', async () => {
    const op = await scope.operator();
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    await alice.found('portland', { admit: rule(1000), amend: rule(500), expel: rule(1000) });
    expect(await bob.collectiveInvitations()).toEqual([]);
    await alice.invite('portland', 'bob');
    await bob.inbox();
    expect(await bob.collectiveInvitations()).toMatchObject([{ name: 'portland', from: 'alice' }]);
    await bob.request('portland', 'from the tenants union');
    // Asked: the keys are in the home now, so the invitation is no longer offered.
    expect(await bob.collectiveInvitations()).toEqual([]);
    expect(await bob.collective('portland')).toEqual({
      name: 'portland',
      status: 'candidate',
      members: ['alice'],
      constitution: { admit: rule(1000), amend: rule(500), expel: rule(1000) },
      requests: [{ name: 'bob', note: 'from the tenants union', vouches: [], needed: 1 }],
      proposals: [],
      expulsions: [],
      length: expect.any(Number) as number,
      rejected: 0,
    });
    await alice.vouch('portland', 'bob');
    await alice.invite('portland', 'carol');
    await carol.inbox();
    await carol.request('portland');
    await alice.vouch('portland', 'carol');
    expect((await carol.collective('portland')).requests).toEqual([{ name: 'carol', vouches: ['alice'], needed: 2 }]);
    await bob.vouch('portland', 'carol');
    // Three members: a vote to expel carol needs both others (COL-5 over the members but carol).
    expect(await alice.expel('portland', 'carol')).toEqual({ expelled: false });
    const id = await bob.propose('portland', { admit: rule(500), amend: rule(500) });
    await alice.vote('portland', id, false);
    const seen = await carol.collective('portland');
    expect(seen).toMatchObject({ status: 'member', members: ['alice', 'bob', 'carol'], requests: [], expulsions: [{ who: 'carol', votes: ['alice'], needed: 2 }] });
    expect(seen.proposals).toEqual([{ id, by: 'bob', constitution: { admit: rule(500), amend: rule(500) }, yes: [], no: ['alice'], needed: 2 }]);
    expect(await codeOf(carol.collective('elsewhere'))).toBe('NOT_MEMBER');
  });

  it('COL-8 COL-11 a vouch by a non-member and a vote on an unknown proposal are refused, typed, with nothing appended', async () => {
    const op = await scope.operator();
    const [alice, bob, dave] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'dave')];
    await alice.found('portland', { admit: rule(300), amend: rule(500) });
    await alice.invite('portland', 'bob');
    await alice.invite('portland', 'dave');
    await bob.request('portland');
    await dave.request('portland'); // dave holds the keys, and is no member
    const before = await alice.members('portland');
    expect(await codeOf(dave.vouch('portland', 'bob'))).toBe('NOT_MEMBER');
    expect(await codeOf(alice.vote('portland', 99, true))).toBe('NOT_FOUND');
    expect(await codeOf(alice.vouch('portland', 'nobody'))).toBe('NOT_FOUND');
    const outsider = await registered(op, 'erin');
    expect(await codeOf(outsider.vouch('portland', 'bob'))).toBe('NOT_MEMBER');
    expect(await alice.members('portland')).toEqual(before);
    expect((await op.store.readEntries('portland', 0, 100)).length).toBe(before.length);
  });

  it('COL-19 two members acting at once on one head: one append is stale, rebuilt on the new head, and both land', async () => {
    // The real memory store, with appendEntry held while `hold` is set: both appends are then built on the
    // same head before either is stored, so exactly one is refused as stale and must be rebuilt.
    const inner = await openStore({ kind: 'memory' });
    const outcomes: string[] = [];
    let hold: { entered: number; both: () => void; gate: Promise<void> } | undefined;
    const store = new Proxy(inner, {
      get(target, prop) {
        const v = Reflect.get(target, prop) as unknown;
        if (typeof v !== 'function') return v;
        if (prop !== 'appendEntry') return v.bind(target);
        return async (...args: unknown[]) => {
          if (hold && ++hold.entered === 2) hold.both();
          if (hold) await hold.gate;
          const r = (await (v as (...a: unknown[]) => Promise<string>).apply(target, args)) as string;
          outcomes.push(r);
          return r;
        };
      },
    });
    const op = await scope.operator({ store });
    const [alice, bob, carol, dave] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol'), await registered(op, 'dave')];
    await alice.found('portland', { admit: rule(1000), amend: rule(500) });
    await alice.invite('portland', 'bob');
    await bob.request('portland');
    await alice.vouch('portland', 'bob');
    for (const c of [carol, dave]) {
      await alice.invite('portland', c.identity!.name);
      await c.request('portland');
    }
    let release!: () => void;
    hold = { entered: 0, both: () => release(), gate: new Promise<void>((r) => (release = r)) };
    outcomes.length = 0;
    const acts = Promise.all([alice.vouch('portland', 'carol'), bob.vouch('portland', 'dave')]);
    await hold.gate;
    hold = undefined;
    await acts;
    expect(outcomes.filter((o) => o === 'stale')).toHaveLength(1);
    const requests = await alice.requests('portland');
    expect(requests.map((r) => [r.name, r.vouches])).toEqual([['carol', ['alice']], ['dave', ['bob']]]);
    expect((await alice.members('portland')).rejected).toBe(0);
  });

  it('COL-20 COL-24 the Operator holds the log as padded sealed entries: no name, no text in the clear', async () => {
    const op = await scope.operator();
    const [alice, bob] = [await registered(op, 'alice'), await registered(op, 'bob')];
    await alice.found('portland', { admit: rule(300), amend: rule(500) });
    await alice.invite('portland', 'bob');
    await bob.request('portland', 'from the tenants union');
    const { entries } = await op.store.readEntries('portland', 0, 100);
    // The founding, the founder's first message key (COL-31), bob's request.
    expect(entries).toHaveLength(3);
    expect(new Set(entries.map((e) => e.length)).size).toBe(1); // one bucket
    for (const e of entries) {
      for (const clear of ['alice', 'bob', 'tenants', 'request', 'found', 'key']) expect(Buffer.from(e).includes(Buffer.from(clear))).toBe(false);
    }
    // The keys are kept sealed at rest: the home names no collective in the clear.
    const kept = await readFile(join(bob.paths.root, 'collectives.cell'));
    expect(kept.includes(Buffer.from('portland'))).toBe(false);
  });

  it('COL-31 COL-19 COL-35 two members post at once after a departure: one rotation, both messages under it, and the one who left reads neither', async () => {
    const op = await scope.operator();
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    await alice.found('portland', { admit: rule(300), amend: rule(500) });
    for (const c of [bob, carol]) {
      await alice.invite('portland', c.identity!.name);
      await c.request('portland');
      await alice.vouch('portland', c.identity!.name);
    }
    await alice.collectivePost('portland', 'before carol left');
    await carol.leave('portland');
    const before = (await op.store.readEntries('portland', 0, 1000)).length;
    // Both find a rotation due; one opens the new epoch, the other's append is stale, it reads again, finds
    // none due any more, and seals under the epoch the first opened.
    const [a, b] = await Promise.all([alice.collectivePost('portland', 'from alice'), bob.collectivePost('portland', 'from bob')]);
    expect(a.epoch).toBe(b.epoch);
    expect((await op.store.readEntries('portland', 0, 1000)).length).toBe(before + 1); // one key event
    const read = async (c: Comrade) => (await c.collectiveFeed('portland')).messages.map((m) => m.text).sort();
    expect(await read(alice)).toEqual(['before carol left', 'from alice', 'from bob']);
    expect(await read(bob)).toEqual(['before carol left', 'from alice', 'from bob']);
    const hers = await carol.collectiveFeed('portland');
    expect(hers.messages.map((m) => m.text)).toEqual(['before carol left']);
    expect(hers.unreadable.map((u) => u.code)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });
});
