/**
 * The differential test of the `webcrypto` backend (CRY-10, CRY-11, CRY-12, CRY-16, CRY-18) against
 * wasm-themis, the reference, in Node (whose `crypto.subtle` is the Web Crypto API): the same bytes both
 * ways, byte-identical output for the same IV, and the same decision with the same code on every damaged
 * input, directly at the backend and through the public asynchronous API. The browser runs the vectors
 * under it (test/browser).
 */
import { ECDH, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { p256 } from '@noble/curves/nist.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cellOpen,
  cellOpenAsync,
  cellSealAsync,
  ComradError,
  concatBytes,
  decryptFrom,
  decryptFromAsync,
  encryptForAsync,
  KeyPair,
  passphraseOpen,
  passphraseSeal,
  PrivateKey,
  PublicKey,
  ready,
  sign,
  signAsync,
  SymmetricKey,
  toHex,
  utf8,
  verify,
  verifyAsync,
} from '@comrad/core';
import type { AsyncCryptoBackend, CryptoBackend } from '../src/crypto/_backend.js';
import { loadAsyncBackend, loadBackend, _swapBackend } from '../src/crypto/backend.js';
import { _testing } from '../src/crypto/_webcrypto-backend.js';
import { decompress } from '../src/crypto/_point.js';
import { keyFormsArb, keyFormsOf, offCurveCompressed, ORDER, privateContainer, publicContainer, scalarBytes, type KeyForms } from '@comrad/test-kit/core/themis-keys';

let wasm: CryptoBackend;
let web: AsyncCryptoBackend;
beforeAll(async () => {
  wasm = await loadBackend('wasm');
  web = await loadAsyncBackend('webcrypto');
});
afterAll(async () => {
  await ready({ backend: 'node' });
});

type Outcome = { ok: true; hex: string } | { ok: false; code: string };

function outcome(run: () => Uint8Array): Outcome {
  try {
    return { ok: true, hex: toHex(run()) };
  } catch (err) {
    if (err instanceof ComradError) return { ok: false, code: err.code };
    throw err;
  }
}

async function outcomeAsync(run: () => Promise<Uint8Array>): Promise<Outcome> {
  try {
    return { ok: true, hex: toHex(await run()) };
  } catch (err) {
    if (err instanceof ComradError) return { ok: false, code: err.code };
    throw err;
  }
}

/** The same input through the public API: synchronous under wasm, asynchronous under webcrypto. */
async function viaApi(syncRun: () => Uint8Array, asyncRun: () => Promise<Uint8Array>): Promise<{ wasm: Outcome; webcrypto: Outcome }> {
  await ready({ backend: 'wasm' });
  const w = outcome(syncRun);
  await ready({ backend: 'webcrypto' });
  return { wasm: w, webcrypto: await outcomeAsync(asyncRun) };
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;
const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

const messageArb = fc.oneof({ weight: 5, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 301, maxLength: 20_000 }) });
const smallMessageArb = fc.uint8Array({ minLength: 1, maxLength: 200 });
const masterKeyArb = fc.oneof({ weight: 3, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 80 }) });
const contextArb = fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 64 }));
const makerArb = fc.constantFrom<'wasm' | 'webcrypto'>('wasm', 'webcrypto');

function typed(forms: KeyForms, shortPrivate: boolean, uncompressedPublic: boolean): { priv: PrivateKey; pub: PublicKey } {
  return { priv: PrivateKey.from(shortPrivate ? forms.private44 : forms.private45), pub: PublicKey.from(uncompressedPublic ? forms.public77 : forms.public45) };
}
const pairArb = fc.tuple(keyFormsArb, fc.boolean(), fc.boolean()).map(([forms, s, u]) => typed(forms, s, u));

