/**
 * The msgpack codec and the field readers at every boundary, byte for byte (ENC-1, ENC-5..ENC-11).
 * The round-trip properties of `encoding.test.ts` cannot see a length prefix one form too long (it
 * still decodes) nor a bound off by one (random inputs rarely sit on it); these tests name the exact bytes
 * on each side of every bound, and the order in which the decoder's checks decide a code.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode, fromHex, toHex, ProtocolError } from '@comrad/core';
import { Fields, checkStr } from '@comrad/core/codec';
import { MAX_DEPTH } from '../src/codec/msgpack.js';

/** The ProtocolError `run` throws (any other outcome fails the test). */
function errorOf(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error('expected a ProtocolError, got a value');
}

const codeOf = (run: () => unknown) => errorOf(run).code;
const hex = (v: unknown) => toHex(encode(v));
const dec = (h: string, maxBytes?: number, maxElements?: number) => decode(fromHex(h.replace(/ /g, '')), maxBytes, maxElements === undefined ? {} : { maxElements });

/** `n` nested arrays around `inner`. */
function nest(n: number, inner: unknown): unknown {
  let v = inner;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

describe('ENC-9: the shortest form on each side of every bound', () => {
  it('ENC-9 integers: each form at its last value, the next form one past it', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [0x7f, '7f'],
      [0x80, 'cc80'],
      [0xff, 'ccff'],
      [0x100, 'cd0100'],
      [0xffff, 'cdffff'],
      [0x1_0000, 'ce00010000'],
      [0xffff_ffff, 'ceffffffff'],
      [0x1_0000_0000, 'cf0000000100000000'],
      [Number.MAX_SAFE_INTEGER, 'cf001fffffffffffff'],
      [-1, 'ff'],
      [-32, 'e0'],
      [-33, 'd0df'],
      [-0x80, 'd080'],
      [-0x81, 'd1ff7f'],
      [-0x8000, 'd18000'],
      [-0x8001, 'd2ffff7fff'],
      [-0x8000_0000, 'd280000000'],
      [-0x8000_0001, 'd3ffffffff7fffffff'],
      [Number.MIN_SAFE_INTEGER, 'd3ffe0000000000001'],
    ];
    for (const [n, bytes] of cases) {
      expect(hex(n), String(n)).toBe(bytes);
      expect(dec(bytes), bytes).toBe(n);
    }
  });

  it('ENC-9 strings: fixstr up to 31 bytes, str 8 to 255, str 16 to 65 535, then str 32', () => {
    for (const [n, head] of [
      [31, 'bf'],
      [32, 'd920'],
      [255, 'd9ff'],
      [256, 'da0100'],
      [0xffff, 'daffff'],
      [0x1_0000, 'db00010000'],
    ] as const) {
      const s = 'a'.repeat(n);
      const bytes = encode(s);
      expect(toHex(bytes.subarray(0, head.length / 2)), `${n}`).toBe(head);
      expect(bytes.length).toBe(head.length / 2 + n);
      expect(decode(bytes)).toBe(s);
    }
    // The same bounds count UTF-8 bytes, not characters: 16 two-byte characters are 32 bytes.
    expect(hex('é'.repeat(15)).slice(0, 2)).toBe('be');
    expect(hex('é'.repeat(16)).slice(0, 4)).toBe('d920');
  });

  it('ENC-9 binaries: bin 8 up to 255 bytes, bin 16 to 65 535, then bin 32', () => {
    for (const [n, head] of [
      [0, 'c400'],
      [255, 'c4ff'],
      [256, 'c50100'],
      [0xffff, 'c5ffff'],
      [0x1_0000, 'c600010000'],
    ] as const) {
      const bytes = encode(new Uint8Array(n).fill(7));
      expect(toHex(bytes.subarray(0, head.length / 2)), `${n}`).toBe(head);
      expect(bytes.length).toBe(head.length / 2 + n);
      expect((decode(bytes) as Uint8Array).length).toBe(n);
    }
  });

  it('ENC-9 arrays and maps: fix form up to 15 items, 16-bit form from 16 to 65 535, then 32-bit', () => {
    expect(hex(new Array(15).fill(0)).slice(0, 2)).toBe('9f');
    expect(hex(new Array(16).fill(0)).slice(0, 6)).toBe('dc0010');
    expect(hex(new Array(0xffff).fill(0)).slice(0, 6)).toBe('dcffff');
    expect(hex(new Array(0x1_0000).fill(0)).slice(0, 10)).toBe('dd00010000');
    const map = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 0]));
    expect(hex(map(15)).slice(0, 2)).toBe('8f');
    expect(hex(map(16)).slice(0, 6)).toBe('de0010');
    expect(dec('9f' + '00'.repeat(15))).toEqual(new Array(15).fill(0));
    expect(dec('8f' + Array.from({ length: 15 }, (_, i) => toHex(encode(`k${i}`)) + '00').join(''))).toEqual(map(15));
  });

  it('ENC-10 the encoder refuses nesting deeper than the decoder reads', () => {
    // MAX_DEPTH arrays around a scalar: the deepest any Comrad structure may be, written and read back.
    const deepest = nest(MAX_DEPTH, 1);
    expect(decode(encode(deepest))).toEqual(deepest);
    expect(() => encode(nest(MAX_DEPTH + 1, 1))).toThrow(TypeError);
    const deepMap = (n: number) => {
      let v: unknown = 1;
      for (let i = 0; i < n; i++) v = { a: v };
      return v;
    };
    expect(decode(encode(deepMap(MAX_DEPTH)))).toEqual(deepMap(MAX_DEPTH));
    expect(() => encode(deepMap(MAX_DEPTH + 1))).toThrow(TypeError);
  });
});

