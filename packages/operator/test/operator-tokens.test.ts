/**
 * Unlinkable tokens on a running Operator (spec/15-tokens.md): `tokenKeys` without login, `tokens` only
 * logged in and within the budget, a token spent once per action on a connection that is not logged in —
 * on memory, LMDB and Redis, and across two real `comrad-op` processes sharing one redis-server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PublicKey, SymmetricKey, decryptFrom, fromHex, randomBytes } from '@comrad/core';
import { createLetter, deriveChannel, sealPost } from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';
import { TOKEN_BYTES, blindTokens } from '@comrad/core/tokens';
import { makeRegisterProof } from '@comrad/core/wire';
import { requireBuild, spawnOperator } from '@comrad/test-kit/processes';
import { TestClient } from '@comrad/test-kit/operator/client';
import { openTestStore, readyCrypto, refusedWith, startTestOperator, type StoreKind, type TestOperator } from '@comrad/test-kit/operator/fixtures';
import { useRedisServer } from '@comrad/test-kit/operator/redis';
import { dumpLines } from '@comrad/test-kit/operator/store-conformance/tokens';
import type { StartOperatorOptions } from '@comrad/operator';

const DAY = 86_400_000;
const redis = useRedisServer();

/** `n` tokens for a logged-in client of `t`. */
async function obtain(client: TestClient, anon: TestClient, n: number): Promise<Uint8Array[]> {
  const { keys } = await anon.request('tokenKeys', {});
  const blinded = await blindTokens(keys[0]!.key, n);
  const { responses } = await client.request('tokens', { requests: blinded.requests });
  return blinded.finish(responses);
}

let t: TestOperator | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await t?.close();
  await cleanup?.();
  t = undefined;
  cleanup = undefined;
});

async function start(kind: StoreKind, options: Omit<Partial<StartOperatorOptions>, 'clock'> = {}): Promise<TestOperator> {
  const opened = await openTestStore(kind, () => redis.url);
  cleanup = opened.cleanup;
  t = await startTestOperator({ store: opened.store, tokens: { budget: 3 }, ...options });
  return t;
}

