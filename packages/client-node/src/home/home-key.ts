/**
 * The home key (HOME-4, HOME-5): 32 random bytes, made once per home and sealed under the passphrase in
 * `home.key`, the only file of the home that depends on the passphrase. Every other secret file (the
 * identity, contacts, known Operators) is sealed under a key derived from it, so changing the passphrase
 * replaces this one small file atomically and nothing else (HOME-6).
 *
 * Layout, like a keystore (KS-1): `"COMRADHK" || 0x01 || SHA-256(cell) || passphrase cell (CRY-9) of the
 * key`, the cell's context the first 9 bytes.
 * @module
 */
import { createHash, hkdfSync } from 'node:crypto';
import {
  ProtocolError,
  SymmetricKey,
  bytesEqual,
  concatBytes,
  passphraseCellIterations,
  passphraseOpen,
  passphraseSeal,
  utf8,
} from '@comrad/core';

/** HOME-4: the first 8 bytes of `home.key`, in ASCII. */
export const HOME_KEY_MAGIC = 'COMRADHK';
/** HOME-4: the format version written and read. */
export const HOME_KEY_VERSION = 1;
/** HOME-4: a home key file is about 150 bytes; anything larger than this is not one. */
export const MAX_HOME_KEY_BYTES = 512;

const MAGIC = utf8(HOME_KEY_MAGIC);
const PREFIX_BYTES = MAGIC.length + 1;
const HEADER_BYTES = PREFIX_BYTES + 32;
const KEY_BYTES = 32;

/** What a key derived from the home key protects (HOME-5); each is also the sealed file's context. */
export type HomeKeyPurpose = 'identity' | 'contacts' | 'operators';

/**
 * Seals a home key under a passphrase (HOME-4). Slow on purpose (PBKDF2, CRY-9).
 * @param key - the home key
 * @param passphrase - non-empty; normalised to NFC like a keystore's (KS-2)
 * @returns the file's bytes
 */
export async function encodeHomeKey(key: SymmetricKey, passphrase: string): Promise<Uint8Array> {
  const prefix = concatBytes(MAGIC, Uint8Array.of(HOME_KEY_VERSION));
  const raw = key.bytes();
  try {
    const cell = await passphraseSeal(normalise(passphrase), raw, prefix);
    return concatBytes(prefix, sha256(cell), cell);
  } finally {
    raw.fill(0);
  }
}

/**
 * Opens a home key file, checking in the order of KS-3: size, magic, version, checksum, the cell's
 * parameters and iteration bound (CRY-17, before any key derivation), then the passphrase.
 * @param bytes - the file's bytes
 * @param passphrase - the home's passphrase
 * @returns the home key
 * @throws ProtocolError CORRUPT_KEYSTORE (not a home key, damaged, or asking for too many iterations),
 *   UNSUPPORTED_VERSION, WRONG_PASSPHRASE
 */
export async function decodeHomeKey(bytes: Uint8Array, passphrase: string): Promise<SymmetricKey> {
  const pw = normalise(passphrase);
  if (bytes.length > MAX_HOME_KEY_BYTES) throw corrupt('not a home key: too large');
  if (bytes.length < PREFIX_BYTES || !bytesEqual(bytes.subarray(0, MAGIC.length), MAGIC)) throw corrupt('not a Comrad home key');
  const version = bytes[MAGIC.length];
  if (version !== HOME_KEY_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `home key version ${version} is not supported`);
  if (bytes.length <= HEADER_BYTES) throw corrupt('home key is truncated');
  const cell = bytes.subarray(HEADER_BYTES);
  if (!bytesEqual(sha256(cell), bytes.subarray(PREFIX_BYTES, HEADER_BYTES))) throw corrupt('home key is damaged (checksum)');
  try {
    // CRY-17: whoever can edit the file can recompute the checksum and ask for 2^32 iterations.
    passphraseCellIterations(cell);
  } catch (err) {
    if (ProtocolError.is(err)) throw corrupt(`home key cell is not acceptable (${err.message})`);
    throw err;
  }
  let raw: Uint8Array;
  try {
    raw = await passphraseOpen(pw, cell, bytes.subarray(0, PREFIX_BYTES));
  } catch (err) {
    if (ProtocolError.is(err)) throw new ProtocolError('WRONG_PASSPHRASE', 'the home does not open with this passphrase');
    throw err;
  }
  try {
    if (raw.length !== KEY_BYTES) throw corrupt('home key content is not a 32-byte key');
    return SymmetricKey.from(raw);
  } finally {
    raw.fill(0);
  }
}

/**
 * The key of one purpose (HOME-5): HKDF-SHA-256 of the home key, salt `comrad/home/v1`, info the purpose.
 * Separate keys per file, so a cell of one file never opens as another.
 * @param homeKey - the unlocked home key
 * @param purpose - which file
 */
export function deriveHomeKey(homeKey: SymmetricKey, purpose: HomeKeyPurpose): SymmetricKey {
  const secret = homeKey.bytes();
  const derived = new Uint8Array(hkdfSync('sha256', secret, utf8('comrad/home/v1'), utf8(purpose), KEY_BYTES));
  try {
    return SymmetricKey.from(derived);
  } finally {
    secret.fill(0);
    derived.fill(0);
  }
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function normalise(passphrase: string): string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new TypeError('passphrase must be a non-empty string');
  return passphrase.normalize('NFC');
}

function corrupt(message: string): ProtocolError {
  return new ProtocolError('CORRUPT_KEYSTORE', message);
}
