/**
 * What opening a sealed letter (SEAL-5) and a world post (POST-3) share: the clear header checks, and
 * the shape of the result.
 * @internal
 */
import { ProtocolError } from '../errors.js';
import type { PublicKey } from '../crypto/keys.js';
import type { Letter } from './letter.js';

/** An opened and verified letter, as {@link openSealedLetter} and {@link openPost} return it. */
export interface OpenedLetter {
  readonly letter: Letter;
  /** The key the signature was verified with. */
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
