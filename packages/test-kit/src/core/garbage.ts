/**
 * The shared garbage-input helper: every decoder and every Operator op is run against it. A decoder
 * passes when, for every input, it returns a value or throws a `ProtocolError` with a listed code —
 * never a TypeError, a RangeError or anything else (the "totality" law of STYLE.md).
 *
 * @example
 * ```ts
 * await checkTotal((bytes) => decodeLetter(bytes), [encodeLetter(letter)]);
 * ```
 * @module
 */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { ComradError, concatBytes, decode, encode, isErrorCode, ProtocolError, type ErrorCode } from '@comrad/core';

/**
 * A general msgpack writer for garbage: it writes what Comrad's own encoder refuses to (floats, bigints,
 * msgpackr's undefined extension), so decoders meet every type.
 */
const anyPackr = new Packr({ useRecords: false, variableMapSize: true });
/** Encodes any value, Comrad-valid or not. */
export const encodeAny = (value: unknown): Uint8Array => {
  const b = anyPackr.pack(value);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

/** Any value msgpack can carry, of every type a decoder may meet where it expects another. */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.double(),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.uint8Array({ maxLength: 80 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Options of {@link garbageFrom} and {@link checkTotal}. */
export interface GarbageOptions {
  /** Longest purely random input (default 600 bytes). */
  maxRandomLength?: number;
  /** Runs of the property (default 300). */
  numRuns?: number;
}

/**
 * Garbage derived from valid samples: random bytes, truncations, bit flips, overwritten bytes,
 * trailing bytes, inserted and deleted runs, splices of two samples, and — when a sample is a msgpack
 * map — the same map with a field dropped, added, or given a value of a random type (at any depth).
 * @param seeds - valid encodings of the structure under test (at least one)
 */
export function garbageFrom(seeds: readonly Uint8Array[], options: GarbageOptions = {}): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0 || seeds.some((s) => s.length === 0)) throw new TypeError('garbageFrom needs non-empty valid samples');
  const seed = fc.constantFrom(...seeds);
  const arbs: fc.Arbitrary<Uint8Array>[] = [
    fc.uint8Array({ maxLength: options.maxRandomLength ?? 600 }),
    seed.chain((s) => fc.nat(Math.max(0, s.length - 1)).map((n) => s.slice(0, n))),
    seed.chain((s) => fc.array(fc.nat(s.length * 8 - 1), { minLength: 1, maxLength: 3 }).map((bits) => flipBits(s, bits))),
    seed.chain((s) => fc.array(fc.tuple(fc.nat(s.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((w) => overwrite(s, w))),
    seed.chain((s) => fc.uint8Array({ minLength: 1, maxLength: 16 }).map((t) => concatBytes(s, t))),
    seed.chain((s) => fc.tuple(fc.nat(s.length), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, t]) => concatBytes(s.subarray(0, at), t, s.subarray(at)))),
    seed.chain((s) => fc.tuple(fc.nat(s.length - 1), fc.integer({ min: 1, max: 64 })).map(([at, n]) => concatBytes(s.subarray(0, at), s.subarray(at + n)))),
    fc.tuple(seed, seed, fc.nat(), fc.nat()).map(([a, b, i, j]) => concatBytes(a.subarray(0, i % (a.length + 1)), b.subarray(j % (b.length + 1)))),
  ];
  const maps = seeds.map(decodedMap).filter((m): m is Record<string, unknown> => m !== undefined);
  if (maps.length > 0) arbs.push(fc.constantFrom(...maps).chain(wrongTypedMaps));
  return fc.oneof(...arbs);
}

/**
 * Variants of a decoded msgpack map, encoded: one field (at any depth) dropped, given a random value,
 * or an unknown field added; or the whole map as another type.
 * @param template - a decoded map (for instance `decode(validBytes)`)
 */
export function wrongTypedMaps(template: Record<string, unknown>): fc.Arbitrary<Uint8Array> {
  const paths = mapPaths(template);
  const path = fc.constantFrom(...paths);
  return fc
    .oneof(
      fc.tuple(path, anyValue).map(([p, v]) => setAt(template, p, v)),
      path.map((p) => setAt(template, p, undefined)),
      fc.tuple(path, fc.string({ minLength: 1, maxLength: 8 }), anyValue).map(([p, k, v]) => setAt(template, [...p.slice(0, -1), k], v)),
      anyValue,
    )
    .map((v) => encodeAny(v));
}

/**
 * Calls `run` and returns the code of the ProtocolError it threw (or undefined when it returned);
 * fails on any other kind of error.
 */
export async function expectTotal(run: () => unknown): Promise<ErrorCode | undefined> {
  try {
    await run();
    return undefined;
  } catch (err) {
    if (err instanceof ProtocolError && isErrorCode(err.code)) return err.code;
    throw new Error(`a decoder threw something other than a ProtocolError: ${String(err)}`, { cause: err });
  }
}

/**
 * Runs `run` (sync or async) and returns the code of the Comrad error it threw, or `ok` when it returned;
 * rethrows anything that is not a Comrad error, so a crash never passes for a refusal.
 * @example `expect(await codeOf(() => decodeLetter(bytes))).toBe('MALFORMED')`
 */
export async function codeOf(run: () => unknown): Promise<ErrorCode | 'ok'> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ComradError) return err.code;
    throw err;
  }
  return 'ok';
}

