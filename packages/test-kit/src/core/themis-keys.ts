/**
 * Themis key containers for the crypto tests, built from a chosen scalar so every form is reachable:
 * 45- and 44-byte private keys (KEY-2), 45-byte compressed and 77-byte uncompressed public keys (KEY-1),
 * and well-framed keys (right tag, size and CRC) whose scalar or point is not usable.
 * @module
 */
import { createECDH, ECDH } from 'node:crypto';
import fc from 'fast-check';
import { makeContainer } from '@comrad/core/src/crypto/_container.js';

/** Order n of the P-256 group. */
export const ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** Every container form of one key pair. */
export interface KeyForms {
  /** `REC2`, 45 bytes: scalar left-padded to 33 bytes (what Themis emits). */
  private45: Uint8Array;
  /** `REC2`, 44 bytes: the bare 32-byte scalar. */
  private44: Uint8Array;
  /** `UEC2`, 45 bytes: compressed point (what Themis emits). */
  public45: Uint8Array;
  /** `UEC2`, 77 bytes: uncompressed point. */
  public77: Uint8Array;
}

/** The scalar as 32 big-endian bytes. */
export function scalarBytes(d: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(d.toString(16).padStart(64, '0'), 'hex'));
}

/** A private key container around any 32-byte scalar, valid or not (the CRC is always right). */
export function privateContainer(d: Uint8Array, length: 44 | 45): Uint8Array {
  const body = new Uint8Array(length - 12);
  body.set(d, body.length - 32);
  return makeContainer('REC2', body);
}

/** A public key container around any encoded point (the CRC is always right). */
export function publicContainer(point: Uint8Array): Uint8Array {
  return makeContainer('UEC2', point);
}

/** All forms of the key pair with scalar `d` (1 ≤ d < n); the public point comes from OpenSSL. */
export function keyFormsOf(d: Uint8Array): KeyForms {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  return {
    private45: privateContainer(d, 45),
    private44: privateContainer(d, 44),
    public45: publicContainer(ecdh.getPublicKey(null, 'compressed')),
    public77: publicContainer(ecdh.getPublicKey()),
  };
}

/** Valid scalars, as fast-check values (so a failing case names its key). */
export const scalarArb: fc.Arbitrary<Uint8Array> = fc
  .bigInt({ min: 1n, max: ORDER - 1n })
  .map(scalarBytes);

/** Key pairs in every form, from a valid scalar. */
export const keyFormsArb: fc.Arbitrary<KeyForms> = scalarArb.map(keyFormsOf);

/** True when the SEC 1 encoding is a point on P-256 (OpenSSL decides). */
export function onCurve(point: Uint8Array): boolean {
  try {
    ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'uncompressed');
    return true;
  } catch {
    return false;
  }
}

/** A compressed encoding `02 || x` whose x is no point's x-coordinate: well-framed, unusable (CRY-12). */
export function offCurveCompressed(seed = 1): Uint8Array {
  for (let x = BigInt(seed); ; x++) {
    const point = Uint8Array.of(0x02, ...scalarBytes(x));
    if (!onCurve(point)) return publicContainer(point);
  }
}

/**
 * The 77-byte form of `forms` with y changed so the point leaves the curve; `keepParity` keeps y's lowest
 * bit, so compressing it without a check would silently give back the original key.
 */
export function offCurveUncompressed(forms: KeyForms, keepParity: boolean): Uint8Array {
  const point = forms.public77.slice(12);
  // y is point[33..65]: flipping the last byte's lowest bit changes the parity, the byte before keeps it.
  point[keepParity ? 63 : 64]! ^= 0x01;
  return publicContainer(point);
}
