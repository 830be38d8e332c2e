/**
 * Mailboxes (MB-*): `send` (no login, no sender), `fetch` and `ack` (the recipient, logged in).
 * @module
 */
import type { Fields } from '../codec/index.js';
import { NONCE_BOUNDS, SEALED_BOUNDS, TIME_BOUNDS, checkItemId, mapOf, readItemId, readName } from './_bounds.js';
import { readTokenField } from './tokens.js';
import { MAX_TTL_MS, MIN_TTL_MS, WIRE_MAX_ACK_IDS, WIRE_MAX_FETCH_ITEMS } from './limits.js';

/** Parameters of `send` (MB-1). Nothing here names the sender, and the Operator stores nothing about the connection. */
export interface SendParams {
  /** The recipient's name. */
  readonly to: string;
  /** The sealed letter: opaque bytes to the Operator (LIM-6). */
  readonly letter: Uint8Array;
  /** Requested time to live in ms (MB-5); the Operator caps it at its `mailTtlMs`. */
  readonly ttl?: number;
  /** Proof-of-work nonce when the Operator asks for one (MB-9). */
  readonly pow?: Uint8Array;
  /** MB-10, TOK-11: an unlinkable token paying for this letter (`@comrad/core/tokens`). */
  readonly token?: Uint8Array;
}

/** Parameters of `fetch`. */
export interface FetchParams {
  /** Most items wanted; the Operator's `fetchItems` when absent. */
  readonly limit?: number;
}

/** One waiting letter. */
export interface MailEntry {
  /** The id to acknowledge (MB-3). */
  readonly id: string;
  readonly letter: Uint8Array;
  /** When the Operator received it (ms). */
  readonly receivedAt: number;
}

/** Result of `fetch`: oldest first (MB-2). */
export interface FetchResult {
  readonly items: readonly MailEntry[];
}

/** Parameters of `ack`. */
export interface AckParams {
  readonly ids: readonly string[];
}

/** Result of `ack`. */
export interface AckResult {
  /** How many of the ids were deleted now (unknown or already deleted ids do not count). */
  readonly deleted: number;
}

/** An empty result (`send`, `delete`). */
export type EmptyResult = Record<string, never>;

/** @internal */
export const emptyResult = {
  encodeResult: (_r: EmptyResult) => ({}),
  decodeResult: (value: unknown): EmptyResult => (mapOf(value, 'result', []), {}),
};

/** @internal */
export const sendCodec = {
  keys: ['to', 'letter', 'ttl', 'pow', 'token'] as const,
  encodeParams: (p: SendParams) => ({
    to: p.to,
    letter: p.letter,
    ...(p.ttl !== undefined ? { ttl: p.ttl } : {}),
    ...(p.pow ? { pow: p.pow } : {}),
    ...(p.token ? { token: p.token } : {}),
  }),
  decodeParams: (f: Fields): SendParams => {
    const out: { -readonly [K in keyof SendParams]: SendParams[K] } = { to: readName(f, 'to'), letter: f.bytes('letter', SEALED_BOUNDS) };
    const ttl = f.optInt('ttl', { min: MIN_TTL_MS, max: MAX_TTL_MS });
    const pow = f.optBytes('pow', NONCE_BOUNDS);
    const token = readTokenField(f);
    if (ttl !== undefined) out.ttl = ttl;
    if (pow) out.pow = pow;
    if (token) out.token = token;
    return out;
  },
  ...emptyResult,
};

/** @internal */
export const fetchCodec = {
  keys: ['limit'] as const,
  encodeParams: (p: FetchParams) => (p.limit !== undefined ? { limit: p.limit } : {}),
  decodeParams: (f: Fields): FetchParams => {
    const limit = f.optInt('limit', { min: 1, max: WIRE_MAX_FETCH_ITEMS });
    return limit === undefined ? {} : { limit };
  },
  encodeResult: (r: FetchResult) => ({ items: r.items.map((i) => ({ id: i.id, letter: i.letter, receivedAt: i.receivedAt })) }),
  decodeResult: (value: unknown): FetchResult => {
    const f = mapOf(value, 'fetch result', ['items']);
    const items = f.list('items', WIRE_MAX_FETCH_ITEMS).map((v) => {
      const i = mapOf(v, 'mail item', ['id', 'letter', 'receivedAt']);
      return { id: readItemId(i, 'id'), letter: i.bytes('letter', SEALED_BOUNDS), receivedAt: i.int('receivedAt', TIME_BOUNDS) };
    });
    return { items };
  },
};

/** @internal */
export const ackCodec = {
  keys: ['ids'] as const,
  encodeParams: (p: AckParams) => ({ ids: [...p.ids] }),
  decodeParams: (f: Fields): AckParams => {
    const raw = f.list('ids', WIRE_MAX_ACK_IDS);
    return { ids: raw.map((id, n) => checkItemId(id, `ack.ids[${n}]`)) };
  },
  encodeResult: (r: AckResult) => ({ deleted: r.deleted }),
  decodeResult: (value: unknown): AckResult => ({
    deleted: mapOf(value, 'ack result', ['deleted']).int('deleted', { min: 0, max: WIRE_MAX_ACK_IDS }),
  }),
};
