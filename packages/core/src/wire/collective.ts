/**
 * Collective logs on the wire (COL-22, COL-23): `colAppend` puts one sealed entry at the position the
 * appender expects to fill (compare-and-append, COL-19), signed with the collective's key; `colRead`
 * reads entries from a position. Both on connections that are not logged in (COL-20).
 * @module
 */
import { ProtocolError } from '../errors.js';
import type { Fields } from '../codec/index.js';
import { MAX_ENTRY_BYTES, MAX_POSITION } from '../collective/entry.js';
import { SIGNED_BOUNDS, mapOf, readName } from './_bounds.js';
import { emptyResult } from './mail.js';

/** COL-23: most entries in one `colRead` answer. */
export const WIRE_MAX_LOG_ITEMS = 256;

const ENTRY_BOUNDS = { min: 1, max: MAX_ENTRY_BYTES } as const;
const POSITION_BOUNDS = { min: 0, max: MAX_POSITION } as const;

/** Parameters of `colAppend`. */
export interface ColAppendParams {
  /** The collective's name, registered with the collective's key (COL-25). */
  readonly col: string;
  /** The position the entry must fill: the number of entries the appender has read (COL-19). */
  readonly pos: number;
  /** The sealed entry (COL-24): opaque to the Operator. */
  readonly entry: Uint8Array;
  /** The collective key's signature over the append (COL-23). */
  readonly sig: Uint8Array;
}

/** Parameters of `colRead`. */
export interface ColReadParams {
  readonly col: string;
  /** The first position wanted. */
  readonly from: number;
  /** Most entries wanted; the Operator's `logItems` when absent. */
  readonly limit?: number;
}

/** Result of `colRead`. */
export interface ColReadResult {
  /** Entries from `from` on, in log order. */
  readonly entries: readonly Uint8Array[];
  /** How many entries the log holds: the position the next append must name. */
  readonly length: number;
}

/** @internal */
export const colAppendCodec = {
  keys: ['col', 'pos', 'entry', 'sig'] as const,
  encodeParams: (p: ColAppendParams) => ({ col: p.col, pos: p.pos, entry: p.entry, sig: p.sig }),
  decodeParams: (f: Fields): ColAppendParams => ({
    col: readName(f, 'col'),
    pos: f.int('pos', POSITION_BOUNDS),
    entry: f.bytes('entry', ENTRY_BOUNDS),
    sig: f.bytes('sig', SIGNED_BOUNDS),
  }),
  ...emptyResult,
};

/** @internal */
export const colReadCodec = {
  keys: ['col', 'from', 'limit'] as const,
  encodeParams: (p: ColReadParams) => ({ col: p.col, from: p.from, ...(p.limit !== undefined ? { limit: p.limit } : {}) }),
  decodeParams: (f: Fields): ColReadParams => {
    const limit = f.optInt('limit', { min: 1, max: WIRE_MAX_LOG_ITEMS });
    return { col: readName(f, 'col'), from: f.int('from', POSITION_BOUNDS), ...(limit !== undefined ? { limit } : {}) };
  },
  encodeResult: (r: ColReadResult) => ({ entries: [...r.entries], length: r.length }),
  decodeResult: (value: unknown): ColReadResult => {
    const f = mapOf(value, 'colRead result', ['entries', 'length']);
    const entries = f.list('entries', WIRE_MAX_LOG_ITEMS).map((e, n) => {
      if (!(e instanceof Uint8Array)) throw new ProtocolError('MALFORMED', `colRead.entries[${n}] must be bytes`);
      if (e.length === 0) throw new ProtocolError('MALFORMED', `colRead.entries[${n}] is empty`);
      if (e.length > MAX_ENTRY_BYTES) throw new ProtocolError('TOO_LARGE', `colRead.entries[${n}] is over ${MAX_ENTRY_BYTES} bytes`);
      return e;
    });
    return { entries, length: f.int('length', POSITION_BOUNDS) };
  },
};
