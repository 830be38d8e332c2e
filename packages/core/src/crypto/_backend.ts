/**
 * The seam between Comrad's crypto API and the code that produces Themis bytes. Three backends implement
 * it and must emit and accept the same bytes: `wasm` (wasm-themis, the reference), `node` (Themis framing
 * over node:crypto) and `webcrypto` (Themis framing over `crypto.subtle`, asynchronous). Nothing above the
 * crypto layer sees this interface.
 * @internal
 */
import type { PrivateKey, PublicKey } from './keys.js';

/** Names of the crypto backends. */
export type BackendName = 'node' | 'wasm' | 'webcrypto';

/**
 * One implementation of the Themis operations Comrad uses. Inputs have already been checked by the
 * crypto layer (key containers, non-empty messages, Comrad's stricter framing rules); a backend throws a
 * `ProtocolError` with the documented code when the primitive itself rejects the input.
 */
export interface CryptoBackend {
  readonly name: BackendName;
  /** A fresh P-256 key pair in Themis container form (`REC2` 45 bytes, `UEC2` compressed 45 bytes). */
  generateKeyPair(): { privateKey: Uint8Array; publicKey: Uint8Array };
  /** Secure Message, sign mode. */
  sign(privateKey: PrivateKey, message: Uint8Array): Uint8Array;
  /** Secure Message, verify; returns the signed message or throws BAD_SIGNATURE (or INVALID_KEY). */
  verify(publicKey: PublicKey, signed: Uint8Array): Uint8Array;
  /** Secure Message, encrypt mode (ECDH of own private and peer public key). */
  encrypt(privateKey: PrivateKey, publicKey: PublicKey, message: Uint8Array): Uint8Array;
  /** Secure Message, decrypt; throws DECRYPT_FAILED (or INVALID_KEY). */
  decrypt(privateKey: PrivateKey, publicKey: PublicKey, wrapped: Uint8Array): Uint8Array;
  /** Secure Cell, seal mode, symmetric master key; `context` empty means none. */
  cellSeal(key: Uint8Array, message: Uint8Array, context: Uint8Array): Uint8Array;
  /** Secure Cell, open; throws DECRYPT_FAILED. */
  cellOpen(key: Uint8Array, sealed: Uint8Array, context: Uint8Array): Uint8Array;
  /**
   * Throws INVALID_KEY when a public key's point is not on the curve. Backends that cannot tell before use
   * may accept here; the operation using the key then fails with the operation's code.
   */
  checkPublicKey?(publicKey: PublicKey): void;
  /**
   * Secure Cell, seal mode, passphrase (CRY-9, CRY-13); absent: wasm-themis computes it. Asynchronous, so
   * the slow key derivation may run off the event loop.
   */
  passphraseSeal?(passphrase: string, message: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
  /** Opens a passphrase cell whose framing was checked (CRY-17); throws DECRYPT_FAILED. */
  passphraseOpen?(passphrase: string, sealed: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
}

/**
 * The same operations, asynchronous (CRY-18). Every backend has this form: the `webcrypto` backend
 * natively (Web Crypto has no synchronous call), the others through {@link asyncOf}, which calls the
 * synchronous operation and adds nothing but the promise.
 */
export interface AsyncCryptoBackend {
  readonly name: BackendName;
  generateKeyPair(): Promise<{ privateKey: Uint8Array; publicKey: Uint8Array }>;
  sign(privateKey: PrivateKey, message: Uint8Array): Promise<Uint8Array>;
  verify(publicKey: PublicKey, signed: Uint8Array): Promise<Uint8Array>;
  encrypt(privateKey: PrivateKey, publicKey: PublicKey, message: Uint8Array): Promise<Uint8Array>;
  decrypt(privateKey: PrivateKey, publicKey: PublicKey, wrapped: Uint8Array): Promise<Uint8Array>;
  cellSeal(key: Uint8Array, message: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
  cellOpen(key: Uint8Array, sealed: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
  /** Passphrase Secure Cell (CRY-9) by this backend; absent: wasm-themis computes it (CRY-13). */
  passphraseSeal?(passphrase: string, message: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
  passphraseOpen?(passphrase: string, sealed: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
}

/** The asynchronous form of a synchronous backend: each call runs the synchronous operation at once. */
export function asyncOf(b: CryptoBackend): AsyncCryptoBackend {
  // Plain functions, not `async` ones: a thrown error becomes a rejection through Promise.reject, and the
  // synchronous path costs one resolved promise, nothing more.
  const run = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return {
    name: b.name,
    generateKeyPair: () => run(() => b.generateKeyPair()),
    sign: (k, m) => run(() => b.sign(k, m)),
    verify: (k, s) => run(() => b.verify(k, s)),
    encrypt: (a, p, m) => run(() => b.encrypt(a, p, m)),
    decrypt: (a, p, w) => run(() => b.decrypt(a, p, w)),
    cellSeal: (k, m, c) => run(() => b.cellSeal(k, m, c)),
    cellOpen: (k, s, c) => run(() => b.cellOpen(k, s, c)),
    // CRY-13: a synchronous backend's own passphrase cells (node: OpenSSL's PBKDF2) are asynchronous already.
    ...(b.passphraseSeal && b.passphraseOpen ? { passphraseSeal: b.passphraseSeal, passphraseOpen: b.passphraseOpen } : {}),
  };
}
