/**
 * The bodies of `event`, `invite`, `rsvp` and `circle-key` letters (EVT-2..EVT-6, EVT-17, CIR-2) and the
 * letter head around them (LET-2..LET-8) at their exact edges: every bound at its value and one past it,
 * each check on its own (a title that is only not well-formed, a note that only has a bidi override), the
 * bytes a decoded body hands out, what the map writers do with a body that is not an object, and a null
 * where a field is absent. Written for a mutation run of `envelope/event.ts`, `circle-key.ts` and
 * `letter.ts` (spec/notes/2026-11-29-mutation-testing.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready, encode, toHex } from '@comrad/core';
import { MAX_EVENT_SECONDS, MAX_EVENT_TIME, MAX_HOST_PROOF_BYTES, MAX_INVITE_KEYS_BYTES, createLetter, decodeLetter, encodeLetter, type EventBody, type Letter } from '@comrad/core/envelope';
import { codeOf, msgpackMap } from '@comrad/test-kit/core/garbage';

const START = 1_764_612_000;
const eid = new Uint8Array(16).fill(7);
const event: EventBody = { eid, title: 'Tenants assembly', start: START, end: START + 7200, where: 'Library hall', note: '' };
const key32 = new Uint8Array(32).fill(9);
const head = { v: 1, from: 'alice', to: 'bob', at: 1_764_000_000, id: new Uint8Array(16).fill(1) };

beforeAll(async () => {
  await ready({ backend: 'wasm' });
});

/** The encoded map of a letter written field by field, as any other implementation could write it. */
const bytesOf = (fields: Record<string, unknown>) => encode({ v: head.v, kind: fields.kind, from: head.from, to: fields.to ?? head.to, at: head.at, id: head.id, body: fields.body, ...fields });
/** The code of decoding that letter (and `ok` when it decodes). */
const decodeCode = (fields: Record<string, unknown>) => codeOf(() => decodeLetter(bytesOf(fields)));
/** The code of encoding an event letter: the encoder reads the map as the decoder does, and it can hold text no msgpack bytes can (a lone surrogate). */
const eventCode = (over: Partial<Record<keyof EventBody, unknown>>) => codeOf(() => encodeLetter({ ...head, kind: 'event', to: 'comrades', body: { ...event, ...over } } as unknown as Letter));

