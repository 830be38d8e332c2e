/**
 * Signed letters (SIG-*): a letter's canonical bytes in a Themis Secure Message signed container.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { checkSigned } from '../crypto/_framing.js';
import { sign, verify } from '../crypto/operations.js';
import { PublicKey, type PrivateKey } from '../crypto/keys.js';
import { MAX_SIGNED_LETTER_BYTES } from '../limits.js';
import { decodeLetter, encodeLetter, type Letter } from './letter.js';

/** Header bytes of a Themis signed message: type, message length, signature length (CRY-5). */
const SIGNED_HEADER = 12;

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
 * SIG-3 steps 1–3: checks size and framing and decodes the letter inside WITHOUT verifying the
 * signature, so that a caller can learn `letter.from` and look up the key to verify with (SEAL-5).
 * @internal never hand the letter to a user before the signature is checked
 */
export function readSignedLetter(bytes: Uint8Array): Letter {
  checkSignedSize(bytes);
  checkSigned(bytes);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  return decodeLetter(bytes.subarray(SIGNED_HEADER, SIGNED_HEADER + n));
}

function checkSignedSize(bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'a signed letter must be bytes');
  if (bytes.length > MAX_SIGNED_LETTER_BYTES) {
    throw new ProtocolError('TOO_LARGE', `signed letter exceeds ${MAX_SIGNED_LETTER_BYTES} bytes`);
  }
}
