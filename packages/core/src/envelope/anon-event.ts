/**
 * Anonymous events (EVT-10..EVT-13, EVT-17): an event signed by a one-time key that nothing links to its host,
 * posted without login to the world's channel of anonymous events for the day, where every registered
 * comrade can read it; answers go to a one-time mailbox, a channel whose key the event carries, sealed to
 * the one-time key so only the host opens them.
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ProtocolError } from '../errors.js';
import { bytesEqual, concatBytes, utf8 } from '../bytes.js';
import { decode, encode } from '../codec/msgpack.js';
import { Fields } from '../codec/fields.js';
import { checkSigned } from '../crypto/_framing.js';
import { cellOpen, cellSeal, sign, verify } from '../crypto/operations.js';
import { KeyPair, PublicKey, SymmetricKey } from '../crypto/keys.js';
import { MAX_SIGNED_LETTER_BYTES } from '../limits.js';
import { deriveChannel, MAX_CHANNEL_POST_BYTES } from './channel.js';
import { eventBodyToMap, readEventBody, type EventBody } from './event.js';
import { pad, unpad } from './padding.js';
import { checkHeader } from './_opening.js';

/** EVT-11: the first byte of an anonymous event. */
export const ANON_EVENT_VERSION = 1;

/** EVT-11: bytes of the one-time public key before the signed map (KEY-1, compressed). */
export const ANON_KEY_BYTES = 45;

/** EVT-10: bytes of a mailbox key. */
export const MAILBOX_KEY_BYTES = 32;

/** EVT-10: what the world key of an epoch is keyed with to give that day's channel of anonymous events. */
const CHANNEL_LABEL = utf8('comrad/anon-events/v1');
const CTX = 'comrad/anon-event';
const FIELDS = ['v', 'ctx', 'box', 'event'] as const;

/** An anonymous event as a reader opens it. */
export interface AnonEvent {
  readonly event: EventBody;
  /** The one-time key that signed it: answers are sealed to it (EVT-12), and it proves hosting (EVT-13). */
  readonly key: PublicKey;
  /** The key of the one-time mailbox channel where answers go (EVT-12). */
  readonly box: SymmetricKey;
}

/**
 * EVT-10: the key of the channel of anonymous events of an epoch: HMAC-SHA-256 keyed with that epoch's
 * world key (FEED-2) over `comrad/anon-events/v1`. Every registered comrade derives it; so does the Operator,
 * which holds the world keys: an anonymous event is public, only its host is hidden.
 * @param worldKey - the world key of the epoch
 * @example `const { id } = deriveChannel(anonEventsKey(worldKey))`
 */
export function anonEventsKey(worldKey: SymmetricKey): SymmetricKey {
  if (!(worldKey instanceof SymmetricKey)) throw new TypeError('worldKey must be a SymmetricKey');
  const raw = hmac(sha256, worldKey.raw, CHANNEL_LABEL);
  try {
    return SymmetricKey.from(raw);
  } finally {
    raw.fill(0);
  }
}

/**
 * EVT-11: signs an event with the one-time key and seals it for the channel of `channelKey`:
 * `0x01 || SecureCell(channelKey, pad(key || sign(oneTime, {v, ctx, box, event})), "comrad/anon-event/v1/" || id)`.
 * @param event - the event (EVT-2..EVT-4)
 * @param oneTime - a key pair made for this event only, never registered, never used again
 * @param box - the mailbox key (32 random bytes)
 * @param channelKey - {@link anonEventsKey} of the epoch it is posted in
 * @returns a channel post (CHAN-7 takes it as opaque bytes)
 * @throws ProtocolError when the event breaks EVT-2..EVT-4
 * @example `const post = sealAnonEvent(event, KeyPair.generate(), SymmetricKey.generate(), anonEventsKey(worldKey))`
 */
export function sealAnonEvent(event: EventBody, oneTime: KeyPair, box: SymmetricKey, channelKey: SymmetricKey): Uint8Array {
  if (!(oneTime instanceof KeyPair)) throw new TypeError('oneTime must be a KeyPair');
  if (!(box instanceof SymmetricKey) || !(channelKey instanceof SymmetricKey)) throw new TypeError('box and channelKey must be SymmetricKeys');
  const map = { v: ANON_EVENT_VERSION, ctx: CTX, box: box.raw, event: eventBodyToMap(event) };
  readMap(map);
  const padded = pad(concatBytes(oneTime.publicKey.bytes(), sign(oneTime.privateKey, encode(map))));
  try {
    return concatBytes(Uint8Array.of(ANON_EVENT_VERSION), cellSeal(channelKey, padded, context(channelKey)));
  } finally {
    padded.fill(0);
  }
}

/**
 * EVT-11: opens an anonymous event, in this order: size and version, the cell, the padding, the one-time
 * key, the signature under it (before a byte of the map is decoded), the map, the event.
 * @param bytes - a post of the channel of `channelKey`
 * @param channelKey - {@link anonEventsKey} of the epoch
 * @throws ProtocolError TOO_LARGE, TRUNCATED, UNSUPPORTED_VERSION, DECRYPT_FAILED, BAD_PADDING, INVALID_KEY,
 *   MALFORMED, BAD_SIGNATURE, TRAILING_BYTES, and the event's codes
 * @example `const { event, key, box } = openAnonEvent(post, anonEventsKey(worldKey))`
 */
