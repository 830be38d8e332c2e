/**
 * The default store: LMDB, embedded, in a directory the Operator chooses. Several processes may open one
 * directory (`comrad-op --workers`, STORE-4): LMDB locks across processes; `onMail` tells only this
 * process, and the workers' primary relays it to the others.
 *
 * Layout (named databases; keys are lmdb ordered-binary arrays, so every listing is a range scan):
 * - `name`  name → [public key, registeredAt]         `key` public key → name            (REG-2)
 * - `mail`  [to, id] → mail record                     `mbox` to → [items, bytes]          (MB-3, MB-4)
 * - `mexp`  [expiresAt, to, id] → ∅                    (MB-5: expiry is a range scan from the start)
 * - `post`  id → post record                           `pexp` [expiresAt, id] → ∅          (FEED-4)
 * - `pauth` [author, postedAt, id] → ∅                 (posts-per-hour count is a range count)
 * - `world` epoch → sealed world key
 * - `last`  'post' → the last post id minted            (OP-5: kept when that post is deleted)
 * - `mhash` [to, key] → id   `mkey` [to, id] → key      (dedupe keys of letters, per mailbox: MB-11)
 * - `phash` key → id          `pkey` id → key            (dedupe keys of posts: FEED-9)
 * - `total` 'bytes' → sealed bytes held                (STORE-2: the store's bound)
 * - `clog` [log, position] → entry                     `clen` log → number of entries      (COL-19, COL-22)
 * - `prof` name → profile record                      `prexp` [expiresAt, name] → ∅       (PROF-10)
 * - `chan` [chan, id] → record (as mail: postedAt, expiresAt, sealed)   `cexp` [expiresAt, chan, id] → ∅  (CHAN-7)
 * - `ctime` [chan, postedAt, id] → ∅                   (a channel's recent posts are a range count, CHAN-7)
 * - `chash` [chan, key] → id   `ckey` [chan, id] → key  (dedupe keys of channel posts, CHAN-7)
 * - `pin`  id → pin record (msgpack array)             `pincell` [cell, id] → ∅            (PIN-5, PIN-8)
 * - `pinexp` [expiresAt, id] → ∅                        `pinvote` [id, nullifier] → ∅        (PIN-6)
 * - `total` 'pins' → pins held                          (PIN-5: the store's bound on pins)
 * - `tkey` period → sealed issuer key                   `tuse` [period, name] → tokens taken (TOK-4, TOK-9)
 * - `tspent` [period, nullifier] → action digest        (TOK-8: burned token nonces)
 * - `vote` [post, voter tag] → 1 | -1                   `vtally` post → [up, down, expiresAt]   (VOTE-4, VOTE-5)
 * - `vexp` [expiresAt, post] → ∅                        (VOTE-6: a post's votes go with it)
 *
 * Atomicity: every conditional primitive (pair, dedupe key, bounds, author) runs its check and its write
 * inside one lmdb write transaction, and LMDB has a single writer, so no other write interleaves. Durability: every write
 * method resolves only after its transaction is flushed to disk, so an item reported stored survives a
 * crash, and a reported deletion (ack, FEED-8) does not come back after one (STORE-1: LMDB's default sync
 * mode on Linux, `overlappingSync`, whose `flushed` promise resolves after fsync of the commit).
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { bytesEqual, toHex } from '@comrad/core';
import { guardStore } from './_guard.js';
import { MAX_ID_TIME, laterId, nextId } from '../policy/ids.js';
import { MailListeners } from './_listeners.js';
import type { CastVoteResult, NewVote, TokenSpend, VoteTally, SpendResult, TokensTaken, AppendEntryResult, ChanQuota, NewChanPost, PutChanPostResult, StoredChanPost, LogPage, LogQuota, MailItem, MailQuota, NewMail, NewPost, PostQuota, PutMailResult, PutPostResult, PutProfileResult, RegisterResult, Store, StoredPost, StoredProfile, StoredPin, PutPinResult, PinVoteRule, VotePinResult } from './types.js';
import { MAIL_HEADER_BYTES, PROFILE_RECORD_HEADER_BYTES, decodeMail, decodePost, decodeProfile, encodeMail, encodePost, encodeProfile, movePin, overBound, pinOf, pinRecord, voteTarget, type PinRecord } from './_records.js';

/** Items removed per expiry transaction, so a large sweep never holds the write lock for long. */
const EXPIRY_BATCH = 1000;
/** Greater than every voter tag (64 lowercase hex digits): the end of a post's votes in `vote`. */
const AFTER_VOTERS = '~';
/** Greater than every id (ids are `[0-9a-z]`): the end of a mailbox's key range. */
const AFTER_IDS = '~';
const NOTHING = new Uint8Array(0);
/** The key, in `last`, of the last post id minted. */
const LAST_POST = 'post';
/** The key, in `total`, of the sealed bytes held (STORE-2). */
const HELD = 'bytes';
/** The key, in `total`, of the number of pins held (PIN-5). */
const PINS = 'pins';