describe('EVT-2 EVT-3 EVT-4 an event body, field by field', () => {
  it('EVT-4 start and end: 0 and 2^32-1 are times, -1 and 2^32 are not; end after start, at most 30 days later', async () => {
    expect(await eventCode({ start: 0, end: 1 })).toBe('ok');
    expect(await eventCode({ start: MAX_EVENT_TIME - 1, end: MAX_EVENT_TIME })).toBe('ok');
    expect(await eventCode({ start: -1, end: 1 })).toBe('MALFORMED');
    expect(await eventCode({ start: MAX_EVENT_TIME - 1, end: MAX_EVENT_TIME + 1 })).toBe('MALFORMED');
    expect(await eventCode({ start: 'soon' })).toBe('MALFORMED');
    expect(await eventCode({ end: START })).toBe('MALFORMED');
    expect(await eventCode({ end: START - 1 })).toBe('MALFORMED');
    expect(await eventCode({ end: START + 1 })).toBe('ok');
    expect(await eventCode({ end: START + MAX_EVENT_SECONDS })).toBe('ok');
    expect(await eventCode({ end: START + MAX_EVENT_SECONDS + 1 })).toBe('MALFORMED');
    // A start late enough that start + 30 days passes 2^32: the length is end - start, not a sum.
    expect(await eventCode({ start: MAX_EVENT_TIME - 10, end: MAX_EVENT_TIME })).toBe('ok');
  });

  it('EVT-3 title and where: 1 to 120 and 200 code points; each refused on its own for a lone surrogate, a control, a bidi isolate, a blank line', async () => {
    for (const field of ['title', 'where'] as const) {
      expect(await eventCode({ [field]: 'x' }), field).toBe('ok');
      const max = field === 'title' ? 120 : 200;
      expect(await eventCode({ [field]: '😀'.repeat(max) }), field).toBe('ok');
      expect(await eventCode({ [field]: 'x'.repeat(max + 1) }), field).toBe('TOO_LARGE');
      expect(await eventCode({ [field]: 'a\ud800b' }), field).toBe('MALFORMED');
      expect(await eventCode({ [field]: 'a\udc00' }), field).toBe('MALFORMED');
      expect(await eventCode({ [field]: 'tab\there' }), field).toBe('MALFORMED');
      expect(await eventCode({ [field]: '\u2067hall' }), field).toBe('MALFORMED');
      expect(await eventCode({ [field]: '   ' }), field).toBe('MALFORMED');
      expect(await eventCode({ [field]: '\u3000' }), field).toBe('MALFORMED');
      expect(await eventCode({ [field]: '' }), field).toBe('MALFORMED');
      expect(await eventCode({ [field]: 7 }), field).toBe('MALFORMED');
      // Letters beyond the Basic Multilingual Plane are well-formed text.
      expect(await eventCode({ [field]: '😀 march' }), field).toBe('ok');
    }
  });

  it('EVT-3 the note: empty, newlines and tabs are fine; a lone surrogate alone, or a control or bidi override alone, is MALFORMED', async () => {
    expect(await eventCode({ note: '' })).toBe('ok');
    expect(await eventCode({ note: 'one\ntwo\tthree 😀' })).toBe('ok');
    expect(await eventCode({ note: 'half \ud83d' })).toBe('MALFORMED');
    expect(await eventCode({ note: 'bell \u0007' })).toBe('MALFORMED');
    expect(await eventCode({ note: 'turn \u202e around' })).toBe('MALFORMED');
    expect(await eventCode({ note: 'blank   ' })).toBe('ok');
    expect(await eventCode({ note: '😀'.repeat(1000) })).toBe('ok');
    expect(await eventCode({ note: 'n'.repeat(1001) })).toBe('TOO_LARGE');
  });

  it('EVT-2 an event owns its id: the decoded eid is a copy, not a view of the letter bytes', () => {
    const bytes = encodeLetter(createLetter({ kind: 'event', from: 'alice', body: event }));
    const letter = decodeLetter(bytes);
    bytes.fill(0);
    expect(letter.kind === 'event' && toHex(letter.body.eid)).toBe(toHex(eid));
  });

  it('EVT-2 the event map is written in its field order, whatever the order of the object given', () => {
    const reordered = { note: '', where: event.where, end: event.end, start: event.start, title: event.title, eid } as EventBody;
    const a = encodeLetter(createLetter({ kind: 'event', from: 'alice', at: 1, id: head.id, body: event }));
    expect(toHex(encodeLetter(createLetter({ kind: 'event', from: 'alice', at: 1, id: head.id, body: reordered })))).toBe(toHex(a));
  });
});

