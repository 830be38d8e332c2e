/**
 * The handshake (AUTH-*) and the registry (REG-*) of spec/05-operator.md, over a real WebSocket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyPair } from '@comrad/core';
import { Keymaker } from '@comrad/core/keymaker';
import WebSocket from 'ws';
import { checkPow, decodeServerFrame, encodeRequest, makeAuthProof, makeRegisterProof, registerPowInput, solvePow, verifyLookup, type ServerFrame } from '@comrad/core/wire';
import { TestClient } from '@comrad/test-kit/operator/client';
import { refusedWith, startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';

let t: TestOperator;
let alice: Keymaker;

beforeAll(async () => {
  t = await startTestOperator();
  alice = await t.register('alice');
});
afterAll(() => t.close());

/** The err part of a frame, for comparing refusals. */
const errOf = (f: ServerFrame) => (f.type === 'err' ? { code: f.code, message: f.message } : f);

describe('AUTH-* the handshake', () => {
  it('AUTH-1 every connection is greeted with its own fresh 32-byte challenge and the Operator key', async () => {
    const [a, b] = [await t.connect(), await t.connect()];
    expect(a.hello.challenge).toHaveLength(32);
    expect(Buffer.from(a.hello.challenge).equals(Buffer.from(b.hello.challenge))).toBe(false);
    expect(a.hello.operatorKey.equals(t.keys.operator.publicKey)).toBe(true);
  });

  it('AUTH-7 AUTH-8 the greeting is signed by the Operator key over this client\'s hello and names the world key', async () => {
    const c = await TestClient.connect(t.url, t.keys.operator.publicKey);
    expect(c.hello.worldKey.equals(t.keys.world.publicKey)).toBe(true);
    expect((await c.request('info', {})).worldKey.equals(c.hello.worldKey)).toBe(true);
    await c.close();
  });

  it('AUTH-7 a connection without a client hello is refused (UNSUPPORTED_VERSION) and closed', async () => {
    const ws = new WebSocket(t.url);
    ws.on('error', () => undefined);
    const first = await new Promise<Uint8Array>((resolve) => ws.once('message', (d: Buffer) => resolve(new Uint8Array(d))));
    expect(decodeServerFrame(first)).toMatchObject({ type: 'err', code: 'UNSUPPORTED_VERSION' });
    expect(await new Promise((resolve) => ws.once('close', resolve))).toBe(1002);
  });

  it('AUTH-10 an unsealed frame after the greeting → DECRYPT_FAILED, the connection closes, nothing is done', async () => {
    const c = await t.connect();
    const at = t.clock.now();
    const sig = makeAuthProof(alice.keys.privateKey, { challenge: c.hello.challenge, operatorKey: c.hello.operatorKey, name: 'alice', at });
    c.sendUnsealed(encodeRequest(1, 'auth', { name: 'alice', at, sig }));
    expect(errOf(await c.nextLoose())).toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(await c.closed).toBe(1008);
  });

  it('OP-4 AUTH-6 before auth only public ops; after auth the connection acts as the comrade', async () => {
    const c = await t.connect();
    for (const [op, params] of [
      ['fetch', {}],
      ['ack', { ids: ['x'] }],
      ['worldKey', {}],
      ['post', { post: Uint8Array.of(1), expiresInDays: 1 }],
      ['feed', {}],
      ['delete', { postId: 'x' }],
    ] as const) {
      await refusedWith(c.request(op, params as never), 'UNAUTHENTICATED');
    }
    expect(await c.auth(alice, t.clock.now())).toEqual({ name: 'alice' });
    expect(await c.request('fetch', {})).toEqual({ items: [] });
  });

  it('AUTH-5 wrong key, unknown name, bad signature and stale time all get the same answer', async () => {
    const mallory = KeyPair.generate();
    const attempts: ServerFrame[] = [];
    const now = t.clock.now();
    for (const [name, key, at] of [
      ['alice', mallory, now], // wrong key
      ['nobody', mallory, now], // unknown name
      ['alice', alice.keys, now - 5 * 60_000 - 1], // stale
      ['alice', alice.keys, now + 5 * 60_000 + 1], // from the future
    ] as const) {
      const c = await t.connect();
      const sig = makeAuthProof(key.privateKey, { challenge: c.hello.challenge, operatorKey: c.hello.operatorKey, name, at });
      attempts.push(await c.requestFrame('auth', { name, at, sig }));
      // The connection stays up and serves public ops.
      expect((await c.request('info', {})).v).toBe(1);
    }
    const c = await t.connect();
    attempts.push(await c.requestFrame('auth', { name: 'alice', at: now, sig: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13) }));
    expect(attempts.map(errOf)).toEqual(Array(5).fill({ code: 'AUTH_FAILED', message: 'authentication failed' }));
  });

  it('AUTH-4 a time just within ±5 minutes is accepted', async () => {
    for (const skew of [-5 * 60_000, 5 * 60_000]) {
      const c = await t.connect();
      expect(await c.auth(alice, t.clock.now() + skew)).toEqual({ name: 'alice' });
    }
  });

  it('AUTH-3 a signature over another connection\'s challenge fails', async () => {
    const a = await t.connect();
    const b = await t.connect();
    await refusedWith(b.auth(alice, t.clock.now(), a.hello.challenge), 'AUTH_FAILED');
    // …and it spent b's challenge: even a correct proof fails now on b.
    await refusedWith(b.auth(alice, t.clock.now()), 'AUTH_FAILED');
    await refusedWith(b.request('fetch', {}), 'UNAUTHENTICATED');
    expect(await a.auth(alice, t.clock.now())).toEqual({ name: 'alice' });
  });

  it('AUTH-3 a replayed auth frame on the same connection fails, and the first login stays', async () => {
    const c = await t.connect();
    const at = t.clock.now();
    const sig = makeAuthProof(alice.keys.privateKey, { challenge: c.hello.challenge, operatorKey: c.hello.operatorKey, name: 'alice', at });
    expect(await c.request('auth', { name: 'alice', at, sig })).toEqual({ name: 'alice' });
    await refusedWith(c.request('auth', { name: 'alice', at, sig }), 'AUTH_FAILED');
    expect(await c.request('fetch', {})).toEqual({ items: [] });
  });
});

