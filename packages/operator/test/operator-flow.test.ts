/**
 * The main flow of spec/05-operator.md over a real WebSocket, on every store backend: info, register,
 * lookup, auth, send without login, push, fetch/ack, world key → post → feed → delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SymmetricKey, decryptFrom, type PublicKey } from '@comrad/core';
import { createLetter, openPost, openSealedLetter, sealLetter, sealPost, signStatement, textBodyOf } from '@comrad/core/envelope';
import { verifyLookup } from '@comrad/core/wire';
import type { Keymaker } from '@comrad/core/keymaker';
import { openTestStore, refusedWith, startTestOperator, type StoreKind, type TestOperator } from '@comrad/test-kit/operator/fixtures';
import { useRedisServer } from '@comrad/test-kit/operator/redis';

const kinds: StoreKind[] = ['memory', 'lmdb', 'redis'];
const redis = useRedisServer();

describe.each(kinds)('Operator main flow on the %s store', (kind) => {
  let t: TestOperator;
  let cleanup: () => Promise<void>;
  let alice: Keymaker;
  let bob: Keymaker;
  const registry = new Map<string, PublicKey>();

  beforeAll(async () => {
    const opened = await openTestStore(kind, () => redis.url);
    cleanup = opened.cleanup;
    t = await startTestOperator({ store: opened.store });
  });
  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  it('OP-2 info announces the Operator key, the world key, limits and proof-of-work bits', async () => {
    const c = await t.connect();
    expect(c.hello.operatorKey.equals(t.keys.operator.publicKey)).toBe(true);
    const info = await c.request('info', {});
    expect(info.v).toBe(1);
    expect(info.operatorKey.equals(t.keys.operator.publicKey)).toBe(true);
    expect(info.worldKey.equals(t.keys.world.publicKey)).toBe(true);
    expect(info.limits.mailTtlMs).toBe(30 * 86_400_000);
    expect(info.pow).toEqual({ register: 0, send: 0 });
  });

  it('REG-1 REG-4 register answers a signed statement; lookup by name and by key verifies against the pinned key', async () => {
    alice = await t.register('alice');
    bob = await t.register('bob');
    registry.set('alice', alice.publicKey).set('bob', bob.publicKey);
    const c = await t.connect();
    const byName = verifyLookup((await c.request('lookup', { name: 'bob' })).statement, c.hello.operatorKey, 'bob');
    expect(byName.key.equals(bob.publicKey)).toBe(true);
    expect(byName.at).toBe(t.clock.now());
    const byKey = verifyLookup((await c.request('lookup', { key: alice.publicKey })).statement, c.hello.operatorKey, { key: alice.publicKey });
    expect(byKey.name).toBe('alice');
    await refusedWith(c.request('lookup', { name: 'nobody' }), 'NOT_FOUND');
    // REG-7: the world account answers with the world key, signed like any other.
    expect(verifyLookup((await c.request('lookup', { name: 'comrades' })).statement, c.hello.operatorKey, 'comrades').key.equals(t.keys.world.publicKey)).toBe(true);
  });

  it('MB-1 MB-6 MB-2 MB-3 a letter sent without login reaches the logged-in recipient: push, fetch, ack', async () => {
    const bobConn = await t.connect();
    await bobConn.auth(bob, t.clock.now());
    const sender = await t.connect();
    const sealed = sealLetter(createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'meet at noon' } }), alice.keys, bob.publicKey, signStatement(t.keys.operator.privateKey, 'alice', alice.publicKey, t.clock.now()));
    expect(await sender.request('send', { to: 'bob', letter: sealed })).toEqual({});
    await bobConn.nextMailPush();
    const { items } = await bobConn.request('fetch', {});
    expect(items).toHaveLength(1);
    expect(items[0]!.receivedAt).toBe(t.clock.now());
    const opened = await openSealedLetter(items[0]!.letter, { name: 'bob', keys: bob.keys }, t.keys.operator.publicKey);
    expect(opened.letter.kind === 'dm' && opened.letter.body.text).toBe('meet at noon');
    expect(opened.letter.from).toBe('alice');
    // MB-2: fetching again without ack delivers the same letter again.
    expect((await bobConn.request('fetch', {})).items.map((i) => i.id)).toEqual([items[0]!.id]);
    expect(await bobConn.request('ack', { ids: [items[0]!.id, items[0]!.id] })).toEqual({ deleted: 1 });
    expect((await bobConn.request('fetch', {})).items).toEqual([]);
    await refusedWith(sender.request('send', { to: 'nobody', letter: sealed }), 'NOT_FOUND');
  });

  it('FEED-2 FEED-3 FEED-6 FEED-7 FEED-8 world key → post → feed → delete', async () => {
    const { client: aliceConn } = { client: await t.connect() };
    await aliceConn.auth(alice, t.clock.now());
    const bobConn = await t.connect();
    await bobConn.auth(bob, t.clock.now());
    const wk = await aliceConn.request('worldKey', {});
    const epochKey = SymmetricKey.from(decryptFrom(alice.keys.privateKey, t.keys.world.publicKey, wk.sealed));
    const post = sealPost(createLetter({ kind: 'post', from: 'alice', body: { text: 'hello world' } }), alice.keys, epochKey, wk.epoch);
    const posted = await aliceConn.request('post', { post, expiresInDays: 7 });
    expect(posted.expiresAt).toBe(t.clock.now() + 7 * 86_400_000);

    const page = await bobConn.request('feed', {});
    expect(page.posts.map((p) => p.id)).toEqual([posted.id]);
    const item = page.posts[0]!;
    expect(item).toMatchObject({ author: 'alice', epoch: wk.epoch, postedAt: t.clock.now() });
    // Bob gets the same epoch key, sealed to him.
    const bobWk = await bobConn.request('worldKey', { epoch: wk.epoch });
    const bobKey = SymmetricKey.from(decryptFrom(bob.keys.privateKey, t.keys.world.publicKey, bobWk.sealed));
    const opened = await openPost(item.post, () => bobKey, { name: item.author, key: registry.get(item.author)! });
    expect(opened.letter.body.text).toBe('hello world');
    expect(opened.letter.from).toBe(item.author);

    await refusedWith(bobConn.request('delete', { postId: posted.id }), 'NOT_FOUND');
    expect(await aliceConn.request('delete', { postId: posted.id })).toEqual({});
    await refusedWith(aliceConn.request('delete', { postId: posted.id }), 'NOT_FOUND');
    expect((await bobConn.request('feed', {})).posts).toEqual([]);
  });
});