describe('ENC-1 ENC-8: the decoder reads every form at its bounds', () => {
  it('ENC-1 the fix forms at their last type byte', () => {
    expect(dec('e0')).toBe(-32);
    expect(dec('ff')).toBe(-1);
    expect(dec('bf' + '61'.repeat(31))).toBe('a'.repeat(31));
    expect(dec('8f' + Array.from({ length: 15 }, (_, i) => `a1${(0x61 + i).toString(16)}c0`).join(''))).toEqual(
      Object.fromEntries(Array.from({ length: 15 }, (_, i) => [String.fromCharCode(0x61 + i), null])),
    );
    expect(dec('9f' + 'c3'.repeat(15))).toEqual(new Array(15).fill(true));
  });

  it('ENC-1 every sized form of integers, strings, binaries, arrays and maps, in its long form too', () => {
    expect(dec('d0 80')).toBe(-128);
    expect(dec('d1 ff 7f')).toBe(-129);
    expect(dec('d1 80 00')).toBe(-0x8000);
    expect(dec('d2 80 00 00 00')).toBe(-0x8000_0000);
    expect(dec('cc ff')).toBe(255);
    expect(dec('cd ff ff')).toBe(0xffff);
    expect(dec('ce ff ff ff ff')).toBe(0xffff_ffff);
    expect(dec('d9 01 61')).toBe('a');
    expect(dec('da 00 01 61')).toBe('a');
    expect(dec('db 00 00 00 01 61')).toBe('a');
    expect(toHex(dec('c5 00 01 07') as Uint8Array)).toBe('07');
    expect(toHex(dec('c6 00 00 00 01 07') as Uint8Array)).toBe('07');
    expect(dec('dc 00 01 01')).toEqual([1]);
    expect(dec('dd 00 00 00 01 01')).toEqual([1]);
    expect(dec('de 00 01 a1 61 01')).toEqual({ a: 1 });
    expect(dec('df 00 00 00 01 a1 61 01')).toEqual({ a: 1 });
  });

  it('ENC-8 int 64 and uint 64: every safe integer is read, whichever half is zero and whichever form holds it', () => {
    expect(dec('d3 ff ff ff ff 00 00 00 00')).toBe(-0x1_0000_0000);
    expect(dec('d3 ff e0 00 00 00 00 00 01')).toBe(Number.MIN_SAFE_INTEGER);
    expect(dec('d3 00 1f ff ff ff ff ff ff')).toBe(Number.MAX_SAFE_INTEGER);
    expect(dec('d3 00 00 00 01 00 00 00 00')).toBe(0x1_0000_0000);
    expect(dec('cf 00 1f ff ff 00 00 00 00')).toBe(0x1f_ffff * 0x1_0000_0000);
    for (const unsafe of ['d3 ff e0 00 00 00 00 00 00', 'd3 00 20 00 00 00 00 00 00', 'd3 80 00 00 00 00 00 00 00', 'cf 00 20 00 00 00 00 00 00', 'cf ff ff ff ff ff ff ff ff']) {
      expect(codeOf(() => dec(unsafe)), unsafe).toBe('MALFORMED');
    }
  });

  it('ENC-1 a map key in every string form, and in no other type', () => {
    expect(dec('81 a1 61 01')).toEqual({ a: 1 });
    expect(dec('81 d9 01 61 01')).toEqual({ a: 1 });
    expect(dec('81 da 00 01 61 01')).toEqual({ a: 1 });
    expect(dec('81 db 00 00 00 01 61 01')).toEqual({ a: 1 });
    const long = 'k'.repeat(31);
    expect(dec('81 bf' + '6b'.repeat(31) + '01')).toEqual({ [long]: 1 });
    // Keys that are not strings, followed by bytes that would read as a string if the type were ignored.
    for (const key of ['01', 'c0', 'c3', 'cc 01', '91 01', 'c4 01']) {
      expect(codeOf(() => dec(`81 ${key} 01 61 01`)), key).toBe('MALFORMED');
      expect(codeOf(() => dec(`81 ${key} 00 01 61 01`)), key).toBe('MALFORMED');
      expect(codeOf(() => dec(`81 ${key} 00 00 00 01 61 01`)), key).toBe('MALFORMED');
    }
  });

  it('ENC-11 a key named __proto__ is an own, ordinary data property', () => {
    const map = dec('81 a9 5f5f70726f746f5f5f 01') as Record<string, unknown>;
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(map, '__proto__')).toEqual({ value: 1, enumerable: true, writable: true, configurable: true });
  });

  it('ENC-4 the size limit: an input of exactly the limit is read, one byte more is TOO_LARGE first', () => {
    expect(dec('c4 02 0102', 4)).toBeInstanceOf(Uint8Array);
    expect(codeOf(() => dec('c4 02 0102', 3))).toBe('TOO_LARGE');
    expect(codeOf(() => decode(new Uint8Array(0)))).toBe('MALFORMED');
    for (const notBytes of [[0x01], '01', null, undefined, new ArrayBuffer(1)]) {
      expect(codeOf(() => decode(notBytes as unknown as Uint8Array))).toBe('MALFORMED');
    }
  });
});

