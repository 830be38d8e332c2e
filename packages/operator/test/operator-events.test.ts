/**
 * An anonymous event's post paid with a token (14-events, EVT-15): `chanPost` takes a `token` instead of
 * proof of work, burns it for that post in that channel, refuses a double spend and a token on a
 * logged-in connection, and stores nothing when it refuses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from '@comrad/core';
import { channelIdOf } from '@comrad/core/envelope';
import { blindTokens } from '@comrad/core/tokens';
import type { TestClient } from '@comrad/test-kit/operator/client';
import { refusedWith, startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';

let t: TestOperator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function obtain(client: TestClient, anon: TestClient, n: number): Promise<Uint8Array[]> {
  const { keys } = await anon.request('tokenKeys', {});
  const blinded = await blindTokens(keys[0]!.key, n);
  const { responses } = await client.request('tokens', { requests: blinded.requests });
  return blinded.finish(responses);
}

describe('chanPost paid with a token (EVT-15)', () => {
  it('EVT-15 TOK-7 TOK-10 a token pays instead of work, once; on a logged-in connection it is refused; a refusal stores nothing', async () => {
    // Work is asked of every post: only a token lets a post in without it.
    t = await startTestOperator({ limits: { sendPowBits: 12 }, tokens: { budget: 3 } });
    const { client } = await t.login('alice');
    const anon = await t.connect();
    const [token] = await obtain(client, anon, 1);
    const cap = randomBytes(32);
    const post = randomBytes(300);
    await refusedWith(anon.request('chanPost', { cap, post, expiresInDays: 1 }), 'POW_REQUIRED');
    // TOK-10: never beside a name.
    await refusedWith(client.request('chanPost', { cap, post, expiresInDays: 1, token: token! }), 'FORBIDDEN');
    const paid = await (await t.connect()).request('chanPost', { cap, post, expiresInDays: 1, token: token! });
    expect(paid.id).toBeTruthy();
    // The same token for another post: spent.
    await refusedWith((await t.connect()).request('chanPost', { cap, post: randomBytes(300), expiresInDays: 1, token: token! }), 'TOKEN_SPENT');
    const feed = await (await t.connect()).request('chanFeed', { chan: channelIdOf(cap) });
    expect(feed.posts.map((p) => p.id)).toEqual([paid.id]);
    // A malformed token is refused before anything is written.
    await refusedWith((await t.connect()).request('chanPost', { cap, post: randomBytes(300), expiresInDays: 1, token: randomBytes(354) }), 'TOKEN_INVALID');
    expect((await (await t.connect()).request('chanFeed', { chan: channelIdOf(cap) })).posts).toHaveLength(1);
  });
});
