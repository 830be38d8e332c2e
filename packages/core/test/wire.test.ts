/**
 * `@comrad/core/wire` (spec/05-operator.md): every op's request and result survive encode → decode,
 * every decoder is total over garbage, and the proofs and statements bind what they claim to bind.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { KeyPair, ProtocolError, decode, encode, ready, type PublicKey } from '@comrad/core';
import { nativeSha256 } from '#node-backend';
import {
  MAX_ERROR_MESSAGE_CHARS,
  OPS,
  checkAuthProof,
  checkPow,
  checkRegisterProof,
  decodeRequest,
  decodeRequestEnvelope,
  decodeRequestParams,
  decodeResult,
  decodeServerFrame,
  encodeErr,
  encodeMailPush,
  encodeOk,
  encodeRequest,
  epochOf,
  leadingZeroBits,
  makeGreeting,
  makeAuthProof,
  makeRegisterProof,
  registerPowInput,
  sendPowInput,
  signLookup,
  solvePow,
  solvePowAsync,
  verifyLookup,
  type Op,
  type Params,
  type Result,
} from '@comrad/core/wire';
import { checkTotal } from '@comrad/test-kit/core/garbage';

let op: KeyPair, alice: KeyPair, other: KeyPair;
let samples: { [O in Op]: { params: Params<O>; result: Result<O> } };

beforeAll(async () => {
  await ready({ backend: 'wasm' });
  op = KeyPair.generate();
  alice = KeyPair.generate();
  other = KeyPair.generate();
  const statement = signLookup(op.privateKey, 'alice', alice.publicKey, 1_750_000_000_000);
  const limits = { frameBytes: 1, sealedLetterBytes: 2, mailboxItems: 3, mailboxBytes: 4, mailTtlMs: 5, maxPostDays: 6, postsPerHour: 7, requestsPerSecond: 8, fetchItems: 9, ackIds: 10, feedItems: 11 };
  samples = {
    info: { params: {}, result: { v: 1, operatorKey: op.publicKey, worldKey: other.publicKey, limits, pow: { register: 20, send: 0 } } },
    register: { params: { name: 'alice', key: alice.publicKey, proof: makeRegisterProof(alice.privateKey, 'alice', alice.publicKey, op.publicKey), pow: new Uint8Array(8) }, result: { statement } },
    lookup: { params: { name: 'alice' }, result: { statement } },
    auth: { params: { name: 'alice', at: 1_750_000_000_000, sig: new Uint8Array(80).fill(1) }, result: { name: 'alice' } },
    send: { params: { to: 'bob', letter: new Uint8Array(300).fill(7), ttl: 86_400_000, pow: Uint8Array.of(1, 2), token: new Uint8Array(512) }, result: {} },
    fetch: { params: { limit: 10 }, result: { items: [{ id: '0000000001', letter: Uint8Array.of(1, 2, 3), receivedAt: 5 }] } },
    ack: { params: { ids: ['0000000001', 'b.c:d-e_f'] }, result: { deleted: 2 } },
    worldKey: { params: { epoch: 20_000 }, result: { epoch: 20_000, sealed: new Uint8Array(100).fill(3) } },
    post: { params: { post: new Uint8Array(64).fill(9), expiresInDays: 30, ttl: 5_400_000 }, result: { id: 'p1', expiresAt: 99 } },
    feed: {
      params: { before: 'p9', limit: 20 },
      result: { posts: [{ id: 'p1', author: 'alice', epoch: 20_000, post: Uint8Array.of(1), postedAt: 1, expiresAt: 2 }, { id: 'p0', author: 'bob', epoch: 20_000, post: Uint8Array.of(2), postedAt: 1, expiresAt: 2, up: 4, down: 0 }], next: 'p0' },
    },
    delete: { params: { postId: 'p1' }, result: {} },
    colAppend: { params: { col: 'portland', pos: 3, entry: new Uint8Array(600).fill(5), sig: new Uint8Array(100).fill(6) }, result: {} },
    colRead: { params: { col: 'portland', from: 2, limit: 10 }, result: { entries: [Uint8Array.of(1), new Uint8Array(4608)], length: 9 } },
    profileSet: { params: { profile: new Uint8Array(700).fill(4) }, result: { expiresAt: 1_750_000_000_000 } },
    profileGet: { params: { name: 'alice' }, result: { profile: new Uint8Array(700).fill(4), expiresAt: 1_750_000_000_000 } },
    chanPost: { params: { cap: new Uint8Array(32).fill(2), post: new Uint8Array(500).fill(8), expiresInDays: 7, ttl: 60_000, pow: Uint8Array.of(3) }, result: { id: 'c1', expiresAt: 1_750_000_000_000 } },
    chanFeed: {
      params: { chan: new Uint8Array(32).fill(1), before: 'c9', limit: 20 },
      result: { posts: [{ id: 'c1', post: new Uint8Array(500).fill(8), postedAt: 1, expiresAt: 2 }, { up: 2, down: 1, id: 'c0', post: new Uint8Array(40).fill(8), postedAt: 1, expiresAt: 2 }], next: 'c0' },
    },
    pinPut: { params: { cell: 'u33dc0c', kind: 'police', note: 'two vans', ttl: 7200, token: new Uint8Array(100).fill(2) }, result: { id: 'ab12', expiresAt: 1_750_000_000_000 } },
    pinVote: { params: { pin: 'ab12', vote: 'deny', nullifier: new Uint8Array(32).fill(8) }, result: { expiresAt: 1_750_000_000_000, confirms: 3, denies: 1 } },
    pins: {
      params: { cells: ['u33dc', 'u33db'], limit: 50 },
      result: { pins: [{ id: 'ab12', cell: 'u33dc0c', kind: 'medical', createdAt: 1, expiresAt: 2, confirms: 0, denies: 4 }] },
    },
    tokenKeys: { params: {}, result: { keys: [{ key: new Uint8Array(342).fill(2), from: 1_750_000_000_000, until: 1_750_172_799_999 }], budget: 32, periodMs: 86_400_000, send: 'accept' } },
    tokens: { params: { requests: [new Uint8Array(259).fill(1), new Uint8Array(259).fill(2)] }, result: { responses: [new Uint8Array(256).fill(3)], left: 31 } },
    vote: { params: { post: 'p1', voter: new Uint8Array(32).fill(4), choice: 'down', token: new Uint8Array(354).fill(5) }, result: { up: 3, down: 1 } },
    chanVote: { params: { cap: new Uint8Array(32).fill(2), post: 'c1', voter: new Uint8Array(32).fill(4), choice: 'up', token: new Uint8Array(354).fill(5) }, result: { up: 1, down: 0 } },
  };
});

/** Keys compared by bytes, the rest structurally. */
const plain = (v: unknown): unknown =>
  v && typeof v === 'object' && 'fingerprint' in v ? (v as PublicKey).toHex() : v instanceof Uint8Array ? [...v] : Array.isArray(v) ? v.map(plain) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;

