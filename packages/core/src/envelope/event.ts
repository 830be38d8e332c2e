/**
 * The bodies of the letter kinds `event`, `invite` and `rsvp` (EVT-*): an event (title, when, where, a
 * note, and the random id every letter about it carries), an invitation (to an event, or the keys of a
 * collective, COL-26) and an answer to an event's host. Each is a strict reader over a decoded map and a
 * canonical map writer; `letter.ts` dispatches to them by kind.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { Fields } from '../codec/fields.js';
import { MAX_TEXT_CHARS } from '../limits.js';
import { wellFormed } from './body.js';

/** EVT-2: bytes of an event id. */
export const EVENT_ID_BYTES = 16;

/** EVT-3: a title is 1 to 120 code points on one line. */
export const MAX_EVENT_TITLE_CHARS = 120;

/** EVT-3: a place is 1 to 200 code points on one line. */
export const MAX_EVENT_WHERE_CHARS = 200;

/** EVT-3: a note is at most 1000 code points (LIM-1), newlines allowed. */
export const MAX_EVENT_NOTE_CHARS = MAX_TEXT_CHARS;

/** EVT-4: an event lasts at most 30 days (seconds). */
export const MAX_EVENT_SECONDS = 30 * 86_400;

/** EVT-4: the latest `start` or `end` (seconds; the largest msgpack uint32, as LET-7). */
export const MAX_EVENT_TIME = 0xffff_ffff;

/** EVT-6: the answers an RSVP may give. */
export const RSVP_ANSWERS = ['yes', 'no', 'maybe'] as const;

/** An answer from {@link RSVP_ANSWERS}. */
export type RsvpAnswer = (typeof RSVP_ANSWERS)[number];

/** EVT-5: bytes of a collective's keys map (COL-25) in an invitation. */
export const MAX_INVITE_KEYS_BYTES = 512;

/** The body of an `event` letter, and the event an `invite` carries (EVT-2..EVT-4). */
export interface EventBody {
  /** 16 random bytes chosen by the host: the same in every letter about this event (EVT-2). */
  readonly eid: Uint8Array;
  /** 1–120 code points, one line (EVT-3). */
  readonly title: string;
  /** When it starts, seconds since the Unix epoch (EVT-4). */
  readonly start: number;
  /** When it ends, seconds, after `start` and at most 30 days later (EVT-4); it is deleted then (EVT-8). */
  readonly end: number;
  /** Where: 1–200 code points, one line (EVT-3). */
  readonly where: string;
  /** A note, 0–1000 code points, newlines allowed (EVT-3). */
  readonly note: string;
}

/** The body of an `invite` letter: an event, or a collective's keys (EVT-5). Exactly one is present. */
export type InviteBody = { readonly event: EventBody; readonly proof?: Uint8Array } | { readonly collective: Uint8Array };

/** EVT-17: bytes of a proof of hosting (a Themis signature by the one-time key over a small map). */
export const MAX_HOST_PROOF_BYTES = 1024;

/** The body of an `rsvp` letter: the event answered and the answer (EVT-6). */
export interface RsvpBody {
  readonly eid: Uint8Array;
  readonly answer: RsvpAnswer;
}

const EVENT_FIELDS = ['eid', 'title', 'start', 'end', 'where', 'note'] as const;
const INVITE_FIELDS = ['event', 'collective', 'proof'] as const;
const RSVP_FIELDS = ['eid', 'answer'] as const;
// EVT-3: a title and a place are one line that shows as what it says: no C0/C1 controls, no line or
// paragraph separators, no bidi embeddings, overrides or isolates (as a profile's display name, PROF-3).
const LINE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// EVT-3: a note may hold newlines and tabs, never other controls or bidi overrides (as a bio, PROF-3).
const NOTE_FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * EVT-2..EVT-4: reads an event map, in field order: `eid`, `title`, `start`, `end`, `where`, `note`.
 * @throws ProtocolError MALFORMED, TOO_LARGE
 * @internal
 */
