/**
 * Letters (LET-*): the plaintext every Comrad message is made of, before it is signed and sealed.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { bytesEqual } from '../bytes.js';
import { decode, encode } from '../codec/msgpack.js';
import { Fields } from '../codec/fields.js';
import { randomBytes } from '../crypto/random.js';
import { MAX_LETTER_BYTES } from '../limits.js';
import { normaliseName, readNameField, WORLD_NAME } from './name.js';
import { readTextBody, textBodyToMap, type TextBody } from './body.js';
import {
  eventBodyToMap,
  inviteBodyToMap,
  readEventBody,
  readInviteBody,
  readRsvpBody,
  rsvpBodyToMap,
  type EventBody,
  type InviteBody,
  type RsvpBody,
} from './event.js';
import { circleKeyBodyToMap, readCircleKeyBody, type CircleKeyBody } from './circle-key.js';

/** LET-2: the letter format version this implementation writes and reads. */
export const LETTER_VERSION = 1;

/**
 * LET-4: every kind name the protocol has set aside. Only {@link SPECIFIED_KINDS} have a body defined
 * today; the others are refused with `UNSUPPORTED_KIND` until the spec defines them.
 */
export const LETTER_KINDS = ['dm', 'post', 'vote', 'vouch', 'event', 'invite', 'rsvp', 'pin', 'circle-key'] as const;

/**
 * LET-4: the kinds whose body is specified: `dm` and `post` carry a {@link TextBody}; `event`, `invite`
 * and `rsvp` the bodies of 14-events (EVT-1); `circle-key` the body of 13-circles (CIR-2).
 */
export const SPECIFIED_KINDS = ['dm', 'post', 'event', 'invite', 'rsvp', 'circle-key'] as const;

/** A kind name from {@link LETTER_KINDS}. */
export type LetterKind = (typeof LETTER_KINDS)[number];

/** A kind from {@link SPECIFIED_KINDS}: the kinds a {@link Letter} can have today. */
export type SpecifiedKind = (typeof SPECIFIED_KINDS)[number];

/** LET-7: the latest `at` a letter may carry (seconds; the largest msgpack uint32, in 2106). */
export const MAX_LETTER_AT = 0xffff_ffff;

/** LET-8: bytes of a letter id. */
export const LETTER_ID_BYTES = 16;

/** The fields every letter has (LET-1), whatever its kind. */
export interface LetterHead {
  /** Format version, always {@link LETTER_VERSION} (LET-2). */
  readonly v: 1;
  /** The author's name, normalised (LET-5); the recipient verifies it against the registry (SEAL-6). */
  readonly from: string;
  /** The recipient's name, normalised (LET-5); `comrades` for a post or an event (LET-6, EVT-7). */
  readonly to: string;
  /** When the author wrote it: whole seconds since 1970-01-01T00:00:00Z (LET-7). */
  readonly at: number;
  /** 16 random bytes naming this letter; with `from` it identifies the letter (LET-8). */
  readonly id: Uint8Array;
}

/** A `dm` (to one comrade) or a `post` (to the world): text and an optional image (LET-9, LET-10). */
export interface TextLetter extends LetterHead {
  readonly kind: 'dm' | 'post';
  readonly body: TextBody;
}

/** An `event` letter: an event, addressed to `comrades` (EVT-1, EVT-7). */
export interface EventLetter extends LetterHead {
  readonly kind: 'event';
  readonly body: EventBody;
}

/** An `invite` letter to one comrade: an event, or a collective's keys (EVT-5). */
export interface InviteLetter extends LetterHead {
  readonly kind: 'invite';
  readonly body: InviteBody;
}

/** An `rsvp` letter to an event's host (EVT-6). */
export interface RsvpLetter extends LetterHead {
  readonly kind: 'rsvp';
  readonly body: RsvpBody;
}

/** A `circle-key` letter to one comrade: one generation of its author's trusted circle key (CIR-2). */
export interface CircleKeyLetter extends LetterHead {
  readonly kind: 'circle-key';
  readonly body: CircleKeyBody;
}

/** A plaintext letter (LET-1) of a specified kind. Immutable by convention; every field is checked on encode and decode. */
export type Letter = TextLetter | EventLetter | InviteLetter | RsvpLetter | CircleKeyLetter;

