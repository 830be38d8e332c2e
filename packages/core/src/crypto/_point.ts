/**
 * Whether an encoded point is on P-256 (KEY-1), in plain BigInt arithmetic: no curve operation, only the
 * curve equation y² = x³ − 3x + b over the field, on public values. `PublicKey.from` uses it whenever no
 * backend is active, so a key parsed before `ready()` is checked as fully as one parsed after (CRY-12);
 * the wasm backend uses it always (wasm-themis has no point check of its own).
 * @internal
 */
import { ProtocolError } from '../errors.js';

/** P-256's field prime p and curve constant b (y² = x³ − 3x + b). */
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

/**
 * Throws INVALID_KEY unless `point` (SEC 1: `02`/`03` and x, 33 bytes; or `04`, x and y, 65 bytes) is a
 * point of P-256. The prefix byte has been checked by the container reader.
 * @throws ProtocolError INVALID_KEY
 */
export function checkPoint(point: Uint8Array): void {
  if (point.length === 33) {
    if (!hasPoint(point.subarray(1))) throw new ProtocolError('INVALID_KEY', 'no point of P-256 has this x');
    return;
  }
  if (point.length !== 65) throw new ProtocolError('INVALID_KEY', 'a point is 33 or 65 bytes');
  const x = toBigInt(point.subarray(1, 33));
  const y = toBigInt(point.subarray(33, 65));
  // KEY-1: checked before the key is compressed, or an off-curve y of the right parity would be "repaired".
  if (x >= P || y >= P || (y * y) % P !== curve(x)) throw new ProtocolError('INVALID_KEY', 'the point is not on P-256');
}

/**
 * True when some point of P-256 has x-coordinate `x` (32 bytes, big-endian): x < p and x³ − 3x + b is a
 * square mod p, i.e. its Jacobi symbol is not −1 (binary algorithm: shifts and one remainder per step,
 * about 50 times cheaper in BigInt than Euler's criterion by modular exponentiation).
 */
export function hasPoint(x: Uint8Array): boolean {
  const v = toBigInt(x);
  if (v >= P) return false;
  return jacobi(curve(v), P) !== -1;
}

/** x³ − 3x + b mod p, in [0, p). */
function curve(x: bigint): bigint {
  return ((((x * x) % P) * x - 3n * x + B) % P + P) % P;
}

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const byte of bytes) v = (v << 8n) | BigInt(byte);
  return v;
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
