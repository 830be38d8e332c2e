/**
 * Channel posts (CHAN-1..CHAN-5) and anonymous events (EVT-10, EVT-11, EVT-17) at their exact edges: the
 * argument checks before any byte is read, each size bound at its value and one past it, each step of
 * the opening order with the input that fails exactly it, the bytes an opened post hands out, a map
 * signed by the one-time key field by field, and the keys derived against their definitions. Written for
 * a mutation run of `envelope/channel.ts` and `envelope/anon-event.ts`
 * (spec/notes/2026-11-29-mutation-testing.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ready, cellSeal, concatBytes, encode, sign, toHex, utf8, KeyPair, PublicKey, SymmetricKey } from '@comrad/core';
import {
  ANON_KEY_BYTES,
  MAX_CHANNEL_POST_BYTES,
  anonEventsKey,
  channelIdOf,
  checkHosting,
  createLetter,
  deriveChannel,
  openAnonEvent,
  openChannelPost,
  pad,
  proveHosting,
  sealAnonEvent,
  sealChannelPost,
  type EventBody,
  type Letter,
} from '@comrad/core/envelope';
import { MAX_SIGNED_LETTER_BYTES } from '../src/limits.js';
import { Keymaker } from '@comrad/core/keymaker';
import { testOperator } from '@comrad/test-kit/core/envelope';
import { codeOf, msgpackMap } from '@comrad/test-kit/core/garbage';

let alice: Keymaker;
let operator: ReturnType<typeof testOperator>;
let key: SymmetricKey;
let post: Letter;
let oneTime: KeyPair;
let box: SymmetricKey;
let worldKey: SymmetricKey;
let anonKey: SymmetricKey;

const START = 1_764_612_000;
const event: EventBody = { eid: new Uint8Array(16).fill(7), title: 'Tenants assembly', start: START, end: START + 7200, where: 'Library hall', note: '' };

beforeAll(async () => {
  await ready({ backend: 'wasm' });
  alice = Keymaker.generate('alice');
  operator = testOperator();
  key = SymmetricKey.generate();
  post = createLetter({ kind: 'post', from: 'alice', body: { text: 'only for the circle' } });
  oneTime = KeyPair.generate();
  box = SymmetricKey.generate();
  worldKey = SymmetricKey.generate();
  anonKey = anonEventsKey(worldKey);
});

describe('CHAN-1 CHAN-3 channels: addresses and sealing', () => {
  it('CHAN-1 a capability that is not bytes is MALFORMED, even of the right length; a key that is no SymmetricKey is a TypeError', async () => {
    expect(await codeOf(() => channelIdOf(Array.from({ length: 32 }, () => 1) as unknown as Uint8Array))).toBe('MALFORMED');
    expect(await codeOf(() => channelIdOf('c'.repeat(32) as unknown as Uint8Array))).toBe('MALFORMED');
    expect(channelIdOf(new Uint8Array(32))).toHaveLength(32);
    expect(() => deriveChannel(key.bytes() as unknown as SymmetricKey)).toThrow(TypeError);
    expect(() => deriveChannel(lookalike(key))).toThrow(TypeError);
  });

  it('CHAN-3 sealChannelPost: an author that is not a KeyPair, a key that is not a SymmetricKey are TypeErrors; a bad letter gives its code', async () => {
    const statement = operator.statementOf('alice', alice.publicKey);
    expect(() => sealChannelPost(post, alice.keys.privateKey as unknown as KeyPair, statement, key)).toThrow(TypeError);
    expect(() => sealChannelPost(post, alice.keys, statement, key.bytes() as unknown as SymmetricKey)).toThrow(TypeError);
    expect(await codeOf(() => sealChannelPost({ ...post, from: 'Alice' }, alice.keys, statement, key))).toBe('INVALID_NAME');
    // The arguments are checked before the letter.
    expect(() => sealChannelPost({ ...post, from: 'Alice' }, alice.keys, statement, lookalike(key))).toThrow(TypeError);
    expect(() => sealChannelPost({ ...post, from: 'Alice' }, alice.keys.privateKey as unknown as KeyPair, statement, key)).toThrow(TypeError);
  });
});

describe('CHAN-5 opening a channel post', () => {
  it('CHAN-5 the arguments are checked before the bytes: a key or an Operator key of another type is a TypeError', async () => {
    const junk = new Uint8Array(0);
    await expect(openChannelPost(junk, key.bytes() as unknown as SymmetricKey, operator.keys.publicKey)).rejects.toThrow(TypeError);
    await expect(openChannelPost(junk, key, operator.keys.publicKey.bytes() as unknown as PublicKey)).rejects.toThrow(TypeError);
  });

  it('CHAN-5 step 1: not bytes MALFORMED; MAX_CHANNEL_POST_BYTES goes on to the cell, one byte more is TOO_LARGE', async () => {
    const open = (b: Uint8Array) => openChannelPost(b, key, operator.keys.publicKey);
    expect(await codeOf(() => open([1, 2, 3] as unknown as Uint8Array))).toBe('MALFORMED');
    const largest = new Uint8Array(MAX_CHANNEL_POST_BYTES);
    largest[0] = 1;
    expect(await codeOf(() => open(largest))).toBe('DECRYPT_FAILED');
    const over = new Uint8Array(MAX_CHANNEL_POST_BYTES + 1);
    over[0] = 1;
    expect(await codeOf(() => open(over))).toBe('TOO_LARGE');
  });

  it('CHAN-5 an opened post hands out its own copies of the signed letter and the statement, and the statement\'s time', async () => {
    const statement = operator.statementOf('alice', alice.publicKey);
    const opened = await openChannelPost(sealChannelPost(post, alice.keys, statement, key), key, operator.keys.publicKey);
    for (const part of [opened.signed, opened.statement]) {
      expect(part.byteOffset).toBe(0);
      expect(part.buffer.byteLength).toBe(part.length);
    }
    expect(toHex(opened.statement)).toBe(toHex(statement));
    expect(opened.statementAt).toBe(1_764_000_000_000);
  });
});

/** An anonymous event made by hand as EVT-11 says, around any padded content. */
const anonRaw = (content: Uint8Array, k = anonKey) => concatBytes(Uint8Array.of(1), cellSeal(k, pad(content), concatBytes(utf8('comrad/anon-event/v1/'), deriveChannel(k).id)));
/** The content EVT-11 signs: the one-time key, then the signed map. */
const signedMap = (map: Uint8Array, by = oneTime) => concatBytes(by.publicKey.bytes(), sign(by.privateKey, map));
const anonMap = (over: Record<string, unknown> = {}) => encode({ v: 1, ctx: 'comrad/anon-event', box: box.bytes(), event, ...over });
const openCode = (bytes: Uint8Array) => codeOf(() => openAnonEvent(bytes, anonKey));
/** Something shaped like a key (it has the bytes where a key keeps them) that is not one: refused all the same. */
const lookalike = <T>(k: { raw: Uint8Array; bytes(): Uint8Array }) => ({ raw: k.raw, bytes: () => k.bytes() }) as unknown as T;

