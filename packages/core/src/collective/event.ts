/**
 * Collective events (COL-1..COL-3, COL-6): one signed entry of a collective's append-only log. Each is a
 * Themis signed message by its author over a canonical msgpack map that names the collective, its
 * sequence number and the id of the event before it, so a forged, replayed or reordered entry cannot
 * pass for a link of the chain.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ProtocolError } from '../errors.js';
import { bytesEqual } from '../bytes.js';
import { decode, encode } from '../codec/msgpack.js';
import { Fields } from '../codec/fields.js';
import { checkSigned } from '../crypto/_framing.js';
import { sign, verify } from '../crypto/operations.js';
import type { PrivateKey, PublicKey } from '../crypto/keys.js';
import { checkName, readNameField } from '../envelope/name.js';
import { constitutionToMap, readConstitution, type Constitution } from './constitution.js';

/** COL-2: the version this implementation speaks. */
export const EVENT_VERSION = 1;
/** COL-2: the context string in every event, so no other signature by an identity key passes for one. */
export const EVENT_CONTEXT = 'comrad/collective';
/** COL-1: the largest signed event: a constitution and a 280-character note fit with room to spare. */
export const MAX_EVENT_BYTES = 2048;
/**
 * COL-1: the largest canonical message inside a signed event; the Themis header and signature add at most
 * 12 + 72 bytes, so a message within this bound always signs to within {@link MAX_EVENT_BYTES}.
 */
export const MAX_EVENT_MESSAGE_BYTES = 1920;
/** COL-3: the longest note a request carries, in code points. */
export const MAX_NOTE_CHARS = 280;
/** COL-6: bytes of an event id (SHA-256). */
export const EVENT_ID_BYTES = 32;
/** COL-2: a `seq` is below 2³² (a log never holds that many events; the codec keeps it one form). */
export const MAX_SEQ = 0xffff_ffff;
/** COL-2: `at` is in seconds since the epoch, at most 2³²−1, like a letter's (LET-1). */
export const MAX_EVENT_AT = 0xffff_ffff;
/** COL-6: the `prev` of the founding event: there is no event before it. */
export const GENESIS_PREV: Uint8Array = new Uint8Array(EVENT_ID_BYTES);

/** COL-28: the most key copies one `key` event carries: 14 fit within COL-1 even with 32-character names. */
export const MAX_KEY_COPIES = 14;
/** COL-28: the bounds of one sealed key copy (a 32-byte key sealed with `encryptFor` is 84 bytes). */
export const MIN_KEY_COPY_BYTES = 32;
/** COL-28: see {@link MIN_KEY_COPY_BYTES}. */
export const MAX_KEY_COPY_BYTES = 128;

/** The kinds of event, in COL-3 order (`key`, COL-28, last). */
export const EVENT_KINDS = ['found', 'request', 'vouch', 'admit', 'propose', 'vote', 'leave', 'expel', 'key'] as const;
/** One kind of event. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** What an event says, by kind (COL-3). */
export type EventBody =
  /** The founder starts the collective under a constitution and is its first member (COL-9). */
  | { readonly kind: 'found'; readonly constitution: Constitution }
  /** The author, not a member, asks to join (COL-10). */
  | { readonly kind: 'request'; readonly note?: string }
  /** A member vouches for a candidate who asked (COL-11). */
  | { readonly kind: 'vouch'; readonly who: string }
  /** A candidate with enough vouches becomes a member (COL-12). */
  | { readonly kind: 'admit'; readonly who: string }
  /** A member proposes to replace the constitution (COL-13). */
  | { readonly kind: 'propose'; readonly constitution: Constitution }
  /** A member votes on a pending proposal, named by the `seq` of its `propose` event (COL-14). */
  | { readonly kind: 'vote'; readonly proposal: number; readonly yes: boolean }
  /** A member leaves, or a candidate withdraws its request (COL-16). */
  | { readonly kind: 'leave' }
  /** A member votes to expel another, where the constitution allows it (COL-17). */
  | { readonly kind: 'expel'; readonly who: string }
  /**
   * A member hands out the message key of an epoch, sealed to each member named (COL-28, COL-29): `epoch`
   * is this event's own `seq` to open a new epoch, or the current epoch's to hand its key to more members.
   */
  | { readonly kind: 'key'; readonly epoch: number; readonly keys: readonly KeyCopy[] };

