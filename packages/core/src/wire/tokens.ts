/**
 * Unlinkable tokens on the wire (TOK-*): `tokenKeys` announces the issuer keys (no login), `tokens` signs
 * a logged-in comrade's blinded requests within the daily budget. A token itself travels in the `token`
 * field of the anonymous op it pays for (`send`, `vote`, …), on a connection that is not logged in.
 * @module
 */
import type { Fields } from '../codec/index.js';
import { TOKEN_KEY_BOUNDS, TOKEN_REQUEST_BYTES, TOKEN_RESPONSE_BYTES } from '../tokens/_sizes.js';

/** TOK-6: a whole token's bytes, for code that holds tokens without making them (no Privacy Pass library loaded). */
export { TOKEN_BYTES } from '../tokens/_sizes.js';
import { TIME_BOUNDS, mapOf, must } from './_bounds.js';
import { MAX_TOKEN_BYTES } from './limits.js';

/** TOK-3: most token requests in one `tokens` op (and most tokens a budget may grant per period). */
export const WIRE_MAX_TOKEN_REQUESTS = 100;
/** TOK-4: most issuer keys `tokenKeys` announces (the current one and the previous one, with room). */
export const WIRE_MAX_TOKEN_KEYS = 4;
/** TOK-6: the bounds of a `token` field as the frame decoder reads it; `parseToken` then wants exactly 354 bytes. */
export const TOKEN_FIELD_BOUNDS = { min: 1, max: MAX_TOKEN_BYTES } as const;

/** One issuer key (TOK-4). */
export interface TokenKey {
  /** The RSA-2048 public key, SPKI with the RSASSA-PSS OID; its SHA-256 is the key id in each token. */
  readonly key: Uint8Array;
  /** When the Operator starts signing with it (ms). */
  readonly from: number;
  /** After this (ms), tokens under this key are refused with `TOKEN_EXPIRED`. */
  readonly until: number;
}

/** When `send` takes a token (TOK-11): `accept` — a token or, if asked, proof of work; `require` — a token. */
export type SendTokenRule = 'accept' | 'require';

/** Result of `tokenKeys` (TOK-4). */
export interface TokenKeysResult {
  /** The keys whose tokens are accepted now, the one signing new tokens first. */
  readonly keys: readonly TokenKey[];
  /** TOK-9: tokens each comrade may obtain per period. */
  readonly budget: number;
  /** TOK-4: the length of a period (ms): one issuer key, one budget. */
  readonly periodMs: number;
  /** TOK-11: whether a letter must be paid with a token. */
  readonly send: SendTokenRule;
}

/** Parameters of `tokens` (TOK-3, login). */
export interface TokensParams {
  /** Blinded token requests (RFC 9578 TokenRequest, 259 bytes each) for the key signing now. */
  readonly requests: readonly Uint8Array[];
}

/** Result of `tokens`. */
export interface TokensResult {
  /** One blind signature per request granted, in order: fewer than asked when the budget ran out. */
  readonly responses: readonly Uint8Array[];
  /** Tokens still left in this period's budget. */
  readonly left: number;
}

const SEND_RULES: readonly SendTokenRule[] = ['accept', 'require'];

/** @internal */
export const tokenKeysCodec = {
  keys: [] as const,
  encodeParams: (_p: Record<string, never>) => ({}),
  decodeParams: (_f: Fields): Record<string, never> => ({}),
  encodeResult: (r: TokenKeysResult) => ({
    keys: r.keys.map((k) => ({ key: k.key, from: k.from, until: k.until })),
    budget: r.budget,
    periodMs: r.periodMs,
    send: r.send,
  }),
  decodeResult: (value: unknown): TokenKeysResult => {
    const f = mapOf(value, 'tokenKeys result', ['keys', 'budget', 'periodMs', 'send']);
    const keys = f.list('keys', WIRE_MAX_TOKEN_KEYS).map((v) => {
      const k = mapOf(v, 'token key', ['key', 'from', 'until']);
      const key = { key: k.bytes('key', TOKEN_KEY_BOUNDS), from: k.int('from', TIME_BOUNDS), until: k.int('until', TIME_BOUNDS) };
      must(key.from < key.until, 'a token key ends before it begins');
      return key;
    });
    must(keys.length > 0, 'tokenKeys names no key');
    return {
      keys,
      budget: f.int('budget', { min: 0, max: WIRE_MAX_TOKEN_REQUESTS }),
      periodMs: f.int('periodMs', { min: 60_000, max: 366 * 86_400_000 }),
      send: f.oneOf('send', SEND_RULES),
    };
  },
};

/** @internal */
export const tokensCodec = {
  keys: ['requests'] as const,
  encodeParams: (p: TokensParams) => ({ requests: [...p.requests] }),
  decodeParams: (f: Fields): TokensParams => {
    const raw = f.list('requests', WIRE_MAX_TOKEN_REQUESTS);
    must(raw.length > 0, 'tokens.requests is empty');
    return { requests: raw.map((v, i) => exactBytes(v, TOKEN_REQUEST_BYTES, `tokens.requests[${i}]`)) };
  },
  encodeResult: (r: TokensResult) => ({ responses: [...r.responses], left: r.left }),
  decodeResult: (value: unknown): TokensResult => {
    const f = mapOf(value, 'tokens result', ['responses', 'left']);
    const responses = f.list('responses', WIRE_MAX_TOKEN_REQUESTS).map((v, i) => exactBytes(v, TOKEN_RESPONSE_BYTES, `tokens.responses[${i}]`));
    return { responses, left: f.int('left', { min: 0, max: WIRE_MAX_TOKEN_REQUESTS }) };
  },
};

/** Reads an optional `token` field (TOK-6): bytes within {@link TOKEN_FIELD_BOUNDS}; the exact form is `parseToken`'s. */
export function readTokenField(f: Fields): Uint8Array | undefined {
  return f.optBytes('token', TOKEN_FIELD_BOUNDS);
}

function exactBytes(v: unknown, n: number, label: string): Uint8Array {
  must(v instanceof Uint8Array, `${label} must be bytes`);
  must(v.length === n, `${label} must be ${n} bytes`);
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}
