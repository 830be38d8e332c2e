/**
 * Messages to a collective (COL-28..COL-35): one post sealed once under the collective's message key, and
 * the key rotated on every membership change. The key of each epoch travels in the log itself, in `key`
 * events, sealed to each member's registry key with `encryptFor`; a post names its epoch in a clear header
 * and is a signed map sealed in a Secure Cell under that epoch's key. Someone who left holds only the keys
 * of the epochs they were in, so what is sealed after they left does not open for them.
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ProtocolError } from '../errors.js';
import { bytesEqual, concatBytes } from '../bytes.js';
import { decode, encode } from '../codec/msgpack.js';
import { Fields } from '../codec/fields.js';
import { checkSigned } from '../crypto/_framing.js';
import { KeyPair, PrivateKey, PublicKey, SymmetricKey } from '../crypto/keys.js';
import { cellOpen, cellSeal, decryptFrom, encryptFor, sign, verify } from '../crypto/operations.js';
import { randomBytes } from '../crypto/random.js';
import { readTextBody, textBodyToMap, type TextBody } from '../envelope/body.js';
import { eventBodyToMap, readEventBody, type EventBody as Gathering } from '../envelope/event.js';
import { checkHeader } from '../envelope/_opening.js';
import { readNameField } from '../envelope/name.js';
import { pad, unpad } from '../envelope/padding.js';
import { MAX_LETTER_BYTES, MAX_SEALED_LETTER_BYTES, MAX_SIGNED_LETTER_BYTES } from '../limits.js';
import type { CollectiveKeys } from './entry.js';
import { MAX_KEY_COPIES, MAX_SEQ, decodeEvent, type CollectiveEvent, type EventBody, type KeyCopy } from './event.js';
import type { CollectiveState, KeysOf } from './fold.js';

/** COL-32: the version of a collective post map and of a sealed message's first byte. */
export const MESSAGE_VERSION = 1;
/** COL-32: version byte + u32be epoch; the Secure Cell follows. */
export const MESSAGE_HEADER_BYTES = 5;
/** COL-32: the context string inside every collective post, so no other signed map passes for one. */
export const POST_CONTEXT = 'comrad/collective/post';
/** COL-32: the context of the Secure Cell a post is sealed in, before the collective's name and the epoch. */
export const MESSAGE_CONTEXT = 'comrad/collective/message';
/** COL-34: the context of the channel id derived from the log key. */
export const CHANNEL_CONTEXT = 'comrad/collective/channel';
/** COL-32: a sealed message is bounded like a sealed letter or a world post (LIM-6). */
export const MAX_MESSAGE_BYTES = MAX_SEALED_LETTER_BYTES;
/** COL-32: an encoded post is bounded like a letter (LIM-4), its signed form like a signed letter (LIM-5). */
export const MAX_POST_BYTES = MAX_LETTER_BYTES;
/** COL-32: bytes of a post's random id. */
export const POST_ID_BYTES = 16;

/** A post to a collective (COL-32), as its author signs it. */
export interface CollectivePost {
  /** The collective (NAME-1). */
  readonly col: string;
  /** The epoch whose key seals it: the `seq` of the `key` event that opened the epoch (COL-29). */
  readonly epoch: number;
  /** The author (NAME-1); the signature is checked against the registry's key for this name. */
  readonly by: string;
  /** Seconds since the epoch, by the author's clock (informative, as LET-7). */
  readonly at: number;
  /** 16 random bytes: (`by`, `id`) names the post, so a copy is shown once. */
  readonly id: Uint8Array;
  /** Text and an optional image, as a letter's body (LET-9, LET-10); or an event for the members (EVT-14). */
  readonly body: CollectivePostBody;
}

/** What a collective post carries: a text body (LET-9, LET-10), or `{event}` (EVT-2..EVT-4, EVT-14). */
export type CollectivePostBody = TextBody | { readonly event: Gathering };

/** An opened message: the verified post and the signed bytes it came in. */
export interface OpenedMessage {
  readonly post: CollectivePost;
  /** The signed post: anyone with the author's key can check it. */
  readonly signed: Uint8Array;
}

/** What a member knows about one epoch of the message key, from the `key` events the fold accepted. */
export interface EpochKeys {
  /** Who held this epoch's key: its opener and every member a copy was sealed to (COL-29). */
  readonly holders: ReadonlySet<string>;
  /** The key itself, when a copy was sealed to this member and opened; else undefined. */
  readonly key?: SymmetricKey;
}

const POST_FIELDS = ['v', 'ctx', 'col', 'epoch', 'by', 'at', 'id', 'body'] as const;

