/**
 * Anonymous votes end to end, as people would run them (16-votes, 15-tokens, CLI-*): a `comrad-op` process
 * on LMDB with a budget of 4 tokens a day, and three `comrad` homes. Alice posts; Bob obtains his tokens
 * ahead and votes up, Carol votes down (her first vote obtains her tokens); the feed shows the tally; the
 * same vote again is DUPLICATE and costs nothing; a change and a withdrawal each cost a token; a vote on no
 * post is NOT_FOUND; a bad choice is refused before anything is sent. Every command of the README's
 * "Anonymous votes" section runs here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '@comrad/test-kit/client-node/processes';
import { readmeSection, startCast, type Cast, type Run } from '@comrad/test-kit/client-node/cast';

let cast: Cast;
const person = (name: string): Run => (...args) => cast.as(name)(...args);
const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(person) as [Run, Run, Run];
const json = async (run: Run, ...args: string[]) => JSON.parse(ok(await run('--json', ...args))) as Record<string, unknown>;

beforeAll(async () => {
  cast = await startCast('comrad-votes-', ['alice', 'bob', 'carol'], ['--token-budget', '4']);
}, 120_000);

afterAll(async () => {
  await cast?.stop();
});

describe('comrad vote (processes, LMDB)', { timeout: 120_000 }, () => {
  it("VOTE-5 the README's Anonymous votes section shows the commands this file runs", async () => {
    const section = await readmeSection('Anonymous votes');
    for (const command of [
      'comrad --home ./alice post "Rent strike from Monday?"',
      'comrad --home ./bob tokens',
      'comrad --home ./bob vote <the post id> up',
      'comrad --home ./carol vote <the post id> down',
      'comrad --home ./bob feed',
      '[DUPLICATE]',
      'comrad --home ./bob vote <the post id> down',
      'comrad --home ./bob vote <the post id> none',
      'comrad --home ./bob --json feed',
      '[NOT_FOUND]',
      '[QUOTA_EXCEEDED]',
    ]) {
      expect(section).toContain(command);
    }
  });

  it('TOK-3 TOK-12 VOTE-2 VOTE-4 VOTE-5 votes, a tally in the feed, a duplicate, a change, a withdrawal', async () => {
    const posted = (await json(alice, 'post', 'Rent strike from Monday?')) as { id: string };
    expect(ok(await bob('tokens'))).toMatch(/^4 unspent tokens \(4 obtained now\)/m);
    expect(ok(await bob('tokens'))).toMatch(/^4 unspent tokens \(today's budget is taken\)/m);
    expect(ok(await bob('vote', posted.id, 'up'))).toMatch(new RegExp(`^Voted up on post ${posted.id} \\(anonymously, one token\\): now ▲ 1 ▼ 0$`, 'm'));
    // Carol never ran `tokens`: her first vote obtains them.
    expect(await json(carol, 'vote', posted.id, 'down')).toEqual({ post: posted.id, choice: 'down', up: 1, down: 1 });
    const feed = ok(await bob('feed'));
    expect(feed).toMatch(new RegExp(`^@alice · .* UTC ▲ 1 ▼ 1 post ${posted.id}$`, 'm'));
    // The same vote again: DUPLICATE; the Operator burns nothing, but the client never shows that token again.
    const again = await bob('vote', posted.id, 'up');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('[DUPLICATE]');
    expect(ok(await bob('--json', 'tokens'))).toContain('"held":2');
    expect(await json(bob, 'vote', posted.id, 'down')).toEqual({ post: posted.id, choice: 'down', up: 0, down: 2 });
    expect(ok(await bob('vote', posted.id, 'none'))).toMatch(/^Withdrew your vote on post .* now ▲ 0 ▼ 1$/m);
    const page = (await json(bob, 'feed')) as { posts: Array<{ id: string; up: number; down: number }> };
    expect(page.posts.find((p) => p.id === posted.id)).toMatchObject({ up: 0, down: 1 });
  });

  it('VOTE-2 TOK-9 a vote on no post is NOT_FOUND; a bad choice is refused before anything is sent; the budget runs out', async () => {
    // Carol holds 3 tokens (her budget of 4, one spent on her vote).
    const missing = await carol('vote', '00zzzzzzzz00000000000000aa', 'up');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('[NOT_FOUND]');
    const bad = await carol('vote', '00zzzzzzzz00000000000000aa', 'sideways');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('[BAD_ARGUMENT]');
    expect(ok(await carol('--json', 'tokens'))).toContain('"held":2');
    // Bob's four went on up, the duplicate, down and none, and today's budget is taken.
    const posted = (await json(alice, 'post', 'Second question')) as { id: string };
    const empty = await bob('vote', posted.id, 'down');
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain('[QUOTA_EXCEEDED]');
  });
});