describe.each<StoreKind>(['memory', 'lmdb', 'redis'])('TOK tokens on a running Operator (%s)', (kind) => {
  it('TOK-3 TOK-4 TOK-9 TOK-13 keys without login; tokens only logged in, within the budget; a letter paid with a token, once', async () => {
    const op = await start(kind);
    const anon = await op.connect();
    const announced = await anon.request('tokenKeys', {});
    expect(announced).toMatchObject({ budget: 3, periodMs: DAY, send: 'accept' });
    expect(announced.keys[0]!.until - announced.keys[0]!.from).toBe(2 * DAY - 1);
    const blinded = await blindTokens(announced.keys[0]!.key, 1);
    await refusedWith(anon.request('tokens', { requests: blinded.requests }), 'UNAUTHENTICATED');
    const { client } = await op.login('alice');
    await op.register('bob');
    const tokens = await obtain(client, anon, 4); // asks for 4: the budget grants 3
    expect(tokens.map((x) => x.length)).toEqual([TOKEN_BYTES, TOKEN_BYTES, TOKEN_BYTES]);
    await refusedWith(client.request('tokens', { requests: blinded.requests }), 'QUOTA_EXCEEDED');
    // TOK-10: never next to a login.
    await refusedWith(client.request('send', { to: 'bob', letter: randomBytes(100), token: tokens[0]! }), 'FORBIDDEN');
    const letter = randomBytes(100);
    const sender = await op.connect();
    await sender.request('send', { to: 'bob', letter, token: tokens[0]! });
    // TOK-8: the same letter again with the same token is the same action (a lost answer): one letter held.
    await (await op.connect()).request('send', { to: 'bob', letter, token: tokens[0]! });
    const before = await dumpLines(op.store);
    await refusedWith((await op.connect()).request('send', { to: 'bob', letter: randomBytes(100), token: tokens[0]! }), 'TOKEN_SPENT');
    // A letter to nobody costs no token: the token is checked, then the recipient, then burned.
    await refusedWith((await op.connect()).request('send', { to: 'nobody', letter: randomBytes(100), token: tokens[1]! }), 'NOT_FOUND');
    expect(await dumpLines(op.store)).toEqual(before);
    await (await op.connect()).request('send', { to: 'bob', letter: randomBytes(100), token: tokens[1]! });
    // TOK-13: what the store holds of tokens: the name with a count; nonces with digests, apart from any name.
    const lines = await dumpLines(op.store);
    const nonces = tokens.slice(0, 2).map((x) => Buffer.from(x.subarray(2, 34)).toString('hex'));
    for (const n of nonces) expect(lines.filter((l) => l.includes(n))).toHaveLength(1);
    for (const line of lines.filter((l) => nonces.some((n) => l.includes(n)))) expect(line).not.toMatch(/alice|bob/);
    expect(lines.some((l) => /alice/.test(l) && /^(taken|tu:|tuse)/.test(l))).toBe(true);
  });

  it('TOK-4 TOK-6 TOK-7 a malformed token, a forged one and one from an old issuer key are refused, nothing changed', async () => {
    const op = await start(kind);
    const { client } = await op.login('alice');
    await op.register('bob');
    const anon = await op.connect();
    const [token] = await obtain(client, anon, 1);
    const before = await dumpLines(op.store);
    const send = async (tok: Uint8Array, code: string) => refusedWith((await op.connect()).request('send', { to: 'bob', letter: randomBytes(90), token: tok }), code);
    await send(randomBytes(10), 'TOKEN_INVALID');
    await send(token!.subarray(1), 'TOKEN_INVALID');
    const forged = token!.slice();
    forged[100]! ^= 0x40;
    await send(forged, 'TOKEN_INVALID');
    op.clock.advance(2 * DAY);
    await send(token!, 'TOKEN_EXPIRED');
    expect(await dumpLines(op.store)).toEqual(before);
  });

  it('TOK-11 with send tokens required, a letter without one is TOKEN_REQUIRED and needs no work with one', async () => {
    const op = await start(kind, { tokens: { budget: 2, send: 'require' }, limits: { sendPowBits: 30 } });
    const { client } = await op.login('alice');
    await op.register('bob');
    const anon = await op.connect();
    expect((await anon.request('tokenKeys', {})).send).toBe('require');
    await refusedWith((await op.connect()).request('send', { to: 'bob', letter: randomBytes(90) }), 'TOKEN_REQUIRED');
    const [token] = await obtain(client, anon, 1);
    // 30 bits of work would take minutes: the token pays instead.
    await (await op.connect()).request('send', { to: 'bob', letter: randomBytes(90), token: token! });
  });
});