/** The fields of a letter that {@link createLetter} does not fill in: the kind and its body. */
export type LetterContent =
  | { readonly kind: 'dm' | 'post'; readonly body: TextBody }
  | { readonly kind: 'event'; readonly body: EventBody }
  | { readonly kind: 'invite'; readonly body: InviteBody }
  | { readonly kind: 'rsvp'; readonly body: RsvpBody }
  | { readonly kind: 'circle-key'; readonly body: CircleKeyBody };

/** What {@link createLetter} needs; it fills in the rest. */
export type LetterInit = LetterContent & {
  /** The author's name, as typed (normalised here, NAME-2). */
  readonly from: string;
  /** The recipient's name, as typed; omit for a post or an event (they go to `comrades`). */
  readonly to?: string;
  /** Seconds since the epoch; defaults to now. */
  readonly at?: number;
  /** Defaults to 16 fresh random bytes. */
  readonly id?: Uint8Array;
};

/** The letter type of a kind: `createLetter({ kind: 'dm', … })` is a {@link TextLetter}. */
export type LetterOf<K extends SpecifiedKind> = K extends 'dm' | 'post' ? TextLetter : K extends 'event' ? EventLetter : K extends 'invite' ? InviteLetter : K extends 'rsvp' ? RsvpLetter : CircleKeyLetter;

/** LET-6, EVT-7: the kinds addressed to `comrades` rather than to one comrade. */
const TO_WORLD: ReadonlySet<string> = new Set(['post', 'event']);
/**
 * EVT-7: the kinds addressed to one comrade, never to `comrades`. (An `rsvp` goes to the host, or to
 * `comrades` when the host is anonymous, EVT-12: sealed to the event's one-time key.)
 */
// CIR-2: a circle key goes to one comrade too.
const TO_ONE: ReadonlySet<string> = new Set(['invite', 'circle-key']);

const LETTER_FIELDS = ['v', 'kind', 'from', 'to', 'at', 'id', 'body'] as const;
const KIND_RE = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * Makes a new letter: names normalised, a fresh random id, the current time; then checks it like a
 * decoder would.
 * @throws ProtocolError INVALID_NAME, MALFORMED, TOO_LARGE when a field breaks a LET rule
 * @example
 * ```ts
 * const letter = createLetter({ kind: 'dm', from: 'alice', to: '@Bob', body: { text: 'hello' } });
 * ```
 */
export function createLetter<K extends SpecifiedKind>(init: LetterInit & { readonly kind: K }): LetterOf<K> {
  const letter = {
    v: LETTER_VERSION,
    kind: init.kind,
    from: normaliseName(init.from),
    to: TO_WORLD.has(init.kind) && init.to === undefined ? WORLD_NAME : normaliseName(init.to ?? ''),
    at: init.at ?? Math.floor(Date.now() / 1000),
    id: init.id ?? randomBytes(LETTER_ID_BYTES),
    body: init.body,
  } as LetterOf<K>;
  encodeLetter(letter);
  return letter;
}

/**
 * The text body of a letter of a text kind (`dm`, `post`, LET-9).
 * @param letter - a decoded letter
 * @returns its body
 * @throws ProtocolError UNSUPPORTED_KIND for a letter of another kind (it carries no text)
 * @example `const { text } = textBodyOf(opened.letter)`
 */
export function textBodyOf(letter: Letter): TextBody {
  if (letter.kind !== 'dm' && letter.kind !== 'post') throw new ProtocolError('UNSUPPORTED_KIND', `a ${letter.kind} letter carries no text`);
  return letter.body;
}

/**
 * Encodes a letter in its canonical msgpack form (LET-1, ENC-2), after checking every field.
 * @returns the bytes that get signed
 * @throws ProtocolError INVALID_NAME, MALFORMED, TOO_LARGE, UNSUPPORTED_VERSION, UNSUPPORTED_KIND
 */
export function encodeLetter(letter: Letter): Uint8Array {
  const map = letterToMap(letter);
  readLetter(map);
  const bytes = encode(map);
  if (bytes.length > MAX_LETTER_BYTES) throw new ProtocolError('TOO_LARGE', `letter exceeds ${MAX_LETTER_BYTES} bytes`);
  return bytes;
}