/**
 * COL-30: seals a copy of an epoch's key to one member: `encryptFor(author, member, key)`.
 * @param author - the private key of the member who writes the `key` event
 * @param member - the registry's key of the member the copy is for
 */
export function sealKeyCopy(author: PrivateKey, member: PublicKey, key: SymmetricKey): Uint8Array {
  const bytes = key.bytes();
  try {
    return encryptFor(author, member, bytes);
  } finally {
    bytes.fill(0);
  }
}

/**
 * COL-30: opens the copy sealed to us.
 * @param me - our private key
 * @param author - the registry's key of the event's author
 * @throws ProtocolError DECRYPT_FAILED, TRUNCATED, TRAILING_BYTES, INVALID_KEY (not 32 bytes inside)
 */
export function openKeyCopy(me: PrivateKey, author: PublicKey, sealed: Uint8Array): SymmetricKey {
  const bytes = decryptFrom(me, author, sealed);
  try {
    if (bytes.length !== 32) throw new ProtocolError('INVALID_KEY', 'a key copy holds 32 bytes');
    return SymmetricKey.from(bytes);
  } finally {
    bytes.fill(0);
  }
}

/**
 * COL-31: the next `key` event of a rotation, which hands a key to every member in chunks of
 * {@link MAX_KEY_COPIES}: the first opens the epoch (its own `seq`) with the author's own copy and the
 * first members by name, each next one (`continuing`) hands the key to the members still owed it.
 * @param state - the folded state the event will be appended to
 * @param author - the member rotating: their name and key pair
 * @param key - the epoch's key (fresh for a new epoch)
 * @param keysOf - the registry: each member's key
 * @param continuing - false to open a new epoch, true to continue `state.epoch` (whose key `key` is)
 * @returns the body to append, or undefined when nobody is owed the key of `state.epoch`
 * @throws ProtocolError NOT_FOUND (a member the registry does not know)
 */
export function nextKeyEvent(state: CollectiveState, author: { name: string; keys: KeyPair }, key: SymmetricKey, keysOf: KeysOf, continuing: boolean): EventBody | undefined {
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // The opener seals a copy to itself too, in the first event: every holder reads its key from the log
  // alike, and nobody keeps epoch keys anywhere else.
  const need = continuing ? [...state.owed].sort(byName) : [author.name, ...[...state.members].filter((m) => m !== author.name).sort(byName)];
  if (need.length === 0) return undefined;
  const chunk = need.slice(0, MAX_KEY_COPIES).sort(byName);
  const keys: KeyCopy[] = chunk.map((who) => {
    const pub = who === author.name ? author.keys.publicKey : keysOf(who);
    if (pub === undefined) throw new ProtocolError('NOT_FOUND', 'a member the registry does not know');
    return { who, sealed: sealKeyCopy(author.keys.privateKey, pub, key) };
  });
  return { kind: 'key', epoch: continuing ? state.epoch : state.seq, keys };
}

/**
 * COL-29, COL-30: every epoch of a log and, where a copy was sealed to `me`, its key. Pass the events
 * the fold accepted, in order (a refused `key` event hands out nothing).
 * @param accepted - the accepted events
 * @param me - our name and private key
 * @param keysOf - the registry (the author of each `key` event)
 * @returns epoch → holders and, when we got a copy, the key
 */
export function epochKeys(accepted: Iterable<CollectiveEvent>, me: { name: string; privateKey: PrivateKey }, keysOf: KeysOf): Map<number, EpochKeys> {
  const out = new Map<number, { holders: Set<string>; key?: SymmetricKey }>();
  for (const e of accepted) {
    if (e.kind !== 'key') continue;
    let epoch = out.get(e.epoch);
    if (epoch === undefined) out.set(e.epoch, (epoch = { holders: new Set([e.by]) }));
    for (const copy of e.keys) {
      epoch.holders.add(copy.who);
      if (copy.who !== me.name || epoch.key !== undefined) continue;
      const author = keysOf(e.by);
      if (author === undefined) continue;
      try {
        epoch.key = openKeyCopy(me.privateKey, author, copy.sealed);
      } catch (err) {
        // A copy that does not open is the author's fault; the epoch stays unreadable for us.
        if (!(err instanceof ProtocolError)) throw err;
      }
    }
  }
  return out;
}

/**
 * COL-29: the events of a log the fold accepted, decoded, in order (the rejected positions left out).
 * @param events - the signed events, in stored order
 * @param rejected - the indexes the fold refused
 */