describe.each<StoreKind>(['memory', 'lmdb', 'redis'])('TOK-7 TOK-8 a put the store refuses burns no token (%s)', (kind) => {
  /** The burned nonces in a dump: what TOK-8 writes, whatever the backend calls it. */
  const burned = async (op: TestOperator, token: Uint8Array) => (await dumpLines(op.store)).filter((l) => l.includes(Buffer.from(token.subarray(2, 34)).toString('hex')));

  it('TOK-11 MB-4 a letter refused for a full mailbox leaves its token unspent; it then pays for another letter', async () => {
    const op = await start(kind, { limits: { mailboxItems: 1 } });
    const { client } = await op.login('alice');
    await op.register('bob');
    await op.register('carol');
    const [first, second] = await obtain(client, await op.connect(), 2);
    await (await op.connect()).request('send', { to: 'bob', letter: randomBytes(90), token: first! });
    const before = await dumpLines(op.store);
    await refusedWith((await op.connect()).request('send', { to: 'bob', letter: randomBytes(90), token: second! }), 'QUOTA_EXCEEDED');
    expect(await dumpLines(op.store)).toEqual(before);
    expect(await burned(op, second!)).toEqual([]);
    await (await op.connect()).request('send', { to: 'carol', letter: randomBytes(90), token: second! });
    expect(await burned(op, second!)).toHaveLength(1);
  });

  it('EVT-15 CHAN-7 a channel post refused for a full channel leaves its token unspent; it then pays for another post', async () => {
    const op = await start(kind, { limits: { chanPosts: 1 } });
    const { client } = await op.login('alice');
    const [first, second] = await obtain(client, await op.connect(), 2);
    const cap = randomBytes(32);
    await (await op.connect()).request('chanPost', { cap, post: randomBytes(300), expiresInDays: 1, token: first! });
    const before = await dumpLines(op.store);
    await refusedWith((await op.connect()).request('chanPost', { cap, post: randomBytes(300), expiresInDays: 1, token: second! }), 'QUOTA_EXCEEDED');
    expect(await dumpLines(op.store)).toEqual(before);
    await (await op.connect()).request('chanPost', { cap: randomBytes(32), post: randomBytes(300), expiresInDays: 1, token: second! });
    expect(await burned(op, second!)).toHaveLength(1);
  });

  it('STORE-2 a channel post refused for a full store leaves its token unspent', async () => {
    const op = await start(kind, { limits: { storageBytes: 400 } });
    const { client } = await op.login('alice');
    const [first, second] = await obtain(client, await op.connect(), 2);
    await (await op.connect()).request('chanPost', { cap: randomBytes(32), post: randomBytes(300), expiresInDays: 1, token: first! });
    const before = await dumpLines(op.store);
    await refusedWith((await op.connect()).request('chanPost', { cap: randomBytes(32), post: randomBytes(300), expiresInDays: 1, token: second! }), 'STORAGE_FULL');
    expect(await dumpLines(op.store)).toEqual(before);
    await (await op.connect()).request('chanPost', { cap: randomBytes(32), post: randomBytes(50), expiresInDays: 1, token: second! });
  });

  it('PIN-5 PIN-10 a pin refused for a full store leaves its token unspent; it then pays for a vote', async () => {
    const op = await start(kind, { limits: { maxPins: 1 } });
    const { client } = await op.login('alice');
    const [first, second] = await obtain(client, await op.connect(), 2);
    const cell = 'u33dc1r';
    const { id } = await (await op.connect()).request('pinPut', { cell, kind: 'police', ttl: 600, token: first! });
    const before = await dumpLines(op.store);
    await refusedWith((await op.connect()).request('pinPut', { cell, kind: 'danger', ttl: 600, token: second! }), 'QUOTA_EXCEEDED');
    expect(await dumpLines(op.store)).toEqual(before);
    expect(await (await op.connect()).request('pinVote', { pin: id, vote: 'confirm', nullifier: randomBytes(32), token: second! })).toMatchObject({ confirms: 1 });
  });

  it('PIN-6 PIN-10 two votes by one nullifier at once: one counts, the other is DUPLICATE and its token stays unspent', async () => {
    const op = await start(kind);
    const { client } = await op.login('alice');
    const tokens = await obtain(client, await op.connect(), 3);
    const { id } = await (await op.connect()).request('pinPut', { cell: 'u33dc1r', kind: 'police', ttl: 600, token: tokens[0]! });
    const nullifier = randomBytes(32);
    const [a, b] = await Promise.all([op.connect(), op.connect()]);
    const votes = await Promise.allSettled([a.request('pinVote', { pin: id, vote: 'confirm', nullifier, token: tokens[1]! }), b.request('pinVote', { pin: id, vote: 'deny', nullifier, token: tokens[2]! })]);
    expect(votes.filter((v) => v.status === 'fulfilled')).toHaveLength(1);
    expect(votes.find((v) => v.status === 'rejected')).toMatchObject({ reason: { code: 'DUPLICATE' } });
    const refused = votes[0]!.status === 'rejected' ? tokens[1]! : tokens[2]!;
    expect(await burned(op, refused)).toEqual([]);
    expect(await (await op.connect()).request('pinVote', { pin: id, vote: 'confirm', nullifier: randomBytes(32), token: refused })).toBeTruthy();
  });
});

