/**
 * The order of the checks in unpadding and in the clear headers of sealed letters and posts
 * (spec/03-letters.md SEAL-4, SEAL-5 steps 1–2, POST-3 steps 1–2), at each bound. Mutation testing
 * (spec/notes/2026-11-29-mutation-testing.md) found these edges unchecked: a bound off by one, or two
 * checks in the other order, passed every other test.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyPair, ready, SymmetricKey } from '@comrad/core';
import { MAX_POST_BYTES, openPost, openSealedLetter, pad, PADDING_BUCKETS, postEpoch, SEALED_HEADER_BYTES, unpad } from '@comrad/core/envelope';
import { MAX_PADDED_CONTENT_BYTES, MAX_SEALED_LETTER_BYTES } from '../src/limits.js';
import { codeOf } from '@comrad/test-kit/core/garbage';

/** `size` bytes whose big-endian length prefix says `n`, the rest zero. */
function padded(size: number, n: number): Uint8Array {
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

let bob: { name: string; keys: KeyPair };
let operatorKey: KeyPair;

beforeAll(async () => {
  await ready();
  bob = { name: 'bob', keys: KeyPair.generate() };
  operatorKey = KeyPair.generate();
});

describe('SEAL-4 unpadding, step by step', () => {
  it('SEAL-4 (2) before (3): a prefix beyond its bucket is BAD_PADDING however large, even beyond LIM-9', async () => {
    expect(await codeOf(() => unpad(padded(512, 509)))).toBe('BAD_PADDING');
    expect(await codeOf(() => unpad(padded(512, MAX_PADDED_CONTENT_BYTES + 1)))).toBe('BAD_PADDING');
    expect(await codeOf(() => unpad(padded(512, 0xffffffff)))).toBe('BAD_PADDING');
    expect(await codeOf(() => unpad(padded(512, 0)))).toBe('BAD_PADDING');
    // The largest prefix a 512-byte bucket holds: 508 bytes of content, no padding byte.
    expect(unpad(padded(512, 508)).length).toBe(508);
  });

  it('SEAL-4 (3) TOO_LARGE only from the last bucket, above MAX_PADDED_CONTENT_BYTES; at the bound it opens', async () => {
    const last = PADDING_BUCKETS.at(-1)!;
    expect(last).toBe(286_720);
    expect(await codeOf(() => unpad(padded(last, MAX_PADDED_CONTENT_BYTES + 1)))).toBe('TOO_LARGE');
    expect(await codeOf(() => unpad(padded(last, last - 4)))).toBe('TOO_LARGE');
    // One past what the last bucket holds is step (2), BAD_PADDING, though also above LIM-9.
    expect(await codeOf(() => unpad(padded(last, last - 3)))).toBe('BAD_PADDING');
    const largest = new Uint8Array(MAX_PADDED_CONTENT_BYTES).fill(7);
    expect(unpad(pad(largest))).toEqual(largest);
  });

  it('SEAL-3 pad takes non-empty bytes only', () => {
    expect(() => pad(new Uint8Array(0))).toThrow(TypeError);
    expect(() => pad('content' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => pad([1, 2, 3] as unknown as Uint8Array)).toThrow(TypeError);
    expect(pad(Uint8Array.of(1)).length).toBe(512);
  });
});

describe('SEAL-5 POST-3 steps 1–2: size, version, then the header length', () => {
  it('SEAL-5 POST-3 not bytes is MALFORMED', async () => {
    expect(await codeOf(() => openSealedLetter('\u0002' as unknown as Uint8Array, bob, operatorKey.publicKey))).toBe('MALFORMED');
    expect(await codeOf(() => postEpoch('\u0001' as unknown as Uint8Array))).toBe('MALFORMED');
  });

  it('SEAL-5 step 1 exactly the largest size goes on to decryption; one byte more is TOO_LARGE', async () => {
    const largest = new Uint8Array(MAX_SEALED_LETTER_BYTES);
    largest[0] = 2;
    expect(await codeOf(() => openSealedLetter(largest, bob, operatorKey.publicKey))).not.toBe('TOO_LARGE');
    const over = new Uint8Array(MAX_SEALED_LETTER_BYTES + 1);
    over[0] = 2;
    expect(await codeOf(() => openSealedLetter(over, bob, operatorKey.publicKey))).toBe('TOO_LARGE');
    const post = new Uint8Array(MAX_POST_BYTES);
    post[0] = 1;
    expect(postEpoch(post)).toBe(0);
    expect(await codeOf(() => postEpoch(new Uint8Array(MAX_POST_BYTES + 1).fill(1, 0, 1)))).toBe('TOO_LARGE');
  });

  it('SEAL-5 POST-3 one byte: its version decides (UNSUPPORTED_VERSION), then the header length (TRUNCATED)', async () => {
    expect(await codeOf(() => openSealedLetter(Uint8Array.of(9), bob, operatorKey.publicKey))).toBe('UNSUPPORTED_VERSION');
    expect(await codeOf(() => openSealedLetter(Uint8Array.of(2), bob, operatorKey.publicKey))).toBe('TRUNCATED');
    expect(await codeOf(() => openSealedLetter(new Uint8Array(0), bob, operatorKey.publicKey))).toBe('TRUNCATED');
    expect(await codeOf(() => postEpoch(Uint8Array.of(9)))).toBe('UNSUPPORTED_VERSION');
    expect(await codeOf(() => postEpoch(Uint8Array.of(1)))).toBe('TRUNCATED');
  });

  it('SEAL-5 POST-3 a header of exactly its length is read; one byte less is TRUNCATED', async () => {
    expect(postEpoch(Uint8Array.of(1, 0, 0, 1, 2))).toBe(258);
    expect(await codeOf(() => postEpoch(Uint8Array.of(1, 0, 0, 1)))).toBe('TRUNCATED');
    const header = new Uint8Array(SEALED_HEADER_BYTES);
    header[0] = 2;
    expect(await codeOf(() => openSealedLetter(header.subarray(0, SEALED_HEADER_BYTES - 1), bob, operatorKey.publicKey))).toBe('TRUNCATED');
    // 46 bytes: the header is complete, so the (empty) encrypted message decides, not the header length.
    expect(await codeOf(() => openSealedLetter(header, bob, operatorKey.publicKey))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => openPost(Uint8Array.of(1, 0, 0, 0, 7), () => SymmetricKey.generate(), { name: 'alice', key: bob.keys.publicKey }))).toBe('TRUNCATED');
  });
});
