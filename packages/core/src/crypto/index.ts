/**
 * `@comrad/core/crypto` — the only layer that touches Themis. Keys are typed; every operation produces
 * and accepts Themis bytes, from wasm-themis, node:crypto or Web Crypto (the same bytes every way).
 * @packageDocumentation
 */
export { ready, backendName, type ReadyOptions, type BackendName } from './backend.js';
export { PublicKey, PrivateKey, KeyPair, SymmetricKey, SYMMETRIC_KEY_LENGTH } from './keys.js';
export {
  sign,
  verify,
  encryptFor,
  decryptFrom,
  cellSeal,
  cellOpen,
  passphraseSeal,
  passphraseOpen,
  passphraseCellIterations,
  MAX_PASSPHRASE_ITERATIONS,
  signAsync,
  verifyAsync,
  encryptForAsync,
  decryptFromAsync,
  cellSealAsync,
  cellOpenAsync,
} from './operations.js';
export { fingerprintOf } from './fingerprint.js';
export { randomBytes } from './random.js';
