/**
 * Sealed letters (SEAL-*): sealed sender. A signed letter and its sender's registry statement, padded to
 * a size bucket, encrypted to the recipient's public key with a fresh ephemeral key pair. Nothing outside
 * the encryption names the sender, and the size names only a bucket. The statement inside lets the
 * recipient verify the sender with the pinned Operator key alone: opening a letter asks nobody anything.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { concatBytes } from '../bytes.js';
import { decryptFromAsync, encryptFor, encryptForAsync } from '../crypto/operations.js';
import { KeyPair, PublicKey } from '../crypto/keys.js';
import { MAX_SEALED_LETTER_BYTES } from '../limits.js';
import type { Letter } from './letter.js';
import { pad, unpad } from './padding.js';
import { openSignedBy, openSignedByAsync, signLetter, signLetterAsync } from './signed.js';
import { STATEMENT_BYTES, verifyStatement, verifyStatementAsync, type RegistryStatement } from './statement.js';
import { checkHeader, type OpenedLetter } from './_opening.js';

/**
 * SEAL-1: the version byte that starts every sealed letter. Version 2 carries the sender's registry
 * statement; version 1 (without it) is refused as UNSUPPORTED_VERSION.
 */
export const SEALED_VERSION = 2;

/** SEAL-1: bytes of an ephemeral public key (a compressed `UEC2` container, KEY-1). */
export const EPHEMERAL_KEY_BYTES = 45;

/** SEAL-1: version byte + ephemeral public key; the Themis encrypted message follows. */
export const SEALED_HEADER_BYTES = 1 + EPHEMERAL_KEY_BYTES;

/** SEAL-1: the big-endian length of the statement that starts the padded content. */
const STATEMENT_LENGTH_BYTES = 2;

/** Who opens a sealed letter: a name and its key pair (a `Keymaker` fits). */
export interface Recipient {
  /** The recipient's registry name; the letter must be addressed to it (SEAL-5 step 10). */
  readonly name: string;
  readonly keys: KeyPair;
}

/** An opened sealed letter: the verified letter, and the statement that vouched for its sender. */
export interface OpenedSealedLetter extends OpenedLetter {
  /**
   * The sender's registry statement as carried (REG-4), verified with the pinned Operator key: the
   * evidence to keep if the key it states differs from a pinned one (CT-2).
   */
  readonly statement: Uint8Array;
  /** When the Operator signed the statement (ms). */
  readonly statementAt: number;
}

/**
 * Signs `letter` with the author's key and seals it, with the author's registry statement, to the
 * recipient (SEAL-2).
 * @param letter - addressed to the owner of `recipientKey`
 * @param author - the key pair of `letter.from`
 * @param recipientKey - the recipient's public key, from the registry
 * @param statement - the Operator's statement that `letter.from` is registered with `author.publicKey`
 *   (the answer to the author's `register`, or to a lookup of the author's own name)
 * @returns `0x02 || ephemeral public key (45) || Secure Message (encrypt) of pad(u16be(s) || statement || signed letter)`
 * @throws ProtocolError when the letter breaks a LET rule, TOO_LARGE for a statement beyond LIM-8
 * @example
 * ```ts
 * const sealed = sealLetter(letter, alice.keys, bobKey, aliceStatement);
 * const { letter } = await openSealedLetter(sealed, bob, operatorKey);
 * ```
 */
export function sealLetter(letter: Letter, author: KeyPair, recipientKey: PublicKey, statement: Uint8Array): Uint8Array {
  if (!(author instanceof KeyPair)) throw new TypeError('author must be a KeyPair');
  if (!(recipientKey instanceof PublicKey)) throw new TypeError('recipientKey must be a PublicKey');
  const padded = packContent(letter, author, statement);
  // SEAL-2: a fresh key pair per letter, so two letters from one author share nothing, and the
  // encryption involves no key that names the author.
  const ephemeral = KeyPair.generate();
  try {
    return concatBytes(Uint8Array.of(SEALED_VERSION), ephemeral.publicKey.raw, encryptFor(ephemeral.privateKey, recipientKey, padded));
  } finally {
    ephemeral.privateKey.wipe();
    padded.fill(0);
  }
}

/**
 * {@link sealLetter}, asynchronously, on every crypto backend (CRY-18): the same bytes.
 * @example `const sealed = await sealLetterAsync(letter, alice.keys, bobKey, aliceStatement)`
 */
