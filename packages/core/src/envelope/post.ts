/**
 * World posts (POST-*): a post letter signed by its author, padded, sealed in a Secure Cell under the
 * world key of an epoch. Any registered reader with the epoch key can open it; the author's signature
 * means the Operator, which holds every epoch key, can withhold a post but cannot forge one.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { concatBytes, utf8 } from '../bytes.js';
import { cellOpenAsync, cellSeal, cellSealAsync } from '../crypto/operations.js';
import { KeyPair, PublicKey, SymmetricKey } from '../crypto/keys.js';
import { MAX_SEALED_LETTER_BYTES } from '../limits.js';
import type { EventLetter, Letter, TextLetter } from './letter.js';
import { pad, unpad } from './padding.js';
import { openSignedByAsync, signLetter, signLetterAsync } from './signed.js';
import { checkHeader, type OpenedLetter } from './_opening.js';

/** POST-1: the version byte that starts every sealed post. */
export const POST_VERSION = 1;

/** POST-1: version byte + 4-byte epoch; the Secure Cell follows. */
export const POST_HEADER_BYTES = 5;

/** POST-4: a sealed post is bounded like a sealed letter (LIM-6). */
export const MAX_POST_BYTES = MAX_SEALED_LETTER_BYTES;

/** POST-1: the largest epoch number (a 32-bit unsigned integer). */
export const MAX_EPOCH = 0xffff_ffff;

/** Gives the world key of an epoch; may throw (for instance NOT_FOUND or EXPIRED). */
export type EpochKeyFor = (epoch: number) => SymmetricKey | Promise<SymmetricKey>;

/**
 * The author a feed files a post under (FEED-7), with the key the reader holds for that name (pinned, or
 * from a verified registry statement): known before the post is opened, so the signature is checked
 * before the letter is decoded (POST-3).
 */
export interface PostAuthor {
  readonly name: string;
  readonly key: PublicKey;
}

/** An opened world post: the verified letter and the epoch it was sealed under. */
export interface OpenedPost extends OpenedLetter {
  readonly letter: TextLetter;
  readonly epoch: number;
}

/** An opened world post or world event (EVT-7): the verified letter and the epoch it was sealed under. */
export interface OpenedWorldLetter extends OpenedLetter {
  readonly letter: TextLetter | EventLetter;
  readonly epoch: number;
}

/**
 * POST-2: the Secure Cell context of an epoch, `comrad/world/v1/epoch/<decimal epoch>`, so a post cannot
 * be moved to another epoch's header, nor a cell from another Comrad structure passed off as a post.
 */
export function postContext(epoch: number): Uint8Array {
  return utf8(`comrad/world/v1/epoch/${epoch}`);
}

/**
 * Signs a post letter (or an event, EVT-7) and seals it under the world key of `epoch` (POST-2).
 * @param letter - a letter of kind `post` or `event` (addressed to `comrades`)
 * @param author - the key pair of `letter.from`
 * @param epochKey - the world key of `epoch`
 * @param epoch - the epoch number, 0 to 2³²−1
 * @returns `0x01 || u32be(epoch) || Secure Cell of pad(signed letter)`
 * @throws ProtocolError when the letter breaks a LET rule
 * @example `const sealed = sealPost(createLetter({ kind: 'post', from: 'alice', body: { text: 'hi' } }), alice.keys, key, 20417)`
 */
export function sealPost(letter: Letter, author: KeyPair, epochKey: SymmetricKey, epoch: number): Uint8Array {
  checkPostInput(letter, author, epochKey, epoch);
  const padded = pad(signLetter(letter, author.privateKey));
  try {
    return concatBytes(postHeader(epoch), cellSeal(epochKey, padded, postContext(epoch)));
  } finally {
    padded.fill(0);
  }
}

/**
 * {@link sealPost}, asynchronously, on every crypto backend (CRY-18): the same bytes.
 * @example `const sealed = await sealPostAsync(letter, alice.keys, key, epoch)`
 */
export async function sealPostAsync(letter: Letter, author: KeyPair, epochKey: SymmetricKey, epoch: number): Promise<Uint8Array> {
  checkPostInput(letter, author, epochKey, epoch);
  const padded = pad(await signLetterAsync(letter, author.privateKey));
  try {
    return concatBytes(postHeader(epoch), await cellSealAsync(epochKey, padded, postContext(epoch)));
  } finally {
    padded.fill(0);
  }
}

