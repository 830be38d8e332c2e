/**
 * The `webcrypto` backend, what neither the differential test (crypto-webcrypto.test.ts) nor the
 * branch-by-branch one (crypto-backends-webcrypto-exact.test.ts) pins (issue 12, mutation testing of
 * `_webcrypto-backend.ts`): what it hands to Web Crypto and how often (CRY-15: every key non-extractable,
 * the secrets copied for an import zeroed, one import per key object and one agreement per pair, a
 * generated pair's keys adopted only by its own bytes), the path a platform that imports compressed points
 * takes (Node, Chromium; CRY-18), the inputs only Themis's own checks refuse (an RSA signed type, an empty
 * signed message, an empty cell, an IV shorter than 12 bytes: CRY-11), and the codes of failures no
 * wasm-themis input reaches (CRY-11, CRY-18).
 *
 * Web Crypto's `importKey`, `deriveKey` and `generateKey` are Node's own, recorded as they pass: every
 * call goes through unchanged (only the generateKey test makes one call fail). Node's Web Crypto imports
 * compressed points, so here the backend hands them to the platform as Chromium's does.
 */
import { createCipheriv, createPrivateKey, randomBytes, sign as nodeSign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComradError, concatBytes, PrivateKey, ProtocolError, PublicKey, ready, toHex, utf8 } from '@comrad/core';
import type { AsyncCryptoBackend, CryptoBackend } from '../src/crypto/_backend.js';
import { loadBackend } from '../src/crypto/backend.js';
import { loadWebCryptoBackend, _testing } from '../src/crypto/_webcrypto-backend.js';
import { le32, looseKey, outcome, soterKey, thrown, throwingKey } from '@comrad/test-kit/core/backend-probes';
import { keyFormsOf, offCurveUncompressed, ORDER, privateContainer, publicContainer, scalarBytes } from '@comrad/test-kit/core/themis-keys';
import { makeContainer } from '../src/crypto/_container.js';

const subtle = globalThis.crypto.subtle;
const real = { importKey: subtle.importKey, deriveKey: subtle.deriveKey, generateKey: subtle.generateKey };

/** One key-making call the backend made to Web Crypto, with the very arrays it handed over. */
interface Call {
  method: 'importKey' | 'deriveKey';
  /** importKey's format, or deriveKey's algorithm (ECDH, PBKDF2). */
  how: string;
  /** The algorithm of the key made. */
  algorithm: string;
  data?: Uint8Array;
  extractable: boolean;
  usages: string[];
}
const calls: Call[] = [];
const nameOf = (algorithm: unknown) => (typeof algorithm === 'string' ? algorithm : (algorithm as { name: string }).name);

let wasm: CryptoBackend;
let web: AsyncCryptoBackend;
beforeAll(async () => {
  subtle.importKey = function (this: SubtleCrypto, ...args: unknown[]) {
    const [format, data, algorithm, extractable, usages] = args as [string, Uint8Array, unknown, boolean, string[]];
    calls.push({ method: 'importKey', how: format, algorithm: nameOf(algorithm), data, extractable, usages: [...usages] });
    return (real.importKey as (...a: unknown[]) => Promise<CryptoKey>).apply(this, args);
  } as SubtleCrypto['importKey'];
  subtle.deriveKey = function (this: SubtleCrypto, ...args: unknown[]) {
    const [params, , algorithm, extractable, usages] = args as [unknown, CryptoKey, unknown, boolean, string[]];
    calls.push({ method: 'deriveKey', how: nameOf(params), algorithm: nameOf(algorithm), extractable, usages: [...usages] });
    return (real.deriveKey as (...a: unknown[]) => Promise<CryptoKey>).apply(this, args);
  } as SubtleCrypto['deriveKey'];
  wasm = await loadBackend('wasm');
  ({ async: web } = await loadWebCryptoBackend());
});
afterAll(async () => {
  Object.assign(subtle, real);
  await ready({ backend: 'node' });
});

/** The calls made while `run` ran. */
async function callsOf(run: () => Promise<unknown>): Promise<Call[]> {
  const mark = calls.length;
  await run();
  return calls.slice(mark);
}

const typed = (d: bigint) => {
  const forms = keyFormsOf(scalarBytes(d));
  // A 77-byte key reaches a backend as such only from below the typed API (PublicKey.from compresses).
  return { forms, priv: PrivateKey.from(forms.private45), pub: PublicKey.from(forms.public45), pub77: looseKey<PublicKey>(forms.public77) };
};
const message = utf8('exact webcrypto');
/** P-256's generator, compressed: what the backend imports once to learn whether the platform takes that form. */
const GENERATOR_COMPRESSED = '036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296';
const hex = toHex;

