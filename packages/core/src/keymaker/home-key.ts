/**
 * A client home's key (HOME-4): 32 random bytes sealed under the home's passphrase, in the keystore's
 * container (`"COMRADHK" || 0x01 || SHA-256(cell) || passphrase cell`). Everything else a home keeps is
 * sealed under keys derived from it (HOME-5), so changing the passphrase re-seals this alone (HOME-6).
 * Pure bytes in and out, like the keystore: any client can keep its home the same way.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { SymmetricKey } from '../crypto/keys.js';
import { openContainer, sealContainer } from './_passphrase-container.js';

/** HOME-4: the first 8 bytes of a home key file, in ASCII. */
export const HOME_KEY_MAGIC = 'COMRADHK';
/** HOME-4: the format version written and read. */
export const HOME_KEY_VERSION = 1;
/** HOME-4: a home key file is about 150 bytes; anything larger than this is not one. */
export const MAX_HOME_KEY_BYTES = 512;

const FORMAT = { magic: HOME_KEY_MAGIC, version: HOME_KEY_VERSION, maxBytes: MAX_HOME_KEY_BYTES, what: 'home key' } as const;

/**
 * Seals a home key under a passphrase (HOME-4). Slow on purpose (PBKDF2, CRY-9).
 * @param key - the home key
 * @param passphrase - non-empty; normalised to NFC (KS-2)
 * @returns the file's bytes
 * @example `await atomicWrite(paths.homeKey, await encodeHomeKey(SymmetricKey.generate(), passphrase))`
 */
export async function encodeHomeKey(key: SymmetricKey, passphrase: string): Promise<Uint8Array> {
  if (!(key instanceof SymmetricKey)) throw new TypeError('key must be a SymmetricKey');
  const raw = key.bytes();
  try {
    return await sealContainer(FORMAT, raw, passphrase);
  } finally {
    raw.fill(0);
  }
}

/**
 * Opens a home key file (HOME-4, in the order of KS-3, the iteration bound of CRY-17 before any key
 * derivation).
 * @param bytes - the file's bytes
 * @param passphrase - the home's passphrase
 * @returns the home key
 * @throws ProtocolError CORRUPT_KEYSTORE (not a home key, damaged, asking for too many iterations, or not
 *   a 32-byte key inside), UNSUPPORTED_VERSION, WRONG_PASSPHRASE
 * @example `const homeKey = await decodeHomeKey(await readFile(paths.homeKey), passphrase)`
 */
export async function decodeHomeKey(bytes: Uint8Array, passphrase: string): Promise<SymmetricKey> {
  const raw = await openContainer(FORMAT, bytes, passphrase);
  try {
    if (raw.length !== 32) throw new ProtocolError('CORRUPT_KEYSTORE', 'home key content is not a 32-byte key');
    return SymmetricKey.from(raw);
  } finally {
    raw.fill(0);
  }
}