export function openAnonEvent(bytes: Uint8Array, channelKey: SymmetricKey): AnonEvent {
  if (!(channelKey instanceof SymmetricKey)) throw new TypeError('channelKey must be a SymmetricKey');
  checkHeader(bytes, 'anonymous event', ANON_EVENT_VERSION, 1, MAX_CHANNEL_POST_BYTES);
  if (bytes.length === 1) throw new ProtocolError('TRUNCATED', 'anonymous event without its cell');
  const content = unpad(cellOpen(channelKey, bytes.subarray(1), context(channelKey)));
  if (content.length <= ANON_KEY_BYTES) throw new ProtocolError('TRUNCATED', 'anonymous event shorter than its key and signature');
  const keyBytes = content.subarray(0, ANON_KEY_BYTES);
  const key = PublicKey.from(keyBytes);
  // EVT-11: one key, one encoding (compressed), so no two readers see one event under two keys.
  if (!bytesEqual(key.raw, keyBytes)) throw new ProtocolError('MALFORMED', 'the one-time key is not in its compressed form');
  const signed = content.subarray(ANON_KEY_BYTES);
  if (signed.length > MAX_SIGNED_LETTER_BYTES) throw new ProtocolError('TOO_LARGE', `a signed anonymous event exceeds ${MAX_SIGNED_LETTER_BYTES} bytes`);
  checkSigned(signed);
  // SIG-3 as for letters: the signature is checked before anything it covers is decoded.
  const message = verify(key, signed);
  const map = decode(message, MAX_SIGNED_LETTER_BYTES);
  const { box, event } = readMap(map);
  if (!bytesEqual(encode({ v: ANON_EVENT_VERSION, ctx: CTX, box, event: eventBodyToMap(event) }), message)) {
    throw new ProtocolError('MALFORMED', 'anonymous event is not in canonical form');
  }
  return { event, key, box: SymmetricKey.from(box) };
}

function context(channelKey: SymmetricKey): Uint8Array {
  return concatBytes(utf8('comrad/anon-event/v1/'), deriveChannel(channelKey).id);
}

/** EVT-11: the map's version first, then its fields in order. */
function readMap(value: unknown): { box: Uint8Array; event: EventBody } {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolError('MALFORMED', 'anonymous event must be a map');
  }
  const v = (value as Record<string, unknown>).v;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ProtocolError('MALFORMED', 'anonymous event.v must be an integer');
  if (v !== ANON_EVENT_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `anonymous event version ${v} is not supported`);
  const f = Fields.of(value, 'anonymous event', FIELDS);
  if (f.str('ctx', { max: 64 }) !== CTX) throw new ProtocolError('MALFORMED', `anonymous event.ctx must be ${CTX}`);
  const box = f.bytes('box', { min: MAILBOX_KEY_BYTES, max: MAILBOX_KEY_BYTES }).slice();
  return { box, event: readEventBody(f.raw('event'), 'anonymous event.event') };
}

const PROOF_CTX = 'comrad/anon-event/host';

/**
 * EVT-17: the host's proof, for one comrade, that it hosts an anonymous event: a signature by the event's
 * one-time key over `{ctx: "comrad/anon-event/host", eid, host, to}`. Sent inside an invitation from the
 * host (so the letter's verified sender is `host`), it convinces `to` and names nobody else.
 * @param oneTime - the event's one-time key pair
 * @param eid - the event's id
 * @param host - the host's name, as the invitation's `from` will say
 * @param to - the comrade it is for
 * @example `const proof = proveHosting(oneTime, event.eid, 'alice', 'bob')`
 */
export function proveHosting(oneTime: KeyPair, eid: Uint8Array, host: string, to: string): Uint8Array {
  if (!(oneTime instanceof KeyPair)) throw new TypeError('oneTime must be a KeyPair');
  return sign(oneTime.privateKey, encode({ ctx: PROOF_CTX, eid, host, to }));
}

/**
 * EVT-17: whether `proof` shows that `host` hosts the anonymous event `eid` whose one-time key is `key`,
 * for the comrade `to`. False for anything else (another key, another event, host or reader, or bytes
 * that are no signature); never throws for bad bytes.
 * @example `if (checkHosting(proof, anon.key, eid, letter.from, me)) showHost(letter.from)`
 */
export function checkHosting(proof: Uint8Array, key: PublicKey, eid: Uint8Array, host: string, to: string): boolean {
  if (!(key instanceof PublicKey)) throw new TypeError('key must be a PublicKey');
  try {
    checkSigned(proof);
    return bytesEqual(verify(key, proof), encode({ ctx: PROOF_CTX, eid, host, to }));
  } catch (err) {
    if (err instanceof ProtocolError) return false;
    throw err;
  }
}
