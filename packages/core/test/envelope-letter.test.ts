import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ready, encode, toHex, fromHex, concatBytes } from '@comrad/core';
import { encodeAny } from '@comrad/test-kit/core/garbage';
import { createLetter, decodeLetter, encodeLetter, LETTER_KINDS, SPECIFIED_KINDS, textBodyOf, type Letter, type TextLetter } from '@comrad/core/envelope';
import { MAX_IMAGE_BYTES, MAX_LETTER_BYTES, MAX_TEXT_CHARS } from '../src/limits.js';
import { dmLetter as base, image, letterArb } from '@comrad/test-kit/core/envelope';
import { codeOf, msgpackMap } from '@comrad/test-kit/core/garbage';


/** The letter's map with some fields replaced (undefined drops a field), encoded by a general msgpack writer. */
function withFields(over: Record<string, unknown>, letter: Letter = base): Uint8Array {
  const map: Record<string, unknown> = { v: letter.v, kind: letter.kind, from: letter.from, to: letter.to, at: letter.at, id: letter.id, body: letter.body };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete map[k];
    else map[k] = v;
  }
  return encodeAny(map);
}


beforeAll(async () => {
  await ready({ backend: 'wasm' });
});

describe('letters (LET-*)', () => {
  it('LET-12 each step of decoding decides the code before every later one: an input that fails two steps gets the first', async () => {
    const dup = msgpackMap([['v', encode(2)], ['v', encode(2)]]);
    const cases: Array<[string, Uint8Array, string]> = [
      ['(1) size before parse', new Uint8Array(MAX_LETTER_BYTES + 1).fill(0xc1), 'TOO_LARGE'],
      ['(2) parse (a repeated key) before trailing bytes and version', concatBytes(dup, Uint8Array.of(0)), 'MALFORMED'],
      ['(2) a float before the version', withFields({ v: 2, at: 1.5 }), 'MALFORMED'],
      ['(3) trailing bytes before "a map"', concatBytes(encode(5), Uint8Array.of(0)), 'TRAILING_BYTES'],
      ['(3) trailing bytes before the version', concatBytes(withFields({ v: 2 }), Uint8Array.of(0)), 'TRAILING_BYTES'],
      ['(4) a map', encode([1, 'dm']), 'MALFORMED'],
      ['(5) version before unknown fields', withFields({ v: 2, extra: 1 }), 'UNSUPPORTED_VERSION'],
      ['(6) unknown fields before kind', withFields({ extra: 1, kind: 'zz' }), 'MALFORMED'],
      ['(7) kind before from', withFields({ kind: 'zz', from: 'A' }), 'UNSUPPORTED_KIND'],
      ['(8) from before to', withFields({ from: 'A', to: 7 }), 'INVALID_NAME'],
      ['(8) names before at', withFields({ to: 'B', at: -1 }), 'INVALID_NAME'],
      ['(9) id before body', withFields({ id: new Uint8Array(17), body: { text: '', extra: 1 } }), 'TOO_LARGE'],
      ['(9) body: unknown fields before text', withFields({ body: { text: 'x'.repeat(MAX_TEXT_CHARS + 1), extra: 1 } }), 'MALFORMED'],
      ['(9) body: text before image', withFields({ body: { text: 'x'.repeat(MAX_TEXT_CHARS + 1), image: { mime: 'image/gif', data: Uint8Array.of(1) } } }), 'TOO_LARGE'],
      ['(9) image: mime before data', withFields({ body: { text: '', image: { mime: 'image/gif', data: new Uint8Array(MAX_IMAGE_BYTES + 1) } } }), 'MALFORMED'],
      ['(10) canonical form last: v as cc 01 with a bad name', msgpackMap([['v', Uint8Array.of(0xcc, 1)], ['kind', encode('dm')], ['from', encode('A')], ['to', encode('bob')], ['at', encode(1)], ['id', encode(new Uint8Array(16))], ['body', encode({ text: 'x' })]]), 'INVALID_NAME'],
      ['(10) canonical form last: v as cc 01 alone', msgpackMap([['v', Uint8Array.of(0xcc, 1)], ['kind', encode('dm')], ['from', encode('alice')], ['to', encode('bob')], ['at', encode(1)], ['id', encode(new Uint8Array(16))], ['body', encode({ text: 'x' })]]), 'MALFORMED'],
    ];
    for (const [name, bytes, code] of cases) expect(await codeOf(() => decodeLetter(bytes)), name).toBe(code);
  });

  it('LET-1 ENC-2 decode(encode(x)) = x for every valid letter, and the encoding is canonical', () => {
    fc.assert(
      fc.property(letterArb, (letter) => {
        const bytes = encodeLetter(letter);
        expect(decodeLetter(bytes)).toEqual(letter);
        expect(toHex(encodeLetter(decodeLetter(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('LET-1 fields are written in the order v, kind, from, to, at, id, body', () => {
    // 87 = fixmap of 7; keys in order; at = ce (uint32); id = c4 10 (bin8 of 16).
    expect(toHex(encodeLetter(base))).toBe(
      '87a17601a46b696e64a2646da466726f6da5616c696365a2746fa3626f62a26174ce69248100a26964c41000112233445566778899aabbccddeeffa4626f647981a474657874a568656c6c6f',
    );
  });

  it('LET-2 an unknown version is UNSUPPORTED_VERSION, read before any other field', async () => {
    expect(await codeOf(() => decodeLetter(withFields({ v: 2 })))).toBe('UNSUPPORTED_VERSION');
    expect(await codeOf(() => decodeLetter(withFields({ v: 2, extra: 1, kind: 9 })))).toBe('UNSUPPORTED_VERSION');
    expect(await codeOf(() => decodeLetter(withFields({ v: undefined })))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(withFields({ v: '1' })))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(encode([1, 2])))).toBe('MALFORMED');
  });

  it('LET-3 LET-4 reserved and unknown kinds are UNSUPPORTED_KIND; a kind that is no kind name is MALFORMED', async () => {
    for (const kind of LETTER_KINDS.filter((k) => !(SPECIFIED_KINDS as readonly string[]).includes(k))) {
      expect(await codeOf(() => decodeLetter(withFields({ kind, body: 'anything' })))).toBe('UNSUPPORTED_KIND');
    }
    expect(await codeOf(() => decodeLetter(withFields({ kind: 'poll' })))).toBe('UNSUPPORTED_KIND');
    expect(await codeOf(() => decodeLetter(withFields({ kind: 'Vote!' })))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(withFields({ kind: 7 })))).toBe('MALFORMED');
  });

  it('LET-4 CIR-2 a circle-key letter carries a generation and a 32-byte key, to one comrade; its body is no text body', async () => {
    const key = new Uint8Array(32).fill(9);
    const letter = createLetter({ kind: 'circle-key', from: 'Alice', to: '@Bob', body: { gen: 2, key } });
    expect(decodeLetter(encodeLetter(letter))).toEqual(letter);
    expect(letter).toMatchObject({ from: 'alice', to: 'bob', body: { gen: 2 } });
    expect(await codeOf(() => textBodyOf(letter))).toBe('UNSUPPORTED_KIND');
    expect(await codeOf(() => createLetter({ kind: 'circle-key', from: 'alice', to: 'comrades', body: { gen: 1, key } }))).toBe('MALFORMED');
    expect(await codeOf(() => createLetter({ kind: 'circle-key', from: 'alice', to: 'bob', body: { gen: 0, key } }))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(withFields({ kind: 'circle-key', body: { text: 'hi' } })))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(withFields({ kind: 'circle-key', body: { gen: 1, key: new Uint8Array(33) } })))).toBe('TOO_LARGE');
    expect(await codeOf(() => decodeLetter(withFields({ body: { gen: 1, key } })))).toBe('MALFORMED');
  });

  it('LET-5 names on the wire must already be normalised; createLetter normalises what people type', async () => {
    expect(await codeOf(() => decodeLetter(withFields({ from: 'Alice' })))).toBe('INVALID_NAME');
    expect(await codeOf(() => decodeLetter(withFields({ to: '@bob' })))).toBe('INVALID_NAME');
    expect(await codeOf(() => decodeLetter(withFields({ to: 'x'.repeat(300) })))).toBe('INVALID_NAME');
    expect(await codeOf(() => decodeLetter(withFields({ from: 5 })))).toBe('MALFORMED');
    const letter = createLetter({ kind: 'dm', from: ' Alice ', to: '@Bob', body: { text: 'hi' } });
    expect([letter.from, letter.to]).toEqual(['alice', 'bob']);
  });

  it('LET-6 a post is addressed to comrades', async () => {
    const post = createLetter({ kind: 'post', from: 'alice', body: { text: 'to all' } });
    expect(post.to).toBe('comrades');
    expect(await codeOf(() => decodeLetter(withFields({ kind: 'post', to: 'bob' })))).toBe('MALFORMED');
  });

  it('LET-7 at is whole seconds in 0..2^32-1', async () => {
    expect(decodeLetter(withFields({ at: 0 })).at).toBe(0);
    expect(decodeLetter(withFields({ at: 2 ** 32 - 1 })).at).toBe(2 ** 32 - 1);
    for (const at of [-1, 2 ** 32, 1.5, '1', 2n ** 40n]) expect(await codeOf(() => decodeLetter(withFields({ at })))).toBe('MALFORMED');
    const now = Math.floor(Date.now() / 1000);
    expect(Math.abs(createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'x' } }).at - now)).toBeLessThanOrEqual(2);
  });

  it('LET-8 id is exactly 16 bytes, fresh for every new letter', async () => {
    expect(await codeOf(() => decodeLetter(withFields({ id: new Uint8Array(15) })))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(withFields({ id: new Uint8Array(17) })))).toBe('TOO_LARGE');
    expect(await codeOf(() => decodeLetter(withFields({ id: 'x'.repeat(16) })))).toBe('MALFORMED');
    const ids = new Set(Array.from({ length: 50 }, () => toHex(createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'x' } }).id)));
    expect(ids.size).toBe(50);
  });

  it('LET-9 text: at most MAX_TEXT_CHARS code points, well-formed, and a body is never empty', async () => {
    const astral = '😀'.repeat(MAX_TEXT_CHARS);
    expect((decodeLetter(encodeLetter({ ...base, body: { text: astral } })) as TextLetter).body.text).toBe(astral);
    expect(await codeOf(() => encodeLetter({ ...base, body: { text: astral + 'x' } }))).toBe('TOO_LARGE');
    expect(await codeOf(() => decodeLetter(withFields({ body: { text: 'a'.repeat(MAX_TEXT_CHARS + 1) } })))).toBe('TOO_LARGE');
    expect(await codeOf(() => encodeLetter({ ...base, body: { text: 'broken \ud800 surrogate' } }))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(withFields({ body: { text: '' } })))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(withFields({ body: { text: 'x', more: 1 } })))).toBe('MALFORMED');
    expect((decodeLetter(encodeLetter({ ...base, body: { text: '', image: image('image/png') } })) as TextLetter).body.text).toBe('');
  });

  it('LET-9 ENC-2 text that is not valid UTF-8 on the wire is MALFORMED', async () => {
    const good = encodeLetter(base);
    const i = toHex(good).indexOf('a568656c6c6f') / 2; // "hello"
    const bad = good.slice();
    bad[i + 1] = 0xff;
    expect(await codeOf(() => decodeLetter(bad))).toBe('MALFORMED');
  });

  it('LET-10 images: one of three types, bytes that match the type, 1..MAX_IMAGE_BYTES bytes', async () => {
    for (const mime of ['image/jpeg', 'image/png', 'image/webp'] as const) {
      const letter = { ...base, body: { text: '', image: image(mime) } };
      expect(decodeLetter(encodeLetter(letter))).toEqual(letter);
    }
    const max = { ...base, body: { text: 'x', image: image('image/jpeg', MAX_IMAGE_BYTES) } };
    expect((decodeLetter(encodeLetter(max)) as TextLetter).body.image?.data.length).toBe(MAX_IMAGE_BYTES);
    expect(await codeOf(() => encodeLetter({ ...base, body: { text: 'x', image: image('image/jpeg', MAX_IMAGE_BYTES + 1) } }))).toBe('TOO_LARGE');
    expect(await codeOf(() => encodeLetter({ ...base, body: { text: 'x', image: { mime: 'image/png', data: image('image/jpeg').data } } }))).toBe('MALFORMED');
    expect(await codeOf(() => encodeLetter({ ...base, body: { text: 'x', image: { mime: 'image/gif' as 'image/png', data: new Uint8Array(9) } } }))).toBe('MALFORMED');
    expect(await codeOf(() => encodeLetter({ ...base, body: { text: 'x', image: { mime: 'image/png', data: new Uint8Array(0) } } }))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(withFields({ body: { text: 'x', image: null } })))).toBe('MALFORMED');
  });

  it('LET-10 every byte of each signature counts, and data exactly as long as its signature is an image', async () => {
    const signatures = {
      'image/jpeg': [0xff, 0xd8, 0xff],
      'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      'image/webp': [0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50],
    } as const;
    const withImage = (mime: keyof typeof signatures, data: Uint8Array) => ({ ...base, body: { text: 'x', image: { mime, data } } });
    for (const [mime, sig] of Object.entries(signatures) as [keyof typeof signatures, readonly number[]][]) {
      const exact = Uint8Array.from(sig);
      expect((decodeLetter(encodeLetter(withImage(mime, exact))) as TextLetter).body.image?.data).toEqual(exact);
      expect(await codeOf(() => encodeLetter(withImage(mime, exact.subarray(0, exact.length - 1)))), `${mime} one byte short`).toBe('MALFORMED');
      for (let i = 0; i < sig.length; i++) {
        // WebP's bytes 4..7 are its size, any value.
        if (mime === 'image/webp' && i >= 4 && i < 8) continue;
        const wrong = exact.slice();
        wrong[i] = wrong[i]! ^ 0x01;
        expect(await codeOf(() => encodeLetter(withImage(mime, wrong))), `${mime} byte ${i}`).toBe('MALFORMED');
        expect(await codeOf(() => decodeLetter(withFields({ body: { text: 'x', image: { mime, data: wrong } } }))), `${mime} byte ${i}`).toBe('MALFORMED');
      }
    }
  });

  it('LET-11 a letter larger than MAX_LETTER_BYTES is TOO_LARGE before it is parsed', async () => {
    expect(await codeOf(() => decodeLetter(new Uint8Array(MAX_LETTER_BYTES + 1)))).toBe('TOO_LARGE');
    const largest = { ...base, body: { text: '😀'.repeat(MAX_TEXT_CHARS), image: image('image/webp', MAX_IMAGE_BYTES) } };
    expect(encodeLetter(largest).length).toBeLessThanOrEqual(MAX_LETTER_BYTES);
  });

  it('ENC-2 non-canonical encodings are MALFORMED: duplicate keys, reordered fields, long forms', async () => {
    const parts: [string, Uint8Array][] = [
      ['v', encode(1)],
      ['kind', encode('dm')],
      ['from', encode('alice')],
      ['to', encode('bob')],
      ['at', encode(base.at)],
      ['id', encode(base.id)],
      ['body', encode({ text: 'hello' })],
    ];
    expect(decodeLetter(msgpackMap(parts))).toEqual(base);
    // A second "body" would let two readers see two different texts under one signature.
    expect(await codeOf(() => decodeLetter(msgpackMap([...parts.slice(0, 6), ['body', encode({ text: 'evil' })], parts[6]!])))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(msgpackMap([parts[1]!, parts[0]!, ...parts.slice(2)])))).toBe('MALFORMED');
    const longAt = concatBytes(Uint8Array.of(0xcf), fromHex('0000000069248100')); // uint64 for a uint32 value
    expect(await codeOf(() => decodeLetter(msgpackMap([...parts.slice(0, 4), ['at', longAt], ...parts.slice(5)])))).toBe('MALFORMED');
    const floatAt = concatBytes(Uint8Array.of(0xcb), new Uint8Array(new Float64Array([base.at]).buffer).reverse());
    expect(await codeOf(() => decodeLetter(msgpackMap([...parts.slice(0, 4), ['at', floatAt], ...parts.slice(5)])))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(withFields({ extra: 1 })))).toBe('MALFORMED');
  });

  it('ENC-3 bytes after the letter are TRAILING_BYTES', async () => {
    expect(await codeOf(() => decodeLetter(concatBytes(encodeLetter(base), Uint8Array.of(0))))).toBe('TRAILING_BYTES');
  });
});