/**
 * Opens (creating if needed) the LMDB store in directory `path`.
 * @param path - the data directory; created with mode 0700 when missing
 * @returns the store
 * @throws Error when the directory cannot be created or LMDB cannot open it (e.g. another process holds it incompatibly)
 * @example
 * ```ts
 * const store = await openLmdbStore('./data/store');
 * try { console.log(await store.listMail('bob', Date.now(), 50)); }
 * finally { await store.close(); }
 * ```
 */
export async function openLmdbStore(path: string): Promise<Store> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a directory path');
  await mkdir(path, { recursive: true, mode: 0o700 });
  // noMemInit: false — LMDB zeroes fresh pages, so bytes of deleted records are not copied into new ones.
  // STORE-1: noSync stays off (lmdb's default): every write method awaits the fsync of its commit.
  const root = open({ path, maxDbs: 48, noMemInit: false, compression: false, noSync: false });
  const store = new LmdbStore(root);
  await store.countHeld();
  await store.indexKeys();
  return guardStore(store);
}

type Counters = [items: number, bytes: number];

class LmdbStore implements Store {
  readonly kind = 'lmdb' as const;
  private readonly listeners = new MailListeners();
  private readonly names: Database<[Uint8Array, number], string>;
  private readonly keys: Database<string, Uint8Array>;
  private readonly mail: Database<Uint8Array, Key[]>;
  private readonly mbox: Database<Counters, string>;
  private readonly mexp: Database<Uint8Array, Key[]>;
  private readonly posts: Database<Uint8Array, string>;
  private readonly pexp: Database<Uint8Array, Key[]>;
  private readonly pauth: Database<Uint8Array, Key[]>;
  private readonly world: Database<Uint8Array, number>;
  private readonly last: Database<string, string>;
  private readonly mhash: Database<string, Key[]>;
  private readonly phash: Database<string, string>;
  private readonly mkey: Database<string, Key[]>;
  private readonly pkey: Database<string, string>;
  private readonly total: Database<number, string>;
  private readonly clog: Database<Uint8Array, Key[]>;
  private readonly clen: Database<number, string>;
  private readonly prof: Database<Uint8Array, string>;
  private readonly prexp: Database<Uint8Array, Key[]>;
  private readonly chan: Database<Uint8Array, Key[]>;
  private readonly cexp: Database<Uint8Array, Key[]>;
  private readonly ctime: Database<Uint8Array, Key[]>;
  private readonly chash: Database<string, Key[]>;
  private readonly ckey: Database<string, Key[]>;
  private readonly pin: Database<PinRecord, string>;
  private readonly pincell: Database<Uint8Array, Key[]>;
  private readonly pinexp: Database<Uint8Array, Key[]>;
  private readonly pinvote: Database<Uint8Array, Key[]>;
  private readonly tkey: Database<Uint8Array, number>;
  private readonly tuse: Database<number, Key[]>;
  private readonly tspent: Database<string, Key[]>;
  private readonly vote: Database<number, Key[]>;
  private readonly vtally: Database<[number, number, number], string>;
  private readonly vexp: Database<Uint8Array, Key[]>;

  constructor(private readonly root: RootDatabase) {
    const binary = <K extends Key>(name: string) => root.openDB<Uint8Array, K>({ name, encoding: 'binary' });
    this.names = root.openDB({ name: 'name', encoding: 'msgpack' });
    this.keys = root.openDB({ name: 'key', keyEncoding: 'binary', encoding: 'string' });
    this.mail = binary('mail');
    this.mbox = root.openDB({ name: 'mbox', encoding: 'msgpack' });
    this.mexp = binary('mexp');
    this.posts = binary('post');
    this.pexp = binary('pexp');
    this.pauth = binary('pauth');
    this.world = binary('world');
    this.last = root.openDB({ name: 'last', encoding: 'string' });
    this.mhash = root.openDB({ name: 'mhash', encoding: 'string' });
    this.phash = root.openDB({ name: 'phash', encoding: 'string' });
    this.mkey = root.openDB({ name: 'mkey', encoding: 'string' });
    this.pkey = root.openDB({ name: 'pkey', encoding: 'string' });
    this.total = root.openDB({ name: 'total', encoding: 'msgpack' });
    this.clog = binary('clog');
    this.clen = root.openDB({ name: 'clen', encoding: 'msgpack' });
    this.prof = root.openDB({ name: 'prof', encoding: 'binary' });
    this.prexp = binary('prexp');
    this.chan = binary('chan');
    this.cexp = binary('cexp');
    this.ctime = binary('ctime');
    this.chash = root.openDB({ name: 'chash', encoding: 'string' });
    this.ckey = root.openDB({ name: 'ckey', encoding: 'string' });
    this.pin = root.openDB({ name: 'pin', encoding: 'msgpack' });
    this.pincell = binary('pincell');
    this.pinexp = binary('pinexp');
    this.pinvote = binary('pinvote');
    this.tkey = binary('tkey');
    this.tuse = root.openDB({ name: 'tuse', encoding: 'msgpack' });
    this.tspent = root.openDB({ name: 'tspent', encoding: 'string' });
    this.vote = root.openDB({ name: 'vote', encoding: 'msgpack' });
    this.vtally = root.openDB({ name: 'vtally', encoding: 'msgpack' });
    this.vexp = binary('vexp');
  }