describe('EVT-5 EVT-17 an invitation', () => {
  const invite = (body: unknown) => ({ kind: 'invite', body });

  it('EVT-17 a proof of hosting beside an event: 1 and 1024 bytes are kept, 0 is MALFORMED, 1025 TOO_LARGE; never beside a collective', async () => {
    for (const n of [1, MAX_HOST_PROOF_BYTES]) {
      const proof = new Uint8Array(n).fill(5);
      const bytes = bytesOf(invite({ event, proof }));
      const letter = decodeLetter(bytes);
      expect(letter.body).toEqual({ event, proof });
      expect(toHex(encodeLetter(letter))).toBe(toHex(bytes));
    }
    expect(await decodeCode(invite({ event, proof: new Uint8Array(0) }))).toBe('MALFORMED');
    expect(await decodeCode(invite({ event, proof: new Uint8Array(MAX_HOST_PROOF_BYTES + 1) }))).toBe('TOO_LARGE');
    expect(await decodeCode(invite({ event, proof: 'signed' }))).toBe('MALFORMED');
    expect(await decodeCode(invite({ collective: new Uint8Array(8), proof: new Uint8Array(8) }))).toBe('MALFORMED');
    // The encoder refuses it too, rather than writing bytes no decoder takes.
    expect(await codeOf(() => encodeLetter({ ...head, kind: 'invite', body: { collective: new Uint8Array(8), proof: new Uint8Array(8) } } as unknown as Letter))).toBe('MALFORMED');
    // Without a proof, an invitation has no proof field at all.
    expect(Object.keys(decodeLetter(bytesOf(invite({ event }))).body)).toEqual(['event']);
  });

  it('EVT-5 a collective: 1 and 512 bytes are kept, 0 is MALFORMED, 513 TOO_LARGE', async () => {
    for (const n of [1, MAX_INVITE_KEYS_BYTES]) expect((decodeLetter(bytesOf(invite({ collective: new Uint8Array(n).fill(3) }))).body as { collective: Uint8Array }).collective).toEqual(new Uint8Array(n).fill(3));
    expect(await decodeCode(invite({ collective: new Uint8Array(0) }))).toBe('MALFORMED');
    expect(await decodeCode(invite({ collective: new Uint8Array(MAX_INVITE_KEYS_BYTES + 1) }))).toBe('TOO_LARGE');
    expect(await decodeCode(invite({ event: { ...event, end: START } }))).toBe('MALFORMED');
  });

  it('EVT-5 EVT-17 a decoded invitation owns its bytes: the event id, the proof and the collective are copies', () => {
    const proof = new Uint8Array(40).fill(5);
    const withProof = bytesOf(invite({ event, proof }));
    const a = decodeLetter(withProof) as Extract<Letter, { kind: 'invite' }>;
    withProof.fill(0);
    expect(a.body).toEqual({ event, proof });
    const collective = new Uint8Array(40).fill(6);
    const withKeys = bytesOf(invite({ collective }));
    const b = decodeLetter(withKeys) as Extract<Letter, { kind: 'invite' }>;
    withKeys.fill(0);
    expect(b.body).toEqual({ collective });
  });

  it('ENC-2 EVT-5 a null beside the one field an invitation has counts as absent: encodeLetter writes no nil, and its bytes decode', () => {
    const proof = new Uint8Array(4).fill(5);
    const cases: [unknown, unknown][] = [
      [{ event, proof: null }, { event }],
      [{ event, collective: null }, { event }],
      [{ event, proof, collective: null }, { event, proof }],
      [{ collective: key32, event: null }, { collective: key32 }],
      [{ collective: key32, proof: null }, { collective: key32 }],
    ];
    for (const [body, read] of cases) {
      const bytes = encodeLetter({ ...head, kind: 'invite', body } as unknown as Letter);
      expect(decodeLetter(bytes).body, JSON.stringify(Object.keys(body as object))).toEqual(read);
      expect(toHex(bytes)).toBe(toHex(encodeLetter({ ...head, kind: 'invite', body: read } as unknown as Letter)));
    }
  });
});

describe('EVT-6 an answer', () => {
  it('EVT-6 each answer is read back; another word, or another case, is MALFORMED; the eid is 16 bytes and a copy', async () => {
    for (const answer of ['yes', 'no', 'maybe']) expect(await decodeCode({ kind: 'rsvp', body: { eid, answer } }), answer).toBe('ok');
    for (const answer of ['Yes', 'perhaps', '', 1]) expect(await decodeCode({ kind: 'rsvp', body: { eid, answer } }), String(answer)).toBe('MALFORMED');
    expect(await decodeCode({ kind: 'rsvp', body: { eid: new Uint8Array(15), answer: 'yes' } })).toBe('MALFORMED');
    expect(await decodeCode({ kind: 'rsvp', body: { eid: new Uint8Array(17), answer: 'yes' } })).toBe('TOO_LARGE');
    expect(await decodeCode({ kind: 'rsvp', body: { answer: 'yes', eid } })).toBe('MALFORMED');
    // Written eid then answer whatever the object order, so the encoder's bytes are the canonical ones.
    expect(toHex(encodeLetter({ ...head, kind: 'rsvp', body: { answer: 'no', eid } } as unknown as Letter))).toBe(toHex(bytesOf({ kind: 'rsvp', body: { eid, answer: 'no' } })));
    const bytes = bytesOf({ kind: 'rsvp', body: { eid, answer: 'maybe' } });
    const letter = decodeLetter(bytes);
    bytes.fill(0);
    expect(letter.body).toEqual({ eid, answer: 'maybe' });
  });
});

