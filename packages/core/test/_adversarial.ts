/**
 * Adversarial msgpack (ENC-10, issue "decoding can never cost more than linear time"): inputs built to
 * make a decoder do more than linear work or allocate more than the input — shared references that
 * double at each level, every extension type, deep nesting, huge declared lengths, maps with many keys,
 * trailing bytes after a large value — and the plain baseline they are timed against.
 * @module
 */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { concatBytes } from '@comrad/core';

const cloner = new Packr({ structuredClone: true, useRecords: false });

/** A DAG whose every level points twice at the level below, packed with msgpackr's shared references. */
export function sharedReferenceBomb(levels: number, trailing = true): Uint8Array {
  let x: object = { a: 1 };
  for (let i = 0; i < levels; i++) x = { l: x, r: x };
  const packed = new Uint8Array(cloner.pack(x));
  return trailing ? concatBytes(packed, Uint8Array.of(0)) : packed;
}

/** Every msgpack extension header (fixext 1/2/4/8/16, ext 8/16/32) with `type`, and a payload of `size`. */
export function extension(kind: number, type: number, size: number): Uint8Array {
  const fixed: Record<number, number> = { 0xd4: 1, 0xd5: 2, 0xd6: 4, 0xd7: 8, 0xd8: 16 };
  if (kind in fixed) return concatBytes(Uint8Array.of(kind, type & 0xff), new Uint8Array(fixed[kind]!));
  const len = kind === 0xc7 ? Uint8Array.of(size & 0xff) : kind === 0xc8 ? Uint8Array.of(size >> 8, size & 0xff) : Uint8Array.of(size >>> 24, (size >> 16) & 0xff, (size >> 8) & 0xff, size & 0xff);
  return concatBytes(Uint8Array.of(kind), len, Uint8Array.of(type & 0xff), new Uint8Array(size));
}

/** `depth` nested one-item arrays (or maps) around a nil. */
export function deepNesting(depth: number, asMaps = false): Uint8Array {
  const out = new Uint8Array(asMaps ? depth * 3 + 1 : depth + 1);
  let at = 0;
  for (let i = 0; i < depth; i++) {
    if (asMaps) out.set([0x81, 0xa1, 0x6b], (at += 3) - 3);
    else out[at++] = 0x91;
  }
  out[at] = 0xc0;
  return out;
}

/** A container or string declaring `declared` items or bytes, followed by only `actual` bytes. */
export function hugeDeclaredLength(type: 0xdd | 0xdf | 0xc6 | 0xdb | 0xdc | 0xde, declared: number, actual: number): Uint8Array {
  const wide = type === 0xdd || type === 0xdf || type === 0xc6 || type === 0xdb;
  const head = wide ? Uint8Array.of(type, declared >>> 24, (declared >> 16) & 0xff, (declared >> 8) & 0xff, declared & 0xff) : Uint8Array.of(type, (declared >> 8) & 0xff, declared & 0xff);
  return concatBytes(head, new Uint8Array(actual).fill(0xc0));
}

/** A map32 of `n` distinct short keys with nil values: about 6 bytes per key. */
export function manyKeys(n: number): Uint8Array {
  const enc = new TextEncoder();
  const out = new Uint8Array(5 + n * 8);
  out.set([0xdf, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  let at = 5;
  for (let i = 0; i < n; i++) {
    const k = enc.encode(i.toString(36));
    out[at++] = 0xa0 | k.length;
    out.set(k, at);
    at += k.length;
    out[at++] = 0xc0;
  }
  return out.slice(0, at);
}

/**
 * A plain, valid map of about `size` bytes made of many small values (an `ack`-like list of short
 * strings, then one binary field for the rest): the densest legitimate frame, the baseline for timing.
 */
export function plainMapOfSize(size: number, maxValues = 16_000): Uint8Array {
  const item = concatBytes(Uint8Array.of(0xb2), new TextEncoder().encode('0123456789abcdefgh'));
  const n = Math.max(0, Math.min(maxValues, Math.floor((size - 32) / 2 / item.length)));
  const list = new Uint8Array(5 + n * item.length);
  list.set([0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  for (let i = 0; i < n; i++) list.set(item, 5 + i * item.length);
  const head = concatBytes(Uint8Array.of(0x83, 0xa2, 0x69, 0x64, 0x01, 0xa3, 0x69, 0x64, 0x73), list, Uint8Array.of(0xa3, 0x62, 0x69, 0x6e));
  const rest = Math.max(0, size - head.length - 5);
  return concatBytes(head, Uint8Array.of(0xc6, rest >>> 24, (rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff), new Uint8Array(rest));
}

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

/**
 * Time of one call of `run` in ms: the best of `rounds` rounds, each repeating the call until at least
 * `minMs` have passed (so even microsecond calls are measured above the timer's resolution).
 */
export function timePerCall(run: () => void, rounds = 3, minMs = 2): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      run();
      n++;
      elapsed = performance.now() - start;
    } while (elapsed < minMs);
    best = Math.min(best, elapsed / n);
  }
  return best;
}
