/**
 * Collectives end to end, as people would run them (COL-*, CLI-*): a `comrad-op` process on LMDB and
 * four `comrad` homes. A collective is founded, a newcomer is invited, asks and is vouched in by the
 * quorum, the constitution is amended by vote, a vouch by a non-member is refused with a typed error and
 * changes nothing, and a member leaves. Every `comrad collective` command of the README runs here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '@comrad/test-kit/client-node/processes';
import { startCast, type Cast, type Run } from '@comrad/test-kit/client-node/cast';

let cast: Cast;
const person = (name: string): Run => (...args) => cast.as(name)(...args);
const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(person) as [Run, Run, Run, Run];
const json = async (run: Run, ...args: string[]) => JSON.parse(ok(await run('--json', ...args))) as Record<string, unknown>;

beforeAll(async () => {
  cast = await startCast('comrad-collective-', ['alice', 'bob', 'carol', 'dave']);
}, 120_000);

afterAll(async () => {
  await cast?.stop();
});

// Each step is a `comrad` process (node start, home unlock, a connection): seconds each on a busy machine.
describe('comrad collective (processes, LMDB)', { timeout: 120_000 }, () => {

  it('COL-9 COL-25 found: the name is registered and taken; alice is the only member', async () => {
    expect(ok(await alice('collective', 'found', 'portland', '--quorum', '0.6'))).toMatch(/Founded @portland: you are its only member\. Admission: 60% of members vouch/);
    const taken = await dave('collective', 'found', 'portland');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^comrad: error: .*\[NAME_TAKEN\]/m);
    expect(await json(alice, 'collective', 'members', 'portland')).toMatchObject({ members: ['alice'] });
  });

  it('COL-26 COL-10 COL-12 a newcomer is invited, asks, and the vouch that meets the quorum admits them', async () => {
    const early = await bob('collective', 'request', 'portland');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('[NOT_FOUND]');
    expect(ok(await alice('collective', 'invite', 'portland', 'bob'))).toContain('Invited @bob to @portland');
    expect(ok(await bob('collective', 'request', 'portland', 'from the tenants union'))).toContain('Asked to join @portland: 1 vouch by members admit you.');
    expect(ok(await alice('collective', 'requests', 'portland'))).toMatch(/@bob\s+0\/1 vouches\s+“from the tenants union”/);
    expect(ok(await alice('collective', 'vouch', 'portland', 'bob'))).toContain('the quorum is met, @bob is now a member of @portland');
    expect(await json(bob, 'collective', 'members', 'portland')).toMatchObject({ members: ['alice', 'bob'] });
  });

  it('COL-11 COL-8 a vouch by a non-member is refused, typed (exit 1), and changes nothing', async () => {
    ok(await bob('collective', 'invite', 'portland', 'carol'));
    ok(await carol('collective', 'request', 'portland'));
    expect(await json(alice, 'collective', 'vouch', 'portland', 'carol')).toMatchObject({ admitted: false });
    const before = await json(alice, 'collective', 'members', 'portland');
    const requests = await json(alice, 'collective', 'requests', 'portland');
    expect(requests).toEqual({ requests: [{ name: 'carol', vouches: ['alice'], needed: 2 }] });
    // carol holds the keys (invited) but is no member; dave holds nothing.
    for (const [who, run] of [['carol', carol], ['dave', dave]] as const) {
      const r = await run('collective', 'vouch', 'portland', 'carol');
      expect(r.code, who).toBe(1);
      expect(r.stderr, who).toMatch(/^comrad: error: .*\[NOT_MEMBER\]$/m);
    }
    const refused = await dave('--json', 'collective', 'vouch', 'portland', 'carol');
    expect(JSON.parse(refused.stderr || refused.stdout)).toMatchObject({ error: { code: 'NOT_MEMBER' } });
    expect(await json(alice, 'collective', 'members', 'portland')).toEqual(before);
    expect(await json(alice, 'collective', 'requests', 'portland')).toEqual(requests);
    expect(ok(await bob('collective', 'vouch', 'portland', 'carol'))).toContain('@carol is now a member');
  });

  it('COL-13 COL-14 the constitution is amended by vote: it passes at the amend quorum', async () => {
    const proposed = await json(carol, 'collective', 'propose', 'portland', '--quorum', '0.5');
    const id = String(proposed.proposal);
    expect(ok(await alice('collective', 'members', 'portland'))).toMatch(new RegExp(`proposal ${id} by @carol: Admission: 50% .* 0/2 yes`));
    expect(ok(await alice('collective', 'vote', 'portland', id, 'yes'))).toContain(`Voted yes on proposal ${id}.`);
    const unknown = await alice('collective', 'vote', 'portland', '999', 'no');
    expect(unknown.stderr).toContain('[NOT_FOUND]');
    expect(ok(await bob('collective', 'vote', 'portland', id, 'yes'))).toContain('it passed, the new constitution is in force');
    expect(await json(carol, 'collective', 'members', 'portland')).toMatchObject({ constitution: { admit: { permille: 500 } }, proposals: [] });
    const bad = await bob('collective', 'vote', 'portland', id, 'maybe');
    expect(bad.code).toBe(2);
  });

  it('COL-16 leave, and `comrad collectives` lists each with its status', async () => {
    expect(ok(await carol('collective', 'leave', 'portland'))).toContain('You left @portland.');
    expect(await json(carol, 'collectives')).toEqual({ collectives: [{ name: 'portland', status: 'outside', members: 2, requests: 0, proposals: 0 }] });
    expect(ok(await alice('collectives'))).toMatch(/@portland\s+member, 2 members/);
    expect(ok(await dave('collectives'))).toContain('No collectives yet');
  });
});
