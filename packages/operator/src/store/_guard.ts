/**
 * The checks every backend shares, in one wrapper: argument shapes (caller mistakes are `TypeError`s),
 * ids that come back from clients (garbage is ignored, never passed on), and the closed state (calls after
 * `close()` fail; `close()` waits for calls in flight, so nothing is cut off half-written).
 * @internal
 */
import { ComradError, ProtocolError } from '@comrad/core';
import { MAX_ID_TIME, isRandomPart, isStoreId } from '../policy/ids.js';
import type { CastVoteResult, NewVote, TokenSpend, VoteTally, SpendResult, TokensTaken, AppendEntryResult, ChanQuota, NewChanPost, PutChanPostResult, StoredChanPost, LogPage, LogQuota, MailItem, MailQuota, NewMail, NewPost, PostQuota, PutMailResult, PutPostResult, PutProfileResult, RegisterResult, Store, StoredPost, StoredProfile, StoredPin, PutPinResult, PinVoteRule, VotePinResult } from './types.js';

/** Longest name, recipient or author a store accepts (names are 3–32 characters by NAME-1; this is slack). */
const MAX_NAME_CHARS = 256;
/** Longest public key a store accepts (Themis keys are 45 or 77 bytes, KEY-1). */
const MAX_KEY_BYTES = 1024;
/** Longest dedupe key a store accepts (the policy's are 64 hex digits). */
const MAX_KEY_CHARS = 128;
/** World epochs are unsigned 32-bit integers (days since the epoch fit for eleven million years). */
const MAX_EPOCH = 0xffff_ffff;

/**
 * Wraps a backend so that it only ever sees well-formed arguments and valid ids.
 * @param inner - the backend
 * @returns the store the Operator uses
 */
export function guardStore(inner: Store): Store {
  return new GuardedStore(inner);
}

