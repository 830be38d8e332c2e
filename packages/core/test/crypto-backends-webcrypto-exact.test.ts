/**
 * The `webcrypto` backend's own decisions, one input per branch (issue 12, mutation testing of
 * `_webcrypto-backend.ts`): the path for platforms whose Web Crypto imports only uncompressed points
 * (Firefox; here Node's own Web Crypto, narrowed to that form for this file), the synchronous face's
 * refusals and a missing `crypto.subtle` (CRY-18), what Themis refuses that only a hand-made input reaches
 * (CRY-11, CRY-12, KEY-1, KEY-2), the adoption of a just-generated pair's keys (CRY-15, CRY-16), the
 * strict DER of signatures at its edges, and the error wrapping (CRY-11). crypto-webcrypto.test.ts stays
 * the differential guard; this file reaches what random inputs do not.
 *
 * The tests share this file's module state (vitest gives each file its own): whether the platform
 * imports compressed points is asked once, on the first public key imported, so the narrowing is in
 * place before any test runs.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComradError, concatBytes, PrivateKey, ProtocolError, PublicKey, ready, toHex, utf8 } from '@comrad/core';
import type { AsyncCryptoBackend, CryptoBackend } from '../src/crypto/_backend.js';
import { loadBackend } from '../src/crypto/backend.js';
import { makeContainer } from '../src/crypto/_container.js';
import { loadWebCryptoBackend, _testing } from '../src/crypto/_webcrypto-backend.js';
import { le32, looseKey, outcome, soterKey, thrown, throwingKey } from '@comrad/test-kit/core/backend-probes';
import { keyFormsOf, offCurveCompressed, offCurveUncompressed, ORDER, privateContainer, publicContainer, scalarBytes } from '@comrad/test-kit/core/themis-keys';

const subtle = globalThis.crypto.subtle;
const realImportKey = subtle.importKey;
/** Every `raw` import of a 33-byte (compressed) EC point this platform was asked for. */
let compressedAsked = 0;

let wasm: CryptoBackend;
let web: AsyncCryptoBackend;
let sync: CryptoBackend;
beforeAll(async () => {
  // Firefox's Web Crypto imports P-256 points in uncompressed form only: Node's, narrowed here to the
  // same, refuses a compressed one as Firefox does. Everything else is Node's Web Crypto unchanged.
  subtle.importKey = function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['importKey']>) {
    const [format, data, algorithm] = args;
    const name = typeof algorithm === 'object' ? (algorithm as { name?: string }).name : algorithm;
    if (format === 'raw' && (name === 'ECDSA' || name === 'ECDH') && (data as Uint8Array).byteLength === 33) {
      compressedAsked++;
      return Promise.reject(new DOMException('compressed points are not supported', 'NotSupportedError'));
    }
    return (realImportKey as (...a: unknown[]) => Promise<CryptoKey>).apply(this, args);
  } as SubtleCrypto['importKey'];
  wasm = await loadBackend('wasm');
  ({ sync, async: web } = await loadWebCryptoBackend());
});
afterAll(async () => {
  subtle.importKey = realImportKey;
  await ready({ backend: 'node' });
});


const typed = (d: bigint) => {
  const forms = keyFormsOf(scalarBytes(d));
  return { forms, priv: PrivateKey.from(forms.private45), pub: PublicKey.from(forms.public45) };
};