describe('EVT-10 EVT-11 anonymous events', () => {
  it('EVT-10 the channel key of an epoch is HMAC-SHA-256 of the world key over comrad/anon-events/v1; a world key of another type is a TypeError', () => {
    expect(toHex(anonKey.bytes())).toBe(toHex(hmac(sha256, worldKey.bytes(), utf8('comrad/anon-events/v1'))));
    expect(() => anonEventsKey(worldKey.bytes() as unknown as SymmetricKey)).toThrow(TypeError);
    expect(() => anonEventsKey(lookalike(worldKey))).toThrow(TypeError);
  });

  it('EVT-11 sealAnonEvent: each argument of another type is a TypeError; an event that breaks EVT-4 is MALFORMED before anything is sealed', async () => {
    expect(() => sealAnonEvent(event, oneTime.privateKey as unknown as KeyPair, box, anonKey)).toThrow(TypeError);
    expect(() => sealAnonEvent(event, oneTime, box.bytes() as unknown as SymmetricKey, anonKey)).toThrow(TypeError);
    expect(() => sealAnonEvent(event, oneTime, box, anonKey.bytes() as unknown as SymmetricKey)).toThrow(TypeError);
    expect(await codeOf(() => sealAnonEvent({ ...event, end: START }, oneTime, box, anonKey))).toBe('MALFORMED');
    // The arguments are checked before the event.
    const bad = { ...event, end: START };
    expect(() => sealAnonEvent(bad, oneTime.privateKey as unknown as KeyPair, box, anonKey)).toThrow(TypeError);
    expect(() => sealAnonEvent(bad, oneTime, lookalike(box), anonKey)).toThrow(TypeError);
    expect(() => sealAnonEvent(bad, oneTime, box, lookalike(anonKey))).toThrow(TypeError);
  });

  it('EVT-11 a sealed event starts with its version and opens to the event, the one-time key and the mailbox key', () => {
    const sealed = sealAnonEvent(event, oneTime, box, anonKey);
    expect(sealed[0]).toBe(1);
    const opened = openAnonEvent(sealed, anonKey);
    expect(opened.event).toEqual(event);
    expect(opened.key.equals(oneTime.publicKey)).toBe(true);
    expect(toHex(opened.box.bytes())).toBe(toHex(box.bytes()));
    // Made by hand the way EVT-11 says, it opens the same.
    expect(openAnonEvent(anonRaw(signedMap(anonMap())), anonKey).event).toEqual(event);
  });

  it('EVT-11 step 1: a channel key of another type is a TypeError before the bytes; the size bound at its value and one past it', async () => {
    expect(() => openAnonEvent(new Uint8Array(0), anonKey.bytes() as unknown as SymmetricKey)).toThrow(TypeError);
    expect(await openCode([1, 2] as unknown as Uint8Array)).toBe('MALFORMED');
    expect(await openCode(new Uint8Array(0))).toBe('TRUNCATED');
    expect(await openCode(Uint8Array.of(1))).toBe('TRUNCATED');
    const largest = new Uint8Array(MAX_CHANNEL_POST_BYTES);
    largest[0] = 1;
    expect(await openCode(largest)).toBe('DECRYPT_FAILED');
    const over = new Uint8Array(MAX_CHANNEL_POST_BYTES + 1);
    over[0] = 1;
    expect(await openCode(over)).toBe('TOO_LARGE');
  });

  it('EVT-11 the content: shorter than a key TRUNCATED; a signed part of MAX_SIGNED_LETTER_BYTES goes on to the signature, one byte more is TOO_LARGE', async () => {
    expect(await openCode(anonRaw(new Uint8Array(1)))).toBe('TRUNCATED');
    expect(await openCode(anonRaw(oneTime.publicKey.bytes().subarray(0, ANON_KEY_BYTES - 1)))).toBe('TRUNCATED');
    expect(await openCode(anonRaw(oneTime.publicKey.bytes()))).toBe('TRUNCATED');
    // Exactly a key's length is too short whatever the bytes: TRUNCATED before they are read as a key.
    expect(await openCode(anonRaw(new Uint8Array(ANON_KEY_BYTES)))).toBe('TRUNCATED');
    expect(await openCode(anonRaw(new Uint8Array(ANON_KEY_BYTES + 1)))).toBe('INVALID_KEY');
    const key45 = oneTime.publicKey.bytes();
    expect(await openCode(anonRaw(concatBytes(key45, new Uint8Array(MAX_SIGNED_LETTER_BYTES))))).toBe('BAD_SIGNATURE');
    expect(await openCode(anonRaw(concatBytes(key45, new Uint8Array(MAX_SIGNED_LETTER_BYTES + 1))))).toBe('TOO_LARGE');
  });

  it('EVT-11 the signed map, field by field: a map, an integer version, the context bounded and exact, a 32-byte box, an event', async () => {
    expect(await openCode(anonRaw(signedMap(encode([1, 'comrad/anon-event']))))).toBe('MALFORMED');
    for (const value of [null, 1, 'comrad/anon-event', new Uint8Array(4)]) expect(await openCode(anonRaw(signedMap(encode(value)))), String(value)).toBe('MALFORMED');
    expect(await openCode(anonRaw(signedMap(anonMap({ v: '1' }))))).toBe('MALFORMED');
    expect(await openCode(anonRaw(signedMap(anonMap({ v: undefined }))))).toBe('MALFORMED');
    expect(await openCode(anonRaw(signedMap(anonMap({ v: 2, extra: 1 }))))).toBe('UNSUPPORTED_VERSION');
    expect(await openCode(anonRaw(signedMap(anonMap({ ctx: 'c'.repeat(65) }))))).toBe('TOO_LARGE');
    expect(await openCode(anonRaw(signedMap(anonMap({ ctx: 'c'.repeat(64) }))))).toBe('MALFORMED');
    expect(await openCode(anonRaw(signedMap(anonMap({ ctx: 'comrad/anon-event/host' }))))).toBe('MALFORMED');
    expect(await openCode(anonRaw(signedMap(anonMap({ box: new Uint8Array(33) }))))).toBe('TOO_LARGE');
    expect(await openCode(anonRaw(signedMap(anonMap({ event: { ...event, title: '' } }))))).toBe('MALFORMED');
    expect(await openCode(anonRaw(signedMap(anonMap({ event: { ...event, where: 'w'.repeat(201) } }))))).toBe('TOO_LARGE');
  });

  it('EVT-11 ENC-2 a map in a longer integer form than needed is not canonical: MALFORMED', async () => {
    const parts = (v: Uint8Array): [string, Uint8Array][] => [
      ['v', v],
      ['ctx', encode('comrad/anon-event')],
      ['box', encode(box.bytes())],
      ['event', encode(event)],
    ];
    expect(await openCode(anonRaw(signedMap(msgpackMap(parts(encode(1))))))).toBe('ok');
    expect(await openCode(anonRaw(signedMap(msgpackMap(parts(Uint8Array.of(0xcc, 1))))))).toBe('MALFORMED');
  });
});

describe('EVT-17 proof of hosting', () => {
  it('EVT-17 a one-time key or a key of another type is a TypeError; arguments that cannot be encoded are not swallowed as a false', () => {
    expect(() => proveHosting(oneTime.privateKey as unknown as KeyPair, event.eid, 'alice', 'bob')).toThrow(TypeError);
    const proof = proveHosting(oneTime, event.eid, 'alice', 'bob');
    expect(() => checkHosting(proof, oneTime.publicKey.bytes() as unknown as PublicKey, event.eid, 'alice', 'bob')).toThrow(TypeError);
    expect(() => checkHosting(proof, oneTime.publicKey, event.eid, 1.5 as unknown as string, 'bob')).toThrow(TypeError);
    // A proof is the one-time key's signature over the map EVT-17 names.
    expect(checkHosting(sign(oneTime.privateKey, encode({ ctx: 'comrad/anon-event/host', eid: event.eid, host: 'alice', to: 'bob' })), oneTime.publicKey, event.eid, 'alice', 'bob')).toBe(true);
  });
});