describe('CRY-18 a platform that imports compressed points (Node, Chromium)', () => {
  it('CRY-18 a 45-byte key goes to the platform compressed, as is; a 77-byte key as its 65-byte point; the platform is asked once', async () => {
    const k = typed(0x5_0001n);
    const compressed = await callsOf(() => web.verify(k.pub, wasm.sign(k.priv, message)));
    const points = compressed.filter((c) => c.how === 'raw' && c.algorithm === 'ECDSA');
    // First the probe, the generator in compressed form; then the key itself, compressed.
    expect(points.map((c) => hex(c.data!))).toEqual([GENERATOR_COMPRESSED, hex(k.forms.public45.subarray(12))]);
    const uncompressed = await callsOf(() => web.verify(k.pub77, wasm.sign(k.priv, message)));
    expect(uncompressed.filter((c) => c.how === 'raw' && c.algorithm === 'ECDSA').map((c) => hex(c.data!))).toEqual([hex(k.forms.public77.subarray(12))]);
    const agreed = await callsOf(() => web.encrypt(k.priv, k.pub, message));
    expect(agreed.filter((c) => c.how === 'raw' && c.algorithm === 'ECDH').map((c) => hex(c.data!))).toEqual([hex(k.forms.public45.subarray(12))]);
    // The probe (the generator, compressed) was the first public import of this file, and the only one.
    // This test comes first in the file, so that it is the one that makes the probe: mutation testing
    // runs only the tests that reach a line, and the answer is kept for the module's life.
    const probes = calls.filter((c) => c.how === 'raw' && hex(c.data!) === GENERATOR_COMPRESSED);
    expect(probes).toHaveLength(1);
    expect(probes[0]!.usages).toEqual(['verify']);
    expect(probes[0]!.extractable).toBe(false);
  });

  it('KEY-1 CRY-11 a 77-byte key in hybrid form (06/07), which the platform would take, or with a compressed prefix, is refused as wasm-themis refuses it; in SEC 1 form it works', async () => {
    const k = typed(0x5_0002n);
    const signed = wasm.sign(k.priv, message);
    const box = wasm.encrypt(k.priv, k.pub, message);
    const point = k.forms.public77.subarray(12);
    const parity = point[64]! & 1;
    for (const prefix of [0x06 | parity, 0x02 | parity, 0x03 ^ parity]) {
      const raw = publicContainer(Uint8Array.of(prefix, ...point.subarray(1)));
      const runs: Array<[(b: CryptoBackend) => Uint8Array, () => Promise<Uint8Array>]> = [
        [(b) => b.verify(looseKey(raw), signed), () => web.verify(looseKey(raw), signed)],
        [(b) => b.encrypt(k.priv, looseKey(raw), message), () => web.encrypt(k.priv, looseKey(raw), message)],
        [(b) => b.decrypt(k.priv, looseKey(raw), box), () => web.decrypt(k.priv, looseKey(raw), box)],
      ];
      for (const [reference, ours] of runs) {
        const r = await outcome(() => reference(wasm));
        expect(r.ok, hex(raw.subarray(12, 13))).toBe(false);
        expect(await outcome(ours)).toEqual(r);
      }
      const err = await thrown(() => web.verify(looseKey(raw), signed));
      expect((err as Error).message).toBe('web crypto: not a P-256 point in SEC 1 form');
      expect(((err as { cause?: Error }).cause as Error).name).toBe('UnusableKey');
    }
    expect(hex(await web.verify(k.pub77, signed))).toBe(hex(message));
    expect(hex(wasm.decrypt(k.priv, k.pub, await web.encrypt(k.priv, k.pub77, message)))).toBe(hex(message));
  });
});