function checkPostInput(letter: Letter, author: KeyPair, epochKey: SymmetricKey, epoch: number): void {
  if (letter?.kind !== 'post' && letter?.kind !== 'event') throw new TypeError('sealPost needs a letter of kind "post" or "event"');
  if (!(author instanceof KeyPair)) throw new TypeError('author must be a KeyPair');
  if (!(epochKey instanceof SymmetricKey)) throw new TypeError('epochKey must be a SymmetricKey');
  checkEpoch(epoch);
}

/** POST-2: `0x01 || u32be(epoch)`. */
function postHeader(epoch: number): Uint8Array {
  const header = new Uint8Array(POST_HEADER_BYTES);
  header[0] = POST_VERSION;
  new DataView(header.buffer).setUint32(1, epoch, false);
  return header;
}

/**
 * Reads the epoch of a sealed post without opening it (POST-3 steps 1–3): what the Operator files it
 * under, and what a reader needs to pick the key.
 * @throws ProtocolError TOO_LARGE, TRUNCATED, UNSUPPORTED_VERSION
 */
export function postEpoch(bytes: Uint8Array): number {
  checkHeader(bytes, 'post', POST_VERSION, POST_HEADER_BYTES, MAX_POST_BYTES);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1, false);
}

/**
 * Opens a world post and verifies it against the author it is filed under (POST-3, in that order): the
 * signature is checked with `author.key` before the letter inside is decoded.
 * @param bytes - the sealed post
 * @param epochKeyFor - the world key of an epoch
 * @param author - the name the feed files the post under, and the reader's key for that name
 * @throws ProtocolError TOO_LARGE, TRUNCATED, UNSUPPORTED_VERSION, TRAILING_BYTES, DECRYPT_FAILED,
 *   BAD_PADDING, BAD_SIGNATURE (framing), WRONG_AUTHOR (not signed by `author.key`, or a letter from
 *   another name), the letter's codes, MALFORMED (not a post), and whatever `epochKeyFor` throws
 * @example `const { letter } = await openPost(entry.post, (e) => epochKeys.get(e)!, { name: entry.author, key: aliceKey })`
 */
export async function openPost(bytes: Uint8Array, epochKeyFor: EpochKeyFor, author: PostAuthor): Promise<OpenedPost> {
  const opened = await openWorldLetter(bytes, epochKeyFor, author);
  // POST-3 step 9: a reader of posts takes only a post letter.
  if (opened.letter.kind !== 'post') throw new ProtocolError('MALFORMED', 'a world post must hold a letter of kind post');
  return opened as OpenedPost;
}

/**
 * Opens what the world feed holds — a post, or an event posted to the world (EVT-7) — in the order of
 * POST-3, whose step 9 takes a letter of kind `post` or `event` here.
 * @param bytes - the sealed post
 * @param epochKeyFor - the world key of an epoch
 * @param author - the name the feed files the post under, and the reader's key for that name
 * @throws ProtocolError the codes of {@link openPost}; MALFORMED for a letter of another kind
 * @example `const { letter } = await openWorldLetter(entry.post, (e) => epochKeys.get(e)!, { name: entry.author, key: aliceKey })`
 */
export async function openWorldLetter(bytes: Uint8Array, epochKeyFor: EpochKeyFor, author: PostAuthor): Promise<OpenedWorldLetter> {
  if (typeof epochKeyFor !== 'function') throw new TypeError('epochKeyFor must be a function');
  if (typeof author?.name !== 'string' || !(author.key instanceof PublicKey)) throw new TypeError('author must be { name, key: PublicKey }');
  const epoch = postEpoch(bytes);
  const key = await epochKeyFor(epoch);
  if (!(key instanceof SymmetricKey)) throw new TypeError('epochKeyFor must return a SymmetricKey');
  // Asynchronous steps (CRY-18), so a post opens on every crypto backend, webcrypto included.
  const signed = unpad(await cellOpenAsync(key, bytes.subarray(POST_HEADER_BYTES), postContext(epoch)));
  // POST-3 steps 7–8: every holder of the epoch key can make a cell that opens; only the author's
  // signature, checked before anything inside is decoded, makes it a post by that author.
  const letter = await openSignedByAsync(signed, author.key);
  // POST-3 step 9, EVT-7: only a post or an event goes in the feed (LET-6, EVT-7: addressed to `comrades`).
  if (letter.kind !== 'post' && letter.kind !== 'event') throw new ProtocolError('MALFORMED', 'a world post must hold a letter of kind post or event');
  // POST-3 step 10 (FEED-7): the signed letter names the author the post is filed under.
  if (letter.from !== author.name) throw new ProtocolError('WRONG_AUTHOR', 'the post is filed under another author than it names');
  return { letter, authorKey: author.key, signed: signed.slice(), epoch };
}

function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) throw new TypeError('epoch must be an integer from 0 to 2^32-1');
}