describe('ENC-10: the order in which the decoder decides a code', () => {
  it('ENC-10 a declared count the bytes left cannot hold is MALFORMED before any item is read', () => {
    // With a budget of 4 values the items would be TOO_LARGE; the count comes first.
    expect(codeOf(() => dec('dc ff ff' + '00'.repeat(20), undefined, 4))).toBe('MALFORMED');
    expect(codeOf(() => dec('dd 00 01 00 00' + '00'.repeat(20), undefined, 4))).toBe('MALFORMED');
    // A map of 16 pairs needs 32 bytes; 30 bytes of pairs are there.
    const pairs = Array.from({ length: 10 }, (_, i) => `a1${(0x61 + i).toString(16)}00`).join('');
    expect(codeOf(() => dec('de 00 10' + pairs, undefined, 4))).toBe('MALFORMED');
    // Exactly enough bytes for the declared items: read.
    expect(dec('dc 00 03 01 02 03')).toEqual([1, 2, 3]);
    expect(dec('de 00 02 a1 61 01 a1 62 02')).toEqual({ a: 1, b: 2 });
  });

  it('ENC-10 keys count against the value budget, before their bytes are read', () => {
    // {a: 1} is three values: the map, its key, its value.
    expect(dec('81 a1 61 01', undefined, 3)).toEqual({ a: 1 });
    expect(codeOf(() => dec('81 a1 61 01', undefined, 2))).toBe('TOO_LARGE');
    // The second value is a key cut short: within the budget, so its missing bytes decide.
    expect(codeOf(() => dec('81 a5 61', undefined, 2))).toBe('MALFORMED');
    expect(codeOf(() => dec('81 a5 61', undefined, 1))).toBe('TOO_LARGE');
  });
});

