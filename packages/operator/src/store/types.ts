/**
 * The Operator's storage interface: atomic primitives, no rules. One interface, three backends (memory,
 * LMDB, Redis), one conformance suite. A store holds bytes it cannot read: sealed letters and sealed posts
 * are opaque here. Every number that decides — a bound, a time, a dedupe key, an id's random part, an
 * owner — is a parameter chosen by the Operator's policy (`../policy/index.ts`); the store evaluates the
 * condition atomically with its write (Redis serves several processes, so a condition checked outside the
 * primitive could be stale by the time of the write), and never decides a rule of its own. The clock is
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

/** What the policy decides about a new item before the store appends it. */
export interface Appended {
  /**
   * The dedupe key: an item with the same key already held (in the same mailbox, or in the feed) is the
   * same item, and the append answers its id instead of storing it again. 1–128 characters.
   */
  readonly key: string;
  /** The random part of the new item's id (12 hex digits, `policy/ids.ts`): the store mints the rest. */
  readonly nonce: string;
}

/** A new letter, as the policy hands it to the store. */
export interface NewMail extends Appended {
  /** The sealed letter, exactly as received. */
  readonly sealed: Uint8Array;
  /** When the Operator received it (ms); also the time part of its id. */
  readonly receivedAt: number;
  /** When it is deleted even if never acknowledged (ms). */
  readonly expiresAt: number;
}

/** A new post, before the store assigns its id. */
export type NewPost = Omit<StoredPost, 'id'> & Appended;

/** Outcome of putting a name/key pair: stored, or which half was already held (nothing stored). */
export type RegisterResult = 'ok' | 'name-taken' | 'key-taken';

/** Bounds of one mailbox after the append, and of the whole store, checked atomically with it. */
export interface MailQuota {
  /** Items the mailbox may hold, the new one included. */
  readonly maxItems: number;
  /** Sealed bytes the mailbox may hold, the new letter included. */
  readonly maxBytes: number;
  /** Sealed bytes of every letter and post the whole store may hold; absent = no bound. */
  readonly storageBytes?: number;
}

/** An append that succeeded. */
export interface Stored {
  /** The id of the new item, or of the item with the same dedupe key already held. */
  readonly id: string;
  /** Present when an item with the same dedupe key was already held, so nothing was written. */
  readonly held?: true;
}

/**
 * What a mail append answers: the letter's id (of the one with the same key when already held), or which
 * bound refused it, with nothing stored — `quota`: the mailbox's; `storage-full`: the store's; `spent`:
 * the token paying for it was burned for another action (TOK-8).
 */
export type PutMailResult = Stored | 'quota' | 'storage-full' | 'spent';

/** Bounds of a new post, checked atomically with the append. */
export interface PostQuota {
  /** The author may hold at most this many posts with `postedAt` ≥ `since`, the new one included. */
  readonly maxPosts: number;
  /** Start of the counted window (ms). */
  readonly since: number;
  /** As in {@link MailQuota}. */
  readonly storageBytes?: number;
}

/**
 * What a post append answers: the id (of the new post, or of the post with the same key already held), or
 * which bound refused it, with nothing stored — `rate-limited`: the author's count; `storage-full`: the store's.
 */
export type PutPostResult = Stored | 'rate-limited' | 'storage-full';

/** Bounds of a collective log after an append, and of the whole store, checked atomically with it (COL-22). */
export interface LogQuota {
  /** Entries the log may hold, the new one included. */
  readonly maxEntries: number;
  /** As in {@link MailQuota}: sealed bytes of every letter, post and log entry the store may hold. */
  readonly storageBytes?: number;
}

/**
 * What a compare-and-append answers (COL-19): `ok` — the entry is at the position asked (appended now, or
 * already there with the same bytes: a retried append is a no-op); `stale` — the log holds another number
 * of entries, or another entry at that position; `full` — the log's bound; `storage-full` — the store's.
 * Nothing is stored unless `ok`.
 */
export type AppendEntryResult = 'ok' | 'stale' | 'full' | 'storage-full';

/** A page of a collective log. */
export interface LogPage {
  /** The entries from the position asked, in log order, exactly as appended. */
  readonly entries: Uint8Array[];
  /** How many entries the log holds (its next position). */
  readonly length: number;
}

