import { beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { ready, KeyPair, PublicKey, bytesEqual, concatBytes, encode, utf8, toHex, sign, ProtocolError } from '@comrad/core';
import {
  bucketFor,
  createLetter,
  encodeLetter,
  openSealedLetter,
  openSigned,
  pad,
  PADDING_BUCKETS,
  SEALED_HEADER_BYTES,
  sealLetter,
  signLetter,
  unpad,
  type Letter,
} from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';
import { MAX_IMAGE_BYTES, MAX_SEALED_LETTER_BYTES, MAX_SIGNED_LETTER_BYTES, MAX_TEXT_CHARS } from '../src/limits.js';
import { flip, image, registry, sealRaw } from './_envelope.js';
import { codeOf } from './_garbage.js';

let alice: Keymaker, bob: Keymaker, carol: Keymaker, mallory: Keymaker;
let keyOf: (name: string) => PublicKey;
let letter: Letter;


beforeAll(async () => {
  await ready({ backend: 'wasm' });
  [alice, bob, carol, mallory] = ['alice', 'bob', 'carol', 'mallory'].map((n) => Keymaker.generate(n)) as [Keymaker, Keymaker, Keymaker, Keymaker];
  keyOf = registry({ alice: alice.publicKey, bob: bob.publicKey, carol: carol.publicKey, mallory: mallory.publicKey });
  letter = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'meet at the library, 6pm' } });
});

describe('signed letters (SIG-*)', () => {
  it('SIG-1 SIG-2 a signed letter opens with its author key and carries the letter in clear', () => {
    const signed = signLetter(letter, alice.keys.privateKey);
    expect(openSigned(signed, alice.publicKey)).toEqual({ letter, author: 'alice' });
    expect(toHex(signed)).toContain(toHex(encodeLetter(letter)));
  });

  it('SIG-2 another key, a flipped bit, truncation, trailing bytes and oversize each have their code', async () => {
    const signed = signLetter(letter, alice.keys.privateKey);
    expect(await codeOf(() => openSigned(signed, mallory.publicKey))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => openSigned(flip(signed, signed.length - 5), alice.publicKey))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => openSigned(flip(signed, 20), alice.publicKey))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => openSigned(signed.subarray(0, signed.length - 1), alice.publicKey))).toBe('TRUNCATED');
    expect(await codeOf(() => openSigned(concatBytes(signed, Uint8Array.of(0)), alice.publicKey))).toBe('TRAILING_BYTES');
    expect(await codeOf(() => openSigned(new Uint8Array(MAX_SIGNED_LETTER_BYTES + 1), alice.publicKey))).toBe('TOO_LARGE');
  });

  it('SIG-2 a valid signature over bytes that are not a letter is refused with the letter code', async () => {
    expect(await codeOf(() => openSigned(sign(alice.keys.privateKey, encode({ hello: 'world' })), alice.publicKey))).toBe('MALFORMED');
  });
});