export function acceptedEvents(events: readonly Uint8Array[], rejected: Iterable<{ index: number }>): CollectiveEvent[] {
  const skip = new Set([...rejected].map((r) => r.index));
  return events.flatMap((bytes, i) => (skip.has(i) ? [] : [decodeEvent(bytes).event]));
}

/**
 * COL-34: the channel key of a collective: HMAC-SHA256 under the log key of `{ctx, col}`. The channel's
 * address at the Operator (its id and posting capability) is derived from it as from any channel key
 * (13-circles, CHAN-1): the same for every member, unlinkable to the collective's name without the log key.
 * It only addresses the channel; what is posted there is sealed under the epoch's message key (COL-32).
 */
export function channelKey(keys: CollectiveKeys): SymmetricKey {
  const secret = keys.logKey.bytes();
  const derived = hmac(sha256, secret, encode({ ctx: CHANNEL_CONTEXT, col: keys.name }));
  try {
    return SymmetricKey.from(derived);
  } finally {
    secret.fill(0);
    derived.fill(0);
  }
}

/**
 * Makes a post: a fresh id, the current time, every field checked.
 * @throws ProtocolError INVALID_NAME, MALFORMED, TOO_LARGE
 */
export function createCollectivePost(init: { col: string; epoch: number; by: string; body: CollectivePostBody; at?: number; id?: Uint8Array }): CollectivePost {
  const post: CollectivePost = { col: init.col, epoch: init.epoch, by: init.by, at: init.at ?? Math.floor(Date.now() / 1000), id: init.id ?? randomBytes(POST_ID_BYTES), body: init.body };
  encodeCollectivePost(post);
  return post;
}

/**
 * COL-32: a post's canonical map (ENC-2), every field checked: the bytes its author signs.
 * @throws ProtocolError INVALID_NAME, MALFORMED, TOO_LARGE
 */
export function encodeCollectivePost(post: CollectivePost): Uint8Array {
  const map = postToMap(post);
  readPost(map);
  const bytes = encode(map);
  if (bytes.length > MAX_POST_BYTES) throw new ProtocolError('TOO_LARGE', `a collective post exceeds ${MAX_POST_BYTES} bytes`);
  return bytes;
}

/**
 * COL-32, COL-33 step 6: reads a post strictly: size, msgpack, map, version, unknown fields, then `ctx`,
 * `col`, `epoch`, `by`, `at`, `id`, `body` in that order, and last the canonical form.
 * @throws ProtocolError TOO_LARGE, MALFORMED, TRAILING_BYTES, UNSUPPORTED_VERSION, INVALID_NAME
 */
export function decodeCollectivePost(bytes: Uint8Array): CollectivePost {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'a collective post must be bytes');
  if (bytes.length > MAX_POST_BYTES) throw new ProtocolError('TOO_LARGE', `a collective post exceeds ${MAX_POST_BYTES} bytes`);
  const post = readPost(decode(bytes, MAX_POST_BYTES));
  if (!bytesEqual(encode(postToMap(post)), bytes)) throw new ProtocolError('MALFORMED', 'a collective post is not in canonical form');
  return post;
}

/**
 * COL-32: signs a post with its author's key, pads it (SEAL-3) and seals it under the epoch's key.
 * @param post - the post; `post.by` must own `author`
 * @param author - the author's key pair
 * @param key - the key of `post.epoch`
 * @returns `0x01 || u32be(epoch) || SecureCell.seal(key, pad(signed post), context)`
 * @example `const sealed = sealMessage(createCollectivePost({ col: 'portland', epoch, by: 'alice', body: { text: 'hi' } }), alice, key)`
 */
export function sealMessage(post: CollectivePost, author: KeyPair, key: SymmetricKey): Uint8Array {
  if (!(author instanceof KeyPair)) throw new TypeError('author must be a KeyPair');
  if (!(key instanceof SymmetricKey)) throw new TypeError('key must be a SymmetricKey');
  const padded = pad(sign(author.privateKey, encodeCollectivePost(post)));
  const header = new Uint8Array(MESSAGE_HEADER_BYTES);
  header[0] = MESSAGE_VERSION;
  new DataView(header.buffer).setUint32(1, post.epoch, false);
  try {
    return concatBytes(header, cellSeal(key, padded, messageContext(post.col, post.epoch)));
  } finally {
    padded.fill(0);
  }
}

/**
 * COL-33 steps 1–2: the epoch of a sealed message, read without opening it (what picks the key).
 * @throws ProtocolError MALFORMED (not bytes), TOO_LARGE, TRUNCATED, UNSUPPORTED_VERSION
 */