  /** STORE-2: a store written before the byte count existed gets it counted once, at open. */
  async countHeld(): Promise<void> {
    if (this.total.get(HELD) !== undefined) return;
    await this.write(() => {
      let held = 0;
      for (const { value } of this.mail.getRange()) held += value.length - MAIL_HEADER_BYTES;
      for (const { key, value } of this.posts.getRange()) held += decodePost(key, value).sealed.length;
      for (const { value } of this.clog.getRange()) held += value.length;
      for (const { value } of this.prof.getRange()) held += value.length - PROFILE_RECORD_HEADER_BYTES;
      for (const { value } of this.chan.getRange()) held += value.length - MAIL_HEADER_BYTES;
      this.setHeld(held);
    });
  }

  /** A store written before the id → key indexes existed gets them once, at open, from the key → id ones. */
  async indexKeys(): Promise<void> {
    if (this.mkey.getKeysCount({ limit: 1 }) > 0 || this.pkey.getKeysCount({ limit: 1 }) > 0) return;
    if (this.mhash.getKeysCount({ limit: 1 }) === 0 && this.phash.getKeysCount({ limit: 1 }) === 0) return;
    await this.write(() => {
      for (const { key, value } of this.mhash.getRange()) this.mkey.put([key[0]!, value], key[1] as string);
      for (const { key, value } of this.phash.getRange()) this.pkey.put(value, key);
    });
  }

  async putPairIfAbsent(name: string, publicKey: Uint8Array, registeredAt: number): Promise<RegisterResult> {
    // Copied now: the transaction runs later, and the caller's bytes may have changed by then.
    const key = Buffer.from(publicKey);
    const stored = publicKey.slice();
    return this.write((): RegisterResult => {
      if (this.names.doesExist(name)) return 'name-taken';
      if (this.keys.doesExist(key)) return 'key-taken';
      this.names.put(name, [stored, registeredAt]);
      this.keys.put(key, name);
      return 'ok';
    });
  }

  async keyOf(name: string): Promise<Uint8Array | undefined> {
    const entry = this.names.get(name);
    return entry && new Uint8Array(entry[0]);
  }

  async nameOf(publicKey: Uint8Array): Promise<string | undefined> {
    return this.keys.get(Buffer.from(publicKey));
  }

  async appendMail(to: string, mail: NewMail, quota: MailQuota, spend?: TokenSpend): Promise<PutMailResult> {
    const { sealed, receivedAt, expiresAt, key, nonce } = mail;
    const record = encodeMail(receivedAt, expiresAt, sealed);
    let fresh = false;
    const result = await this.write((): PutMailResult => {
      if (this.burnedElsewhere(spend)) return 'spent';
      const held = this.mhash.get([to, key]);
      if (held !== undefined) {
        this.burn(spend);
        return { id: held, held: true };
      }
      const [items, bytes] = this.mbox.get(to) ?? [0, 0];
      if (items + 1 > quota.maxItems || bytes + sealed.length > quota.maxBytes) return 'quota';
      const total = this.held();
      if (overBound(total, sealed.length, quota.storageBytes)) return 'storage-full';
      // Minted inside the transaction, after the greatest id present: ids follow commit order (MB-3).
      const id = nextId(receivedAt, this.greatest(this.mail.getKeys({ start: [to, AFTER_IDS], end: [to], reverse: true, limit: 1 })), nonce);
      this.mail.put([to, id], record);
      this.mexp.put([expiresAt, to, id], NOTHING);
      this.mbox.put(to, [items + 1, bytes + sealed.length]);
      this.mhash.put([to, key], id);
      this.mkey.put([to, id], key);
      this.setHeld(total + sealed.length);
      this.burn(spend);
      fresh = true;
      return { id };
    });
    if (fresh) this.listeners.emit(to);
    return result;
  }

  async listMail(to: string, now: number, limit: number): Promise<MailItem[]> {
    const out: MailItem[] = [];
    for (const { key, value } of this.mail.getRange({ start: [to], end: [to, AFTER_IDS] })) {
      const { receivedAt, expiresAt, sealed } = decodeMail(value);
      if (expiresAt <= now) continue; // MB-5: never handed out, even before expire() deletes it
      out.push({ id: key[1] as string, sealed, receivedAt, expiresAt });
      if (out.length === limit) break;
    }
    return out;
  }

