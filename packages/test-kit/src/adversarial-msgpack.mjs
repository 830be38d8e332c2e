// Adversarial msgpack (ENC-10): inputs built to make a decoder do more than linear work or allocate more
// than the input, and the plain baseline they are timed against. Shared by the codec tests
// (@comrad/test-kit/core/adversarial), the live stall test and bench/decode.bench.mjs.
import { Packr } from 'msgpackr';

const cloner = new Packr({ structuredClone: true, useRecords: false });

/** @param {Uint8Array[]} parts */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const u32 = (n) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

/** A DAG whose every level points twice at the level below, packed with msgpackr's shared references. */
export function sharedReferenceBomb(levels, trailing = true) {
  let x = { a: 1 };
  for (let i = 0; i < levels; i++) x = { l: x, r: x };
  const packed = new Uint8Array(cloner.pack(x));
  return trailing ? concat(packed, Uint8Array.of(0)) : packed;
}

/** A msgpack extension (fixext 1/2/4/8/16 = 0xd4..0xd8, ext 8/16/32 = 0xc7..0xc9) of `type` and `size` bytes. */
export function extension(kind, type, size) {
  const fixed = { 0xd4: 1, 0xd5: 2, 0xd6: 4, 0xd7: 8, 0xd8: 16 };
  if (kind in fixed) return concat(Uint8Array.of(kind, type & 0xff), new Uint8Array(fixed[kind]));
  const len = kind === 0xc7 ? [size & 0xff] : kind === 0xc8 ? [size >> 8, size & 0xff] : u32(size);
  return concat(Uint8Array.of(kind, ...len, type & 0xff), new Uint8Array(size));
}

/** `depth` nested one-item arrays (or maps) around a nil. */
export function deepNesting(depth, asMaps = false) {
  const out = new Uint8Array(asMaps ? depth * 3 + 1 : depth + 1);
  let at = 0;
  for (let i = 0; i < depth; i++) {
    if (asMaps) {
      out.set([0x81, 0xa1, 0x6b], at);
      at += 3;
    } else out[at++] = 0x91;
  }
  out[at] = 0xc0;
  return out;
}

/** A container or string declaring `declared` items or bytes, followed by only `actual` bytes. */
export function hugeDeclaredLength(type, declared, actual) {
  const wide = type === 0xdd || type === 0xdf || type === 0xc6 || type === 0xdb;
  const head = wide ? Uint8Array.of(type, ...u32(declared)) : Uint8Array.of(type, (declared >> 8) & 0xff, declared & 0xff);
  return concat(head, new Uint8Array(actual).fill(0xc0));
}

/** A map32 of `n` distinct short keys with nil values: about 6 bytes per key. */
export function manyKeys(n) {
  const enc = new TextEncoder();
  const out = new Uint8Array(5 + n * 8);
  out.set([0xdf, ...u32(n)]);
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
export function plainMapOfSize(size, maxValues = 16_000) {
  const item = concat(Uint8Array.of(0xb2), new TextEncoder().encode('0123456789abcdefgh'));
  const n = Math.max(0, Math.min(maxValues, Math.floor((size - 32) / 2 / item.length)));
  const list = new Uint8Array(5 + n * item.length);
  list.set([0xdd, ...u32(n)]);
  for (let i = 0; i < n; i++) list.set(item, 5 + i * item.length);
  const head = concat(Uint8Array.of(0x83, 0xa2, 0x69, 0x64, 0x01, 0xa3, 0x69, 0x64, 0x73), list, Uint8Array.of(0xa3, 0x62, 0x69, 0x6e));
  const rest = Math.max(0, size - head.length - 5);
  return concat(head, Uint8Array.of(0xc6, ...u32(rest)), new Uint8Array(rest));
}

/**
 * Time of one call of `run` in ms: the best of `rounds` rounds, each repeating the call until at least
 * `minMs` have passed (so even microsecond calls are measured above the timer's resolution).
 */
export function timePerCall(run, rounds = 3, minMs = 2) {
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
