/**
 * The Operator's storage interface. One interface, three backends (memory, LMDB, Redis), one conformance
 * suite. A store holds bytes it cannot read: sealed letters and sealed posts are opaque here. The clock is
 * always passed in (`now`, ms since epoch) so expiry is testable and every Operator process agrees.
 * @module
 */

/** A sealed letter waiting in a mailbox. No sender is ever stored (MB-1). */
export interface MailItem {
  /** Store-assigned id, unique within the mailbox; ids sort in arrival order. */
  readonly id: string;
  /** The sealed letter, exactly as received. */
  readonly sealed: Uint8Array;
  /** When the Operator received it (ms). */
  readonly receivedAt: number;
  /** When it is deleted even if never acknowledged (ms). */
  readonly expiresAt: number;
}

/** A post to the world feed, sealed under a world epoch key. */
export interface StoredPost {
  /** Store-assigned id; ids sort in posting order (newest has the greatest id). */
  readonly id: string;
  /** The authenticated author's name (posts are signed by their author and visible to every reader anyway). */
  readonly author: string;
  /** The sealed post bytes, exactly as received. */
  readonly sealed: Uint8Array;
  /** The world epoch whose key sealed it. */
  readonly epoch: number;
  /** When the Operator received it (ms). */
  readonly postedAt: number;
  /** When it is deleted (ms). */
  readonly expiresAt: number;
}

/** A new post, before the store assigns its id. */
export type NewPost = Omit<StoredPost, 'id'>;

/** Outcome of a registration attempt; registration is atomic across every Operator process (REG-2). */
export type RegisterResult = 'ok' | 'name-taken' | 'key-taken';

/** Per-mailbox bounds, checked atomically with the insert (MB-4), and the store's budget (STORE-2). */
export interface MailQuota {
  readonly maxItems: number;
  readonly maxBytes: number;
  /** STORE-2: sealed bytes of every letter and post held by the whole store; absent = no budget. */
  readonly storageBytes?: number;
}

/** A put that succeeded. */
export interface Stored {
  /** The id of the new item, or of the identical one already held. */
  readonly id: string;
  /** Present when the identical item was already held, so nothing was written (MB-11, FEED-9, STORE-3). */
  readonly held?: true;
}

/**
 * What a put answers: the letter's id (MB-11: of the identical one when already held), or why nothing was
 * stored — `quota`: the mailbox is full (MB-4); `storage-full`: the store's budget (STORE-2).
 */
export type PutMailResult = Stored | 'quota' | 'storage-full';

/** Bounds of a new post, checked atomically with the insert (FEED-5, STORE-2). */
export interface PostQuota {
  /** FEED-5: the author may hold at most this many posts with `postedAt` ≥ `since`, the new one included. */
  readonly maxPosts: number;
  /** Start of the window (ms), normally `postedAt` − one hour. */
  readonly since: number;
  /** STORE-2: as in {@link MailQuota}. */
  readonly storageBytes?: number;
}

/**
 * What a post put answers: the id (of the new post, or of the identical post by the same author already
 * held: FEED-9), or `rate-limited` (FEED-5) or `storage-full` (STORE-2), with nothing stored.
 */
export type PutPostResult = Stored | 'rate-limited' | 'storage-full';

/** The Operator's storage. Every method is safe to call concurrently, from several processes for Redis. */
export interface Store {
  /** Which backend this is. */
  readonly kind: 'memory' | 'lmdb' | 'redis';

  // Registry: the one permanent record (REG-*).
  /** Registers `name` ↔ `publicKey` (canonical bytes) if neither is taken; atomic. */
  register(name: string, publicKey: Uint8Array, registeredAt: number): Promise<RegisterResult>;
  /** The public key registered under `name`. */
  keyOf(name: string): Promise<Uint8Array | undefined>;
  /** The name registered with `publicKey`. */
  nameOf(publicKey: Uint8Array): Promise<string | undefined>;

  // Mailboxes (MB-*).
  /**
   * Stores a sealed letter for `to`, unless the mailbox is full (`quota`) or the store's budget is spent
   * (`storage-full`); atomic with both checks. The same sealed bytes already held in that mailbox are not
   * stored again: the put answers the held letter's id (MB-11), so a retried put is a no-op.
   */
  putMail(to: string, sealed: Uint8Array, receivedAt: number, expiresAt: number, quota: MailQuota): Promise<PutMailResult>;
  /** Up to `limit` unexpired items of `to`, oldest first. Listing deletes nothing (MB-3). */
  listMail(to: string, now: number, limit: number): Promise<MailItem[]>;
  /** Deletes exactly the listed items of `to`'s mailbox; unknown ids are ignored. Returns how many went. */
  ackMail(to: string, ids: readonly string[]): Promise<number>;

  // World feed (FEED-*).
  /**
   * Stores a post and answers its id; with `quota`, only if the author holds fewer than `maxPosts` posts
   * since `quota.since` and the budget allows, checked atomically with the insert (FEED-5, STORE-2). A post
   * with the same author and sealed bytes as one held is not stored again: its id is answered (FEED-9).
   */
  putPost(post: NewPost, quota?: PostQuota): Promise<PutPostResult>;
  /** Up to `limit` unexpired posts, newest first, strictly older than the post id `before` when given. */
  listPosts(now: number, limit: number, before?: string): Promise<StoredPost[]>;
  /** One post by id, if it exists and has not expired. */
  getPost(id: string, now: number): Promise<StoredPost | undefined>;
  /** Deletes the post if `author` wrote it; false when there is no such post by that author. */
  deletePost(id: string, author: string): Promise<boolean>;
  /** How many posts `author` made at or after `since` (what FEED-5 counts; `putPost` checks it atomically). */
  countPostsSince(author: string, since: number): Promise<number>;

  // World epoch keys (FEED-*): opaque bytes (the Operator encrypts them before storing).
  /** The stored value for `epoch`, creating it with `create()` if absent; atomic, so every process agrees. */
  worldKey(epoch: number, create: () => Uint8Array): Promise<Uint8Array>;

  // Expiry.
  /** Deletes every mail item and post whose `expiresAt` ≤ `now` (and world keys older than `keepEpochsFrom`). */
  expire(now: number, keepEpochsFrom?: number): Promise<{ mail: number; posts: number }>;

  // Notifications across Operator processes ("you have mail").
  /** Calls `listener(to)` whenever mail is put for `to` by any process sharing this store. */
  onMail(listener: (to: string) => void): () => void;

  /** STORE-2: sealed bytes of the letters and posts held (what `storageBytes` bounds). */
  storedBytes(): Promise<number>;

  /** Everything stored, as raw key/value pairs — for privacy tests only (what would a seized disk show?). */
  dump(): Promise<Array<[key: string, value: Uint8Array | string]>>;

  /** Flushes and closes. Further calls fail. */
  close(): Promise<void>;
}
