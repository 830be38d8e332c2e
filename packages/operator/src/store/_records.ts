/**
 * Binary records the LMDB and Redis backends keep per mail item and per post. Fixed-offset headers, so
 * the Redis Lua scripts can read a post's author and a letter's length without a decoder
 * (`_redis-scripts.ts` mirrors the offsets below). Nothing but the fields of `MailItem` / `StoredPost`
 * is written (MB-1: no sender).
 * @internal
 */
import { ProtocolError } from '@comrad/core';
import type { PinVoteRule, StoredPin, StoredPost, StoredProfile } from './types.js';

const VERSION = 1;

/**
 * VOTE-9: what a store files a vote's tally and voters under: a world post's id, or a channel post's id
 * after its channel's (ids are minted per channel, so the channel is part of the post's name). A world
 * post id never holds a `/`, so the two never meet.
 */
export function voteTarget(post: string, chan?: string): string {
  return chan === undefined ? post : `${chan}/${post}`;
}

/** Mail record: version (1 byte), receivedAt (f64), expiresAt (f64), then the sealed letter. */
export const MAIL_HEADER_BYTES = 17;

/** Post record: version, postedAt (f64), expiresAt (f64), epoch (u32), author length (u16), author (UTF-8), sealed. */
export const POST_AUTHOR_OFFSET = 23;

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** The mail fields a record holds (the id is the record's key). */
export interface MailRecord {
  readonly receivedAt: number;
  readonly expiresAt: number;
  readonly sealed: Uint8Array;
}

/**
 * Encodes one waiting letter.
 * @param receivedAt - when the Operator received it (ms)
 * @param expiresAt - when it is deleted unacknowledged (ms)
 * @param sealed - the sealed letter
 * @returns the record bytes
 */
export function encodeMail(receivedAt: number, expiresAt: number, sealed: Uint8Array): Uint8Array {
  const out = new Uint8Array(MAIL_HEADER_BYTES + sealed.length);
  const view = new DataView(out.buffer);
  out[0] = VERSION;
  view.setFloat64(1, receivedAt);
  view.setFloat64(9, expiresAt);
  out.set(sealed, MAIL_HEADER_BYTES);
  return out;
}

/**
 * Decodes a record written by {@link encodeMail}; the sealed bytes are copied out of `bytes`.
 * @throws ProtocolError MALFORMED when the record is damaged
 */
export function decodeMail(bytes: Uint8Array): MailRecord {
  if (bytes.length < MAIL_HEADER_BYTES || bytes[0] !== VERSION) throw corrupt('mail');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { receivedAt: view.getFloat64(1), expiresAt: view.getFloat64(9), sealed: copy(bytes.subarray(MAIL_HEADER_BYTES)) };
}

/**
 * Encodes one post (its id is the record's key).
 * @param post - the post; `author` is at most 65535 UTF-8 bytes, `epoch` an unsigned 32-bit integer
 * @returns the record bytes
 */
export function encodePost(post: Omit<StoredPost, 'id'>): Uint8Array {
  const author = enc.encode(post.author);
  const out = new Uint8Array(POST_AUTHOR_OFFSET + author.length + post.sealed.length);
  const view = new DataView(out.buffer);
  out[0] = VERSION;
  view.setFloat64(1, post.postedAt);
  view.setFloat64(9, post.expiresAt);
  view.setUint32(17, post.epoch);
  view.setUint16(21, author.length);
  out.set(author, POST_AUTHOR_OFFSET);
  out.set(post.sealed, POST_AUTHOR_OFFSET + author.length);
  return out;
}

/**
 * Decodes a record written by {@link encodePost}.
 * @param id - the record's key
 * @param bytes - the record
 * @throws ProtocolError MALFORMED when the record is damaged
 */
export function decodePost(id: string, bytes: Uint8Array): StoredPost {
  if (bytes.length < POST_AUTHOR_OFFSET || bytes[0] !== VERSION) throw corrupt('post');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = POST_AUTHOR_OFFSET + view.getUint16(21);
  if (end > bytes.length) throw corrupt('post');
  let author: string;
  try {
    author = dec.decode(bytes.subarray(POST_AUTHOR_OFFSET, end));
  } catch {
    throw corrupt('post');
  }
  return {
    id,
    author,
    sealed: copy(bytes.subarray(end)),
    epoch: view.getUint32(17),
    postedAt: view.getFloat64(1),
    expiresAt: view.getFloat64(9),
  };
}

/** Profile record: version, at (u32), receivedAt (f64), expiresAt (f64), then the sealed profile (PROF-10). */
export const PROFILE_RECORD_HEADER_BYTES = 21;

/**
 * Encodes one profile (its name is the record's key).
 * @returns the record bytes
 */
export function encodeProfile(p: StoredProfile): Uint8Array {
  const out = new Uint8Array(PROFILE_RECORD_HEADER_BYTES + p.sealed.length);
  const view = new DataView(out.buffer);
  out[0] = VERSION;
  view.setUint32(1, p.at);
  view.setFloat64(5, p.receivedAt);
  view.setFloat64(13, p.expiresAt);
  out.set(p.sealed, PROFILE_RECORD_HEADER_BYTES);
  return out;
}

/**
 * Decodes a record written by {@link encodeProfile}.
 * @throws ProtocolError MALFORMED when the record is damaged
 */
export function decodeProfile(bytes: Uint8Array): StoredProfile {
  if (bytes.length <= PROFILE_RECORD_HEADER_BYTES || bytes[0] !== VERSION) throw corrupt('profile');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { at: view.getUint32(1), receivedAt: view.getFloat64(5), expiresAt: view.getFloat64(13), sealed: copy(bytes.subarray(PROFILE_RECORD_HEADER_BYTES)) };
}

/**
 * PIN-6: a pin after one vote: its count goes up; a confirm adds `confirmMs` but never past
 * `createdAt + maxLifeMs`, a deny takes `denyMs` away. Memory and LMDB use this; the Redis script
 * (`VOTE_PIN`) does the same sums in Lua.
 */
export function movePin(pin: StoredPin, vote: 'confirm' | 'deny', rule: PinVoteRule): StoredPin {
  if (vote === 'confirm') {
    const expiresAt = Math.max(pin.expiresAt, Math.min(pin.expiresAt + rule.confirmMs, pin.createdAt + rule.maxLifeMs));
    return { ...pin, confirms: pin.confirms + 1, expiresAt };
  }
  return { ...pin, denies: pin.denies + 1, expiresAt: Math.max(0, pin.expiresAt - rule.denyMs) };
}

/** A pin record (LMDB): its fields but the id, which is the record's key, as a msgpack array. */
export type PinRecord = [cell: string, kind: string, note: string, createdAt: number, expiresAt: number, confirms: number, denies: number];

/** The record of a pin. */
export function pinRecord(p: StoredPin): PinRecord {
  return [p.cell, p.kind, p.note, p.createdAt, p.expiresAt, p.confirms, p.denies];
}

/** The pin a record holds. @throws ProtocolError MALFORMED when the record is damaged */
export function pinOf(id: string, r: unknown): StoredPin {
  if (!Array.isArray(r) || r.length !== 7) throw corrupt('pin');
  const [cell, kind, note, createdAt, expiresAt, confirms, denies] = r as PinRecord;
  return { id, cell, kind, note, createdAt, expiresAt, confirms, denies };
}

/**
 * True when `adding` more sealed bytes would take the `held` bytes past `bound` — the bound check of every
 * bounded append, evaluated inside the store's atomic step.
 * @param bound - the bound; undefined = none
 */
export function overBound(held: number, adding: number, bound: number | undefined): boolean {
  return bound !== undefined && held + adding > bound;
}

/** A plain Uint8Array copy: backends hand out Buffers that may share memory with their own. */
function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function corrupt(what: string): ProtocolError {
  return new ProtocolError('MALFORMED', `a stored ${what} record is damaged`);
}
