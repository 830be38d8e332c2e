/**
 * Votes on channel posts through the Comrade API against a real Operator (spec/16-votes.md, VOTE-7 …
 * VOTE-10): a trusted post and a collective message voted on by id once the home has shown them, changed
 * and withdrawn; tallies in the circle and collective feeds; a comrade without the key cannot vote, and
 * the error says what to do; the home remembers shown posts sealed at rest.
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComradError, SymmetricKey } from '@comrad/core';
import type { Quorum } from '@comrad/core/collective';
import { Comrade } from '../src/comrade/comrade.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { testScope } from '@comrad/test-kit/client-node/scope';

const PASS = 'correct horse battery staple';
const scope = testScope();
const rule = (permille: number): Quorum => ({ permille, min: 1, cap: 100 });

async function registered(op: { url: string }, name: string): Promise<{ c: Comrade; home: string }> {
  const home = (await tempHome()).dir;
  const c = await Comrade.connect({ home, operator: { name: 'test', url: op.url } });
  scope.defer(() => c.close());
  await c.register(name, PASS);
  return { c, home };
}

const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'ok', message: '' }), (e: unknown) => (ComradError.is(e) ? { code: e.code, message: e.message } : { code: String(e), message: '' }));

describe('Comrade votes on channel posts (VOTE-7 … VOTE-10)', () => {
  it('VOTE-7 VOTE-8 VOTE-9 VOTE-10 trusted posts: voted on by id once shown, changed, withdrawn; one vote per comrade; the untrusted cannot vote on what they cannot read', async () => {
    const op = await scope.operator({ tokens: { budget: 16 } });
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    await alice.c.trust('bob');
    await alice.c.trust('carol');
    await bob.c.inbox();
    await carol.c.inbox();
    const { id: before } = await alice.c.circlePost('for bob and carol');
    await alice.c.untrust('carol');
    await bob.c.inbox();
    const { id: after } = await alice.c.circlePost('for bob only');

    // A post id not shown yet (and no world post): NOT_FOUND, saying how to vote on it.
    const unshown = await refusal(bob.c.votePost(after, 'up'));
    expect(unshown.code).toBe('NOT_FOUND');
    expect(unshown.message).toMatch(/show the post first \(comrad feed, or comrad collective feed NAME\)/);

    expect((await bob.c.circleFeed()).posts.map((p) => [p.id, p.up, p.down])).toEqual([
      [after, 0, 0],
      [before, 0, 0],
    ]);
    expect(await bob.c.votePost(after, 'up')).toEqual({ up: 1, down: 0 });
    await alice.c.circleFeed();
    expect(await alice.c.votePost(after, 'down')).toEqual({ up: 1, down: 1 });
    // VOTE-4: the same way twice is DUPLICATE; a change and a withdrawal each cost a token.
    expect((await refusal(bob.c.votePost(after, 'up'))).code).toBe('DUPLICATE');
    expect(await bob.c.votePost(after, 'down')).toEqual({ up: 0, down: 2 });
    expect(await alice.c.votePost(after, 'none')).toEqual({ up: 0, down: 1 });
    expect((await alice.c.circleFeed()).posts.find((p) => p.id === after)).toMatchObject({ up: 0, down: 1 });

    // Carol, untrusted, holds generation 1 only: she votes on what she read, never on what came after.
    expect((await carol.c.circleFeed()).posts.map((p) => p.id)).toEqual([before]);
    expect(await carol.c.votePost(before, 'up')).toEqual({ up: 1, down: 0 });
    expect((await refusal(carol.c.votePost(after, 'up'))).code).toBe('NOT_FOUND');
    // With a key that is not the post's channel's, the Operator finds nothing; the tally is unchanged.
    expect((await refusal(carol.c.voteChannelPost(SymmetricKey.generate(), after, 'up'))).code).toBe('NOT_FOUND');
    expect((await bob.c.circleFeed()).posts.map((p) => [p.id, p.up, p.down])).toEqual([
      [after, 0, 1],
      [before, 1, 0],
    ]);
    // The Operator keeps tags, never a name: no comrade's name is in any vote record.
    const votes = (await op.store.dump()).filter(([k]) => /^(vote|tally)\//.test(k)).map(([k, v]) => `${k}=${String(v)}`);
    expect(votes.length).toBeGreaterThan(0);
    for (const name of ['alice', 'bob', 'carol']) expect(votes.some((l) => l.includes(name))).toBe(false);

    // The home remembers shown posts sealed at rest: neither ids nor owners in the clear.
    const file = await readFile(join(bob.home, 'shown-posts.cell'));
    for (const clear of [after, 'alice']) expect(file.includes(Buffer.from(clear))).toBe(false);
    // A restarted client still knows where the post came from.
    await bob.c.close();
    const again = await Comrade.connect({ home: bob.home, operator: { name: 'test', url: op.url }, passphrase: PASS });
    scope.defer(() => again.close());
    expect(await again.votePost(after, 'none')).toEqual({ up: 0, down: 0 });
  });

  it('VOTE-7 VOTE-10 collective messages: members vote by id once shown, tallies in the collective feed; an outsider cannot', async () => {
    const op = await scope.operator({ tokens: { budget: 8 } });
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    await alice.c.found('portland', { admit: rule(500), amend: rule(500) });
    await alice.c.invite('portland', 'bob');
    await bob.c.request('portland');
    await alice.c.vouch('portland', 'bob');
    const { id } = await alice.c.collectivePost('portland', 'General assembly on Thursday');
    expect((await bob.c.collectiveFeed('portland')).messages.map((m) => [m.id, m.up, m.down])).toEqual([[id, 0, 0]]);
    expect(await bob.c.votePost(id, 'up')).toEqual({ up: 1, down: 0 });
    await alice.c.collectiveFeed('portland');
    expect(await alice.c.votePost(id, 'up')).toEqual({ up: 2, down: 0 });
    expect((await alice.c.collectiveFeed('portland')).messages[0]).toMatchObject({ id, up: 2, down: 0 });
    // Carol holds no key of portland: the id means nothing to her home nor, as a world post, to the Operator.
    expect((await refusal(carol.c.votePost(id, 'up'))).code).toBe('NOT_FOUND');
    expect((await alice.c.collectiveFeed('portland')).messages[0]).toMatchObject({ up: 2, down: 0 });
  });
});
