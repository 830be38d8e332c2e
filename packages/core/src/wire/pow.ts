/**
 * Proof of work (REG-6, MB-9): a nonce such that SHA-256 of a context-bound msgpack map has at least N
 * leading zero bits. It makes registering names and flooding mailboxes cost CPU time, without any
 * account or identity. The Operator announces N per op in `info` (0 = not required).
 *
 * Cost: the expected number of hashes is 2^N. Measured with this code on one core of a 2-vCPU Xeon VM,
 * Node 20: about 0.22 M hashes/s with @noble/hashes (node:crypto would do 0.66 M/s), so on average
 * N = 16 ≈ 0.3 s, N = 20 ≈ 4.8 s, N = 24 ≈ 77 s; the number of tries is geometric, so the unluckiest
 * 1 % take 4.6× the mean. Checking costs one hash. See `spec/PROTOCOL.md`.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encode } from '../codec/index.js';
import type { PublicKey } from '../crypto/index.js';

/** OP-2: the highest difficulty an Operator may announce (2^32 hashes is hours of work already). */
export const MAX_POW_BITS = 32;

/** Length of the nonces {@link solvePow} produces (a 64-bit counter). */
export const POW_NONCE_BYTES = 8;

/** The bytes hashed for a registration's proof of work (REG-6). */
export function registerPowInput(name: string, key: PublicKey, nonce: Uint8Array): Uint8Array {
  return encode({ ctx: 'comrad/pow/register/v1', name, key: key.bytes(), nonce });
}

/**
 * The bytes hashed for a letter's proof of work (MB-9): bound to the recipient and to the SHA-256 of the
 * sealed letter, so a nonce cannot be reused for another letter and hashing costs the same for any size.
 */
export function sendPowInput(to: string, letter: Uint8Array, nonce: Uint8Array): Uint8Array {
  return encode({ ctx: 'comrad/pow/send/v1', to, letter: sha256(letter), nonce });
}

/** The number of leading zero bits of `digest`. */
export function leadingZeroBits(digest: Uint8Array): number {
  let n = 0;
  for (const byte of digest) {
    if (byte === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

/**
 * True when `input` hashes to at least `bits` leading zero bits (always true for `bits` ≤ 0).
 * @param input - the output of {@link registerPowInput} or {@link sendPowInput}
 * @param bits - the difficulty announced by the Operator
 */
export function checkPow(input: Uint8Array, bits: number): boolean {
  if (bits <= 0) return true;
  return leadingZeroBits(sha256(input)) >= bits;
}

/**
 * Finds a nonce for `makeInput` at difficulty `bits` by counting; the nonce is the last field of the
 * encoded map, so only its 8 bytes change between attempts.
 * @param makeInput - `(nonce) => registerPowInput(name, key, nonce)` or the send equivalent
 * @param bits - the difficulty, 0..{@link MAX_POW_BITS}
 * @returns the nonce (8 bytes)
 * @example `const pow = solvePow((n) => registerPowInput('alice', key, n), info.pow.register)`
 */
export function solvePow(makeInput: (nonce: Uint8Array) => Uint8Array, bits: number): Uint8Array {
  if (!Number.isInteger(bits) || bits < 0 || bits > MAX_POW_BITS) throw new RangeError(`bits must be 0..${MAX_POW_BITS}`);
  const nonce = new Uint8Array(POW_NONCE_BYTES);
  const input = makeInput(nonce);
  const at = input.length - POW_NONCE_BYTES;
  // The template must end with the nonce, or mutating its tail would hash something else.
  if (!input.subarray(at).every((b, i) => b === nonce[i])) throw new TypeError('makeInput must end with the nonce');
  const tail = input.subarray(at);
  const view = new DataView(tail.buffer, tail.byteOffset, POW_NONCE_BYTES);
  for (let counter = 0n; ; counter++) {
    view.setBigUint64(0, counter);
    if (leadingZeroBits(sha256(input)) >= bits) return tail.slice();
  }
}