describe('webcrypto where the platform imports uncompressed points only (CRY-18, KEY-1)', () => {
  const message = utf8('compressed keys, decompressed by core');

  it('CRY-18 compressed keys are decompressed by core: sign, verify, encrypt and decrypt agree with wasm-themis; the platform is asked once', async () => {
    const a = typed(0x1111n);
    const b = typed(0x2222n);
    expect(toHex(await web.verify(a.pub, wasm.sign(a.priv, message)))).toBe(toHex(message));
    expect(toHex(wasm.verify(a.pub, await web.sign(a.priv, message)))).toBe(toHex(message));
    expect(toHex(wasm.decrypt(b.priv, a.pub, await web.encrypt(a.priv, b.pub, message)))).toBe(toHex(message));
    expect(toHex(await web.decrypt(b.priv, a.pub, wasm.encrypt(a.priv, b.pub, message)))).toBe(toHex(message));
    for (const d of [3n, 4n, 5n]) {
      const k = typed(d);
      expect(toHex(await web.verify(k.pub, wasm.sign(k.priv, message)))).toBe(toHex(message));
    }
    // One probe with the generator, then never again: the answer is kept.
    expect(compressedAsked).toBe(1);
  });

  it('KEY-1 CRY-11 an x with no point fails every operation with wasm-themis\' code, the cause saying why', async () => {
    const peer = typed(0x3333n);
    const signed = wasm.sign(peer.priv, message);
    const box = wasm.encrypt(peer.priv, peer.pub, message);
    for (const seed of [1, 1000]) {
      const off = looseKey<PublicKey>(offCurveCompressed(seed));
      const runs: Array<[(b: CryptoBackend) => Uint8Array, () => Promise<Uint8Array>]> = [
        [(b) => b.verify(off, signed), () => web.verify(off, signed)],
        [(b) => b.encrypt(peer.priv, off, message), () => web.encrypt(peer.priv, off, message)],
        [(b) => b.decrypt(peer.priv, off, box), () => web.decrypt(peer.priv, off, box)],
      ];
      for (const [reference, ours] of runs) {
        const r = await outcome(() => reference(wasm));
        expect(r.ok).toBe(false);
        expect(await outcome(ours)).toEqual(r);
      }
      const err = await thrown(() => web.verify(looseKey<PublicKey>(offCurveCompressed(seed)), signed));
      expect(((err as { cause?: Error }).cause as Error).name).toBe('UnusableKey');
    }
  });

  it('KEY-1 CRY-11 a point in hybrid form (06/07), or a prefix that does not fit the length, is refused as wasm-themis refuses it', async () => {
    const k = typed(0x4444n);
    const signed = wasm.sign(k.priv, message);
    const point = k.forms.public77.subarray(12);
    const parity = point[64]! & 1;
    const keys = [
      ...[0x06 | parity, 0x06 | (parity ^ 1), 0x02, 0x00].map((prefix) => publicContainer(Uint8Array.of(prefix, ...point.subarray(1)))),
      ...[0x04, 0x06, 0x00].map((prefix) => publicContainer(Uint8Array.of(prefix, ...k.forms.public45.subarray(13)))),
    ];
    // The uncompressed form itself is read as it is (a backend caller may hand it over; PublicKey.from
    // stores the compressed form): accepted by both.
    const uncompressed = looseKey<PublicKey>(k.forms.public77);
    expect(await outcome(() => web.verify(uncompressed, signed))).toEqual({ ok: true, hex: toHex(message) });
    expect(await outcome(() => wasm.verify(uncompressed, signed))).toEqual({ ok: true, hex: toHex(message) });
    for (const raw of keys) {
      const key = looseKey<PublicKey>(raw);
      const viaWeb = await outcome(() => web.verify(key, signed));
      expect(viaWeb, toHex(raw.subarray(12, 13))).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
      expect(await outcome(() => wasm.verify(key, signed))).toEqual(viaWeb);
      const err = await thrown(() => web.verify(looseKey<PublicKey>(raw), signed));
      expect(((err as { cause?: Error }).cause as Error).name).toBe('UnusableKey');
    }
  });
});

