/**
 * Danger pins on the wire (PIN-5..PIN-8): `pinPut` leaves a pin, `pinVote` confirms or denies one, `pins`
 * lists the live pins in some cells. All three run on connections that are not logged in (PIN-7), so the
 * Operator never ties a pin, a vote or a question to a comrade; a pin names no author at all.
 * @module
 */
import { ProtocolError } from '../errors.js';
import type { Fields } from '../codec/index.js';
import { MAX_PIN_NOTE_CHARS, MAX_PIN_TTL_SECONDS, MIN_PIN_TTL_SECONDS, NULLIFIER_BYTES, PIN_CELL_PATTERN, PIN_VOTES, checkPinKind, checkPinNote, type PinKind, type PinVote } from '../pins/pin.js';
import { TIME_BOUNDS, mapOf, readItemId } from './_bounds.js';
import { readTokenField } from './tokens.js';

/** PIN-8: most cells one `pins` question names (a 3 × 3 block). */
export const WIRE_MAX_PIN_CELLS = 9;
/** PIN-8: most pins in one `pins` answer. */
export const WIRE_MAX_PIN_ITEMS = 500;
/** PIN-8: a cell asked about is a geohash prefix of 1 to 7 characters. */
const QUERY_CELL = /^[0-9b-hjkmnp-z]{1,7}$/;
/** The largest confirm or deny count. */
const MAX_COUNT = 0xffff_ffff;
const NOTE_BOUNDS = { max: MAX_PIN_NOTE_CHARS * 4 } as const;

/** Parameters of `pinPut`. */
export interface PinPutParams {
  /** PIN-2: the geohash (7 characters) of the cell the pin is in. */
  readonly cell: string;
  /** PIN-1. */
  readonly kind: PinKind;
  /** PIN-3: at most 140 code points on one line; absent when empty. */
  readonly note?: string;
  /** PIN-4: the lifetime asked for, in seconds (60..86 400); the Operator caps it at its own maximum. */
  readonly ttl: number;
  /** A Privacy Pass token paying for the pin (at most 512 bytes). */
  readonly token?: Uint8Array;
}

/** Result of `pinPut`. */
export interface PinPutResult {
  /** The pin's id (OP-5 characters), to vote on. */
  readonly id: string;
  /** When the Operator deletes it unless votes change that (ms). */
  readonly expiresAt: number;
}

/** Parameters of `pinVote`. */
export interface PinVoteParams {
  /** The pin's id. */
  readonly pin: string;
  readonly vote: PinVote;
  /** PIN-6: 32 bytes, one per comrade per pin (`pinNullifier`). */
  readonly nullifier: Uint8Array;
  /** A Privacy Pass token paying for the vote. */
  readonly token?: Uint8Array;
}

/** Result of `pinVote`: the pin after the vote. */
export interface PinVoteResult {
  readonly expiresAt: number;
  readonly confirms: number;
  readonly denies: number;
}

/** Parameters of `pins`. */
export interface PinsParams {
  /** PIN-8: geohash prefixes (1..7 characters each), 1..9 of them. */
  readonly cells: readonly string[];
  /** At most this many pins (default and cap: the Operator's). */
  readonly limit?: number;
}

/** One live pin, as the Operator holds it: no author (PIN-5). */
export interface WirePin {
  readonly id: string;
  readonly cell: string;
  readonly kind: PinKind;
  readonly note?: string;
  /** When the Operator received it (ms). */
  readonly createdAt: number;
  /** When it goes (ms). */
  readonly expiresAt: number;
  readonly confirms: number;
  readonly denies: number;
}

/** Result of `pins`. */
export interface PinsResult {
  readonly pins: readonly WirePin[];
}

const readCell = (f: Fields, key: string): string => {
  const cell = f.str(key, { min: 7, max: 7 });
  if (!PIN_CELL_PATTERN.test(cell)) throw new ProtocolError('MALFORMED', `${f.what}.${key} is not a geohash of 7 characters`);
  return cell;
};

const readNote = (f: Fields): string | undefined => {
  if (!f.has('note')) return undefined;
  const raw = f.raw('note');
  if (typeof raw !== 'string') throw new ProtocolError('MALFORMED', `${f.what}.note must be a string`);
  // PIN-3: the byte cap first (4 bytes a code point at most), then the count and characters.
  if (raw.length > NOTE_BOUNDS.max) throw new ProtocolError('TOO_LARGE', `a pin's note is at most ${MAX_PIN_NOTE_CHARS} characters`);
  const note = checkPinNote(raw);
  if (note.length === 0) throw new ProtocolError('MALFORMED', 'an empty note is sent as no note');
  return note;
};