/** One member's copy of an epoch's message key (COL-28): the key sealed to `who`'s registry key by the author. */
export interface KeyCopy {
  /** The member the copy is for (NAME-1). */
  readonly who: string;
  /** `encryptFor(author's private key, who's public key, key bytes)` (COL-30). */
  readonly sealed: Uint8Array;
}

/** The fields every event carries (COL-2). */
export interface EventHead {
  /** The collective's name (NAME-1). */
  readonly col: string;
  /** Position in the chain: 0 for `found`, then the number of events accepted before this one (COL-6). */
  readonly seq: number;
  /** The id of the event before it, {@link GENESIS_PREV} for `found` (COL-6). */
  readonly prev: Uint8Array;
  /** The author's name (NAME-1); the signature is checked against the key registered for it. */
  readonly by: string;
  /** When the author made it, seconds since the epoch by the author's clock; informative only (COL-21). */
  readonly at: number;
}

/** A collective event: its head and what it says. */
export type CollectiveEvent = EventHead & EventBody;

/** An event read from its signed bytes, signature not yet checked (the fold checks it, COL-7). */
export interface DecodedEvent {
  readonly event: CollectiveEvent;
  /** The canonical message the author signed. */
  readonly message: Uint8Array;
  /** SHA-256 of {@link message} (COL-6): what the next event names as `prev`. */
  readonly id: Uint8Array;
  /** The signed bytes, as given. */
  readonly signed: Uint8Array;
}

const HEAD_FIELDS = ['v', 'ctx', 'col', 'seq', 'prev', 'by', 'at', 'kind'] as const;
/** COL-3: the fields each kind adds after the head, in canonical order. */
const KIND_FIELDS: Readonly<Record<EventKind, readonly string[]>> = {
  found: ['constitution'],
  request: ['note'],
  vouch: ['who'],
  admit: ['who'],
  propose: ['constitution'],
  vote: ['proposal', 'yes'],
  leave: [],
  expel: ['who'],
  key: ['epoch', 'keys'],
};
const ALLOWED: Readonly<Record<EventKind, ReadonlySet<string>>> = Object.fromEntries(
  EVENT_KINDS.map((k) => [k, new Set([...HEAD_FIELDS, ...KIND_FIELDS[k]])]),
) as unknown as Record<EventKind, ReadonlySet<string>>;

/**
 * Encodes an event's canonical message (COL-2, ENC-2) after checking every field: the bytes its author signs.
 * @throws ProtocolError MALFORMED, TOO_LARGE, INVALID_NAME, UNSUPPORTED_KIND
 * @example `const message = encodeEvent({ col: 'portland', seq: 3, prev, by: 'alice', at: 1764000000, kind: 'vouch', who: 'bob' })`
 */
export function encodeEvent(event: CollectiveEvent): Uint8Array {
  const map = eventToMap(event);
  readEvent(map);
  const bytes = encode(map);
  if (bytes.length > MAX_EVENT_MESSAGE_BYTES) throw new ProtocolError('TOO_LARGE', `event exceeds ${MAX_EVENT_MESSAGE_BYTES} bytes`);
  return bytes;
}

/**
 * Signs an event with its author's identity key (COL-1).
 * @param event - the event; `by` must be the owner of `authorKey`, or every member refuses it
 * @param authorKey - the author's private key
 * @returns the signed event: what is appended to the log
 * @throws ProtocolError as {@link encodeEvent}
 * @example `const signed = signEvent(nextEvent(state, 'alice', now, { kind: 'vouch', who: 'bob' }), alice.privateKey)`
 */
