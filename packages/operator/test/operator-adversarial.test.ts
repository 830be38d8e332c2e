/**
 * Adversarial frames (OP-6): garbage of every shape, on logged-in and anonymous connections, each
 * answered by exactly one frame (an error, or an answer when the garbage happens to be valid), while the
 * Operator keeps serving the attacker's connection and everyone else's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyPair, encode, isErrorCode, randomBytes } from '@comrad/core';
import { createLetter, sealPost } from '@comrad/core/envelope';
import { OPS, PUBLIC_OPS, encodeRequest, makeAuthProof, makeRegisterProof, type Op, type ServerFrame } from '@comrad/core/wire';
import type { Keymaker } from '@comrad/core/keymaker';
import { SymmetricKey } from '@comrad/core';
import { garbageFrom } from '@comrad/test-kit/core/garbage';
import { messageProblem } from '@comrad/test-kit/core/messages';
import type { TestClient } from '@comrad/test-kit/operator/client';
import { startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';

let t: TestOperator;
let alice: Keymaker;
let seeds: Uint8Array[];

beforeAll(async () => {
  t = await startTestOperator({ limits: { requestsPerSecond: 1_000_000, maxInflight: 1024, mailboxItems: 1_000_000, postsPerHour: 1_000_000 } });
  alice = await t.register('alice');
  const now = t.clock.now();
  const post = sealPost(createLetter({ kind: 'post', from: 'alice', body: { text: 'x' } }), alice.keys, SymmetricKey.generate(), Math.floor(now / 86_400_000));
  const samples: { [O in Op]: unknown } = {
    info: {},
    register: { name: 'zed', key: alice.publicKey, proof: makeRegisterProof(alice.keys.privateKey, 'zed', alice.publicKey, t.keys.operator.publicKey) },
    lookup: { name: 'alice' },
    auth: { name: 'alice', at: now, sig: makeAuthProof(alice.keys.privateKey, { challenge: new Uint8Array(32), operatorKey: t.keys.operator.publicKey, name: 'alice', at: now }) },
    send: { to: 'alice', letter: randomBytes(64), ttl: 60_000, token: randomBytes(8) },
    fetch: { limit: 3 },
    ack: { ids: ['0000000000000000000000000a', 'b'] },
    worldKey: { epoch: Math.floor(now / 86_400_000) },
    post: { post, expiresInDays: 2 },
    feed: { limit: 2, before: 'zzzzzzzzzzzzzzffffffffffff' },
    delete: { postId: '0000000000000000000000000a' },
    colAppend: { col: 'alice', pos: 0, entry: randomBytes(600), sig: randomBytes(72) },
    colRead: { col: 'alice', from: 0, limit: 5 },
    profileSet: { profile: Uint8Array.of(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, ...randomBytes(80)) },
    profileGet: { name: 'alice' },
    chanPost: { cap: randomBytes(32), post: randomBytes(300), expiresInDays: 2 },
    chanFeed: { chan: randomBytes(32), limit: 5, before: 'zzzzzzzzzzzzzzffffffffffff' },
    pinPut: { cell: 'u33dc0c', kind: 'police', note: 'vans', ttl: 600 },
    pinVote: { pin: '0123456789abcdef0123456789abcdef', vote: 'confirm', nullifier: randomBytes(32) },
    pins: { cells: ['u33dc', 'u33db'], limit: 5 },
    tokenKeys: {},
    tokens: { requests: [randomBytes(259)] },
    vote: { post: '0000000000000000000000000a', voter: randomBytes(32), choice: 'up', token: randomBytes(354) },
    chanVote: { cap: randomBytes(32), post: '0000000000000000000000000a', voter: randomBytes(32), choice: 'down', token: randomBytes(354) },
  };
  seeds = OPS.map((op) => encodeRequest(7, op, samples[op] as never));
});
afterAll(() => t.close());

/** Sends one raw frame and returns the one frame that answers it. */
async function answer(c: TestClient, data: Uint8Array | string): Promise<ServerFrame> {
  c.sendRaw(data);
  return c.nextLoose();
}

/** The Operator still serves a fresh comrade end to end, and the attacker's own connection. */
async function stillServing(attacker: TestClient): Promise<void> {
  expect((await attacker.request('info', {})).v).toBe(1);
  const { client } = await t.login(`ok_${randomBytes(4).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')}`);
  expect(await client.request('fetch', {})).toEqual({ items: [] });
}

/** True for values Comrad's encoder writes (ENC-1, ENC-9: no floats); others are MALFORMED before OP-4. */
function encodable(v: unknown): boolean {
  try {
    encode(v);
    return true;
  } catch {
    return false;
  }
}

/** Refusals made inside a handler, past the frame and field checks. */
const HANDLER_CODES = new Set(['NOT_FOUND', 'FORBIDDEN', 'BAD_SIGNATURE', 'EXPIRED', 'TOKEN_INVALID', 'INVALID_NAME', 'UNSUPPORTED_KIND', 'AUTH_FAILED', 'INVALID_KEY', 'NAME_TAKEN']);
/** Ops whose sample above is a plain, valid read: a logged-in comrade gets an answer, not a refusal. */
const PLAIN_READS = new Set<Op>(['info', 'lookup', 'fetch', 'feed', 'tokenKeys']);

/** A typed answer; INTERNAL would mean the garbage hit a bug rather than a check. */
const isAnswer = (f: ServerFrame) => f.type === 'ok' || (f.type === 'err' && isErrorCode(f.code) && f.code !== 'INTERNAL');

