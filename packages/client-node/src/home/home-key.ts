/**
 * Keys derived from the home key (HOME-5). The home key itself (HOME-4: 32 random bytes, sealed under the
 * passphrase in `home.key`) is `@comrad/core/keymaker`'s `encodeHomeKey`/`decodeHomeKey`; every other
 * secret file of the home is sealed under a key derived from it, one per purpose, so changing the
 * passphrase replaces `home.key` and nothing else (HOME-6).
 * @module
 */
import { hkdfSync } from 'node:crypto';
import { SymmetricKey, utf8 } from '@comrad/core';

/** What a key derived from the home key protects (HOME-5); each is also the sealed file's context. */
export type HomeKeyPurpose = 'identity' | 'contacts' | 'operators';

/**
 * The key of one purpose (HOME-5): HKDF-SHA-256 of the home key, salt `comrad/home/v1`, info the purpose.
 * Separate keys per file, so a cell of one file never opens as another.
 * @param homeKey - the unlocked home key
 * @param purpose - which file
 * @returns a new key (wipe it when done)
 */
export function deriveHomeKey(homeKey: SymmetricKey, purpose: HomeKeyPurpose): SymmetricKey {
  const secret = homeKey.bytes();
  const derived = new Uint8Array(hkdfSync('sha256', secret, utf8('comrad/home/v1'), utf8(purpose), 32));
  try {
    return SymmetricKey.from(derived);
  } finally {
    secret.fill(0);
    derived.fill(0);
  }
}