describe('the synchronous face and a missing crypto.subtle (CRY-18)', () => {
  it('CRY-18 every synchronous operation refuses with INTERNAL and names its asynchronous twin', () => {
    const pair = typed(0x5555n);
    const key = randomBytes(32);
    const m = utf8('m');
    const cases: Array<[() => unknown, RegExp]> = [
      [() => sync.generateKeyPair(), /KeyPair\.generateAsync\(\)/],
      [() => sync.sign(pair.priv, m), /use signAsync/],
      [() => sync.verify(pair.pub, m), /use verifyAsync/],
      [() => sync.encrypt(pair.priv, pair.pub, m), /use encryptForAsync/],
      [() => sync.decrypt(pair.priv, pair.pub, m), /use decryptFromAsync/],
      [() => sync.cellSeal(key, m, m), /use cellSealAsync/],
      [() => sync.cellOpen(key, m, m), /use cellOpenAsync/],
    ];
    for (const [run, names] of cases) {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err, String(names)).toBeInstanceOf(ComradError);
      expect(err).not.toBeInstanceOf(ProtocolError);
      expect((err as ComradError).code).toBe('INTERNAL');
      expect((err as Error).message).toMatch(names);
    }
    expect(sync.name).toBe('webcrypto');
  });

  it('CRY-18 without crypto.subtle the backend does not load, and an operation that needs it is INTERNAL, not a protocol error', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
    const real = globalThis.crypto;
    // A page served from plain http to another host: getRandomValues is there, subtle is not.
    Object.defineProperty(globalThis, 'crypto', { configurable: true, value: { getRandomValues: real.getRandomValues.bind(real) } });
    try {
      const noLoad = await thrown(() => loadWebCryptoBackend());
      expect(noLoad).toBeInstanceOf(ComradError);
      expect((noLoad as ComradError).code).toBe('INTERNAL');
      expect((noLoad as Error).message).toMatch(/secure context/);
      // No globalThis.crypto at all (an old or stripped runtime): the same refusal, not a TypeError.
      Object.defineProperty(globalThis, 'crypto', { configurable: true, value: undefined });
      const noCrypto = await thrown(() => loadWebCryptoBackend());
      expect(noCrypto).toBeInstanceOf(ComradError);
      expect(noCrypto).not.toBeInstanceOf(ProtocolError);
      expect((noCrypto as ComradError).code).toBe('INTERNAL');
      Object.defineProperty(globalThis, 'crypto', { configurable: true, value: { getRandomValues: real.getRandomValues.bind(real) } });
      const k = typed(0x6666n); // new key objects: nothing imported yet
      for (const run of [() => web.sign(k.priv, utf8('m')), () => web.cellSeal(randomBytes(32), utf8('m'), new Uint8Array(0)), () => web.encrypt(k.priv, k.pub, utf8('m'))]) {
        const err = await thrown(run);
        expect(err).toBeInstanceOf(ComradError);
        expect(err).not.toBeInstanceOf(ProtocolError);
        expect((err as ComradError).code).toBe('INTERNAL');
      }
    } finally {
      Object.defineProperty(globalThis, 'crypto', descriptor);
    }
    expect(globalThis.crypto).toBe(real);
  });
});