describe('OP-6 adversarial frames', () => {
  it('OP-6 OP-3 garbage on an anonymous connection: one typed answer per frame, the server carries on', async () => {
    const attacker = await t.connect();
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(garbageFrom(seeds), async (bytes) => {
        const f = await answer(attacker, bytes);
        expect(isAnswer(f)).toBe(true);
        const key = f.type === 'err' ? f.code : 'ok';
        codes.set(key, (codes.get(key) ?? 0) + 1);
      }),
      { numRuns: 400 },
    );
    // The garbage reached past the first checks.
    expect([...codes.keys()]).toEqual(expect.arrayContaining(['MALFORMED', 'UNAUTHENTICATED']));
    await stillServing(attacker);
  });

  it('OP-6 garbage on a logged-in connection reaches every handler and is answered, typed', async () => {
    const attacker = await t.connect();
    await attacker.auth(alice, t.clock.now());
    const codes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(garbageFrom(seeds), async (bytes) => {
        const f = await answer(attacker, bytes);
        expect(isAnswer(f)).toBe(true);
        codes.add(f.type === 'err' ? f.code : 'ok');
      }),
      { numRuns: 400 },
    );
    // The garbage reached the handlers: besides the frame checks, some refusal only a handler makes.
    // (A random frame that happens to be valid is rare, so 'ok' is not required of the garbage.)
    expect([...codes]).toContain('MALFORMED');
    expect([...codes].filter((c) => HANDLER_CODES.has(c))).not.toEqual([]);
    // The untouched samples, on the same connection after all that garbage, are still answered typed,
    // and the plain reads among them succeed.
    for (const [i, bytes] of seeds.entries()) {
      const f = await answer(attacker, bytes);
      expect(isAnswer(f)).toBe(true);
      if (PLAIN_READS.has(OPS[i]!)) expect(f.type === 'err' ? `${OPS[i]}: ${f.code} ${f.message}` : 'ok').toBe('ok');
    }
    expect(await attacker.request('fetch', { limit: 1 })).toBeTruthy();
    await stillServing(attacker);
  });

  it('OP-1 text frames → MALFORMED without id', async () => {
    const c = await t.connect();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        const f = await answer(c, text);
        expect(f).toMatchObject({ type: 'err', code: 'MALFORMED' });
        expect(f).not.toHaveProperty('id');
      }),
      { numRuns: 50 },
    );
    await stillServing(c);
  });

  it('OP-2 unknown ops → UNKNOWN_OP with the request id', async () => {
    const c = await t.connect();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 32 }).filter((op) => !(OPS as readonly string[]).includes(op)),
        fc.nat({ max: 2 ** 32 - 1 }),
        async (op, id) => {
          expect(await answer(c, encode({ id, op }))).toEqual({ type: 'err', id, code: 'UNKNOWN_OP', message: 'unknown op' });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('OP-4 every non-public op before auth → UNAUTHENTICATED, whatever its parameters', async () => {
    const c = await t.connect();
    const privateOps = OPS.filter((op) => !PUBLIC_OPS.has(op));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...privateOps), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue().filter(encodable), { maxKeys: 3 }), async (op, params) => {
        const f = await answer(c, encode({ ...params, id: 5, op }));
        expect(f).toMatchObject({ type: 'err', id: 5, code: 'UNAUTHENTICATED' });
      }),
      { numRuns: 100 },
    );
  });

  it('AUTH-3 AUTH-5 replayed and wrong-key handshakes → AUTH_FAILED on fresh connections, never a login', async () => {
    const mallory = KeyPair.generate();
    const observed = await t.connect();
    const at = t.clock.now();
    const replayable = makeAuthProof(alice.keys.privateKey, { challenge: observed.hello.challenge, operatorKey: t.keys.operator.publicKey, name: 'alice', at });
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.integer({ min: -300_000, max: 300_000 }), async (replay, skew) => {
        const c = await t.connect();
        const sig = replay
          ? replayable
          : makeAuthProof(mallory.privateKey, { challenge: c.hello.challenge, operatorKey: t.keys.operator.publicKey, name: 'alice', at: at + skew });
        const f = await c.requestFrame('auth', { name: 'alice', at: replay ? at : at + skew, sig });
        expect(f).toMatchObject({ type: 'err', code: 'AUTH_FAILED', message: 'authentication failed' });
        expect(await c.requestFrame('fetch', {})).toMatchObject({ type: 'err', code: 'UNAUTHENTICATED' });
        await c.close();
      }),
      { numRuns: 40 },
    );
    await stillServing(observed);
  });
  it('ERR-2 OP-3 every error frame, for garbage and hostile maps on anonymous and logged-in connections, is one line of at most 200 characters with no key in it', async () => {
    const anon = await t.connect();
    const { client: bob } = await t.login(`err_${randomBytes(4).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')}`);
    const secrets = [alice.keys.privateKey.bytes(), t.keys.operator.privateKey.bytes(), t.keys.world.privateKey.bytes(), t.keys.atRestKey.bytes()];
    const hostileKey = fc.constantFrom('a\nb', '\r\n', '\u2028', '\u001b[2J', 'k'.repeat(3000), 'x');
    const hostile = fc.tuple(fc.constantFrom(...OPS, 'shout\nx'), hostileKey, fc.oneof(hostileKey, fc.integer(), fc.uint8Array({ maxLength: 8 }))).map(([op, k, v]) => encode({ id: 9, op, [k]: v, name: k, to: k }));
    let errors = 0;
    for (const c of [anon, bob]) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(garbageFrom(seeds), hostile), async (bytes) => {
          const f = await answer(c, bytes);
          if (f.type !== 'err') return;
          errors++;
          expect(messageProblem(f.message, secrets), f.message).toBeUndefined();
        }),
        { numRuns: 150 },
      );
    }
    expect(errors).toBeGreaterThan(200);
  });
});
