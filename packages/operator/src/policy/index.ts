/**
 * The Operator's rules about what it keeps, in one place: how long a letter or post lives (MB-5, FEED-4),
 * how much a mailbox, an author and the whole store may hold (MB-4, FEED-5, STORE-2), when two puts are
 * the same item (MB-11, FEED-9, STORE-3), who may delete what (MB-3, FEED-8), which world epochs exist
 * (FEED-2, FEED-3), that a name and a key register once (REG-2, REG-5), and how ids are minted (OP-5,
 * `./ids.ts`). The store below it only runs atomic primitives with these numbers as parameters; the wire
 * handlers above it only decode, verify signatures and proofs, and encode. The spec's executable model
 * (`spec/model/operator-model.ts`) states the same rules independently, as the oracle this is tested against.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { ProtocolError } from '@comrad/core';
import { epochOf } from '@comrad/core/wire';
import type { ServerLimits } from '../limits.js';
import { PROFILE_TTL_DAYS, type ProfileHeader } from '@comrad/core/envelope';
import type { ChanQuota, LogPage, MailItem, MailQuota, NewVote, PostQuota, Store, StoredChanPost, StoredPin, StoredPost, StoredProfile, TokenSpend, VoteTally } from '../store/types.js';
import { randomPart } from './ids.js';

/** One hour (ms): the window FEED-5 counts posts in. */
export const HOUR_MS = 3_600_000;
/** One day (ms): the unit of a post's lifetime (FEED-4). */
export const DAY_MS = 86_400_000;

const enc = new TextEncoder();

/**
 * MB-11, STORE-3: the dedupe key of a letter in its mailbox: SHA-256 of the sealed bytes, hex. The same
 * bytes put twice — a resend, or a store call repeated after a lost reply — are one letter.
 * @param sealed - the sealed letter
 * @returns 64 hex digits
 */
export function mailKey(sealed: Uint8Array): string {
  return createHash('sha256').update(sealed).digest('hex');
}

/**
 * FEED-9, STORE-3: the dedupe key of a post: SHA-256 over the author's name (length first, so no two
 * (author, bytes) pairs share an input) and the sealed post, hex. Another author's copy of the same bytes
 * is a different post (readers refuse it: FEED-7), so it is not folded into the original.
 * @param author - the post's author
 * @param sealed - the sealed post
 * @returns 64 hex digits
 */
export function postKey(author: string, sealed: Uint8Array): string {
  const name = enc.encode(author);
  const length = new Uint8Array([name.length >> 8, name.length & 0xff]);
  return createHash('sha256').update(length).update(name).update(sealed).digest('hex');
}

/**
 * CHAN-7, STORE-3: the dedupe key of a channel post in its channel: SHA-256 of the sealed bytes, hex (as
 * a letter's in its mailbox, MB-11): the same bytes posted twice to one channel — a retry whose answer
 * was lost — are one post.
 * @param sealed - the sealed post
 * @returns 64 hex digits
 */
export function chanPostKey(sealed: Uint8Array): string {
  return mailKey(sealed);
}

/**
 * PIN-10: the id of a pin paid with `token`: the first 128 bits of SHA-256 over a label and the token, hex.
 * A token is spent once, so ids do not collide; the token is unlinkable to its holder, and so is the id.
 * @returns 32 hex digits
 */
export function pinIdOf(token: Uint8Array): string {
  return createHash('sha256').update('comrad/pin-id/v1').update(token).digest('hex').slice(0, 32);
}

/** STORE-2: the store is full; nothing was stored. */
const storageFull = () => new ProtocolError('STORAGE_FULL', 'the Operator has no room for more letters or posts');
/** TOK-8: the token paying for an action was burned for another one; nothing was stored. */
const tokenSpent = () => new ProtocolError('TOKEN_SPENT', 'this token is spent');

/** Options of {@link Policy}. */
export interface PolicyOptions {
  /** The random part of each new id (12 hex digits); default: 48 bits from the system's CSPRNG. */
  readonly random?: () => string;
}