class GuardedStore implements Store {
  readonly kind: Store['kind'];
  private closed = false;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly inner: Store) {
    this.kind = inner.kind;
  }

  putPairIfAbsent(name: string, publicKey: Uint8Array, registeredAt: number): Promise<RegisterResult> {
    return this.run(() => {
      checkName(name, 'name');
      checkBytes(publicKey, 'publicKey', MAX_KEY_BYTES);
      checkTime(registeredAt, 'registeredAt');
      return this.inner.putPairIfAbsent(name, publicKey, registeredAt);
    });
  }

  keyOf(name: string): Promise<Uint8Array | undefined> {
    return this.run(() => (checkName(name, 'name'), this.inner.keyOf(name)));
  }

  nameOf(publicKey: Uint8Array): Promise<string | undefined> {
    return this.run(() => (checkBytes(publicKey, 'publicKey', MAX_KEY_BYTES), this.inner.nameOf(publicKey)));
  }

  appendMail(to: string, mail: NewMail, quota: MailQuota, spend?: TokenSpend): Promise<PutMailResult> {
    return this.run(() => {
      checkName(to, 'to');
      if (typeof mail !== 'object' || mail === null) throw new TypeError('mail must be an object');
      checkBytes(mail.sealed, 'sealed');
      checkTime(mail.receivedAt, 'receivedAt');
      checkTime(mail.expiresAt, 'expiresAt');
      checkAppended(mail.key, mail.nonce);
      if (typeof quota !== 'object' || quota === null) throw new TypeError('quota must be { maxItems, maxBytes }');
      checkCount(quota.maxItems, 'quota.maxItems');
      checkCount(quota.maxBytes, 'quota.maxBytes');
      const storage = storageBudget(quota.storageBytes);
      const paid = checkSpend(spend);
      const { sealed, receivedAt, expiresAt, key, nonce } = mail;
      return this.inner.appendMail(to, { sealed, receivedAt, expiresAt, key, nonce }, { maxItems: quota.maxItems, maxBytes: quota.maxBytes, ...storage }, ...paid);
    });
  }

  listMail(to: string, now: number, limit: number): Promise<MailItem[]> {
    return this.run(async () => {
      checkName(to, 'to');
      checkTime(now, 'now');
      checkCount(limit, 'limit');
      return limit === 0 ? [] : this.inner.listMail(to, now, limit);
    });
  }

  deleteMail(to: string, ids: readonly string[]): Promise<number> {
    return this.run(async () => {
      checkName(to, 'to');
      if (!Array.isArray(ids)) throw new TypeError('ids must be an array');
      // Ids come from clients: anything that is not an id this store could have minted is ignored (MB-3).
      const valid = [...new Set(ids.filter(isStoreId))];
      return valid.length === 0 ? 0 : this.inner.deleteMail(to, valid);
    });
  }

  appendPost(post: NewPost, quota?: PostQuota): Promise<PutPostResult> {
    return this.run(() => {
      if (typeof post !== 'object' || post === null) throw new TypeError('post must be an object');
      checkName(post.author, 'author');
      checkBytes(post.sealed, 'sealed');
      checkEpoch(post.epoch, 'epoch');
      checkTime(post.postedAt, 'postedAt');
      checkTime(post.expiresAt, 'expiresAt');
      checkAppended(post.key, post.nonce);
      const { author, sealed, epoch, postedAt, expiresAt, key, nonce } = post;
      if (quota === undefined) return this.inner.appendPost({ author, sealed, epoch, postedAt, expiresAt, key, nonce });
      if (typeof quota !== 'object' || quota === null) throw new TypeError('quota must be { maxPosts, since, storageBytes? }');
      checkCount(quota.maxPosts, 'quota.maxPosts');
      checkTime(quota.since, 'quota.since');
      const limits = { maxPosts: quota.maxPosts, since: quota.since, ...storageBudget(quota.storageBytes) };
      return this.inner.appendPost({ author, sealed, epoch, postedAt, expiresAt, key, nonce }, limits);
    });
  }

  listPosts(now: number, limit: number, before?: string): Promise<StoredPost[]> {
    return this.run(async () => {
      checkTime(now, 'now');
      checkCount(limit, 'limit');
      if (before !== undefined && !isStoreId(before)) throw new ProtocolError('MALFORMED', 'before is not a post id');
      return limit === 0 ? [] : this.inner.listPosts(now, limit, before);
    });
  }

  getPost(id: string, now: number): Promise<StoredPost | undefined> {
    return this.run(async () => {
      checkTime(now, 'now');
      return isStoreId(id) ? this.inner.getPost(id, now) : undefined;
    });
  }

  deletePostIfAuthor(id: string, author: string): Promise<boolean> {
    return this.run(async () => {
      checkName(author, 'author');
      return isStoreId(id) ? this.inner.deletePostIfAuthor(id, author) : false;
    });
  }

  countPostsSince(author: string, since: number): Promise<number> {
    return this.run(() => (checkName(author, 'author'), checkTime(since, 'since'), this.inner.countPostsSince(author, since)));
  }

  appendEntry(log: string, position: number, entry: Uint8Array, quota: LogQuota): Promise<AppendEntryResult> {
    return this.run(() => {
      checkName(log, 'log');
      checkCount(position, 'position');
      checkBytes(entry, 'entry');
      if (typeof quota !== 'object' || quota === null) throw new TypeError('quota must be { maxEntries, storageBytes? }');
      checkCount(quota.maxEntries, 'quota.maxEntries');
      return this.inner.appendEntry(log, position, entry, { maxEntries: quota.maxEntries, ...storageBudget(quota.storageBytes) });
    });
  }

  readEntries(log: string, position: number, limit: number): Promise<LogPage> {
    return this.run(() => {
      checkName(log, 'log');
      checkCount(position, 'position');
      checkCount(limit, 'limit');
      return this.inner.readEntries(log, position, limit);
    });
  }

  putProfileIfNewer(name: string, profile: StoredProfile, now: number, storageBytes?: number): Promise<PutProfileResult> {
    return this.run(() => {
      checkName(name, 'name');
      if (typeof profile !== 'object' || profile === null) throw new TypeError('profile must be an object');
      checkBytes(profile.sealed, 'sealed');
      checkEpoch(profile.at, 'at');
      checkTime(profile.receivedAt, 'receivedAt');
      checkTime(profile.expiresAt, 'expiresAt');
      checkTime(now, 'now');
      const { sealed, at, receivedAt, expiresAt } = profile;
      return this.inner.putProfileIfNewer(name, { sealed, at, receivedAt, expiresAt }, now, storageBudget(storageBytes).storageBytes);
    });
  }

  getProfile(name: string, now: number): Promise<StoredProfile | undefined> {
    return this.run(() => (checkName(name, 'name'), checkTime(now, 'now'), this.inner.getProfile(name, now)));
  }

  expireProfiles(now: number): Promise<number> {
    return this.run(() => (checkTime(now, 'now'), this.inner.expireProfiles(now)));
  }

  appendChanPost(chan: string, post: NewChanPost, quota: ChanQuota, spend?: TokenSpend): Promise<PutChanPostResult> {
    return this.run(() => {
      checkChannel(chan);
      if (typeof post !== 'object' || post === null) throw new TypeError('post must be an object');
      checkBytes(post.sealed, 'sealed');
      checkTime(post.postedAt, 'postedAt');
      checkTime(post.expiresAt, 'expiresAt');
      checkAppended(post.key, post.nonce);
      if (typeof quota !== 'object' || quota === null) throw new TypeError('quota must be { maxPosts, maxRecent, since, storageBytes? }');
      checkCount(quota.maxPosts, 'quota.maxPosts');
      checkCount(quota.maxRecent, 'quota.maxRecent');
      checkTime(quota.since, 'quota.since');
      const { sealed, postedAt, expiresAt, key, nonce } = post;
      const limits = { maxPosts: quota.maxPosts, maxRecent: quota.maxRecent, since: quota.since, ...storageBudget(quota.storageBytes) };
      return this.inner.appendChanPost(chan, { sealed, postedAt, expiresAt, key, nonce }, limits, ...checkSpend(spend));
    });
  }

  listChanPosts(chan: string, now: number, limit: number, before?: string): Promise<StoredChanPost[]> {
    return this.run(async () => {
      checkChannel(chan);
      checkTime(now, 'now');
      checkCount(limit, 'limit');
      if (before !== undefined && !isStoreId(before)) throw new ProtocolError('MALFORMED', 'before is not a post id');
      return limit === 0 ? [] : this.inner.listChanPosts(chan, now, limit, before);
    });
  }

  getChanPost(chan: string, id: string, now: number): Promise<StoredChanPost | undefined> {
    return this.run(async () => {
      checkChannel(chan);
      checkTime(now, 'now');
      // An id that comes from a client and the store could not have minted is no post.
      return isStoreId(id) ? this.inner.getChanPost(chan, id, now) : undefined;
    });
  }

  expireChanPosts(now: number): Promise<number> {
    return this.run(() => (checkTime(now, 'now'), this.inner.expireChanPosts(now)));
  }

  putPin(pin: StoredPin, maxPins: number, spend?: TokenSpend): Promise<PutPinResult> {
    return this.run(() => {
      if (typeof pin !== 'object' || pin === null) throw new TypeError('pin must be an object');
      checkPinId(pin.id, 'id');
      checkCell(pin.cell, 'cell', 7, 7);
      if (typeof pin.kind !== 'string' || !/^[a-z]{1,16}$/.test(pin.kind)) throw new TypeError('kind must be 1 to 16 lowercase letters');
      if (typeof pin.note !== 'string' || pin.note.length > MAX_NOTE_UNITS) throw new TypeError(`note must be a string of at most ${MAX_NOTE_UNITS} UTF-16 units`);
      checkTime(pin.createdAt, 'createdAt');
      checkTime(pin.expiresAt, 'expiresAt');
      checkCount(pin.confirms, 'confirms');
      checkCount(pin.denies, 'denies');
      checkCount(maxPins, 'maxPins');
      const paid = checkSpend(spend);
      const { id, cell, kind, note, createdAt, expiresAt, confirms, denies } = pin;
      return this.inner.putPin({ id, cell, kind, note, createdAt, expiresAt, confirms, denies }, maxPins, ...paid);
    });
  }

  getPin(id: string): Promise<StoredPin | undefined> {
    // Ids come from clients: one this store could not hold is simply not there.
    return this.run(async () => (isPinId(id) ? this.inner.getPin(id) : undefined));
  }

  listPins(prefixes: readonly string[], now: number, limit: number): Promise<StoredPin[]> {
    return this.run(async () => {
      if (!Array.isArray(prefixes) || prefixes.length > 64) throw new TypeError('prefixes must be an array of at most 64 cells');
      prefixes.forEach((p, i) => checkCell(p, `prefixes[${i}]`, 1, 7));
      checkTime(now, 'now');
      checkCount(limit, 'limit');
      return limit === 0 || prefixes.length === 0 ? [] : this.inner.listPins([...new Set(prefixes)], now, limit);
    });
  }

  votePin(id: string, nullifier: string, vote: 'confirm' | 'deny', now: number, rule: PinVoteRule, spend?: TokenSpend): Promise<VotePinResult> {
    return this.run(async () => {
      if (typeof nullifier !== 'string' || !/^[0-9a-f]{64}$/.test(nullifier)) throw new TypeError('nullifier must be 64 lowercase hex digits');
      if (vote !== 'confirm' && vote !== 'deny') throw new TypeError("vote must be 'confirm' or 'deny'");
      checkTime(now, 'now');
      if (typeof rule !== 'object' || rule === null) throw new TypeError('rule must be { confirmMs, denyMs, maxLifeMs }');
      checkCount(rule.confirmMs, 'rule.confirmMs');
      checkCount(rule.denyMs, 'rule.denyMs');
      checkCount(rule.maxLifeMs, 'rule.maxLifeMs');
      const paid = checkSpend(spend);
      // Ids come from clients: one this store could not hold is simply not found.
      if (!isPinId(id)) return 'not-found';
      return this.inner.votePin(id, nullifier, vote, now, { confirmMs: rule.confirmMs, denyMs: rule.denyMs, maxLifeMs: rule.maxLifeMs }, ...paid);
    });
  }

  expirePins(now: number): Promise<number> {
    return this.run(() => (checkTime(now, 'now'), this.inner.expirePins(now)));
  }

  storedBytes(): Promise<number> {
    return this.run(() => this.inner.storedBytes());
  }

  worldKey(epoch: number, create: () => Uint8Array): Promise<Uint8Array> {
    return this.run(() => {
      checkEpoch(epoch, 'epoch');
      if (typeof create !== 'function') throw new TypeError('create must be a function');
      return this.inner.worldKey(epoch, () => {
        const value = create();
        checkBytes(value, 'the created world key');
        return value;
      });
    });
  }

  issuerKey(period: number, create: () => Promise<Uint8Array>): Promise<Uint8Array>;
  issuerKey(period: number): Promise<Uint8Array | undefined>;
  issuerKey(period: number, create?: () => Promise<Uint8Array>): Promise<Uint8Array | undefined> {
    return this.run(() => {
      checkEpoch(period, 'period');
      if (create === undefined) return this.inner.issuerKey(period);
      if (typeof create !== 'function') throw new TypeError('create must be a function');
      return this.inner.issuerKey(period, async () => {
        const value = await create();
        checkBytes(value, 'the created issuer key');
        return value;
      });
    });
  }

  takeTokens(period: number, name: string, want: number, max: number): Promise<TokensTaken> {
    return this.run(async () => {
      checkEpoch(period, 'period');
      checkName(name, 'name');
      checkCount(want, 'want');
      checkCount(max, 'max');
      return this.inner.takeTokens(period, name, want, max);
    });
  }

  spendToken(period: number, nullifier: string, action: string): Promise<SpendResult> {
    return this.run(() => {
      checkEpoch(period, 'period');
      checkHex(nullifier, 'nullifier');
      checkHex(action, 'action');
      return this.inner.spendToken(period, nullifier, action);
    });
  }

  expireTokens(keepPeriodsFrom: number): Promise<number> {
    return this.run(() => {
      if (typeof keepPeriodsFrom !== 'number' || Number.isNaN(keepPeriodsFrom)) throw new TypeError('keepPeriodsFrom must be a number');
      return this.inner.expireTokens(keepPeriodsFrom);
    });
  }

  castVote(vote: NewVote, spend: TokenSpend): Promise<CastVoteResult> {
    return this.run(async () => {
      if (typeof vote !== 'object' || vote === null) throw new TypeError('vote must be an object');
      if (typeof spend !== 'object' || spend === null) throw new TypeError('spend must be an object');
      checkHex(vote.voter, 'voter');
      if (vote.choice !== 1 && vote.choice !== -1 && vote.choice !== 0) throw new TypeError('choice must be 1, -1 or 0');
      checkTime(vote.expiresAt, 'expiresAt');
      checkEpoch(spend.period, 'period');
      checkHex(spend.nullifier, 'nullifier');
      checkHex(spend.action, 'action');
      if (vote.chan !== undefined) checkChannel(vote.chan);
      // Post ids come from clients: one the store could not have minted has no votes to cast.
      if (!isStoreId(vote.post)) throw new TypeError('post must be a post id');
      const { post, chan, voter, choice, expiresAt } = vote;
      return this.inner.castVote({ post, ...(chan !== undefined ? { chan } : {}), voter, choice, expiresAt }, { period: spend.period, nullifier: spend.nullifier, action: spend.action });
    });
  }

  tallies(posts: readonly string[], chan?: string): Promise<VoteTally[]> {
    return this.run(async () => {
      if (!Array.isArray(posts)) throw new TypeError('posts must be an array');
      if (chan !== undefined) checkChannel(chan);
      if (posts.length === 0) return [];
      // An id the store could not have minted has no votes.
      const valid = posts.map((p) => (isStoreId(p) ? p : undefined));
      const known = valid.filter((p): p is string => p !== undefined);
      const got = known.length === 0 ? [] : await this.inner.tallies(known, chan);
      let i = 0;
      return valid.map((p) => (p === undefined ? { up: 0, down: 0 } : got[i++]!));
    });
  }

  expireVotes(now: number): Promise<number> {
    return this.run(() => (checkTime(now, 'now'), this.inner.expireVotes(now)));
  }

  expire(now: number, keepEpochsFrom?: number): Promise<{ mail: number; posts: number }> {
    return this.run(() => {
      checkTime(now, 'now');
      // Any number: a bound at or below 0 (a young clock minus the post lifetime) simply keeps every epoch.
      if (keepEpochsFrom !== undefined && (typeof keepEpochsFrom !== 'number' || Number.isNaN(keepEpochsFrom))) {
        throw new TypeError('keepEpochsFrom must be a number');
      }
      return this.inner.expire(now, keepEpochsFrom);
    });
  }

  onMail(listener: (to: string) => void): () => void {
    if (this.closed) throw closedError();
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    return this.inner.onMail(listener);
  }

  dump(): Promise<Array<[key: string, value: Uint8Array | string]>> {
    return this.run(() => this.inner.dump());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.pending]);
    await this.inner.close();
  }

  /** Runs `op` unless closed, turning synchronous throws into rejections and tracking it until it settles. */
  private run<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError());
    let p: Promise<T>;
    try {
      p = op();
    } catch (err) {
      return Promise.reject(err);
    }
    this.pending.add(p);
    const done = () => this.pending.delete(p);
    p.then(done, done);
    return p;
  }
}

