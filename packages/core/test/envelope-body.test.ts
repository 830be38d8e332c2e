/**
 * The text body of a letter (LET-9, LET-10) at its exact edges: every arrangement of surrogates, the
 * map a body is written as (whatever order or shape the caller's object has), the image bytes a decoded
 * letter hands out. Written from the survivors of a mutation run of `envelope/body.ts`
 * (spec/notes/2026-11-29-mutation-testing.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '@comrad/core';
import { decodeLetter, encodeLetter, type Letter, type TextBody, type TextLetter } from '@comrad/core/envelope';
import { wellFormed } from '../src/envelope/body.js';
import { dmLetter as base, image } from '@comrad/test-kit/core/envelope';
import { codeOf } from '@comrad/test-kit/core/garbage';

const withBody = (body: unknown): Letter => ({ ...base, body: body as TextBody });

beforeAll(async () => {
  await ready({ backend: 'wasm' });
});

describe('LET-9 well-formed text', () => {
  const HIGH = '\ud83d';
  const LOW = '\ude00';
  const wellFormedTexts = ['', 'plain', HIGH + LOW, `a${HIGH}${LOW}b`, HIGH + LOW + HIGH + LOW, '\ud7ff\ue000', '\uffff'];
  const lone = [HIGH, LOW, `${HIGH}x`, `x${LOW}`, `${LOW}${HIGH}`, `${HIGH}${HIGH}${LOW}`, `${HIGH}${LOW}${LOW}`, `x${HIGH}`, `${LOW}x`, '\udbff', '\udc00', '\ud800'];

  it('LET-9 a surrogate pair is text; a lone high or low surrogate, anywhere, is not', () => {
    for (const t of wellFormedTexts) expect(wellFormed(t), JSON.stringify(t)).toBe(true);
    for (const t of lone) expect(wellFormed(t), JSON.stringify(t)).toBe(false);
  });

  it('LET-9 ENC-2 a letter whose text has a lone surrogate is MALFORMED on encode; a pair round-trips', async () => {
    for (const t of lone) expect(await codeOf(() => encodeLetter(withBody({ text: t }))), JSON.stringify(t)).toBe('MALFORMED');
    for (const t of wellFormedTexts.filter((x) => x !== '')) {
      expect((decodeLetter(encodeLetter(withBody({ text: t }))) as TextLetter).body.text).toBe(t);
    }
  });
});

describe('LET-9 LET-10 the map a body is written as', () => {
  it('ENC-2 a body or image object with its keys in another order encodes to the same canonical bytes', () => {
    const img = image('image/png', 20);
    const canonical = encodeLetter(withBody({ text: 'x', image: { mime: img.mime, data: img.data } }));
    expect(encodeLetter(withBody({ image: { data: img.data, mime: img.mime }, text: 'x' }))).toEqual(canonical);
    expect(decodeLetter(canonical)).toEqual(withBody({ text: 'x', image: { mime: img.mime, data: img.data } }));
  });

  it('LET-9 an image left undefined or null is no image: the body is written without it', () => {
    const plain = encodeLetter(withBody({ text: 'x' }));
    expect(encodeLetter(withBody({ text: 'x', image: undefined }))).toEqual(plain);
    expect(encodeLetter(withBody({ text: 'x', image: null }))).toEqual(plain);
    // And no image with empty text is the empty body, refused.
    expect(() => encodeLetter(withBody({ text: '', image: null }))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
  });

  it('LET-9 a body that is not a map, or an image that is not one, is MALFORMED (a typed refusal, not a crash)', async () => {
    for (const body of [null, undefined, 'hello', 42, true]) expect(await codeOf(() => encodeLetter(withBody(body))), String(body)).toBe('MALFORMED');
    for (const img of ['image/png', 42, true, []]) expect(await codeOf(() => encodeLetter(withBody({ text: 'x', image: img }))), String(img)).toBe('MALFORMED');
  });

  it('LET-10 a decoded image owns its bytes: changing the letter bytes afterwards changes nothing', () => {
    const img = image('image/jpeg', 40);
    const bytes = encodeLetter(withBody({ text: 'x', image: img }));
    const decoded = decodeLetter(bytes) as TextLetter;
    const data = decoded.body.image!.data;
    expect(data).toEqual(img.data);
    expect(data.buffer.byteLength).toBe(data.length);
    bytes.fill(0);
    expect(data).toEqual(img.data);
  });
});