describe('CRY-15 what the webcrypto backend hands to Web Crypto', () => {
  it('CRY-15 every key it imports or derives is non-extractable, and the scalar, message keys and passphrase copied for an import are zeroed after it', async () => {
    const a = typed(0x1_0001n);
    const b = typed(0x1_0002n);
    const master = randomBytes(32);
    const context = utf8('ctx');
    const made = await callsOf(async () => {
      expect(hex(wasm.verify(a.pub, await web.sign(a.priv, message)))).toBe(hex(message));
      expect(hex(await web.verify(b.pub, wasm.sign(b.priv, message)))).toBe(hex(message));
      expect(hex(await web.verify(b.pub77, wasm.sign(b.priv, message)))).toBe(hex(message));
      expect(hex(wasm.decrypt(b.priv, a.pub, await web.encrypt(a.priv, b.pub, message)))).toBe(hex(message));
      expect(hex(await web.decrypt(a.priv, b.pub77, wasm.encrypt(b.priv, a.pub, message)))).toBe(hex(message));
      expect(hex(wasm.cellOpen(master, await web.cellSeal(master, message, context), context))).toBe(hex(message));
      expect(hex(await web.cellOpen(master, wasm.cellSeal(master, message, context), context))).toBe(hex(message));
      const sealed = await _testing.passphraseSealWith('correct horse', message, context, randomBytes(12), randomBytes(16), 1000);
      expect(hex(await web.passphraseOpen!('correct horse', sealed, context))).toBe(hex(message));
    });
    const kinds = new Set(made.map((c) => `${c.method} ${c.how} ${c.algorithm}`));
    // Each kind of key the backend makes was made here at least once.
    for (const kind of ['importKey pkcs8 ECDSA', 'importKey pkcs8 ECDH', 'importKey raw ECDSA', 'importKey raw ECDH', 'importKey raw HMAC', 'importKey raw AES-GCM', 'importKey raw PBKDF2', 'deriveKey ECDH HMAC', 'deriveKey PBKDF2 HMAC']) {
      expect(kinds, kind).toContain(kind);
    }
    for (const c of made) expect(c.extractable, `${c.method} ${c.how} ${c.algorithm}`).toBe(false);
    // The private scalar (in its PKCS #8 wrapping), the Soter message keys and the passphrase's bytes are
    // copies made for the import: none outlives it. (HMAC master copies stay: they notice a wipe.)
    const wiped = made.filter((c) => c.how === 'pkcs8' || c.algorithm === 'AES-GCM' || c.algorithm === 'PBKDF2');
    expect(wiped.length).toBeGreaterThanOrEqual(6);
    for (const c of wiped) expect(c.data!.every((x) => x === 0), `${c.how} ${c.algorithm} zeroed`).toBe(true);
    // …and they were not zero when handed over (a key of zeros would not have worked above).
    expect(made.filter((c) => c.how === 'pkcs8').every((c) => c.data!.length === 35 + 32)).toBe(true);
  });

  it('CRY-15 a key object is imported once per use, a pair of key objects agreed once; another peer is one agreement more', async () => {
    const a = typed(0x2_0001n);
    const b = typed(0x2_0002n);
    const c = typed(0x2_0003n);
    const first = await callsOf(async () => {
      await web.sign(a.priv, message);
      await web.verify(b.pub, wasm.sign(b.priv, message));
      await web.encrypt(a.priv, b.pub, message);
    });
    expect(first.map((x) => `${x.method} ${x.how} ${x.algorithm}`).sort()).toEqual(['deriveKey ECDH HMAC', 'importKey pkcs8 ECDH', 'importKey pkcs8 ECDSA', 'importKey raw ECDH', 'importKey raw ECDSA', 'importKey raw AES-GCM'].sort());
    const again = await callsOf(async () => {
      await web.sign(a.priv, message);
      await web.verify(b.pub, wasm.sign(b.priv, message));
      const box = await web.encrypt(a.priv, b.pub, message);
      expect(hex(await web.decrypt(a.priv, b.pub, box))).toBe(hex(message));
    });
    // Only the per-message AES keys: no key import, no agreement.
    expect(again.map((x) => `${x.method} ${x.how} ${x.algorithm}`)).toEqual(['importKey raw AES-GCM', 'importKey raw AES-GCM']);
    const other = await callsOf(() => web.encrypt(a.priv, c.pub, message));
    expect(other.map((x) => `${x.method} ${x.how} ${x.algorithm}`).sort()).toEqual(['deriveKey ECDH HMAC', 'importKey raw AES-GCM', 'importKey raw ECDH'].sort());
  });

  it('CRY-15 CRY-16 a generated pair\'s agreement key is adopted by its own private key, and by no key of other bytes or length', async () => {
    const peer = typed(0x3_0001n);
    const made = await web.generateKeyPair();
    const own = PrivateKey.from(made.privateKey);
    const adopted = await callsOf(async () => {
      const box = await web.encrypt(own, peer.pub, message);
      expect(hex(wasm.decrypt(peer.priv, PublicKey.from(made.publicKey), box))).toBe(hex(message));
    });
    expect(adopted.filter((c) => c.how === 'pkcs8')).toEqual([]);
    // A 44-byte key right after a generation is itself, not the 45-byte key just made.
    for (const length of [44, 45] as const) {
      const next = await web.generateKeyPair();
      const other = typed(0x3_0002n + BigInt(length));
      const key = PrivateKey.from(length === 44 ? other.forms.private44 : other.forms.private45);
      const box = await web.encrypt(key, peer.pub, message);
      expect(hex(wasm.decrypt(peer.priv, other.pub, box))).toBe(hex(message));
      // The pair made is still adopted by its own bytes afterwards.
      const mine = await callsOf(() => web.encrypt(PrivateKey.from(next.privateKey), peer.pub, message));
      expect(mine.filter((c) => c.how === 'pkcs8')).toEqual([]);
    }
  });

  it('KEY-1 CRY-15 the point check is skipped for the public key just generated only: a 77-byte key off the curve parsed next is INVALID_KEY', async () => {
    await ready({ backend: 'webcrypto' });
    try {
      const made = await web.generateKeyPair();
      const forms = keyFormsOf(scalarBytes(0x4_0001n));
      for (const keepParity of [true, false]) {
        expect(await outcome(() => (PublicKey.from(offCurveUncompressed(forms, keepParity)), new Uint8Array(0)))).toEqual({ ok: false, code: 'INVALID_KEY' });
      }
      expect(hex(PublicKey.from(made.publicKey).bytes())).toBe(hex(made.publicKey));
    } finally {
      await ready({ backend: 'node' });
    }
  });
});