/** A pin note is at most 140 code points (PIN-3): at most 280 UTF-16 units. */
const MAX_NOTE_UNITS = 280;

// The patterns below are written where they are used, not as module constants: a mutation run cannot
// switch a module-level constant per mutant (spec/notes/2026-11-29-mutation-testing.md, ¹⁷).

/** PIN-5: a pin's id is 32 lowercase hex digits (the policy's 128 random bits). */
function isPinId(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{32}$/.test(v);
}

function checkPinId(v: unknown, field: string): void {
  if (!isPinId(v)) throw new TypeError(`${field} must be 32 lowercase hex digits`);
}

/** A geohash cell: its 32 characters (no a, i, l, o). */
function checkCell(v: unknown, field: string, min: number, max: number): void {
  if (typeof v !== 'string' || v.length < min || v.length > max || !/^[0-9b-hjkmnp-z]+$/.test(v)) throw new TypeError(`${field} must be a geohash of ${min} to ${max} characters`);
}

function closedError(): ComradError {
  return new ComradError('INTERNAL', 'the store is closed');
}

function checkName(v: unknown, field: string): void {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_NAME_CHARS) {
    throw new TypeError(`${field} must be a string of 1 to ${MAX_NAME_CHARS} characters`);
  }
}

/** CHAN-1: a channel id as the policy names it to the store: 64 lowercase hex digits. */
function checkChannel(v: unknown): void {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) throw new TypeError('chan must be 64 lowercase hex digits');
}