describe('TOK-8 TOK-9 two comrad-op processes on one redis-server', () => {
  let dir: string;
  beforeAll(async () => {
    requireBuild();
    await readyCrypto();
    dir = await mkdtemp(join(tmpdir(), 'comrad-op-tokens-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('a token spent on one process is spent on the other; the budget is one budget; both sign with one key', async () => {
    const args = ['--port', '0', '--json', '--store', 'redis', '--redis', redis.url, '--redis-prefix', `tok${Date.now()}:`, '--token-budget', '3', '--data', join(dir, 'op')];
    const one = spawnOperator(args);
    const first = await one.started;
    const two = spawnOperator(args);
    try {
      const second = await two.started;
      expect(second.operatorKey).toBe(first.operatorKey);
      const opKey = PublicKey.from(fromHex(first.operatorKey));
      const alice = Keymaker.generate('alice_two');
      const reg = await TestClient.connect(first.url);
      await reg.request('register', { name: alice.name, key: alice.publicKey, proof: makeRegisterProof(alice.keys.privateKey, alice.name, alice.publicKey, opKey) });
      const bob = Keymaker.generate('bob_two');
      await reg.request('register', { name: bob.name, key: bob.publicKey, proof: makeRegisterProof(bob.keys.privateKey, bob.name, bob.publicKey, opKey) });
      const onOne = await TestClient.connect(first.url);
      await onOne.auth(alice, Date.now());
      const onTwo = await TestClient.connect(second.url);
      await onTwo.auth(alice, Date.now());
      // One key: the key announced by either process signs tokens the other accepts.
      const k1 = (await (await TestClient.connect(first.url)).request('tokenKeys', {})).keys[0]!.key;
      const k2 = (await (await TestClient.connect(second.url)).request('tokenKeys', {})).keys[0]!.key;
      expect(Buffer.from(k1).equals(Buffer.from(k2))).toBe(true);
      const a = await blindTokens(k1, 2);
      const b = await blindTokens(k1, 2);
      const [ra, rb] = await Promise.all([onOne.request('tokens', { requests: a.requests }), onTwo.request('tokens', { requests: b.requests })]);
      // One budget of 3 across both processes.
      expect(ra.responses.length + rb.responses.length).toBe(3);
      const tokens = [...(await a.finish(ra.responses)), ...(await b.finish(rb.responses))];
      // The same token at both processes at once, for two different letters: exactly one is delivered.
      const sends = await Promise.allSettled([
        (await TestClient.connect(first.url)).request('send', { to: bob.name, letter: randomBytes(80), token: tokens[0]! }),
        (await TestClient.connect(second.url)).request('send', { to: bob.name, letter: randomBytes(80), token: tokens[0]! }),
      ]);
      expect(sends.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      expect(sends.find((s) => s.status === 'rejected')).toMatchObject({ reason: { code: 'TOKEN_SPENT' } });
      // Spent on two, refused on one.
      await (await TestClient.connect(second.url)).request('send', { to: bob.name, letter: randomBytes(80), token: tokens[1]! });
      await refusedWith((await TestClient.connect(first.url)).request('send', { to: bob.name, letter: randomBytes(80), token: tokens[1]! }), 'TOKEN_SPENT');
      // A pin and an anonymous event's post paid with one token at both processes at once: one is stored.
      const paid = await Promise.allSettled([
        (await TestClient.connect(first.url)).request('pinPut', { cell: 'u33dc1r', kind: 'police', ttl: 600, token: tokens[2]! }),
        (await TestClient.connect(second.url)).request('chanPost', { cap: randomBytes(32), post: randomBytes(200), expiresInDays: 1, token: tokens[2]! }),
      ]);
      expect(paid.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      expect(paid.find((s) => s.status === 'rejected')).toMatchObject({ reason: { code: 'TOKEN_SPENT' } });
      const bobOnOne = await TestClient.connect(first.url);
      await bobOnOne.auth(bob, Date.now());
      expect((await bobOnOne.request('fetch', {})).items).toHaveLength(2);
    } finally {
      one.child.kill('SIGTERM');
      two.child.kill('SIGTERM');
      await Promise.all([one.exited, two.exited]);
    }
  }, 90_000);
});

describe('VOTE anonymous votes on a running Operator', () => {
  it('VOTE-1 VOTE-2 VOTE-4 VOTE-6 one choice per voter per post, only without login and with a token; a post\'s votes go with it', async () => {
    const op = await start('memory', { tokens: { budget: 8 } });
    const { client, me } = await op.login('alice');
    const anon = await op.connect();
    const tokens = await obtain(client, anon, 8);
    const worldKey = await client.request('worldKey', {});
    const epochKey = SymmetricKey.from(decryptFrom(me.keys.privateKey, op.keys.world.publicKey, worldKey.sealed));
    const sealed = sealPost(createLetter({ kind: 'post', from: 'alice', body: { text: 'vote on me' } }), me.keys, epochKey, worldKey.epoch);
    const { id: post } = await client.request('post', { post: sealed, expiresInDays: 1 });
    const voter = new Uint8Array(randomBytes(32));
    const vote = async (choice: 'up' | 'down' | 'none', token?: Uint8Array, v = voter) => (await op.connect()).request('vote', { post, voter: v, choice, ...(token ? { token } : {}) });
    await refusedWith(client.request('vote', { post, voter, choice: 'up', token: tokens[0]! }), 'FORBIDDEN');
    await refusedWith(vote('up'), 'TOKEN_REQUIRED');
    await refusedWith((await op.connect()).request('vote', { post: '00zzzzzzzz00000000000000aa', voter, choice: 'up', token: tokens[1]! }), 'NOT_FOUND');
    expect(await vote('down', tokens[1]!)).toEqual({ up: 0, down: 1 }); // the refused vote left tokens[1] unspent
    const once = await dumpLines(op.store);
    await refusedWith(vote('down', tokens[2]!), 'DUPLICATE');
    expect(await dumpLines(op.store)).toEqual(once); // a double vote changes nothing
    expect(await vote('up', tokens[2]!, new Uint8Array(randomBytes(32)))).toEqual({ up: 1, down: 1 }); // the DUPLICATE left it unspent
    await refusedWith(vote('up', tokens[1]!, new Uint8Array(randomBytes(32))), 'TOKEN_SPENT');
    expect(await vote('none', tokens[3]!)).toEqual({ up: 1, down: 0 });
    expect((await client.request('feed', {})).posts[0]).toMatchObject({ id: post, up: 1, down: 0 });
    // VOTE-4: the store keeps the tag, never the voter value.
    expect((await op.store.dump()).some(([k, v]) => Buffer.from(k).includes(Buffer.from(voter)) || Buffer.from(v).includes(Buffer.from(voter)))).toBe(false);
    // VOTE-6: the post's votes go when it expires.
    op.clock.advance(DAY + 1);
    await op.op.sweep();
    expect(await op.store.tallies([post])).toEqual([{ up: 0, down: 0 }]);
    expect((await op.store.dump()).filter(([k]) => /^(vote|tally)\//.test(k))).toEqual([]);
  });

  it('VOTE-7 VOTE-9 VOTE-10 a vote on a channel post shows its capability: another channel\'s is NOT_FOUND with the token unspent; tallies come with chanFeed', async () => {
    const op = await start('memory', { tokens: { budget: 8 } });
    const { client } = await op.login('alice');
    const anon = await op.connect();
    const tokens = await obtain(client, anon, 6);
    const key = SymmetricKey.generate();
    const { cap, id: chan } = deriveChannel(key);
    const { id: post } = await (await op.connect()).request('chanPost', { cap, post: new Uint8Array(randomBytes(300)), expiresInDays: 1 });
    const voter = new Uint8Array(randomBytes(32));
    const vote = async (choice: 'up' | 'down' | 'none', token?: Uint8Array, c = cap) => (await op.connect()).request('chanVote', { cap: c, post, voter, choice, ...(token ? { token } : {}) });
    await refusedWith(client.request('chanVote', { cap, post, voter, choice: 'up', token: tokens[0]! }), 'FORBIDDEN');
    await refusedWith(vote('up'), 'TOKEN_REQUIRED');
    // A capability of another channel (a key the voter does not hold): nothing found, nothing changed.
    const before = await op.store.dump();
    await refusedWith(vote('up', tokens[0]!, deriveChannel(SymmetricKey.generate()).cap), 'NOT_FOUND');
    // Nor is the id a world post.
    await refusedWith((await op.connect()).request('vote', { post, voter, choice: 'up', token: tokens[0]! }), 'NOT_FOUND');
    expect(await op.store.dump()).toEqual(before);
    expect(await vote('up', tokens[0]!)).toEqual({ up: 1, down: 0 }); // the refused votes left tokens[0] unspent
    await refusedWith(vote('up', tokens[1]!), 'DUPLICATE');
    expect(await vote('down', tokens[1]!)).toEqual({ up: 0, down: 1 });
    await refusedWith(vote('none', tokens[0]!), 'TOKEN_SPENT');
    expect((await (await op.connect()).request('chanFeed', { chan })).posts).toEqual([expect.objectContaining({ id: post, up: 0, down: 1 })]);
    // VOTE-4: the store keeps the tag, never the voter value, nor the capability.
    const dump = await op.store.dump();
    for (const secret of [voter, cap]) expect(dump.some(([k, v]) => Buffer.from(k).includes(Buffer.from(secret).toString('hex')) || Buffer.from(v).includes(Buffer.from(secret)))).toBe(false);
    // VOTE-6: the votes go when the post expires.
    op.clock.advance(DAY + 1);
    await op.op.sweep();
    expect(await op.store.tallies([post], Buffer.from(chan).toString('hex'))).toEqual([{ up: 0, down: 0 }]);
    expect((await op.store.dump()).filter(([k]) => /^(vote|tally)\//.test(k))).toEqual([]);
  });
});