/** A profile held for a name (PROF-10): the latest the author put, sealed, opaque to the store. */
export interface StoredProfile {
  /** The sealed profile, exactly as received. */
  readonly sealed: Uint8Array;
  /** The author's signed time from the profile's clear header (seconds): what "newer" compares. */
  readonly at: number;
  /** When the Operator received it (ms). */
  readonly receivedAt: number;
  /** When it is deleted unless replaced (ms). */
  readonly expiresAt: number;
}

/**
 * What a put-if-newer answers (PROF-10): `ok` — stored, replacing an older one (or none); `held` — these
 * very bytes are the profile held already, nothing written (a retry); `stale` — the profile held is as new
 * or newer (its `at` ≥ the new `at`, other bytes); `storage-full` — the store's bound. Nothing is stored
 * unless `ok`.
 */
export type PutProfileResult = 'ok' | 'held' | 'stale' | 'storage-full';

/** A post in a channel (CHAN-8): sealed under a key the store never sees, with no author (CHAN-9). */
export interface StoredChanPost {
  /** Store-assigned id, unique within the channel; ids sort in posting order. */
  readonly id: string;
  /** The sealed post, exactly as received. */
  readonly sealed: Uint8Array;
  /** When the Operator received it (ms). */
  readonly postedAt: number;
  /** When it is deleted (ms). */
  readonly expiresAt: number;
}

/** A new channel post, as the policy hands it to the store. */
export type NewChanPost = Omit<StoredChanPost, 'id'> & Appended;

/** Bounds of a channel after a post, and of the whole store, checked atomically with the append (CHAN-7). */
export interface ChanQuota {
  /** Posts the channel may hold, the new one included (expired ones not yet swept count too). */
  readonly maxPosts: number;
  /** Posts with `postedAt` ≥ `since` the channel may hold, the new one included. */
  readonly maxRecent: number;
  /** Start of the counted window (ms). */
  readonly since: number;
  /** As in {@link MailQuota}. */
  readonly storageBytes?: number;
}

/**
 * What a channel post append answers: the id (of the new post, or of the one with the same key already
 * held in the channel), or which bound refused it, with nothing stored — `full`: the channel's count;
 * `rate-limited`: its recent count; `storage-full`: the store's; `spent`: the token paying for it was
 * burned for another action (TOK-8).
 */
export type PutChanPostResult = Stored | 'full' | 'rate-limited' | 'storage-full' | 'spent';

/** A danger pin as stored (PIN-5): where, what, until when, and its vote counts; never who. */
export interface StoredPin {
  /** The policy's id for it (random: it says nothing about time or order). */
  readonly id: string;
  /** Its geohash cell (PIN-2), 7 characters. */
  readonly cell: string;
  /** Its kind (PIN-1). */
  readonly kind: string;
  /** Its note; the empty string when it has none. */
  readonly note: string;
  /** When the Operator received it (ms). */
  readonly createdAt: number;
  /** When it goes (ms); votes move it (PIN-6). */
  readonly expiresAt: number;
  readonly confirms: number;
  readonly denies: number;
}

/**
 * What a pin put answers: `ok` stored; `held` a pin with this id is held (a retry, nothing written); `full`
 * the store holds `maxPins`; `spent` the token paying for it was burned for another action (TOK-8).
 */
export type PutPinResult = 'ok' | 'held' | 'full' | 'spent';

/** PIN-6: how a vote moves a pin's expiry, as the policy chooses it. */
export interface PinVoteRule {
  /** A confirm adds this (ms). */
  readonly confirmMs: number;
  /** A deny takes this away (ms). */
  readonly denyMs: number;
  /** A pin never lives past its `createdAt` plus this (ms). */
  readonly maxLifeMs: number;
}

/**
 * What a vote answers: the pin after it, or — nothing changed — `not-found` (no such pin held),
 * `expired` (held, but its `expiresAt` ≤ now), `duplicate` (this nullifier voted on this pin already),
 * `spent` (the token paying for it was burned for another action, TOK-8).
 */
export type VotePinResult = { readonly expiresAt: number; readonly confirms: number; readonly denies: number } | 'not-found' | 'expired' | 'duplicate' | 'spent';

/**
 * What spending a token answers (TOK-8): `ok` — burned now; `held` — burned before for this very action (a
 * retry whose answer was lost: the action stands, nothing is written); `spent` — burned before for another
 * action, nothing written.
 */
