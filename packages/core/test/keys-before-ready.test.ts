/**
 * KEY-1, CRY-12: a public key is checked on the curve when it is parsed, before `ready()` as after it. This
 * file never calls `ready()` before its first test: vitest gives each test file its own module state, so
 * no backend is active there.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createECDH } from 'node:crypto';
import { PublicKey, ready } from '@comrad/core';
import { activeBackend } from '../src/crypto/backend.js';
import { checkPoint } from '../src/crypto/_point.js';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { keyFormsArb, keyFormsOf, offCurveCompressed, offCurveUncompressed, onCurve, publicContainer, scalarBytes } from '@comrad/test-kit/core/themis-keys';

const off = () => [offCurveCompressed(1), offCurveCompressed(1000), offCurveUncompressed(keyFormsOf(scalarBytes(7n)), true), offCurveUncompressed(keyFormsOf(scalarBytes(7n)), false)];

describe('public keys are checked on the curve at parse time, with or without a backend (KEY-1, CRY-12)', () => {
  it('KEY-1 CRY-12 before ready(): keys off the curve fail with INVALID_KEY, keys on it parse (and compress)', async () => {
    expect(activeBackend(false)).toBeUndefined();
    for (const key of off()) expect(await codeOf(() => PublicKey.from(key))).toBe('INVALID_KEY');
    const forms = keyFormsOf(scalarBytes(12345n));
    expect(PublicKey.from(forms.public45).bytes()).toEqual(forms.public45);
    expect(PublicKey.from(forms.public77).bytes()).toEqual(forms.public45);
    // x ≥ p, and an uncompressed point with coordinates ≥ p
    expect(await codeOf(() => PublicKey.from(publicContainer(Uint8Array.of(0x02, ...new Uint8Array(32).fill(0xff)))))).toBe('INVALID_KEY');
    expect(await codeOf(() => PublicKey.from(publicContainer(Uint8Array.of(0x04, ...new Uint8Array(64).fill(0xff)))))).toBe('INVALID_KEY');
  });

  it('KEY-1 the check in core agrees with OpenSSL on random x, valid points and points with y moved', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(2, 3), (x, prefix) => {
        const point = Uint8Array.of(prefix, ...x);
        expect(ok(point)).toBe(onCurve(point));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(keyFormsArb, fc.nat(63), fc.integer({ min: 1, max: 255 }), (forms, i, mask) => {
        const point = forms.public77.slice(12);
        expect(ok(point)).toBe(true);
        expect(ok(forms.public45.slice(12))).toBe(true);
        point[1 + i]! ^= mask;
        expect(ok(point)).toBe(onCurve(point));
      }),
      { numRuns: 200 },
    );
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    expect(ok(ecdh.getPublicKey())).toBe(true);
  });

  it('KEY-1 CRY-12 after ready(): the same keys get the same codes on the active backend', async () => {
    await ready();
    expect(activeBackend(false)).toBeDefined();
    for (const key of off()) expect(await codeOf(() => PublicKey.from(key))).toBe('INVALID_KEY');
  });
});

function ok(point: Uint8Array): boolean {
  try {
    checkPoint(point);
    return true;
  } catch {
    return false;
  }
}
