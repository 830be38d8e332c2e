/**
 * The `wasm` backend: wasm-themis, the Themis reference build. Browsers get this one.
 * @internal
 */
import { ProtocolError, type ErrorCode } from '../errors.js';
import type { CryptoBackend } from './_backend.js';
import { loadWasmThemis, type WasmThemis } from './_wasm-themis.js';
import { checkPoint } from './_point.js';
import { HEADER } from './_container.js';

/** Creates the wasm backend, initialising wasm-themis once. */
export async function createWasmBackend(): Promise<CryptoBackend> {
  const t = await loadWasmThemis();
  const priv = (k: { bytes(): Uint8Array }) => wrap('INVALID_KEY', () => new t.PrivateKey(k.bytes()));
  const pub = (k: { bytes(): Uint8Array }) => wrap('INVALID_KEY', () => new t.PublicKey(k.bytes()));
  return {
    name: 'wasm',
    generateKeyPair() {
      const kp = new t.KeyPair();
      return { privateKey: new Uint8Array(kp.privateKey), publicKey: new Uint8Array(kp.publicKey) };
    },
    sign: (k, message) => wrap('INVALID_KEY', () => new t.SecureMessageSign(priv(k)).sign(message)),
    verify: (k, signed) => wrap('BAD_SIGNATURE', () => new t.SecureMessageVerify(pub(k)).verify(signed)),
    encrypt: (a, b, message) => wrap('INVALID_KEY', () => new t.SecureMessage(new t.KeyPair(priv(a), pub(b))).encrypt(message)),
    decrypt: (a, b, wrapped) => wrap('DECRYPT_FAILED', () => new t.SecureMessage(new t.KeyPair(priv(a), pub(b))).decrypt(wrapped)),
    cellSeal: (key, message, context) => wrap('INTERNAL', () => t.SecureCellSeal.withKey(key).encrypt(message, context)),
    cellOpen: (key, sealed, context) => wrap('DECRYPT_FAILED', () => t.SecureCellSeal.withKey(key).decrypt(sealed, context)),
    // KEY-1, CRY-12: wasm-themis has no point check of its own, so the curve equation decides, for both
    // forms (an uncompressed key before it is compressed: an off-curve y of the right parity would
    // otherwise be silently "repaired"), with INVALID_KEY as on the node backend.
    checkPublicKey: (k) => checkPoint(k.raw.subarray(HEADER)),
  };
}

/** Passphrase Secure Cell (the keystore): always wasm-themis, loaded on first use (CRY-9). */
export async function passphraseCell(): Promise<{
  seal(passphrase: string, message: Uint8Array, context: Uint8Array): Uint8Array;
  open(passphrase: string, sealed: Uint8Array, context: Uint8Array): Uint8Array;
}> {
  const t = await loadWasmThemis();
  return {
    seal: (p, m, c) => wrap('INTERNAL', () => t.SecureCellSeal.withPassphrase(p).encrypt(m, c)),
    open: (p, s, c) => wrap('DECRYPT_FAILED', () => t.SecureCellSeal.withPassphrase(p).decrypt(s, c)),
  };
}

function wrap<T>(code: ErrorCode, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(code, themisMessage(err), { cause: err });
  }
}

function themisMessage(err: unknown): string {
  const m = (err as Error)?.message;
  return typeof m === 'string' && m.length < 300 ? `Themis: ${m}` : 'Themis rejected the input';
}

export type { WasmThemis };
