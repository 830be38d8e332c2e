/**
 * Channel posts on the wire (CHAN-1, CHAN-6 … CHAN-9, spec/13-circles.md): `chanPost` files a sealed post
 * under the hash of the capability it shows, only on a connection that is not logged in, within the
 * channel's and the store's bounds, with the proof of work a letter costs; `chanFeed` pages a channel
 * newest first; expiry deletes; every refusal is typed and stores nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SymmetricKey, randomBytes, toHex } from '@comrad/core';
import { channelIdOf, createLetter, deriveChannel, openChannelPost, sealChannelPost, signStatement } from '@comrad/core/envelope';
import { MAX_SEALED_BYTES, chanPowInput, checkPow, encodeRequest, solvePow } from '@comrad/core/wire';
import { DEFAULT_LIMITS } from '@comrad/operator';
import { ManualClock, refusedWith, startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';

let t: TestOperator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const DAY = 86_400_000;

describe('CHAN-6 CHAN-7 CHAN-8 channel posts on the wire', () => {
  it('CHAN-1 CHAN-8 a post is filed under the hash of its capability and read back newest first, in pages; a real sealed post opens', async () => {
    t = await startTestOperator({ limits: { feedItems: 2 } });
    const alice = await t.register('alice');
    const key = SymmetricKey.generate();
    const { cap, id } = deriveChannel(key);
    expect([...channelIdOf(cap)]).toEqual([...id]);
    const statement = signStatement(t.keys.operator.privateKey, 'alice', alice.publicKey, t.clock.now());
    const c = await t.connect();
    const sealed = [1, 2, 3].map((n) => sealChannelPost(createLetter({ kind: 'post', from: 'alice', body: { text: `post ${n}` } }), alice.keys, statement, key));
    const ids: string[] = [];
    for (const post of sealed) {
      const put = await c.request('chanPost', { cap, post, expiresInDays: 3 });
      expect(put.expiresAt).toBe(t.clock.now() + 3 * DAY);
      ids.push(put.id);
      t.clock.advance(1000);
    }
    const first = await c.request('chanFeed', { chan: id });
    expect(first.posts.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    expect(first.next).toBe(ids[1]);
    const rest = await c.request('chanFeed', { chan: id, before: first.next! });
    expect(rest).toEqual({ posts: [expect.objectContaining({ id: ids[0] })] });
    const opened = await openChannelPost(first.posts[0]!.post, key, t.keys.operator.publicKey);
    expect(opened.letter).toMatchObject({ from: 'alice', body: { text: 'post 3' } });
    // Another channel, and the id shown as if it were a capability, hold nothing.
    expect(await c.request('chanFeed', { chan: randomBytes(32) })).toEqual({ posts: [] });
    expect(await c.request('chanFeed', { chan: channelIdOf(id) })).toEqual({ posts: [] });
  });

  it('CHAN-6 posting and reading on a logged-in connection are FORBIDDEN; nothing stored', async () => {
    t = await startTestOperator();
    const { client } = await t.login('alice');
    const { cap, id } = deriveChannel(SymmetricKey.generate());
    await refusedWith(client.request('chanPost', { cap, post: randomBytes(300), expiresInDays: 1 }), 'FORBIDDEN');
    await refusedWith(client.request('chanFeed', { chan: id }), 'FORBIDDEN');
    expect(await t.store.listChanPosts(toHex(id), t.clock.now(), 10)).toEqual([]);
  });

  it('CHAN-7 the same bytes again are one post (a retry); a full channel QUOTA_EXCEEDED, a busy one RATE_LIMITED, a full store STORAGE_FULL', async () => {
    t = await startTestOperator({ limits: { chanPosts: 3, chanPostsPerHour: 2, storageBytes: 5000 } });
    const { cap, id } = deriveChannel(SymmetricKey.generate());
    const c = await t.connect();
    const a = randomBytes(500);
    const first = await c.request('chanPost', { cap, post: a, expiresInDays: 2 });
    t.clock.advance(5000);
    expect(await c.request('chanPost', { cap, post: a, expiresInDays: 2 })).toEqual(first);
    await c.request('chanPost', { cap, post: randomBytes(500), expiresInDays: 2 });
    await refusedWith(c.request('chanPost', { cap, post: randomBytes(500), expiresInDays: 2 }), 'RATE_LIMITED');
    t.clock.advance(3_600_001);
    await refusedWith(c.request('chanPost', { cap, post: randomBytes(4500), expiresInDays: 2 }), 'STORAGE_FULL');
    await c.request('chanPost', { cap, post: randomBytes(500), expiresInDays: 2 });
    await refusedWith(c.request('chanPost', { cap, post: randomBytes(500), expiresInDays: 2 }), 'QUOTA_EXCEEDED');
    expect((await c.request('chanFeed', { chan: id })).posts).toHaveLength(3);
    expect(await t.store.storedBytes()).toBe(1500);
  });

  it('CHAN-7 a post over the size bound is TOO_LARGE, a lifetime over maxPostDays MALFORMED, a capability of 31 bytes MALFORMED, a channel id of 33 TOO_LARGE; nothing stored', async () => {
    t = await startTestOperator({ limits: { maxPostDays: 5 } });
    const { cap } = deriveChannel(SymmetricKey.generate());
    const c = await t.connect();
    c.sendRaw(encodeRequest(9, 'chanPost', { cap, post: randomBytes(MAX_SEALED_BYTES + 1), expiresInDays: 1 }));
    expect(await c.nextLoose()).toMatchObject({ type: 'err', code: 'TOO_LARGE' });
    await refusedWith(c.request('chanPost', { cap, post: randomBytes(100), expiresInDays: 6 }), 'MALFORMED');
    c.sendRaw(encodeRequest(10, 'chanPost', { cap: randomBytes(31), post: randomBytes(100), expiresInDays: 1 }));
    expect(await c.nextLoose()).toMatchObject({ type: 'err', code: 'MALFORMED' });
    c.sendRaw(encodeRequest(11, 'chanFeed', { chan: randomBytes(33) }));
    expect(await c.nextLoose()).toMatchObject({ type: 'err', code: 'TOO_LARGE' });
    expect(await t.store.storedBytes()).toBe(0);
  });

  it('CHAN-7 expired posts are never handed out and the sweep deletes them', async () => {
    const clock = new ManualClock();
    t = await startTestOperator({ clock });
    const { cap, id } = deriveChannel(SymmetricKey.generate());
    const c = await t.connect();
    await c.request('chanPost', { cap, post: randomBytes(100), expiresInDays: 1 });
    await c.request('chanPost', { cap, post: randomBytes(100), expiresInDays: 2 });
    clock.advance(DAY);
    expect((await c.request('chanFeed', { chan: id })).posts).toHaveLength(1);
    await t.op.sweep();
    expect(await t.store.storedBytes()).toBe(100);
  });

  it('CHAN-7 POW-2 with send work asked, a post needs a proof bound to this connection, this capability and these bytes', async () => {
    t = await startTestOperator({ limits: { sendPowBits: 8 } });
    const { cap, id } = deriveChannel(SymmetricKey.generate());
    const post = randomBytes(200);
    const c = await t.connect();
    await refusedWith(c.request('chanPost', { cap, post, expiresInDays: 1 }), 'POW_REQUIRED');
    const d = await t.connect();
    // Work for other bytes does not pay for these. (At 8 bits, a nonce solved for other bytes fits these
    // by luck 1 time in 256, and the Operator then rightly accepts the post: of a few such nonces, the
    // first that does not fit is the test.)
    const other = Array.from({ length: 4 }, () => solvePow((n) => chanPowInput(d.hello.challenge, cap, randomBytes(200), n), 8)).find(
      (nonce) => !checkPow(chanPowInput(d.hello.challenge, cap, post, nonce), 8),
    );
    // All four fitting is 1 in 2^32; a checkPow that fits everything would leave no nonce, and no proof
    // sent would prove nothing.
    expect(other).toBeDefined();
    await refusedWith(d.request('chanPost', { cap, post, expiresInDays: 1, pow: other }), 'POW_REQUIRED');
    const e = await t.connect();
    const pow = solvePow((n) => chanPowInput(e.hello.challenge, cap, post, n), 8);
    expect(await e.request('chanPost', { cap, post, expiresInDays: 1, pow })).toMatchObject({ id: expect.any(String) });
    expect((await e.request('chanFeed', { chan: id })).posts).toHaveLength(1);
  });

  it('CHAN-10 the channel bounds are finite by default and not announced in info', async () => {
    expect([DEFAULT_LIMITS.chanPosts, DEFAULT_LIMITS.chanPostsPerHour]).toEqual([2000, 120]);
    t = await startTestOperator();
    const c = await t.connect();
    expect(Object.keys((await c.request('info', {})).limits)).not.toContain('chanPosts');
  });
});