function checkBytes(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): void {
  if (!(v instanceof Uint8Array) || v.length === 0 || v.length > max) throw new TypeError(`${field} must be 1 to ${max} bytes`);
}

/** The policy's part of a new item: a dedupe key and the random part of its id. */
function checkAppended(key: unknown, nonce: unknown): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) throw new TypeError(`key must be a string of 1 to ${MAX_KEY_CHARS} characters`);
  if (!isRandomPart(nonce)) throw new TypeError("nonce must be an id's random part (12 hex digits)");
}

function checkTime(v: unknown, field: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_ID_TIME) {
    throw new TypeError(`${field} must be a time in ms between 0 and ${MAX_ID_TIME}`);
  }
}

function checkCount(v: unknown, field: string): void {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new TypeError(`${field} must be a non-negative integer`);
}

/** The optional store budget, checked and passed on only when given. */
function storageBudget(v: unknown): { storageBytes?: number } {
  if (v === undefined) return {};
  checkCount(v, 'quota.storageBytes');
  return { storageBytes: v as number };
}

/**
 * TOK-8: a paid put's token, checked and copied (so the backend never sees a caller's later change);
 * an empty list when the put is not paid, spread as the backend's last argument.
 */
function checkSpend(spend: TokenSpend | undefined): [] | [TokenSpend] {
  if (spend === undefined) return [];
  if (typeof spend !== 'object' || spend === null) throw new TypeError('spend must be { period, nullifier, action }');
  checkEpoch(spend.period, 'period');
  checkHex(spend.nullifier, 'nullifier');
  checkHex(spend.action, 'action');
  return [{ period: spend.period, nullifier: spend.nullifier, action: spend.action }];
}

/** A nullifier or an action digest: 16–128 lowercase hex digits (the policy's are SHA-256 or token nonces, 64). */
function checkHex(v: unknown, field: string): void {
  if (typeof v !== 'string' || !/^[0-9a-f]{16,128}$/.test(v)) throw new TypeError(`${field} must be 16 to 128 lowercase hex digits`);
}

function checkEpoch(v: unknown, field: string): void {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > MAX_EPOCH) throw new TypeError(`${field} must be an integer from 0 to ${MAX_EPOCH}`);
}