describe('ENC-5..ENC-8: the field readers', () => {
  const of = (value: unknown, allowed: readonly string[] = ['a', 'b', 'n', 's', 'bin', 'list', 'flag', 'kind']) => Fields.of(value, 'thing', allowed);

  it('ENC-1 ENC-5 only a plain map is a structure', () => {
    for (const notMap of [null, undefined, 5, 'a', true, [], [1], new Uint8Array(0), new Map(), new Set(), new Date(0), Object.create(null), Object.create({})]) {
      const err = errorOf(() => of(notMap));
      expect(err.code).toBe('MALFORMED');
      expect(err.message).toBe('thing must be a map');
      expect(errorOf(() => Fields.open(notMap, 'frame')).message).toBe('frame must be a map');
    }
    expect(of({}).has('a')).toBe(false);
    expect(Fields.open({ anything: 1 }, 'frame').int('anything')).toBe(1);
  });

  it('ENC-6 an unknown field is MALFORMED; its name is quoted only when it reads as a field name (ERR-2)', () => {
    expect(errorOf(() => of({ zz: 1 })).message).toBe('thing has an unknown field "zz"');
    expect(errorOf(() => of({ ['k'.repeat(32)]: 1 })).message).toBe(`thing has an unknown field "${'k'.repeat(32)}"`);
    for (const key of ['k'.repeat(33), 'a\nb', 'b\n', '\nb', 'a b', '', '\u001b[31m']) {
      const err = errorOf(() => of({ [key]: 1 }));
      expect(err.code).toBe('MALFORMED');
      expect(err.message, JSON.stringify(key)).toBe('thing has an unknown field');
    }
    // The allowed list may be a prebuilt Set, and a list is read the same the second time.
    const allowed = ['a'];
    expect(Fields.of({ a: 1 }, 'thing', new Set(allowed)).int('a')).toBe(1);
    expect(Fields.of({ a: 1 }, 'thing', allowed).int('a')).toBe(1);
    expect(Fields.of({ a: 2 }, 'thing', allowed).int('a')).toBe(2);
    expect(codeOf(() => Fields.of({ b: 1 }, 'thing', allowed))).toBe('MALFORMED');
  });

  it('ENC-5 a missing field or one of the wrong type is MALFORMED and names the field', () => {
    const f = of({ a: 1, s: 'x', n: null, bin: new Uint8Array(1), list: [], flag: true, kind: 'post' });
    expect(errorOf(() => f.raw('b')).message).toBe('thing is missing "b"');
    expect(f.raw('a')).toBe(1);
    expect(f.raw('n')).toBe(null);
    const wrong: [() => unknown, string][] = [
      [() => f.str('a', { max: 5 }), 'thing.a must be a string'],
      [() => f.str('n', { max: 5 }), 'thing.n must be a string'],
      [() => f.int('s'), 'thing.s must be an integer'],
      [() => f.int('n'), 'thing.n must be an integer'],
      [() => f.bytes('s', { max: 5 }), 'thing.s must be bytes'],
      [() => f.bytes('list', { max: 5 }), 'thing.list must be bytes'],
      [() => f.bool('a'), 'thing.a must be a boolean'],
      [() => f.bool('n'), 'thing.n must be a boolean'],
      [() => f.list('bin', 5), 'thing.bin must be an array'],
      [() => f.list('s', 5), 'thing.s must be an array'],
      [() => f.oneOf('a', ['post', 'letter']), 'thing.a must be one of post, letter'],
      [() => f.oneOf('s', ['post', 'letter']), 'thing.s must be one of post, letter'],
    ];
    for (const [run, message] of wrong) {
      const err = errorOf(run);
      expect(err.code).toBe('MALFORMED');
      expect(err.message).toBe(message);
    }
    for (const missing of [() => f.str('b', { max: 5 }), () => f.int('b'), () => f.bytes('b', { max: 5 }), () => f.bool('b'), () => f.list('b', 5), () => f.oneOf('b', ['x'])]) {
      expect(errorOf(missing).message).toBe('thing is missing "b"');
    }
    expect(f.bool('flag')).toBe(true);
    expect(of({ flag: false }).bool('flag')).toBe(false);
    expect(f.oneOf('kind', ['post', 'letter'])).toBe('post');
  });

  it('ENC-5 an optional field that is absent or nil reads as absent; present, it is checked like a required one', () => {
    const f = of({ a: null, s: 'xy', n: 7, bin: new Uint8Array(2) });
    expect(f.has('a')).toBe(false);
    expect(f.has('b')).toBe(false);
    expect(f.has('s')).toBe(true);
    expect(f.optStr('a', { max: 5 })).toBeUndefined();
    expect(f.optStr('b', { max: 5 })).toBeUndefined();
    expect(f.optStr('s', { max: 5 })).toBe('xy');
    expect(codeOf(() => f.optStr('s', { max: 1 }))).toBe('TOO_LARGE');
    expect(codeOf(() => f.optStr('n', { max: 5 }))).toBe('MALFORMED');
    expect(f.optInt('a')).toBeUndefined();
    expect(f.optInt('n', { max: 7 })).toBe(7);
    expect(codeOf(() => f.optInt('n', { max: 6 }))).toBe('MALFORMED');
    expect(f.optBytes('a', { max: 2 })).toBeUndefined();
    expect(f.optBytes('bin', { max: 2 })?.length).toBe(2);
    expect(codeOf(() => f.optBytes('s', { max: 2 }))).toBe('MALFORMED');
  });

  it('ENC-8 integers: safe integers only, bounds inclusive', () => {
    const f = of({ a: 1.5, b: 2 ** 53, n: 5, s: '5' });
    expect(codeOf(() => f.int('a'))).toBe('MALFORMED');
    expect(codeOf(() => f.int('b'))).toBe('MALFORMED');
    expect(codeOf(() => f.int('s'))).toBe('MALFORMED');
    expect(f.int('n')).toBe(5);
    expect(f.int('n', { min: 5, max: 5 })).toBe(5);
    expect(f.int('n', { min: 5 })).toBe(5);
    expect(f.int('n', { max: 5 })).toBe(5);
    for (const bounds of [{ min: 6 }, { max: 4 }, { min: 6, max: 9 }, { min: 0, max: 4 }]) {
      const err = errorOf(() => f.int('n', bounds));
      expect(err.code, JSON.stringify(bounds)).toBe('MALFORMED');
      expect(err.message).toBe('thing.n is out of range');
    }
  });

  it('ENC-7 binaries and arrays: above the maximum TOO_LARGE, below the minimum MALFORMED, both bounds inclusive', () => {
    const f = of({ bin: new Uint8Array([1, 2, 3]), list: [1, 2, 3] });
    expect(f.bytes('bin', { min: 3, max: 3 })).toEqual(new Uint8Array([1, 2, 3]));
    expect(codeOf(() => f.bytes('bin', { max: 2 }))).toBe('TOO_LARGE');
    expect(codeOf(() => f.bytes('bin', { min: 4, max: 9 }))).toBe('MALFORMED');
    expect(f.list('list', 3)).toEqual([1, 2, 3]);
    const err = errorOf(() => f.list('list', 2));
    expect(err.code).toBe('TOO_LARGE');
    expect(err.message).toBe('thing.list has more than 2 items');
  });

  it('ENC-8 strings: bounds in code points, both inclusive; pattern; the label names the field', () => {
    const f = of({ s: 'abc' });
    expect(f.str('s', { min: 3, max: 3 })).toBe('abc');
    expect(f.str('s', { max: 3 })).toBe('abc');
    expect(errorOf(() => f.str('s', { max: 2 })).message).toBe('thing.s exceeds 2 characters');
    const short = errorOf(() => f.str('s', { min: 4, max: 9 }));
    expect(short.code).toBe('MALFORMED');
    expect(short.message).toBe('thing.s is shorter than 4 characters');
    expect(codeOf(() => f.str('s', { max: 9, pattern: /^[a-b]+$/ }))).toBe('MALFORMED');
    expect(f.str('s', { max: 9, pattern: /^[a-c]+$/ })).toBe('abc');
    // No minimum: the empty string is allowed.
    expect(checkStr('', { max: 1 }, 'x')).toBe('');
  });

  it('ENC-8 a code point is one unit of the bound, whichever UTF-16 form it takes', () => {
    /** Whether checkStr counts at least `n` code points in `s` (its minimum bound accepts it). */
    const isAtLeast = (s: string, n: number) => {
      try {
        checkStr(s, { min: n, max: 1000 }, 'x');
        return true;
      } catch {
        return false;
      }
    };
    /** The number of code points checkStr counts in `s`. */
    const count = (s: string): number => {
      let n = 0;
      while (isAtLeast(s, n + 1)) n++;
      return n;
    };
    const cases: [string, number][] = [
      ['😀😀', 2], // two surrogate pairs
      ['\uD800\uDC00', 1], // U+10000, the first pair
      ['\uDBFF\uDFFF', 1], // U+10FFFF, the last pair
      ['\uD7FF\uDC00', 2], // below the high surrogates, then a lone low one
      ['\uDC00\uDC00', 2], // two lone low surrogates
      ['\uDC00\uDFFF', 2], // a low surrogate does not start a pair
      ['x\uDC00', 2], // a lone low surrogate after ASCII
      ['\uD800a', 2], // a lone high surrogate before ASCII
      ['\uD800\uE000', 2], // a high surrogate before a character above the low ones
      ['\uD800\uDBFF', 2], // two high surrogates
      ['\uD800', 1], // a lone high surrogate at the end
      ['ab', 2],
    ];
    for (const [s, n] of cases) {
      expect(count(s), JSON.stringify(s)).toBe(n);
      expect(checkStr(s, { min: n, max: n }, 'x')).toBe(s);
      expect(codeOf(() => checkStr(s, { max: n - 1 }, 'x')), JSON.stringify(s)).toBe('TOO_LARGE');
    }
  });
});

