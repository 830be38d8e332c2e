/**
 * OP-5, MB-3: how the Operator mints the ids of mail items and posts (26 characters): a time part and a
 * counter, both fixed-width base 36, then 48 random bits in hex. The rule lives here once, in two
 * renderings: {@link nextId} (which the memory and LMDB stores run inside their write transaction) and
 * {@link NEXT_ID_LUA} (which the Redis store's put scripts run), held to each other by a property test
 * (`test/store/redis.test.ts`). The random part is drawn by the policy ({@link randomPart}) and handed to
 * the store with the item, so a store never draws randomness of its own.
 *
 * Order: a new id is greater than every id present in its mailbox — for posts, greater than every id
 * present in the feed and than the last post id ever minted (OP-5: a deleted post's id may be a reader's
 * `before` cursor). Its time is the arrival time or that id's time if that is later, and a tie takes that
 * id's counter + 1. So ids sort in arrival order (MB-3 lists oldest first; the feed pages newest first)
 * even when the clock stands still, steps back, or differs between Operator processes. Each store mints
 * atomically with the insert, so no other id is minted in between.
 *
 * Uniqueness: within a mailbox by the order rule; a deleted id is never handed out again except by a 2^-48
 * coincidence of the random part, so a client's late, repeated ack cannot delete a newer letter.
 * @internal
 */
import { randomFillSync } from 'node:crypto';

/** Base-36 digits of the time part: 36^10 ms reaches past the year 10000 (the wire's TIME_BOUNDS). */
export const TIME_DIGITS = 10;
/** Base-36 digits of the counter that orders ids of one millisecond: 1.6 million before the time moves on. */
export const SEQ_DIGITS = 4;
/** Hex digits of the random part. */
export const RANDOM_DIGITS = 12;
/** Length of every id, far below the wire's 64-character item id bound (OP-5). */
export const ID_LENGTH = TIME_DIGITS + SEQ_DIGITS + RANDOM_DIGITS;
/** The latest time an id can carry (ms). */
export const MAX_ID_TIME = 36 ** TIME_DIGITS - 1;

const SEQ_LIMIT = 36 ** SEQ_DIGITS;
const ID_PATTERN = new RegExp(`^[0-9a-z]{${TIME_DIGITS + SEQ_DIGITS}}[0-9a-f]{${RANDOM_DIGITS}}$`);
const RANDOM_PATTERN = new RegExp(`^[0-9a-f]{${RANDOM_DIGITS}}$`);

/** True when `value` has the shape of a store id (from any backend, any process, any time). */
export function isStoreId(value: unknown): value is string {
  return typeof value === 'string' && value.length === ID_LENGTH && ID_PATTERN.test(value);
}

/** True when `value` has the shape of an id's random part ({@link randomPart}). */
export function isRandomPart(value: unknown): value is string {
  return typeof value === 'string' && RANDOM_PATTERN.test(value);
}

/**
 * The id for an item arriving at `at` where `greatest` is the greatest id present in its mailbox or feed.
 * Callers hold the transaction that inserts the item, so no other id is minted in between.
 * @param at - arrival time (ms)
 * @param greatest - the greatest id present, if any
 * @param random - the id's random part ({@link randomPart}, drawn by the policy)
 * @returns a fresh id greater than `greatest`
 * @throws RangeError past the year 10000
 */
export function nextId(at: number, greatest: string | undefined, random: string): string {
  let time = Math.floor(at);
  let seq = 0;
  if (greatest !== undefined) {
    const lastTime = parseInt(greatest.slice(0, TIME_DIGITS), 36);
    if (lastTime >= time) {
      time = lastTime;
      seq = parseInt(greatest.slice(TIME_DIGITS, TIME_DIGITS + SEQ_DIGITS), 36) + 1;
      if (seq === SEQ_LIMIT) [time, seq] = [time + 1, 0];
    }
  }
  if (time > MAX_ID_TIME) throw new RangeError('id time is beyond the year 10000');
  return time.toString(36).padStart(TIME_DIGITS, '0') + seq.toString(36).padStart(SEQ_DIGITS, '0') + random;
}

/**
 * The later of two ids, either possibly absent (ids are fixed-width and their digits sort as characters).
 * @param a - an id, if any
 * @param b - an id, if any
 * @returns the greater of the two, or the one present, or undefined
 */
export function laterId(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined || (b !== undefined && b > a) ? b : a;
}

const pool = Buffer.alloc(6 * 512);
let poolUsed = pool.length;

let scripted: ((length: number) => Uint8Array) | undefined;

/**
 * Takes the random part of ids from `source` until the returned function is called, for the spec's
 * recorded conversation (`spec/scripts/_scripted-crypto.ts`), whose fetch and feed answers must replay
 * byte for byte. Safe for the same reasons as core's `_scriptRandomForVectors`: exported from no index,
 * so neither the Operator's code nor anything on the network can reach it.
 * @internal
 * @returns a function that restores the CSPRNG
 */
export function _scriptIdsForVectors(source: (length: number) => Uint8Array): () => void {
  scripted = source;
  return () => {
    scripted = undefined;
  };
}

/** 48 random bits as 12 hex digits (from a pool, so minting an id costs no system call). */
export function randomPart(): string {
  if (scripted) return Buffer.from(scripted(6)).toString('hex');
  if (poolUsed === pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  poolUsed += 6;
  return pool.toString('hex', poolUsed - 6, poolUsed);
}

/**
 * {@link nextId} in Lua, for the Redis store's put scripts: the new id comes after each id it is given (the
 * greatest present; for posts also the last minted, OP-5) — its time is max(arrival, that id's time), a tie
 * takes that id's counter + 1. Ids are compared as numbers, not as Lua strings (Redis sets LC_COLLATE from
 * its environment). Defines `greatest_in(index)` and `next_id(time, random, a, b)`.
 */
export const NEXT_ID_LUA = `
local function base36(n, width)
  local digits, s = '0123456789abcdefghijklmnopqrstuvwxyz', ''
  while n > 0 do
    local d = n % 36
    s = string.sub(digits, d + 1, d + 1) .. s
    n = (n - d) / 36
  end
  return string.rep('0', width - #s) .. s
end
local function greatest_in(index)
  return redis.call('ZRANGE', index, '+', '-', 'BYLEX', 'REV', 'LIMIT', 0, 1)[1]
end
local function after(time, seq, id)
  if not id then return time, seq end
  local t = tonumber(string.sub(id, 1, ${TIME_DIGITS}), 36)
  local s = tonumber(string.sub(id, ${TIME_DIGITS + 1}, ${TIME_DIGITS + SEQ_DIGITS}), 36) + 1
  if t > time or (t == time and s > seq) then return t, s end
  return time, seq
end
local function next_id(time, random, a, b)
  local seq = 0
  time, seq = after(time, seq, a)
  time, seq = after(time, seq, b)
  if seq == ${36 ** SEQ_DIGITS} then time, seq = time + 1, 0 end
  if time > ${MAX_ID_TIME} then error('id time is beyond the year 10000') end
  return base36(time, ${TIME_DIGITS}) .. base36(seq, ${SEQ_DIGITS}) .. random
end
`;