/**
 * Decodes a letter strictly, in the order of LET-12: size, msgpack, version, fields, canonical form.
 * @throws ProtocolError TOO_LARGE, MALFORMED, TRAILING_BYTES, UNSUPPORTED_VERSION, UNSUPPORTED_KIND,
 *   INVALID_NAME
 */
export function decodeLetter(bytes: Uint8Array): Letter {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'a letter must be bytes');
  if (bytes.length > MAX_LETTER_BYTES) throw new ProtocolError('TOO_LARGE', `letter exceeds ${MAX_LETTER_BYTES} bytes`);
  const letter = readLetter(decode(bytes, MAX_LETTER_BYTES));
  // ENC-2: one letter has one encoding. This refuses duplicate keys, reordered fields, longer-than-needed
  // integer or length forms, nil for an absent field and invalid UTF-8, so no two implementations can
  // read the same signed bytes as two different letters.
  if (!bytesEqual(encode(letterToMap(letter)), bytes)) throw new ProtocolError('MALFORMED', 'letter is not in canonical form');
  return letter;
}

/** LET-12 steps 3–8 over a decoded value. */
function readLetter(value: unknown): Letter {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolError('MALFORMED', 'letter must be a map');
  }
  // LET-2: the version is read before anything else, so a newer letter is refused as such, not as malformed.
  const v = (value as Record<string, unknown>).v;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ProtocolError('MALFORMED', 'letter.v must be an integer');
  if (v !== LETTER_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `letter version ${v} is not supported`);
  const f = Fields.of(value, 'letter', LETTER_FIELDS);
  const kind = f.str('kind', { max: 32, pattern: KIND_RE });
  if (!(SPECIFIED_KINDS as readonly string[]).includes(kind)) {
    throw new ProtocolError('UNSUPPORTED_KIND', `letter kind "${kind}" is not supported`);
  }
  const from = readNameField(f, 'from');
  const to = readNameField(f, 'to');
  // LET-6, EVT-7: a post and an event go to the world (or a channel); an invitation to one comrade,
  // never to the world.
  if (TO_WORLD.has(kind) && to !== WORLD_NAME) throw new ProtocolError('MALFORMED', `a ${kind} is addressed to ${WORLD_NAME}`);
  if (TO_ONE.has(kind) && to === WORLD_NAME) throw new ProtocolError('MALFORMED', `a ${kind} is addressed to one comrade`);
  const at = f.int('at', { min: 0, max: MAX_LETTER_AT });
  const id = f.bytes('id', { min: LETTER_ID_BYTES, max: LETTER_ID_BYTES }).slice();
  const head = { v: LETTER_VERSION, from, to, at, id } as const;
  const raw = f.raw('body');
  switch (kind as SpecifiedKind) {
    case 'event':
      return { ...head, kind: 'event', body: readEventBody(raw) };
    case 'invite':
      return { ...head, kind: 'invite', body: readInviteBody(raw) };
    case 'rsvp':
      return { ...head, kind: 'rsvp', body: readRsvpBody(raw) };
    case 'circle-key':
      return { ...head, kind: 'circle-key', body: readCircleKeyBody(raw) };
    default:
      return { ...head, kind: kind as 'dm' | 'post', body: readTextBody(raw) };
  }
}

/** The canonical map of a letter: fields in LET-1 order. Values are not checked here. */
function letterToMap(letter: Letter): Record<string, unknown> {
  if (typeof letter !== 'object' || letter === null) throw new TypeError('letter must be an object');
  return {
    v: letter.v,
    kind: letter.kind,
    from: letter.from,
    to: letter.to,
    at: letter.at,
    id: letter.id,
    body: bodyToMap(letter),
  };
}

/** The canonical map of a letter's body, by its kind; an unknown kind's body is passed on for the reader to refuse. */
function bodyToMap(letter: Letter): unknown {
  switch (letter.kind) {
    case 'event':
      return eventBodyToMap(letter.body);
    case 'invite':
      return inviteBodyToMap(letter.body);
    case 'rsvp':
      return rsvpBodyToMap(letter.body);
    case 'circle-key':
      return circleKeyBodyToMap(letter.body);
    case 'dm':
    case 'post':
      return textBodyToMap(letter.body);
    default:
      return (letter as { body: unknown }).body;
  }
}