describe('ENC-2: one writer shared by every call, and a call made while it is in use', () => {
  it('ENC-2 an encode made from inside another (a getter) gets a writer of its own: both give their own exact bytes, however many there are', () => {
    const inner = { who: 'bob', n: 300 };
    const innerBytes = encode(inner);
    // The getters sit one level down, so they run after the outer call has written its first bytes.
    const outer = {
      a: 'before',
      m: {
        get b() {
          return encode(inner);
        },
        get c() {
          return encode(inner);
        },
      },
      d: 'after',
    };
    const expected = encode({ a: 'before', m: { b: innerBytes, c: innerBytes }, d: 'after' });
    expect(toHex(encode(outer))).toBe(toHex(expected));
    // The shared writer is free again: the next calls give exactly their own bytes, nothing left over.
    expect(toHex(encode(inner))).toBe(toHex(innerBytes));
    expect(toHex(encode('x'))).toBe('a178');
  });

  it('ENC-2 after a value larger than the kept buffer, and after a refusal mid-value, the next encode is exact', () => {
    const big = new Uint8Array((1 << 20) + 10).fill(7);
    expect(encode(big).length).toBe(big.length + 5);
    expect(() => encode({ ok: 'so far', bad: 1.5 })).toThrow(TypeError);
    expect(toHex(encode({ v: 1 }))).toBe('81a17601');
  });
});
