/**
 * `@comrad/core/envelope` — the layered message formats: names, letters (plaintext), signed letters,
 * sealed letters (sealed sender, padded) and world posts.
 *
 * @example
 * ```ts
 * import { ready, KeyPair } from '@comrad/core';
 * import { createLetter, sealLetter, openSealedLetter } from '@comrad/core/envelope';
 * await ready();
 * const alice = KeyPair.generate();
 * const bob = { name: 'bob', keys: KeyPair.generate() };
 * const letter = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'hello' } });
 * const sealed = sealLetter(letter, alice, bob.keys.publicKey);
 * const registry = new Map([['alice', alice.publicKey]]);
 * const opened = await openSealedLetter(sealed, bob, (name) => registry.get(name)!);
 * opened.letter.body.text; // 'hello'
 * ```
 * @packageDocumentation
 */
export {
  normaliseName,
  checkName,
  checkRegistrableName,
  NAME_MIN,
  NAME_MAX,
  RESERVED_NAMES,
  WORLD_NAME,
  OPERATOR_NAME,
} from './name.js';
export { IMAGE_MIMES, type ImageMime, type Image, type TextBody } from './body.js';
export {
  LETTER_VERSION,
  LETTER_KINDS,
  SPECIFIED_KINDS,
  MAX_LETTER_AT,
  LETTER_ID_BYTES,
  createLetter,
  encodeLetter,
  decodeLetter,
  type Letter,
  type LetterInit,
  type LetterKind,
  type SpecifiedKind,
} from './letter.js';
export { signLetter, openSigned, type SignedLetter } from './signed.js';
export { PADDING_BUCKETS, PAD_PREFIX, bucketFor, pad, unpad } from './padding.js';
export { type AuthorKeyOf, type OpenedLetter } from './_opening.js';
export {
  SEALED_VERSION,
  EPHEMERAL_KEY_BYTES,
  SEALED_HEADER_BYTES,
  sealLetter,
  openSealedLetter,
  type Recipient,
} from './sealed.js';
export {
  POST_VERSION,
  POST_HEADER_BYTES,
  MAX_POST_BYTES,
  MAX_EPOCH,
  postContext,
  sealPost,
  postEpoch,
  openPost,
  type EpochKeyFor,
  type OpenedPost,
} from './post.js';
