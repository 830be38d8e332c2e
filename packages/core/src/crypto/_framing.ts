/**
 * Comrad's framing checks on Themis containers, applied before either backend sees the bytes, so both
 * backends accept exactly the same inputs and fail with the same codes (CRY-5..CRY-8). Comrad is stricter
 * than Themis: no trailing bytes, only the parameters Comrad itself emits.
 * @internal
 */
import { ProtocolError } from '../errors.js';

/** Secure Message type tag of a signed message (LE on the wire). */
export const SM_SIGNED = 0x26042620;
/** Secure Message type tag of an encrypted message (LE on the wire). */
export const SM_ENCRYPTED = 0x26042720;
/** Secure Cell algorithm word Comrad emits and accepts: AES-256-GCM, no KDF. */
export const CELL_ALG = 0x40010100;
/** Secure Cell auth token length with a 12-byte IV and a 16-byte tag. */
export const CELL_TOKEN = 44;
const SIGNED_HEADER = 12;
const ENCRYPTED_HEADER = 8;

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** CRY-5: a signed message is exactly header + message + signature, with a non-empty message. */
export function checkSigned(signed: Uint8Array): void {
  if (signed.length < SIGNED_HEADER) throw new ProtocolError('TRUNCATED', 'signed message shorter than its header');
  const v = view(signed);
  if (v.getUint32(0, true) !== SM_SIGNED) throw new ProtocolError('BAD_SIGNATURE', 'not a Themis signed message');
  const n = v.getUint32(4, true);
  const s = v.getUint32(8, true);
  if (n === 0 || s === 0) throw new ProtocolError('BAD_SIGNATURE', 'signed message has an empty part');
  const total = SIGNED_HEADER + n + s;
  if (signed.length < total) throw new ProtocolError('TRUNCATED', 'signed message shorter than its header says');
  if (signed.length > total) throw new ProtocolError('TRAILING_BYTES', 'bytes after the signature');
}

/** CRY-6: an encrypted message's length field equals its length, and its cell is well-formed. */
export function checkEncrypted(wrapped: Uint8Array): void {
  if (wrapped.length < ENCRYPTED_HEADER + CELL_TOKEN + 1) throw new ProtocolError('TRUNCATED', 'encrypted message too short');
  const v = view(wrapped);
  if (v.getUint32(0, true) !== SM_ENCRYPTED) throw new ProtocolError('DECRYPT_FAILED', 'not a Themis encrypted message');
  const declared = v.getUint32(4, true);
  if (wrapped.length < declared) throw new ProtocolError('TRUNCATED', 'encrypted message shorter than its header says');
  if (wrapped.length > declared) throw new ProtocolError('TRAILING_BYTES', 'bytes after the encrypted message');
  checkCell(wrapped.subarray(ENCRYPTED_HEADER));
}

/** CRY-7: a cell uses AES-256-GCM, a 12-byte IV, a 16-byte tag, and its length matches its token. */
export function checkCell(sealed: Uint8Array): void {
  if (sealed.length < CELL_TOKEN + 1) throw new ProtocolError('TRUNCATED', 'secure cell too short');
  const v = view(sealed);
  if (v.getUint32(0, true) !== CELL_ALG || v.getUint32(4, true) !== 12 || v.getUint32(8, true) !== 16) {
    throw new ProtocolError('DECRYPT_FAILED', 'secure cell parameters are not the ones Comrad uses');
  }
  const n = v.getUint32(12, true);
  if (n === 0) throw new ProtocolError('DECRYPT_FAILED', 'secure cell declares an empty message');
  if (sealed.length < CELL_TOKEN + n) throw new ProtocolError('TRUNCATED', 'secure cell shorter than its token says');
  if (sealed.length > CELL_TOKEN + n) throw new ProtocolError('TRAILING_BYTES', 'bytes after the secure cell');
}

/** Secure Cell algorithm word of a passphrase cell: AES-256-GCM, key from PBKDF2-HMAC-SHA256 (CRY-9). */
export const PASSPHRASE_CELL_ALG = 0x41010100;
/** Passphrase cell auth token: header (20) + IV (12) + tag (16) + KDF context (22: iterations, salt). */
export const PASSPHRASE_CELL_TOKEN = 70;
const ITERATIONS_OFFSET = 48;

/**
 * CRY-17: the most PBKDF2 iterations a passphrase cell may ask for. The count is read from the cell, so
 * without a bound a modified file could make the opener run PBKDF2 for hours (2^32 - 1 iterations is
 * about 13 000 times Themis's 314 110). About three times what Themis writes: room for a stronger
 * default, never more than a second or two of work.
 */
export const MAX_PASSPHRASE_ITERATIONS = 1_000_000;

/**
 * CRY-9, CRY-17: a passphrase cell has exactly the layout Themis writes (12-byte IV, 16-byte tag, 16-byte
 * salt), a non-empty message, no trailing bytes, and 1 to {@link MAX_PASSPHRASE_ITERATIONS} iterations.
 * Checked before any key derivation, so a hostile cell costs no PBKDF2 work.
 * @returns the iteration count
 */
export function checkPassphraseCell(sealed: Uint8Array): number {
  if (sealed.length < PASSPHRASE_CELL_TOKEN + 1) throw new ProtocolError('TRUNCATED', 'passphrase cell too short');
  const v = view(sealed);
  if (
    v.getUint32(0, true) !== PASSPHRASE_CELL_ALG ||
    v.getUint32(4, true) !== 12 ||
    v.getUint32(8, true) !== 16 ||
    v.getUint32(16, true) !== 22 ||
    v.getUint16(ITERATIONS_OFFSET + 4, true) !== 16
  ) {
    throw new ProtocolError('DECRYPT_FAILED', 'passphrase cell parameters are not the ones Comrad uses');
  }
  const n = v.getUint32(12, true);
  if (n === 0) throw new ProtocolError('DECRYPT_FAILED', 'passphrase cell declares an empty message');
  if (sealed.length < PASSPHRASE_CELL_TOKEN + n) throw new ProtocolError('TRUNCATED', 'passphrase cell shorter than its token says');
  if (sealed.length > PASSPHRASE_CELL_TOKEN + n) throw new ProtocolError('TRAILING_BYTES', 'bytes after the passphrase cell');
  const iterations = v.getUint32(ITERATIONS_OFFSET, true);
  if (iterations === 0 || iterations > MAX_PASSPHRASE_ITERATIONS) {
    throw new ProtocolError('TOO_LARGE', `passphrase cell asks for ${iterations} PBKDF2 iterations (1 to ${MAX_PASSPHRASE_ITERATIONS} allowed)`);
  }
  return iterations;
}

/** Themis refuses empty messages; Comrad says so up front with a clear code (CRY-4). */
export function checkNonEmpty(message: Uint8Array, what: string): void {
  if (!(message instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (message.length === 0) throw new ProtocolError('MALFORMED', `${what} must not be empty`);
}
