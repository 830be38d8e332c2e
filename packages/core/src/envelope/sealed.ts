/**
 * Sealed letters (SEAL-*): sealed sender. A signed letter, padded to a size bucket, encrypted to the
 * recipient's public key with a fresh ephemeral key pair. Nothing outside the encryption names the
 * sender, and the size names only a bucket.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { concatBytes } from '../bytes.js';
import { decryptFrom, encryptFor } from '../crypto/operations.js';
import { KeyPair, PublicKey } from '../crypto/keys.js';
import { MAX_SEALED_LETTER_BYTES } from '../limits.js';
import type { Letter } from './letter.js';
import { pad } from './padding.js';
import { signLetter } from './signed.js';
import { checkHeader, openPaddedLetter, type AuthorKeyOf, type OpenedLetter } from './_opening.js';

/** SEAL-1: the version byte that starts every sealed letter. */
export const SEALED_VERSION = 1;

/** SEAL-1: bytes of an ephemeral public key (a compressed `UEC2` container, KEY-1). */
export const EPHEMERAL_KEY_BYTES = 45;

/** SEAL-1: version byte + ephemeral public key; the Themis encrypted message follows. */
export const SEALED_HEADER_BYTES = 1 + EPHEMERAL_KEY_BYTES;

/** Who opens a sealed letter: a name and its key pair (a `Keymaker` fits). */
export interface Recipient {
  /** The recipient's registry name; the letter must be addressed to it (SEAL-5 step 7). */
  readonly name: string;
  readonly keys: KeyPair;
}

/**
 * Signs `letter` with the author's key and seals it to the recipient (SEAL-2).
 * @param letter - addressed to the owner of `recipientKey`
 * @param author - the key pair of `letter.from`
 * @param recipientKey - the recipient's public key, from the registry
 * @returns `0x01 || ephemeral public key (45) || Secure Message (encrypt) of pad(signed letter)`
 * @throws ProtocolError when the letter breaks a LET rule
 * @example
 * ```ts
 * const sealed = sealLetter(letter, alice.keys, bobKey);
 * const { letter } = await openSealedLetter(sealed, bob, (name) => registry.keyOf(name));
 * ```
 */
export function sealLetter(letter: Letter, author: KeyPair, recipientKey: PublicKey): Uint8Array {
  if (!(author instanceof KeyPair)) throw new TypeError('author must be a KeyPair');
  if (!(recipientKey instanceof PublicKey)) throw new TypeError('recipientKey must be a PublicKey');
  const padded = pad(signLetter(letter, author.privateKey));
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
 * Opens a sealed letter addressed to `recipient`, verifying the author against the key the caller
 * supplies for `letter.from` (SEAL-5, in that order).
 * @param bytes - the sealed letter
 * @param recipient - the recipient's name and key pair
 * @param authorKeyOf - the registry's (or a pinned) key for a name
 * @throws ProtocolError TOO_LARGE, TRUNCATED, UNSUPPORTED_VERSION, TRAILING_BYTES, DECRYPT_FAILED
 *   (tampered, or sealed to another key), BAD_PADDING, the letter's codes, WRONG_RECIPIENT,
 *   WRONG_AUTHOR (a forgery), and whatever `authorKeyOf` throws
 */
export async function openSealedLetter(bytes: Uint8Array, recipient: Recipient, authorKeyOf: AuthorKeyOf): Promise<OpenedLetter> {
  if (typeof recipient?.name !== 'string' || !(recipient.keys instanceof KeyPair)) {
    throw new TypeError('recipient must be { name, keys: KeyPair }');
  }
  if (typeof authorKeyOf !== 'function') throw new TypeError('authorKeyOf must be a function');
  checkHeader(bytes, 'sealed letter', SEALED_VERSION, SEALED_HEADER_BYTES, MAX_SEALED_LETTER_BYTES);
  const padded = decryptWithEphemeral(bytes, recipient.keys);
  return openPaddedLetter(
    padded,
    (letter) => {
      // SEAL-5 step 7, before any lookup: a letter that is not for us must not make us ask the
      // Operator about its claimed sender. It also stops a signed letter re-sealed to someone else.
      if (letter.to !== recipient.name) throw new ProtocolError('WRONG_RECIPIENT', 'the letter is addressed to someone else');
    },
    authorKeyOf,
  );
}

/** SEAL-5 steps 3–4: the ephemeral key, then Secure Message decryption. */
function decryptWithEphemeral(bytes: Uint8Array, keys: KeyPair): Uint8Array {
  try {
    const ephemeral = PublicKey.from(bytes.subarray(1, SEALED_HEADER_BYTES));
    return decryptFrom(keys.privateKey, ephemeral, bytes.subarray(SEALED_HEADER_BYTES));
  } catch (err) {
    // SEAL-5 step 3: a damaged ephemeral key is a sealed letter that does not open. One code whether the
    // container, the checksum or (depending on the backend, at parse or at use) the point is wrong.
    if (ProtocolError.is(err, 'INVALID_KEY')) throw new ProtocolError('DECRYPT_FAILED', 'the ephemeral key is not valid', { cause: err });
    throw err;
  }
}