export type SpendResult = 'ok' | 'held' | 'spent';

/** What taking tokens of a budget answers (TOK-9). */
export interface TokensTaken {
  /** Granted now. */
  readonly granted: number;
  /** Left in the budget after them. */
  readonly left: number;
}

/** A vote as the policy hands it to the store (VOTE-4, VOTE-9). */
export interface NewVote {
  /** The post voted on: a world post's id, or with `chan` a channel post's id in that channel. */
  readonly post: string;
  /** VOTE-9: the channel id (64 hex digits, CHAN-1) of a channel post; absent for a world post. */
  readonly chan?: string;
  /** VOTE-4: the voter tag: SHA-256 (hex) of the vote's `voter` value — never the value itself. */
  readonly voter: string;
  /** 1 up, -1 down, 0 withdrawn. */
  readonly choice: 1 | -1 | 0;
  /** When the post expires (ms): its votes and tally go with it. */
  readonly expiresAt: number;
}

/**
 * The token that pays for an action, as the store burns it (TOK-8) in the same atomic step as the
 * action's own write, so an action the store refuses (a bound, a duplicate) leaves its token unspent
 * (TOK-7), and every answer that is not a refusal (an item already held included) has burned it. A nonce
 * burned before for this very action is a retry: the write goes ahead as it would without a token (its
 * own dedupe makes it a no-op); burned for another action, the answer is `spent` and nothing is written.
 */
export interface TokenSpend {
  /** The period of the key that signed it. */
  readonly period: number;
  /** Its nonce, hex. */
  readonly nullifier: string;
  /** The action digest, hex. */
  readonly action: string;
}

/** A post's tally (VOTE-5). */
export interface VoteTally {
  readonly up: number;
  readonly down: number;
}

/**
 * What casting a vote answers (VOTE-4): the post's tally after it (`held` when the token was burned for
 * this very vote before: a retry, nothing written); `same` — the voter's vote is already this choice;
 * `spent` — the token was burned for another action. Nothing is written unless a tally without `held`.
 */
export type CastVoteResult = (VoteTally & { readonly held?: true }) | 'same' | 'spent';

/** The Operator's storage. Every method is safe to call concurrently, from several processes for Redis. */
export interface Store {
  /** Which backend this is. */
  readonly kind: 'memory' | 'lmdb' | 'redis';

  // Registry: a pair of unique keys, name ↔ public key.
  /** Puts `name` ↔ `publicKey` (canonical bytes) unless either is held already (then nothing is stored); atomic. */
  putPairIfAbsent(name: string, publicKey: Uint8Array, registeredAt: number): Promise<RegisterResult>;
  /** The public key paired with `name`. */
  keyOf(name: string): Promise<Uint8Array | undefined>;
  /** The name paired with `publicKey`. */
  nameOf(publicKey: Uint8Array): Promise<string | undefined>;

  // Mailboxes.
  /**
   * Appends a letter to `to`'s mailbox if no letter with the same key is held there and it stays within
   * `quota`; the key check, both bounds, the id (after the greatest id present) and the write are one
   * atomic step. A held key answers that letter's id and writes nothing, so a retried append is a no-op.
   * With `spend` (TOK-8, TOK-11) the token is burned in the same step, as {@link Store.castVote} does:
   * a nonce burned for another action answers `spent`; any refusal burns nothing.
   */
  appendMail(to: string, mail: NewMail, quota: MailQuota, spend?: TokenSpend): Promise<PutMailResult>;
  /** Up to `limit` items of `to` with `expiresAt` > `now`, oldest (smallest id) first. Deletes nothing. */
  listMail(to: string, now: number, limit: number): Promise<MailItem[]>;
  /** Deletes exactly the listed items of `to`'s mailbox; unknown ids are ignored. Returns how many went. */
  deleteMail(to: string, ids: readonly string[]): Promise<number>;

