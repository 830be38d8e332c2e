/**
 * The seam between Comrad's crypto API and the code that produces Themis bytes. Two backends implement
 * it and must emit and accept the same bytes: `wasm` (wasm-themis, the reference) and `node` (Themis
 * framing over node:crypto). Nothing above the crypto layer sees this interface.
 * @internal
 */
import type { PrivateKey, PublicKey } from './keys.js';

/** Names of the crypto backends. */
export type BackendName = 'node' | 'wasm';

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
}
