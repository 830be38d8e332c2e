import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, decode, encode, KeyPair, ready, sign, toHex } from '@comrad/core';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  EVENT_KINDS,
  GENESIS_PREV,
  MAX_EVENT_BYTES,
  MAX_NOTE_CHARS,
  applyEvent,
  decodeEvent,
  emptyCollective,
  encodeEvent,
  eventId,
  signEvent,
  type CollectiveEvent,
  type EventBody,
} from '@comrad/core/collective';
import { checkTotal, codeOf, encodeAny } from '@comrad/test-kit/core/garbage';
import { LogBuilder, constitutionArb, makeCast, rule, type Cast } from '@comrad/test-kit/core/collective';

let cast: Cast;
let alice: KeyPair;
beforeAll(async () => {
  await ready();
  cast = makeCast();
  alice = cast.keys.get('alice')!;
});

const nameArb = fc.stringMatching(/^[a-z0-9_]{3,32}$/);
const bodyArb: fc.Arbitrary<EventBody> = fc.oneof(
  constitutionArb.map((constitution) => ({ kind: 'propose' as const, constitution })),
  fc.option(fc.string({ maxLength: MAX_NOTE_CHARS, unit: 'grapheme' }), { nil: undefined }).map((note) => (note === undefined ? { kind: 'request' as const } : { kind: 'request' as const, note })),
  fc.record({ kind: fc.constantFrom('vouch' as const, 'admit' as const, 'expel' as const), who: nameArb }),
  fc.record({ kind: fc.constant('vote' as const), proposal: fc.integer({ min: 1, max: 0xffff_ffff }), yes: fc.boolean() }),
  fc.constant({ kind: 'leave' as const }),
);
/** COL-28: a `key` event's own fields; its epoch is drawn as a share of its seq (never after it). */
const keyBodyArb = fc.record({
  share: fc.double({ min: 0, max: 1, noNaN: true }),
  keys: fc.uniqueArray(fc.record({ who: nameArb, sealed: fc.uint8Array({ minLength: 32, maxLength: 128 }) }), { selector: (k) => k.who, minLength: 1, maxLength: 8 }),
});
const eventArb: fc.Arbitrary<CollectiveEvent> = fc.oneof(
  fc
    .record({ col: nameArb, by: nameArb, at: fc.integer({ min: 0, max: 0xffff_ffff }), seq: fc.integer({ min: 1, max: 0xffff_ffff }), prev: fc.uint8Array({ minLength: 32, maxLength: 32 }), body: bodyArb })
    .map(({ body, ...head }) => ({ ...head, ...body }) as CollectiveEvent),
  fc
    .record({ col: nameArb, by: nameArb, at: fc.integer({ min: 0, max: 0xffff_ffff }), seq: fc.integer({ min: 1, max: 0xffff_ffff }), prev: fc.uint8Array({ minLength: 32, maxLength: 32 }), body: keyBodyArb })
    .map(({ body, ...head }) => ({
      ...head,
      kind: 'key' as const,
      epoch: Math.max(1, Math.floor(body.share * head.seq)),
      keys: [...body.keys].sort((a, b) => (a.who < b.who ? -1 : a.who > b.who ? 1 : 0)),
    })),
  fc.record({ col: nameArb, by: nameArb, at: fc.integer({ min: 0, max: 0xffff_ffff }), constitution: constitutionArb }).map((x) => ({ ...x, seq: 0, prev: GENESIS_PREV, kind: 'found' as const })),
);

/** The map of an event with some fields replaced (undefined drops one), written by a general msgpack writer. */
function message(over: Record<string, unknown>): Uint8Array {
  const map: Record<string, unknown> = { v: 1, ctx: 'comrad/collective', col: 'portland', seq: 3, prev: new Uint8Array(32).fill(7), by: 'alice', at: 1_764_000_000, kind: 'vouch', who: 'bob' };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete map[k];
    else map[k] = v;
  }
  return encodeAny(map);
}

