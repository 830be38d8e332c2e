/**
 * Adversarial msgpack (ENC-10, issue "decoding can never cost more than linear time"): inputs built to
 * make a decoder do more than linear work or allocate more than the input — shared references that
 * double at each level, every extension type, deep nesting, huge declared lengths, maps with many keys,
 * trailing bytes after a large value — and the plain baseline they are timed against.
 * @module
 */
import fc from 'fast-check';
import { concatBytes } from '@comrad/core';
import { deepNesting, extension, hugeDeclaredLength, manyKeys, plainMapOfSize, sharedReferenceBomb } from '../adversarial-msgpack.mjs';

export { deepNesting, extension, hugeDeclaredLength, manyKeys, plainMapOfSize, sharedReferenceBomb, timePerCall } from '../adversarial-msgpack.mjs';

/**
 * False in mutation-testing runs (`npm run test:mutation`; stryker.vitest.config.ts sets
 * `COMRAD_MUTATION=1`): there the code is instrumented, which slows its parts unevenly, and each mutant
 * runs with others' processes on a shared machine, so a time ratio would kill or spare mutants by chance.
 * Tests that assert a time ratio skip that assertion when this is false.
 */
export const timingIsMeaningful: boolean = process.env.COMRAD_MUTATION !== '1';

const EXT_KINDS = [0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xc7, 0xc8, 0xc9] as const;

/**
 * Adversarial inputs of every family, up to `maxBytes`, each possibly wrapped in a map field or followed
 * by trailing bytes.
 */
export function adversarialMsgpack(maxBytes: number): fc.Arbitrary<Uint8Array> {
  const maxKeys = Math.floor((maxBytes - 5) / 6);
  const core = fc.oneof(
    fc.integer({ min: 4, max: 26 }).map((levels) => sharedReferenceBomb(levels)),
    fc.integer({ min: 4, max: 26 }).map((levels) => sharedReferenceBomb(levels, false)),
    fc.tuple(fc.constantFrom(...EXT_KINDS), fc.integer({ min: -128, max: 127 }), fc.integer({ min: 0, max: 64 })).map(([k, t, s]) => extension(k, t, s)),
    fc.tuple(fc.integer({ min: 1, max: Math.min(100_000, maxBytes - 1) }), fc.boolean()).map(([d, m]) => deepNesting(Math.min(d, Math.floor((maxBytes - 1) / (m ? 3 : 1))), m)),
    fc.tuple(fc.constantFrom(0xdd, 0xdf, 0xc6, 0xdb, 0xdc, 0xde) as fc.Arbitrary<0xdd | 0xdf | 0xc6 | 0xdb | 0xdc | 0xde>, fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: Math.min(4096, maxBytes - 5) })).map(
      ([t, d, a]) => hugeDeclaredLength(t, t === 0xdc || t === 0xde ? d & 0xffff : d, a),
    ),
    fc.integer({ min: 1, max: maxKeys }).map((n) => manyKeys(n)),
    fc.integer({ min: 64, max: maxBytes - 16 }).map((n) => concatBytes(plainMapOfSize(n), Uint8Array.of(0xc0))),
  );
  return fc.tuple(core, fc.constantFrom('bare', 'in-map', 'trailing')).map(([bytes, how]) => {
    if (how === 'in-map' && bytes.length + 8 <= maxBytes) return concatBytes(Uint8Array.of(0x82, 0xa2, 0x69, 0x64, 0x01, 0xa1, 0x78), bytes);
    if (how === 'trailing' && bytes.length + 4 <= maxBytes) return concatBytes(bytes, Uint8Array.of(1, 2, 3));
    return bytes.length <= maxBytes ? bytes : bytes.subarray(0, maxBytes);
  });
}
