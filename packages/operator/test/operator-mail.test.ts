/**
 * Mailboxes (MB-*) of spec/05-operator.md: send without login, fetch/ack, expiry, quota, proof of
 * work, the reserved token, and "you have mail" pushes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from '@comrad/core';
import { checkPow, sendPowInput, solvePow } from '@comrad/core/wire';
import { refusedWith, startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';

let t: TestOperator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const letter = (n = 100) => randomBytes(n);

describe('MB-* mailboxes', () => {
  it('MB-2 fetch returns the oldest first, at most limit, and deletes nothing; MB-3 ack deletes exactly the listed ids', async () => {
    t = await startTestOperator({ limits: { fetchItems: 3 } });
    const { client: bob } = await t.login('bob');
    const sender = await t.connect();
    const sent = [letter(), letter(), letter(), letter()];
    for (const l of sent) {
      await sender.request('send', { to: 'bob', letter: l });
      t.clock.advance(1);
    }
    const first = await bob.request('fetch', { limit: 2 });
    expect(first.items.map((i) => [...i.letter])).toEqual(sent.slice(0, 2).map((l) => [...l]));
    // The Operator's fetchItems caps a larger limit.
    expect((await bob.request('fetch', { limit: 100 })).items).toHaveLength(3);
    expect((await bob.request('fetch', {})).items).toHaveLength(3);
    expect(await bob.request('ack', { ids: [first.items[1]!.id, 'nonexistent'] })).toEqual({ deleted: 1 });
    const rest = await bob.request('fetch', {});
    expect(rest.items.map((i) => [...i.letter])).toEqual([sent[0], sent[2], sent[3]].map((l) => [...l!]));
  });

  it("MB-3 ack touches only the caller's own mailbox", async () => {
    t = await startTestOperator();
    const { client: bob } = await t.login('bob');
    const { client: carol } = await t.login('carol');
    const sender = await t.connect();
    await sender.request('send', { to: 'bob', letter: letter() });
    const [item] = (await bob.request('fetch', {})).items;
    expect(await carol.request('ack', { ids: [item!.id] })).toEqual({ deleted: 0 });
    expect((await bob.request('fetch', {})).items).toHaveLength(1);
  });

  it('MB-3 more ids than ackIds → TOO_LARGE, and the connection stays up', async () => {
    t = await startTestOperator({ limits: { ackIds: 2 } });
    const { client: bob } = await t.login('bob');
    await refusedWith(bob.request('ack', { ids: ['a', 'b', 'c'] }), 'TOO_LARGE');
    expect(await bob.request('ack', { ids: ['a', 'b'] })).toEqual({ deleted: 0 });
  });

  it('MB-4 a full mailbox → QUOTA_EXCEEDED (items and bytes); ack makes room', async () => {
    t = await startTestOperator({ limits: { mailboxItems: 2, mailboxBytes: 1000 } });
    const { client: bob } = await t.login('bob');
    const sender = await t.connect();
    await sender.request('send', { to: 'bob', letter: letter(400) });
    await sender.request('send', { to: 'bob', letter: letter(400) });
    await refusedWith(sender.request('send', { to: 'bob', letter: letter(10) }), 'QUOTA_EXCEEDED');
    const [a] = (await bob.request('fetch', {})).items;
    await bob.request('ack', { ids: [a!.id] });
    await refusedWith(sender.request('send', { to: 'bob', letter: letter(700) }), 'QUOTA_EXCEEDED');
    expect(await sender.request('send', { to: 'bob', letter: letter(600) })).toEqual({});
  });

  it('MB-5 letters expire after min(ttl, mailTtlMs) even unacknowledged, and the sweep deletes them', async () => {
    t = await startTestOperator({ limits: { mailTtlMs: 3_600_000 } });
    const { client: bob } = await t.login('bob');
    const sender = await t.connect();
    await sender.request('send', { to: 'bob', letter: letter(), ttl: 60_000 });
    await sender.request('send', { to: 'bob', letter: letter(), ttl: 30 * 86_400_000 });
    await sender.request('send', { to: 'bob', letter: letter() });
    t.clock.advance(60_000);
    expect((await bob.request('fetch', {})).items).toHaveLength(2);
    t.clock.advance(3_600_000 - 60_000);
    expect((await bob.request('fetch', {})).items).toHaveLength(0);
    expect(await t.op.sweep()).toEqual({ mail: 3, posts: 0 });
    expect((await t.store.dump()).filter(([k]) => k.startsWith('mail'))).toEqual([]);
  });

  it('MB-6 "you have mail" reaches every connection logged in as the recipient, and nobody else', async () => {
    t = await startTestOperator();
    const bob = await t.register('bob');
    const [b1, b2] = [await t.connect(), await t.connect()];
    await b1.auth(bob, t.clock.now());
    await b2.auth(bob, t.clock.now());
    const { client: carol } = await t.login('carol');
    const sender = await t.connect();
    await sender.request('send', { to: 'bob', letter: letter() });
    await Promise.all([b1.nextMailPush(), b2.nextMailPush()]);
    // A round trip on carol's and the sender's connections orders them after the push had its chance.
    await carol.request('info', {});
    await sender.request('info', {});
    expect(carol.unreadPushes).toBe(0);
    expect(sender.unreadPushes).toBe(0);
  });

  it('MB-7 send on a logged-in connection → FORBIDDEN; MB-8 unknown recipient → NOT_FOUND', async () => {
    t = await startTestOperator();
    await t.register('bob');
    const { client: alice } = await t.login('alice');
    await refusedWith(alice.request('send', { to: 'bob', letter: letter() }), 'FORBIDDEN');
    const anon = await t.connect();
    await refusedWith(anon.request('send', { to: 'nobody', letter: letter() }), 'NOT_FOUND');
    await refusedWith(anon.request('send', { to: 'comrades', letter: letter() }), 'NOT_FOUND');
  });

  it('MB-8 LIMIT-2 a letter over sealedLetterBytes → TOO_LARGE', async () => {
    t = await startTestOperator({ limits: { sealedLetterBytes: 1000 } });
    await t.register('bob');
    const anon = await t.connect();
    await refusedWith(anon.request('send', { to: 'bob', letter: letter(1001) }), 'TOO_LARGE');
    expect(await anon.request('send', { to: 'bob', letter: letter(1000) })).toEqual({});
  });

  it('MB-9 with proof of work per letter: missing → POW_REQUIRED, solved for this letter and connection → accepted', async () => {
    t = await startTestOperator({ limits: { sendPowBits: 10 } });
    await t.register('bob');
    const anon = await t.connect();
    const l = letter();
    await refusedWith(anon.request('send', { to: 'bob', letter: l }), 'POW_REQUIRED');
    const pow = solvePow((n) => sendPowInput(anon.hello.challenge, 'bob', l, n), 10);
    expect(await anon.request('send', { to: 'bob', letter: l, pow })).toEqual({});
  });

  it('MB-9 POW-1 POW-2 one proof of work buys one letter: copies of it, on its connection or another, are refused', async () => {
    t = await startTestOperator({ limits: { sendPowBits: 10, requestsPerSecond: 1000 } });
    const { client: bob } = await t.login('bob');
    const anon = await t.connect();
    const l = letter();
    const pow = solvePow((n) => sendPowInput(anon.hello.challenge, 'bob', l, n), 10);
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push(await anon.requestFrame('send', { to: 'bob', letter: l, pow }));
    expect(answers.filter((a) => a.type === 'ok')).toHaveLength(1);
    expect(answers.filter((a) => a.type === 'err' && a.code === 'POW_REQUIRED')).toHaveLength(49);
    // On another connection the same proof is for the wrong challenge. (At 10 bits it fits a new challenge
    // by luck 1 time in 1024, and the Operator then rightly accepts the letter: the connection used is the
    // first of a few whose challenge it does not fit.)
    const other = await (async () => {
      for (;;) {
        const c = await t!.connect();
        if (!checkPow(sendPowInput(c.hello.challenge, 'bob', l, pow), 10)) return c;
      }
    })();
    await refusedWith(other.request('send', { to: 'bob', letter: l, pow }), 'POW_REQUIRED');
    // A second proof on the first connection is refused too, even a valid one: the challenge is spent.
    const l2 = letter();
    await refusedWith(anon.request('send', { to: 'bob', letter: l2, pow: solvePow((n) => sendPowInput(anon.hello.challenge, 'bob', l2, n), 10) }), 'POW_REQUIRED');
    expect((await bob.request('fetch', {})).items).toHaveLength(1);
  });

  it('POW-2 a proof of work over a challenge older than powMaxAgeMs → POW_REQUIRED', async () => {
    t = await startTestOperator({ limits: { sendPowBits: 8, powMaxAgeMs: 60_000 } });
    await t.register('bob');
    const anon = await t.connect();
    const l = letter();
    const pow = solvePow((n) => sendPowInput(anon.hello.challenge, 'bob', l, n), 8);
    t.clock.advance(60_001);
    await refusedWith(anon.request('send', { to: 'bob', letter: l, pow }), 'POW_REQUIRED');
    const fresh = await t.connect();
    expect(await fresh.request('send', { to: 'bob', letter: l, pow: solvePow((n) => sendPowInput(fresh.hello.challenge, 'bob', l, n), 8) })).toEqual({});
  });

  it('MB-10 TOK-6 a token field that is no token is TOKEN_INVALID, and nothing is stored', async () => {
    t = await startTestOperator();
    const { client: bob } = await t.login('bob');
    const anon = await t.connect();
    const token = randomBytes(512);
    await refusedWith(anon.request('send', { to: 'bob', letter: letter(), token }), 'TOKEN_INVALID');
    expect((await bob.request('fetch', {})).items).toHaveLength(0);
    const probe = Buffer.from(token.subarray(0, 32));
    expect((await t.store.dump()).some(([, v]) => Buffer.from(v).includes(probe))).toBe(false);
  });
});
