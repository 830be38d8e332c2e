/**
 * Letters (LET-1..LET-12, EVT-7) at their exact edges: whom `createLetter` addresses when no recipient
 * is given, the size bound at its value, what is not a map, the id a decoded letter hands out, and the
 * encoder's refusals. Written from a mutation run of `envelope/letter.ts`
 * (spec/notes/2026-11-29-mutation-testing.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready, encode } from '@comrad/core';
import { createLetter, decodeLetter, encodeLetter, textBodyOf, type Letter } from '@comrad/core/envelope';
import { MAX_LETTER_BYTES } from '../src/limits.js';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { dmLetter as base } from '@comrad/test-kit/core/envelope';

const START = 1_764_612_000;
const event = { eid: new Uint8Array(16).fill(7), title: 'Tenants assembly', start: START, end: START + 7200, where: 'Library hall', note: '' };

beforeAll(async () => {
  await ready({ backend: 'wasm' });
});

describe('LET-6 EVT-7 whom createLetter addresses', () => {
  it('LET-6 EVT-7 a post or an event without a recipient goes to comrades; a dm or an invitation without one is INVALID_NAME', async () => {
    expect(createLetter({ kind: 'post', from: 'alice', body: { text: 'x' } }).to).toBe('comrades');
    expect(createLetter({ kind: 'event', from: 'alice', body: event }).to).toBe('comrades');
    expect(await codeOf(() => createLetter({ kind: 'dm', from: 'alice', body: { text: 'x' } }))).toBe('INVALID_NAME');
    expect(await codeOf(() => createLetter({ kind: 'invite', from: 'alice', body: { event } }))).toBe('INVALID_NAME');
    // A recipient given is normalised and checked like any other, for a post too.
    expect(createLetter({ kind: 'post', from: 'alice', to: '@Comrades', body: { text: 'x' } }).to).toBe('comrades');
    expect(await codeOf(() => createLetter({ kind: 'post', from: 'alice', to: 'bob', body: { text: 'x' } }))).toBe('MALFORMED');
    expect(await codeOf(() => createLetter({ kind: 'event', from: 'alice', to: 'bob', body: event }))).toBe('MALFORMED');
  });

  it('EVT-7 EVT-12 an invitation never goes to comrades; an answer may (to an anonymous host)', async () => {
    expect(await codeOf(() => createLetter({ kind: 'invite', from: 'alice', to: 'comrades', body: { event } }))).toBe('MALFORMED');
    const rsvp = createLetter({ kind: 'rsvp', from: 'alice', to: 'comrades', body: { eid: event.eid, answer: 'yes' } });
    expect(decodeLetter(encodeLetter(rsvp))).toEqual(rsvp);
  });

  it('LET-7 LET-8 the time and id given are kept; those not given are now and 16 fresh bytes', () => {
    const kept = createLetter({ kind: 'dm', from: 'alice', to: 'bob', at: 0, id: base.id, body: { text: 'x' } });
    expect(kept.at).toBe(0);
    expect(kept.id).toEqual(base.id);
    const before = Math.floor(Date.now() / 1000);
    const fresh = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'x' } });
    const after = Math.floor(Date.now() / 1000);
    expect(fresh.at).toBeGreaterThanOrEqual(before);
    expect(fresh.at).toBeLessThanOrEqual(after);
    expect(fresh.id).toHaveLength(16);
  });

  it('LET-9 textBodyOf gives the body of a dm or a post, and refuses every other kind', async () => {
    expect(textBodyOf(base)).toEqual({ text: 'hello' });
    expect(textBodyOf(createLetter({ kind: 'post', from: 'alice', body: { text: 'p' } }))).toEqual({ text: 'p' });
    expect(await codeOf(() => textBodyOf(createLetter({ kind: 'event', from: 'alice', body: event })))).toBe('UNSUPPORTED_KIND');
    expect(await codeOf(() => textBodyOf(createLetter({ kind: 'invite', from: 'alice', to: 'bob', body: { event } })))).toBe('UNSUPPORTED_KIND');
  });
});

describe('LET-11 LET-12 decoding and encoding at the edges', () => {
  it('LET-11 exactly MAX_LETTER_BYTES is parsed (MALFORMED here), one byte more is TOO_LARGE', async () => {
    expect(await codeOf(() => decodeLetter(new Uint8Array(MAX_LETTER_BYTES).fill(0xc1)))).toBe('MALFORMED');
    expect(await codeOf(() => decodeLetter(new Uint8Array(MAX_LETTER_BYTES + 1).fill(0xc1)))).toBe('TOO_LARGE');
  });

  it('LET-12 what is not bytes, and every msgpack value that is not a map, is MALFORMED', async () => {
    for (const notBytes of [[0x80], 'letter', null, undefined]) expect(await codeOf(() => decodeLetter(notBytes as unknown as Uint8Array)), String(notBytes)).toBe('MALFORMED');
    for (const value of [null, 5, 'dm', [1, 2], new Uint8Array(3), true]) expect(await codeOf(() => decodeLetter(encode(value))), String(value)).toBe('MALFORMED');
  });

  it('LET-8 a decoded letter owns its id: changing the bytes afterwards changes nothing', () => {
    const bytes = encodeLetter(base);
    const letter = decodeLetter(bytes);
    bytes.fill(0);
    expect(letter.id).toEqual(base.id);
    expect(letter.id.buffer.byteLength).toBe(16);
  });

  it('LET-1 LET-4 the encoder refuses what is not a letter: not an object (TypeError), a kind with no body defined (UNSUPPORTED_KIND)', async () => {
    expect(() => encodeLetter(null as unknown as Letter)).toThrow(TypeError);
    expect(() => encodeLetter('dm' as unknown as Letter)).toThrow(TypeError);
    expect(await codeOf(() => encodeLetter({ ...base, kind: 'vote' } as unknown as Letter))).toBe('UNSUPPORTED_KIND');
    expect(await codeOf(() => encodeLetter({ ...base, v: 2 } as unknown as Letter))).toBe('UNSUPPORTED_VERSION');
  });
});
