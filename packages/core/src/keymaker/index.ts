/**
 * `@comrad/core/keymaker` — keymakers (a name with a key pair) and the passphrase-sealed keystore.
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