/** `n` key copies ([name, 84 bytes]) for names in increasing order. */
function copies(n: number): [string, Uint8Array][] {
  return Array.from({ length: n }, (_, i) => [`member${String(i).padStart(2, '0')}`, new Uint8Array(84).fill(i)]);
}

function signBytes(msg: Uint8Array): Uint8Array {
  // A Themis signature over arbitrary bytes, so the decoder meets every message an attacker can sign.
  return sign(alice.privateKey, msg);
}

describe('collective events: encoding (COL-1..COL-3, COL-6)', () => {
  it('COL-1 COL-2 ENC-2 decode(sign(encode(e))) = e for every valid event; the id is SHA-256 of the canonical message', () => {
    fc.assert(
      fc.property(eventArb, (e) => {
        const msg = encodeEvent(e);
        const d = decodeEvent(signEvent(e, alice.privateKey));
        expect(d.event).toEqual(e);
        expect(toHex(d.message)).toBe(toHex(msg));
        expect(toHex(d.id)).toBe(toHex(sha256(msg)));
        expect(toHex(eventId(msg))).toBe(toHex(d.id));
        expect(toHex(encode(decodeAny(msg)))).toBe(toHex(msg));
      }),
      { numRuns: 200 },
    );
  });

  it('COL-2 the canonical layout: fields in order, shortest forms', () => {
    const msg = encodeEvent({ col: 'portland', seq: 1, prev: new Uint8Array(32), by: 'bob', at: 1_764_000_000, kind: 'request' });
    expect(toHex(msg.subarray(0, 4))).toBe('88a17601'); // a map of 8 fields, "v": 1
    expect(Object.keys(decodeAny(msg) as object)).toEqual(['v', 'ctx', 'col', 'seq', 'prev', 'by', 'at', 'kind']);
  });

  it('the hand-written vouch the invalid cases start from is itself valid', () => {
    expect(decodeEvent(signBytes(message({}))).event).toMatchObject({ kind: 'vouch', who: 'bob', seq: 3 });
  });

  const invalid: [string, string, () => Uint8Array][] = [
    ['COL-1 ENC-4 a signed event above 2048 bytes', 'TOO_LARGE', () => new Uint8Array(MAX_EVENT_BYTES + 1)],
    ['COL-1 CRY-5 shorter than the Themis header', 'TRUNCATED', () => new Uint8Array(8)],
    ['COL-1 CRY-5 not a signed message', 'BAD_SIGNATURE', () => new Uint8Array(64)],
    ['COL-1 ENC-3 bytes after the signature', 'TRAILING_BYTES', () => concatBytes(signBytes(message({})), Uint8Array.of(0))],
    ['COL-1 a message that is not msgpack', 'MALFORMED', () => signBytes(Uint8Array.of(0xc1))],
    ['COL-1 a message above 1920 bytes', 'TOO_LARGE', () => signBytes(message({ pad: new Uint8Array(1920) }))],
    ['COL-2 version 2', 'UNSUPPORTED_VERSION', () => signBytes(message({ v: 2, extra: 1 }))],
    ['COL-2 no version', 'MALFORMED', () => signBytes(message({ v: undefined }))],
    ['COL-2 another context', 'MALFORMED', () => signBytes(message({ ctx: 'comrad/auth/v1' }))],
    ['COL-2 ENC-6 an unknown field', 'MALFORMED', () => signBytes(message({ extra: 1 }))],
    ['COL-2 ENC-5 seq as a string', 'MALFORMED', () => signBytes(message({ seq: '3' }))],
    ['COL-2 ENC-8 seq above 2^32-1', 'MALFORMED', () => signBytes(message({ seq: 2 ** 32 }))],
    ['COL-2 ENC-1 at as a float', 'MALFORMED', () => signBytes(message({ at: 1.5 }))],
    ['COL-2 NAME-1 a collective name in capitals', 'INVALID_NAME', () => signBytes(message({ col: 'Portland' }))],
    ['COL-2 NAME-1 an author name too short', 'INVALID_NAME', () => signBytes(message({ by: 'al' }))],
    ['COL-2 ENC-7 prev of 31 bytes', 'MALFORMED', () => signBytes(message({ prev: new Uint8Array(31) }))],
    ['COL-2 ENC-7 prev of 33 bytes', 'TOO_LARGE', () => signBytes(message({ prev: new Uint8Array(33) }))],
    ['COL-3 an unknown kind', 'UNSUPPORTED_KIND', () => signBytes(message({ kind: 'bless' }))],
    ['COL-3 an unknown kind of 40 characters (a newer kind, not a broken field)', 'UNSUPPORTED_KIND', () => signBytes(message({ kind: 'x'.repeat(40) }))],
    ['COL-3 a kind that is not a string', 'MALFORMED', () => signBytes(message({ kind: 3 }))],
    ['COL-3 a field of another kind', 'MALFORMED', () => signBytes(message({ proposal: 4 }))],
    ['COL-3 a vouch without who', 'MALFORMED', () => signBytes(message({ who: undefined }))],
    ['COL-3 seq 0 that is not found', 'MALFORMED', () => signBytes(message({ seq: 0 }))],
    ['COL-3 found after seq 0', 'MALFORMED', () => signBytes(message({ kind: 'found', who: undefined, constitution: { admit: rule(0), amend: rule(0) } }))],
    ['COL-3 found with a previous event', 'MALFORMED', () => signBytes(message({ seq: 0, kind: 'found', who: undefined, constitution: { admit: rule(0), amend: rule(0) } }))],
    ['COL-3 a note above 280 characters', 'TOO_LARGE', () => signBytes(message({ kind: 'request', who: undefined, note: 'x'.repeat(281) }))],
    ['COL-3 a vote on proposal 0', 'MALFORMED', () => signBytes(message({ kind: 'vote', who: undefined, proposal: 0, yes: true }))],
    ['COL-3 a vote that is not a boolean', 'MALFORMED', () => signBytes(message({ kind: 'vote', who: undefined, proposal: 1, yes: 1 }))],
    ['COL-4 permille above 1000', 'MALFORMED', () => signBytes(message({ kind: 'propose', who: undefined, constitution: { admit: rule(1001), amend: rule(0) } }))],
    ['COL-4 a quorum floor of 0', 'MALFORMED', () => signBytes(message({ kind: 'propose', who: undefined, constitution: { admit: { permille: 0, min: 0, cap: 1 }, amend: rule(0) } }))],
    ['COL-4 a cap below the floor', 'MALFORMED', () => signBytes(message({ kind: 'propose', who: undefined, constitution: { admit: { permille: 0, min: 3, cap: 2 }, amend: rule(0) } }))],
    ['COL-4 a cap above the most members', 'MALFORMED', () => signBytes(message({ kind: 'propose', who: undefined, constitution: { admit: rule(0, 1, 100_001), amend: rule(0) } }))],
    ['COL-4 no amendment rule', 'MALFORMED', () => signBytes(message({ kind: 'propose', who: undefined, constitution: { admit: rule(0) } }))],
    ['COL-4 ENC-2 expel as nil', 'MALFORMED', () => signBytes(message({ kind: 'propose', who: undefined, constitution: { admit: rule(0), amend: rule(0), expel: null } }))],
    ['COL-28 a key event without copies', 'MALFORMED', () => signBytes(message({ kind: 'key', who: undefined, epoch: 1, keys: [] }))],
    ['COL-28 a key event with 15 copies', 'TOO_LARGE', () => signBytes(message({ kind: 'key', who: undefined, epoch: 1, keys: copies(15) }))],
    ['COL-28 a key event for an epoch after itself', 'MALFORMED', () => signBytes(message({ kind: 'key', who: undefined, epoch: 4, keys: copies(1) }))],
    ['COL-28 a key event for epoch 0', 'MALFORMED', () => signBytes(message({ kind: 'key', who: undefined, epoch: 0, keys: copies(1) }))],
    ['COL-28 ENC-2 key copies out of name order', 'MALFORMED', () => signBytes(message({ kind: 'key', who: undefined, epoch: 1, keys: copies(2).reverse() }))],
    ['COL-28 a member named twice', 'MALFORMED', () => signBytes(message({ kind: 'key', who: undefined, epoch: 1, keys: [...copies(1), ...copies(1)] }))],
    ['COL-28 a copy that is not a pair', 'MALFORMED', () => signBytes(message({ kind: 'key', who: undefined, epoch: 1, keys: [['bob']] }))],
    ['COL-28 NAME-1 a copy for a name in capitals', 'INVALID_NAME', () => signBytes(message({ kind: 'key', who: undefined, epoch: 1, keys: [['Bob', new Uint8Array(84)]] }))],
    ['COL-28 a copy of 31 bytes', 'MALFORMED', () => signBytes(message({ kind: 'key', who: undefined, epoch: 1, keys: [['bob', new Uint8Array(31)]] }))],
    ['COL-28 a copy of 129 bytes', 'TOO_LARGE', () => signBytes(message({ kind: 'key', who: undefined, epoch: 1, keys: [['bob', new Uint8Array(129)]] }))],
    ['COL-28 a key event without its epoch', 'MALFORMED', () => signBytes(message({ kind: 'key', who: undefined, keys: copies(1) }))],
    ['COL-2 ENC-2 fields out of order', 'MALFORMED', () => signBytes(reordered())],
    ['COL-2 ENC-2 an integer in a longer form than needed', 'MALFORMED', () => signBytes(longSeq())],
  ];

  for (const [name, want, make] of invalid) {
    it(`${name}: ${want}`, async () => {
      expect(await codeOf(() => decodeEvent(make()))).toBe(want);
      // COL-8: refused by the fold too, with the same code, and nothing changes.
      const s = emptyCollective('portland');
      const r = applyEvent(s, make(), cast.keysOf);
      expect(r.ok ? 'ok' : r.error.code).toBe(want);
    });
  }

  it('COL-7 every mutation of valid events decodes or fails with a ProtocolError; the fold never throws', async () => {
    const log = LogBuilder.founded(cast, { admit: rule(300), amend: rule(500), expel: rule(500) }, ['alice', 'bob']);
    log.ok('carol', { kind: 'request', note: 'hi ✊' });
    log.ok('bob', { kind: 'vouch', who: 'carol' });
    log.ok('alice', { kind: 'propose', constitution: { admit: rule(0), amend: rule(1000) } });
    const seeds = log.events;
    const seen = await checkTotal(decodeEvent, seeds, { numRuns: 400 });
    expect(seen.size).toBeGreaterThan(3);
    const state = log.state;
    await checkTotal(
      (b) => {
        const r = applyEvent(state, b, cast.keysOf);
        if (!r.ok) throw r.error;
      },
      seeds,
      { numRuns: 200 },
    );
  });

  it('COL-3 every kind is covered by the encoder and the decoder', () => {
    expect([...EVENT_KINDS]).toEqual(['found', 'request', 'vouch', 'admit', 'propose', 'vote', 'leave', 'expel', 'key']);
  });
});

const decodeAny = (b: Uint8Array): unknown => decode(b);

/** A valid vouch with `seq` and `col` swapped in the map. */
function reordered(): Uint8Array {
  const m = decode(message({})) as Record<string, unknown>;
  const { v, ctx, col, seq, ...rest } = m;
  return encode({ v, ctx, seq, col, ...rest });
}

/** A valid vouch whose seq 3 is written as uint 32 (`ce 00 00 00 03`). */
function longSeq(): Uint8Array {
  const msg = message({});
  const short = encode('seq').length;
  const at = findSub(msg, concatBytes(encode('seq'), Uint8Array.of(0x03)));
  return concatBytes(msg.subarray(0, at + short), Uint8Array.of(0xce, 0, 0, 0, 3), msg.subarray(at + short + 1));
}

function findSub(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}