  async deleteMail(to: string, ids: readonly string[]): Promise<number> {
    return this.write(() => ids.reduce((gone, id) => gone + (this.dropMail(to, id) ? 1 : 0), 0));
  }

  async appendPost(post: NewPost, quota?: PostQuota): Promise<PutPostResult> {
    const record = encodePost(post);
    const { key, nonce } = post;
    return this.write((): PutPostResult => {
      const held = this.phash.get(key);
      if (held !== undefined) return { id: held, held: true };
      if (quota && this.countSince(post.author, quota.since) + 1 > quota.maxPosts) return 'rate-limited';
      const total = this.held();
      if (overBound(total, post.sealed.length, quota?.storageBytes)) return 'storage-full';
      // After the last id minted, which a deleted newest post leaves greater than every id present (OP-5);
      // the greatest present still counts for a store written before `last` existed.
      const greatest = this.greatest(this.posts.getKeys({ reverse: true, limit: 1 }));
      const id = nextId(post.postedAt, laterId(greatest, this.last.get(LAST_POST)), nonce);
      this.last.put(LAST_POST, id);
      this.posts.put(id, record);
      this.pexp.put([post.expiresAt, id], NOTHING);
      this.pauth.put([post.author, post.postedAt, id], NOTHING);
      this.phash.put(key, id);
      this.pkey.put(id, key);
      this.setHeld(total + post.sealed.length);
      return { id };
    });
  }

  async listPosts(now: number, limit: number, before?: string): Promise<StoredPost[]> {
    const out: StoredPost[] = [];
    const range = before === undefined ? { reverse: true } : { start: before, exclusiveStart: true, reverse: true };
    for (const { key, value } of this.posts.getRange(range)) {
      const post = decodePost(key, value);
      if (post.expiresAt <= now) continue; // FEED-4
      out.push(post);
      if (out.length === limit) break;
    }
    return out;
  }

  async getPost(id: string, now: number): Promise<StoredPost | undefined> {
    const value = this.posts.get(id);
    const post = value && decodePost(id, value);
    return post && post.expiresAt > now ? post : undefined;
  }

  async deletePostIfAuthor(id: string, author: string): Promise<boolean> {
    return this.write(() => {
      const value = this.posts.get(id);
      if (!value || decodePost(id, value).author !== author) return false;
      this.dropPost(id, value);
      return true;
    });
  }

  async countPostsSince(author: string, since: number): Promise<number> {
    return this.countSince(author, since);
  }

  async appendEntry(log: string, position: number, entry: Uint8Array, quota: LogQuota): Promise<AppendEntryResult> {
    const bytes = entry.slice();
    return this.write((): AppendEntryResult => {
      const length = this.clen.get(log) ?? 0;
      if (position < length) return bytesEqual(this.clog.get([log, position]) ?? NOTHING, bytes) ? 'ok' : 'stale';
      if (position !== length) return 'stale';
      if (length + 1 > quota.maxEntries) return 'full';
      const total = this.held();
      if (overBound(total, bytes.length, quota.storageBytes)) return 'storage-full';
      this.clog.put([log, position], bytes);
      this.clen.put(log, length + 1);
      this.setHeld(total + bytes.length);
      return 'ok';
    });
  }

  async readEntries(log: string, position: number, limit: number): Promise<LogPage> {
    // Entries are never deleted and the length is read first, so every position below it is there.
    const length = this.clen.get(log) ?? 0;
    const entries: Uint8Array[] = [];
    if (limit > 0 && position < length) {
      for (const { value } of this.clog.getRange({ start: [log, position], end: [log, length], limit })) entries.push(new Uint8Array(value));
    }
    return { entries, length };
  }

  async putProfileIfNewer(name: string, profile: StoredProfile, now: number, storageBytes?: number): Promise<PutProfileResult> {
    const record = encodeProfile(profile);
    return this.write((): PutProfileResult => {
      const value = this.prof.get(name);
      const current = value ? decodeProfile(value) : undefined;
      const live = current && current.expiresAt > now ? current : undefined;
      if (live && bytesEqual(live.sealed, profile.sealed)) return 'held';
      if (live && live.at >= profile.at) return 'stale';
      // STORE-2: the profile replaced is freed in the same transaction.
      const freed = current?.sealed.length ?? 0;
      const total = this.held();
      if (overBound(total - freed, profile.sealed.length, storageBytes)) return 'storage-full';
      if (current) this.prexp.remove([current.expiresAt, name]);
      this.prof.put(name, record);
      this.prexp.put([profile.expiresAt, name], NOTHING);
      this.setHeld(total - freed + profile.sealed.length);
      return 'ok';
    });
  }

  async getProfile(name: string, now: number): Promise<StoredProfile | undefined> {
    const value = this.prof.get(name);
    const p = value && decodeProfile(value);
    return p && p.expiresAt > now ? p : undefined;
  }