describe('CRY-11 what only Themis\'s own checks refuse, at the backend', () => {
  it('CRY-11 a signed message with the RSA type, or with no message bytes, is BAD_SIGNATURE as under wasm-themis, though its signature verifies', async () => {
    const k = typed(0x6_0001n);
    const signed = await web.sign(k.priv, message);
    const rsa = signed.slice();
    rsa.set(le32(0x26042610), 0);
    const jwk = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', d: b64u(k.forms.private44.subarray(12)), x: b64u(k.forms.public77.subarray(13, 45)), y: b64u(k.forms.public77.subarray(45)) }, format: 'jwk' });
    const der = nodeSign('sha256', new Uint8Array(0), jwk);
    const empty = concatBytes(le32(0x26042620), le32(0), le32(der.length), der);
    // The signer is right: the same signer over one byte, in the same header form, verifies.
    const oneDer = nodeSign('sha256', Uint8Array.of(0x41), jwk);
    expect(hex(await web.verify(k.pub, concatBytes(le32(0x26042620), le32(1), le32(oneDer.length), Uint8Array.of(0x41), oneDer)))).toBe('41');
    for (const input of [rsa, empty]) {
      const r = await outcome(() => wasm.verify(k.pub, input));
      expect(r).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
      expect(await outcome(() => web.verify(k.pub, input))).toEqual(r);
    }
  });

  it('CRY-11 a cell of no ciphertext, or whose IV length is under 12, is DECRYPT_FAILED as under wasm-themis, though its tag is right for the bytes read', async () => {
    const master = randomBytes(32);
    const context = utf8('ctx');
    // n = 0: the tag of nothing, under the key of a 0-byte message.
    const iv = randomBytes(12);
    const c0 = createCipheriv('aes-256-gcm', soterKey(master, 0, context, 32), iv);
    c0.setAAD(context);
    c0.final();
    const empty = concatBytes(le32(0x40010100), le32(12), le32(16), le32(0), iv, c0.getAuthTag());
    // An IV length of 11: a reader that takes 12 bytes of IV anyway and the tag after 11 finds a right tag
    // when the tag's first byte is the IV's last (found by trying IVs).
    let short: Uint8Array | undefined;
    for (let i = 0; i < 20_000 && !short; i++) {
      const iv12 = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', soterKey(master, message.length, context, 32), iv12);
      c.setAAD(context);
      const ct = c.update(message);
      c.final();
      const tag = c.getAuthTag();
      if (tag[0] === iv12[11]) short = concatBytes(le32(0x40010100), le32(11), le32(16), le32(message.length), iv12.subarray(0, 11), tag, ct);
    }
    expect(short).toBeDefined();
    for (const cell of [empty, short!]) {
      const r = await outcome(() => wasm.cellOpen(master, cell, context));
      expect(r).toEqual({ ok: false, code: 'DECRYPT_FAILED' });
      expect(await outcome(() => web.cellOpen(master, cell, context))).toEqual(r);
    }
  });

  it('CRY-9 an empty passphrase or message is refused (INTERNAL) before any key is derived; a one-character passphrase and one-byte message seal', async () => {
    const iv = randomBytes(12);
    const salt = randomBytes(16);
    for (const [passphrase, m] of [['', message], ['p', new Uint8Array(0)]] as const) {
      const made = await callsOf(async () => {
        expect(await outcome(() => _testing.passphraseSealWith(passphrase, m, message, iv, salt, 1000))).toEqual({ ok: false, code: 'INTERNAL' });
        expect(await outcome(() => web.passphraseSeal!(passphrase, m, message))).toEqual({ ok: false, code: 'INTERNAL' });
      });
      expect(made).toEqual([]);
    }
    const sealed = await _testing.passphraseSealWith('p', Uint8Array.of(7), message, iv, salt, 1000);
    expect(hex(await web.passphraseOpen!('p', sealed, message))).toBe('07');
    // The fixed-IV hook refuses an IV that is not 12 bytes, with the seal's code.
    for (const bad of [new Uint8Array(11), new Uint8Array(13)]) {
      expect(await outcome(() => _testing.passphraseSealWith('p', message, message, bad, salt, 1000))).toEqual({ ok: false, code: 'INTERNAL' });
    }
  });
});