/**
 * FEED-4, CHAN-7: when a post arriving at `now` expires: `expiresInDays` whole days, or sooner when the
 * author asked for a `ttl` (ms), so a post that must go at a moment (an event's end, EVT-8) does not
 * outlive it by up to a day. The smaller wins: a `ttl` never lengthens a post's life.
 * @param now - the arrival (ms)
 * @param expiresInDays - 1..`maxPostDays`, already checked
 * @param ttl - 60 000 ms .. 366 days (the wire's bound), or absent
 * @returns the expiry (ms)
 */
export function postExpiresAt(now: number, expiresInDays: number, ttl: number | undefined): number {
  const days = expiresInDays * DAY_MS;
  return now + (ttl !== undefined && ttl < days ? ttl : days);
}

/** The rules, applied to one store with one set of limits. Every refusal is a `ProtocolError`. */
export class Policy {
  readonly #random: () => string;

  /**
   * @param store - where items live; only this class writes to it
   * @param limits - the Operator's limits (the numbers the rules use)
   * @param options - `random`: the source of ids' random parts (tests and recorded conversations fix it)
   */
  constructor(
    private readonly store: Store,
    private readonly limits: ServerLimits,
    options: PolicyOptions = {},
  ) {
    this.#random = options.random ?? randomPart;
  }

  /**
   * REG-2, REG-5: registers `name` with `key`; repeating one's own registration (a lost answer) succeeds.
   * @throws ProtocolError KEY_TAKEN, NAME_TAKEN
   */
  async register(name: string, key: Uint8Array, now: number): Promise<void> {
    const outcome = await this.store.putPairIfAbsent(name, key, now);
    if (outcome === 'key-taken') throw new ProtocolError('KEY_TAKEN', 'this key is registered');
    if (outcome === 'name-taken') {
      const existing = await this.store.keyOf(name);
      if (!existing || !sameBytes(existing, key)) throw new ProtocolError('NAME_TAKEN', 'this name is taken');
    }
  }

  /**
   * LIMIT-2: a letter is at most `sealedLetterBytes` (checked before any work is spent on it).
   * @throws ProtocolError TOO_LARGE
   */
  checkLetterSize(bytes: number): void {
    if (bytes > this.limits.sealedLetterBytes) throw new ProtocolError('TOO_LARGE', `a letter is at most ${this.limits.sealedLetterBytes} bytes`);
  }

  /**
   * MB-5: when a letter received at `now` is deleted unacknowledged: after the sender's `ttl`, at most the
   * Operator's `mailTtlMs`.
   */
  mailExpiry(now: number, ttl: number | undefined): number {
    return now + Math.min(ttl ?? this.limits.mailTtlMs, this.limits.mailTtlMs);
  }

  /**
   * MB-8: a letter goes only to a registered name.
   * @throws ProtocolError NOT_FOUND
   */
  async checkRecipient(to: string): Promise<void> {
    if (!(await this.store.keyOf(to))) throw new ProtocolError('NOT_FOUND', 'no such recipient');
  }

