/**
 * The keystore on disk (KS-4): {@link encodeKeystore} bytes, replaced atomically, mode 0600.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { ComradError, ProtocolError } from '@comrad/core';
import { decodeKeystore, encodeKeystore, MAX_KEYSTORE_BYTES, type Keymaker } from '@comrad/core/keymaker';
import { atomicWrite } from '@comrad/core/node';

/**
 * Seals `keymaker` under `passphrase` and writes it to `path`, replacing any file there atomically.
 * @param path - the keystore file
 * @param keymaker - the identity to keep
 * @param passphrase - non-empty
 * @example `await saveKeystore(paths.keystore, Keymaker.generate('alice'), passphrase)`
 */
export async function saveKeystore(path: string, keymaker: Keymaker, passphrase: string): Promise<void> {
  await atomicWrite(path, await encodeKeystore(keymaker, passphrase), { mode: 0o600 });
}

/**
 * Reads and opens the keystore at `path`.
 * @param path - the keystore file
 * @param passphrase - the passphrase it was saved with
 * @returns the keymaker inside
 * @throws ComradError NOT_FOUND (no file at `path`); ProtocolError CORRUPT_KEYSTORE, UNSUPPORTED_VERSION,
 *   WRONG_PASSPHRASE
 */
export async function loadKeystore(path: string, passphrase: string): Promise<Keymaker> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ComradError('NOT_FOUND', 'no keystore at this path', { cause: err });
    throw err;
  }
  // KS-3 step 1 before reading: a huge file at the keystore's path is not read into memory.
  if (size > MAX_KEYSTORE_BYTES) throw new ProtocolError('CORRUPT_KEYSTORE', 'not a keystore: too large');
  return decodeKeystore(new Uint8Array(await readFile(path)), passphrase);
}