describe('OP-1 OP-2 every op round-trips', () => {
  it.each([...(['info', 'register', 'lookup', 'auth', 'send', 'fetch', 'ack', 'worldKey', 'post', 'feed', 'delete', 'colAppend', 'colRead', 'profileSet', 'profileGet', 'pinPut', 'pinVote', 'pins'] as const)])('%s: request and result', (name) => {
    const s = samples[name];
    const req = decodeRequest(encodeRequest(42, name, s.params as never));
    expect(req.id).toBe(42);
    expect(req.op).toBe(name);
    expect(plain(req.params)).toEqual(plain(s.params));
    const frame = decodeServerFrame(encodeOk(42, name, s.result as never));
    expect(frame.type).toBe('ok');
    if (frame.type === 'ok') expect(plain(decodeResult(name, frame.value))).toEqual(plain(s.result));
  });

  it('OP-1 the op table covers every op and no op has a parameter named id or op', () => {
    expect([...OPS].sort()).toEqual(Object.keys(samples).sort());
    for (const name of OPS) {
      const fields = Object.keys(decode(encodeRequest(1, name, samples[name].params as never)) as object);
      expect(fields.filter((f) => f === 'id' || f === 'op')).toEqual(['id', 'op']);
    }
  });

  it('OP-1 pushes: mail carries nothing; a greeting is never taken for a frame inside the channel (AUTH-7)', () => {
    expect(decodeServerFrame(encodeMailPush())).toEqual({ type: 'mail' });
    expect(() => decodeServerFrame(encode({ push: 'mail', count: 3 }))).toThrow(ProtocolError);
    const greeting = makeGreeting(op, alice.publicKey, KeyPair.generate().publicKey);
    expect(() => decodeServerFrame(greeting.frame)).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
  });

  it('OP-3 error frames: closed codes, bounded messages, id only when known', () => {
    expect(decodeServerFrame(encodeErr(7, 'NOT_FOUND', 'no'))).toEqual({ type: 'err', id: 7, code: 'NOT_FOUND', message: 'no' });
    expect(decodeServerFrame(encodeErr(undefined, 'MALFORMED', 'x'.repeat(500)))).toMatchObject({ type: 'err', code: 'MALFORMED', message: 'x'.repeat(MAX_ERROR_MESSAGE_CHARS) });
    expect(() => decodeServerFrame(encode({ id: 1, err: { code: 'NOPE', message: '' } }))).toThrow(ProtocolError);
  });

  it('OP-2 unknown ops, unknown fields and out-of-range values are refused with stable codes', () => {
    const env = decodeRequestEnvelope(encode({ id: 3, op: 'shutdown' }));
    expect(env.id).toBe(3);
    expect(() => decodeRequestParams(env)).toThrow(expect.objectContaining({ code: 'UNKNOWN_OP' }));
    expect(() => decodeRequest(encode({ id: 1, op: 'fetch', limit: 5, extra: 1 }))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => decodeRequest(encode({ id: 1, op: 'fetch', limit: 101 }))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => decodeRequest(encode({ id: 2 ** 32 + 1, op: 'info' }))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
  });

  it('OP-1 request ids are uint32: 0..2^32-1; 2^32 is refused like any bad id (MALFORMED, no id in the answer)', () => {
    expect(decodeRequest(encode({ id: 2 ** 32 - 1, op: 'info' })).id).toBe(2 ** 32 - 1);
    expect(decodeRequest(encode({ id: 0, op: 'info' })).id).toBe(0);
    expect(() => decodeRequest(encode({ id: 2 ** 32, op: 'info' }))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => encodeRequest(2 ** 32, 'info', {})).toThrow(RangeError);
    expect(() => decodeServerFrame(encode({ id: 2 ** 32, ok: {} }))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => decodeRequest(encode({ id: 1, op: 'lookup', name: 'alice', key: alice.publicKey.bytes() }))).toThrow(/exactly one/);
    expect(() => decodeRequest(encode({ id: 1, op: 'lookup', name: 'Alice' }))).toThrow(expect.objectContaining({ code: 'INVALID_NAME' }));
    expect(() => decodeRequest(encode({ id: 1, op: 'send', to: 'bob', letter: Uint8Array.of(1), token: new Uint8Array(513) }))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });
});

describe('totality: decoders meet garbage with a ProtocolError only', () => {
  it('OP-2 requests of every op', async () => {
    const seeds = OPS.map((name) => encodeRequest(9, name, samples[name].params as never));
    const seen = await checkTotal((b) => decodeRequest(b), seeds, { numRuns: 600 });
    expect(seen.get('MALFORMED')).toBeGreaterThan(0);
  });

  it('OP-2 server frames and every op result', async () => {
    const seeds = OPS.map((name) => encodeOk(9, name, samples[name].result as never));
    const seen = await checkTotal(
      (b) => {
        const f = decodeServerFrame(b);
        // A valid frame is read as the answer to every op, as a client confused about ids would.
        if (f.type === 'ok') for (const name of OPS) tryResult(name, f.value);
      },
      [...seeds, encodeMailPush(), encodeErr(1, 'NOT_FOUND', 'x')],
      { numRuns: 600 },
    );
    expect(seen.size).toBeGreaterThan(1);
  });
});

function tryResult(name: Op, value: unknown): void {
  try {
    decodeResult(name, value);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
}

describe('REG-3 REG-4 registry proofs and statements', () => {
  it('REG-3 a registration proof binds name, key and Operator', () => {
    const proof = makeRegisterProof(alice.privateKey, 'alice', alice.publicKey, op.publicKey);
    expect(() => checkRegisterProof(proof, 'alice', alice.publicKey, op.publicKey)).not.toThrow();
    expect(() => checkRegisterProof(proof, 'alicia', alice.publicKey, op.publicKey)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    expect(() => checkRegisterProof(proof, 'alice', alice.publicKey, other.publicKey)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    expect(() => checkRegisterProof(proof, 'alice', other.publicKey, op.publicKey)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
  });

  it('REG-4 a statement verifies only with the Operator key and only for what was asked', () => {
    const st = signLookup(op.privateKey, 'alice', alice.publicKey, 5);
    expect(verifyLookup(st, op.publicKey, 'alice')).toMatchObject({ name: 'alice', at: 5 });
    expect(verifyLookup(st, op.publicKey, { key: alice.publicKey }).name).toBe('alice');
    expect(() => verifyLookup(st, other.publicKey, 'alice')).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    expect(() => verifyLookup(st, op.publicKey, 'bob')).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    expect(() => verifyLookup(st, op.publicKey, { key: other.publicKey })).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    // A registration proof is signed by the comrade, not the Operator, and has another context.
    const proof = makeRegisterProof(op.privateKey, 'alice', op.publicKey, op.publicKey);
    expect(() => verifyLookup(proof, op.publicKey)).toThrow(ProtocolError);
  });
});

describe('AUTH-2 the handshake proof', () => {
  it('AUTH-2 binds challenge, Operator, name and time; fails as false, never with a reason', () => {
    const claim = { challenge: new Uint8Array(32).fill(1), operatorKey: op.publicKey, name: 'alice', at: 1000 };
    const sig = makeAuthProof(alice.privateKey, claim);
    expect(checkAuthProof(sig, alice.publicKey, claim)).toBe(true);
    expect(checkAuthProof(sig, other.publicKey, claim)).toBe(false);
    expect(checkAuthProof(sig, alice.publicKey, { ...claim, challenge: new Uint8Array(32).fill(2) })).toBe(false);
    expect(checkAuthProof(sig, alice.publicKey, { ...claim, operatorKey: other.publicKey })).toBe(false);
    expect(checkAuthProof(sig, alice.publicKey, { ...claim, name: 'bob' })).toBe(false);
    expect(checkAuthProof(sig, alice.publicKey, { ...claim, at: 1001 })).toBe(false);
    expect(checkAuthProof(Uint8Array.of(1, 2, 3), alice.publicKey, claim)).toBe(false);
  });
});

describe('REG-6 MB-9 proof of work', () => {
  it('REG-6 leading zero bits are counted exactly', () => {
    expect(leadingZeroBits(Uint8Array.of(0, 0, 0x80))).toBe(16);
    expect(leadingZeroBits(Uint8Array.of(0, 0x01))).toBe(15);
    expect(leadingZeroBits(Uint8Array.of(0xff))).toBe(0);
    expect(leadingZeroBits(new Uint8Array(4))).toBe(32);
  });

  it('REG-6 MB-9 POW-1 a solved nonce checks at its difficulty and is bound to its input and its challenge', () => {
    const challenge = new Uint8Array(32).fill(7);
    const nonce = solvePow((n) => registerPowInput(challenge, 'alice', alice.publicKey, n), 10);
    expect(checkPow(registerPowInput(challenge, 'alice', alice.publicKey, nonce), 10)).toBe(true);
    // Another name or challenge almost never reaches 10 bits with the same nonce (2^-10); try a few to be sure it is bound.
    const others = ['bob', 'carol', 'dave', 'erin', 'frank'].filter((n) => checkPow(registerPowInput(challenge, n, alice.publicKey, nonce), 10));
    expect(others.length).toBeLessThan(3);
    const challenges = [1, 2, 3, 4, 5].map((b) => new Uint8Array(32).fill(b)).filter((c) => checkPow(registerPowInput(c, 'alice', alice.publicKey, nonce), 10));
    expect(challenges.length).toBeLessThan(3);
    const letter = Uint8Array.of(1, 2, 3);
    const sendNonce = solvePow((n) => sendPowInput(challenge, 'bob', letter, n), 8);
    expect(checkPow(sendPowInput(challenge, 'bob', letter, sendNonce), 8)).toBe(true);
    expect(checkPow(sendPowInput(challenge, 'bob', letter, sendNonce), 0)).toBe(true);
  });

  it('POW-1 the Node solver hashes with node:crypto and its proofs check with @noble/hashes, what browsers use', () => {
    expect(nativeSha256).toBeDefined();
    for (const n of [0, 1, 55, 56, 64, 130, 1000]) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      expect(Buffer.from(nativeSha256!(data))).toEqual(Buffer.from(nobleSha256(data)));
    }
    const challenge = new Uint8Array(32).fill(3);
    const nonce = solvePow((n) => registerPowInput(challenge, 'alice', alice.publicKey, n), 12);
    expect(leadingZeroBits(nobleSha256(registerPowInput(challenge, 'alice', alice.publicKey, nonce)))).toBeGreaterThanOrEqual(12);
  });

  it('POW-3 solvePowAsync finds the same nonce as solvePow and lets other work run while it hashes', async () => {
    // This challenge's first 16-bit solution is nonce 280 239: at least a tenth of a second of hashing
    // on any machine, long enough that the solver must have let timers run in between.
    const challenge = new Uint8Array(32).fill(17);
    const letter = Uint8Array.of(1, 2, 3);
    const input = (n: Uint8Array) => sendPowInput(challenge, 'bob', letter, n);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let nonce: Uint8Array;
    try {
      nonce = await solvePowAsync(input, 16);
    } finally {
      clearInterval(timer);
    }
    expect(new DataView(nonce.buffer, nonce.byteOffset, 8).getBigUint64(0)).toBe(280_239n);
    expect(nonce).toEqual(solvePow(input, 16));
    // A solver that blocks the event loop would let no tick through, and a peer's heartbeat ping would
    // go unanswered (the Operator then closes the connection).
    expect(ticks).toBeGreaterThan(1);
    await expect(solvePowAsync(input, 33)).rejects.toThrow(RangeError);
    expect(await solvePowAsync(input, 0)).toEqual(new Uint8Array(8));
  });

  it('POW-3 solvePowAsync stops when its signal is aborted, with the signal\'s reason', async () => {
    const challenge = new Uint8Array(32).fill(17);
    const abort = new AbortController();
    const solving = solvePowAsync((n) => sendPowInput(challenge, 'bob', Uint8Array.of(1), n), 32, { signal: abort.signal });
    setTimeout(() => abort.abort(new Error('closed by the user')), 20);
    await expect(solving).rejects.toThrow('closed by the user');
  });

  it('POW-1 the input is the msgpack map {ctx, challenge, name|to, key|letter, nonce}, nonce last', () => {
    const challenge = new Uint8Array(32).fill(9);
    const nonce = new Uint8Array(8).fill(1);
    const reg = decode(registerPowInput(challenge, 'alice', alice.publicKey, nonce)) as Record<string, unknown>;
    expect(Object.keys(reg)).toEqual(['ctx', 'challenge', 'name', 'key', 'nonce']);
    expect(reg['ctx']).toBe('comrad/pow/register/v2');
    const send = decode(sendPowInput(challenge, 'bob', Uint8Array.of(1), nonce)) as Record<string, unknown>;
    expect(Object.keys(send)).toEqual(['ctx', 'challenge', 'to', 'letter', 'nonce']);
    expect(send['ctx']).toBe('comrad/pow/send/v2');
  });

  it('FEED-1 epochs are UTC days', () => {
    expect(epochOf(0)).toBe(0);
    expect(epochOf(86_400_000 - 1)).toBe(0);
    expect(epochOf(Date.UTC(2025, 5, 1, 23, 59))).toBe(epochOf(Date.UTC(2025, 5, 1, 0, 0)));
  });
});
