/**
 * The Themis operations Comrad uses, over typed keys, on the active backend.
 * @module
 */
import { activeAsyncBackend, activeBackend } from './backend.js';
import { checkCell, checkEncrypted, checkNonEmpty, checkPassphraseCell, checkSigned } from './_framing.js';
import type { PrivateKey, PublicKey, SymmetricKey } from './keys.js';
import { passphraseCell } from './_wasm-backend.js';

const EMPTY = new Uint8Array(0);

/**
 * Signs `message` with Themis Secure Message (sign mode): the output carries the message in clear and an
 * ECDSA-P256/SHA-256 signature.
 * @example `const signed = sign(alice.privateKey, utf8('hello'))`
 */
export function sign(privateKey: PrivateKey, message: Uint8Array): Uint8Array {
  checkNonEmpty(message, 'message');
  return activeBackend().sign(privateKey, message);
}

/**
 * Verifies a Secure Message signature and returns the signed message.
 * @throws ProtocolError BAD_SIGNATURE (wrong key or tampered), TRUNCATED, TRAILING_BYTES, INVALID_KEY
 */
export function verify(publicKey: PublicKey, signed: Uint8Array): Uint8Array {
  checkSigned(signed);
  return activeBackend().verify(publicKey, signed);
}

/**
 * Encrypts `message` for `recipient` with Secure Message (encrypt mode): AES-256-GCM under the ECDH
 * secret of `sender` and `recipient`. Either side can decrypt with its own private key and the other's
 * public key.
 * @example `const box = encryptFor(ephemeral.privateKey, bob.publicKey, bytes)`
 */
export function encryptFor(sender: PrivateKey, recipient: PublicKey, message: Uint8Array): Uint8Array {
  checkNonEmpty(message, 'message');
  return activeBackend().encrypt(sender, recipient, message);
}

/**
 * Decrypts a Secure Message made by {@link encryptFor}.
 * @throws ProtocolError DECRYPT_FAILED (tampered, or not between these keys), TRUNCATED, TRAILING_BYTES
 */
export function decryptFrom(recipient: PrivateKey, sender: PublicKey, wrapped: Uint8Array): Uint8Array {
  checkEncrypted(wrapped);
  return activeBackend().decrypt(recipient, sender, wrapped);
}

/**
 * Seals `message` in a Secure Cell (seal mode) under a symmetric key; `context` is authenticated but not
 * stored (both sides must supply the same one).
 * @example `const cell = cellSeal(worldKey, post, utf8('comrad/world/epoch/42'))`
 */
export function cellSeal(key: SymmetricKey, message: Uint8Array, context: Uint8Array = EMPTY): Uint8Array {
  checkNonEmpty(message, 'message');
  return activeBackend().cellSeal(key.raw, message, context);
}

/**
 * Opens a Secure Cell made by {@link cellSeal}.
 * @throws ProtocolError DECRYPT_FAILED (wrong key or context, or tampered), TRUNCATED, TRAILING_BYTES
 */
export function cellOpen(key: SymmetricKey, sealed: Uint8Array, context: Uint8Array = EMPTY): Uint8Array {
  checkCell(sealed);
  return activeBackend().cellOpen(key.raw, sealed, context);
}

/**
 * The PBKDF2 iteration count a passphrase cell asks for, after checking its framing and bounds (CRY-9,
 * CRY-17), without deriving anything: lets a container tell a hostile or damaged cell from a wrong
 * passphrase.
 * @param sealed - a passphrase cell
 * @returns the iteration count, 1 to {@link MAX_PASSPHRASE_ITERATIONS}
 * @throws ProtocolError TOO_LARGE, TRUNCATED, TRAILING_BYTES, DECRYPT_FAILED
 */
export function passphraseCellIterations(sealed: Uint8Array): number {
  if (!(sealed instanceof Uint8Array)) throw new TypeError('sealed must be a Uint8Array');
  return checkPassphraseCell(sealed);
}

export { MAX_PASSPHRASE_ITERATIONS } from './_framing.js';

/**
 * Seals `message` in a Secure Cell under a passphrase (the key derived with PBKDF2, CRY-9): by OpenSSL on the
 * node backend, else by wasm-themis, loaded on first use (CRY-13). Used only for local keystores.
 */
