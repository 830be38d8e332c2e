/**
 * Signed letters (SIG-*): a letter's canonical bytes in a Themis Secure Message signed container.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { checkSigned } from '../crypto/_framing.js';
import { sign, signAsync, verify, verifyAsync } from '../crypto/operations.js';
import { PublicKey, type PrivateKey } from '../crypto/keys.js';
import { MAX_SIGNED_LETTER_BYTES } from '../limits.js';
import { decodeLetter, encodeLetter, type Letter } from './letter.js';

/** A verified letter and the name of the comrade who signed it. */
export interface SignedLetter {
  readonly letter: Letter;
  /** Always `letter.from`: the signature was checked against the key the caller gave for this name. */
  readonly author: string;
}

/**
 * Signs a letter with its author's identity key (SIG-1).
 * @param letter - the letter; checked and encoded canonically first
 * @param authorKey - the private key of `letter.from`
 * @returns a Themis signed message carrying the encoded letter
 * @throws ProtocolError when the letter breaks a LET rule
 * @example `const signed = signLetter(letter, alice.keys.privateKey)`
 */
export function signLetter(letter: Letter, authorKey: PrivateKey): Uint8Array {
  return sign(authorKey, encodeLetter(letter));
}

/**
 * {@link signLetter}, asynchronously, on every crypto backend (CRY-18).
 * @example `const signed = await signLetterAsync(letter, alice.keys.privateKey)`
 */
export async function signLetterAsync(letter: Letter, authorKey: PrivateKey): Promise<Uint8Array> {
  return signAsync(authorKey, encodeLetter(letter));
}

/**
 * Opens a signed letter whose author's key the caller already has (SIG-2): size, signature, then the letter.
 * @param bytes - the signed letter
 * @param authorKey - the key the caller holds for the expected author (from the registry or a pin)
 * @throws ProtocolError TOO_LARGE, TRUNCATED, TRAILING_BYTES, BAD_SIGNATURE (wrong key or tampered), and
 *   the letter's codes (LET-12)
 * @example `const { letter } = openSigned(bytes, aliceKey)`
 */
export function openSigned(bytes: Uint8Array, authorKey: PublicKey): SignedLetter {
  if (!(authorKey instanceof PublicKey)) throw new TypeError('authorKey must be a PublicKey');
  checkSignedSize(bytes);
  // The key is known up front, so the signature is checked before the letter is parsed (crypto before payload).
  const letter = decodeLetter(verify(authorKey, bytes));
  return { letter, author: letter.from };
}

/**
 * {@link openSigned}, asynchronously, on every crypto backend (CRY-18).
 * @throws ProtocolError as {@link openSigned}
 */
export async function openSignedAsync(bytes: Uint8Array, authorKey: PublicKey): Promise<SignedLetter> {
  if (!(authorKey instanceof PublicKey)) throw new TypeError('authorKey must be a PublicKey');
  checkSignedSize(bytes);
  const letter = decodeLetter(await verifyAsync(authorKey, bytes));
  return { letter, author: letter.from };
}

/**
 * SIG-3: opens a signed letter whose author key comes from elsewhere than the caller's own records (a
 * registry statement, the author a feed names): size, framing, the signature, and only then the letter.
 * A signature that does not verify is `WRONG_AUTHOR`: the container around it (authenticated encryption)
 * already ruled out damage in transit, so whoever made it signed with a key that is not the author's.
 * @internal
 * @throws ProtocolError TOO_LARGE, TRUNCATED, TRAILING_BYTES, BAD_SIGNATURE (framing), WRONG_AUTHOR, the
 *   letter's codes
 */
export function openSignedBy(bytes: Uint8Array, authorKey: PublicKey): Letter {
  checkSignedSize(bytes);
  // SIG-3 step 2: framing errors keep their own codes, so only a signature that fails is a forgery.
  checkSigned(bytes);
  let message: Uint8Array;
  try {
    message = verify(authorKey, bytes);
  } catch (err) {
    throw asForgery(err);
  }
  // SIG-3 step 4, after the signature: unsigned bytes never reach the decoder (issue 10 §1).
  return decodeLetter(message);
}

/**
 * {@link openSignedBy}, asynchronously (CRY-18): the same steps in the same order.
 * @internal
 */
export async function openSignedByAsync(bytes: Uint8Array, authorKey: PublicKey): Promise<Letter> {
  checkSignedSize(bytes);
  checkSigned(bytes);
  let message: Uint8Array;
  try {
    message = await verifyAsync(authorKey, bytes);
  } catch (err) {
    throw asForgery(err);
  }
  return decodeLetter(message);
}

/** SIG-3 step 3: a signature that does not verify under the author's key is a forgery. */
function asForgery(err: unknown): unknown {
  if (ProtocolError.is(err, 'BAD_SIGNATURE')) {
    return new ProtocolError('WRONG_AUTHOR', 'the letter is not signed by the key registered for its author', { cause: err });
  }
  return err;
}

function checkSignedSize(bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'a signed letter must be bytes');
  if (bytes.length > MAX_SIGNED_LETTER_BYTES) {
    throw new ProtocolError('TOO_LARGE', `signed letter exceeds ${MAX_SIGNED_LETTER_BYTES} bytes`);
  }
}