export function readEventBody(value: unknown, what = 'letter.body'): EventBody {
  const f = Fields.of(value, what, EVENT_FIELDS);
  const eid = readEid(f);
  const title = line(f, 'title', MAX_EVENT_TITLE_CHARS);
  const start = f.int('start', { min: 0, max: MAX_EVENT_TIME });
  const end = f.int('end', { min: 0, max: MAX_EVENT_TIME });
  // EVT-4: an event has a length, and a bounded one, so "deleted after it ends" (EVT-8) is never far off.
  if (end <= start) throw new ProtocolError('MALFORMED', `${what}.end is not after its start`);
  if (end - start > MAX_EVENT_SECONDS) throw new ProtocolError('MALFORMED', `${what} lasts more than ${MAX_EVENT_SECONDS / 86_400} days`);
  const where = line(f, 'where', MAX_EVENT_WHERE_CHARS);
  const note = f.str('note', { max: MAX_EVENT_NOTE_CHARS });
  if (!wellFormed(note) || NOTE_FORBIDDEN.test(note)) throw new ProtocolError('MALFORMED', `${what}.note has characters that are not allowed`);
  return { eid: eid.slice(), title, start, end, where, note };
}

/**
 * EVT-5: reads an invitation: exactly one of `event` (an event map) and `collective` (a keys map's bytes).
 * @throws ProtocolError MALFORMED, TOO_LARGE
 * @internal
 */
export function readInviteBody(value: unknown): InviteBody {
  const f = Fields.of(value, 'letter.body', INVITE_FIELDS);
  const hasEvent = f.has('event');
  if (hasEvent === f.has('collective')) throw new ProtocolError('MALFORMED', 'an invitation holds exactly one of event and collective');
  if (hasEvent) {
    const event = readEventBody(f.raw('event'), 'letter.body.event');
    // EVT-17: a proof of hosting goes with an event only; what it proves is checked by the invitee's client.
    const proof = f.optBytes('proof', { min: 1, max: MAX_HOST_PROOF_BYTES });
    return proof ? { event, proof: proof.slice() } : { event };
  }
  if (f.has('proof')) throw new ProtocolError('MALFORMED', 'a proof of hosting goes with an event');
  return { collective: f.bytes('collective', { min: 1, max: MAX_INVITE_KEYS_BYTES }).slice() };
}

/**
 * EVT-6: reads an RSVP: the event id and one of `yes`, `no`, `maybe`.
 * @throws ProtocolError MALFORMED, TOO_LARGE
 * @internal
 */
export function readRsvpBody(value: unknown): RsvpBody {
  const f = Fields.of(value, 'letter.body', RSVP_FIELDS);
  const eid = readEid(f);
  return { eid: eid.slice(), answer: f.oneOf('answer', RSVP_ANSWERS) };
}

/** The canonical map of an event (EVT-2 field order). Values are copied as they are. @internal */
export function eventBodyToMap(b: EventBody): unknown {
  if (typeof b !== 'object' || b === null) return b;
  return { eid: b.eid, title: b.title, start: b.start, end: b.end, where: b.where, note: b.note };
}

/**
 * The canonical map of an invitation: the fields it has, in EVT-5 order; both (or neither) are written
 * as given, so that the reader refuses them.
 * @internal
 */
export function inviteBodyToMap(b: InviteBody): unknown {
  if (typeof b !== 'object' || b === null) return b;
  const o = b as { event?: EventBody | null; collective?: Uint8Array | null; proof?: Uint8Array | null };
  // ENC-2: a null field is absent, as the reader takes it (`Fields.has`), so it is not written as nil:
  // bytes with a nil field are not canonical, and the encoder would hand out bytes no decoder takes.
  // `encode` leaves undefined fields out.
  return { event: o.event === null ? undefined : eventBodyToMap(o.event as EventBody), collective: o.collective ?? undefined, proof: o.proof ?? undefined };
}

/** The canonical map of an RSVP. @internal */
export function rsvpBodyToMap(b: RsvpBody): unknown {
  if (typeof b !== 'object' || b === null) return b;
  return { eid: b.eid, answer: b.answer };
}

function readEid(f: Fields): Uint8Array {
  // EVT-2: exactly 16 bytes, like a letter id (LET-8): fewer MALFORMED, more TOO_LARGE.
  return f.bytes('eid', { min: EVENT_ID_BYTES, max: EVENT_ID_BYTES });
}

function line(f: Fields, key: string, max: number): string {
  const s = f.str(key, { min: 1, max });
  if (!wellFormed(s) || LINE_FORBIDDEN.test(s)) throw new ProtocolError('MALFORMED', `${f.what}.${key} has characters that are not allowed`);
  if (s.trim().length === 0) throw new ProtocolError('MALFORMED', `${f.what}.${key} is blank`);
  return s;
}