export async function passphraseSeal(passphrase: string, message: Uint8Array, context: Uint8Array = EMPTY): Promise<Uint8Array> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new TypeError('passphrase must be a non-empty string');
  checkNonEmpty(message, 'message');
  // CRY-13: on the webcrypto backend, Web Crypto's PBKDF2 (no wasm in a browser bundle); else wasm-themis.
  const own = activeAsyncBackend(false)?.passphraseSeal;
  if (own) return own(passphrase, message, context);
  return (await passphraseCell()).seal(passphrase, message, context);
}

/**
 * Opens a passphrase Secure Cell. Its framing and iteration count are checked first (CRY-17), so a cell
 * that asks for more key derivation than {@link MAX_PASSPHRASE_ITERATIONS} costs nothing.
 * @throws ProtocolError TOO_LARGE (too many iterations), TRUNCATED, TRAILING_BYTES, DECRYPT_FAILED
 *   (other parameters, wrong passphrase or tampered)
 */
export async function passphraseOpen(passphrase: string, sealed: Uint8Array, context: Uint8Array = EMPTY): Promise<Uint8Array> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new TypeError('passphrase must be a non-empty string');
  if (!(sealed instanceof Uint8Array) || sealed.length === 0) throw new TypeError('sealed must be non-empty bytes');
  checkPassphraseCell(sealed);
  const own = activeAsyncBackend(false)?.passphraseOpen;
  if (own) return own(passphrase, sealed, context);
  return (await passphraseCell()).open(passphrase, sealed, context);
}

// ---------------------------------------------------------------------------------------------------
// The asynchronous forms (CRY-18): the same checks, the same bytes, the same codes, on every backend.
// Under `webcrypto` they are the only ones that work; under `node` and `wasm` each runs the synchronous
// operation and returns it resolved.

/**
 * {@link sign}, asynchronously: the one form that works on every backend, `webcrypto` included.
 * @example `const signed = await signAsync(alice.privateKey, utf8('hello'))`
 */
export async function signAsync(privateKey: PrivateKey, message: Uint8Array): Promise<Uint8Array> {
  checkNonEmpty(message, 'message');
  return activeAsyncBackend().sign(privateKey, message);
}

/**
 * {@link verify}, asynchronously.
 * @throws ProtocolError BAD_SIGNATURE, TRUNCATED, TRAILING_BYTES, INVALID_KEY
 */
export async function verifyAsync(publicKey: PublicKey, signed: Uint8Array): Promise<Uint8Array> {
  checkSigned(signed);
  return activeAsyncBackend().verify(publicKey, signed);
}

/** {@link encryptFor}, asynchronously. */
export async function encryptForAsync(sender: PrivateKey, recipient: PublicKey, message: Uint8Array): Promise<Uint8Array> {
  checkNonEmpty(message, 'message');
  return activeAsyncBackend().encrypt(sender, recipient, message);
}

/**
 * {@link decryptFrom}, asynchronously.
 * @throws ProtocolError DECRYPT_FAILED, TRUNCATED, TRAILING_BYTES
 */
export async function decryptFromAsync(recipient: PrivateKey, sender: PublicKey, wrapped: Uint8Array): Promise<Uint8Array> {
  checkEncrypted(wrapped);
  return activeAsyncBackend().decrypt(recipient, sender, wrapped);
}

/** {@link cellSeal}, asynchronously. */
export async function cellSealAsync(key: SymmetricKey, message: Uint8Array, context: Uint8Array = EMPTY): Promise<Uint8Array> {
  checkNonEmpty(message, 'message');
  return activeAsyncBackend().cellSeal(key.raw, message, context);
}

/**
 * {@link cellOpen}, asynchronously.
 * @throws ProtocolError DECRYPT_FAILED, TRUNCATED, TRAILING_BYTES
 */
export async function cellOpenAsync(key: SymmetricKey, sealed: Uint8Array, context: Uint8Array = EMPTY): Promise<Uint8Array> {
  checkCell(sealed);
  return activeAsyncBackend().cellOpen(key.raw, sealed, context);
}
