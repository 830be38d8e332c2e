/**
 * The msgpack codec (ENC-1..ENC-11): what it writes, what it refuses, and that no input can make it do
 * more than linear work.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { decode, encode, fromHex, toHex, ProtocolError } from '@comrad/core';
import { DEFAULT_MAX_ELEMENTS, MAX_DEPTH, MAX_MAP_KEYS } from '../src/codec/msgpack.js';
import { Fields } from '@comrad/core/codec';
import { decodeRequestEnvelope, decodeRequest, encodeRequest, peekRequestId } from '@comrad/core/wire';
import { codeOf, encodeAny, expectTotal } from '@comrad/test-kit/core/garbage';
import { adversarialMsgpack, deepNesting, extension, hugeDeclaredLength, manyKeys, plainMapOfSize, sharedReferenceBomb, timePerCall, timingIsMeaningful } from '@comrad/test-kit/core/adversarial';

/** Valid values under ENC-1 (no floats, no undefined, no non-plain objects). */
const plainValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.integer(),
    fc.string({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 10 }).filter((k) => k !== '__proto__'), tie('v'), { maxKeys: 5 }),
  ),
})).v;

/** Decode and compare bytes as hex, so Uint8Array views compare by content. */
const norm = (v: unknown): unknown =>
  v instanceof Uint8Array ? `bin:${toHex(v)}` : Array.isArray(v) ? v.map(norm) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)])) : v;


/** ENC-10's bound on the time of an adversarial input over that of a plain one of its size. */
const TIME_RATIO_BOUND = 25;

/**
 * A time ratio, measured again (twice at most) while it is at or over `bound`; the lowest counts. A busy
 * spell of a shared machine slows one measurement, not three in a row; a real stall is over every time.
 */