  async expireProfiles(now: number): Promise<number> {
    let gone = 0;
    for (let batch = this.due(this.prexp, now); batch.length > 0; batch = this.due(this.prexp, now)) {
      gone += await this.write(() =>
        batch.reduce((n, key) => {
          const name = key[1] as string;
          this.prexp.remove(key); // an index entry without its profile is dropped too, or the sweep would never end
          const value = this.prof.get(name);
          // A newer profile put meanwhile has its own index entry and a later expiry: it stays.
          if (!value || decodeProfile(value).expiresAt > now) return n;
          this.prof.remove(name);
          this.setHeld(this.held() - (value.length - PROFILE_RECORD_HEADER_BYTES));
          return n + 1;
        }, 0),
      );
    }
    return gone;
  }

  async appendChanPost(chan: string, post: NewChanPost, quota: ChanQuota, spend?: TokenSpend): Promise<PutChanPostResult> {
    const record = encodeMail(post.postedAt, post.expiresAt, post.sealed);
    const { key, nonce } = post;
    return this.write((): PutChanPostResult => {
      if (this.burnedElsewhere(spend)) return 'spent';
      const held = this.chash.get([chan, key]);
      if (held !== undefined) {
        this.burn(spend);
        return { id: held, held: true };
      }
      if (this.chan.getKeysCount({ start: [chan], end: [chan, AFTER_IDS] }) + 1 > quota.maxPosts) return 'full';
      if (this.ctime.getCount({ start: [chan, quota.since], end: [chan, MAX_ID_TIME + 1] }) + 1 > quota.maxRecent) return 'rate-limited';
      const total = this.held();
      if (overBound(total, post.sealed.length, quota.storageBytes)) return 'storage-full';
      const id = nextId(post.postedAt, this.greatest(this.chan.getKeys({ start: [chan, AFTER_IDS], end: [chan], reverse: true, limit: 1 })), nonce);
      this.chan.put([chan, id], record);
      this.cexp.put([post.expiresAt, chan, id], NOTHING);
      this.ctime.put([chan, post.postedAt, id], NOTHING);
      this.chash.put([chan, key], id);
      this.ckey.put([chan, id], key);
      this.setHeld(total + post.sealed.length);
      this.burn(spend);
      return { id };
    });
  }

  async listChanPosts(chan: string, now: number, limit: number, before?: string): Promise<StoredChanPost[]> {
    const out: StoredChanPost[] = [];
    const start = before === undefined ? [chan, AFTER_IDS] : [chan, before];
    for (const { key, value } of this.chan.getRange({ start, end: [chan], reverse: true, exclusiveStart: before !== undefined })) {
      const { receivedAt, expiresAt, sealed } = decodeMail(value);
      if (expiresAt <= now) continue; // CHAN-7: never handed out, even before the sweep deletes it
      out.push({ id: key[1] as string, sealed, postedAt: receivedAt, expiresAt });
      if (out.length === limit) break;
    }
    return out;
  }

  async getChanPost(chan: string, id: string, now: number): Promise<StoredChanPost | undefined> {
    const value = this.chan.get([chan, id]);
    if (!value) return undefined;
    const { receivedAt, expiresAt, sealed } = decodeMail(value);
    return expiresAt > now ? { id, sealed, postedAt: receivedAt, expiresAt } : undefined;
  }

  async expireChanPosts(now: number): Promise<number> {
    let gone = 0;
    for (let batch = this.due(this.cexp, now); batch.length > 0; batch = this.due(this.cexp, now)) {
      gone += await this.write(() =>
        batch.reduce((n, key) => {
          this.cexp.remove(key); // an index entry without its post is dropped too, or the sweep would never end
          const chan = key[1] as string;
          const id = key[2] as string;
          const value = this.chan.get([chan, id]);
          if (!value) return n;
          const { receivedAt, sealed } = decodeMail(value);
          this.chan.remove([chan, id]);
          this.ctime.remove([chan, receivedAt, id]);
          const digest = this.ckey.get([chan, id]);
          this.ckey.remove([chan, id]);
          if (digest !== undefined && this.chash.get([chan, digest]) === id) this.chash.remove([chan, digest]);
          this.setHeld(this.held() - sealed.length);
          return n + 1;
        }, 0),
      );
    }
    return gone;
  }

  async putPin(pin: StoredPin, maxPins: number, spend?: TokenSpend): Promise<PutPinResult> {
    return this.write((): PutPinResult => {
      if (this.burnedElsewhere(spend)) return 'spent';
      if (this.pin.doesExist(pin.id)) {
        this.burn(spend);
        return 'held';
      }
      const held = this.total.get(PINS) ?? 0;
      if (held + 1 > maxPins) return 'full';
      this.pin.put(pin.id, pinRecord(pin));
      this.pincell.put([pin.cell, pin.id], NOTHING);
      this.pinexp.put([pin.expiresAt, pin.id], NOTHING);
      this.total.put(PINS, held + 1);
      this.burn(spend);
      return 'ok';
    });
  }

