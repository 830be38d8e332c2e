/**
 * The letter kinds `event`, `invite` and `rsvp` (14-events, EVT-*): round trips over arbitrary valid
 * bodies, every mutation a valid letter or a typed error, the bounds of each field, the addressing, and a
 * world event through the world-post envelope (EVT-7).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ready, encode, KeyPair, SymmetricKey, ComradError } from '@comrad/core';
import { createCollectivePost, decodeCollectivePost, encodeCollectivePost } from '@comrad/core/collective';
import {
  EVENT_ID_BYTES,
  MAX_EVENT_NOTE_CHARS,
  MAX_EVENT_SECONDS,
  MAX_EVENT_TIME,
  MAX_EVENT_TITLE_CHARS,
  MAX_EVENT_WHERE_CHARS,
  MAX_INVITE_KEYS_BYTES,
  RSVP_ANSWERS,
  createLetter,
  decodeLetter,
  encodeLetter,
  openPost,
  openWorldLetter,
  proveHosting,
  checkHosting,
  sealLetter,
  sealPost,
  signStatement,
  openSealedLetter,
  type EventBody,
  type Letter,
} from '@comrad/core/envelope';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { nameArb } from '@comrad/test-kit/core/envelope';

// One line: no controls, separators or bidi formatting (EVT-3), not blank.
const lineArb = (max: number) => fc.string({ minLength: 1, maxLength: max }).filter((s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(s) && s.trim().length > 0);
const eventArb: fc.Arbitrary<EventBody> = fc
  .record({
    eid: fc.uint8Array({ minLength: EVENT_ID_BYTES, maxLength: EVENT_ID_BYTES }),
    title: lineArb(MAX_EVENT_TITLE_CHARS),
    start: fc.integer({ min: 0, max: MAX_EVENT_TIME - 1 }),
    length: fc.integer({ min: 1, max: MAX_EVENT_SECONDS }),
    where: lineArb(MAX_EVENT_WHERE_CHARS),
    note: fc.string({ maxLength: 200 }).map((s) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '')),
  })
  .map(({ length, ...e }) => ({ ...e, end: Math.min(MAX_EVENT_TIME, e.start + length) }));
const head = { at: fc.integer({ min: 0, max: 0xffff_ffff }), id: fc.uint8Array({ minLength: 16, maxLength: 16 }), from: nameArb, to: nameArb };
const eventLetterArb: fc.Arbitrary<Letter> = fc.oneof(
  fc.record({ ...head, body: eventArb }).map((l) => ({ v: 1, kind: 'event', ...l, to: 'comrades' }) as Letter),
  fc.record({ ...head, body: eventArb }).map((l) => ({ v: 1, kind: 'invite', ...l, body: { event: l.body } }) as Letter),
  fc.record({ ...head, keys: fc.uint8Array({ minLength: 1, maxLength: MAX_INVITE_KEYS_BYTES }) }).map(({ keys, ...l }) => ({ v: 1, kind: 'invite', ...l, body: { collective: keys } }) as Letter),
  fc.record({ ...head, eid: fc.uint8Array({ minLength: 16, maxLength: 16 }), answer: fc.constantFrom(...RSVP_ANSWERS) }).map(({ eid, answer, ...l }) => ({ v: 1, kind: 'rsvp', ...l, body: { eid, answer } }) as Letter),
);

const START = 1_764_612_000;
const event: EventBody = { eid: new Uint8Array(16).fill(7), title: 'Tenants assembly', start: START, end: START + 7200, where: 'Library hall', note: '' };

beforeAll(async () => {
  await ready();
});

describe('event, invite and rsvp letters (EVT-*)', () => {
  it('EVT-1 EVT-2 EVT-5 EVT-6 decode(encode(x)) = x for every valid letter of the three kinds', () => {
    fc.assert(
      fc.property(eventLetterArb, (l) => {
        expect(decodeLetter(encodeLetter(l))).toEqual(l);
      }),
      { numRuns: 300 },
    );
  });

  it('EVT-1 any byte flipped in a valid letter gives a valid letter or a typed error, never a crash', () => {
    fc.assert(
      fc.property(eventLetterArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (l, at, mask) => {
        const bytes = encodeLetter(l);
        bytes[at % bytes.length]! ^= mask;
        try {
          decodeLetter(bytes);
        } catch (err) {
          expect(ComradError.is(err)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('EVT-3 EVT-4 bounds: the largest fields pass, one more fails; times out of order fail; encoders check as decoders do', async () => {
    const big = { ...event, title: 't'.repeat(MAX_EVENT_TITLE_CHARS), where: 'w'.repeat(MAX_EVENT_WHERE_CHARS), note: 'n'.repeat(MAX_EVENT_NOTE_CHARS), end: START + MAX_EVENT_SECONDS };
    expect(createLetter({ kind: 'event', from: 'alice', body: big }).body).toEqual(big);
    const bad = (body: Partial<EventBody>) => codeOf(() => createLetter({ kind: 'event', from: 'alice', body: { ...event, ...body } }));
    expect(await bad({ title: 't'.repeat(MAX_EVENT_TITLE_CHARS + 1) })).toBe('TOO_LARGE');
    expect(await bad({ where: 'w'.repeat(MAX_EVENT_WHERE_CHARS + 1) })).toBe('TOO_LARGE');
    expect(await bad({ note: 'n'.repeat(MAX_EVENT_NOTE_CHARS + 1) })).toBe('TOO_LARGE');
    expect(await bad({ title: '' })).toBe('MALFORMED');
    expect(await bad({ title: 'a\u2028b' })).toBe('MALFORMED');
    expect(await bad({ where: '\u2066hall' })).toBe('MALFORMED');
    expect(await bad({ note: 'broken \ud800' })).toBe('MALFORMED');
    expect(await bad({ end: START })).toBe('MALFORMED');
    expect(await bad({ end: START + MAX_EVENT_SECONDS + 1 })).toBe('MALFORMED');
    expect(await bad({ eid: new Uint8Array(15) })).toBe('MALFORMED');
    expect(await bad({ eid: new Uint8Array(17) })).toBe('TOO_LARGE');
    // A note may hold line breaks and tabs (EVT-3).
    expect(createLetter({ kind: 'event', from: 'alice', body: { ...event, note: 'line 1\n\tline 2' } }).body.note).toBe('line 1\n\tline 2');
  });

  it('EVT-7 EVT-12 an event goes to comrades; an invitation to one comrade; an answer to the host, or to comrades for an anonymous host', async () => {
    expect(createLetter({ kind: 'event', from: 'alice', body: event }).to).toBe('comrades');
    expect(await codeOf(() => createLetter({ kind: 'event', from: 'alice', to: 'bob', body: event }))).toBe('MALFORMED');
    expect(await codeOf(() => createLetter({ kind: 'invite', from: 'alice', to: 'comrades', body: { event } }))).toBe('MALFORMED');
    // EVT-12: an answer to an anonymous host is addressed to comrades (sealed to the event's one-time key).
    expect(createLetter({ kind: 'rsvp', from: 'bob', to: 'comrades', body: { eid: event.eid, answer: 'yes' } }).to).toBe('comrades');
    expect(createLetter({ kind: 'rsvp', from: 'bob', to: 'alice', body: { eid: event.eid, answer: 'no' } }).body.answer).toBe('no');
  });

  it('EVT-5 an invitation holds exactly one of an event and a collective', async () => {
    const inv = (body: unknown) => codeOf(() => createLetter({ kind: 'invite', from: 'alice', to: 'bob', body: body as { event: EventBody } }));
    expect(await inv({ event, collective: new Uint8Array(4) })).toBe('MALFORMED');
    expect(await inv({})).toBe('MALFORMED');
    expect(await inv({ collective: new Uint8Array(MAX_INVITE_KEYS_BYTES + 1) })).toBe('TOO_LARGE');
  });

  it('EVT-7 POST-3 a world event opens as a world letter; a reader of posts refuses it; sealed to one comrade it is WRONG_RECIPIENT', async () => {
    const alice = KeyPair.generate();
    const key = SymmetricKey.generate();
    const letter = createLetter({ kind: 'event', from: 'alice', body: event });
    const sealed = sealPost(letter, alice, key, 20_000);
    const opened = await openWorldLetter(sealed, () => key, { name: 'alice', key: alice.publicKey });
    expect(opened.letter).toEqual(letter);
    expect(await codeOf(() => openPost(sealed, () => key, { name: 'alice', key: alice.publicKey }))).toBe('MALFORMED');
    // An event is addressed to comrades: whoever it is sealed to, it is not for them.
    const operator = KeyPair.generate();
    const bob = KeyPair.generate();
    const toBob = sealLetter(letter, alice, bob.publicKey, signStatement(operator.privateKey, 'alice', alice.publicKey, Date.now()));
    expect(await codeOf(() => openSealedLetter(toBob, { name: 'bob', keys: bob }, operator.publicKey))).toBe('WRONG_RECIPIENT');
  });

  it('EVT-14 a collective post carries an event as {event}; beside it nothing; encoders check as decoders do', async () => {
    const base = { col: 'portland', epoch: 1, by: 'alice', at: 1_764_000_000, id: new Uint8Array(16).fill(3) };
    const post = createCollectivePost({ ...base, body: { event } });
    expect(decodeCollectivePost(encodeCollectivePost(post))).toEqual(post);
    expect(await codeOf(() => createCollectivePost({ ...base, body: { event: { ...event, end: START } } }))).toBe('MALFORMED');
    const withText = encode({ v: 1, ctx: 'comrad/collective/post', col: 'portland', epoch: 1, by: 'alice', at: base.at, id: base.id, body: { event: { ...event }, text: 'and a text' } });
    expect(await codeOf(() => decodeCollectivePost(withText))).toBe('MALFORMED');
    // A text body is read as before.
    expect(decodeCollectivePost(encodeCollectivePost(createCollectivePost({ ...base, body: { text: 'hi' } }))).body).toEqual({ text: 'hi' });
  });

  it('EVT-17 a proof of hosting checks only under the event\'s one-time key, for its event, host and reader', () => {
    const oneTime = KeyPair.generate();
    const proof = proveHosting(oneTime, event.eid, 'alice', 'bob');
    expect(checkHosting(proof, oneTime.publicKey, event.eid, 'alice', 'bob')).toBe(true);
    expect(checkHosting(proof, KeyPair.generate().publicKey, event.eid, 'alice', 'bob')).toBe(false);
    expect(checkHosting(proof, oneTime.publicKey, new Uint8Array(16), 'alice', 'bob')).toBe(false);
    expect(checkHosting(proof, oneTime.publicKey, event.eid, 'mallory', 'bob')).toBe(false);
    expect(checkHosting(proof, oneTime.publicKey, event.eid, 'alice', 'carol')).toBe(false);
    expect(checkHosting(new Uint8Array(30), oneTime.publicKey, event.eid, 'alice', 'bob')).toBe(false);
    const flipped = proof.slice();
    flipped[flipped.length - 3]! ^= 1;
    expect(checkHosting(flipped, oneTime.publicKey, event.eid, 'alice', 'bob')).toBe(false);
  });
});