describe('padding (SEAL-3, SEAL-4)', () => {
  it('SEAL-3 buckets grow, and the largest signed letter fits the last one within LIM-6', () => {
    for (let i = 1; i < PADDING_BUCKETS.length; i++) expect(PADDING_BUCKETS[i]!).toBeGreaterThan(PADDING_BUCKETS[i - 1]!);
    expect(bucketFor(MAX_SIGNED_LETTER_BYTES)).toBe(PADDING_BUCKETS.at(-1));
    // version + ephemeral key + Secure Message header + Secure Cell token + the last bucket
    expect(SEALED_HEADER_BYTES + 8 + 44 + PADDING_BUCKETS.at(-1)!).toBeLessThanOrEqual(MAX_SEALED_LETTER_BYTES);
    expect(() => bucketFor(MAX_SIGNED_LETTER_BYTES + 1)).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });

  it('SEAL-3 SEAL-4 unpad(pad(x)) = x, and pad picks the smallest bucket that holds x and its prefix', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70_000 }), fc.integer({ min: 0, max: 255 }), (n, fill) => {
        const content = new Uint8Array(n).fill(fill);
        const padded = pad(content);
        expect(padded.length).toBe(PADDING_BUCKETS.find((b) => b >= n + 4));
        expect(bytesEqual(unpad(padded), content)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('SEAL-4 non-canonical padding is BAD_PADDING', () => {
    const good = pad(new Uint8Array(100).fill(7));
    const zeroPrefix = good.slice();
    zeroPrefix.fill(0, 0, 4);
    const prefixTooLong = good.slice();
    new DataView(prefixTooLong.buffer).setUint32(0, 509, false);
    const overPadded = new Uint8Array(1024);
    overPadded.set(good);
    const notABucket = good.subarray(0, 500);
    for (const bad of [flip(good, 300), zeroPrefix, prefixTooLong, overPadded, notABucket]) {
      expect(() => unpad(bad)).toThrow(expect.objectContaining({ code: 'BAD_PADDING' }));
    }
  });
});

describe('sealed letters (SEAL-*)', () => {
  it('SEAL-2 SEAL-5 bob opens what alice sealed to him and learns it is from alice', async () => {
    const sealed = sealLetter(letter, alice.keys, bob.publicKey);
    const opened = await openSealedLetter(sealed, bob, keyOf);
    expect(opened.letter).toEqual(letter);
    expect(opened.authorKey.equals(alice.publicKey)).toBe(true);
    expect(openSigned(opened.signed, alice.publicKey).letter).toEqual(letter);
  });

  it('SEAL-1 layout: version 1, a fresh ephemeral key per letter, then a Themis encrypted message', () => {
    const a = sealLetter(letter, alice.keys, bob.publicKey);
    const b = sealLetter(letter, alice.keys, bob.publicKey);
    expect(a[0]).toBe(1);
    const ea = PublicKey.from(a.subarray(1, 46));
    const eb = PublicKey.from(b.subarray(1, 46));
    expect(ea.equals(eb)).toBe(false);
    for (const k of [alice.publicKey, bob.publicKey]) expect(ea.equals(k)).toBe(false);
    expect(new DataView(a.buffer, a.byteOffset).getUint32(46, true)).toBe(0x26042720);
    expect(a.length).toBe(SEALED_HEADER_BYTES + 8 + 44 + 512);
  });

  it('SEAL-1 SEAL-3 the sealed bytes name neither the sender nor the exact length', () => {
    const short = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'x' } });
    const longer = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'y'.repeat(300) } });
    const s1 = sealLetter(short, alice.keys, bob.publicKey);
    const s2 = sealLetter(longer, alice.keys, bob.publicKey);
    expect(s1.length).toBe(s2.length);
    const hex = toHex(s1);
    for (const needle of [alice.publicKey.bytes(), utf8('alice'), alice.publicKey.bytes().subarray(13)]) expect(hex).not.toContain(toHex(needle));
  });

  it('SEAL-5 each failure has its own code', async () => {
    const sealed = sealLetter(letter, alice.keys, bob.publicKey);
    const cases: [string, () => Promise<unknown>][] = [
      ['DECRYPT_FAILED', () => openSealedLetter(flip(sealed, sealed.length - 10), bob, keyOf)], // tampered ciphertext
      ['DECRYPT_FAILED', () => openSealedLetter(sealed, { name: 'bob', keys: carol.keys }, keyOf)], // not for this key
      ['DECRYPT_FAILED', () => openSealedLetter(flip(sealed, 20), bob, keyOf)], // damaged ephemeral key
      ['WRONG_RECIPIENT', () => openSealedLetter(sealLetter({ ...letter, to: 'carol' }, alice.keys, bob.publicKey), bob, keyOf)],
      ['WRONG_AUTHOR', () => openSealedLetter(sealLetter(letter, mallory.keys, bob.publicKey), bob, keyOf)], // from alice, signed by mallory
      ['TRUNCATED', () => openSealedLetter(sealed.subarray(0, sealed.length - 1), bob, keyOf)],
      ['TRAILING_BYTES', () => openSealedLetter(concatBytes(sealed, Uint8Array.of(0)), bob, keyOf)],
      ['TOO_LARGE', () => openSealedLetter(new Uint8Array(MAX_SEALED_LETTER_BYTES + 1).fill(1), bob, keyOf)],
      ['BAD_PADDING', () => openSealedLetter(sealRaw(flip(pad(signLetter(letter, alice.keys.privateKey)), 511), bob.publicKey), bob, keyOf)],
      ['UNSUPPORTED_VERSION', () => openSealedLetter(concatBytes(Uint8Array.of(2), sealed.subarray(1)), bob, keyOf)],
    ];
    const seen = [];
    for (const [code, run] of cases) {
      expect(await codeOf(run), code).toBe(code);
      seen.push(code);
    }
    expect(new Set(seen).size).toBe(8);
  });

  it('SEAL-5 every truncation is TRUNCATED, and every single-byte change fails', async () => {
    const sealed = sealLetter(letter, alice.keys, bob.publicKey);
    for (let n = 0; n < sealed.length; n += 7) expect(await codeOf(() => openSealedLetter(sealed.subarray(0, n), bob, keyOf))).toBe('TRUNCATED');
    for (let i = 0; i < sealed.length; i += 3) {
      const code = await codeOf(() => openSealedLetter(flip(sealed, i, 0x80), bob, keyOf));
      expect(['DECRYPT_FAILED', 'UNSUPPORTED_VERSION', 'TRUNCATED', 'TRAILING_BYTES']).toContain(code);
    }
  });

  it('SEAL-5 step 7 a letter for someone else is refused before its sender is looked up', async () => {
    // carol re-seals a genuine letter alice wrote to her, hoping bob takes it as written to him
    const toCarol = createLetter({ kind: 'dm', from: 'alice', to: 'carol', body: { text: 'for carol only' } });
    const opened = await openSealedLetter(sealLetter(toCarol, alice.keys, carol.publicKey), carol, keyOf);
    const lookup = vi.fn(keyOf);
    expect(await codeOf(() => openSealedLetter(sealRaw(pad(opened.signed), bob.publicKey), bob, lookup))).toBe('WRONG_RECIPIENT');
    expect(lookup).not.toHaveBeenCalled();
  });

  it('SEAL-5 step 8 a failed lookup fails the opening with the lookup error', async () => {
    const fromStranger = createLetter({ kind: 'dm', from: 'stranger', to: 'bob', body: { text: 'hi' } });
    expect(await codeOf(() => openSealedLetter(sealLetter(fromStranger, mallory.keys, bob.publicKey), bob, keyOf))).toBe('NOT_FOUND');
  });

  it('SEAL-5 the letter inside is decoded as strictly as a bare one', async () => {
    const notALetter = sealRaw(pad(sign(alice.keys.privateKey, encode([1, 2]))), bob.publicKey);
    expect(await codeOf(() => openSealedLetter(notALetter, bob, keyOf))).toBe('MALFORMED');
    expect(await codeOf(() => openSealedLetter(sealRaw(pad(utf8('not a signed letter, only text')), bob.publicKey), bob, keyOf))).toBe('BAD_SIGNATURE');
  });

  it('LIM-6 SEAL-3 the largest letter seals within MAX_SEALED_LETTER_BYTES and opens', async () => {
    const largest = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: '😀'.repeat(MAX_TEXT_CHARS), image: image('image/jpeg', MAX_IMAGE_BYTES) } });
    const sealed = sealLetter(largest, alice.keys, bob.publicKey);
    expect(sealed.length).toBeLessThanOrEqual(MAX_SEALED_LETTER_BYTES);
    expect((await openSealedLetter(sealed, bob, keyOf)).letter).toEqual(largest);
  });

  it('SEAL-2 sealing checks its arguments', () => {
    expect(() => sealLetter(letter, alice.keys.privateKey as unknown as KeyPair, bob.publicKey)).toThrow(TypeError);
    expect(() => sealLetter({ ...letter, to: 'Bob' }, alice.keys, bob.publicKey)).toThrow(ProtocolError);
  });
});

describe('SEAL-4 every padding byte is checked (a mutant that starts the scan one byte late survived)', () => {
  it('SEAL-4 a non-zero byte right after the content, or in the last byte, is BAD_PADDING', async () => {
    for (const n of [1, 100, 507, 508, 509, 2000]) {
      const padded = pad(new Uint8Array(n).fill(7));
      if (padded.length === 4 + n) continue;
      for (const at of [4 + n, padded.length - 1]) {
        const bad = padded.slice();
        bad[at] = 1;
        expect(await codeOf(() => unpad(bad)), `content ${n}, byte ${at}`).toBe('BAD_PADDING');
      }
    }
  });
});