  async getPin(id: string): Promise<StoredPin | undefined> {
    const value = this.pin.get(id);
    return value ? pinOf(id, value) : undefined;
  }

  async listPins(prefixes: readonly string[], now: number, limit: number): Promise<StoredPin[]> {
    const found = new Map<string, StoredPin>();
    // Each prefix is scanned in cell order for at most `limit` live pins: a coarse question costs at most
    // `limit` pins per cell asked, however many the store holds.
    for (const prefix of prefixes) {
      let taken = 0;
      for (const key of this.pincell.getKeys({ start: [prefix], end: [`${prefix}${AFTER_IDS}`] })) {
        if (taken === limit) break;
        const id = key[1] as string;
        const value = this.pin.get(id);
        if (!value) continue;
        const pin = pinOf(id, value);
        if (pin.expiresAt <= now) continue;
        taken++;
        found.set(id, pin);
      }
    }
    return [...found.values()].sort((a, b) => (a.cell + a.id < b.cell + b.id ? -1 : 1)).slice(0, limit);
  }

  async votePin(id: string, nullifier: string, vote: 'confirm' | 'deny', now: number, rule: PinVoteRule, spend?: TokenSpend): Promise<VotePinResult> {
    return this.write((): VotePinResult => {
      if (this.burnedElsewhere(spend)) return 'spent';
      const value = this.pin.get(id);
      if (!value) return 'not-found';
      const pin = pinOf(id, value);
      if (pin.expiresAt <= now) return 'expired';
      if (this.pinvote.doesExist([id, nullifier])) return 'duplicate';
      const next = movePin(pin, vote, rule);
      this.pinvote.put([id, nullifier], NOTHING);
      this.pin.put(id, pinRecord(next));
      this.pinexp.remove([pin.expiresAt, id]);
      this.pinexp.put([next.expiresAt, id], NOTHING);
      this.burn(spend);
      return { expiresAt: next.expiresAt, confirms: next.confirms, denies: next.denies };
    });
  }

  async expirePins(now: number): Promise<number> {
    let gone = 0;
    for (let batch = this.due(this.pinexp, now); batch.length > 0; batch = this.due(this.pinexp, now)) {
      gone += await this.write(() =>
        batch.reduce((n, key) => {
          const id = key[1] as string;
          this.pinexp.remove(key); // an index entry without its pin is dropped too, or the sweep would never end
          const value = this.pin.get(id);
          if (!value) return n;
          const pin = pinOf(id, value);
          if (pin.expiresAt > now) return n; // moved by a vote meanwhile: its own entry is later
          this.pin.remove(id);
          this.pincell.remove([pin.cell, id]);
          for (const vote of [...this.pinvote.getKeys({ start: [id], end: [id, AFTER_IDS] })]) this.pinvote.remove(vote);
          this.total.put(PINS, Math.max(0, (this.total.get(PINS) ?? 1) - 1));
          return n + 1;
        }, 0),
      );
    }
    return gone;
  }

  async storedBytes(): Promise<number> {
    return this.held();
  }

  async worldKey(epoch: number, create: () => Uint8Array): Promise<Uint8Array> {
    const existing = this.world.get(epoch);
    if (existing) return new Uint8Array(existing);
    // create() runs outside the transaction (it is caller code); the transaction decides whose value wins.
    const fresh = create();
    const value = await this.write(() => {
      const raced = this.world.get(epoch);
      if (raced) return raced;
      this.world.put(epoch, fresh);
      return fresh;
    });
    return new Uint8Array(value);
  }

  async expire(now: number, keepEpochsFrom?: number): Promise<{ mail: number; posts: number }> {
    let mail = 0;
    for (let batch = this.due(this.mexp, now); batch.length > 0; batch = this.due(this.mexp, now)) {
      mail += await this.write(() =>
        batch.reduce((n, key) => {
          this.mexp.remove(key); // an index entry without its letter is dropped too, or the sweep would never end
          return n + (this.dropMail(key[1] as string, key[2] as string) ? 1 : 0);
        }, 0),
      );
    }
    let posts = 0;
    for (let batch = this.due(this.pexp, now); batch.length > 0; batch = this.due(this.pexp, now)) {
      posts += await this.write(() =>
        batch.reduce((n, key) => {
          const id = key[1] as string;
          const value = this.posts.get(id);
          this.pexp.remove(key); // an index entry without its post is dropped too, or the sweep would never end
          if (!value) return n;
          this.dropPost(id, value);
          return n + 1;
        }, 0),
      );
    }
    if (keepEpochsFrom !== undefined) {
      const old = [...this.world.getKeys({ end: keepEpochsFrom })];
      if (old.length > 0) await this.write(() => old.forEach((epoch) => this.world.remove(epoch)));
    }
    return { mail, posts };
  }