describe('CRY-11 CRY-12 the reason a key is refused, in the error and its cause', () => {
  it('CRY-12 a private key with a non-zero pad byte, a scalar of 0 or of n or more: "private scalar out of range"', async () => {
    for (const raw of [makeContainer('REC2', Uint8Array.of(1, ...scalarBytes(5n))), privateContainer(scalarBytes(0n), 45), privateContainer(scalarBytes(ORDER), 44)]) {
      const err = await thrown(() => web.sign(looseKey(raw), message));
      expect((err as ProtocolError).code).toBe('INVALID_KEY');
      expect((err as Error).message).toBe('web crypto: private scalar out of range');
      expect(((err as { cause?: Error }).cause as Error).message).toBe('private scalar out of range');
    }
  });
});

describe('CRY-11 CRY-18 the codes of failures no Themis input reaches', () => {
  it('CRY-11 a wiped private key is INVALID_KEY whatever the message, as under wasm-themis: also one too short, of another type or of another length', async () => {
    const k = typed(0x8_0001n);
    const box = wasm.encrypt(k.priv, k.pub, message);
    const wiped = PrivateKey.from(k.forms.private45);
    // Used once before the wipe, so a handle is cached for it.
    expect(hex(await web.decrypt(wiped, k.pub, box))).toBe(hex(message));
    wiped.wipe();
    const header = (type: number, length: number) => concatBytes(le32(type), le32(length));
    const inputs = [box, header(0x26042720, 8), header(0x26042720, 8).subarray(0, 7), new Uint8Array(0), concatBytes(header(0x26042620, 9), Uint8Array.of(1)), concatBytes(header(0x26042720, 10), Uint8Array.of(1))];
    for (const wrapped of inputs) {
      const r = await outcome(() => wasm.decrypt(wiped, k.pub, wrapped));
      expect(r, hex(wrapped)).toEqual({ ok: false, code: 'INVALID_KEY' });
      expect(await outcome(() => web.decrypt(wiped, k.pub, wrapped)), hex(wrapped)).toEqual(r);
    }
  });

  it('CRY-11 a generation the platform refuses is INTERNAL, with the platform\'s error as cause', async () => {
    const refusal = new DOMException('no', 'OperationError');
    subtle.generateKey = (() => Promise.reject(refusal)) as SubtleCrypto['generateKey'];
    try {
      const err = await thrown(() => web.generateKeyPair());
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe('INTERNAL');
      expect((err as { cause?: unknown }).cause).toBe(refusal);
    } finally {
      subtle.generateKey = real.generateKey;
    }
  });

  it('CRY-11 a Comrad error of another code than INTERNAL from below becomes the operation\'s code, with it as cause', async () => {
    for (const code of ['NOT_FOUND', 'TIMEOUT'] as const) {
      const below = new ComradError(code, 'from below');
      const err = await thrown(() => web.sign(throwingKey(below), message));
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe('INVALID_KEY');
      expect((err as { cause?: unknown }).cause).toBe(below);
    }
  });
});

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
