/**
 * Channel posts (CHAN-*): a signed letter and its author's registry statement, padded, sealed in a Secure
 * Cell under a channel key that only the channel's members hold (a trusted circle's key, a collective's
 * key). The Operator files it under an opaque channel id derived from the key, so it cannot tell one kind
 * of channel from another, nor who posts or reads; members open it and verify the author with the pinned
 * Operator key alone, asking nobody anything.
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ProtocolError } from '../errors.js';
import { concatBytes, utf8 } from '../bytes.js';
import { cellOpen, cellSeal } from '../crypto/operations.js';
import { KeyPair, PublicKey, SymmetricKey } from '../crypto/keys.js';
import { MAX_SEALED_LETTER_BYTES } from '../limits.js';
import type { Letter } from './letter.js';
import { unpad } from './padding.js';
import { openContent, packContent, type OpenedSealedLetter } from './sealed.js';
import { checkHeader } from './_opening.js';

/** CHAN-1: bytes of a channel id, and of the capability it is the hash of. */
export const CHANNEL_ID_BYTES = 32;

/** CHAN-3: the version byte that starts every channel post. */
export const CHANNEL_POST_VERSION = 1;

/** CHAN-3: a channel post is bounded like a sealed letter (LIM-6). */
export const MAX_CHANNEL_POST_BYTES = MAX_SEALED_LETTER_BYTES;

const CAP_LABEL = utf8('comrad/chan/v1/cap');
const ID_LABEL = utf8('comrad/chan/v1/id');

/** Where a channel lives at the Operator: its id, and the capability that lets one post to it. */
export interface ChannelAddress {
  /** CHAN-1: what readers ask for (`chanFeed`): SHA-256 of a label and `cap`. */
  readonly id: Uint8Array;
  /** CHAN-1: what posters show (`chanPost`); the Operator recomputes `id` from it. */
  readonly cap: Uint8Array;
}

/**
 * CHAN-1: the id of the channel whose posting capability is `cap`: `SHA-256("comrad/chan/v1/id" || cap)`.
 * @param cap - 32 bytes
 * @returns 32 bytes
 * @throws ProtocolError MALFORMED when `cap` is not 32 bytes
 */
export function channelIdOf(cap: Uint8Array): Uint8Array {
  if (!(cap instanceof Uint8Array) || cap.length !== CHANNEL_ID_BYTES) throw new ProtocolError('MALFORMED', `a channel capability is ${CHANNEL_ID_BYTES} bytes`);
  return sha256(concatBytes(ID_LABEL, cap));
}

/**
 * CHAN-1: the channel of a channel key — `cap = HMAC-SHA-256(key, "comrad/chan/v1/cap")` and `id` its
 * hash. Every holder of the key derives the same address; the Operator, which sees `cap` and `id`, cannot
 * go back to the key, and a reader's `id` alone does not let anyone post.
 * @param key - the channel key (a circle key, a collective key)
 * @returns the channel's id and posting capability
 * @example `const { id } = deriveChannel(circleKey); await session.request('chanFeed', { chan: id })`
 */
export function deriveChannel(key: SymmetricKey): ChannelAddress {
  if (!(key instanceof SymmetricKey)) throw new TypeError('key must be a SymmetricKey');
  const cap = hmac(sha256, key.raw, CAP_LABEL);
  return { id: channelIdOf(cap), cap };
}

/** CHAN-3: the Secure Cell context of a channel's posts, so a post cannot be moved between channels' cells. */
function channelContext(id: Uint8Array): Uint8Array {
  return concatBytes(utf8('comrad/chan/v1/post/'), id);
}

/**
 * Signs `letter` and seals it, with the author's registry statement, under the channel key (CHAN-3).
 * @param letter - any specified letter; a circle's posts are of kind `post`
 * @param author - the key pair of `letter.from`
 * @param statement - the Operator's statement that `letter.from` is registered with `author.publicKey`
 * @param key - the channel key
 * @returns `0x01 || Secure Cell (seal, context "comrad/chan/v1/post/" || id) of pad(u16be(s) || statement || signed letter)`
 * @throws ProtocolError when the letter breaks a LET rule; TOO_LARGE for a statement beyond LIM-8
 * @example `const sealed = sealChannelPost(createLetter({ kind: 'post', from: 'alice', body: { text: 'hi' } }), alice.keys, statement, circleKey)`
 */
export function sealChannelPost(letter: Letter, author: KeyPair, statement: Uint8Array, key: SymmetricKey): Uint8Array {
  if (!(author instanceof KeyPair)) throw new TypeError('author must be a KeyPair');
  if (!(key instanceof SymmetricKey)) throw new TypeError('key must be a SymmetricKey');
  const padded = packContent(letter, author, statement);
  try {
    return concatBytes(Uint8Array.of(CHANNEL_POST_VERSION), cellSeal(key, padded, channelContext(deriveChannel(key).id)));
  } finally {
    padded.fill(0);
  }
}

/**
 * Opens a channel post (CHAN-5, in that order): header, Secure Cell under the channel key, padding, the
 * author's statement (checked with the pinned Operator key), the signature under the stated key, then
 * the letter, which must be from the stated name.
 * @param bytes - the sealed post, as `chanFeed` answered it
 * @param key - the channel key
 * @param operatorKey - the pinned key of the Operator the post came through
 * @returns the letter, the author's key, the signed letter and the author's statement
 * @throws ProtocolError TOO_LARGE, TRUNCATED, UNSUPPORTED_VERSION, DECRYPT_FAILED (another channel's key,
 *   or tampered), BAD_PADDING, MALFORMED, WRONG_AUTHOR, BAD_SIGNATURE, the letter's codes
 * @example `const { letter } = await openChannelPost(entry.post, circleKey, operatorKey)`
 */
export async function openChannelPost(bytes: Uint8Array, key: SymmetricKey, operatorKey: PublicKey): Promise<OpenedSealedLetter> {
  if (!(key instanceof SymmetricKey)) throw new TypeError('key must be a SymmetricKey');
  if (!(operatorKey instanceof PublicKey)) throw new TypeError('operatorKey must be a PublicKey');
  checkHeader(bytes, 'channel post', CHANNEL_POST_VERSION, 1, MAX_CHANNEL_POST_BYTES);
  if (bytes.length === 1) throw new ProtocolError('TRUNCATED', 'channel post without its cell');
  const content = unpad(cellOpen(key, bytes.subarray(1), channelContext(deriveChannel(key).id)));
  const { statement, signed, stated, letter } = openContent(content, operatorKey);
  return { letter, authorKey: stated.key, signed: signed.slice(), statement: statement.slice(), statementAt: stated.at };
}
