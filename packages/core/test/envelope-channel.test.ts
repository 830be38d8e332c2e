/**
 * Channel posts (spec/13-circles.md, CHAN-1 … CHAN-5): the addresses a key derives, the sealed post, and
 * the reader's steps in order, each failure with its own code; any byte string is opened or refused with
 * a code, never a crash.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ready, SymmetricKey, cellSeal, concatBytes, sign, toHex, utf8, encode } from '@comrad/core';
import {
  CHANNEL_ID_BYTES,
  CHANNEL_POST_VERSION,
  MAX_CHANNEL_POST_BYTES,
  channelIdOf,
  createLetter,
  deriveChannel,
  openChannelPost,
  openSigned,
  pad,
  sealChannelPost,
  signLetter,
  type Letter,
} from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';
import { flip, sealedContent, testOperator } from '@comrad/test-kit/core/envelope';
import { checkTotal, codeOf } from '@comrad/test-kit/core/garbage';

let alice: Keymaker, mallory: Keymaker;
let operator: ReturnType<typeof testOperator>, rogue: ReturnType<typeof testOperator>;
let key: SymmetricKey;
let post: Letter;

beforeAll(async () => {
  await ready({ backend: 'wasm' });
  [alice, mallory] = ['alice', 'mallory'].map((n) => Keymaker.generate(n)) as [Keymaker, Keymaker];
  operator = testOperator();
  rogue = testOperator();
  key = SymmetricKey.generate();
  post = createLetter({ kind: 'post', from: 'alice', body: { text: 'only for the circle' } });
});

/** A cell over any padded content under `k` with the channel's context, as any key holder can make. */
const rawPost = (padded: Uint8Array, k = key, version = CHANNEL_POST_VERSION) =>
  concatBytes(Uint8Array.of(version), cellSeal(k, padded, concatBytes(utf8('comrad/chan/v1/post/'), deriveChannel(k).id)));

describe('CHAN-1 channel addresses', () => {
  it('CHAN-1 cap is HMAC-SHA-256 of the key, the id SHA-256 of a label and cap; both 32 bytes, the same for every holder', () => {
    const { id, cap } = deriveChannel(key);
    expect(toHex(cap)).toBe(toHex(hmac(sha256, key.bytes(), utf8('comrad/chan/v1/cap'))));
    expect(toHex(id)).toBe(toHex(sha256(concatBytes(utf8('comrad/chan/v1/id'), cap))));
    expect(toHex(channelIdOf(cap))).toBe(toHex(id));
    expect([id.length, cap.length]).toEqual([CHANNEL_ID_BYTES, CHANNEL_ID_BYTES]);
    expect(toHex(deriveChannel(SymmetricKey.from(key.bytes())).id)).toBe(toHex(id));
    expect(toHex(deriveChannel(SymmetricKey.generate()).id)).not.toBe(toHex(id));
    // The id is not the capability: a reader's id does not let anyone post.
    expect(toHex(id)).not.toBe(toHex(cap));
  });

  it('CHAN-1 a capability of another length is MALFORMED', async () => {
    expect(await codeOf(() => channelIdOf(new Uint8Array(31)))).toBe('MALFORMED');
    expect(await codeOf(() => channelIdOf(new Uint8Array(33)))).toBe('MALFORMED');
  });
});