describe('CIR-2 a circle key', () => {
  const circle = (body: unknown) => decodeCode({ kind: 'circle-key', body });

  it('CIR-2 the generation: 1 and 2^32-1 are read, 0, 2^32 and a non-integer are MALFORMED; the key is 32 bytes', async () => {
    expect(await circle({ gen: 1, key: key32 })).toBe('ok');
    expect(await circle({ gen: 0xffff_ffff, key: key32 })).toBe('ok');
    expect(await circle({ gen: 0x1_0000_0000, key: key32 })).toBe('MALFORMED');
    expect(await circle({ gen: -1, key: key32 })).toBe('MALFORMED');
    expect(await circle({ gen: '1', key: key32 })).toBe('MALFORMED');
    expect(await circle({ gen: 1, key: new Uint8Array(31) })).toBe('MALFORMED');
    expect(await circle({ gen: 1, key: 'k'.repeat(32) })).toBe('MALFORMED');
    expect(await circle({ key: key32, gen: 1 })).toBe('MALFORMED');
    expect(await circle({ gen: 1, key: key32, note: 'x' })).toBe('MALFORMED');
  });

  it('CIR-2 a decoded circle key is a copy of the bytes, and the body is written gen then key whatever the object order', () => {
    const bytes = bytesOf({ kind: 'circle-key', body: { gen: 3, key: key32 } });
    const letter = decodeLetter(bytes);
    expect(toHex(encodeLetter({ ...head, kind: 'circle-key', body: { key: key32, gen: 3 } } as unknown as Letter))).toBe(toHex(bytes));
    bytes.fill(0);
    expect(letter.body).toEqual({ gen: 3, key: key32 });
  });
});

describe('LET-1 EVT-1 CIR-2 a body that is not a map', () => {
  it('LET-12 EVT-1 CIR-2 the encoder refuses a null, absent or non-object body of every kind with MALFORMED, never a TypeError', async () => {
    for (const kind of ['dm', 'event', 'invite', 'rsvp', 'circle-key']) {
      for (const body of [null, undefined, 'text', 5]) {
        const letter = { ...head, to: kind === 'event' ? 'comrades' : 'bob', kind, body } as unknown as Letter;
        expect(await codeOf(() => encodeLetter(letter)), `${kind} ${String(body)}`).toBe('MALFORMED');
      }
    }
  });
});

