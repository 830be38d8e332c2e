/**
 * The world feed (FEED-*): epoch keys sealed to each registered reader, posts sealed under them, pages of
 * posts newest first, and deletion by the author.
 * @module
 */
import type { Fields } from '../codec/index.js';
import { SEALED_BOUNDS, TIME_BOUNDS, mapOf, must, readItemId, readName } from './_bounds.js';
import { readTally } from './votes.js';
import { MAX_TTL_MS, MIN_TTL_MS, WIRE_MAX_FEED_ITEMS, WIRE_MAX_POST_DAYS } from './limits.js';
import { emptyResult } from './mail.js';

/** FEED-1: one world epoch per UTC day. */
export const EPOCH_MS = 86_400_000;

/** FEED-1: the world epoch of a time (ms): whole UTC days since 1970-01-01. */
export function epochOf(ms: number): number {
  return Math.floor(ms / EPOCH_MS);
}

/** Largest epoch number (POST-1: a 32-bit unsigned integer). */
const MAX_EPOCH = 0xffff_ffff;

/** Parameters of `worldKey`. */
export interface WorldKeyParams {
  /** The epoch wanted; the current one when absent (FEED-2). */
  readonly epoch?: number;
}

/** Result of `worldKey`. */
export interface WorldKeyResult {
  readonly epoch: number;
  /** `encryptFor(worldPrivateKey, readerPublicKey, epochKey)`; open with `decryptFrom(me, worldKey, sealed)`. */
  readonly sealed: Uint8Array;
}

/** Parameters of `post`. */
export interface PostParams {
  /** A sealed world post (`sealPost`: version, epoch, Secure Cell) for the current or previous epoch (FEED-3). */
  readonly post: Uint8Array;
  /** 1..`maxPostDays` (FEED-4). */
  readonly expiresInDays: number;
  /**
   * FEED-4: ms, 60 000 .. 366 days: ends the post's life sooner than `expiresInDays` (the smaller wins),
   * so a post that must go at a moment (an event's end, EVT-8) is not kept to a whole day past it.
   */
  readonly ttl?: number;
}

/** Result of `post`. */
export interface PostResult {
  readonly id: string;
  readonly expiresAt: number;
}

/** Parameters of `feed`. */
export interface FeedParams {
  /** Only posts older than this post id (the `next` of the previous page). */
  readonly before?: string;
  readonly limit?: number;
}

/** One post in a feed page. Readers MUST check that the signed letter inside is `from` `author` (FEED-7). */
export interface FeedPost {
  readonly id: string;
  readonly author: string;
  readonly epoch: number;
  readonly post: Uint8Array;
  readonly postedAt: number;
  readonly expiresAt: number;
  /** VOTE-5: up votes held now; absent when none (nor down). */
  readonly up?: number;
  /** VOTE-5: down votes held now; absent when none (nor up). */
  readonly down?: number;
}

/** Result of `feed`: newest first (FEED-6). */
export interface FeedResult {
  readonly posts: readonly FeedPost[];
  /** Pass as `before` for the next page; absent on the last page. */
  readonly next?: string;
}

/** Parameters of `delete`; `postId`, because `id` is the request's own id (OP-1). */
export interface DeleteParams {
  readonly postId: string;
}

/** @internal */
export const worldKeyCodec = {
  keys: ['epoch'] as const,
  encodeParams: (p: WorldKeyParams) => (p.epoch !== undefined ? { epoch: p.epoch } : {}),
  decodeParams: (f: Fields): WorldKeyParams => {
    const epoch = f.optInt('epoch', { min: 0, max: MAX_EPOCH });
    return epoch === undefined ? {} : { epoch };
  },
  encodeResult: (r: WorldKeyResult) => ({ epoch: r.epoch, sealed: r.sealed }),
  decodeResult: (value: unknown): WorldKeyResult => {
    const f = mapOf(value, 'worldKey result', ['epoch', 'sealed']);
    return { epoch: f.int('epoch', { min: 0, max: MAX_EPOCH }), sealed: f.bytes('sealed', { min: 1, max: 1024 }) };
  },
};

/** @internal */
export const postCodec = {
  keys: ['post', 'expiresInDays', 'ttl'] as const,
  encodeParams: (p: PostParams) => ({ post: p.post, expiresInDays: p.expiresInDays, ...(p.ttl !== undefined ? { ttl: p.ttl } : {}) }),
  decodeParams: (f: Fields): PostParams => {
    const post = f.bytes('post', SEALED_BOUNDS);
    const expiresInDays = f.int('expiresInDays', { min: 1, max: WIRE_MAX_POST_DAYS });
    const ttl = f.optInt('ttl', { min: MIN_TTL_MS, max: MAX_TTL_MS });
    return { post, expiresInDays, ...(ttl !== undefined ? { ttl } : {}) };
  },
  encodeResult: (r: PostResult) => ({ id: r.id, expiresAt: r.expiresAt }),
  decodeResult: (value: unknown): PostResult => {
    const f = mapOf(value, 'post result', ['id', 'expiresAt']);
    return { id: readItemId(f, 'id'), expiresAt: f.int('expiresAt', TIME_BOUNDS) };
  },
};

/** @internal */
export const feedCodec = {
  keys: ['before', 'limit'] as const,
  encodeParams: (p: FeedParams) => ({
    ...(p.before !== undefined ? { before: p.before } : {}),
    ...(p.limit !== undefined ? { limit: p.limit } : {}),
  }),
  decodeParams: (f: Fields): FeedParams => {
    const before = f.has('before') ? readItemId(f, 'before') : undefined;
    const limit = f.optInt('limit', { min: 1, max: WIRE_MAX_FEED_ITEMS });
    return { ...(before !== undefined ? { before } : {}), ...(limit !== undefined ? { limit } : {}) };
  },
  encodeResult: (r: FeedResult) => ({
    posts: r.posts.map((p) => ({
      id: p.id,
      author: p.author,
      epoch: p.epoch,
      post: p.post,
      postedAt: p.postedAt,
      expiresAt: p.expiresAt,
      ...(p.up || p.down ? { up: p.up ?? 0, down: p.down ?? 0 } : {}),
    })),
    ...(r.next !== undefined ? { next: r.next } : {}),
  }),
  decodeResult: (value: unknown): FeedResult => {
    const f = mapOf(value, 'feed result', ['posts', 'next']);
    const posts = f.list('posts', WIRE_MAX_FEED_ITEMS).map((v) => {
      const p = mapOf(v, 'feed post', ['id', 'author', 'epoch', 'post', 'postedAt', 'expiresAt', 'up', 'down']);
      must(p.has('up') === p.has('down'), 'a feed post has both up and down, or neither');
      return {
        ...(p.has('up') ? readTally(p) : {}),
        id: readItemId(p, 'id'),
        author: readName(p, 'author'),
        epoch: p.int('epoch', { min: 0, max: MAX_EPOCH }),
        post: p.bytes('post', SEALED_BOUNDS),
        postedAt: p.int('postedAt', TIME_BOUNDS),
        expiresAt: p.int('expiresAt', TIME_BOUNDS),
      };
    });
    return f.has('next') ? { posts, next: readItemId(f, 'next') } : { posts };
  },
};

/** @internal */
export const deleteCodec = {
  keys: ['postId'] as const,
  encodeParams: (p: DeleteParams) => ({ postId: p.postId }),
  decodeParams: (f: Fields): DeleteParams => ({ postId: readItemId(f, 'postId') }),
  ...emptyResult,
};