describe('webcrypto keys: what Themis refuses in a well-framed container, and fresh pairs (KEY-2, CRY-12, CRY-15, CRY-16)', () => {
  const message = utf8('m');

  it('KEY-2 CRY-12 a non-zero pad byte, a scalar of 0 or n: refused before the platform sees them, with wasm-themis\' codes', async () => {
    const peer = typed(0x7777n);
    const box = wasm.encrypt(peer.priv, peer.pub, message);
    const keys = [
      ...[0x01, 0xff].map((pad) => makeContainer('REC2', Uint8Array.of(pad, ...scalarBytes(5n)))),
      privateContainer(scalarBytes(0n), 45),
      privateContainer(scalarBytes(ORDER), 44),
    ];
    for (const raw of keys) {
      const key = looseKey<PrivateKey>(raw);
      const runs: Array<[(b: CryptoBackend) => Uint8Array, () => Promise<Uint8Array>]> = [
        [(b) => b.sign(key, message), () => web.sign(key, message)],
        [(b) => b.encrypt(key, peer.pub, message), () => web.encrypt(key, peer.pub, message)],
        [(b) => b.decrypt(key, peer.pub, box), () => web.decrypt(key, peer.pub, box)],
      ];
      for (const [reference, ours] of runs) {
        const r = await outcome(() => reference(wasm));
        expect(r.ok).toBe(false);
        expect(await outcome(ours)).toEqual(r);
      }
      const err = await thrown(() => web.sign(looseKey<PrivateKey>(raw), message));
      expect(((err as { cause?: Error }).cause as Error).name, toHex(raw)).toBe('UnusableKey');
    }
    // A 44-byte key has no pad byte: a first scalar byte that is not zero is just the scalar's.
    const high = keyFormsOf(scalarBytes(0x80n << 248n));
    expect(toHex(wasm.verify(PublicKey.from(high.public45), await web.sign(PrivateKey.from(high.private44), message)))).toBe(toHex(message));
    const largest = keyFormsOf(scalarBytes(ORDER - 1n));
    expect(toHex(wasm.verify(PublicKey.from(largest.public45), await web.sign(PrivateKey.from(largest.private45), message)))).toBe(toHex(message));
  });

  it('CRY-16 generated pairs: the compressed public key has the parity of y and belongs to the scalar', async () => {
    for (let i = 0; i < 24; i++) {
      const made = await web.generateKeyPair();
      expect(made.privateKey.length).toBe(45);
      expect(made.privateKey[12]).toBe(0);
      expect(toHex(made.publicKey)).toBe(toHex(keyFormsOf(made.privateKey.subarray(13)).public45));
    }
  });

  it('CRY-15 another key used right after a generation is itself: its own scalar, and its own point check', async () => {
    const other = typed(0x8888n);
    const peer = typed(0x9999n);
    await web.generateKeyPair();
    const box = await web.encrypt(PrivateKey.from(other.forms.private45), peer.pub, message);
    expect(toHex(wasm.decrypt(peer.priv, other.pub, box))).toBe(toHex(message));
    await ready({ backend: 'webcrypto' });
    try {
      const made = await web.generateKeyPair();
      // The point check is skipped for the fresh public key only: an off-curve key parsed next is refused.
      expect(await outcome(() => (PublicKey.from(offCurveCompressed(7)), new Uint8Array(0)))).toEqual({ ok: false, code: 'INVALID_KEY' });
      // Nor is a key of another length (the fresh key is 45 bytes, this one 77).
      await web.generateKeyPair();
      expect(await outcome(() => (PublicKey.from(offCurveUncompressed(other.forms, true)), new Uint8Array(0)))).toEqual({ ok: false, code: 'INVALID_KEY' });
      const pub = PublicKey.from(made.publicKey);
      expect(toHex(wasm.verify(pub, await web.sign(PrivateKey.from(made.privateKey), message)))).toBe(toHex(message));
    } finally {
      await ready({ backend: 'node' });
    }
  });
});

describe('webcrypto cells and the IV hooks (CRY-3, CRY-10, CRY-11)', () => {
  const message = utf8('tolerated');
  it('CRY-11 AES-128 and AES-192 cells, which Themis opens but never emits, open under webcrypto as under wasm-themis', async () => {
    const key = randomBytes(32);
    const context = utf8('ctx');
    for (const [alg, keyLength] of [[0x40010080, 16], [0x400100c0, 24]] as const) {
      const iv = randomBytes(12);
      const kdf = soterKey(key, message.length, context, keyLength);
      const cipher = createCipheriv(`aes-${keyLength * 8}-gcm` as 'aes-256-gcm', kdf, iv);
      cipher.setAAD(context);
      const ciphertext = cipher.update(message);
      cipher.final();
      const cell = concatBytes(le32(alg), le32(12), le32(16), le32(message.length), iv, cipher.getAuthTag(), ciphertext);
      expect(toHex(wasm.cellOpen(key, cell, context))).toBe(toHex(message));
      expect(toHex(await web.cellOpen(key, cell, context))).toBe(toHex(message));
    }
  });

  it('CRY-10 the fixed-IV hooks refuse an IV that is not 12 bytes', async () => {
    const pair = typed(0xaaaan);
    const key = randomBytes(32);
    for (const iv of [new Uint8Array(16), new Uint8Array(11)]) {
      expect(await outcome(() => _testing.cellSealWithIv(key, message, message, iv))).toEqual({ ok: false, code: 'INTERNAL' });
      expect(await outcome(() => _testing.encryptWithIv(pair.priv, pair.pub, message, iv))).toEqual({ ok: false, code: 'INVALID_KEY' });
    }
  });
});

