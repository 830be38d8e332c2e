/**
 * The container shared by the keystore (KS-1, KS-3) and a client home's key (HOME-4): `magic (8) ||
 * version (1) || SHA-256(cell) || passphrase cell (CRY-9)`, the cell's context the first 9 bytes. Opened
 * in a fixed order so that damage, a hostile cell and a wrong passphrase get different codes.
 * @internal
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ProtocolError } from '../errors.js';
import { bytesEqual, concatBytes, utf8 } from '../bytes.js';
import { passphraseCellIterations, passphraseOpen, passphraseSeal } from '../crypto/operations.js';

/** One format built on the container. */
export interface ContainerFormat {
  /** 8 ASCII bytes. */
  readonly magic: string;
  readonly version: number;
  /** Larger inputs are refused before anything else. */
  readonly maxBytes: number;
  /** What it is, for messages ("keystore", "home key"). */
  readonly what: string;
}

const CHECKSUM_BYTES = 32;

/**
 * Seals `content` under `passphrase` (NFC, KS-2). Slow on purpose: PBKDF2 (CRY-9).
 * @returns the container's bytes
 */
export async function sealContainer(format: ContainerFormat, content: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const prefix = concatBytes(utf8(format.magic), Uint8Array.of(format.version));
  const cell = await passphraseSeal(normalisePassphrase(passphrase), content, prefix);
  return concatBytes(prefix, sha256(cell), cell);
}

/**
 * Opens a container, in this order (KS-3, HOME-4): size and magic → CORRUPT_KEYSTORE; version →
 * UNSUPPORTED_VERSION; no cell or a wrong checksum → CORRUPT_KEYSTORE; the cell's framing and iteration
 * bound (CRY-17), before any key derivation → CORRUPT_KEYSTORE; the passphrase → WRONG_PASSPHRASE.
 * @returns the content (the caller zeroes it)
 */
export async function openContainer(format: ContainerFormat, bytes: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const pw = normalisePassphrase(passphrase);
  const magic = utf8(format.magic);
  const prefixBytes = magic.length + 1;
  const headerBytes = prefixBytes + CHECKSUM_BYTES;
  if (!(bytes instanceof Uint8Array) || bytes.length > format.maxBytes) throw corrupt(`not a ${format.what}: too large`);
  if (bytes.length < prefixBytes || !bytesEqual(bytes.subarray(0, magic.length), magic)) throw corrupt(`not a Comrad ${format.what}`);
  const version = bytes[magic.length];
  if (version !== format.version) throw new ProtocolError('UNSUPPORTED_VERSION', `${format.what} version ${version} is not supported`);
  if (bytes.length <= headerBytes) throw corrupt(`${format.what} is truncated`);
  const cell = bytes.subarray(headerBytes);
  if (!bytesEqual(sha256(cell), bytes.subarray(prefixBytes, headerBytes))) throw corrupt(`${format.what} is damaged (checksum)`);
  // KS-3 step 5: the checksum is no authenticator, so whoever edits the file can also ask for 2^32
  // PBKDF2 iterations; the cell's parameters are bounded before any key derivation (CRY-17).
  try {
    passphraseCellIterations(cell);
  } catch (err) {
    if (ProtocolError.is(err)) throw corrupt(`${format.what} cell is not acceptable (${err.message})`);
    throw err;
  }
  try {
    return await passphraseOpen(pw, cell, bytes.subarray(0, prefixBytes));
  } catch (err) {
    // KS-3 step 6: the checksum matched, so the cell is as written; only the passphrase is left to blame.
    if (ProtocolError.is(err)) throw new ProtocolError('WRONG_PASSPHRASE', `the ${format.what} does not open with this passphrase`);
    throw err;
  }
}

function normalisePassphrase(passphrase: string): string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new TypeError('passphrase must be a non-empty string');
  return passphrase.normalize('NFC');
}

function corrupt(message: string): ProtocolError {
  return new ProtocolError('CORRUPT_KEYSTORE', message);
}
