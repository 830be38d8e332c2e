/**
 * Channel posts on the wire (CHAN-6 … CHAN-10): `chanPost` files one sealed post under a channel, shown
 * by its posting capability (the Operator keeps only the id it hashes to, CHAN-1); `chanFeed` reads a
 * channel's unexpired posts by id, newest first. Both on connections that are not logged in, so the
 * Operator never learns which comrade posts to or reads which channel (CHAN-6).
 * @module
 */
import type { Fields } from '../codec/index.js';
import { CHANNEL_ID_BYTES, MAX_CHANNEL_POST_BYTES } from '../envelope/channel.js';
import { NONCE_BOUNDS, TIME_BOUNDS, mapOf, must, readItemId } from './_bounds.js';
import { MAX_TTL_MS, MIN_TTL_MS, WIRE_MAX_FEED_ITEMS, WIRE_MAX_POST_DAYS } from './limits.js';
import { readTokenField } from './tokens.js';
import { readTally } from './votes.js';

/** CHAN-8: most posts in one `chanFeed` page (the Operator's `feedItems` may be lower). */
export const WIRE_MAX_CHAN_ITEMS = WIRE_MAX_FEED_ITEMS;

const CHANNEL_BOUNDS = { min: CHANNEL_ID_BYTES, max: CHANNEL_ID_BYTES } as const;
const CHAN_POST_BOUNDS = { min: 1, max: MAX_CHANNEL_POST_BYTES } as const;

/** Parameters of `chanPost`. */
export interface ChanPostParams {
  /** The channel's posting capability (32 bytes, CHAN-1): the Operator files the post under its hash. */
  readonly cap: Uint8Array;
  /** The sealed channel post (`sealChannelPost`), opaque to the Operator. */
  readonly post: Uint8Array;
  /** 1..`maxPostDays` (CHAN-7, as FEED-4). */
  readonly expiresInDays: number;
  /** ms, 60 000 .. 366 days: ends the post's life sooner than `expiresInDays` (CHAN-7, as FEED-4). */
  readonly ttl?: number;
  /** Proof of work over this connection's challenge (CHAN-7, POW-*), when the Operator asks for `send` work. */
  readonly pow?: Uint8Array;
  /** An unlinkable token paying for the post instead of proof of work (EVT-15, TOK-*). */
  readonly token?: Uint8Array;
}

/** Result of `chanPost`. */
export interface ChanPostResult {
  /** The post's id in its channel (OP-5). */
  readonly id: string;
  /** When the Operator deletes it (ms). */
  readonly expiresAt: number;
}

/** Parameters of `chanFeed`. */
export interface ChanFeedParams {
  /** The channel id (32 bytes, CHAN-1). */
  readonly chan: Uint8Array;
  /** Only posts older than this post id (the `next` of the previous page). */
  readonly before?: string;
  readonly limit?: number;
}

/** One post of a channel page: no author, which only the sealed post names (CHAN-9). */
export interface ChanFeedPost {
  readonly id: string;
  readonly post: Uint8Array;
  readonly postedAt: number;
  readonly expiresAt: number;
  /** VOTE-10: up votes held now; absent when none (nor down). */
  readonly up?: number;
  /** VOTE-10: down votes held now; absent when none (nor up). */
  readonly down?: number;
}

/** Result of `chanFeed`: newest first (CHAN-8). */
export interface ChanFeedResult {
  readonly posts: readonly ChanFeedPost[];
  /** Pass as `before` for the next page; absent on the last page. */
  readonly next?: string;
}

/** @internal */
export const chanPostCodec = {
  keys: ['cap', 'post', 'expiresInDays', 'ttl', 'pow', 'token'] as const,
  encodeParams: (p: ChanPostParams) => ({
    cap: p.cap,
    post: p.post,
    expiresInDays: p.expiresInDays,
    ...(p.ttl !== undefined ? { ttl: p.ttl } : {}),
    ...(p.pow !== undefined ? { pow: p.pow } : {}),
    ...(p.token !== undefined ? { token: p.token } : {}),
  }),
  decodeParams: (f: Fields): ChanPostParams => {
    const pow = f.optBytes('pow', NONCE_BOUNDS);
    const token = readTokenField(f);
    const ttl = f.optInt('ttl', { min: MIN_TTL_MS, max: MAX_TTL_MS });
    return {
      cap: f.bytes('cap', CHANNEL_BOUNDS),
      post: f.bytes('post', CHAN_POST_BOUNDS),
      expiresInDays: f.int('expiresInDays', { min: 1, max: WIRE_MAX_POST_DAYS }),
      ...(ttl !== undefined ? { ttl } : {}),
      ...(pow !== undefined ? { pow } : {}),
      ...(token !== undefined ? { token } : {}),
    };
  },
  encodeResult: (r: ChanPostResult) => ({ id: r.id, expiresAt: r.expiresAt }),
  decodeResult: (value: unknown): ChanPostResult => {
    const f = mapOf(value, 'chanPost result', ['id', 'expiresAt']);
    return { id: readItemId(f, 'id'), expiresAt: f.int('expiresAt', TIME_BOUNDS) };
  },
};

/** @internal */
export const chanFeedCodec = {
  keys: ['chan', 'before', 'limit'] as const,
  encodeParams: (p: ChanFeedParams) => ({
    chan: p.chan,
    ...(p.before !== undefined ? { before: p.before } : {}),
    ...(p.limit !== undefined ? { limit: p.limit } : {}),
  }),
  decodeParams: (f: Fields): ChanFeedParams => {
    const chan = f.bytes('chan', CHANNEL_BOUNDS);
    const before = f.has('before') ? readItemId(f, 'before') : undefined;
    const limit = f.optInt('limit', { min: 1, max: WIRE_MAX_CHAN_ITEMS });
    return { chan, ...(before !== undefined ? { before } : {}), ...(limit !== undefined ? { limit } : {}) };
  },
  encodeResult: (r: ChanFeedResult) => ({
    posts: r.posts.map((p) => ({ id: p.id, post: p.post, postedAt: p.postedAt, expiresAt: p.expiresAt, ...(p.up || p.down ? { up: p.up ?? 0, down: p.down ?? 0 } : {}) })),
    ...(r.next !== undefined ? { next: r.next } : {}),
  }),
  decodeResult: (value: unknown): ChanFeedResult => {
    const f = mapOf(value, 'chanFeed result', ['posts', 'next']);
    const posts = f.list('posts', WIRE_MAX_CHAN_ITEMS).map((v) => {
      const p = mapOf(v, 'chanFeed post', ['id', 'post', 'postedAt', 'expiresAt', 'up', 'down']);
      must(p.has('up') === p.has('down'), 'a channel post has both up and down, or neither');
      return {
        ...(p.has('up') ? readTally(p) : {}),
        id: readItemId(p, 'id'),
        post: p.bytes('post', CHAN_POST_BOUNDS),
        postedAt: p.int('postedAt', TIME_BOUNDS),
        expiresAt: p.int('expiresAt', TIME_BOUNDS),
      };
    });
    return f.has('next') ? { posts, next: readItemId(f, 'next') } : { posts };
  },
};
