/**
 * `@comrad/core/envelope` — the layered message formats: names, letters (plaintext; texts, events,
 * invitations, answers), signed letters, sealed letters (sealed sender, padded), world posts and profiles.
 *
 * @example
 * ```ts
 * import { ready, KeyPair } from '@comrad/core';
 * import { createLetter, sealLetter, openSealedLetter, signStatement } from '@comrad/core/envelope';
 * await ready();
 * const operator = KeyPair.generate();
 * const alice = KeyPair.generate();
 * const bob = { name: 'bob', keys: KeyPair.generate() };
 * // What alice's `register` answered: the Operator's signature over alice -> her key (REG-4).
 * const aliceStatement = signStatement(operator.privateKey, 'alice', alice.publicKey, Date.now());
 * const letter = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'hello' } });
 * const sealed = sealLetter(letter, alice, bob.keys.publicKey, aliceStatement);
 * const opened = await openSealedLetter(sealed, bob, operator.publicKey);
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
export { MAX_CIRCLE_GEN, type CircleKeyBody } from './circle-key.js';
export {
  LETTER_VERSION,
  LETTER_KINDS,
  SPECIFIED_KINDS,
  MAX_LETTER_AT,
  LETTER_ID_BYTES,
  createLetter,
  textBodyOf,
  encodeLetter,
  decodeLetter,
  type Letter,
  type LetterHead,
  type LetterContent,
  type TextLetter,
  type EventLetter,
  type InviteLetter,
  type RsvpLetter,
  type CircleKeyLetter,
  type LetterInit,
  type LetterOf,
  type LetterKind,
  type SpecifiedKind,
} from './letter.js';
export {
  EVENT_ID_BYTES,
  MAX_EVENT_TITLE_CHARS,
  MAX_EVENT_WHERE_CHARS,
  MAX_EVENT_NOTE_CHARS,
  MAX_EVENT_SECONDS,
  MAX_EVENT_TIME,
  RSVP_ANSWERS,
  MAX_INVITE_KEYS_BYTES,
  MAX_HOST_PROOF_BYTES,
  type RsvpAnswer,
  type EventBody,
  type InviteBody,
  type RsvpBody,
} from './event.js';
export { signLetter, signLetterAsync, openSigned, openSignedAsync, type SignedLetter } from './signed.js';
export { PADDING_BUCKETS, PAD_PREFIX, bucketFor, pad, unpad } from './padding.js';
export { type OpenedLetter } from './_opening.js';
export { STATEMENT_CONTEXT, STATEMENT_BYTES, signStatement, verifyStatement, verifyStatementAsync, type RegistryStatement } from './statement.js';
export {
  SEALED_VERSION,
  EPHEMERAL_KEY_BYTES,
  SEALED_HEADER_BYTES,
  sealLetter,
  sealLetterAsync,
  openSealedLetter,
  type Recipient,
  type OpenedSealedLetter,
} from './sealed.js';
export {
  POST_VERSION,
  POST_HEADER_BYTES,
  MAX_POST_BYTES,
  MAX_EPOCH,
  postContext,
  sealPost,
  sealPostAsync,
  postEpoch,
  openPost,
  openWorldLetter,
  type EpochKeyFor,
  type OpenedPost,
  type OpenedWorldLetter,
  type PostAuthor,
} from './post.js';
export {
  PROFILE_VERSION,
  PROFILE_VISIBILITIES,
  MAX_DISPLAY_CHARS,
  MAX_BIO_CHARS,
  MAX_PROFILE_PHOTO_BYTES,
  MAX_PROFILE_PHOTO_SIDE,
  PROFILE_TTL_DAYS,
  PROFILE_TTL_SECONDS,
  MAX_PROFILE_AT,
  MAX_PROFILE_BYTES,
  MAX_SIGNED_PROFILE_BYTES,
  PROFILE_HEADER_BYTES,
  MAX_SEALED_PROFILE_BYTES,
  createProfile,
  encodeProfile,
  decodeProfile,
  sealProfile,
  sealTrustedProfile,
  profileHeader,
  openProfile,
  type Profile,
  type ProfileInit,
  type ProfileHeader,
  type ProfileVisibility,
  type OpenedProfile,
  type ProfileAuthor,
} from './profile.js';
export {
  CHANNEL_ID_BYTES,
  CHANNEL_POST_VERSION,
  MAX_CHANNEL_POST_BYTES,
  channelIdOf,
  deriveChannel,
  sealChannelPost,
  openChannelPost,
  type ChannelAddress,
} from './channel.js';
export {
  ANON_EVENT_VERSION,
  ANON_KEY_BYTES,
  MAILBOX_KEY_BYTES,
  anonEventsKey,
  sealAnonEvent,
  openAnonEvent,
  proveHosting,
  checkHosting,
  type AnonEvent,
} from './anon-event.js';
