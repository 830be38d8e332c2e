/**
 * The Operator's configurable limits (LIMIT-*, MB-4, MB-5, FEED-4, FEED-5) with finite defaults, checked
 * once at start so a typo cannot switch a limit off.
 * @module
 */
import { MAX_POSITION } from '@comrad/core/collective';
import { LIMIT_KEYS, LIMIT_MAX, MAX_POW_BITS, MAX_REQUEST_FRAME_BYTES, MAX_SEALED_BYTES, WIRE_MAX_LOG_ITEMS, WIRE_MAX_PIN_ITEMS, type OperatorLimits } from '@comrad/core/wire';
import { MAX_PIN_TTL_SECONDS, MIN_PIN_TTL_SECONDS } from '@comrad/core/pins';

/** Every limit the server enforces: the announced ones (`info.limits`) and the server-only ones. */
export interface ServerLimits extends OperatorLimits {
  /** LIMIT-4: concurrent WebSocket connections per process, logged in or not. */
  readonly maxConnections: number;
  /** LIMIT-4: of those, connections not logged in; the rest is kept for logged-in ones. */
  readonly maxUnauthenticated: number;
  /** LIMIT-4: logged-in connections of one name. */
  readonly maxConnectionsPerName: number;
  /** LIMIT-8: greetings (signed, with ECDH) the process makes per second, whoever asks; the burst is the same. */
  readonly greetingsPerSecond: number;
  /** LIMIT-7: time a new connection has to log in or make a successful request before it is closed (ms). */
  readonly handshakeMs: number;
  /** LIMIT-3: requests of one connection being processed at once. */
  readonly maxInflight: number;
  /** LIMIT-6: one connection's share of memory: its frames being processed and its answers not yet written to the socket. */
  readonly maxBufferedBytes: number;
  /** LIMIT-6: the same, summed over every connection of the process. */
  readonly memoryBudgetBytes: number;
  /** REG-6: leading zero bits of proof of work for `register` (0 = none). */
  readonly registerPowBits: number;
  /** MB-9: leading zero bits of proof of work per letter (0 = none). */
  readonly sendPowBits: number;
  /** STORE-2: sealed bytes of letters and posts the whole store holds; more → `STORAGE_FULL`. */
  readonly storageBytes: number;
  /** POW-2: how long after its greeting a connection's proof-of-work challenge is accepted (ms). */
  readonly powMaxAgeMs: number;
  /** COL-22: entries one collective log holds; more → `QUOTA_EXCEEDED`. */
  readonly logEntries: number;
  /** COL-23: most entries in one `colRead` answer. */
  readonly logItems: number;
  /** CHAN-7: posts one channel holds (unexpired, or not yet swept); more → `QUOTA_EXCEEDED`. */
  readonly chanPosts: number;
  /** CHAN-7: posts one channel takes per hour, whoever posts; more → `RATE_LIMITED`. */
  readonly chanPostsPerHour: number;
  /** PIN-4: the longest a new pin lives (ms); a longer `ttl` is cut to this. */
  readonly maxPinTtlMs: number;
  /** PIN-6: what one confirm adds to a pin's life, and one deny takes away (ms). */
  readonly pinVoteMs: number;
  /** PIN-6: no pin lives past its creation plus this (ms), however often confirmed. */
  readonly pinMaxLifeMs: number;
  /** PIN-5: pins the whole store holds; more → `QUOTA_EXCEEDED`. */
  readonly maxPins: number;
  /** PIN-8: most pins in one `pins` answer. */
  readonly pinItems: number;
}

const DAY_MS = 86_400_000;

/** The defaults: generous for people, finite for abuse. */
export const DEFAULT_LIMITS: ServerLimits = {
  frameBytes: MAX_REQUEST_FRAME_BYTES,
  sealedLetterBytes: MAX_SEALED_BYTES,
  mailboxItems: 1000,
  mailboxBytes: 64 * 1024 * 1024,
  mailTtlMs: 30 * DAY_MS,
  maxPostDays: 30,
  postsPerHour: 20,
  requestsPerSecond: 50,
  fetchItems: 50,
  ackIds: 500,
  feedItems: 50,
  maxConnections: 10_000,
  maxUnauthenticated: 1000,
  maxConnectionsPerName: 8,
  handshakeMs: 20_000,
  // LIMIT-8: a greeting costs about 0.3–1 ms of one core (a signature, two ECDH): 500 per second bound what
  // strangers can make the Operator spend to well under one core.
  greetingsPerSecond: 500,
  maxInflight: 16,
  maxBufferedBytes: 16 * 1024 * 1024,
  memoryBudgetBytes: 128 * 1024 * 1024,
  // REG-6: names cost work by default (about 2 s of one core on Node, see spec/05-operator.md); letters
  // do not, since a sender has no name to lose and the mailbox quota (MB-4) bounds a flood.
  registerPowBits: 20,
  sendPowBits: 0,
  // STORE-2: 8 GiB of sealed bytes; on disk LMDB's pages and indexes about double that for small letters.
  storageBytes: 8 * 1024 ** 3,
  powMaxAgeMs: 300_000,
  // COL-22: a collective of 100 000 members (COL-15) admitted with a few vouches each, and its votes.
  logEntries: 1_000_000,
  // COL-23: 64 entries of at most 4.5 KiB: under 300 KiB per answer.
  logItems: 64,
  // CHAN-7: a circle or a collective's channel holds a month of a busy group's posts; the hourly bound
  // keeps one key holder (or a leaked key) from filling it in minutes.
  chanPosts: 2000,
  chanPostsPerHour: 120,
  // PIN-4, PIN-6: a pin lives 2 hours unless asked otherwise, at most 6; each confirm adds half an hour,
  // each deny takes half an hour away, and nothing lives past 12 hours: a danger is news, not a record.
  maxPinTtlMs: 6 * 3_600_000,
  pinVoteMs: 1_800_000,
  pinMaxLifeMs: 12 * 3_600_000,
  maxPins: 100_000,
  pinItems: 200,
};