describe('webcrypto errors: the operation\'s code, as wasm-themis reports it (CRY-11)', () => {
  it('CRY-11 a failure that is not Comrad\'s becomes the operation\'s code with its cause; a ProtocolError of another code too', async () => {
    for (const value of [null, undefined, 'not an Error', new Error('short')]) {
      const err = await thrown(() => web.sign(throwingKey(value), utf8('m')));
      expect(err, String(value)).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe('INVALID_KEY');
      expect((err as { cause?: unknown }).cause).toBe(value);
    }
    const foreign = new ProtocolError('DECRYPT_FAILED', 'from below');
    const converted = await thrown(() => web.sign(throwingKey(foreign), utf8('m')));
    expect((converted as ProtocolError).code).toBe('INVALID_KEY');
    expect((converted as { cause?: unknown }).cause).toBe(foreign);
    const invalid = new ProtocolError('INVALID_KEY', 'from below');
    const k = typed(0xbbbbn);
    expect(await thrown(() => web.decrypt(throwingKey(invalid), k.pub, wasm.encrypt(k.priv, k.pub, utf8('m'))))).toBe(invalid);
    const bad = await thrown(async () => web.verify(typed(0xccccn).pub, wasm.sign(k.priv, utf8('m'))));
    expect((bad as ProtocolError).code).toBe('BAD_SIGNATURE');
    expect((bad as { cause?: unknown }).cause).toBeUndefined();
  });
});

