/**
 * The `wasm` backend: wasm-themis, the Themis reference build. Browsers get this one.
 * @internal
 */
import { ProtocolError, type ErrorCode } from '../errors.js';
import type { CryptoBackend } from './_backend.js';
import { loadWasmThemis, type WasmThemis } from './_wasm-themis.js';

/** Creates the wasm backend, initialising wasm-themis once. */
export async function createWasmBackend(): Promise<CryptoBackend> {
  const t = await loadWasmThemis();
  const priv = (k: { bytes(): Uint8Array }) => wrap('INVALID_KEY', () => new t.PrivateKey(k.bytes()));
  const pub = (k: { bytes(): Uint8Array }) => wrap('INVALID_KEY', () => new t.PublicKey(k.bytes()));
  // A fixed key pair only for probing points: wasm-themis exposes no point check of its own.
  const probe = new t.KeyPair();
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
    // KEY-1: an uncompressed key is stored compressed; without this check an off-curve Y with the right
    // parity would be silently "repaired" into a valid key. One probe encryption (~1 ms) settles it.
    // CRY-12: a compressed key whose X has no point fails here too, with INVALID_KEY as on the node
    // backend, not later with the code of whatever first uses it.
    checkPublicKey(k) {
      if (k.raw.length !== 77) {
        if (!hasPoint(k.raw.subarray(13))) throw new ProtocolError('INVALID_KEY', 'no point of P-256 has this x');
        return;
      }
      wrap('INVALID_KEY', () => new t.SecureMessage(new t.KeyPair(probe.privateKey, new t.PublicKey(k.bytes()))).encrypt(Uint8Array.of(0)));
    },
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

/** P-256's field prime p and curve constant b (y² = x³ − 3x + b). */
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

/**
 * True when some point of P-256 has x-coordinate `x` (32 bytes, big-endian): x < p and x³ − 3x + b is a
 * square mod p, i.e. its Jacobi symbol is not −1 (binary algorithm: shifts and one remainder per step,
 * about 50 times cheaper in BigInt than Euler's criterion by modular exponentiation).
 */
function hasPoint(x: Uint8Array): boolean {
  let v = 0n;
  for (const byte of x) v = (v << 8n) | BigInt(byte);
  if (v >= P) return false;
  const rhs = ((((v * v) % P) * v - 3n * v + B) % P + P) % P;
  return jacobi(rhs, P) !== -1;
}

/** The Jacobi symbol (a/n) for odd n > 0: 1, −1, or 0 when they share a factor. */
function jacobi(a: bigint, n: bigint): number {
  let t = 1;
  a %= n;
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n;
      const r = n & 7n;
      if (r === 3n || r === 5n) t = -t;
    }
    [a, n] = [n, a];
    if ((a & 3n) === 3n && (n & 3n) === 3n) t = -t;
    a %= n;
  }
  return n === 1n ? t : 0;
}