  // World feed.
  /**
   * Appends a post unless a post with the same key is held (its id is answered) or, with `quota`, the
   * author holds `maxPosts` posts since `quota.since` or the store's bound would be passed; atomic. Its id
   * comes after the greatest post id present and after the last post id ever minted.
   */
  appendPost(post: NewPost, quota?: PostQuota): Promise<PutPostResult>;
  /** Up to `limit` posts with `expiresAt` > `now`, newest first, strictly older than the post id `before` when given. */
  listPosts(now: number, limit: number, before?: string): Promise<StoredPost[]>;
  /** One post by id, if it exists and its `expiresAt` > `now`. */
  getPost(id: string, now: number): Promise<StoredPost | undefined>;
  /** Deletes the post if its author is `author`, checked atomically with the delete; false otherwise. */
  deletePostIfAuthor(id: string, author: string): Promise<boolean>;
  /** How many posts `author` holds with `postedAt` ≥ `since` (what `appendPost`'s quota counts). */
  countPostsSince(author: string, since: number): Promise<number>;

  // World epoch keys: opaque bytes (the Operator encrypts them before storing).
  /** The stored value for `epoch`, creating it with `create()` if absent; atomic, so every process agrees. */
  worldKey(epoch: number, create: () => Uint8Array): Promise<Uint8Array>;

  // Expiry.
  /** Deletes every mail item and post whose `expiresAt` ≤ `now`, and world keys of epochs below `keepEpochsFrom`. */
  expire(now: number, keepEpochsFrom?: number): Promise<{ mail: number; posts: number }>;

  // Notifications across Operator processes ("you have mail").
  /** Calls `listener(to)` whenever a letter is appended for `to` by any process sharing this store. */
  onMail(listener: (to: string) => void): () => void;

  // Collective logs: opaque entries at positions 0, 1, 2, … (COL-19, COL-22); they never expire.
  /**
   * Appends `entry` to `log` at `position` if and only if the log holds exactly `position` entries and the
   * append stays within `quota`; the compare, both bounds and the write are one atomic step. When the entry
   * at `position` is already these very bytes the answer is `ok` and nothing is written (a retry).
   */
  appendEntry(log: string, position: number, entry: Uint8Array, quota: LogQuota): Promise<AppendEntryResult>;
  /** Up to `limit` entries of `log` from `position` on, and the log's length (0 for a log never written). */
  readEntries(log: string, position: number, limit: number): Promise<LogPage>;

  // Profiles: one per name, the newest by the author's `at` (PROF-10).
  /**
   * Puts `profile` as `name`'s profile if no unexpired profile (`expiresAt` > `now`) is held for it, or the
   * one held has a smaller `at`; the comparison, the store's bound (counting the bytes it replaces as
   * freed) and the write are one atomic step. The same bytes as the profile held answer `held`.
   */
  putProfileIfNewer(name: string, profile: StoredProfile, now: number, storageBytes?: number): Promise<PutProfileResult>;
  /** `name`'s profile, if one is held with `expiresAt` > `now`. */
  getProfile(name: string, now: number): Promise<StoredProfile | undefined>;
  /** Deletes every profile whose `expiresAt` ≤ `now`; returns how many went. */
  expireProfiles(now: number): Promise<number>;

  // Channels: opaque ids (64 hex digits, CHAN-1), each a feed of sealed posts that expire (CHAN-7, CHAN-8).
  /**
   * Appends a post to `chan` unless a post with the same key is held there (its id is answered) or a bound
   * of `quota` would be passed; the key check, the bounds, the id (after the greatest id in the channel)
   * and the write are one atomic step. With `spend` (TOK-8, EVT-15) the token is burned in that step too:
   * a nonce burned for another action answers `spent`; any refusal burns nothing.
   */
  appendChanPost(chan: string, post: NewChanPost, quota: ChanQuota, spend?: TokenSpend): Promise<PutChanPostResult>;
  /** Up to `limit` posts of `chan` with `expiresAt` > `now`, newest first, strictly older than the id `before` when given. */
  listChanPosts(chan: string, now: number, limit: number, before?: string): Promise<StoredChanPost[]>;
  /** Deletes every channel post whose `expiresAt` ≤ `now`; returns how many went. */
  expireChanPosts(now: number): Promise<number>;
  /** VOTE-9: the post `id` of `chan`, if it is held with `expiresAt` > `now`. */
  getChanPost(chan: string, id: string, now: number): Promise<StoredChanPost | undefined>;