export async function sealLetterAsync(letter: Letter, author: KeyPair, recipientKey: PublicKey, statement: Uint8Array): Promise<Uint8Array> {
  if (!(author instanceof KeyPair)) throw new TypeError('author must be a KeyPair');
  if (!(recipientKey instanceof PublicKey)) throw new TypeError('recipientKey must be a PublicKey');
  checkStatementBytes(statement);
  const padded = padContent(statement, await signLetterAsync(letter, author.privateKey));
  const ephemeral = await KeyPair.generateAsync(); // SEAL-2
  try {
    return concatBytes(Uint8Array.of(SEALED_VERSION), ephemeral.publicKey.raw, await encryptForAsync(ephemeral.privateKey, recipientKey, padded));
  } finally {
    ephemeral.privateKey.wipe();
    padded.fill(0);
  }
}

/**
 * Opens a sealed letter addressed to `recipient` (SEAL-5, in that order): the sender is verified with
 * the statement the letter carries, checked against the pinned Operator key, so opening asks the
 * Operator nothing; every signature is checked before the bytes it covers are decoded. Comparing the
 * stated key with a pinned contact (CT-2) is the caller's step, with `statement` as evidence.
 * @param bytes - the sealed letter
 * @param recipient - the recipient's name and key pair
 * @param operatorKey - the pinned key of the Operator the letter came through
 * @param onSender - told who the verified statement names, as soon as it is verified (step 7), so a
 *   caller can report whom a letter that fails later claimed to be from
 * @returns the letter, the sender's key (from the statement), the signed letter and the statement
 * @throws ProtocolError TOO_LARGE, TRUNCATED, UNSUPPORTED_VERSION, TRAILING_BYTES, DECRYPT_FAILED
 *   (tampered, or sealed to another key), BAD_PADDING, MALFORMED, WRONG_AUTHOR (a statement the
 *   Operator did not sign, a signature by another key, or a letter from another name: a forgery),
 *   BAD_SIGNATURE (a signed letter that is not one), the letter's codes, WRONG_RECIPIENT
 */
export async function openSealedLetter(
  bytes: Uint8Array,
  recipient: Recipient,
  operatorKey: PublicKey,
  onSender?: (stated: RegistryStatement) => void,
): Promise<OpenedSealedLetter> {
  if (typeof recipient?.name !== 'string' || !(recipient.keys instanceof KeyPair)) {
    throw new TypeError('recipient must be { name, keys: KeyPair }');
  }
  if (!(operatorKey instanceof PublicKey)) throw new TypeError('operatorKey must be a PublicKey');
  checkHeader(bytes, 'sealed letter', SEALED_VERSION, SEALED_HEADER_BYTES, MAX_SEALED_LETTER_BYTES);
  // Asynchronous steps (CRY-18), so a sealed letter opens on every crypto backend, webcrypto included.
  const content = unpad(await decryptWithEphemeral(bytes, recipient.keys));
  const { statement, signed, stated, letter } = await openContentAsync(content, operatorKey, onSender);
  // SEAL-5 step 11: also stops a genuine letter re-sealed by its first recipient to someone else.
  if (letter.to !== recipient.name) throw new ProtocolError('WRONG_RECIPIENT', 'the letter is addressed to someone else');
  return { letter, authorKey: stated.key, signed: signed.slice(), statement: statement.slice(), statementAt: stated.at };
}

/**
 * SEAL-2 (and CHAN-4, which seals the same content under a channel key): signs `letter` and pads
 * `u16be(s) || statement || signed letter`. The caller zeroes the result after sealing it.
 * @internal
 */
export function packContent(letter: Letter, author: KeyPair, statement: Uint8Array): Uint8Array {
  checkStatementBytes(statement);
  return padContent(statement, signLetter(letter, author.privateKey));
}

function checkStatementBytes(statement: Uint8Array): void {
  if (!(statement instanceof Uint8Array) || statement.length < STATEMENT_BYTES.min) throw new TypeError('statement must be the bytes of a registry statement');
  if (statement.length > STATEMENT_BYTES.max) throw new ProtocolError('TOO_LARGE', `a statement exceeds ${STATEMENT_BYTES.max} bytes`);
}

/** SEAL-1: `pad(u16be(s) || statement || signed letter)`. */
function padContent(statement: Uint8Array, signed: Uint8Array): Uint8Array {
  const length = new Uint8Array(STATEMENT_LENGTH_BYTES);
  new DataView(length.buffer).setUint16(0, statement.length, false);
  return pad(concatBytes(length, statement, signed));
}

