/**
 * Writes `spec/vectors/events.json` and `spec/vectors/anon-events.json` (spec/14-events.md, EVT-*).
 * Skipped unless MAKE_VECTORS=1:
 *
 *     MAKE_VECTORS=1 npx vitest run spec/scripts/make-event-vectors.test.ts
 *
 * Letters are plain msgpack with fixed ids and times, so the file is the same on every run.
 * `spec/test/event-vectors.test.ts` checks the committed file against the code.
 */
import { it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KeyPair, SymmetricKey, cellSeal, concatBytes, encode, fromHex, ready, sign, toHex, utf8 } from '@comrad/core';
import {
  MAX_EVENT_NOTE_CHARS,
  MAX_EVENT_SECONDS,
  MAX_EVENT_TITLE_CHARS,
  MAX_EVENT_WHERE_CHARS,
  MAX_INVITE_KEYS_BYTES,
  MAX_HOST_PROOF_BYTES,
  anonEventsKey,
  deriveChannel,
  encodeLetter,
  pad,
  sealAnonEvent,
  type Letter,
} from '@comrad/core/envelope';
import { letterToJson } from './vector-format.js';

const GENERATOR = 'MAKE_VECTORS=1 npx vitest run spec/scripts/make-event-vectors.test.ts';
const AT = 1_764_000_000;
const ID = fromHex('01'.repeat(16));
const EID = fromHex('3f2a9c01aabbccddeeff00112233a5a5');
const START = 1_764_612_000; // 2025-12-01 18:00 UTC
const event = { eid: EID, title: 'Tenants assembly', start: START, end: START + 7200, where: 'Library hall, 2nd floor', note: 'Bring the rent notices.\nChildren welcome.' };
/** Stands for a collective's keys map (COL-25): the envelope only bounds it; the collective code reads it. */
const KEYS = fromHex('85a3637478b7636f6d7261642f636f6c6c6563746976652f6b657973');

const head = (kind: string, from: string, to: string) => ({ v: 1, kind, from, to, at: AT, id: ID });
const eventLetter = { ...head('event', 'alice', 'comrades'), body: event } as Letter;
const inviteEvent = { ...head('invite', 'alice', 'bob'), body: { event } } as Letter;
const inviteCollective = { ...head('invite', 'alice', 'bob'), body: { collective: KEYS } } as Letter;
const rsvp = { ...head('rsvp', 'bob', 'alice'), body: { eid: EID, answer: 'maybe' } } as Letter;

/** A letter map with `body` (or the head's fields) replaced, encoded by the general msgpack writer. */
function raw(base: { kind: string; from: string; to: string }, body: unknown, extra: Record<string, unknown> = {}): string {
  return toHex(encode({ ...head(base.kind, base.from, base.to), ...extra, body }));
}