  /**
   * Holds a letter for `to` until acknowledged or expired (MB-3, MB-5): only for a registered name, within
   * the mailbox quota (MB-4) and the store's budget (STORE-2), both checked atomically with the append; the
   * same bytes again are a no-op (MB-11).
   * @param spend - TOK-11: the checked token paying for it, burned in the append's own atomic step, so a
   *   letter refused for a bound burns nothing (TOK-7)
   * @throws ProtocolError NOT_FOUND, QUOTA_EXCEEDED, STORAGE_FULL, TOKEN_SPENT
   */
  async deliver(to: string, letter: Uint8Array, ttl: number | undefined, now: number, spend?: TokenSpend): Promise<void> {
    await this.checkRecipient(to);
    const quota: MailQuota = { maxItems: this.limits.mailboxItems, maxBytes: this.limits.mailboxBytes, storageBytes: this.limits.storageBytes };
    const mail = { sealed: letter, receivedAt: now, expiresAt: this.mailExpiry(now, ttl), key: mailKey(letter), nonce: this.#random() };
    const put = await this.store.appendMail(to, mail, quota, spend);
    if (put === 'quota') throw new ProtocolError('QUOTA_EXCEEDED', 'the mailbox is full');
    if (put === 'storage-full') throw storageFull();
    if (put === 'spent') throw tokenSpent();
  }

  /**
   * MB-3, MB-5: the letters waiting for `name`, oldest first, unexpired, at most the asked number, the
   * Operator's `fetchItems` and `pageItems` (LIMIT-6: what the server has room for). Deletes nothing.
   */
  fetch(name: string, now: number, asked: number | undefined, pageItems = Infinity): Promise<MailItem[]> {
    return this.store.listMail(name, now, Math.min(asked ?? this.limits.fetchItems, this.limits.fetchItems, pageItems));
  }

  /**
   * MB-3: deletes the listed letters of `name`'s own mailbox (another mailbox's ids delete nothing).
   * @returns how many went
   * @throws ProtocolError TOO_LARGE past `ackIds` ids
   */
  async ack(name: string, ids: readonly string[]): Promise<number> {
    if (ids.length > this.limits.ackIds) throw new ProtocolError('TOO_LARGE', `at most ${this.limits.ackIds} ids per ack`);
    return this.store.deleteMail(name, ids);
  }

  /**
   * FEED-2: the epoch whose key a reader asks for (the current one when `wanted` is absent). Keys exist for
   * the epochs a live post can be sealed under, plus tomorrow for clocks running ahead.
   * @throws ProtocolError EXPIRED, NOT_FOUND
   */
  worldKeyEpoch(wanted: number | undefined, now: number): number {
    const current = epochOf(now);
    const epoch = wanted ?? current;
    if (epoch < current - this.limits.maxPostDays - 1) throw new ProtocolError('EXPIRED', 'that epoch is over');
    if (epoch > current + 1) throw new ProtocolError('NOT_FOUND', 'that epoch has not begun');
    return epoch;
  }

  /**
   * LIMIT-2, FEED-4: a post's size and asked lifetime, checked before its header is read.
   * @throws ProtocolError TOO_LARGE, MALFORMED
   */
  checkPost(bytes: number, expiresInDays: number): void {
    if (bytes > this.limits.sealedLetterBytes) throw new ProtocolError('TOO_LARGE', `a post is at most ${this.limits.sealedLetterBytes} bytes`);
    if (expiresInDays > this.limits.maxPostDays) throw new ProtocolError('MALFORMED', `a post lives at most ${this.limits.maxPostDays} days`);
  }

  /**
   * Publishes a post to the world feed: sealed under the current epoch or the previous one (FEED-3), kept
   * `expiresInDays` (FEED-4), at most `postsPerHour` per author (FEED-5) within the store's budget
   * (STORE-2), both checked atomically with the append; the same post by the same author again answers
   * as it was stored (FEED-9).
   * @param ttl - FEED-4: when given (ms), the post goes sooner than `expiresInDays`, at `now + ttl`
   * @returns the post's id and when it expires
   * @throws ProtocolError EXPIRED, MALFORMED, RATE_LIMITED, STORAGE_FULL
   */
  async post(author: string, sealed: Uint8Array, epoch: number, expiresInDays: number, now: number, ttl?: number): Promise<{ id: string; expiresAt: number }> {
    const current = epochOf(now);
    if (epoch < current - 1) throw new ProtocolError('EXPIRED', 'the post is sealed under an old epoch key');
    if (epoch > current) throw new ProtocolError('MALFORMED', 'the post is sealed under a future epoch key');
    const expiresAt = postExpiresAt(now, expiresInDays, ttl);
    const quota: PostQuota = { maxPosts: this.limits.postsPerHour, since: now - HOUR_MS, storageBytes: this.limits.storageBytes };
    const put = await this.store.appendPost({ author, sealed, epoch, postedAt: now, expiresAt, key: postKey(author, sealed), nonce: this.#random() }, quota);
    if (put === 'rate-limited') throw new ProtocolError('RATE_LIMITED', `at most ${this.limits.postsPerHour} posts per hour`);
    if (put === 'storage-full') throw storageFull();
    // FEED-9: a post already held (a retry whose answer was lost) answers as it was stored, expired or not
    // (held until the sweep, as CHAN-7 does): read as of time 0 so an expired one is not left out.
    const held = put.held ? await this.store.getPost(put.id, 0) : undefined;
    return { id: put.id, expiresAt: held?.expiresAt ?? expiresAt };
  }

  /**
   * FEED-6: up to the asked number of unexpired posts (at most `feedItems` and `pageItems`), newest first,
   * older than `before`, and one more when there is one, so the caller knows whether a next page exists.
   * @returns the posts and the page size asked for
   */
  async feed(now: number, asked: number | undefined, before: string | undefined, pageItems = Infinity): Promise<{ found: StoredPost[]; limit: number }> {
    const limit = Math.min(asked ?? this.limits.feedItems, this.limits.feedItems, pageItems);
    return { found: await this.store.listPosts(now, limit + 1, before), limit };
  }

  /**
   * FEED-8: only its author deletes a post; "not yours" and "no such post" are one answer.
   * @throws ProtocolError NOT_FOUND
   */
  async deletePost(author: string, id: string): Promise<void> {
    if (!(await this.store.deletePostIfAuthor(id, author))) throw new ProtocolError('NOT_FOUND', 'no such post');
  }

  /**
   * COL-19, COL-22: appends a collective log's entry at `position` if the log holds exactly that many
   * entries, within the log's bound (`logEntries`) and the store's (STORE-2), checked atomically with the
   * append; the same bytes again at their own position succeed without a second copy. Nothing is stored
   * on a refusal. Who may append (the collective key's signature, COL-23) is the handler's check.
   * @throws ProtocolError OUT_OF_ORDER (the log holds another number of entries), QUOTA_EXCEEDED, STORAGE_FULL
   */
  async appendEntry(log: string, position: number, entry: Uint8Array): Promise<void> {
    const put = await this.store.appendEntry(log, position, entry, { maxEntries: this.limits.logEntries, storageBytes: this.limits.storageBytes });
    if (put === 'stale') throw new ProtocolError('OUT_OF_ORDER', 'the log has grown since: read the new entries and append at its end');
    if (put === 'full') throw new ProtocolError('QUOTA_EXCEEDED', `a collective log holds at most ${this.limits.logEntries} entries`);
    if (put === 'storage-full') throw storageFull();
  }

  /** COL-23: up to the asked number of entries (at most `logItems`) of `log` from `position` on, and its length. */
  readEntries(log: string, position: number, asked: number | undefined): Promise<LogPage> {
    return this.store.readEntries(log, position, Math.min(asked ?? this.limits.logItems, this.limits.logItems));
  }

  /**
   * PROF-10: how long the Operator keeps a profile it receives at `now` unless a newer one replaces it:
   * the profile's own lifetime (PROF-5), and never longer than the world key of its epoch is kept
   * (`maxPostDays`, FEED-2), or readers could not open it.
   */
  profileExpiry(now: number): number {
    return now + Math.min(PROFILE_TTL_DAYS, this.limits.maxPostDays) * DAY_MS;
  }

  /**
   * PROF-10 step 1, LIMIT-2: a profile is at most `sealedLetterBytes`, checked before its header is read.
   * @throws ProtocolError TOO_LARGE
   */
  checkProfileSize(bytes: number): void {
    if (bytes > this.limits.sealedLetterBytes) throw new ProtocolError('TOO_LARGE', `a profile is at most ${this.limits.sealedLetterBytes} bytes`);
  }

  /**
   * PROF-10: keeps `author`'s sealed profile as their only one if it is newer than the one held: sealed
   * under the current or previous epoch (as FEED-3), signed no more than a day from the Operator's clock,
   * within the store's budget (STORE-2); the comparison and the write are one atomic step. The same bytes
   * again answer as stored (a retry). Who may put (the session's own name) is the handler's check.
   * @returns when it expires (ms)
   * @throws ProtocolError TOO_LARGE, EXPIRED (old epoch or an `at` a day behind), MALFORMED (future epoch,
   *   or an `at` a day ahead), OUT_OF_ORDER (a profile as new or newer is held), STORAGE_FULL
   */
  async putProfile(author: string, sealed: Uint8Array, header: ProfileHeader, now: number): Promise<{ expiresAt: number }> {
    this.checkProfileSize(sealed.length);
    // CIR-9: a profile for the author's trusted circle names no epoch; only a world profile's is checked.
    if (header.visibility === 'world') {
      const current = epochOf(now);
      if (header.epoch < current - 1) throw new ProtocolError('EXPIRED', 'the profile is sealed under an old epoch key');
      if (header.epoch > current) throw new ProtocolError('MALFORMED', 'the profile is sealed under a future epoch key');
    }
    // PROF-10: a clock far off would either lock its owner out of refreshing (ahead) or put up a profile
    // readers drop at once (behind); a day of skew either way is allowed.
    const seconds = Math.floor(now / 1000);
    if (header.at > seconds + 86_400) throw new ProtocolError('MALFORMED', "the profile's time is more than a day ahead of the Operator's clock");
    if (header.at < seconds - 86_400) throw new ProtocolError('EXPIRED', "the profile's time is more than a day behind the Operator's clock");
    const profile: StoredProfile = { sealed, at: header.at, receivedAt: now, expiresAt: this.profileExpiry(now) };
    const put = await this.store.putProfileIfNewer(author, profile, now, this.limits.storageBytes);
    if (put === 'stale') throw new ProtocolError('OUT_OF_ORDER', 'a profile signed at the same time or later is held: sign a new one');
    if (put === 'storage-full') throw storageFull();
    if (put === 'held') return { expiresAt: (await this.store.getProfile(author, now))?.expiresAt ?? profile.expiresAt };
    return { expiresAt: profile.expiresAt };
  }

  /**
   * PROF-11: the latest unexpired profile of `name`.
   * @throws ProtocolError NOT_FOUND ("no such name" and "no profile" are one answer)
   */
  async getProfile(name: string, now: number): Promise<StoredProfile> {
    const held = await this.store.getProfile(name, now);
    if (!held) throw new ProtocolError('NOT_FOUND', 'no profile');
    return held;
  }

  /**
   * CHAN-7 step 1, LIMIT-2: a channel post is at most `sealedLetterBytes` and lives 1..`maxPostDays` days,
   * checked before any work (the proof of work, the hash of the capability).
   * @throws ProtocolError TOO_LARGE, MALFORMED
   */
  checkChanPost(bytes: number, expiresInDays: number): void {
    if (bytes > this.limits.sealedLetterBytes) throw new ProtocolError('TOO_LARGE', `a channel post is at most ${this.limits.sealedLetterBytes} bytes`);
    if (expiresInDays > this.limits.maxPostDays) throw new ProtocolError('MALFORMED', `a post lives at most ${this.limits.maxPostDays} days`);
  }

  /**
   * CHAN-7: files a sealed post under the channel `chan` (hex of its id), kept `expiresInDays` (as FEED-4),
   * at most `chanPosts` held and `chanPostsPerHour` posted in the last hour per channel, within the
   * store's budget (STORE-2), all checked atomically with the append; the same bytes again in the same
   * channel answer as they were stored (STORE-3).
   * @param ttl - CHAN-7, as FEED-4: when given (ms), the post goes sooner than `expiresInDays`
   * @param spend - EVT-15: the checked token paying for it, burned in the append's own atomic step (TOK-7)
   * @returns the post's id and when it expires
   * @throws ProtocolError QUOTA_EXCEEDED, RATE_LIMITED, STORAGE_FULL, TOKEN_SPENT
   */
  async chanPost(chan: string, sealed: Uint8Array, expiresInDays: number, now: number, ttl?: number, spend?: TokenSpend): Promise<{ id: string; expiresAt: number }> {
    const expiresAt = postExpiresAt(now, expiresInDays, ttl);
    const quota: ChanQuota = { maxPosts: this.limits.chanPosts, maxRecent: this.limits.chanPostsPerHour, since: now - HOUR_MS, storageBytes: this.limits.storageBytes };
    const put = await this.store.appendChanPost(chan, { sealed, postedAt: now, expiresAt, key: chanPostKey(sealed), nonce: this.#random() }, quota, spend);
    if (put === 'full') throw new ProtocolError('QUOTA_EXCEEDED', `a channel holds at most ${this.limits.chanPosts} posts`);
    if (put === 'rate-limited') throw new ProtocolError('RATE_LIMITED', `a channel takes at most ${this.limits.chanPostsPerHour} posts per hour`);
    if (put === 'storage-full') throw storageFull();
    if (put === 'spent') throw tokenSpent();
    if (!put.held) return { id: put.id, expiresAt };
    // A retry: the post held answers with its own expiry (it may be anywhere in the channel), expired or
    // not: held until the sweep, it is "that post" of CHAN-7 step 4, and nothing new was stored to last
    // longer. Listing as of time 0 leaves no held post out.
    for (let before: string | undefined; ; ) {
      const page = await this.store.listChanPosts(chan, 0, 100, before);
      const held = page.find((p) => p.id === put.id);
      if (held || page.length < 100) return { id: put.id, expiresAt: held?.expiresAt ?? expiresAt };
      before = page[page.length - 1]!.id;
    }
  }

  /**
   * CHAN-8: up to the asked number of unexpired posts of `chan` (at most `feedItems` and `pageItems`),
   * newest first, older than `before`, and one more when there is one, so the caller knows whether a next
   * page exists.
   */
  async chanFeed(chan: string, now: number, asked: number | undefined, before: string | undefined, pageItems = Infinity): Promise<{ found: StoredChanPost[]; limit: number }> {
    const limit = Math.min(asked ?? this.limits.feedItems, this.limits.feedItems, pageItems);
    return { found: await this.store.listChanPosts(chan, now, limit + 1, before), limit };
  }

  /**
   * PIN-4, PIN-5: keeps a pin: no author (the handler runs it only on a connection that is not logged in,
   * PIN-7), a random id that says nothing about time or order, a lifetime of the asked `ttl` (seconds) cut
   * to `maxPinTtlMs`, within the store's bound on pins, checked atomically with the put.
   * @param paid - the token that paid for it (PIN-10) and its checked spend, burned in the put's own atomic
   *   step (TOK-7: a full store burns nothing); the pin's id is derived from the token, so a retry of the
   *   same paid put finds the pin it made and answers it again
   * @returns the pin's id and when it expires (ms)
   * @throws ProtocolError QUOTA_EXCEEDED (the store holds `maxPins`), TOKEN_SPENT, INTERNAL (an id drawn twice)
   */
  async putPin(p: { cell: string; kind: string; note?: string; ttl: number }, now: number, paid?: { token: Uint8Array; spend: TokenSpend }): Promise<{ id: string; expiresAt: number }> {
    const expiresAt = now + Math.min(p.ttl * 1000, this.limits.maxPinTtlMs);
    const id = paid ? pinIdOf(paid.token) : this.#pinId();
    const put = await this.store.putPin({ id, cell: p.cell, kind: p.kind, note: p.note ?? '', createdAt: now, expiresAt, confirms: 0, denies: 0 }, this.limits.maxPins, paid?.spend);
    if (put === 'full') throw new ProtocolError('QUOTA_EXCEEDED', 'the Operator holds as many pins as it allows: try again later');
    if (put === 'spent') throw tokenSpent();
    if (put === 'held') {
      const held = paid ? await this.store.getPin(id) : undefined;
      if (!held) throw new ProtocolError('INTERNAL', 'a pin id was drawn twice');
      return { id, expiresAt: held.expiresAt };
    }
    return { id, expiresAt };
  }

  /**
   * PIN-6: a confirm or a deny on a live pin, once per nullifier: a confirm adds `pinVoteMs` to its life
   * (never past `createdAt + pinMaxLifeMs`), a deny takes `pinVoteMs` away (a pin whose end falls due is gone).
   * @param spend - PIN-10: the checked token paying for it, burned in the vote's own atomic step, so a vote
   *   refused for its pin (also by a race with another vote) burns nothing (TOK-7)
   * @returns the pin's expiry and counts after the vote
   * @throws ProtocolError TOKEN_SPENT, NOT_FOUND (no such pin), EXPIRED (its time is up), DUPLICATE (this
   *   nullifier voted on it)
   */
  async votePin(id: string, vote: 'confirm' | 'deny', nullifier: Uint8Array, now: number, spend?: TokenSpend): Promise<{ expiresAt: number; confirms: number; denies: number }> {
    const rule = { confirmMs: this.limits.pinVoteMs, denyMs: this.limits.pinVoteMs, maxLifeMs: this.limits.pinMaxLifeMs };
    const result = await this.store.votePin(id, Buffer.from(nullifier).toString('hex'), vote, now, rule, spend);
    if (result === 'spent') throw tokenSpent();
    if (result === 'not-found') throw new ProtocolError('NOT_FOUND', 'no such pin');
    if (result === 'expired') throw new ProtocolError('EXPIRED', 'the pin has expired');
    if (result === 'duplicate') throw new ProtocolError('DUPLICATE', 'you have voted on this pin already');
    return result;
  }

  /** PIN-8: the live pins in the cells asked about: at most the asked number, `pinItems` and the wire's bound. */
  listPins(cells: readonly string[], asked: number | undefined, now: number): Promise<StoredPin[]> {
    return this.store.listPins(cells, now, Math.min(asked ?? this.limits.pinItems, this.limits.pinItems));
  }

  /** PIN-5: 128 random bits as 32 hex digits. */
  #pinId(): string {
    return randomBytes(16).toString('hex');
  }

  /**
   * MB-5, FEED-4, PROF-10: deletes what has expired by `now`; FEED-2: epoch keys are kept as long as a post
   * sealed under them can live.
   * @returns how many letters and posts went
   */
  /**
   * VOTE-2, VOTE-4: casts, changes or withdraws a vote on a live world post, burning its token in the same
   * atomic step; the voter is stored only as the SHA-256 of its `voter` value (VOTE-4).
   * @param spend - the checked token (TOK-7) and the action digest it is burned for
   * @returns the post's tally after the vote
   * @throws ProtocolError NOT_FOUND (no such live post), DUPLICATE (the vote held is already this choice;
   *   `none` without a vote), TOKEN_SPENT
   */
  async vote(postId: string, voter: Uint8Array, choice: 1 | -1 | 0, spend: TokenSpend, now: number): Promise<VoteTally> {
    const post = await this.store.getPost(postId, now);
    if (!post) throw new ProtocolError('NOT_FOUND', 'no such post');
    return this.#cast({ post: postId, voter: voterTag(voter), choice, expiresAt: post.expiresAt }, spend);
  }

  /**
   * VOTE-7, VOTE-9: casts, changes or withdraws a vote on a live post of the channel `chan` (hex of its id,
   * which the handler computed from the capability shown), as {@link Policy.vote} does for world posts.
   * A capability of another channel finds no such post: NOT_FOUND, nothing written, the token unspent.
   * @param spend - the checked token (TOK-7) and the action digest it is burned for
   * @returns the post's tally after the vote
   * @throws ProtocolError NOT_FOUND (no such live post in this channel), DUPLICATE, TOKEN_SPENT
   */
  async chanVote(chan: string, postId: string, voter: Uint8Array, choice: 1 | -1 | 0, spend: TokenSpend, now: number): Promise<VoteTally> {
    const post = await this.store.getChanPost(chan, postId, now);
    if (!post) throw new ProtocolError('NOT_FOUND', 'no such post in this channel');
    return this.#cast({ post: postId, chan, voter: voterTag(voter), choice, expiresAt: post.expiresAt }, spend);
  }

  /** VOTE-4: one atomic step in the store; its refusals as typed errors. */
  async #cast(vote: NewVote, spend: TokenSpend): Promise<VoteTally> {
    const cast = await this.store.castVote(vote, spend);
    if (cast === 'same') throw new ProtocolError('DUPLICATE', vote.choice === 0 ? 'there is no vote to withdraw' : 'this vote is already cast');
    if (cast === 'spent') throw new ProtocolError('TOKEN_SPENT', 'this token is spent');
    return { up: cast.up, down: cast.down };
  }

  /** VOTE-5, VOTE-10: the tallies of these posts, in order: world posts, or with `chan` posts of that channel. */
  tallies(postIds: readonly string[], chan?: string): Promise<VoteTally[]> {
    return this.store.tallies(postIds, chan);
  }

  async sweep(now: number): Promise<{ mail: number; posts: number }> {
    const removed = await this.store.expire(now, epochOf(now) - this.limits.maxPostDays - 1);
    await this.store.expireProfiles(now);
    // VOTE-6: a post's votes and tally go when the post would have.
    await this.store.expireVotes(now);
    await this.store.expireChanPosts(now);
    await this.store.expirePins(now);
    return removed;
  }
}

/** VOTE-4: the Operator keeps SHA-256 of a `voter` value, never the value (a seized store cannot vote). */
function voterTag(voter: Uint8Array): string {
  return createHash('sha256').update(voter).digest('hex');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