export function signEvent(event: CollectiveEvent, authorKey: PrivateKey): Uint8Array {
  return sign(authorKey, encodeEvent(event));
}

/**
 * Reads a signed event without checking its signature (COL-7 steps 1–3): the author's name is inside,
 * so the key to check it with is known only after the message is read; the fold checks it next.
 * @param signed - the signed event bytes
 * @returns the event, its canonical message and its id
 * @throws ProtocolError TOO_LARGE, TRUNCATED, BAD_SIGNATURE (framing), TRAILING_BYTES, MALFORMED,
 *   UNSUPPORTED_VERSION, UNSUPPORTED_KIND, INVALID_NAME
 * @example `const { event, id } = decodeEvent(bytes)`
 */
export function decodeEvent(signed: Uint8Array): DecodedEvent {
  if (!(signed instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'an event must be bytes');
  // COL-7 step 1: the size before anything is read.
  if (signed.length > MAX_EVENT_BYTES) throw new ProtocolError('TOO_LARGE', `event exceeds ${MAX_EVENT_BYTES} bytes`);
  // Step 2: the Themis framing (CRY-5), so the message part is exactly where the header says.
  checkSigned(signed);
  const view = new DataView(signed.buffer, signed.byteOffset, signed.byteLength);
  const message = signed.subarray(12, 12 + view.getUint32(4, true));
  if (message.length > MAX_EVENT_MESSAGE_BYTES) throw new ProtocolError('TOO_LARGE', `event exceeds ${MAX_EVENT_MESSAGE_BYTES} bytes`);
  // Step 3: the message, strictly, then its canonical form (ENC-2: one event, one encoding).
  const event = readEvent(decode(message, MAX_EVENT_BYTES));
  if (!bytesEqual(encode(eventToMap(event)), message)) throw new ProtocolError('MALFORMED', 'event is not in canonical form');
  return { event, message, id: eventId(message), signed };
}

/**
 * Checks an event's signature against its author's key (COL-7 step 6).
 * @throws ProtocolError BAD_SIGNATURE
 */
export function verifyEvent(decoded: DecodedEvent, authorKey: PublicKey): void {
  // The framing was checked by decodeEvent; Themis checks the signature over exactly these message bytes.
  verify(authorKey, decoded.signed);
}

/**
 * The id of an event (COL-6): SHA-256 of its canonical message. The signature is left out so that a
 * second valid signature over the same message (ECDSA signatures are malleable) names the same event.
 * @example `const prev = eventId(message)`
 */
export function eventId(message: Uint8Array): Uint8Array {
  return sha256(message);
}

/** COL-2, COL-3 over a decoded value: version first, then the head, then the kind's fields. */
function readEvent(value: unknown): CollectiveEvent {
  const open = Fields.open(value, 'event');
  // COL-2: the version before anything else, so a newer event is refused as such, not as malformed.
  if (open.int('v') !== EVENT_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', 'this collective event version is not supported');
  // COL-3: any string that is not a kind is a newer kind, whatever its length.
  const kind = open.raw('kind');
  if (typeof kind !== 'string') throw new ProtocolError('MALFORMED', 'event.kind must be a string');
  if (!(EVENT_KINDS as readonly string[]).includes(kind)) throw new ProtocolError('UNSUPPORTED_KIND', 'unknown collective event kind');
  const f = Fields.of(value, 'event', ALLOWED[kind as EventKind]);
  if (f.str('ctx', { max: 32 }) !== EVENT_CONTEXT) throw new ProtocolError('MALFORMED', 'not a collective event');
  const col = readNameField(f, 'col');
  const seq = f.int('seq', { min: 0, max: MAX_SEQ });
  const prev = f.bytes('prev', { min: EVENT_ID_BYTES, max: EVENT_ID_BYTES }).slice();
  const by = readNameField(f, 'by');
  const at = f.int('at', { min: 0, max: MAX_EVENT_AT });
  // COL-3: the founding event is the first and only the first; nothing comes before it.
  if ((kind === 'found') !== (seq === 0)) throw new ProtocolError('MALFORMED', 'seq 0 is the found event, and only it');
  if (kind === 'found' && !bytesEqual(prev, GENESIS_PREV)) throw new ProtocolError('MALFORMED', 'the found event has no previous event');
  const head = { col, seq, prev, by, at };
  switch (kind as EventKind) {
    case 'found':
    case 'propose':
      return { ...head, kind: kind as 'found' | 'propose', constitution: readConstitution(f.raw('constitution')) };
    case 'request': {
      const note = f.optStr('note', { max: MAX_NOTE_CHARS });
      return note === undefined ? { ...head, kind: 'request' } : { ...head, kind: 'request', note };
    }
    case 'vouch':
    case 'admit':
    case 'expel':
      return { ...head, kind: kind as 'vouch' | 'admit' | 'expel', who: readNameField(f, 'who') };
    case 'vote':
      return { ...head, kind: 'vote', proposal: f.int('proposal', { min: 1, max: MAX_SEQ }), yes: f.bool('yes') };
    case 'leave':
      return { ...head, kind: 'leave' };
    case 'key':
      return { ...head, kind: 'key', ...readKeyFields(f, seq) };
  }
}

/** COL-28: `epoch` (1..seq: an epoch opened at or before this event) and the copies, strictly by name. */
function readKeyFields(f: Fields, seq: number): { epoch: number; keys: KeyCopy[] } {
  const epoch = f.int('epoch', { min: 1, max: MAX_SEQ });
  if (epoch > seq) throw new ProtocolError('MALFORMED', 'event.epoch names an event after this one');
  const list = f.list('keys', MAX_KEY_COPIES);
  if (list.length === 0) throw new ProtocolError('MALFORMED', 'event.keys is empty');
  const keys: KeyCopy[] = [];
  for (const item of list) {
    if (!Array.isArray(item) || item.length !== 2) throw new ProtocolError('MALFORMED', 'event.keys holds [name, sealed] pairs');
    if (typeof item[0] !== 'string') throw new ProtocolError('MALFORMED', 'event.keys names must be strings');
    const who = checkName(item[0]);
    const sealed = item[1];
    if (!(sealed instanceof Uint8Array) || sealed.length < MIN_KEY_COPY_BYTES) throw new ProtocolError('MALFORMED', 'event.keys copies must be sealed keys');
    if (sealed.length > MAX_KEY_COPY_BYTES) throw new ProtocolError('TOO_LARGE', `a key copy is at most ${MAX_KEY_COPY_BYTES} bytes`);
    // One order, one encoding (ENC-2), and nobody twice: names strictly increase by code unit.
    const last = keys[keys.length - 1];
    if (last !== undefined && !(last.who < who)) throw new ProtocolError('MALFORMED', 'event.keys must be in strictly increasing name order');
    keys.push({ who, sealed: sealed.slice() });
  }
  return { epoch, keys };
}

/** The canonical map of an event: fields in COL-2/COL-3 order. Values are checked by readEvent. */
function eventToMap(e: CollectiveEvent): Record<string, unknown> {
  if (typeof e !== 'object' || e === null) throw new TypeError('event must be an object');
  const map: Record<string, unknown> = { v: EVENT_VERSION, ctx: EVENT_CONTEXT, col: e.col, seq: e.seq, prev: e.prev, by: e.by, at: e.at, kind: e.kind };
  switch (e.kind) {
    case 'found':
    case 'propose':
      map.constitution = constitutionToMap(e.constitution);
      break;
    case 'request':
      if (e.note !== undefined) map.note = e.note;
      break;
    case 'vouch':
    case 'admit':
    case 'expel':
      map.who = e.who;
      break;
    case 'vote':
      map.proposal = e.proposal;
      map.yes = e.yes;
      break;
    case 'leave':
      break;
    case 'key':
      map.epoch = e.epoch;
      map.keys = Array.isArray(e.keys) ? e.keys.map((k) => [k?.who, k?.sealed]) : e.keys;
      break;
  }
  return map;
}