it.skipIf(process.env.MAKE_VECTORS !== '1')('writes spec/vectors/events.json', async () => {
  const valid = [
    ['an event for the world', ['EVT-1', 'EVT-2', 'EVT-3', 'EVT-4', 'EVT-7'], eventLetter],
    ['an invitation to an event', ['EVT-5', 'EVT-7'], inviteEvent],
    ['an invitation to a collective', ['EVT-5', 'COL-26'], inviteCollective],
    ['an invitation with a proof of hosting', ['EVT-5', 'EVT-17'], { ...inviteEvent, body: { event, proof: fromHex('20260426' + 'ab'.repeat(40)) } } as Letter],
    ['an answer', ['EVT-6', 'EVT-7'], rsvp],
    ['an answer to an anonymous host', ['EVT-6', 'EVT-12'], { ...rsvp, to: 'comrades' } as Letter],
    ['an event at its bounds', ['EVT-3', 'EVT-4'], { ...eventLetter, body: { ...event, title: 't'.repeat(MAX_EVENT_TITLE_CHARS), where: 'w'.repeat(MAX_EVENT_WHERE_CHARS), note: 'n'.repeat(MAX_EVENT_NOTE_CHARS), end: START + MAX_EVENT_SECONDS } } as Letter],
    ['an event with an empty note', ['EVT-3'], { ...eventLetter, body: { ...event, note: '' } } as Letter],
  ].map(([name, rules, letter]) => ({ name, rules, hex: toHex(encodeLetter(letter as Letter)), letter: letterToJson(letter as Letter) }));

  const ev = eventLetter as { kind: string; from: string; to: string };
  const inv = inviteEvent as { kind: string; from: string; to: string };
  const rs = rsvp as { kind: string; from: string; to: string };
  const invalid: { name: string; rules: string[]; error: string; hex: string }[] = [
    ['an event id of 15 bytes', ['EVT-2'], 'MALFORMED', raw(ev, { ...event, eid: EID.subarray(1) })],
    ['an event id of 17 bytes', ['EVT-2'], 'TOO_LARGE', raw(ev, { ...event, eid: new Uint8Array(17) })],
    ['an event without a place', ['EVT-2'], 'MALFORMED', raw(ev, { eid: EID, title: event.title, start: START, end: START + 60, note: '' })],
    ['an event with an unknown field', ['EVT-2'], 'MALFORMED', raw(ev, { ...event, host: 'alice' })],
    ['a title one code point too long', ['EVT-3'], 'TOO_LARGE', raw(ev, { ...event, title: 't'.repeat(MAX_EVENT_TITLE_CHARS + 1) })],
    ['an empty title', ['EVT-3'], 'MALFORMED', raw(ev, { ...event, title: '' })],
    ['a blank title', ['EVT-3'], 'MALFORMED', raw(ev, { ...event, title: '   ' })],
    ['a title on two lines', ['EVT-3'], 'MALFORMED', raw(ev, { ...event, title: 'Assembly\nCANCELLED' })],
    ['a place with a bidi override', ['EVT-3'], 'MALFORMED', raw(ev, { ...event, where: 'Library \u202ellah' })],
    ['a place one code point too long', ['EVT-3'], 'TOO_LARGE', raw(ev, { ...event, where: 'w'.repeat(MAX_EVENT_WHERE_CHARS + 1) })],
    ['a note one code point too long', ['EVT-3'], 'TOO_LARGE', raw(ev, { ...event, note: 'n'.repeat(MAX_EVENT_NOTE_CHARS + 1) })],
    ['a note with an escape character', ['EVT-3'], 'MALFORMED', raw(ev, { ...event, note: 'ring \u001b[2J' })],
    ['an end before the start', ['EVT-4'], 'MALFORMED', raw(ev, { ...event, end: START - 1 })],
    ['an end equal to the start', ['EVT-4'], 'MALFORMED', raw(ev, { ...event, end: START })],
    ['an event longer than 30 days', ['EVT-4'], 'MALFORMED', raw(ev, { ...event, end: START + MAX_EVENT_SECONDS + 1 })],
    ['a start beyond 2^32-1', ['EVT-4'], 'MALFORMED', raw(ev, { ...event, start: 2 ** 32, end: 2 ** 32 + 60 })],
    ['a negative start', ['EVT-4'], 'MALFORMED', raw(ev, { ...event, start: -1 })],
    ['an invitation with both an event and a collective', ['EVT-5'], 'MALFORMED', raw(inv, { event, collective: KEYS })],
    ['an invitation with neither', ['EVT-5'], 'MALFORMED', raw(inv, {})],
    ['an invitation with an empty collective', ['EVT-5'], 'MALFORMED', raw(inv, { collective: new Uint8Array(0) })],
    ['a proof of hosting with a collective', ['EVT-17'], 'MALFORMED', raw(inv, { collective: KEYS, proof: new Uint8Array(8) })],
    ['a proof of hosting too large', ['EVT-17'], 'TOO_LARGE', raw(inv, { event, proof: new Uint8Array(MAX_HOST_PROOF_BYTES + 1) })],
    ['an empty proof of hosting', ['EVT-17'], 'MALFORMED', raw(inv, { event, proof: new Uint8Array(0) })],
    ['an invitation with a collective too large', ['EVT-5'], 'TOO_LARGE', raw(inv, { collective: new Uint8Array(MAX_INVITE_KEYS_BYTES + 1) })],
    ['an invitation to an event that is not one', ['EVT-5', 'EVT-4'], 'MALFORMED', raw(inv, { event: { ...event, end: START } })],
    ['an answer that is not yes, no or maybe', ['EVT-6'], 'MALFORMED', raw(rs, { eid: EID, answer: 'perhaps' })],
    ['an answer without an event id', ['EVT-6'], 'MALFORMED', raw(rs, { answer: 'yes' })],
    ['an event addressed to one comrade', ['EVT-7'], 'MALFORMED', raw({ ...ev, to: 'bob' }, event)],
    ['an invitation addressed to the world', ['EVT-7'], 'MALFORMED', raw({ ...inv, to: 'comrades' }, { event })],
    ['an event body under kind rsvp', ['EVT-1', 'EVT-6'], 'MALFORMED', raw(rs, event)],
    ['a text body under kind event', ['EVT-1', 'EVT-2'], 'MALFORMED', raw(ev, { text: 'assembly at 6' })],
  ].map(([name, rules, error, hex]) => ({ name: name as string, rules: rules as string[], error: error as string, hex: hex as string }));
  const doc = {
    spec: '14-events',
    description: 'Letters of the kinds event, invite and rsvp (EVT-*): valid letters with their canonical bytes, and letters each decoder must refuse with the code given',
    generator: GENERATOR,
    valid,
    invalid,
  };
  await writeFile(fileURLToPath(new URL('../vectors/events.json', import.meta.url)), `${JSON.stringify(doc, null, 2)}\n`);
});