const readKind = (f: Fields): PinKind => {
  const v = f.raw('kind');
  if (typeof v !== 'string') throw new ProtocolError('MALFORMED', `${f.what}.kind must be a string`);
  return checkPinKind(v);
};

const counts = (f: Fields) => ({ confirms: f.int('confirms', { min: 0, max: MAX_COUNT }), denies: f.int('denies', { min: 0, max: MAX_COUNT }) });

/** @internal */
export const pinPutCodec = {
  keys: ['cell', 'kind', 'note', 'ttl', 'token'] as const,
  encodeParams: (p: PinPutParams) => ({ cell: p.cell, kind: p.kind, ...(p.note ? { note: p.note } : {}), ttl: p.ttl, ...(p.token ? { token: p.token } : {}) }),
  // PIN-5: the order of checks: cell, kind, note, ttl, token.
  decodeParams: (f: Fields): PinPutParams => {
    const cell = readCell(f, 'cell');
    const kind = readKind(f);
    const note = readNote(f);
    const ttl = f.int('ttl', { min: MIN_PIN_TTL_SECONDS, max: MAX_PIN_TTL_SECONDS });
    const token = readTokenField(f);
    return { cell, kind, ...(note !== undefined ? { note } : {}), ttl, ...(token ? { token } : {}) };
  },
  encodeResult: (r: PinPutResult) => ({ id: r.id, expiresAt: r.expiresAt }),
  decodeResult: (value: unknown): PinPutResult => {
    const f = mapOf(value, 'pinPut result', ['id', 'expiresAt']);
    return { id: readItemId(f, 'id'), expiresAt: f.int('expiresAt', TIME_BOUNDS) };
  },
};

/** @internal */
export const pinVoteCodec = {
  keys: ['pin', 'vote', 'nullifier', 'token'] as const,
  encodeParams: (p: PinVoteParams) => ({ pin: p.pin, vote: p.vote, nullifier: p.nullifier, ...(p.token ? { token: p.token } : {}) }),
  decodeParams: (f: Fields): PinVoteParams => {
    const pin = readItemId(f, 'pin');
    const vote = f.oneOf('vote', PIN_VOTES);
    const nullifier = f.bytes('nullifier', { min: NULLIFIER_BYTES, max: NULLIFIER_BYTES });
    const token = readTokenField(f);
    return { pin, vote, nullifier, ...(token ? { token } : {}) };
  },
  encodeResult: (r: PinVoteResult) => ({ expiresAt: r.expiresAt, confirms: r.confirms, denies: r.denies }),
  decodeResult: (value: unknown): PinVoteResult => {
    const f = mapOf(value, 'pinVote result', ['expiresAt', 'confirms', 'denies']);
    return { expiresAt: f.int('expiresAt', TIME_BOUNDS), ...counts(f) };
  },
};

/** @internal */
export const pinsCodec = {
  keys: ['cells', 'limit'] as const,
  encodeParams: (p: PinsParams) => ({ cells: [...p.cells], ...(p.limit !== undefined ? { limit: p.limit } : {}) }),
  decodeParams: (f: Fields): PinsParams => {
    const list = f.list('cells', WIRE_MAX_PIN_CELLS);
    if (list.length === 0) throw new ProtocolError('MALFORMED', 'pins needs at least one cell');
    const cells = list.map((c) => {
      if (typeof c !== 'string' || !QUERY_CELL.test(c)) throw new ProtocolError('MALFORMED', 'each cell is a geohash prefix of 1 to 7 characters');
      return c;
    });
    const limit = f.optInt('limit', { min: 1, max: WIRE_MAX_PIN_ITEMS });
    return { cells, ...(limit !== undefined ? { limit } : {}) };
  },
  encodeResult: (r: PinsResult) => ({
    pins: r.pins.map((p) => ({ id: p.id, cell: p.cell, kind: p.kind, ...(p.note ? { note: p.note } : {}), createdAt: p.createdAt, expiresAt: p.expiresAt, confirms: p.confirms, denies: p.denies })),
  }),
  decodeResult: (value: unknown): PinsResult => {
    const f = mapOf(value, 'pins result', ['pins']);
    const pins = f.list('pins', WIRE_MAX_PIN_ITEMS).map((v): WirePin => {
      const p = mapOf(v, 'pin', ['id', 'cell', 'kind', 'note', 'createdAt', 'expiresAt', 'confirms', 'denies']);
      const id = readItemId(p, 'id');
      const cell = readCell(p, 'cell');
      const kind = readKind(p);
      const note = readNote(p);
      return { id, cell, kind, ...(note !== undefined ? { note } : {}), createdAt: p.int('createdAt', TIME_BOUNDS), expiresAt: p.int('expiresAt', TIME_BOUNDS), ...counts(p) };
    });
    return { pins };
  },
};