function lowestRatio(measure: () => number, bound: number): number {
  let ratio = measure();
  for (let again = 0; again < 2 && ratio >= bound; again++) ratio = Math.min(ratio, measure());
  return ratio;
}
describe('encoding (ENC-*)', () => {
  it('ENC-1 ENC-2 decode(encode(x)) = x, and encode(decode(b)) = b for every encoding', () => {
    fc.assert(
      fc.property(plainValue, (v) => {
        const bytes = encode(v);
        expect(norm(decode(bytes))).toEqual(norm(v));
        expect(toHex(encode(decode(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('ENC-2 ENC-9 every value in its shortest form; integers above 2^32 as uint64, never as float', () => {
    const cases: Array<[unknown, string]> = [
      [0, '00'],
      [127, '7f'],
      [128, 'cc80'],
      [256, 'cd0100'],
      [65_536, 'ce00010000'],
      [1_764_000_000_000, 'cf0000019ab697e800'],
      [Number.MAX_SAFE_INTEGER, 'cf001fffffffffffff'],
      [-1, 'ff'],
      [-32, 'e0'],
      [-33, 'd0df'],
      [-129, 'd1ff7f'],
      [-32_769, 'd2ffff7fff'],
      [-(2 ** 31) - 1, 'd3ffffffff7fffffff'],
      ['', 'a0'],
      ['a'.repeat(31), 'bf' + '61'.repeat(31)],
      ['a'.repeat(32), 'd920' + '61'.repeat(32)],
      ['é', 'a2c3a9'],
      [new Uint8Array(2), 'c4020000'],
      [[], '90'],
      [{}, '80'],
      [{ a: undefined, b: 1 }, '81a16201'],
    ];
    for (const [v, hex] of cases) expect(toHex(encode(v)), String(v)).toBe(hex);
    expect(decode(fromHex('cf0000019ab697e800'))).toBe(1_764_000_000_000);
    expect(decode(fromHex('d3ffffffff7fffffff'))).toBe(-(2 ** 31) - 1);
  });

  it('ENC-9 the encoder refuses floats, bigints, lone surrogates and non-plain objects', () => {
    for (const v of [1.5, NaN, Infinity, 2 ** 53, 10n, new Date(0), new Map(), new Set(), /x/, undefined, () => 1, [undefined], 'a\ud800b'.repeat(2)]) {
      expect(() => encode(v), String(v)).toThrow(TypeError);
    }
  });

  it('ENC-2 encode reuses one writer: a refused value, a nested call and a large value leave later encodes exact', () => {
    const big = new Uint8Array((1 << 20) + 1).fill(7); // past the size the shared writer keeps
    const small = { v: 1, name: 'alice', bytes: Uint8Array.of(1, 2, 3) };
    const expected = encode(small);
    expect(() => encode({ a: 'x'.repeat(300), b: 1.5 })).toThrow(TypeError);
    expect(encode(small)).toEqual(expected);
    const back = decode(encode({ big }), 2 << 20) as { big: Uint8Array };
    expect(back.big.length === big.length && back.big.every((b) => b === 7)).toBe(true);
    expect(encode(small)).toEqual(expected);
    // A getter that encodes while the outer encode is writing gets a writer of its own.
    const nested = { inner: 0 as unknown };
    Object.defineProperty(nested, 'inner', { enumerable: true, get: () => encode(small) });
    expect(decode(encode(nested))).toEqual({ inner: expected });
    // The returned bytes are the caller's own: the next encode does not change them.
    const kept = encode({ s: 'y'.repeat(500) });
    const copy = kept.slice();
    encode({ s: 'z'.repeat(500) });
    expect(kept).toEqual(copy);
  });

  it('ENC-1 every extension type, floats and the never-used byte are MALFORMED', async () => {
    for (const kind of [0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xc7, 0xc8, 0xc9]) {
      for (const type of [-1, 0, 0x70, 0x72, 0x73, 0x74, 0x78, 127]) {
        expect(await codeOf(() => decode(extension(kind, type, 4))), `${kind}/${type}`).toBe('MALFORMED');
      }
    }
    // What msgpackr writes for Date, Set, Map, RegExp, Error, typed arrays, undefined and shared references.
    const rich = new Packr({ structuredClone: true, moreTypes: true, useRecords: false });
    for (const v of [new Date(0), new Set([1]), new Map([[1, 2]]), /x/g, new Error('e'), new Float64Array(2), new Uint16Array(2), [undefined], { a: 1.5 }]) {
      expect(await codeOf(() => decode(new Uint8Array(rich.pack({ v })))), String(v)).toBe('MALFORMED');
    }
    expect(await codeOf(() => decode(fromHex('c1')))).toBe('MALFORMED');
  });

  it('ENC-1 ENC-11 map keys are strings, each once; "__proto__" is an ordinary own key', async () => {
    expect(await codeOf(() => decode(fromHex('810101')))).toBe('MALFORMED');
    expect(await codeOf(() => decode(fromHex('82a16101a16102')))).toBe('MALFORMED');
    const polluted = decode(encodeAny({ ['__proto__']: { admin: true } })) as Record<string, unknown>;
    expect(Object.getPrototypeOf(polluted)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await codeOf(() => Fields.of(polluted, 'map', ['a']))).toBe('MALFORMED');
  });

  it('ENC-8 integers outside the safe range are MALFORMED; strings must be valid UTF-8', async () => {
    expect(await codeOf(() => decode(fromHex('cf0020000000000000')))).toBe('MALFORMED');
    expect(await codeOf(() => decode(fromHex('d3ffe0000000000000')))).toBe('MALFORMED');
    expect(decode(fromHex('d3ffe0000000000001'))).toBe(-(2 ** 53) + 1);
    expect(await codeOf(() => decode(fromHex('a2c328')))).toBe('MALFORMED');
    expect(await codeOf(() => decode(fromHex('a3eda080')))).toBe('MALFORMED');
  });

  it('ENC-10 nesting deeper than MAX_DEPTH and more than maxElements values are refused', async () => {
    expect(decode(deepNesting(MAX_DEPTH - 1))).toBeDefined();
    expect(await codeOf(() => decode(deepNesting(MAX_DEPTH + 1)))).toBe('MALFORMED');
    expect(await codeOf(() => decode(deepNesting(MAX_DEPTH + 1, true)))).toBe('MALFORMED');
    expect(await codeOf(() => decode(deepNesting(1_000_000)))).toBe('MALFORMED');
    expect(await codeOf(() => decode(manyKeys(MAX_MAP_KEYS + 1)))).toBe('TOO_LARGE');
    expect(Object.keys(decode(manyKeys(MAX_MAP_KEYS)) as object)).toHaveLength(MAX_MAP_KEYS);
    expect(await codeOf(() => decode(manyKeys(100), 1 << 20, { maxElements: 100 }))).toBe('TOO_LARGE');
    expect(Object.keys(decode(manyKeys(100), 1 << 20, { maxElements: 201 }) as object)).toHaveLength(100);
    const manyValues = encode(Array.from({ length: DEFAULT_MAX_ELEMENTS }, (_, i) => i));
    expect(await codeOf(() => decode(manyValues))).toBe('TOO_LARGE');
  });

  it('ENC-4 a declared length the input cannot hold is refused before anything is allocated', async () => {
    for (const t of [0xdd, 0xc6, 0xdb] as const) expect(await codeOf(() => decode(hugeDeclaredLength(t, 2 ** 32 - 1, 16))), t.toString(16)).toBe('MALFORMED');
    expect(await codeOf(() => decode(hugeDeclaredLength(0xdc, 0xffff, 16)))).toBe('MALFORMED');
    // A map's header is refused by the key bound (ENC-10) before the length check.
    for (const t of [0xdf, 0xde] as const) expect(await codeOf(() => decode(hugeDeclaredLength(t, 0xffff, 16)))).toBe('TOO_LARGE');
  });

  it('ENC-3 trailing bytes are TRAILING_BYTES, and the message never quotes the value', () => {
    const bytes = new Uint8Array([...encode({ secret: 'alice wrote to bob' }), 0]);
    try {
      decode(bytes);
      expect.unreachable();
    } catch (err) {
      expect(ProtocolError.is(err, 'TRAILING_BYTES')).toBe(true);
      expect((err as Error).message).not.toContain('alice');
      expect((err as Error).message.length).toBeLessThan(80);
    }
  });

  it.skipIf(!timingIsMeaningful)('ENC-10 every adversarial input up to the frame limit decodes or fails in time linear in its size', async () => {
    // The bound is a ratio against the densest legitimate map of the same size, timed in this run (no
    // absolute times): msgpackr took 1.6 s on a 387-byte shared-reference frame where this takes µs.
    const maxBytes = 320 * 1024;
    const baseline = new Map<number, number>();
    const plainTime = (bucket: number): number => {
      const plain = plainMapOfSize(bucket);
      return timePerCall(() => decode(plain, plain.length));
    };
    const bucketOf = (size: number) => 2 ** Math.ceil(Math.log2(Math.max(size, 256)));
    const baselineFor = (size: number): number => {
      const bucket = bucketOf(size);
      let t = baseline.get(bucket);
      if (t === undefined) {
        t = plainTime(bucket);
        baseline.set(bucket, t);
      }
      return t;
    };
    // Linear means a + b·n: `a` is the cost of one refusal (an exception), measured here on a 1-byte input.
    const refusalTime = () =>
      timePerCall(() => {
        try {
          decode(Uint8Array.of(0xc1));
        } catch {
          // MALFORMED
        }
      });
    const refusal = refusalTime();
    let worst = { ratio: 0, size: 0 };
    await fc.assert(
      fc.asyncProperty(adversarialMsgpack(maxBytes), async (bytes) => {
        await expectTotal(() => decode(bytes, maxBytes));
        const t = () =>
          timePerCall(() => {
            try {
              decode(bytes, maxBytes);
            } catch {
              // refused: that is the point
            }
          });
        // The baseline is timed once per size: a busy spell of the machine while this input is timed (or a
        // quiet one while the baseline was) lifts the ratio. 8 runs on a shared 2-core machine at load 7-9
        // had worst ratios from 2.6 to 14.4. So a ratio over the bound is timed again (lowestRatio), the
        // input and a fresh baseline side by side; a superlinear decoder is over it every time.
        let cached = true;
        const ratio = lowestRatio(() => {
          const base = cached ? baselineFor(bytes.length) + refusal : plainTime(bucketOf(bytes.length)) + refusalTime();
          cached = false;
          return t() / base;
        }, TIME_RATIO_BOUND);
        if (ratio > worst.ratio) worst = { ratio, size: bytes.length };
        expect(ratio, `${bytes.length} bytes starting ${toHex(bytes.subarray(0, 12))}`).toBeLessThan(TIME_RATIO_BOUND);
      }),
      { numRuns: 150 },
    );
    console.log(`ENC-10 worst adversarial/plain time ratio ${worst.ratio.toFixed(2)} at ${worst.size} bytes`);
  });

  it.skipIf(!timingIsMeaningful)('ENC-10 a map of 66,379 keys in one frame is refused in linear time (the many-keys stall)', () => {
    const frame = manyKeys(66_379);
    const plain = plainMapOfSize(frame.length);
    const bad = () =>
      timePerCall(() => {
        try {
          decodeRequest(frame);
        } catch {
          // TOO_LARGE
        }
      });
    expect(() => decodeRequest(frame)).toThrow(ProtocolError);
    const good = () => timePerCall(() => decode(plain, frame.length));
    expect(lowestRatio(() => bad() / good(), TIME_RATIO_BOUND)).toBeLessThan(TIME_RATIO_BOUND);
    // Field checks cost a Set lookup per key, whatever the length of the allowed list (the old array
    // lookup made a long list cost as much as the list per key). A decoded map has at most MAX_MAP_KEYS keys.
    const keys = Array.from({ length: MAX_MAP_KEYS }, (_, i) => `k${i}`);
    const map = Object.fromEntries(keys.map((k) => [k, 1]));
    const fieldCheck = (extra: number): number => {
      const allowed = [...Array.from({ length: extra }, (_, i) => `x${i}`), ...keys];
      return timePerCall(() => Fields.of(map, 'x', allowed));
    };
    expect(lowestRatio(() => fieldCheck(30_000) / fieldCheck(0), 10)).toBeLessThan(10);
  });

  it('ENC-10 a shared-reference bomb is refused at its first extension byte', async () => {
    for (const levels of [10, 20, 30]) expect(await codeOf(() => decode(sharedReferenceBomb(levels)))).toBe('MALFORMED');
  });

  it('OP-7 requests start with their id, which peekRequestId reads without decoding', () => {
    for (const id of [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1]) {
      const frame = encodeRequest(id, 'lookup', { name: 'alice' });
      expect(peekRequestId(frame)).toBe(id);
      expect(decodeRequestEnvelope(frame).id).toBe(id);
    }
    // OP-1: ids are uint32; 2^32 (the uint 64 cf 00 00 00 01 00 00 00 00) is no id, so it is not peeked either.
    expect(peekRequestId(fromHex('82a26964cf0000000100000000a26f70a4696e666f'))).toBeUndefined();
    expect(peekRequestId(encode({ op: 'info', id: 3 }))).toBeUndefined();
    expect(peekRequestId(fromHex('81a26964'))).toBeUndefined();
    expect(peekRequestId(sharedReferenceBomb(20))).toBeUndefined();
    expect(peekRequestId(new Uint8Array(0))).toBeUndefined();
  });
});
