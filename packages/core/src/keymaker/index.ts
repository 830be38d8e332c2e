/**
 * `@comrad/core/keymaker` — keymakers (a name with a key pair), the passphrase-sealed keystore, and a
 * client home's passphrase-sealed key.
 *
 * @example
 * ```ts
 * import { ready } from '@comrad/core';
 * import { Keymaker, encodeKeystore, decodeKeystore } from '@comrad/core/keymaker';
 * await ready();
 * const alice = Keymaker.generate('alice');
 * const bytes = await encodeKeystore(alice, 'correct horse battery staple');
 * const again = await decodeKeystore(bytes, 'correct horse battery staple');
 * again.publicKey.equals(alice.publicKey); // true
 * ```
 * @packageDocumentation
 */
export { Keymaker } from './keymaker.js';
export { KEYSTORE_MAGIC, KEYSTORE_VERSION, MAX_KEYSTORE_BYTES, encodeKeystore, decodeKeystore, encodeKeymakerContent, decodeKeymakerContent } from './keystore.js';
export { HOME_KEY_MAGIC, HOME_KEY_VERSION, MAX_HOME_KEY_BYTES, encodeHomeKey, decodeHomeKey } from './home-key.js';