  issuerKey(period: number, create: () => Promise<Uint8Array>): Promise<Uint8Array>;
  issuerKey(period: number): Promise<Uint8Array | undefined>;
  async issuerKey(period: number, create?: () => Promise<Uint8Array>): Promise<Uint8Array | undefined> {
    const existing = this.tkey.get(period);
    if (existing) return new Uint8Array(existing);
    if (!create) return undefined;
    const fresh = await create();
    const value = await this.write(() => {
      const raced = this.tkey.get(period);
      if (raced) return raced;
      this.tkey.put(period, fresh);
      return fresh;
    });
    return new Uint8Array(value);
  }

  async takeTokens(period: number, name: string, want: number, max: number): Promise<TokensTaken> {
    return this.write(() => {
      const used = this.tuse.get([period, name]) ?? 0;
      const grant = Math.min(want, Math.max(0, max - used));
      if (grant > 0) this.tuse.put([period, name], used + grant);
      return { granted: grant, left: Math.max(0, max - used - grant) };
    });
  }

  async spendToken(period: number, nullifier: string, action: string): Promise<SpendResult> {
    return this.write(() => {
      const held = this.tspent.get([period, nullifier]);
      if (held !== undefined) return held === action ? 'held' : 'spent';
      this.burn({ period, nullifier, action });
      return 'ok';
    });
  }

  /** Inside a write transaction (TOK-8): true when `spend`'s nonce is burned for another action. */
  private burnedElsewhere(spend: TokenSpend | undefined): boolean {
    const held = spend && this.tspent.get([spend.period, spend.nullifier]);
    return held !== undefined && held !== spend!.action;
  }

  /** Inside a write transaction (TOK-8): burns `spend`'s nonce (a retry of the same action writes the same value). */
  private burn(spend: TokenSpend | undefined): void {
    if (spend && this.tspent.get([spend.period, spend.nullifier]) === undefined) this.tspent.put([spend.period, spend.nullifier], spend.action);
  }

  async castVote(vote: NewVote, spend: TokenSpend): Promise<CastVoteResult> {
    const target = voteTarget(vote.post, vote.chan);
    return this.write((): CastVoteResult => {
      const [up0, down0, expiresAt0] = this.vtally.get(target) ?? [0, 0, vote.expiresAt];
      const burned = this.tspent.get([spend.period, spend.nullifier]);
      if (burned !== undefined) return burned === spend.action ? { up: up0, down: down0, held: true } : 'spent';
      const current = this.vote.get([target, vote.voter]) ?? 0;
      if (current === vote.choice) return 'same';
      this.burn(spend);
      const up = up0 - (current === 1 ? 1 : 0) + (vote.choice === 1 ? 1 : 0);
      const down = down0 - (current === -1 ? 1 : 0) + (vote.choice === -1 ? 1 : 0);
      if (vote.choice === 0) this.vote.remove([target, vote.voter]);
      else this.vote.put([target, vote.voter], vote.choice);
      this.vexp.remove([expiresAt0, target]);
      if (up === 0 && down === 0) this.vtally.remove(target);
      else {
        this.vtally.put(target, [up, down, vote.expiresAt]);
        this.vexp.put([vote.expiresAt, target], NOTHING);
      }
      return { up, down };
    });
  }

  async tallies(posts: readonly string[], chan?: string): Promise<VoteTally[]> {
    return posts.map((p) => {
      const [up, down] = this.vtally.get(voteTarget(p, chan)) ?? [0, 0];
      return { up, down };
    });
  }

  async expireVotes(now: number): Promise<number> {
    let gone = 0;
    for (let batch = this.due(this.vexp, now); batch.length > 0; batch = this.due(this.vexp, now)) {
      gone += await this.write(() =>
        batch.reduce((n, key) => {
          const post = key[1] as string;
          this.vexp.remove(key);
          this.vtally.remove(post);
          for (const k of [...this.vote.getKeys({ start: [post], end: [post, AFTER_VOTERS] })]) this.vote.remove(k);
          return n + 1;
        }, 0),
      );
    }
    return gone;
  }

  async expireTokens(keepPeriodsFrom: number): Promise<number> {
    const end = [keepPeriodsFrom];
    const spent = [...this.tspent.getKeys({ end })];
    const used = [...this.tuse.getKeys({ end })];
    const keys = [...this.tkey.getKeys({ end: keepPeriodsFrom })];
    for (let i = 0; i < Math.max(spent.length, used.length, keys.length); i += EXPIRY_BATCH) {
      await this.write(() => {
        for (const k of spent.slice(i, i + EXPIRY_BATCH)) this.tspent.remove(k);
        for (const k of used.slice(i, i + EXPIRY_BATCH)) this.tuse.remove(k);
        for (const k of keys.slice(i, i + EXPIRY_BATCH)) this.tkey.remove(k);
      });
    }
    return spent.length;
  }

