/**
 * The steps that opening a sealed letter (SEAL-5) and a world post (POST-3) share: the clear header,
 * then — once the authenticated encryption has opened — padding, letter, author key, signature.
 * @internal
 */
import { ProtocolError } from '../errors.js';
import { verify } from '../crypto/operations.js';
import { PublicKey } from '../crypto/keys.js';
import type { Letter } from './letter.js';
import { unpad } from './padding.js';
import { readSignedLetter } from './signed.js';

/**
 * Looks up the public key registered for a name (the registry's answer, or a pinned contact). It may
 * throw (for instance NOT_FOUND); opening then fails with that error.
 */
export type AuthorKeyOf = (name: string) => PublicKey | Promise<PublicKey>;

/** An opened and verified letter, as {@link openSealedLetter} and {@link openPost} return it. */
export interface OpenedLetter {
  readonly letter: Letter;
  /** The key the signature was verified with: the one `authorKeyOf(letter.from)` returned. */
  readonly authorKey: PublicKey;
  /** The signed letter, for keeping or quoting: anyone with `authorKey` can check it (SIG-2). */
  readonly signed: Uint8Array;
}

/**
 * Steps 1–2 of SEAL-5 / POST-3: size bound, version byte, then the fixed header length.
 * @throws ProtocolError MALFORMED (not bytes), TOO_LARGE, TRUNCATED, UNSUPPORTED_VERSION
 */
export function checkHeader(bytes: Uint8Array, what: string, version: number, headerLength: number, max: number): void {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED', `a ${what} must be bytes`);
  if (bytes.length > max) throw new ProtocolError('TOO_LARGE', `${what} exceeds ${max} bytes`);
  if (bytes.length < 1) throw new ProtocolError('TRUNCATED', `empty ${what}`);
  if (bytes[0] !== version) throw new ProtocolError('UNSUPPORTED_VERSION', `${what} version ${bytes[0]} is not supported`);
  if (bytes.length < headerLength) throw new ProtocolError('TRUNCATED', `${what} shorter than its header`);
}

/**
 * The steps after decryption: unpad (SEAL-4), read the signed letter (SIG-3), `check` the letter
 * against its envelope, look up the author's key, verify. A signature that does not verify here is
 * WRONG_AUTHOR: the authenticated encryption has already ruled out damage in transit, so whoever sealed
 * the letter signed it with a key that is not `letter.from`'s (a forgery).
 * @throws ProtocolError BAD_PADDING, TOO_LARGE, the letter's codes, whatever `check` and `authorKeyOf`
 *   throw, WRONG_AUTHOR
 */
export async function openPaddedLetter(
  padded: Uint8Array,
  check: (letter: Letter) => void,
  authorKeyOf: AuthorKeyOf,
): Promise<OpenedLetter> {
  const signed = unpad(padded);
  const letter = readSignedLetter(signed);
  check(letter);
  const authorKey = await authorKeyOf(letter.from);
  if (!(authorKey instanceof PublicKey)) throw new TypeError('authorKeyOf must return a PublicKey');
  try {
    verify(authorKey, signed);
  } catch (err) {
    if (ProtocolError.is(err, 'BAD_SIGNATURE')) {
      throw new ProtocolError('WRONG_AUTHOR', 'the letter is not signed by the key registered for its author', { cause: err });
    }
    throw err;
  }
  return { letter, authorKey, signed: signed.slice() };
}