export function messageEpoch(bytes: Uint8Array): number {
  checkHeader(bytes, 'collective message', MESSAGE_VERSION, MESSAGE_HEADER_BYTES, MAX_MESSAGE_BYTES);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1, false);
}

/**
 * COL-33: opens a message of collective `col`, in the spec's order: header, the reader's key of its epoch
 * (none: `NOT_FOUND`, sealed before we joined or after we left), the cell, the padding, the signed post's
 * framing, the post, its collective and epoch, the author's signature, and that the author held the key.
 * @param bytes - the sealed message
 * @param col - the collective whose channel it came from
 * @param epochs - what {@link epochKeys} gave this reader
 * @param keysOf - the registry
 * @throws ProtocolError TOO_LARGE, TRUNCATED, UNSUPPORTED_VERSION, NOT_FOUND, DECRYPT_FAILED,
 *   TRAILING_BYTES, BAD_PADDING, BAD_SIGNATURE, MALFORMED, INVALID_NAME, WRONG_COLLECTIVE, NOT_MEMBER
 */
export function openMessage(bytes: Uint8Array, col: string, epochs: ReadonlyMap<number, EpochKeys>, keysOf: KeysOf): OpenedMessage {
  const epoch = messageEpoch(bytes);
  const known = epochs.get(epoch);
  if (known?.key === undefined) throw new ProtocolError('NOT_FOUND', 'no key of this epoch: sealed while we were not a member');
  const signed = unpad(cellOpen(known.key, bytes.subarray(MESSAGE_HEADER_BYTES), messageContext(col, epoch))).slice();
  if (signed.length > MAX_SIGNED_LETTER_BYTES) throw new ProtocolError('TOO_LARGE', `a signed collective post exceeds ${MAX_SIGNED_LETTER_BYTES} bytes`);
  checkSigned(signed);
  const view = new DataView(signed.buffer, signed.byteOffset, signed.byteLength);
  // As for an event (COL-7), the author is named inside: the post is read (strictly) before its signature.
  const post = decodeCollectivePost(signed.subarray(12, 12 + view.getUint32(4, true)));
  if (post.col !== col) throw new ProtocolError('WRONG_COLLECTIVE', 'the post names another collective');
  if (post.epoch !== epoch) throw new ProtocolError('MALFORMED', 'the post names another epoch than its header');
  const key = keysOf(post.by);
  if (key === undefined) throw new ProtocolError('NOT_FOUND', 'the author is not a registered comrade');
  verify(key, signed);
  // Every holder can seal under the key; only one who held it may have written under it.
  if (!known.holders.has(post.by)) throw new ProtocolError('NOT_MEMBER', 'the author did not hold the key of this epoch');
  return { post, signed };
}

function messageContext(col: string, epoch: number): Uint8Array {
  return encode({ ctx: MESSAGE_CONTEXT, col, epoch });
}

function readPost(value: unknown): CollectivePost {
  const open = Fields.open(value, 'collective post');
  if (open.int('v') !== MESSAGE_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', 'this collective post version is not supported');
  const f = Fields.of(value, 'collective post', POST_FIELDS);
  if (f.str('ctx', { max: 32 }) !== POST_CONTEXT) throw new ProtocolError('MALFORMED', 'not a collective post');
  const col = readNameField(f, 'col');
  const epoch = f.int('epoch', { min: 1, max: MAX_SEQ });
  const by = readNameField(f, 'by');
  const at = f.int('at', { min: 0, max: 0xffff_ffff });
  const id = f.bytes('id', { min: POST_ID_BYTES, max: POST_ID_BYTES }).slice();
  const raw = f.raw('body');
  // EVT-14: a body with an `event` field is an event for the members, and nothing else beside it.
  const body: CollectivePostBody =
    typeof raw === 'object' && raw !== null && Object.prototype.hasOwnProperty.call(raw, 'event')
      ? { event: readEventBody(Fields.of(raw, 'collective post.body', ['event']).raw('event'), 'collective post.body.event') }
      : readTextBody(raw);
  return { col, epoch, by, at, id, body };
}

function postToMap(p: CollectivePost): Record<string, unknown> {
  if (typeof p !== 'object' || p === null) throw new TypeError('post must be an object');
  const body = typeof p.body === 'object' && p.body !== null && 'event' in p.body ? { event: eventBodyToMap(p.body.event) } : textBodyToMap(p.body as TextBody);
  return { v: MESSAGE_VERSION, ctx: POST_CONTEXT, col: p.col, epoch: p.epoch, by: p.by, at: p.at, id: p.id, body };
}