/**
 * The totality property: for garbage made from `seeds`, `decoder` returns or throws a ProtocolError.
 * @returns how often each code was seen (and `ok` for inputs that decoded), to show the garbage reached
 *   past the first check
 */
export async function checkTotal(
  decoder: (bytes: Uint8Array) => unknown,
  seeds: readonly Uint8Array[],
  options: GarbageOptions = {},
): Promise<Map<ErrorCode | 'ok', number>> {
  const seen = new Map<ErrorCode | 'ok', number>();
  await fc.assert(
    fc.asyncProperty(garbageFrom(seeds, options), async (bytes) => {
      const code = (await expectTotal(() => decoder(bytes))) ?? 'ok';
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }),
    { numRuns: options.numRuns ?? 300 },
  );
  return seen;
}

/**
 * A msgpack map assembled from already-encoded parts, in the given order and with repeats allowed: for
 * hand-made non-canonical encodings (duplicate keys, reordered fields, long integer forms).
 * @param entries - pairs of key and the encoded value bytes
 */
export function msgpackMap(entries: readonly (readonly [string, Uint8Array])[]): Uint8Array {
  if (entries.length > 15) throw new TypeError('msgpackMap writes fixmaps only (at most 15 entries)');
  return concatBytes(Uint8Array.of(0x80 | entries.length), ...entries.flatMap(([k, v]) => [encode(k), v]));
}

function decodedMap(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v = decode(bytes);
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function mapPaths(map: Record<string, unknown>, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(map)) {
    out.push([...prefix, k]);
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)) out.push(...mapPaths(v as Record<string, unknown>, [...prefix, k]));
  }
  return out.length > 0 ? out : [[...prefix, 'x']];
}

function setAt(map: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  const copy: Record<string, unknown> = { ...map };
  if (head === undefined) return copy;
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else define(copy, head, value);
    return copy;
  }
  const inner = copy[head];
  define(copy, head, setAt(typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : {}, rest, value));
  return copy;
}

// A key like "__proto__" must become a field, not the prototype.
function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function flipBits(s: Uint8Array, bits: readonly number[]): Uint8Array {
  const out = s.slice();
  for (const b of bits) out[b >> 3]! ^= 1 << (b & 7);
  return out;
}

function overwrite(s: Uint8Array, writes: readonly (readonly [number, number])[]): Uint8Array {
  const out = s.slice();
  for (const [i, v] of writes) out[i] = v;
  return out;
}