/**
 * `spec/vectors/anon-events.json` (EVT-10, EVT-11): anonymous events as channel posts. Keys and Secure
 * Cell IVs are fresh on every run, so the bytes change; what each vector means does not.
 */
it.skipIf(process.env.MAKE_VECTORS !== '1')('writes spec/vectors/anon-events.json', async () => {
  await ready();
  const worldKey = SymmetricKey.generate();
  const channelKey = anonEventsKey(worldKey);
  const oneTime = KeyPair.generate();
  const box = SymmetricKey.generate();
  const context = concatBytes(utf8('comrad/anon-event/v1/'), deriveChannel(channelKey).id);
  const mapOf = (over: Record<string, unknown> = {}) => ({ v: 1, ctx: 'comrad/anon-event', box: box.raw, event: { ...event }, ...over });
  /** A post around `content` (key || signed map), sealed as EVT-11 says. */
  const post = (content: Uint8Array, key = channelKey, version = 1) => concatBytes(Uint8Array.of(version), cellSeal(key, pad(content), context));
  const signedMap = (map: unknown, signer = oneTime) => concatBytes(signer.publicKey.bytes(), sign(signer.privateKey, encode(map)));
  const common = { worldKey: toHex(worldKey.raw) };
  const good = sealAnonEvent(event, oneTime, box, channelKey);
  const valid = [
    { name: 'an anonymous event', rules: ['EVT-10', 'EVT-11'], ...common, post: toHex(good), key: toHex(oneTime.publicKey.bytes()), box: toHex(box.raw), event: { ...event, eid: toHex(event.eid) } },
  ];
  const other = KeyPair.generate();
  const signedByOther = concatBytes(oneTime.publicKey.bytes(), sign(other.privateKey, encode(mapOf())));
  const invalid = [
    ['version 2', ['EVT-11'], 'UNSUPPORTED_VERSION', post(signedMap(mapOf()), channelKey, 2)],
    ['only the version byte', ['EVT-11'], 'TRUNCATED', Uint8Array.of(1)],
    ['sealed under the world key itself, not the channel key', ['EVT-10', 'EVT-11'], 'DECRYPT_FAILED', post(signedMap(mapOf()), worldKey)],
    ['a content no longer than the key', ['EVT-11'], 'TRUNCATED', post(oneTime.publicKey.bytes())],
    ['a key that is no key', ['EVT-11'], 'INVALID_KEY', post(concatBytes(new Uint8Array(45).fill(7), sign(oneTime.privateKey, encode(mapOf()))))],
    ['signed by another key than the one it carries', ['EVT-11'], 'BAD_SIGNATURE', post(signedByOther)],
    ['map version 2', ['EVT-11'], 'UNSUPPORTED_VERSION', post(signedMap(mapOf({ v: 2 })))],
    ['another context', ['EVT-11'], 'MALFORMED', post(signedMap(mapOf({ ctx: 'comrad/collective/post' })))],
    ['a mailbox key of 31 bytes', ['EVT-11'], 'MALFORMED', post(signedMap(mapOf({ box: box.raw.subarray(1) })))],
    ['an unknown field', ['EVT-11'], 'MALFORMED', post(signedMap({ ...mapOf(), host: 'alice' }))],
    ['fields out of order', ['EVT-11'], 'MALFORMED', post(signedMap({ v: 1, box: box.raw, ctx: 'comrad/anon-event', event }))],
    ['a title too long', ['EVT-11', 'EVT-3'], 'TOO_LARGE', post(signedMap(mapOf({ event: { ...event, title: 't'.repeat(MAX_EVENT_TITLE_CHARS + 1) } })))],
    ['an event that ends before it starts', ['EVT-11', 'EVT-4'], 'MALFORMED', post(signedMap(mapOf({ event: { ...event, end: START - 60 } })))],
  ].map(([name, rules, error, bytes]) => ({ name, rules, error, ...common, post: toHex(bytes as Uint8Array) }));
  const doc = {
    spec: '14-events',
    description: 'Anonymous events (EVT-10, EVT-11): channel posts under the key of the day\'s channel of anonymous events (derived from worldKey), each valid one with its one-time key, mailbox key and event; each invalid one with the code openAnonEvent gives',
    generator: GENERATOR,
    valid,
    invalid,
  };
  await writeFile(fileURLToPath(new URL('../vectors/anon-events.json', import.meta.url)), `${JSON.stringify(doc, null, 2)}\n`);
});