type Damage = { kind: 'flip'; at: number } | { kind: 'cut'; at: number } | { kind: 'append'; bytes: Uint8Array };
const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((at) => ({ kind: 'flip' as const, at })) },
  { weight: 3, arbitrary: fc.nat(52 * 8 - 1).map((at) => ({ kind: 'flip' as const, at })) },
  { weight: 2, arbitrary: fc.nat().map((at) => ({ kind: 'cut' as const, at })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => ({ kind: 'append' as const, bytes })) },
);
function damage(bytes: Uint8Array, d: Damage): Uint8Array {
  if (d.kind === 'append') return concatBytes(bytes, d.bytes);
  if (d.kind === 'cut') return bytes.slice(0, d.at % bytes.length);
  const out = bytes.slice();
  const bit = d.at % (bytes.length * 8);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

describe('the webcrypto backend against wasm-themis', () => {
  it('CRY-10 signed messages made by either verify in both, with the same framing', async () => {
    await fc.assert(
      fc.asyncProperty(pairArb, messageArb, async ({ priv, pub }, message) => {
        const made = [await web.sign(priv, message), wasm.sign(priv, message)];
        for (const signed of made) {
          // ECDSA is randomised: the type, the length and the message part are compared byte for byte.
          expect(same(signed.subarray(0, 8), concatBytes(le32(0x26042620), le32(message.length)))).toBe(true);
          expect(same(signed.subarray(12, 12 + message.length), message)).toBe(true);
          expect(same(wasm.verify(pub, signed), message)).toBe(true);
          expect(same(await web.verify(pub, signed), message)).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('CRY-10 encrypted messages open in both, and webcrypto with wasm-themis’ IV gives its exact bytes', async () => {
    await fc.assert(
      fc.asyncProperty(pairArb, pairArb, messageArb, async (a, b, message) => {
        const fromWasm = wasm.encrypt(a.priv, b.pub, message);
        const fromWeb = await web.encrypt(a.priv, b.pub, message);
        for (const box of [fromWasm, fromWeb]) {
          expect(same(wasm.decrypt(b.priv, a.pub, box), message)).toBe(true);
          expect(same(await web.decrypt(b.priv, a.pub, box), message)).toBe(true);
        }
        expect(same(await _testing.encryptWithIv(a.priv, b.pub, message, fromWasm.subarray(24, 36)), fromWasm)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('CRY-10 Secure Cells (any master key length, with and without context) open in both and match byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(masterKeyArb, messageArb, contextArb, async (key, message, context) => {
        const fromWasm = wasm.cellSeal(key, message, context);
        const fromWeb = await web.cellSeal(key, message, context);
        for (const cell of [fromWasm, fromWeb]) {
          expect(same(wasm.cellOpen(key, cell, context), message)).toBe(true);
          expect(same(await web.cellOpen(key, cell, context), message)).toBe(true);
        }
        expect(same(await _testing.cellSealWithIv(key, message, context, fromWasm.subarray(16, 28)), fromWasm)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('CRY-11 every bit flip, cut or addition of a signed message gets the same decision, directly and through the API', async () => {
    await fc.assert(
      fc.asyncProperty(pairArb, smallMessageArb, makerArb, damageArb, async ({ priv, pub }, message, maker, d) => {
        const damaged = damage(maker === 'wasm' ? wasm.sign(priv, message) : await web.sign(priv, message), d);
        expect(await outcomeAsync(() => web.verify(pub, damaged))).toEqual(outcome(() => wasm.verify(pub, damaged)));
        const api = await viaApi(() => verify(pub, damaged), () => verifyAsync(pub, damaged));
        expect(api.webcrypto).toEqual(api.wasm);
      }),
      { numRuns: 250 },
    );
  });

  it('CRY-11 every bit flip, cut or addition of an encrypted message gets the same decision, directly and through the API', async () => {
    await fc.assert(
      fc.asyncProperty(pairArb, pairArb, smallMessageArb, makerArb, damageArb, async (a, b, message, maker, d) => {
        const damaged = damage(maker === 'wasm' ? wasm.encrypt(a.priv, b.pub, message) : await web.encrypt(a.priv, b.pub, message), d);
        expect(await outcomeAsync(() => web.decrypt(b.priv, a.pub, damaged))).toEqual(outcome(() => wasm.decrypt(b.priv, a.pub, damaged)));
        const api = await viaApi(() => decryptFrom(b.priv, a.pub, damaged), () => decryptFromAsync(b.priv, a.pub, damaged));
        expect(api.webcrypto).toEqual(api.wasm);
      }),
      { numRuns: 150 },
    );
  });

  it('CRY-11 every bit flip, cut or addition of a Secure Cell gets the same decision, directly and through the API', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), smallMessageArb, contextArb, makerArb, damageArb, async (key, message, context, maker, d) => {
        const damaged = damage(maker === 'wasm' ? wasm.cellSeal(key, message, context) : await web.cellSeal(key, message, context), d);
        expect(await outcomeAsync(() => web.cellOpen(key, damaged, context))).toEqual(outcome(() => wasm.cellOpen(key, damaged, context)));
        const api = await viaApi(
          () => cellOpen(SymmetricKey.from(key), damaged, context),
          () => cellOpenAsync(SymmetricKey.from(key), damaged, context),
        );
        expect(api.webcrypto).toEqual(api.wasm);
      }),
      { numRuns: 300 },
    );
  });

  it('CRY-11 every single-bit flip of every header and token field, and every truncation, gets the same decision', async () => {
    const pair = typed(keyFormsOf(scalarBytes(0xabcdefn)), false, false);
    const key = randomBytes(32);
    const context = utf8('context');
    const message = utf8('exhaustive');
    const samples: Array<[string, Uint8Array, (bytes: Uint8Array) => Uint8Array, (bytes: Uint8Array) => Promise<Uint8Array>]> = [
      ['signed', wasm.sign(pair.priv, message), (b) => wasm.verify(pair.pub, b), (b) => web.verify(pair.pub, b)],
      ['encrypted', wasm.encrypt(pair.priv, pair.pub, message), (b) => wasm.decrypt(pair.priv, pair.pub, b), (b) => web.decrypt(pair.priv, pair.pub, b)],
      ['cell', wasm.cellSeal(key, message, context), (b) => wasm.cellOpen(key, b, context), (b) => web.cellOpen(key, b, context)],
    ];
    for (const [name, sample, reference, ours] of samples) {
      const damaged = [
        ...Array.from({ length: Math.min(sample.length, 52) * 8 }, (_, at) => damage(sample, { kind: 'flip', at })),
        // Every bit of the DER signature too: strict DER is decided here, not by Web Crypto.
        ...(name === 'signed' ? Array.from({ length: (sample.length - 12 - message.length) * 8 }, (_, i) => damage(sample, { kind: 'flip', at: (12 + message.length) * 8 + i })) : []),
        ...Array.from({ length: sample.length }, (_, at) => sample.slice(0, at)),
      ];
      for (const bytes of damaged) expect(await outcomeAsync(() => ours(bytes)), `${name} ${toHex(bytes)}`).toEqual(outcome(() => reference(bytes)));
    }
  });

  it('CRY-11 what Themis tolerates webcrypto accepts too (longer IV and tag fields, junk after the token, AES-128/192, trailing bytes after a signature)', async () => {
    const pair = typed(keyFormsOf(scalarBytes(7n)), false, false);
    const message = utf8('tolerated');
    const key = randomBytes(32);
    const context = utf8('ctx');
    const signed = wasm.sign(pair.priv, message);
    const cell = wasm.cellSeal(key, message, context);
    const token = cell.subarray(0, 44);
    const body = cell.subarray(44);
    const withField = (bytes: Uint8Array, at: number, value: number) => {
      const out = bytes.slice();
      new DataView(out.buffer).setUint32(at, value, true);
      return out;
    };
    const cases: Array<[string, (b: 'wasm' | 'web') => Uint8Array | Promise<Uint8Array>]> = [
      ['signed + 2 bytes', (b) => (b === 'wasm' ? wasm.verify(pair.pub, concatBytes(signed, Uint8Array.of(0, 0))) : web.verify(pair.pub, concatBytes(signed, Uint8Array.of(0, 0))))],
      ['another EC type byte', (b) => (b === 'wasm' ? wasm.verify(pair.pub, withField(signed, 0, 0x26042621)) : web.verify(pair.pub, withField(signed, 0, 0x26042621)))],
      ...(
        [
          ['16-byte IV field', concatBytes(withField(token, 4, 16).subarray(0, 28), new Uint8Array(4), token.subarray(28), body)],
          ['20-byte tag field', concatBytes(withField(token, 8, 20), new Uint8Array(4), body)],
          ['3 bytes between token and ciphertext', concatBytes(token, Uint8Array.of(1, 2, 3), body)],
        ] as Array<[string, Uint8Array]>
      ).map(([name, sealed]): [string, (b: 'wasm' | 'web') => Uint8Array | Promise<Uint8Array>] => [name, (b) => (b === 'wasm' ? wasm.cellOpen(key, sealed, context) : web.cellOpen(key, sealed, context))]),
    ];
    for (const [name, run] of cases) {
      expect(outcome(() => run('wasm') as Uint8Array), name).toEqual({ ok: true, hex: toHex(message) });
      expect(await outcomeAsync(async () => run('web')), name).toEqual({ ok: true, hex: toHex(message) });
    }
    const tiny = Uint8Array.of(9);
    expect(same(await web.cellOpen(tiny, wasm.cellSeal(tiny, message, context), context), message)).toBe(true);
    expect(same(wasm.cellOpen(tiny, await web.cellSeal(tiny, message, context), context), message)).toBe(true);
  });

  it('CRY-11 a wrong key or context, and empty inputs, are refused by both with the same code', async () => {
    const a = typed(keyFormsOf(scalarBytes(11n)), false, false);
    const b = typed(keyFormsOf(scalarBytes(12n)), false, false);
    const message = utf8('m');
    const key = randomBytes(32);
    const empty = new Uint8Array(0);
    const signed = wasm.sign(a.priv, message);
    const box = wasm.encrypt(a.priv, b.pub, message);
    const cell = wasm.cellSeal(key, message, empty);
    const cases: Array<[(x: CryptoBackend) => Uint8Array, () => Promise<Uint8Array>]> = [
      [(x) => x.verify(b.pub, signed), () => web.verify(b.pub, signed)],
      [(x) => x.decrypt(a.priv, a.pub, box), () => web.decrypt(a.priv, a.pub, box)],
      [(x) => x.cellOpen(randomBytes(32), cell, empty), () => web.cellOpen(randomBytes(32), cell, empty)],
      [(x) => x.cellOpen(key, cell, Uint8Array.of(1)), () => web.cellOpen(key, cell, Uint8Array.of(1))],
      [(x) => x.sign(a.priv, empty), () => web.sign(a.priv, empty)],
      [(x) => x.verify(a.pub, empty), () => web.verify(a.pub, empty)],
      [(x) => x.encrypt(a.priv, a.pub, empty), () => web.encrypt(a.priv, a.pub, empty)],
      [(x) => x.decrypt(a.priv, a.pub, empty), () => web.decrypt(a.priv, a.pub, empty)],
      [(x) => x.cellSeal(key, empty, empty), () => web.cellSeal(key, empty, empty)],
      [(x) => x.cellSeal(empty, message, empty), () => web.cellSeal(empty, message, empty)],
      [(x) => x.cellOpen(key, empty, empty), () => web.cellOpen(key, empty, empty)],
    ];
    for (const [reference, ours] of cases) {
      const r = outcome(() => reference(wasm));
      expect(r.ok).toBe(false);
      expect(await outcomeAsync(ours)).toEqual(r);
    }
  });

  it('CRY-12, CRY-16 key pairs generated by either work in the other, in all four container forms', async () => {
    for (const maker of ['wasm', 'webcrypto'] as const) {
      for (let i = 0; i < 4; i++) {
        const made = maker === 'wasm' ? wasm.generateKeyPair() : await web.generateKeyPair();
        expect(made.privateKey.length).toBe(45);
        expect(made.privateKey[12]).toBe(0);
        expect(made.publicKey.length).toBe(45);
        const forms: KeyForms = {
          private45: made.privateKey,
          private44: privateContainer(made.privateKey.subarray(13), 44),
          public45: made.publicKey,
          public77: publicContainer(ECDH.convertKey(made.publicKey.subarray(12), 'prime256v1', undefined, undefined, 'uncompressed') as Buffer),
        };
        const peer = typed(keyFormsOf(scalarBytes(0xc0ffeen + BigInt(i))), false, false);
        for (const [s, u] of [[false, false], [true, true], [true, false], [false, true]] as const) {
          const { priv, pub } = typed(forms, s, u);
          const message = utf8(`${maker} key ${i}`);
          expect(same(wasm.verify(pub, await web.sign(priv, message)), message)).toBe(true);
          expect(same(await web.verify(pub, wasm.sign(priv, message)), message)).toBe(true);
          expect(same(wasm.decrypt(peer.priv, pub, await web.encrypt(priv, peer.pub, message)), message)).toBe(true);
          expect(same(await web.decrypt(peer.priv, pub, wasm.encrypt(priv, peer.pub, message)), message)).toBe(true);
        }
      }
    }
  });

  it('CRY-12 unusable keys in valid containers fail every operation with the same code as wasm-themis', async () => {
    const peer = typed(keyFormsOf(scalarBytes(99n)), false, false);
    const message = utf8('m');
    const signed = wasm.sign(peer.priv, message);
    const box = wasm.encrypt(peer.priv, peer.pub, message);
    const restore = _swapBackend({ ...wasm, checkPublicKey: () => {} });
    const badPublic = [PublicKey.from(offCurveCompressed(1)), PublicKey.from(offCurveCompressed(1000))];
    restore();
    const badPrivate = [0n, ORDER, ORDER + 5n, 2n ** 256n - 1n].flatMap((d) => [44, 45].map((n) => PrivateKey.from(privateContainer(scalarBytes(d), n as 44 | 45))));
    // A wiped key, after webcrypto has cached its handles: no longer a container at all (INVALID_KEY).
    const wiped = PrivateKey.from(keyFormsOf(scalarBytes(1234n)).private45);
    await web.sign(wiped, message);
    await web.decrypt(wiped, peer.pub, wasm.encrypt(peer.priv, PublicKey.from(keyFormsOf(scalarBytes(1234n)).public45), message));
    wiped.wipe();
    badPrivate.push(wiped);
    const runs: Array<[(b: CryptoBackend) => Uint8Array, () => Promise<Uint8Array>]> = [
      ...badPublic.flatMap((pub): Array<[(b: CryptoBackend) => Uint8Array, () => Promise<Uint8Array>]> => [
        [(b) => b.verify(pub, signed), () => web.verify(pub, signed)],
        [(b) => b.encrypt(peer.priv, pub, message), () => web.encrypt(peer.priv, pub, message)],
        [(b) => b.decrypt(peer.priv, pub, box), () => web.decrypt(peer.priv, pub, box)],
      ]),
      ...badPrivate.flatMap((priv): Array<[(b: CryptoBackend) => Uint8Array, () => Promise<Uint8Array>]> => [
        [(b) => b.sign(priv, message), () => web.sign(priv, message)],
        [(b) => b.encrypt(priv, peer.pub, message), () => web.encrypt(priv, peer.pub, message)],
        [(b) => b.decrypt(priv, peer.pub, box), () => web.decrypt(priv, peer.pub, box)],
      ]),
    ];
    for (const [reference, ours] of runs) {
      const r = outcome(() => reference(wasm));
      expect(r.ok).toBe(false);
      expect(await outcomeAsync(ours)).toEqual(r);
    }
  });

  it('CRY-9, CRY-13 passphrase cells: each opens the other’s, byte-identical for the same IV and salt, and damage gets the same decision', async () => {
    await ready({ backend: 'wasm' });
    const message = utf8('keystore content');
    const context = utf8('COMRADKS');
    const fromWasm = await passphraseSeal('correct horse', message, context);
    await ready({ backend: 'webcrypto' });
    const fromWeb = await passphraseSeal('correct horse', message, context);
    expect(same(await passphraseOpen('correct horse', fromWasm, context), message)).toBe(true);
    const iterations = new DataView(fromWasm.buffer, fromWasm.byteOffset).getUint32(48, true);
    const again = await _testing.passphraseSealWith('correct horse', message, context, fromWasm.subarray(20, 32), fromWasm.slice(54, 70), iterations);
    expect(toHex(again)).toBe(toHex(fromWasm));
    // Damage on a cell of 1000 iterations (CRY-17 allows 1 to 1 000 000): the decisions, not PBKDF2, are under test.
    const light = await _testing.passphraseSealWith('pw', message, context, fromWasm.subarray(20, 32), fromWasm.slice(54, 70), 1000);
    for (const flip of [0, 25 * 8, 40 * 8 + 3, 49 * 8, 60 * 8, 70 * 8 + 1, (light.length - 1) * 8]) {
      const bad = damage(light, { kind: 'flip', at: flip });
      await ready({ backend: 'wasm' });
      const w = await outcomeAsync(() => passphraseOpen('pw', bad, context));
      await ready({ backend: 'webcrypto' });
      expect(await outcomeAsync(() => passphraseOpen('pw', bad, context)), `flip ${flip}`).toEqual(w);
    }
    await ready({ backend: 'wasm' });
    expect(same(await passphraseOpen('correct horse', fromWeb, context), message)).toBe(true);
    expect((await outcomeAsync(() => passphraseOpen('wrong horse', fromWeb, context))).ok).toBe(false);
  });

  it('CRY-18 point decompression agrees with OpenSSL and @noble/curves, and refuses x with no point', () => {
    fc.assert(
      fc.property(keyFormsArb, (forms) => {
        const point = decompress(forms.public45.subarray(12))!;
        expect(toHex(point)).toBe(toHex(forms.public77.subarray(12)));
        expect(toHex(point)).toBe(toHex(p256.Point.fromBytes(forms.public45.subarray(12)).toBytes(false)));
      }),
      { numRuns: 100 },
    );
    expect(decompress(offCurveCompressed(1).subarray(12))).toBeUndefined();
    expect(decompress(Uint8Array.of(0x02, ...new Uint8Array(32).fill(0xff)))).toBeUndefined();
  });

  it('CRY-18 DER and r‖s convert both ways; non-minimal, negative, long-form and trailing encodings are refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (raw) => {
        const der = _testing.derFromRaw(raw);
        expect(toHex(_testing.rawFromDer(der)!)).toBe(toHex(raw));
        expect(toHex(der)).toBe(toHex(new p256.Signature(BigInt('0x' + (toHex(raw.subarray(0, 32)) || '0')), BigInt('0x' + toHex(raw.subarray(32)))).toBytes('der')));
      }),
      { numRuns: 200 },
    );
    const r = Uint8Array.of(0x02, 0x01, 0x05);
    const seq = (...parts: Uint8Array[]) => {
      const body = concatBytes(...parts);
      return concatBytes(Uint8Array.of(0x30, body.length), body);
    };
    expect(_testing.rawFromDer(seq(r, r))).toBeDefined();
    expect(_testing.rawFromDer(seq(Uint8Array.of(0x02, 0x02, 0x00, 0x05), r))).toBeUndefined(); // not minimal
    expect(_testing.rawFromDer(seq(Uint8Array.of(0x02, 0x01, 0x85), r))).toBeUndefined(); // negative
    expect(_testing.rawFromDer(concatBytes(seq(r, r), Uint8Array.of(0)))).toBeUndefined(); // trailing
    expect(_testing.rawFromDer(concatBytes(Uint8Array.of(0x30, 0x81, 6), r, r))).toBeUndefined(); // long form
    expect(_testing.rawFromDer(seq(r, r, r))).toBeUndefined(); // a third integer
  });

  it('CRY-18 the synchronous API refuses under webcrypto with INTERNAL, the asynchronous one works, and keys parse and check as before', async () => {
    await ready({ backend: 'webcrypto' });
    const pair = await KeyPair.generateAsync();
    expect(() => sign(pair.privateKey, utf8('m'))).toThrow(/asynchronous/);
    expect(() => KeyPair.generate()).toThrow(/generateAsync/);
    const message = utf8('through the API');
    expect(same(await verifyAsync(pair.publicKey, await signAsync(pair.privateKey, message)), message)).toBe(true);
    const other = await KeyPair.generateAsync();
    expect(same(await decryptFromAsync(other.privateKey, pair.publicKey, await encryptForAsync(pair.privateKey, other.publicKey, message)), message)).toBe(true);
    const key = SymmetricKey.generate();
    expect(same(await cellOpenAsync(key, await cellSealAsync(key, message, utf8('c')), utf8('c')), message)).toBe(true);
    // KEY-1: an off-curve point is refused at parse time under webcrypto as under the others.
    expect(() => PublicKey.from(offCurveCompressed(3))).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
  });

  it('CRY-15 a wiped symmetric key is not served from the cache: the cell no longer opens', async () => {
    const key = SymmetricKey.generate();
    const message = utf8('frame');
    const cell = await web.cellSeal(key.raw, message, new Uint8Array(0));
    expect(same(await web.cellOpen(key.raw, cell, new Uint8Array(0)), message)).toBe(true);
    key.wipe();
    expect(await outcomeAsync(() => web.cellOpen(key.raw, cell, new Uint8Array(0)))).toEqual({ ok: false, code: 'DECRYPT_FAILED' });
  });
});
