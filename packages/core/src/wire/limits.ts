/**
 * Wire-level bounds (LIMIT-*): the most any Operator may allow per request or per answer, so both sides
 * can size their buffers. An Operator's own limits (announced in `info`) are at most these.
 * @module
 */
import { MAX_MESSAGE_CHARS } from '../errors.js';
import { MAX_FRAME_BYTES, MAX_SEALED_LETTER_BYTES } from '../limits.js';

/** MB-2: most items in one `fetch` answer. */
export const WIRE_MAX_FETCH_ITEMS = 100;
/** MB-3: most ids in one `ack`. */
export const WIRE_MAX_ACK_IDS = 1000;
/** FEED-6: most posts in one `feed` page. */
export const WIRE_MAX_FEED_ITEMS = 100;
/**
 * LIMIT-5: an answer carrying letters or posts stops adding items once it holds this many bytes of them
 * (it always carries at least one item, so a page is at most this plus one sealed item).
 */
export const PAGE_BYTES = 4 * 1024 * 1024;
/** LIMIT-5: the largest frame an Operator sends; clients set their `maxPayload` to this. */
export const MAX_RESPONSE_FRAME_BYTES = PAGE_BYTES + MAX_SEALED_LETTER_BYTES + 256 * 1024;
/** LIMIT-2: the largest sealed letter or sealed post a request carries (LIM-6). */
export const MAX_SEALED_BYTES = MAX_SEALED_LETTER_BYTES;
/** LIMIT-1: the largest request frame (LIM-7). */
export const MAX_REQUEST_FRAME_BYTES = MAX_FRAME_BYTES;
/** MB-10: the reserved Privacy Pass token field is at most this many bytes. */
export const MAX_TOKEN_BYTES = 512;
/** MB-5: a letter's requested time to live is 1 minute to 366 days (the Operator caps it at its own max). */
export const MIN_TTL_MS = 60_000;
/** MB-5: upper bound of a requested ttl. */
export const MAX_TTL_MS = 366 * 86_400_000;
/** FEED-4: `expiresInDays` is at most this on the wire (the Operator's `maxPostDays` may be lower). */
export const WIRE_MAX_POST_DAYS = 366;
/** OP-1: the largest request id: ids are uint32, so every msgpack library reads them as one type. */
export const MAX_REQUEST_ID = 2 ** 32 - 1;
/** OP-3: an error frame's message is at most this many characters (as every ProtocolError's, ERR-2). */
export const MAX_ERROR_MESSAGE_CHARS = MAX_MESSAGE_CHARS;
