/**
 * The Operator's storage: one {@link Store} interface, three backends. `lmdb` is the default (embedded,
 * one Operator process); `redis` lets several Operator processes share one store; `memory` is for tests.
 * @module
 */
import type { Store } from './types.js';

export type { CastVoteResult, NewVote, TokenSpend, VoteTally, SpendResult, TokensTaken, AppendEntryResult, LogPage, LogQuota, MailItem, MailQuota, NewMail, NewPost, PostQuota, PutMailResult, PutPostResult, RegisterResult, Store, Stored, StoredPost, StoredProfile, PutProfileResult, StoredChanPost, NewChanPost, ChanQuota, PutChanPostResult, StoredPin, PutPinResult, PinVoteRule, VotePinResult } from './types.js';
export type { RedisStoreOptions } from './redis.js';
export { DEFAULT_REDIS_PREFIX } from './_redis-keys.js';

/** Which backend to open, and where its data lives. */
export type StoreOptions =
  | { readonly kind: 'memory' }
  | { readonly kind: 'lmdb'; readonly path: string }
  | { readonly kind: 'redis'; readonly url: string; readonly prefix?: string; readonly allowDataLoss?: boolean; readonly cluster?: boolean };

/**
 * Opens a store.
 * @param options - `memory`; `lmdb` with its data directory; or `redis` with a URL, an optional key prefix
 *   (default `comrad:`), `allowDataLoss` to accept a Redis without durable persistence (STORE-1) and
 *   `cluster` when the URL is a node of a Redis Cluster (STORE-5)
 * @returns the open store; call `close()` when done
 * @throws ComradError INTERNAL when Redis cannot be reached or can lose acknowledged writes (STORE-1); Error when the LMDB directory cannot be opened;
 *   TypeError on malformed options
 * @example
 * ```ts
 * const store = await openStore({ kind: 'lmdb', path: './data/store' });
 * const mail = { sealed, receivedAt: now, expiresAt: now + 7 * 86_400_000, key: mailKey(sealed), nonce: randomPart() };
 * const put = await store.appendMail('bob', mail, { maxItems: 500, maxBytes: 64 << 20 });
 * const items = await store.listMail('bob', now, 100); // oldest first; nothing deleted until deleteMail
 * await store.close();
 * ```
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  switch (options?.kind) {
    // Each backend is loaded when it is opened: lmdb's native module and ioredis cost a start that uses
    // the other one about a tenth of a second of CPU for nothing.
    case 'memory':
      return (await import('./memory.js')).openMemoryStore();
    case 'lmdb':
      return (await import('./lmdb.js')).openLmdbStore(options.path);
    case 'redis':
      return (await import('./redis.js')).openRedisStore(options.url, options.prefix, { allowDataLoss: options.allowDataLoss === true, cluster: options.cluster === true });
    default:
      throw new TypeError("options.kind must be 'memory', 'lmdb' or 'redis'");
  }
}
