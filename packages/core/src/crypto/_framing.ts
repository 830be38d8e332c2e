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

/** Themis refuses empty messages; Comrad says so up front with a clear code (CRY-4). */
export function checkNonEmpty(message: Uint8Array, what: string): void {
  if (!(message instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (message.length === 0) throw new ProtocolError('MALFORMED', `${what} must not be empty`);
}
