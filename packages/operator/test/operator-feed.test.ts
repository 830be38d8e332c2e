/**
 * The world feed (FEED-*) of spec/05-operator.md: epoch keys sealed per reader and at rest, posting
 * rules, pages, expiry and deletion.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SymmetricKey, concatBytes, decryptFrom, randomBytes, sign, toHex } from '@comrad/core';
import { createLetter, encodeLetter, openPost, pad, sealPost } from '@comrad/core/envelope';
import { postRaw } from '@comrad/test-kit/core/envelope';
import { codeOf } from '@comrad/test-kit/core/garbage';
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

async function epochKey(t: TestOperator, c: TestClient, me: Keymaker, epoch?: number): Promise<{ epoch: number; key: SymmetricKey }> {
  const r = await c.request('worldKey', epoch === undefined ? {} : { epoch });
  return { epoch: r.epoch, key: SymmetricKey.from(decryptFrom(me.keys.privateKey, t.keys.world.publicKey, r.sealed)) };
}

async function postAs(t: TestOperator, c: TestClient, me: Keymaker, text: string, days = 1, epoch?: number): Promise<string> {
  const k = await epochKey(t, c, me, epoch);
  const post = sealPost(createLetter({ kind: 'post', from: me.name, body: { text }, at: Math.floor(t.clock.now() / 1000) }), me.keys, k.key, k.epoch);
  return (await c.request('post', { post, expiresInDays: days })).id;
}

describe('FEED-* the world feed', () => {
  it('FEED-1 FEED-2 one key per epoch for every reader, sealed to each, and a new key the next day', async () => {
    t = await startTestOperator();
    const { client: a, me: alice } = await t.login('alice');
    const { client: b, me: bob } = await t.login('bob');
    const ka = await epochKey(t, a, alice);
    const kb = await epochKey(t, b, bob);
    expect(ka.epoch).toBe(epochOf(t.clock.now()));
    expect(toHex(ka.key.bytes())).toBe(toHex(kb.key.bytes()));
    // Sealed to alice: bob's private key does not open alice's copy.
    const sealedForAlice = (await a.request('worldKey', {})).sealed;
    expect(() => decryptFrom(bob.keys.privateKey, t!.keys.world.publicKey, sealedForAlice)).toThrow();
    t.clock.advance(DAY);
    const next = await epochKey(t, a, alice);
    expect(next.epoch).toBe(ka.epoch + 1);
    expect(toHex(next.key.bytes())).not.toBe(toHex(ka.key.bytes()));
    // The earlier epoch's key is still the same.
    expect(toHex((await epochKey(t, b, bob, ka.epoch)).key.bytes())).toBe(toHex(ka.key.bytes()));
  });

  it('FEED-1 epoch keys are stored sealed: a store dump does not contain them', async () => {
    t = await startTestOperator();
    const { client: a, me: alice } = await t.login('alice');
    const { key } = await epochKey(t, a, alice);
    const probe = Buffer.from(key.bytes());
    const dump = await t.store.dump();
    expect(dump.some(([k]) => k.includes('world'))).toBe(true);
    expect(dump.some(([, v]) => Buffer.from(v).includes(probe))).toBe(false);
  });

  it('FEED-2 worldKey serves epochs back to maxPostDays + 1 and up to tomorrow', async () => {
    t = await startTestOperator({ limits: { maxPostDays: 3 } });
    const { client: a } = await t.login('alice');
    const now = epochOf(t.clock.now());
    for (const e of [now - 4, now - 1, now + 1]) expect((await a.request('worldKey', { epoch: e })).epoch).toBe(e);
    await refusedWith(a.request('worldKey', { epoch: now - 5 }), 'EXPIRED');
    await refusedWith(a.request('worldKey', { epoch: now + 2 }), 'NOT_FOUND');
  });

  it('FEED-3 a post must be a sealed post of the current or previous epoch', async () => {
    t = await startTestOperator();
    const { client: a, me: alice } = await t.login('alice');
    const now = epochOf(t.clock.now());
    expect(await postAs(t, a, alice, 'yesterday', 1, now - 1)).toBeTruthy();
    await refusedWith(postAs(t, a, alice, 'too old', 1, now - 2), 'EXPIRED');
    await refusedWith(postAs(t, a, alice, 'tomorrow', 1, now + 1), 'MALFORMED');
    await refusedWith(a.request('post', { post: Uint8Array.of(9, 9, 9, 9, 9, 9, 9), expiresInDays: 1 }), 'UNSUPPORTED_VERSION');
    await refusedWith(a.request('post', { post: Uint8Array.of(1, 0), expiresInDays: 1 }), 'TRUNCATED');
  });

  it('FEED-4 expiresInDays is at most maxPostDays; expired posts leave the feed and the store', async () => {
    t = await startTestOperator({ limits: { maxPostDays: 2 } });
    const { client: a, me: alice } = await t.login('alice');
    await refusedWith(postAs(t, a, alice, 'long', 3), 'MALFORMED');
    await postAs(t, a, alice, 'one day', 1);
    await postAs(t, a, alice, 'two days', 2);
    t.clock.advance(DAY);
    expect((await a.request('feed', {})).posts).toHaveLength(1);
    t.clock.advance(DAY);
    expect((await a.request('feed', {})).posts).toHaveLength(0);
    expect(await t.op.sweep()).toEqual({ mail: 0, posts: 2 });
  });

  it('FEED-5 at most postsPerHour posts per author per hour → RATE_LIMITED; other authors unaffected', async () => {
    t = await startTestOperator({ limits: { postsPerHour: 2 } });
    const { client: a, me: alice } = await t.login('alice');
    const { client: b, me: bob } = await t.login('bob');
    await postAs(t, a, alice, '1');
    await postAs(t, a, alice, '2');
    await refusedWith(postAs(t, a, alice, '3'), 'RATE_LIMITED');
    expect(await postAs(t, b, bob, 'mine')).toBeTruthy();
    t.clock.advance(3_600_001);
    expect(await postAs(t, a, alice, '3')).toBeTruthy();
  });

  it('FEED-6 pages newest first with next, bounded by feedItems', async () => {
    t = await startTestOperator({ limits: { feedItems: 2 } });
    const { client: a, me: alice } = await t.login('alice');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await postAs(t, a, alice, `post ${i}`));
      t.clock.advance(1000);
    }
    const seen: string[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = await a.request('feed', { limit: 50, ...(before ? { before } : {}) });
      seen.push(...page.posts.map((p) => p.id));
      before = page.next;
      pages++;
    } while (before);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);
  });

  it('FEED-8 delete: only the author; "not yours" and "no such post" are the same answer', async () => {
    t = await startTestOperator();
    const { client: a, me: alice } = await t.login('alice');
    const { client: b } = await t.login('bob');
    const id = await postAs(t, a, alice, 'mine');
    const notYours = await b.requestFrame('delete', { postId: id });
    const noSuch = await b.requestFrame('delete', { postId: 'zzzzzzzzzzzzzzzzzzzzzzzzzz' });
    const strip = (f: typeof notYours) => (f.type === 'err' ? [f.code, f.message] : f);
    expect(strip(notYours)).toEqual(['NOT_FOUND', 'no such post']);
    expect(strip(noSuch)).toEqual(strip(notYours));
    expect((await b.request('feed', {})).posts.map((p) => p.id)).toEqual([id]);
    expect(await a.request('delete', { postId: id })).toEqual({});
  });
  it('POST-4 the Operator reads a post only to its epoch: it stores and serves bytes it cannot open, and a post it makes under the epoch key does not pass as the author', async () => {
    t = await startTestOperator();
    const { client: a, me: alice } = await t.login('alice');
    const { client: b } = await t.login('bob');
    const { epoch, key } = await epochKey(t, a, alice);
    // Steps (1)–(3) only: the version byte and the epoch, then 300 random bytes that are no cell at all.
    const header = Uint8Array.of(1, epoch >>> 24, (epoch >>> 16) & 0xff, (epoch >>> 8) & 0xff, epoch & 0xff);
    const opaque = concatBytes(header, randomBytes(300));
    await a.request('post', { post: opaque, expiresInDays: 1 });
    const [served] = (await b.request('feed', {})).posts;
    expect(served?.author).toBe('alice');
    expect(toHex(served!.post)).toBe(toHex(opaque));
    const byAlice = { name: 'alice', key: alice.publicKey };
    // Readers open it (steps 4–10) and refuse it; the Operator never did.
    expect(await codeOf(() => openPost(served!.post, () => key, byAlice))).toBe('DECRYPT_FAILED');
    // The Operator holds the epoch key and can make a cell that opens, but not alice's signature inside it.
    const letter = createLetter({ kind: 'post', from: 'alice', body: { text: 'forged by the Operator' } });
    const forged = postRaw(pad(sign(t.keys.world.privateKey, encodeLetter(letter))), key, epoch);
    expect(await codeOf(() => openPost(forged, () => key, byAlice))).toBe('WRONG_AUTHOR');
    // And a genuine post of alice's, filed under her name, opens for bob.
    await postAs(t, a, alice, 'genuine');
    const genuine = (await b.request('feed', {})).posts.find((p) => toHex(p.post) !== toHex(opaque))!;
    expect((await openPost(genuine.post, () => key, byAlice)).letter.body.text).toBe('genuine');
  });
});