describe('webcrypto refusals only a hand-made input reaches (CRY-9, CRY-11)', () => {
  const message = utf8('m');
  it('CRY-11 sealing an empty passphrase or an empty message is refused by the backend itself, INTERNAL', async () => {
    expect(await outcome(() => web.passphraseSeal!('', message, new Uint8Array(0)))).toEqual({ ok: false, code: 'INTERNAL' });
    expect(await outcome(() => web.passphraseSeal!('pw', new Uint8Array(0), new Uint8Array(0)))).toEqual({ ok: false, code: 'INTERNAL' });
    expect(await outcome(() => _testing.passphraseSealWith('', message, new Uint8Array(0), new Uint8Array(12), new Uint8Array(16), 1000))).toEqual({ ok: false, code: 'INTERNAL' });
  });

  it('CRY-11 a valid ECDSA signature under the RSA type tag, or of an empty message part, is refused as wasm-themis refuses it', async () => {
    const k = typed(0xddddn);
    const signed = await web.sign(k.priv, message);
    const rsa = signed.slice();
    new DataView(rsa.buffer).setUint32(0, 0x26042610, true);
    // Signed by Web Crypto itself: the empty message's signature is real, only the framing is wrong.
    const der = _testing.derFromRaw(new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, await subtle.importKey('jwk', jwkOf(0xddddn), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']), new Uint8Array(0))));
    const empty = concatBytes(le32(0x26042620), le32(0), le32(der.length), der);
    for (const [name, bytes] of [['RSA type', rsa], ['empty message', empty]] as const) {
      const viaWeb = await outcome(() => web.verify(k.pub, bytes));
      expect(viaWeb, name).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
      expect(await outcome(() => wasm.verify(k.pub, bytes)), name).toEqual(viaWeb);
    }
  });

  it('CRY-11 a cell declaring an empty message, with a valid tag over nothing, is refused as wasm-themis refuses it', async () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', soterKey(key, 0, new Uint8Array(0), 32), iv);
    cipher.final();
    const cell = concatBytes(le32(0x40010100), le32(12), le32(16), le32(0), iv, cipher.getAuthTag());
    const viaWeb = await outcome(() => web.cellOpen(key, cell, new Uint8Array(0)));
    expect(viaWeb).toEqual({ ok: false, code: 'DECRYPT_FAILED' });
    expect(await outcome(() => wasm.cellOpen(key, cell, new Uint8Array(0)))).toEqual(viaWeb);
  });
});

/** The JWK of the P-256 private key with scalar `d`. */
function jwkOf(d: bigint): JsonWebKey {
  const point = keyFormsOf(scalarBytes(d)).public77.subarray(12);
  return { kty: 'EC', crv: 'P-256', d: Buffer.from(scalarBytes(d)).toString('base64url'), x: Buffer.from(point.subarray(1, 33)).toString('base64url'), y: Buffer.from(point.subarray(33)).toString('base64url') };
}

describe('ECDSA signatures between r‖s and strict DER, at the edges (CRY-18)', () => {
  const seq = (...parts: Uint8Array[]) => {
    const body = concatBytes(...parts);
    return concatBytes(Uint8Array.of(0x30, body.length), body);
  };
  const int = (...bytes: number[]) => Uint8Array.of(0x02, bytes.length, ...bytes);
  const raw = (r: number[], s: number[]) => {
    const out = new Uint8Array(64);
    out.set(r, 32 - r.length);
    out.set(s, 64 - s.length);
    return out;
  };

  it('CRY-18 DER from r‖s: zero, leading zero bytes and a high bit each get the minimal encoding', () => {
    expect(toHex(_testing.derFromRaw(new Uint8Array(64)))).toBe('3006020100020100');
    expect(toHex(_testing.derFromRaw(raw([0x80], [0x7f])))).toBe('30070202008002017f');
    expect(toHex(_testing.derFromRaw(raw([0x01, 0x00], [0x00, 0x80, 0x00])))).toBe('3009020201000203008000');
    const full = Uint8Array.from({ length: 64 }, (_, i) => (i === 0 || i === 32 ? 0xff : i));
    const der = _testing.derFromRaw(full);
    expect(toHex(der)).toBe(toHex(new p256.Signature(BigInt('0x' + toHex(full.subarray(0, 32))), BigInt('0x' + toHex(full.subarray(32)))).toBytes('der')));
    expect(der.length).toBe(72);
    for (const r of [new Uint8Array(64), raw([0x80], [0x7f]), full]) expect(toHex(_testing.rawFromDer(_testing.derFromRaw(r))!)).toBe(toHex(r));
  });

  it('CRY-18 r‖s from DER: an integer of length 0, a non-minimal zero, a 33-byte value, a long form and a short sequence are refused; a zero is read', () => {
    expect(toHex(_testing.rawFromDer(seq(int(0x00), int(0x05)))!)).toBe(toHex(raw([], [5])));
    expect(_testing.rawFromDer(seq(Uint8Array.of(0x02, 0x00), int(1, 2, 3, 4)))).toBeUndefined();
    expect(_testing.rawFromDer(seq(int(0x00, 0x00), int(0x05)))).toBeUndefined();
    expect(_testing.rawFromDer(seq(int(0x00, 0x80, ...new Array(31).fill(1)), int(0x05)))).toBeDefined();
    expect(_testing.rawFromDer(seq(int(0x01, ...new Array(32).fill(1)), int(0x05)))).toBeUndefined();
    expect(_testing.rawFromDer(seq(int(0x00, 0x00, 0x80, ...new Array(31).fill(1)), int(0x05)))).toBeUndefined();
    expect(_testing.rawFromDer(seq(Uint8Array.of(0x02, 0x81, 0x01, 0x05), int(0x05)))).toBeUndefined();
    expect(_testing.rawFromDer(seq(Uint8Array.of(0x02, 0x09, 1, 2, 3), int(0x05)))).toBeUndefined();
    expect(_testing.rawFromDer(Uint8Array.of(0x31, 0x06, ...int(1), ...int(1)))).toBeUndefined();
    expect(_testing.rawFromDer(Uint8Array.of(0x30, 0x05, ...int(1), 0x02, 0x00))).toBeUndefined();
    expect(_testing.rawFromDer(seq(int(1), int(1)))).toBeDefined();
  });
});
