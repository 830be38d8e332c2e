import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ECDH } from 'node:crypto';
import { makeContainer } from '../src/crypto/_container.js';
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
  SEALED_VERSION,
  sealLetter,
  signLetter,
  unpad,
  verifyStatement,
  type Letter,
} from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';
import { MAX_IMAGE_BYTES, MAX_PADDED_CONTENT_BYTES, MAX_SEALED_LETTER_BYTES, MAX_SIGNED_LETTER_BYTES, MAX_STATEMENT_BYTES, MAX_TEXT_CHARS } from '../src/limits.js';
import { flip, image, sealedContent, sealRaw, testOperator } from '@comrad/test-kit/core/envelope';
import { codeOf, msgpackMap } from '@comrad/test-kit/core/garbage';

let alice: Keymaker, bob: Keymaker, carol: Keymaker, mallory: Keymaker;
let letter: Letter;
let operator: ReturnType<typeof testOperator>, rogue: ReturnType<typeof testOperator>;
const statementOf = (k: Keymaker) => operator.statementOf(k.name, k.publicKey);


beforeAll(async () => {
  await ready({ backend: 'wasm' });
  [alice, bob, carol, mallory] = ['alice', 'bob', 'carol', 'mallory'].map((n) => Keymaker.generate(n)) as [Keymaker, Keymaker, Keymaker, Keymaker];
  operator = testOperator();
  rogue = testOperator();
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

describe('registry statements (REG-4)', () => {
  it('REG-4 ENC-2 a statement is verified, read, then re-encoded: one not in the one encoding is MALFORMED, though validly signed', async () => {
    const op = operator.keys;
    const at = 1_764_000_000_000;
    const parts = (over: Partial<Record<'ctx' | 'name' | 'key' | 'at', Uint8Array>> = {}): [string, Uint8Array][] => [
      ['ctx', over.ctx ?? encode('comrad/lookup/v1')],
      ['name', over.name ?? encode('alice')],
      ['key', over.key ?? encode(alice.publicKey.bytes())],
      ['at', over.at ?? encode(at)],
    ];
    const signed = (entries: [string, Uint8Array][]) => sign(op.privateKey, msgpackMap(entries));
    // The canonical one, made by hand, is what signStatement makes, and it verifies.
    expect(toHex(signed(parts()).subarray(12, 12 + msgpackMap(parts()).length))).toBe(toHex(msgpackMap(parts())));
    expect(verifyStatement(signed(parts()), op.publicKey, 'alice').at).toBe(at);
    const [ctx, name, key, atPart] = parts();
    const uncompressed = KeyPair.generate();
    const cases: Array<[string, Uint8Array]> = [
      ['fields in another order', signed([name!, ctx!, key!, atPart!])],
      ['the name as str 8 (d9 05) instead of a fixstr', signed(parts({ name: Uint8Array.of(0xd9, 5, ...utf8('alice')) }))],
      ['at 7 as uint 64', signed(parts({ at: Uint8Array.of(0xcf, 0, 0, 0, 0, 0, 0, 0, 7) }))],
      ['the key as bin 16', signed(parts({ key: concatBytes(Uint8Array.of(0xc5, 0, 45), alice.publicKey.bytes()) }))],
      ['the key in its 77-byte form (KEY-1: only the 45-byte form is sent)', signed(parts({ key: encode(uncompressed77(uncompressed.publicKey)) }))],
    ];
    for (const [what, statement] of cases) expect(await codeOf(() => verifyStatement(statement, op.publicKey)), what).toBe('MALFORMED');
  });
});

describe('padding (SEAL-3, SEAL-4)', () => {
  it('SEAL-3 LIM-9 buckets grow, and the largest content (statement and signed letter) fits the last one within LIM-6', () => {
    for (let i = 1; i < PADDING_BUCKETS.length; i++) expect(PADDING_BUCKETS[i]!).toBeGreaterThan(PADDING_BUCKETS[i - 1]!);
    expect(bucketFor(MAX_PADDED_CONTENT_BYTES)).toBe(PADDING_BUCKETS.at(-1));
    // version + ephemeral key + Secure Message header + Secure Cell token + the last bucket
    expect(SEALED_HEADER_BYTES + 8 + 44 + PADDING_BUCKETS.at(-1)!).toBeLessThanOrEqual(MAX_SEALED_LETTER_BYTES);
    expect(() => bucketFor(MAX_PADDED_CONTENT_BYTES + 1)).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
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
  const seal = (l: Letter, by: Keymaker = alice, to: PublicKey = bob.publicKey, statement = statementOf(by)) => sealLetter(l, by.keys, to, statement);
  /** A sealed letter to bob around `statement` and `signed`, made without sealLetter's checks. */
  const sealedWith = (statement: Uint8Array, signed: Uint8Array) => sealRaw(pad(sealedContent(statement, signed)), bob.publicKey);

  it('SEAL-2 SEAL-5 bob opens what alice sealed to him and learns, from the statement inside, that it is from alice', async () => {
    const statement = statementOf(alice);
    const sealed = seal(letter, alice, bob.publicKey, statement);
    const opened = await openSealedLetter(sealed, bob, operator.keys.publicKey);
    expect(opened.letter).toEqual(letter);
    expect(opened.authorKey.equals(alice.publicKey)).toBe(true);
    expect(openSigned(opened.signed, alice.publicKey).letter).toEqual(letter);
    expect(bytesEqual(opened.statement, statement)).toBe(true);
    expect(verifyStatement(opened.statement, operator.keys.publicKey, 'alice').key.equals(alice.publicKey)).toBe(true);
  });

  it('SEAL-1 layout: version 2, a fresh ephemeral key per letter, then a Themis encrypted message', () => {
    const a = seal(letter);
    const b = seal(letter);
    expect(a[0]).toBe(2);
    expect(SEALED_VERSION).toBe(2);
    const ea = PublicKey.from(a.subarray(1, 46));
    const eb = PublicKey.from(b.subarray(1, 46));
    expect(ea.equals(eb)).toBe(false);
    for (const k of [alice.publicKey, bob.publicKey]) expect(ea.equals(k)).toBe(false);
    expect(new DataView(a.buffer, a.byteOffset).getUint32(46, true)).toBe(0x26042720);
    expect(a.length).toBe(SEALED_HEADER_BYTES + 8 + 44 + 512);
  });

  it('SEAL-1 SEAL-3 the sealed bytes name neither the sender nor the exact length', () => {
    const short = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'x' } });
    const longer = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'y'.repeat(100) } });
    const s1 = seal(short);
    const s2 = seal(longer);
    expect(s1.length).toBe(s2.length);
    const hex = toHex(s1);
    for (const needle of [alice.publicKey.bytes(), utf8('alice'), alice.publicKey.bytes().subarray(13), statementOf(alice)]) expect(hex).not.toContain(toHex(needle));
  });

  it('SEAL-1 SEAL-5 a version 1 letter (no statement inside) is UNSUPPORTED_VERSION', async () => {
    const v1 = sealRaw(pad(signLetter(letter, alice.keys.privateKey)), bob.publicKey, 1);
    expect(await codeOf(() => openSealedLetter(v1, bob, operator.keys.publicKey))).toBe('UNSUPPORTED_VERSION');
  });

  it('SEAL-5 each failure has its own code', async () => {
    const sealed = seal(letter);
    const op = operator.keys.publicKey;
    const signed = signLetter(letter, alice.keys.privateKey);
    const cases: [string, () => Promise<unknown>][] = [
      ['DECRYPT_FAILED', () => openSealedLetter(flip(sealed, sealed.length - 10), bob, op)], // tampered ciphertext
      ['DECRYPT_FAILED', () => openSealedLetter(sealed, { name: 'bob', keys: carol.keys }, op)], // not for this key
      ['DECRYPT_FAILED', () => openSealedLetter(flip(sealed, 20), bob, op)], // damaged ephemeral key
      ['WRONG_RECIPIENT', () => openSealedLetter(seal({ ...letter, to: 'carol' }), bob, op)],
      ['WRONG_AUTHOR', () => openSealedLetter(seal(letter, mallory, bob.publicKey, statementOf(alice)), bob, op)], // alice's statement, signed by mallory
      ['WRONG_AUTHOR', () => openSealedLetter(seal(letter, mallory, bob.publicKey, statementOf(mallory)), bob, op)], // mallory's own statement, "from alice"
      ['WRONG_AUTHOR', () => openSealedLetter(seal(letter, alice, bob.publicKey, rogue.statementOf('alice', alice.publicKey)), bob, op)], // another Operator's statement
      ['WRONG_AUTHOR', () => openSealedLetter(sealedWith(flip(statementOf(alice), 30), signed), bob, op)], // a damaged statement
      ['MALFORMED', () => openSealedLetter(sealedWith(new Uint8Array(5), signed), bob, op)], // statement length below any statement
      ['TRUNCATED', () => openSealedLetter(sealedWith(statementOf(alice), new Uint8Array(0)), bob, op)], // ends with the statement
      ['TRUNCATED', () => openSealedLetter(sealed.subarray(0, sealed.length - 1), bob, op)],
      ['TRAILING_BYTES', () => openSealedLetter(concatBytes(sealed, Uint8Array.of(0)), bob, op)],
      ['TOO_LARGE', () => openSealedLetter(new Uint8Array(MAX_SEALED_LETTER_BYTES + 1).fill(2), bob, op)],
      ['BAD_PADDING', () => openSealedLetter(sealRaw(flip(pad(sealedContent(statementOf(alice), signed)), 511), bob.publicKey), bob, op)],
      ['UNSUPPORTED_VERSION', () => openSealedLetter(concatBytes(Uint8Array.of(3), sealed.subarray(1)), bob, op)],
      ['BAD_SIGNATURE', () => openSealedLetter(sealedWith(statementOf(alice), utf8('not a signed letter, only text')), bob, op)],
    ];
    const seen = [];
    for (const [code, run] of cases) {
      expect(await codeOf(run), code).toBe(code);
      seen.push(code);
    }
    expect(new Set(seen).size).toBe(10);
  });

  it('SEAL-5 every truncation is TRUNCATED, and every single-byte change fails', async () => {
    const sealed = seal(letter);
    const op = operator.keys.publicKey;
    for (let n = 0; n < sealed.length; n += 7) expect(await codeOf(() => openSealedLetter(sealed.subarray(0, n), bob, op))).toBe('TRUNCATED');
    for (let i = 0; i < sealed.length; i += 3) {
      const code = await codeOf(() => openSealedLetter(flip(sealed, i, 0x80), bob, op));
      expect(['DECRYPT_FAILED', 'UNSUPPORTED_VERSION', 'TRUNCATED', 'TRAILING_BYTES']).toContain(code);
    }
  });

  it('SEAL-5 steps 7-9 SIG-3 signatures are checked before the letter is decoded: unsigned content never reaches the decoder', async () => {
    // Bytes that are no letter, signed by mallory, under alice's genuine statement: a reader that decoded
    // first would answer MALFORMED (having parsed an attacker's bytes); here the signature fails first.
    const junk = sign(mallory.keys.privateKey, encode({ not: 'a letter', deep: [[[[[]]]]] }));
    expect(await codeOf(() => openSealedLetter(sealedWith(statementOf(alice), junk), bob, operator.keys.publicKey))).toBe('WRONG_AUTHOR');
    // The same bytes signed by the stated key are decoded, and refused as the letter they are not.
    const signedJunk = sign(alice.keys.privateKey, encode({ not: 'a letter' }));
    expect(await codeOf(() => openSealedLetter(sealedWith(statementOf(alice), signedJunk), bob, operator.keys.publicKey))).toBe('MALFORMED');
  });

  it('SEAL-5 step 11 a genuine letter for someone else, re-sealed to bob, is WRONG_RECIPIENT', async () => {
    // carol re-seals a genuine letter alice wrote to her, hoping bob takes it as written to him
    const toCarol = createLetter({ kind: 'dm', from: 'alice', to: 'carol', body: { text: 'for carol only' } });
    const opened = await openSealedLetter(seal(toCarol, alice, carol.publicKey), carol, operator.keys.publicKey);
    expect(await codeOf(() => openSealedLetter(sealedWith(opened.statement, opened.signed), bob, operator.keys.publicKey))).toBe('WRONG_RECIPIENT');
  });

  it('SEAL-6 opening needs no lookup: the statement carries the sender, and an unregistered sender cannot make one', async () => {
    const fromStranger = createLetter({ kind: 'dm', from: 'stranger', to: 'bob', body: { text: 'hi' } });
    // the stranger has no statement of its own; the best it can attach is somebody else's
    expect(await codeOf(() => openSealedLetter(seal(fromStranger, mallory, bob.publicKey, statementOf(mallory)), bob, operator.keys.publicKey))).toBe('WRONG_AUTHOR');
  });

  it('LIM-6 LIM-9 SEAL-3 the largest letter, with its statement, seals within MAX_SEALED_LETTER_BYTES and opens', async () => {
    const largest = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: '😀'.repeat(MAX_TEXT_CHARS), image: image('image/jpeg', MAX_IMAGE_BYTES) } });
    const sealed = seal(largest);
    expect(sealed.length).toBeLessThanOrEqual(MAX_SEALED_LETTER_BYTES);
    expect((await openSealedLetter(sealed, bob, operator.keys.publicKey)).letter).toEqual(largest);
  });

  it('SEAL-2 sealing checks its arguments', () => {
    expect(() => sealLetter(letter, alice.keys.privateKey as unknown as KeyPair, bob.publicKey, statementOf(alice))).toThrow(TypeError);
    expect(() => sealLetter(letter, alice.keys, bob.publicKey, new Uint8Array(0))).toThrow(TypeError);
    expect(() => sealLetter(letter, alice.keys, bob.publicKey, new Uint8Array(MAX_STATEMENT_BYTES + 1))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(() => sealLetter({ ...letter, to: 'Bob' }, alice.keys, bob.publicKey, statementOf(alice))).toThrow(ProtocolError);
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

/** The 77-byte (uncompressed) container of a public key, from OpenSSL. */
function uncompressed77(key: PublicKey): Uint8Array {
  const point = ECDH.convertKey(key.bytes().subarray(12), 'prime256v1', undefined, undefined, 'uncompressed') as Buffer;
  return makeContainer('UEC2', new Uint8Array(point));
}
