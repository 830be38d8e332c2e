import { beforeAll, describe, expect, it } from 'vitest';
import { ready, concatBytes, encode, sign, SymmetricKey, ComradError } from '@comrad/core';
import { createLetter, openPost, pad, postEpoch, POST_HEADER_BYTES, sealPost, signLetter, type TextLetter, type PostAuthor } from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';
import { MAX_SEALED_LETTER_BYTES } from '../src/limits.js';
import { flip, postRaw } from '@comrad/test-kit/core/envelope';
import { codeOf } from '@comrad/test-kit/core/garbage';

let alice: Keymaker, mallory: Keymaker;
let byAlice: PostAuthor;
let post: TextLetter;
const epoch = 20_417;
const keys = new Map<number, SymmetricKey>();
const epochKeyFor = (e: number): SymmetricKey => {
  const k = keys.get(e);
  if (!k) throw new ComradError('EXPIRED', 'no key for this epoch');
  return k;
};


beforeAll(async () => {
  await ready({ backend: 'wasm' });
  alice = Keymaker.generate('alice');
  mallory = Keymaker.generate('mallory');
  byAlice = { name: 'alice', key: alice.publicKey };
  keys.set(epoch, SymmetricKey.generate());
  keys.set(epoch + 1, SymmetricKey.generate());
  post = createLetter({ kind: 'post', from: 'alice', body: { text: 'general assembly on friday' } });
});

describe('world posts (POST-*)', () => {
  it('POST-1 POST-2 POST-3 a post opens with its epoch key and is verified against its author', async () => {
    const sealed = sealPost(post, alice.keys, keys.get(epoch)!, epoch);
    expect(sealed[0]).toBe(1);
    expect(postEpoch(sealed)).toBe(epoch);
    expect(sealed.length).toBe(POST_HEADER_BYTES + 44 + 512);
    const opened = await openPost(sealed, epochKeyFor, byAlice);
    expect(opened.letter).toEqual(post);
    expect(opened.epoch).toBe(epoch);
    expect(opened.authorKey.equals(alice.publicKey)).toBe(true);
  });

  it('POST-3 the Operator holds every epoch key, yet cannot forge a post: WRONG_AUTHOR', async () => {
    const forged = postRaw(pad(signLetter({ ...post, body: { text: 'assembly cancelled' } }, mallory.keys.privateKey)), keys.get(epoch)!, epoch);
    expect(await codeOf(() => openPost(forged, epochKeyFor, byAlice))).toBe('WRONG_AUTHOR');
  });

  it('POST-3 step 10 FEED-7 a post signed by its author but filed under another name is WRONG_AUTHOR', async () => {
    // mallory seals her own post, signed with her key, and the Operator files it under alice
    const hers = sealPost(createLetter({ kind: 'post', from: 'mallory', body: { text: 'as alice' } }), mallory.keys, keys.get(epoch)!, epoch);
    expect(await codeOf(() => openPost(hers, epochKeyFor, { name: 'alice', key: mallory.publicKey }))).toBe('WRONG_AUTHOR');
    expect((await openPost(hers, epochKeyFor, { name: 'mallory', key: mallory.publicKey })).letter.from).toBe('mallory');
  });

  it('POST-3 SIG-3 the signature is checked before the letter is decoded: unsigned content never reaches the decoder', async () => {
    // Bytes that are no letter, signed by someone other than the author the post is filed under: a
    // reader that decoded first would answer MALFORMED (and would have parsed an attacker's bytes).
    const junk = postRaw(pad(sign(mallory.keys.privateKey, encode({ not: 'a letter', deep: [[[[[]]]]] }))), keys.get(epoch)!, epoch);
    expect(await codeOf(() => openPost(junk, epochKeyFor, byAlice))).toBe('WRONG_AUTHOR');
  });

  it('POST-2 the epoch is bound to the cell: moving a post to another epoch does not open', async () => {
    const sealed = sealPost(post, alice.keys, keys.get(epoch)!, epoch);
    const moved = sealed.slice();
    new DataView(moved.buffer).setUint32(1, epoch + 1, false);
    expect(await codeOf(() => openPost(moved, epochKeyFor, byAlice))).toBe('DECRYPT_FAILED');
    // even when the cell is made with the other epoch's key, the context still names the first epoch
    const rekeyed = concatBytes(moved.subarray(0, 5), sealPost(post, alice.keys, keys.get(epoch + 1)!, epoch).subarray(5));
    expect(await codeOf(() => openPost(rekeyed, epochKeyFor, byAlice))).toBe('DECRYPT_FAILED');
  });

  it('POST-3 each failure has its own code', async () => {
    const sealed = sealPost(post, alice.keys, keys.get(epoch)!, epoch);
    const dm = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'psst' } });
    const cases: [string, () => Promise<unknown>][] = [
      ['DECRYPT_FAILED', () => openPost(flip(sealed, sealed.length - 3), epochKeyFor, byAlice)],
      ['DECRYPT_FAILED', () => openPost(sealed, () => SymmetricKey.generate(), byAlice)],
      ['EXPIRED', () => openPost(sealPost(post, alice.keys, SymmetricKey.generate(), 7), epochKeyFor, byAlice)],
      ['TRUNCATED', () => openPost(sealed.subarray(0, 4), epochKeyFor, byAlice)],
      ['TRUNCATED', () => openPost(sealed.subarray(0, sealed.length - 1), epochKeyFor, byAlice)],
      ['TRAILING_BYTES', () => openPost(concatBytes(sealed, Uint8Array.of(9)), epochKeyFor, byAlice)],
      ['TOO_LARGE', () => openPost(new Uint8Array(MAX_SEALED_LETTER_BYTES + 1).fill(1), epochKeyFor, byAlice)],
      ['UNSUPPORTED_VERSION', () => openPost(concatBytes(Uint8Array.of(2), sealed.subarray(1)), epochKeyFor, byAlice)],
      ['BAD_PADDING', () => openPost(postRaw(flip(pad(signLetter(post, alice.keys.privateKey)), 500), keys.get(epoch)!, epoch), epochKeyFor, byAlice)],
      ['MALFORMED', () => openPost(postRaw(pad(signLetter(dm, alice.keys.privateKey)), keys.get(epoch)!, epoch), epochKeyFor, byAlice)],
      ['MALFORMED', () => openPost(postRaw(pad(sign(alice.keys.privateKey, Uint8Array.of(0x90))), keys.get(epoch)!, epoch), epochKeyFor, byAlice)],
    ];
    for (const [code, run] of cases) expect(await codeOf(run), code).toBe(code);
  });

  it('POST-1 postEpoch reads the header without opening and refuses what is not a post header', async () => {
    expect(await codeOf(() => postEpoch(new Uint8Array(0)))).toBe('TRUNCATED');
    expect(await codeOf(() => postEpoch(Uint8Array.of(1, 0, 0)))).toBe('TRUNCATED');
    expect(await codeOf(() => postEpoch(Uint8Array.of(3, 0, 0, 0, 0)))).toBe('UNSUPPORTED_VERSION');
    expect(postEpoch(Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff, 0))).toBe(2 ** 32 - 1);
  });

  it('POST-2 sealing checks its arguments', () => {
    const dm = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'psst' } });
    expect(() => sealPost(dm, alice.keys, keys.get(epoch)!, epoch)).toThrow(TypeError);
    expect(() => sealPost(post, alice.keys, keys.get(epoch)!, -1)).toThrow(TypeError);
    expect(() => sealPost(post, alice.keys, keys.get(epoch)!, 2 ** 32)).toThrow(TypeError);
  });
});