  /** Sealed bytes of the letters, posts, log entries, profiles and channel posts held (what `storageBytes` bounds). */
  // Danger pins (PIN-5, PIN-6): no author; each pin's vote nullifiers go with it.
  /**
   * Puts a pin unless a pin with its id is held (`held`, nothing written) or the store holds `maxPins`
   * pins, expired ones not yet swept included (`full`); the check and the write are one atomic step.
   * With `spend` (TOK-8, PIN-10) the token is burned in that step too: a nonce burned for another action
   * answers `spent`; `full` burns nothing.
   */
  putPin(pin: StoredPin, maxPins: number, spend?: TokenSpend): Promise<PutPinResult>;
  /** The pin with this id, expired or not, while it is held (until the sweep deletes it). */
  getPin(id: string): Promise<StoredPin | undefined>;
  /** Up to `limit` pins with `expiresAt` > `now` whose cell starts with one of `prefixes`, each once, by cell. */
  listPins(prefixes: readonly string[], now: number, limit: number): Promise<StoredPin[]>;
  /**
   * Records a vote on a live pin unless `nullifier` voted on it already: the count goes up by one and the
   * expiry moves by `rule` (a confirm adds `confirmMs`, capped at `createdAt + maxLifeMs`; a deny takes
   * `denyMs` away); the checks and the write are one atomic step. With `spend` (TOK-8, PIN-10) the token
   * is burned in that step too: a nonce burned for another action answers `spent`; a refusal burns nothing.
   */
  votePin(id: string, nullifier: string, vote: 'confirm' | 'deny', now: number, rule: PinVoteRule, spend?: TokenSpend): Promise<VotePinResult>;
  /** Deletes every pin (and its nullifiers) whose `expiresAt` ≤ `now`; returns how many went. */
  expirePins(now: number): Promise<number>;
  // Unlinkable tokens (TOK-*), grouped by issuer period: a period's key, budgets and burned nonces go together.
  /**
   * The stored (sealed) issuer key of `period`, creating it with `create()` if absent; atomic, so every
   * process sharing the store signs and verifies with the same key (TOK-4). Without `create`, only reads:
   * undefined when there is none.
   */
  issuerKey(period: number, create: () => Promise<Uint8Array>): Promise<Uint8Array>;
  issuerKey(period: number): Promise<Uint8Array | undefined>;
  /**
   * TOK-9: takes up to `want` tokens of `name`'s budget of `max` for `period`: the count, the bound and the
   * write are one atomic step, so processes racing never grant more than `max` together.
   * @returns how many were granted now (0 when the budget is spent) and how many are left after them
   */
  takeTokens(period: number, name: string, want: number, max: number): Promise<TokensTaken>;
  /**
   * TOK-8: burns the token nonce `nullifier` (of a token under `period`'s key) for `action` (a digest of
   * what it pays for), unless burned already; the check and the write are one atomic step across processes.
   */
  spendToken(period: number, nullifier: string, action: string): Promise<SpendResult>;
  /** TOK-4: deletes every issuer key, budget and burned nonce of the periods below `keepPeriodsFrom`; returns how many nonces went. */
  expireTokens(keepPeriodsFrom: number): Promise<number>;

  // Anonymous votes on world posts (VOTE-*).
  /**
   * VOTE-4, TOK-8: burns `spend` and sets `vote.voter`'s choice on `vote.post`, adjusting the tally, in one
   * atomic step: a nonce burned before answers `held` (same action) or `spent`; a choice equal to the one
   * held (0 when none) answers `same`; both write nothing.
   */
  castVote(vote: NewVote, spend: TokenSpend): Promise<CastVoteResult>;
  /**
   * VOTE-5, VOTE-10: the tallies of `posts`, in order (0 and 0 for a post without votes): world posts, or
   * with `chan` posts of that channel (a world post's votes and a channel post's never mix).
   */
  tallies(posts: readonly string[], chan?: string): Promise<VoteTally[]>;
  /** VOTE-6: deletes the votes and tallies of posts whose `expiresAt` ≤ `now`; returns how many posts' votes went. */
  expireVotes(now: number): Promise<number>;

  /** Sealed bytes of the letters, posts, log entries and profiles held (what `storageBytes` bounds). */
  storedBytes(): Promise<number>;

  /** Everything stored, as raw key/value pairs — for privacy tests only (what would a seized disk show?). */
  dump(): Promise<Array<[key: string, value: Uint8Array | string]>>;

  /** Flushes and closes. Further calls fail. */
  close(): Promise<void>;
}
