/**
 * The Operator's counted rules under concurrent requests, through the real server on every store: the
 * hourly post limit (FEED-5), the mailbox quota (MB-4), registration (REG-2) and the store's byte budget
 * (STORE-2) each admit exactly what they allow however many requests race; the same letter sent twice is
 * held once (MB-11), and the same post too (FEED-9).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SymmetricKey, decryptFrom } from '@comrad/core';
import { createLetter, sealPost } from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';
import { makeRegisterProof } from '@comrad/core/wire';
import type { ServerLimits } from '../src/limits.js';
import { useRedisServer } from '@comrad/test-kit/operator/redis';
import { openTestStore, refusedWith, startTestOperator, type StoreKind, type TestOperator } from '@comrad/test-kit/operator/fixtures';

const redis = useRedisServer();
let t: TestOperator | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await t?.close();
  await cleanup?.();
  t = cleanup = undefined;
});

async function start(kind: StoreKind, limits: Partial<ServerLimits>): Promise<TestOperator> {
  const opened = await openTestStore(kind, () => redis.url);
  cleanup = opened.cleanup;
  // Proof of work off: these tests are about counting, and solving it would only slow them down.
  t = await startTestOperator({ store: opened.store, limits: { registerPowBits: 0, sendPowBits: 0, ...limits } });
  return t;
}

/** What each of a batch of requests answered: 'ok' or its error code. */
async function outcomes(requests: Array<Promise<unknown>>): Promise<string[]> {
  return Promise.all(requests.map((p) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e))));
}

const count = (answers: string[], what: string) => answers.filter((a) => a === what).length;

for (const kind of ['memory', 'lmdb', 'redis'] as const) {
  describe(`counted rules under concurrent requests (${kind} store)`, () => {
    it('FEED-5 64 concurrent posts by one author on 4 connections: exactly postsPerHour (20) are accepted', async () => {
      const op = await start(kind, { postsPerHour: 20, requestsPerSecond: 100 });
      const me = await op.register('alice');
      const conns = await Promise.all(Array.from({ length: 4 }, () => op.connect()));
      for (const c of conns) await c.auth(me, op.clock.now());
      const r = await conns[0]!.request('worldKey', {});
      const key = SymmetricKey.from(decryptFrom(me.keys.privateKey, op.keys.world.publicKey, r.sealed));
      const at = Math.floor(op.clock.now() / 1000);
      const posts = Array.from({ length: 64 }, (_, i) => sealPost(createLetter({ kind: 'post', from: me.name, body: { text: `post ${i}` }, at }), me.keys, key, r.epoch));
      const answers = await outcomes(posts.map((post, i) => conns[i % 4]!.request('post', { post, expiresInDays: 1 })));
      expect(count(answers, 'ok')).toBe(20);
      expect(count(answers, 'RATE_LIMITED')).toBe(44);
      expect((await conns[0]!.request('feed', { limit: 50 })).posts).toHaveLength(20);
    });

    it('MB-4 40 concurrent sends to one mailbox on 4 connections: exactly mailboxItems (10) are stored', async () => {
      const op = await start(kind, { mailboxItems: 10 });
      await op.register('bob');
      const conns = await Promise.all(Array.from({ length: 4 }, () => op.connect()));
      const answers = await outcomes(Array.from({ length: 40 }, (_, i) => conns[i % 4]!.request('send', { to: 'bob', letter: new Uint8Array(randomBytes(64)) })));
      expect(count(answers, 'ok')).toBe(10);
      expect(count(answers, 'QUOTA_EXCEEDED')).toBe(30);
      expect(await op.store.listMail('bob', op.clock.now(), 100)).toHaveLength(10);
    });

    it('REG-2 16 concurrent registrations of one name with different keys: exactly one wins', async () => {
      const op = await start(kind, {});
      const conns = await Promise.all(Array.from({ length: 4 }, () => op.connect()));
      const makers = Array.from({ length: 16 }, () => Keymaker.generate('carol'));
      const answers = await outcomes(
        makers.map((me, i) =>
          conns[i % 4]!.request('register', { name: 'carol', key: me.publicKey, proof: makeRegisterProof(me.keys.privateKey, 'carol', me.publicKey, op.keys.operator.publicKey) }),
        ),
      );
      expect(count(answers, 'ok')).toBe(1);
      expect(count(answers, 'NAME_TAKEN')).toBe(15);
      const winner = makers[answers.indexOf('ok')]!;
      expect(await op.store.keyOf('carol')).toEqual(winner.publicKey.bytes());
    });

    it('STORE-2 concurrent sends to many mailboxes past storageBytes: exactly what fits is stored, the rest is STORAGE_FULL', async () => {
      const op = await start(kind, { storageBytes: 10 * 100 });
      const names = ['dana', 'erin', 'finn', 'gwen'];
      const dana = await op.register('dana');
      for (const name of names.slice(1)) await op.register(name);
      const conns = await Promise.all(Array.from({ length: 4 }, () => op.connect()));
      const answers = await outcomes(Array.from({ length: 32 }, (_, i) => conns[i % 4]!.request('send', { to: names[i % 4]!, letter: new Uint8Array(randomBytes(100)) })));
      expect(count(answers, 'ok')).toBe(10);
      expect(count(answers, 'STORAGE_FULL')).toBe(22);
      expect(await op.store.storedBytes()).toBe(1000);
      // An acknowledgement makes room again.
      const inbox = await op.connect();
      await inbox.auth(dana, op.clock.now());
      const items = (await inbox.request('fetch', {})).items;
      expect(items.length).toBeGreaterThan(0);
      await inbox.request('ack', { ids: items.map((i) => i.id) });
      await refusedWith(conns[0]!.request('send', { to: 'erin', letter: new Uint8Array(randomBytes(101 * items.length)) }), 'STORAGE_FULL');
      await conns[0]!.request('send', { to: 'erin', letter: new Uint8Array(randomBytes(100 * items.length)) });
    });

    it('FEED-9 the same post sent again (a retry after a lost answer) answers the first id and expiry, and is one post', async () => {
      const op = await start(kind, { postsPerHour: 1 });
      const { client, me } = await op.login('ines');
      const r = await client.request('worldKey', {});
      const key = SymmetricKey.from(decryptFrom(me.keys.privateKey, op.keys.world.publicKey, r.sealed));
      const post = sealPost(createLetter({ kind: 'post', from: me.name, body: { text: 'once' }, at: Math.floor(op.clock.now() / 1000) }), me.keys, key, r.epoch);
      const first = await client.request('post', { post, expiresInDays: 2 });
      op.clock.advance(60_000);
      expect(await client.request('post', { post, expiresInDays: 2 })).toEqual(first); // within the limit of 1: not counted
      expect((await client.request('feed', {})).posts.map((p) => p.id)).toEqual([first.id]);
    });

    it('MB-11 64 copies of one letter sent at once on 4 connections: every send succeeds, one letter is held', async () => {
      const op = await start(kind, {});
      await op.register('hana');
      const conns = await Promise.all(Array.from({ length: 4 }, () => op.connect()));
      const c = conns[0]!;
      const letter = new Uint8Array(randomBytes(200));
      const answers = await outcomes(Array.from({ length: 64 }, (_, i) => conns[i % 4]!.request('send', { to: 'hana', letter: letter.slice() })));
      expect(count(answers, 'ok')).toBe(64);
      await refusedWith(c.request('send', { to: 'nobody', letter }), 'NOT_FOUND');
      const held = await op.store.listMail('hana', op.clock.now(), 10);
      expect(held).toHaveLength(1);
      expect(held[0]!.sealed).toEqual(letter);
    });
  });
}
