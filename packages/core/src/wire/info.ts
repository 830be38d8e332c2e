/**
 * `info` (OP-2): what an Operator announces about itself before anyone logs in — its keys, its limits and
 * the proof-of-work difficulties it wants.
 * @module
 */
import type { Fields } from '../codec/index.js';
import type { PublicKey } from '../crypto/index.js';
import { readKey, mapOf, must } from './_bounds.js';
import { MAX_POW_BITS } from './pow.js';
import { WIRE_MAX_ACK_IDS, WIRE_MAX_FEED_ITEMS, WIRE_MAX_FETCH_ITEMS } from './limits.js';

/** The limits an Operator enforces (LIMIT-*); each refusal is a typed error frame. */
export interface OperatorLimits {
  /** LIMIT-1: largest request frame in bytes. */
  readonly frameBytes: number;
  /** LIMIT-2: largest sealed letter or sealed post in bytes. */
  readonly sealedLetterBytes: number;
  /** MB-4: letters waiting per mailbox. */
  readonly mailboxItems: number;
  /** MB-4: bytes waiting per mailbox. */
  readonly mailboxBytes: number;
  /** MB-5: how long an unacknowledged letter is kept (ms). */
  readonly mailTtlMs: number;
  /** FEED-4: the longest a post may live (days). */
  readonly maxPostDays: number;
  /** FEED-5: posts per comrade per hour. */
  readonly postsPerHour: number;
  /** LIMIT-3: requests per connection per second (a token bucket with this rate and burst). */
  readonly requestsPerSecond: number;
  /** MB-2: most items one `fetch` returns. */
  readonly fetchItems: number;
  /** MB-3: most ids one `ack` takes. */
  readonly ackIds: number;
  /** FEED-6: most posts one `feed` page returns. */
  readonly feedItems: number;
}

/** Result of `info`. */
export interface InfoResult {
  /** Protocol version the Operator speaks (OP-1). */
  readonly v: 1;
  /** The Operator's public key; clients pin it (AUTH-1, REG-4). */
  readonly operatorKey: PublicKey;
  /** The world account's (`@comrades`) public key; epoch keys are sealed with it (FEED-2). */
  readonly worldKey: PublicKey;
  readonly limits: OperatorLimits;
  /** Leading zero bits required per op (REG-6, MB-9); 0 = none. */
  readonly pow: { readonly register: number; readonly send: number };
}

/** The names of the announced limits, in wire order. */
export const LIMIT_KEYS = [
  'frameBytes',
  'sealedLetterBytes',
  'mailboxItems',
  'mailboxBytes',
  'mailTtlMs',
  'maxPostDays',
  'postsPerHour',
  'requestsPerSecond',
  'fetchItems',
  'ackIds',
  'feedItems',
] as const;

/** Upper bounds a client accepts for announced limits, so a hostile Operator cannot make it allocate wildly. */
export const LIMIT_MAX: { readonly [K in keyof OperatorLimits]: number } = {
  frameBytes: 64 * 1024 * 1024,
  sealedLetterBytes: 64 * 1024 * 1024,
  mailboxItems: 1_000_000,
  mailboxBytes: 2 ** 40,
  mailTtlMs: 366 * 86_400_000,
  maxPostDays: 366,
  postsPerHour: 1_000_000,
  requestsPerSecond: 1_000_000,
  fetchItems: WIRE_MAX_FETCH_ITEMS,
  ackIds: WIRE_MAX_ACK_IDS,
  feedItems: WIRE_MAX_FEED_ITEMS,
};

/** @internal */
export const infoCodec = {
  keys: [] as const,
  encodeParams: (_p: Record<string, never>) => ({}),
  decodeParams: (_f: Fields): Record<string, never> => ({}),
  encodeResult: (r: InfoResult) => ({
    v: r.v,
    operatorKey: r.operatorKey.bytes(),
    worldKey: r.worldKey.bytes(),
    limits: Object.fromEntries(LIMIT_KEYS.map((k) => [k, r.limits[k]])),
    pow: { register: r.pow.register, send: r.pow.send },
  }),
  decodeResult: (value: unknown): InfoResult => {
    const f = mapOf(value, 'info result', ['v', 'operatorKey', 'worldKey', 'limits', 'pow']);
    must(f.int('v') === 1, 'info.v must be 1');
    const lf = mapOf(f.raw('limits'), 'info.limits', LIMIT_KEYS);
    const limits = Object.fromEntries(LIMIT_KEYS.map((k) => [k, lf.int(k, { min: 1, max: LIMIT_MAX[k] })])) as unknown as OperatorLimits;
    const pf = mapOf(f.raw('pow'), 'info.pow', ['register', 'send']);
    return {
      v: 1,
      operatorKey: readKey(f, 'operatorKey'),
      worldKey: readKey(f, 'worldKey'),
      limits,
      pow: { register: pf.int('register', { min: 0, max: MAX_POW_BITS }), send: pf.int('send', { min: 0, max: MAX_POW_BITS }) },
    };
  },
};