  onMail(listener: (to: string) => void): () => void {
    return this.listeners.add(listener);
  }

  async dump(): Promise<Array<[key: string, value: Uint8Array | string]>> {
    const dbs: Array<[string, Database<unknown, Key>]> = [
      ['name', this.names],
      ['key', this.keys],
      ['mail', this.mail],
      ['mbox', this.mbox],
      ['mexp', this.mexp],
      ['post', this.posts],
      ['pexp', this.pexp],
      ['pauth', this.pauth],
      ['world', this.world],
      ['last', this.last],
      ['mhash', this.mhash],
      ['phash', this.phash],
      ['mkey', this.mkey],
      ['pkey', this.pkey],
      ['total', this.total],
      ['clog', this.clog],
      ['clen', this.clen],
      ['prof', this.prof],
      ['prexp', this.prexp],
      ['chan', this.chan],
      ['cexp', this.cexp],
      ['ctime', this.ctime],
      ['chash', this.chash],
      ['ckey', this.ckey],
      ['pin', this.pin],
      ['pincell', this.pincell],
      ['pinexp', this.pinexp],
      ['pinvote', this.pinvote],
      ['tkey', this.tkey],
      ['tuse', this.tuse],
      ['tspent', this.tspent],
      ['vote', this.vote],
      ['vtally', this.vtally],
      ['vexp', this.vexp],
    ];
    const out: Array<[string, Uint8Array | string]> = [];
    for (const [label, db] of dbs) {
      for (const { key, value } of db.getRange()) out.push([`${label}/${showKey(key)}`, showValue(value)]);
    }
    return out;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.root.flushed;
    await this.root.close();
  }

  /** Runs `action` in one write transaction and resolves once it is on disk. */
  private async write<T>(action: () => T): Promise<T> {
    const result = await this.root.transaction(action);
    await this.root.flushed;
    return result;
  }

  /** Inside a transaction: what FEED-5 counts, a range count over the author's index. */
  private countSince(author: string, since: number): number {
    return this.pauth.getCount({ start: [author, since], end: [author, MAX_ID_TIME + 1] });
  }

  private held(): number {
    return this.total.get(HELD) ?? 0;
  }

  /** Inside a write transaction; never below 0, whatever a damaged store held. */
  private setHeld(bytes: number): void {
    this.total.put(HELD, Math.max(0, bytes));
  }

  /** The id in the last part of the first key of a (one-key, reverse) range, if any. */
  private greatest(keys: Iterable<Key>): string | undefined {
    for (const key of keys) return (Array.isArray(key) ? key[key.length - 1] : key) as string;
    return undefined;
  }

  /** Up to one batch of expiry-index keys whose time is ≤ `now` (the index is ordered by time). */
  private due(index: Database<Uint8Array, Key[]>, now: number): Key[][] {
    const out: Key[][] = [];
    for (const key of index.getKeys({ limit: EXPIRY_BATCH })) {
      if ((key[0] as number) > now) break;
      out.push(key);
    }
    return out;
  }

  /** Inside a write transaction: deletes one letter, its expiry entry and its share of the counters. */
  private dropMail(to: string, id: string): boolean {
    const value = this.mail.get([to, id]);
    if (!value) return false;
    const { expiresAt, sealed } = decodeMail(value);
    this.mail.remove([to, id]);
    this.mexp.remove([expiresAt, to, id]);
    const key = this.mkey.get([to, id]);
    this.mkey.remove([to, id]);
    if (key !== undefined && this.mhash.get([to, key]) === id) this.mhash.remove([to, key]);
    this.setHeld(this.held() - sealed.length);
    const [items, bytes] = this.mbox.get(to) ?? [1, 0];
    // An emptied mailbox leaves no counter behind: nothing shows that `to` ever had mail.
    if (items <= 1) this.mbox.remove(to);
    else this.mbox.put(to, [items - 1, bytes - (value.length - MAIL_HEADER_BYTES)]);
    return true;
  }

  /** Inside a write transaction: deletes one post and its index entries. */
  private dropPost(id: string, value: Uint8Array): void {
    const post = decodePost(id, value);
    this.posts.remove(id);
    this.pexp.remove([post.expiresAt, id]);
    this.pauth.remove([post.author, post.postedAt, id]);
    const key = this.pkey.get(id);
    this.pkey.remove(id);
    if (key !== undefined && this.phash.get(key) === id) this.phash.remove(key);
    this.setHeld(this.held() - post.sealed.length);
  }
}

function showKey(key: Key): string {
  if (Array.isArray(key)) return key.map(showKey).join('/');
  if (key instanceof Uint8Array) return toHex(key);
  return String(key);
}

function showValue(value: unknown): Uint8Array | string {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map((v) => (v instanceof Uint8Array ? toHex(v) : String(v))).join('/');
  return String(value);
}