/**
 * SEAL-5 steps 6–10 (and CHAN-5, the same steps inside a channel post) over unpadded content: the
 * statement, verified with the pinned Operator key, then the signature under the stated key, then the
 * letter, which must be from the stated name.
 * @internal
 * @throws ProtocolError TRUNCATED, MALFORMED, WRONG_AUTHOR, BAD_SIGNATURE, the letter's codes
 */
export function openContent(
  content: Uint8Array,
  operatorKey: PublicKey,
  onSender?: (stated: RegistryStatement) => void,
): { statement: Uint8Array; signed: Uint8Array; stated: RegistryStatement; letter: Letter } {
  const { statement, signed } = splitContent(content);
  // SEAL-5 step 7: the Operator vouches for the sender's key; a statement it did not sign (or any
  // damage to one) is a letter whose sender cannot be verified: a forgery, as far as the recipient knows.
  let stated: RegistryStatement;
  try {
    stated = verifyStatement(statement, operatorKey);
  } catch (err) {
    throw unvouched(err);
  }
  onSender?.(stated);
  // SEAL-5 steps 8–9: the signature under the stated key, then (only then) the letter.
  const letter = openSignedBy(signed, stated.key);
  // SEAL-5 step 10: signed by a registered key, but the letter must be from that key's name.
  if (letter.from !== stated.name) throw new ProtocolError('WRONG_AUTHOR', 'the letter names another sender than its statement');
  return { statement, signed, stated, letter };
}

/**
 * {@link openContent}, asynchronously (CRY-18): the same steps in the same order.
 * @internal
 */
export async function openContentAsync(
  content: Uint8Array,
  operatorKey: PublicKey,
  onSender?: (stated: RegistryStatement) => void,
): Promise<{ statement: Uint8Array; signed: Uint8Array; stated: RegistryStatement; letter: Letter }> {
  const { statement, signed } = splitContent(content);
  let stated: RegistryStatement;
  try {
    stated = await verifyStatementAsync(statement, operatorKey);
  } catch (err) {
    throw unvouched(err);
  }
  onSender?.(stated);
  const letter = await openSignedByAsync(signed, stated.key);
  if (letter.from !== stated.name) throw new ProtocolError('WRONG_AUTHOR', 'the letter names another sender than its statement');
  return { statement, signed, stated, letter };
}

/** SEAL-5 step 7: a statement that does not verify leaves a sender nobody vouched for: a forgery. */
function unvouched(err: unknown): unknown {
  if (ProtocolError.is(err, 'BAD_SIGNATURE') || ProtocolError.is(err, 'TRUNCATED') || ProtocolError.is(err, 'TRAILING_BYTES')) {
    return new ProtocolError('WRONG_AUTHOR', "the sender's registry statement is not signed by this Operator", { cause: err });
  }
  return err;
}

/** SEAL-5 step 6: `u16be(s) || statement (s bytes) || signed letter`. */
function splitContent(content: Uint8Array): { statement: Uint8Array; signed: Uint8Array } {
  if (content.length < STATEMENT_LENGTH_BYTES) throw new ProtocolError('TRUNCATED', 'sealed content shorter than its statement length');
  const s = new DataView(content.buffer, content.byteOffset, content.byteLength).getUint16(0, false);
  if (s < STATEMENT_BYTES.min || s > STATEMENT_BYTES.max) throw new ProtocolError('MALFORMED', 'statement length out of range');
  if (content.length <= STATEMENT_LENGTH_BYTES + s) throw new ProtocolError('TRUNCATED', 'sealed content ends before its signed letter');
  return { statement: content.subarray(STATEMENT_LENGTH_BYTES, STATEMENT_LENGTH_BYTES + s), signed: content.subarray(STATEMENT_LENGTH_BYTES + s) };
}

/** SEAL-5 steps 3–4: the ephemeral key, then Secure Message decryption. */
async function decryptWithEphemeral(bytes: Uint8Array, keys: KeyPair): Promise<Uint8Array> {
  try {
    const ephemeral = PublicKey.from(bytes.subarray(1, SEALED_HEADER_BYTES));
    return await decryptFromAsync(keys.privateKey, ephemeral, bytes.subarray(SEALED_HEADER_BYTES));
  } catch (err) {
    // SEAL-5 step 3: a damaged ephemeral key is a sealed letter that does not open. One code whether the
    // container, the checksum or (depending on the backend, at parse or at use) the point is wrong.
    if (ProtocolError.is(err, 'INVALID_KEY')) throw new ProtocolError('DECRYPT_FAILED', 'the ephemeral key is not valid', { cause: err });
    throw err;
  }
}