describe('CHAN-3 CHAN-4 CHAN-5 channel posts', () => {
  it('CHAN-2 CHAN-3 CHAN-4 a post sealed under the channel key opens to the letter, its author key and statement', async () => {
    const statement = operator.statementOf('alice', alice.publicKey);
    const sealed = sealChannelPost(post, alice.keys, statement, key);
    expect(sealed[0]).toBe(CHANNEL_POST_VERSION);
    // Padded to a bucket: the content's length does not show.
    const longer = sealChannelPost(createLetter({ kind: 'post', from: 'alice', body: { text: 'only for the circle, a little longer' } }), alice.keys, statement, key);
    expect(longer.length).toBe(sealed.length);
    const opened = await openChannelPost(sealed, key, operator.keys.publicKey);
    expect(opened.letter).toEqual(post);
    expect(opened.authorKey.equals(alice.publicKey)).toBe(true);
    expect(toHex(opened.statement)).toBe(toHex(statement));
    expect(openSigned(opened.signed, alice.publicKey).letter).toEqual(post);
  });

  it('CHAN-5 each step in order, each failure with its code', async () => {
    const statement = operator.statementOf('alice', alice.publicKey);
    const sealed = sealChannelPost(post, alice.keys, statement, key);
    const open = (b: Uint8Array, k = key) => openChannelPost(b, k, operator.keys.publicKey);
    expect(await codeOf(() => open(new Uint8Array(MAX_CHANNEL_POST_BYTES + 1)))).toBe('TOO_LARGE');
    expect(await codeOf(() => open(new Uint8Array(0)))).toBe('TRUNCATED');
    expect(await codeOf(() => open(concatBytes(Uint8Array.of(2), sealed.subarray(1))))).toBe('UNSUPPORTED_VERSION');
    expect(await codeOf(() => open(Uint8Array.of(1)))).toBe('TRUNCATED');
    // Another channel's key, an altered byte: the cell does not open.
    expect(await codeOf(() => open(sealed, SymmetricKey.generate()))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => open(flip(sealed, sealed.length - 4)))).toBe('DECRYPT_FAILED');
    // The same cell under another channel's context does not open either (CHAN-3).
    const other = SymmetricKey.from(key.bytes());
    expect(await codeOf(() => open(concatBytes(Uint8Array.of(1), cellSeal(other, pad(sealedContent(statement, signLetter(post, alice.keys.privateKey))), utf8('comrad/world/v1/epoch/1')))))).toBe('DECRYPT_FAILED');
    const signed = signLetter(post, alice.keys.privateKey);
    expect(await codeOf(() => open(rawPost(flip(pad(sealedContent(statement, signed)), pad(sealedContent(statement, signed)).length - 1))))).toBe('BAD_PADDING');
    expect(await codeOf(() => open(rawPost(pad(Uint8Array.of(0)))))).toBe('TRUNCATED');
    expect(await codeOf(() => open(rawPost(pad(Uint8Array.of(0, 5, 1, 2, 3, 4, 5)))))).toBe('MALFORMED');
    // A statement the pinned Operator did not sign, by a member who holds the key: a forgery.
    expect(await codeOf(() => open(rawPost(pad(sealedContent(rogue.statementOf('alice', mallory.publicKey), signLetter(post, mallory.keys.privateKey)))))))
      .toBe('WRONG_AUTHOR');
    // Alice's statement with a letter signed by mallory.
    expect(await codeOf(() => open(rawPost(pad(sealedContent(statement, signLetter(post, mallory.keys.privateKey)))))))
      .toBe('WRONG_AUTHOR');
    // Mallory's own statement, a letter that says it is from alice, signed by mallory.
    expect(await codeOf(() => open(rawPost(pad(sealedContent(operator.statementOf('mallory', mallory.publicKey), signLetter(post, mallory.keys.privateKey)))))))
      .toBe('WRONG_AUTHOR');
    // Signed bytes that are no letter: decoded only after the signature checks.
    expect(await codeOf(() => open(rawPost(pad(sealedContent(statement, sign(alice.keys.privateKey, encode({ not: 'a letter' }))))))))
      .toBe('MALFORMED');
  });

  it('CHAN-5 any bytes, outside and inside the cell: opened or refused with a code', async () => {
    const statement = operator.statementOf('alice', alice.publicKey);
    const sealed = sealChannelPost(post, alice.keys, statement, key);
    await checkTotal((b) => openChannelPost(b, key, operator.keys.publicKey), [sealed], { numRuns: 150 });
    await checkTotal((b) => openChannelPost(rawPost(pad(b.length > 0 ? b : Uint8Array.of(0))), key, operator.keys.publicKey), [sealedContent(statement, signLetter(post, alice.keys.privateKey))], { numRuns: 100 });
  });
});
