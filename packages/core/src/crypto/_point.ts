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

/** (p + 1) / 4: p ≡ 3 (mod 4), so a square root of a square a is a^((p+1)/4) mod p. */
const SQRT_EXPONENT = (P + 1n) / 4n;

/**
 * The uncompressed form (`04 || x || y`, 65 bytes) of a compressed point (`02`/`03 || x`, 33 bytes), or
 * undefined when no point of P-256 has this x. Web Crypto imports only uncompressed points; this is the
 * one curve computation core does itself (CRY-18), on public values only.
 */
export function decompress(point: Uint8Array): Uint8Array | undefined {
  if (point.length !== 33 || (point[0] !== 0x02 && point[0] !== 0x03)) return undefined;
  const x = toBigInt(point.subarray(1));
  if (x >= P) return undefined;
  const rhs = curve(x);
  let y = modPow(rhs, SQRT_EXPONENT);
  if ((y * y) % P !== rhs) return undefined;
  if (Number(y & 1n) !== (point[0] & 1)) y = (P - y) % P;
  const out = new Uint8Array(65);
  out[0] = 0x04;
  out.set(point.subarray(1), 1);
  let v = y;
  for (let i = 64; i >= 33; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}