describe('LET-2 LET-3 LET-7 LET-8 the letter head', () => {
  const dm = { kind: 'dm', body: { text: 'hi' } };

  it('LET-2 the version: missing or not an integer MALFORMED, another integer UNSUPPORTED_VERSION, checked before unknown fields and the kind', async () => {
    expect(await decodeCode({ ...dm, v: '1' })).toBe('MALFORMED');
    expect(await decodeCode({ ...dm, v: true })).toBe('MALFORMED');
    expect(await decodeCode({ ...dm, v: undefined })).toBe('MALFORMED');
    expect(await decodeCode({ ...dm, v: 0 })).toBe('UNSUPPORTED_VERSION');
    // No msgpack bytes hold a fraction (ENC-8), but a letter object handed to the encoder can.
    for (const v of [1.5, Number.NaN, 2 ** 53]) expect(await codeOf(() => encodeLetter({ ...head, kind: 'dm', body: { text: 'hi' }, v } as unknown as Letter)), String(v)).toBe('MALFORMED');
    expect(await decodeCode({ ...dm, v: 2, extra: 1 })).toBe('UNSUPPORTED_VERSION');
    expect(await decodeCode({ ...dm, v: 2, kind: 'Not a kind' })).toBe('UNSUPPORTED_VERSION');
    // The version read first, the map first of all: a v inside an array is no letter.
    expect(await codeOf(() => decodeLetter(encode([1, 'dm'])))).toBe('MALFORMED');
  });

  it('LET-3 LET-4 the kind: a name of the pattern not specified is UNSUPPORTED_KIND; outside the pattern MALFORMED; longer than 32 TOO_LARGE', async () => {
    expect(await decodeCode({ ...dm, kind: 'vote' })).toBe('UNSUPPORTED_KIND');
    expect(await decodeCode({ ...dm, kind: 'a'.repeat(32) })).toBe('UNSUPPORTED_KIND');
    expect(await decodeCode({ ...dm, kind: 'a'.repeat(33) })).toBe('TOO_LARGE');
    for (const kind of ['DM', '1dm', 'd m', '', '-dm']) expect(await decodeCode({ ...dm, kind }), kind).toBe('MALFORMED');
  });

  it('LET-7 at: 0 and 2^32-1 are read, -1 and 2^32 are MALFORMED', async () => {
    expect(await decodeCode({ ...dm, at: 0 })).toBe('ok');
    expect(await decodeCode({ ...dm, at: 0xffff_ffff })).toBe('ok');
    expect(await decodeCode({ ...dm, at: -1 })).toBe('MALFORMED');
    expect(await decodeCode({ ...dm, at: 0x1_0000_0000 })).toBe('MALFORMED');
  });

  it('LET-8 id: 15 bytes MALFORMED, 17 TOO_LARGE, a string MALFORMED', async () => {
    expect(await decodeCode({ ...dm, id: new Uint8Array(15) })).toBe('MALFORMED');
    expect(await decodeCode({ ...dm, id: new Uint8Array(17) })).toBe('TOO_LARGE');
    expect(await decodeCode({ ...dm, id: 'x'.repeat(16) })).toBe('MALFORMED');
  });

  it('LET-6 EVT-7 CIR-2 addressing read back: a post or an event to one comrade, an invitation or a circle key to comrades, MALFORMED', async () => {
    expect(await decodeCode({ kind: 'post', to: 'bob', body: { text: 'x' } })).toBe('MALFORMED');
    expect(await decodeCode({ kind: 'event', to: 'bob', body: event })).toBe('MALFORMED');
    expect(await decodeCode({ kind: 'invite', to: 'comrades', body: { event } })).toBe('MALFORMED');
    expect(await decodeCode({ kind: 'circle-key', to: 'comrades', body: { gen: 1, key: key32 } })).toBe('MALFORMED');
    expect(await decodeCode({ kind: 'rsvp', to: 'comrades', body: { eid, answer: 'no' } })).toBe('ok');
    expect(await decodeCode({ kind: 'dm', to: 'comrades', body: { text: 'x' } })).toBe('ok');
  });

  it('LET-9 LET-10 ENC-2 a dm\'s or a post\'s body is written text then image, mime then data, whatever the object order; a null image is no image', () => {
    const image = { mime: 'image/png' as const, data: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1) };
    for (const [kind, to] of [['dm', 'bob'], ['post', 'comrades']] as const) {
      const letter = (body: unknown) => ({ ...head, kind, to, body }) as unknown as Letter;
      const canonical = toHex(bytesOf({ kind, to, body: { text: 'hi', image } }));
      expect(toHex(encodeLetter(letter({ image: { data: image.data, mime: image.mime }, text: 'hi' }))), kind).toBe(canonical);
      expect(toHex(encodeLetter(letter({ text: 'hi', image: null }))), kind).toBe(toHex(bytesOf({ kind, to, body: { text: 'hi' } })));
    }
  });

  it('ENC-2 a field in a longer integer form than needed is not the canonical letter: MALFORMED', async () => {
    const parts = (at: Uint8Array): [string, Uint8Array][] => [
      ['v', encode(1)],
      ['kind', encode('dm')],
      ['from', encode('alice')],
      ['to', encode('bob')],
      ['at', at],
      ['id', encode(head.id)],
      ['body', encode({ text: 'hi' })],
    ];
    expect(await codeOf(() => decodeLetter(msgpackMap(parts(encode(5)))))).toBe('ok');
    expect(await codeOf(() => decodeLetter(msgpackMap(parts(Uint8Array.of(0xcc, 5)))))).toBe('MALFORMED');
  });
});