describe('REG-* the registry', () => {
  const proofFor = (me: Keymaker, name = me.name, operatorKey = t.keys.operator.publicKey) => makeRegisterProof(me.keys.privateKey, name, me.publicKey, operatorKey);

  it('REG-2 a taken name → NAME_TAKEN, a taken key → KEY_TAKEN; REG-5 repeating one\'s own registration succeeds', async () => {
    const c = await t.connect();
    const rival = Keymaker.generate('alice');
    await refusedWith(c.request('register', { name: 'alice', key: rival.publicKey, proof: proofFor(rival) }), 'NAME_TAKEN');
    const sameKey = new Keymaker('alice2', alice.keys);
    await refusedWith(c.request('register', { name: 'alice2', key: alice.publicKey, proof: proofFor(sameKey) }), 'KEY_TAKEN');
    const again = await c.request('register', { name: 'alice', key: alice.publicKey, proof: proofFor(alice) });
    expect(verifyLookup(again.statement, t.keys.operator.publicKey, 'alice').key.equals(alice.publicKey)).toBe(true);
  });

  it('REG-3 a proof for another name or another Operator → BAD_SIGNATURE, and nothing is registered', async () => {
    const c = await t.connect();
    const dave = Keymaker.generate('dave');
    await refusedWith(c.request('register', { name: 'dave', key: dave.publicKey, proof: proofFor(dave, 'davey') }), 'BAD_SIGNATURE');
    await refusedWith(c.request('register', { name: 'dave', key: dave.publicKey, proof: proofFor(dave, 'dave', KeyPair.generate().publicKey) }), 'BAD_SIGNATURE');
    await refusedWith(c.request('lookup', { name: 'dave' }), 'NOT_FOUND');
  });

  it('REG-1 NAME-3 reserved names cannot be registered; REG-7 nor the Operator\'s own keys', async () => {
    const c = await t.connect();
    const me = Keymaker.generate('admin');
    await refusedWith(c.request('register', { name: 'admin', key: me.publicKey, proof: proofFor(me) }), 'INVALID_NAME');
    const thief = new Keymaker('thief', t.keys.world);
    await refusedWith(c.request('register', { name: 'thief', key: thief.publicKey, proof: proofFor(thief) }), 'KEY_TAKEN');
    const op = verifyLookup((await c.request('lookup', { key: t.keys.operator.publicKey })).statement, t.keys.operator.publicKey);
    expect(op.name).toBe('operator');
  });

  it('REG-6 with proof of work required: none or too little → POW_REQUIRED, solved → registered', async () => {
    const pt = await startTestOperator({ limits: { registerPowBits: 12 } });
    try {
      const c = await pt.connect();
      expect((await c.request('info', {})).pow.register).toBe(12);
      const erin = Keymaker.generate('erin');
      const proof = makeRegisterProof(erin.keys.privateKey, 'erin', erin.publicKey, pt.keys.operator.publicKey);
      await refusedWith(c.request('register', { name: 'erin', key: erin.publicKey, proof }), 'POW_REQUIRED');
      // A nonce solved for another name (or at lower difficulty) does not do: it is checked for this input.
      // (Each has a 2^-12 chance to fit erin by luck; the first of three that does not is the test.)
      const foreign = ['frank', 'gina', 'hank']
        .map((name) => solvePow((n) => registerPowInput(c.hello.challenge, name, erin.publicKey, n), 12))
        .find((nonce) => !checkPow(registerPowInput(c.hello.challenge, 'erin', erin.publicKey, nonce), 12))!;
      await refusedWith(c.request('register', { name: 'erin', key: erin.publicKey, proof, pow: foreign }), 'POW_REQUIRED');
      // POW-2: that attempt spent this connection's challenge; even a good proof now needs a new connection.
      const late = solvePow((n) => registerPowInput(c.hello.challenge, 'erin', erin.publicKey, n), 12);
      await refusedWith(c.request('register', { name: 'erin', key: erin.publicKey, proof, pow: late }), 'POW_REQUIRED');
      // (At 12 bits a proof fits a new challenge by luck 1 time in 4096, and the Operator then rightly
      // registers: the connection used is the first of a few whose challenge it does not fit.)
      let d = await pt.connect();
      while (checkPow(registerPowInput(d.hello.challenge, 'erin', erin.publicKey, late), 12)) d = await pt.connect();
      // POW-1: a proof made for another connection's challenge does not do either.
      await refusedWith(d.request('register', { name: 'erin', key: erin.publicKey, proof, pow: late }), 'POW_REQUIRED');
      const e = await pt.connect();
      const pow = solvePow((n) => registerPowInput(e.hello.challenge, 'erin', erin.publicKey, n), 12);
      expect(verifyLookup((await e.request('register', { name: 'erin', key: erin.publicKey, proof, pow })).statement, pt.keys.operator.publicKey, 'erin')).toBeTruthy();
    } finally {
      await pt.close();
    }
  });
});