/** Upper bounds of each limit: what a client accepts, narrowed to the protocol's own bounds where there is one. */
const MAX: { readonly [K in keyof ServerLimits]: number } = {
  ...LIMIT_MAX,
  frameBytes: MAX_REQUEST_FRAME_BYTES,
  sealedLetterBytes: MAX_SEALED_BYTES,
  maxConnections: 1_000_000,
  maxUnauthenticated: 1_000_000,
  maxConnectionsPerName: 1_000_000,
  handshakeMs: 3_600_000,
  greetingsPerSecond: 1_000_000,
  maxInflight: 1024,
  maxBufferedBytes: 2 ** 40,
  memoryBudgetBytes: 2 ** 40,
  registerPowBits: MAX_POW_BITS,
  sendPowBits: MAX_POW_BITS,
  storageBytes: Number.MAX_SAFE_INTEGER,
  powMaxAgeMs: 86_400_000,
  logEntries: MAX_POSITION,
  logItems: WIRE_MAX_LOG_ITEMS,
  chanPosts: 1_000_000,
  chanPostsPerHour: 1_000_000,
  maxPinTtlMs: MAX_PIN_TTL_SECONDS * 1000,
  pinVoteMs: DAY_MS,
  pinMaxLifeMs: 7 * DAY_MS,
  maxPins: 100_000_000,
  pinItems: WIRE_MAX_PIN_ITEMS,
};

/**
 * The defaults overridden by `overrides`; every value must be an integer within its bounds.
 * @throws RangeError naming the limit
 * @example `resolveLimits({ mailboxItems: 10 })`
 */
export function resolveLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  // LIMIT-4: a smaller maxConnections without its own maxUnauthenticated keeps the default's proportion (1 in 10).
  const unauthenticated = overrides.maxConnections !== undefined ? Math.max(1, Math.min(DEFAULT_LIMITS.maxUnauthenticated, Math.floor(overrides.maxConnections / 10))) : DEFAULT_LIMITS.maxUnauthenticated;
  const out = { ...DEFAULT_LIMITS, maxUnauthenticated: unauthenticated, ...overrides };
  for (const key of Object.keys(out) as (keyof ServerLimits)[]) {
    if (!(key in MAX)) throw new RangeError(`unknown limit "${key}"`);
    const v = out[key];
    const min = key.endsWith('PowBits') ? 0 : 1;
    if (!Number.isSafeInteger(v) || v < min || v > MAX[key]) throw new RangeError(`limit ${key} must be an integer in ${min}..${MAX[key]}`);
  }
  // LIMIT-4: logged-in connections always keep at least one slot of their own.
  if (out.maxUnauthenticated >= out.maxConnections) throw new RangeError('limit maxUnauthenticated must be below maxConnections');
  if (out.maxBufferedBytes > out.memoryBudgetBytes) throw new RangeError('limit maxBufferedBytes must be at most memoryBudgetBytes');
  if (out.pinMaxLifeMs < out.maxPinTtlMs) throw new RangeError('limit pinMaxLifeMs must be at least maxPinTtlMs');
  if (out.maxPinTtlMs < MIN_PIN_TTL_SECONDS * 1000) throw new RangeError(`limit maxPinTtlMs must be at least ${MIN_PIN_TTL_SECONDS * 1000}`);
  return out;
}

/** The part of the limits announced in `info` (OP-2). */
export function announcedLimits(l: ServerLimits): OperatorLimits {
  return Object.fromEntries(LIMIT_KEYS.map((k) => [k, l[k]])) as unknown as OperatorLimits;
}

/**
 * LIMIT-9: one worker's share of the limits when `workers` processes serve one port: each process-wide
 * total (connections, connections not logged in, greetings per second, the memory budget) is divided, so
 * the workers together never pass it; per-connection, per-mailbox and per-author limits stay as they are
 * (the store and each connection enforce them), and `maxConnectionsPerName` is counted by the primary.
 * @throws RangeError when a total is too small to share (fewer than 2 connections per worker)
 */
export function workerShare(l: ServerLimits, workers: number): ServerLimits {
  if (workers === 1) return l;
  const share = (n: number) => Math.max(1, Math.floor(n / workers));
  const maxConnections = Math.floor(l.maxConnections / workers);
  if (maxConnections < 2) throw new RangeError(`limit maxConnections must be at least ${2 * workers} for ${workers} workers`);
  const memoryBudgetBytes = share(l.memoryBudgetBytes);
  return {
    ...l,
    maxConnections,
    maxUnauthenticated: Math.min(share(l.maxUnauthenticated), maxConnections - 1),
    greetingsPerSecond: share(l.greetingsPerSecond),
    memoryBudgetBytes,
    maxBufferedBytes: Math.min(l.maxBufferedBytes, memoryBudgetBytes),
  };
}
