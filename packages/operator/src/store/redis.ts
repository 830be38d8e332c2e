/**
 * The Redis store: several Operator processes share one Redis or one Redis Cluster. Every key starts with
 * `{P}`, the configurable prefix P as a hash tag (STORE-5), so all of a store's keys are in one hash slot
 * of a cluster and each script touches that slot only.
 *
 * Layout (P = `{prefix}`):
 * - `P n:<name>` hash { k: public key, t: registeredAt }   `P k:<key hex>` string name      (REG-2)
 * - `P mi:<to>` zset of ids (score 0, so ordered by id)    `P md:<to>` hash id → mail record
 * - `P mb:<to>` string: bytes in the mailbox (MB-4)        `P mx` zset `<id><to>` by expiresAt (MB-5)
 * - `P pi` zset of post ids (score 0)                      `P pd` hash id → post record
 * - `P pa:<author>` zset ids by postedAt                   `P px` zset ids by expiresAt        (FEED-4)
 * - `P pl` string: the last post id minted, kept when that post is deleted (OP-5)
 * - `P w` hash epoch → sealed world key
 * - `P mh:<to>` hash key → id and id → key (dedupe keys, MB-11)  `P ph` the same for posts (FEED-9)
 * - `P sb` string: sealed bytes held by the store (STORE-2)
 * - `P cl:<log>` hash position → entry; its HLEN is the log's length (COL-19, COL-22)
 * - `P pf:<name>` hash { s: sealed profile, a: at, r: receivedAt, x: expiresAt }   `P pfx` zset names by expiresAt (PROF-10)
 * - `P ci:<chan>` zset of post ids (score 0)   `P cd:<chan>` hash id → record (as mail)   `P ct:<chan>` zset ids by postedAt
 * - `P cx` zset `<id><chan>` by expiresAt      `P ch:<chan>` hash key → id and id → key   (CHAN-7, CHAN-8)
 * - `P pn:<id>` hash { c: cell, k: kind, n: note, t: createdAt, x: expiresAt, y: confirms, d: denies }   `P pnv:<id>` set of nullifiers (PIN-5, PIN-6)
 * - `P pnc` zset `<cell><id>` (score 0, a prefix scan is a BYLEX range)   `P pnx` zset ids by expiresAt; its ZCARD is the pins held
 * - `P tk` hash period → sealed issuer key (TOK-4)          `P tp` zset of periods holding token data
 * - `P tu:<period>` hash name → tokens taken (TOK-9)        `P ts:<period>` hash nullifier → action (TOK-8)
 * - `P v:<post>` hash voter tag → 1 | -1, `#up`, `#down` (VOTE-4)   `P vx` zset posts with votes by expiresAt (VOTE-6)
 * - channel `<prefix>mail` (the bare prefix: a channel is not a key): the recipient's name, published by the put script itself.
 *
 * Atomicity: every conditional primitive (pair, dedupe key, bounds, author) and the deletions are Lua
 * scripts (`_redis-scripts.ts`), each one atomic step in Redis, with the bounds and the id's random part
 * passed in as arguments; world keys use HSETNX. Listings read in pages without a script: they only read.
 * The put scripts are no-ops when run again (STORE-3), since ioredis re-sends a command whose reply was
 * lost with its connection.
 *
 * Durability (STORE-1): the store refuses a Redis that can lose acknowledged writes — one without AOF, or
 * with `appendfsync no` or `everysec` — unless opened with `allowDataLoss`.
 * @module
 */
import { createHash } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { ComradError, toHex } from '@comrad/core';
import { guardStore } from './_guard.js';
import { MailListeners } from './_listeners.js';
import { DEFAULT_REDIS_PREFIX, PREFIX_PATTERN, UNTAGGED_OWNED_KINDS, UNTAGGED_SINGLE_KINDS, taggedPrefix } from './_redis-keys.js';
import { decodeMail, decodePost, encodeMail, encodePost, voteTarget } from './_records.js';
import * as scripts from './_redis-scripts.js';
import type { LuaScript } from './_redis-scripts.js';
import type { CastVoteResult, NewVote, TokenSpend, VoteTally, SpendResult, TokensTaken, AppendEntryResult, ChanQuota, NewChanPost, PutChanPostResult, StoredChanPost, LogPage, LogQuota, MailItem, MailQuota, NewMail, NewPost, PostQuota, PutMailResult, PutPostResult, PutProfileResult, RegisterResult, Store, Stored, StoredPost, StoredProfile, StoredPin, PutPinResult, PinVoteRule, VotePinResult } from './types.js';

export { DEFAULT_REDIS_PREFIX } from './_redis-keys.js';
/** Ids per ack script call, so one huge ack never blocks Redis for long. */
const ACK_BATCH = 500;
/** A pin's cell is 7 geohash characters (PIN-2): the cell index's members are the cell, then the id. */
const PIN_CELL_CHARS = 7;
/** Entries per expiry script call. */
const EXPIRY_BATCH = 500;

/** How to open the Redis store. */
export interface RedisStoreOptions {
  /**
   * STORE-1: open even on a Redis that can lose acknowledged writes (no AOF, `appendfsync no` or
   * `everysec`, or a server that hides its configuration). Registrations and letters reported stored may
   * then vanish when Redis or its machine stops; a lost name can be registered again by someone else.
   */
  readonly allowDataLoss?: boolean;
  /**
   * STORE-5: `url` is one node of a Redis Cluster; the client finds the others from it. Every master's
   * persistence is checked (STORE-1).
   */
  readonly cluster?: boolean;
}

/** A connection to one Redis or to a Redis Cluster: the same commands either way. */
type Client = Redis | Cluster;

/**
 * Connects to Redis at `url` and opens the store under `prefix`.
 * @param url - a `redis://` URL (never logged: it may hold a password)
 * @param prefix - the key prefix, 1–64 of `A–Z a–z 0–9 _ . : -`; stores with different prefixes share nothing
 * @param options - `allowDataLoss` to accept a Redis without durable persistence (STORE-1)
 * @returns the store, already subscribed to mail notifications
 * @throws ComradError INTERNAL when Redis cannot be reached, or (without `allowDataLoss`) when its
 *   persistence can lose acknowledged writes or cannot be read
 * @example
 * ```ts
 * // redis-server --appendonly yes --appendfsync always
 * const store = await openRedisStore('redis://127.0.0.1:6379', 'comrad:');
 * store.onMail((to) => pushToConnectedClient(to));
 * ```
 */
export async function openRedisStore(url: string, prefix: string = DEFAULT_REDIS_PREFIX, options: RedisStoreOptions = {}): Promise<Store> {
  if (typeof url !== 'string' || url.length === 0) throw new TypeError('url must be a redis:// URL');
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) throw new TypeError('prefix must be 1–64 of A–Z a–z 0–9 _ . : -');
  // ioredis re-sends commands whose replies a dropped connection lost (its default); the put scripts are
  // idempotent for that reason (STORE-3).
  const connection = { lazyConnect: true, enableAutoPipelining: true, maxRetriesPerRequest: 3 };
  const redis: Client = options.cluster ? clusterClient(url, connection) : new Redis(url, connection);
  let sub: Redis | undefined;
  // Connection errors reach callers as rejected commands (ioredis reconnects meanwhile); without these
  // listeners ioredis would also print each one to stderr.
  redis.on('error', () => {});
  try {
    await redis.connect();
    // MB-6 on a cluster: PUBLISH reaches every node, but at once only the subscribers of the node that ran
    // the put script — the master of the store's slot (STORE-5). Subscribed there, "you have mail" comes
    // before the put's answer, as on one Redis; elsewhere it would trail it across the cluster bus.
    sub = redis instanceof Cluster ? new Redis({ ...(await slotMaster(redis, taggedPrefix(prefix))), ...connection }) : new Redis(url, connection);
    sub.on('error', () => {});
    await sub.connect();
  } catch (cause) {
    redis.disconnect();
    sub?.disconnect();
    throw new ComradError('INTERNAL', 'cannot connect to Redis', { cause });
  }
  const risk = await persistenceRisk(redis);
  if (risk && !options.allowDataLoss) {
    redis.disconnect();
    sub.disconnect();
    throw new ComradError(
      'INTERNAL',
      `refusing a Redis that can lose acknowledged writes: ${risk}. Run redis-server with --appendonly yes --appendfsync always ` +
        '(see the README, "Storage"), or accept the loss explicitly (comrad-op --redis-allow-data-loss)',
    );
  }
  const store = new RedisStore(redis, sub, prefix);
  await store.subscribe();
  if (!options.cluster) await store.tagUntaggedKeys();
  return guardStore(store);
}

/**
 * A cluster client seeded with the node at `url` (its password and user, if any, go to every node).
 * Reads and writes go to the masters: a replica may lag behind an answered write.
 */
function clusterClient(url: string, connection: { lazyConnect: boolean; enableAutoPipelining: boolean; maxRetriesPerRequest: number }): Cluster {
  const u = new URL(url);
  const auth = { ...(u.username ? { username: decodeURIComponent(u.username) } : {}), ...(u.password ? { password: decodeURIComponent(u.password) } : {}) };
  return new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    lazyConnect: connection.lazyConnect,
    enableAutoPipelining: connection.enableAutoPipelining,
    redisOptions: { ...auth, maxRetriesPerRequest: connection.maxRetriesPerRequest },
  });
}

/** Host, port and credentials of the master that serves `tag`'s hash slot now. */
async function slotMaster(cluster: Cluster, tag: string): Promise<{ host: string; port: number; username?: string; password?: string }> {
  const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', tag));
  const nodeKey = cluster.slots[slot]?.[0];
  const node = nodeKey ? cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === nodeKey) : undefined;
  if (!node) throw new Error('no master serves the store\'s slot');
  const { host, port, username, password } = node.options;
  return { host: host!, port: port!, ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/** The masters of a cluster, or the one server. */
function masters(redis: Client): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

class RedisStore implements Store {
  readonly kind = 'redis' as const;
  private readonly listeners = new MailListeners();
  private readonly channel: string;

  /** STORE-5: `{prefix}`, what every key starts with. */
  private readonly prefix: string;

  constructor(
    private readonly redis: Client,
    private readonly sub: Redis,
    private readonly bare: string,
  ) {
    this.prefix = taggedPrefix(bare);
    // A channel is not a key (no slot): PUBLISH reaches every node of a cluster.
    this.channel = `${bare}mail`;
  }

  /**
   * STORE-5: a store written before its keys were tagged (`P kind…`, one Redis) gets them renamed to
   * `{P}kind…` at open, so its registrations, mail and posts stay. Each RENAME is atomic; two processes
   * opening at once rename each key once (the loser finds it gone). Only the kinds this store wrote then
   * are moved, never another store's keys that merely start with the same characters.
   */
  async tagUntaggedKeys(): Promise<void> {
    const old = this.bare;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${old}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const rest = key.slice(old.length);
        const ours = (UNTAGGED_SINGLE_KINDS as readonly string[]).includes(rest) || UNTAGGED_OWNED_KINDS.some((k) => rest.startsWith(k) && rest.length > k.length);
        if (ours) await this.redis.renamenx(key, this.prefix + rest).catch(() => undefined);
      }
    } while (cursor !== '0');
  }

  /** Subscribes before the store is handed out, so no mail stored after `openRedisStore` resolves is missed. */
  async subscribe(): Promise<void> {
    this.sub.on('message', (channel: string, to: string) => {
      if (channel === this.channel) this.listeners.emit(to);
    });
    await this.sub.subscribe(this.channel);
  }

  async putPairIfAbsent(name: string, publicKey: Uint8Array, registeredAt: number): Promise<RegisterResult> {
    const keys = [this.key('n:', name), this.key('k:', toHex(publicKey))];
    return (await this.eval(scripts.REGISTER, keys, [bytes(publicKey), String(registeredAt), name])) as RegisterResult;
  }

  async keyOf(name: string): Promise<Uint8Array | undefined> {
    const key = await this.redis.hgetBuffer(this.key('n:', name), 'k');
    return key ? new Uint8Array(key) : undefined;
  }

  async nameOf(publicKey: Uint8Array): Promise<string | undefined> {
    return (await this.redis.get(this.key('k:', toHex(publicKey)))) ?? undefined;
  }

  async appendMail(to: string, mail: NewMail, quota: MailQuota, spend?: TokenSpend): Promise<PutMailResult> {
    const { sealed, receivedAt, expiresAt } = mail;
    const record = bytes(encodeMail(receivedAt, expiresAt, sealed));
    const args = [
      Math.floor(receivedAt),
      mail.nonce,
      record,
      sealed.length,
      quota.maxItems,
      quota.maxBytes,
      String(expiresAt),
      to,
      this.channel,
      mail.key,
      quota.storageBytes ?? '',
      ...spendArgs(spend),
    ];
    const answer = (await this.eval(scripts.PUT_MAIL, [...this.mailboxKeys(to), ...this.spendKeys(spend)], args)) as string;
    return answer === 'quota' || answer === 'storage-full' || answer === 'spent' ? answer : stored(answer);
  }

  async listMail(to: string, now: number, limit: number): Promise<MailItem[]> {
    const md = this.key('md:', to);
    const out: MailItem[] = [];
    await this.page(this.key('mi:', to), '-', '+', limit, false, async (ids) => {
      const values = await this.redis.hmgetBuffer(md, ...ids);
      ids.forEach((id, i) => {
        const value = values[i];
        if (!value || out.length === limit) return; // acknowledged meanwhile
        const { receivedAt, expiresAt, sealed } = decodeMail(value);
        if (expiresAt > now) out.push({ id, sealed, receivedAt, expiresAt }); // MB-5
      });
      return out.length < limit;
    });
    return out;
  }

  async deleteMail(to: string, ids: readonly string[]): Promise<number> {
    let gone = 0;
    for (let i = 0; i < ids.length; i += ACK_BATCH) {
      gone += (await this.eval(scripts.ACK_MAIL, this.mailboxKeys(to), [to, ...ids.slice(i, i + ACK_BATCH)])) as number;
    }
    return gone;
  }

  async appendPost(post: NewPost, quota?: PostQuota): Promise<PutPostResult> {
    const keys = [this.key('pi'), this.key('pd'), this.key('pa:', post.author), this.key('px'), this.key('pl'), this.key('ph'), this.key('sb')];
    const args = [
      Math.floor(post.postedAt),
      post.nonce,
      bytes(encodePost(post)),
      String(post.postedAt),
      String(post.expiresAt),
      post.key,
      quota ? quota.maxPosts : '',
      quota ? String(quota.since) : '',
      quota?.storageBytes ?? '',
      post.sealed.length,
    ];
    const answer = (await this.eval(scripts.PUT_POST, keys, args)) as string;
    return answer === 'rate-limited' || answer === 'storage-full' ? answer : stored(answer);
  }

  async listPosts(now: number, limit: number, before?: string): Promise<StoredPost[]> {
    const out: StoredPost[] = [];
    await this.page(this.key('pi'), before === undefined ? '+' : `(${before}`, '-', limit, true, async (ids) => {
      const values = await this.redis.hmgetBuffer(this.key('pd'), ...ids);
      ids.forEach((id, i) => {
        const value = values[i];
        if (!value || out.length === limit) return; // deleted meanwhile
        const post = decodePost(id, value);
        if (post.expiresAt > now) out.push(post); // FEED-4
      });
      return out.length < limit;
    });
    return out;
  }

  async getPost(id: string, now: number): Promise<StoredPost | undefined> {
    const value = await this.redis.hgetBuffer(this.key('pd'), id);
    const post = value ? decodePost(id, value) : undefined;
    return post && post.expiresAt > now ? post : undefined;
  }

  async deletePostIfAuthor(id: string, author: string): Promise<boolean> {
    const keys = [this.key('pi'), this.key('pd'), this.key('px'), this.key('pa:', author), this.key('ph'), this.key('sb')];
    return (await this.eval(scripts.DELETE_POST, keys, [id, author, this.prefix])) === 1;
  }

  async countPostsSince(author: string, since: number): Promise<number> {
    return this.redis.zcount(this.key('pa:', author), String(since), '+inf');
  }

  async appendEntry(log: string, position: number, entry: Uint8Array, quota: LogQuota): Promise<AppendEntryResult> {
    const args = [String(position), bytes(entry), quota.maxEntries, quota.storageBytes ?? ''];
    return (await this.eval(scripts.APPEND_ENTRY, [this.key('cl:', log), this.key('sb')], args)) as AppendEntryResult;
  }

  async readEntries(log: string, position: number, limit: number): Promise<LogPage> {
    const key = this.key('cl:', log);
    // Entries are never deleted and the length is read first, so every position below it is there.
    const length = await this.redis.hlen(key);
    const end = Math.min(length, position + limit);
    if (position >= end) return { entries: [], length };
    const fields = Array.from({ length: end - position }, (_, i) => String(position + i));
    const values = await this.redis.hmgetBuffer(key, ...fields);
    return { entries: values.map((v) => new Uint8Array(v!)), length };
  }

  async putProfileIfNewer(name: string, profile: StoredProfile, now: number, storageBytes?: number): Promise<PutProfileResult> {
    const args = [bytes(profile.sealed), String(profile.at), String(profile.expiresAt), String(now), storageBytes ?? '', String(profile.receivedAt), name];
    return (await this.eval(scripts.PUT_PROFILE, [this.key('pf:', name), this.key('pfx'), this.key('sb')], args)) as PutProfileResult;
  }

  async getProfile(name: string, now: number): Promise<StoredProfile | undefined> {
    const [sealed, at, receivedAt, expiresAt] = await this.redis.hmgetBuffer(this.key('pf:', name), 's', 'a', 'r', 'x');
    if (!sealed || !at || !receivedAt || !expiresAt) return undefined;
    const p = { sealed: new Uint8Array(sealed), at: Number(at.toString()), receivedAt: Number(receivedAt.toString()), expiresAt: Number(expiresAt.toString()) };
    return p.expiresAt > now ? p : undefined;
  }

  async expireProfiles(now: number): Promise<number> {
    return this.sweep(scripts.EXPIRE_PROFILES, [this.key('pfx'), this.key('sb')], now);
  }

  async appendChanPost(chan: string, post: NewChanPost, quota: ChanQuota, spend?: TokenSpend): Promise<PutChanPostResult> {
    const keys = [this.key('ci:', chan), this.key('cd:', chan), this.key('ct:', chan), this.key('cx'), this.key('ch:', chan), this.key('sb'), ...this.spendKeys(spend)];
    const args = [
      Math.floor(post.postedAt),
      post.nonce,
      bytes(encodeMail(post.postedAt, post.expiresAt, post.sealed)),
      String(post.postedAt),
      String(post.expiresAt),
      post.key,
      quota.maxPosts,
      quota.maxRecent,
      String(quota.since),
      quota.storageBytes ?? '',
      post.sealed.length,
      chan,
      ...spendArgs(spend),
    ];
    const answer = (await this.eval(scripts.PUT_CHAN_POST, keys, args)) as string;
    return answer === 'full' || answer === 'rate-limited' || answer === 'storage-full' || answer === 'spent' ? answer : stored(answer);
  }

  async listChanPosts(chan: string, now: number, limit: number, before?: string): Promise<StoredChanPost[]> {
    const cd = this.key('cd:', chan);
    const out: StoredChanPost[] = [];
    await this.page(this.key('ci:', chan), before === undefined ? '+' : `(${before}`, '-', limit, true, async (ids) => {
      const values = await this.redis.hmgetBuffer(cd, ...ids);
      ids.forEach((id, i) => {
        const value = values[i];
        if (!value || out.length === limit) return; // expired and swept meanwhile
        const { receivedAt, expiresAt, sealed } = decodeMail(value);
        if (expiresAt > now) out.push({ id, sealed, postedAt: receivedAt, expiresAt }); // CHAN-7
      });
      return out.length < limit;
    });
    return out;
  }

  async getChanPost(chan: string, id: string, now: number): Promise<StoredChanPost | undefined> {
    const value = await this.redis.hgetBuffer(this.key('cd:', chan), id);
    if (!value) return undefined;
    const { receivedAt, expiresAt, sealed } = decodeMail(value);
    return expiresAt > now ? { id, sealed, postedAt: receivedAt, expiresAt } : undefined;
  }

  async expireChanPosts(now: number): Promise<number> {
    return this.sweep(scripts.EXPIRE_CHAN_POSTS, [this.key('cx'), this.key('sb')], now);
  }

  async putPin(pin: StoredPin, maxPins: number, spend?: TokenSpend): Promise<PutPinResult> {
    const args = [pin.id, pin.cell, pin.kind, pin.note, String(pin.createdAt), String(pin.expiresAt), maxPins, ...spendArgs(spend)];
    return (await this.eval(scripts.PUT_PIN, [this.key('pn:', pin.id), this.key('pnc'), this.key('pnx'), ...this.spendKeys(spend)], args)) as PutPinResult;
  }

  async getPin(id: string): Promise<StoredPin | undefined> {
    return pinFromHash(id, await this.redis.hgetall(this.key('pn:', id)));
  }

  async listPins(prefixes: readonly string[], now: number, limit: number): Promise<StoredPin[]> {
    const found = new Map<string, StoredPin>();
    // Each prefix is read in cell order for at most `limit` live pins (as in LMDB).
    for (const prefix of prefixes) {
      let taken = 0;
      await this.page(this.key('pnc'), `[${prefix}`, `(${prefix}~`, limit, false, async (members) => {
        const pipeline = this.redis.pipeline();
        const ids = members.map((m) => m.slice(PIN_CELL_CHARS));
        for (const id of ids) pipeline.hgetall(this.key('pn:', id));
        const replies = (await pipeline.exec()) ?? [];
        ids.forEach((id, i) => {
          const pin = pinFromHash(id, replies[i]?.[1] as Record<string, string> | undefined);
          // Absent: expired and swept meanwhile.
          if (!pin || pin.expiresAt <= now || taken === limit) return;
          taken++;
          found.set(id, pin);
        });
        return taken < limit;
      });
    }
    return [...found.values()].sort((a, b) => (a.cell + a.id < b.cell + b.id ? -1 : 1)).slice(0, limit);
  }

  async votePin(id: string, nullifier: string, vote: 'confirm' | 'deny', now: number, rule: PinVoteRule, spend?: TokenSpend): Promise<VotePinResult> {
    const args = [String(now), nullifier, vote, String(rule.confirmMs), String(rule.denyMs), String(rule.maxLifeMs), id, ...spendArgs(spend)];
    const answer = (await this.eval(scripts.VOTE_PIN, [this.key('pn:', id), this.key('pnv:', id), this.key('pnx'), ...this.spendKeys(spend)], args)) as string | [string, number, number];
    if (typeof answer === 'string') return answer as VotePinResult;
    return { expiresAt: Number(answer[0]), confirms: Number(answer[1]), denies: Number(answer[2]) };
  }

  async expirePins(now: number): Promise<number> {
    return this.sweep(scripts.EXPIRE_PINS, [this.key('pnx'), this.key('pnc')], now);
  }

  async storedBytes(): Promise<number> {
    return Math.max(0, Number((await this.redis.get(this.key('sb'))) ?? 0));
  }

  async worldKey(epoch: number, create: () => Uint8Array): Promise<Uint8Array> {
    const w = this.key('w');
    const existing = await this.redis.hgetBuffer(w, String(epoch));
    if (existing) return new Uint8Array(existing);
    const fresh = create();
    // HSETNX decides between processes racing to create the same epoch's key: the first one wins.
    if ((await this.redis.hsetnx(w, String(epoch), bytes(fresh))) === 1) return fresh.slice();
    return new Uint8Array((await this.redis.hgetBuffer(w, String(epoch)))!);
  }

  async expire(now: number, keepEpochsFrom?: number): Promise<{ mail: number; posts: number }> {
    const mail = await this.sweep(scripts.EXPIRE_MAIL, [this.key('mx'), this.key('sb')], now);
    const posts = await this.sweep(scripts.EXPIRE_POSTS, [this.key('px'), this.key('pi'), this.key('pd'), this.key('ph'), this.key('sb')], now);
    if (keepEpochsFrom !== undefined) {
      const old = (await this.redis.hkeys(this.key('w'))).filter((epoch) => Number(epoch) < keepEpochsFrom);
      if (old.length > 0) await this.redis.hdel(this.key('w'), ...old);
    }
    return { mail, posts };
  }

  issuerKey(period: number, create: () => Promise<Uint8Array>): Promise<Uint8Array>;
  issuerKey(period: number): Promise<Uint8Array | undefined>;
  async issuerKey(period: number, create?: () => Promise<Uint8Array>): Promise<Uint8Array | undefined> {
    const tk = this.key('tk');
    const existing = await this.redis.hgetBuffer(tk, String(period));
    if (existing) return new Uint8Array(existing);
    if (!create) return undefined;
    const fresh = await create();
    // HSETNX decides between processes racing to create the same period's key: the first one wins.
    if ((await this.redis.hsetnx(tk, String(period), bytes(fresh))) === 1) {
      await this.redis.zadd(this.key('tp'), period, String(period));
      return fresh.slice();
    }
    return new Uint8Array((await this.redis.hgetBuffer(tk, String(period)))!);
  }

  async takeTokens(period: number, name: string, want: number, max: number): Promise<TokensTaken> {
    const [granted, left] = (await this.eval(scripts.TAKE_TOKENS, [this.key('tu:', String(period)), this.key('tp')], [name, want, max, period])) as [number, number];
    return { granted, left };
  }

  async spendToken(period: number, nullifier: string, action: string): Promise<SpendResult> {
    return (await this.eval(scripts.SPEND_TOKEN, [this.key('ts:', String(period)), this.key('tp')], [nullifier, action, period])) as SpendResult;
  }

  async castVote(vote: NewVote, spend: TokenSpend): Promise<CastVoteResult> {
    const target = voteTarget(vote.post, vote.chan);
    const keys = [this.key('v:', target), this.key('vx'), this.key('ts:', String(spend.period)), this.key('tp')];
    const args = [vote.voter, String(vote.choice), String(vote.expiresAt), spend.nullifier, spend.action, spend.period, target];
    const answer = (await this.eval(scripts.CAST_VOTE, keys, args)) as 'spent' | 'same' | [string, number, number];
    if (typeof answer === 'string') return answer;
    const [outcome, up, down] = answer;
    return outcome === 'held' ? { up, down, held: true } : { up, down };
  }

  async tallies(posts: readonly string[], chan?: string): Promise<VoteTally[]> {
    return Promise.all(
      posts.map(async (p) => {
        const [up, down] = await this.redis.hmget(this.key('v:', voteTarget(p, chan)), '#up', '#down');
        return { up: Number(up ?? 0), down: Number(down ?? 0) };
      }),
    );
  }

  async expireVotes(now: number): Promise<number> {
    return this.sweep(scripts.EXPIRE_VOTES, [this.key('vx')], now);
  }

  async expireTokens(keepPeriodsFrom: number): Promise<number> {
    const old = await this.redis.zrangebyscore(this.key('tp'), '-inf', `(${keepPeriodsFrom}`);
    let gone = 0;
    for (const period of old) {
      gone += await this.redis.hlen(this.key('ts:', period));
      await this.redis.del(this.key('ts:', period), this.key('tu:', period));
      await this.redis.hdel(this.key('tk'), period);
      await this.redis.zrem(this.key('tp'), period);
    }
    return gone;
  }

  onMail(listener: (to: string) => void): () => void {
    return this.listeners.add(listener);
  }

  async dump(): Promise<Array<[key: string, value: Uint8Array | string]>> {
    const out: Array<[string, Uint8Array | string]> = [];
    let cursor = '0';
    // On a cluster the store's keys are on the master of its slot; SCAN walks one node, so ask each.
    for (const node of masters(this.redis)) {
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${this.prefix.replace(/[[\]*?\\]/g, '\\$&')}*`, 'COUNT', 200);
        cursor = next;
        for (const key of keys) await this.dumpKey(key, key.slice(this.prefix.length), out);
      } while (cursor !== '0');
    }
    return out;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.all([this.sub.quit(), this.redis.quit()]);
  }

  /** Keys are relative to the prefix in dumps: the prefix is configuration, not data. */
  private async dumpKey(key: string, name: string, out: Array<[string, Uint8Array | string]>): Promise<void> {
    const type = await this.redis.type(key);
    if (type === 'string') {
      const value = await this.redis.getBuffer(key);
      if (value) out.push([name, new Uint8Array(value)]);
    } else if (type === 'hash') {
      for (const [field, value] of Object.entries(await this.redis.hgetallBuffer(key))) out.push([`${name}#${field}`, new Uint8Array(value)]);
    } else if (type === 'zset') {
      const flat = await this.redis.zrange(key, 0, -1, 'WITHSCORES');
      for (let i = 0; i < flat.length; i += 2) out.push([`${name}#${flat[i]}`, flat[i + 1]!]);
    } else if (type === 'set') {
      for (const member of await this.redis.smembers(key)) out.push([`${name}#${member}`, '']);
    } else if (type !== 'none') {
      out.push([name, `(${type})`]); // this store writes no other type; show it rather than hide it
    }
  }

  private key(kind: string, name = ''): string {
    return this.prefix + kind + name;
  }

  /** KEYS of a paid put's burn (TOK-8): the period's burned nonces and the periods index; any period's when unpaid (never touched). */
  private spendKeys(spend: TokenSpend | undefined): string[] {
    return [this.key('ts:', String(spend?.period ?? 0)), this.key('tp')];
  }

  /** KEYS of the mailbox scripts: order index, records, byte counter, shared expiry index, content index, store's bytes. */
  private mailboxKeys(to: string): string[] {
    return [this.key('mi:', to), this.key('md:', to), this.key('mb:', to), this.key('mx'), this.key('mh:', to), this.key('sb')];
  }

  /**
   * Walks the id zset `index` by id from `from` towards `to` (BYLEX, reversed when `reverse`), a page of ids
   * at a time, until `take` returns false or the ids run out.
   */
  private async page(index: string, from: string, to: string, limit: number, reverse: boolean, take: (ids: string[]) => Promise<boolean>): Promise<void> {
    const size = Math.min(Math.max(limit, 16), 500);
    for (let start = from; ; ) {
      const ids = (await this.redis.call('ZRANGE', index, start, to, 'BYLEX', ...(reverse ? ['REV'] : []), 'LIMIT', 0, size)) as string[];
      if (ids.length === 0 || !(await take(ids)) || ids.length < size) return;
      start = `(${ids[ids.length - 1]}`;
    }
  }

  /** Runs an expiry script until a batch finds nothing more that is due; returns how many items went. */
  private async sweep(script: LuaScript, keys: string[], now: number): Promise<number> {
    let gone = 0;
    for (;;) {
      const [seen, deleted] = (await this.eval(script, keys, [String(now), EXPIRY_BATCH, this.prefix])) as [number, number];
      gone += deleted;
      if (seen < EXPIRY_BATCH) return gone;
    }
  }

  /** EVALSHA, loading the script with EVAL when this Redis has not seen it yet (or was restarted). */
  private async eval(script: LuaScript, keys: string[], args: Array<string | number | Buffer>): Promise<unknown> {
    if (keys.length !== script.keys) throw new Error('script called with the wrong number of keys');
    try {
      return await this.redis.evalsha(sha1(script.lua), keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.redis.eval(script.lua, keys.length, ...keys, ...args);
    }
  }
}

/**
 * STORE-1: why this Redis can lose a write it has acknowledged, or undefined when it cannot. `everysec`
 * counts as a risk: Redis then answers before the fsync, so a power loss or kernel crash loses up to about
 * a second of answered writes (two when the disk stalls) — a registration included, whose name someone
 * else may then take. A kill of redis-server alone loses nothing with `everysec`; the Operator promises
 * more, as LMDB does: a write is answered once it is on disk.
 */
async function persistenceRisk(client: Client): Promise<string | undefined> {
  for (const node of masters(client)) {
    const risk = await nodeRisk(node);
    if (risk) return client instanceof Cluster ? `a master of the cluster: ${risk}` : risk;
  }
  return undefined;
}

async function nodeRisk(redis: Redis): Promise<string | undefined> {
  let appendonly: string | undefined;
  let appendfsync: string | undefined;
  try {
    appendonly = configValue(await redis.call('CONFIG', 'GET', 'appendonly'));
    appendfsync = configValue(await redis.call('CONFIG', 'GET', 'appendfsync'));
  } catch {
    // CONFIG renamed or disabled (rename-command, ACL): the persistence cannot be known, so it is not assumed.
    return 'its persistence settings cannot be read (CONFIG is disabled or renamed)';
  }
  if (appendonly !== 'yes') return `appendonly is ${appendonly ?? 'unknown'}, so a restart loses everything written since the last snapshot`;
  if (appendfsync === 'no') return 'appendfsync is no, so the kernel decides when writes reach the disk';
  if (appendfsync === 'everysec') return 'appendfsync is everysec, so a power loss drops up to a second of answered writes';
  if (appendfsync !== 'always') return `appendfsync is ${appendfsync ?? 'unknown'}`;
  return undefined;
}

/** A pin from its hash (`PUT_PIN`'s fields), or undefined when there is none. */
function pinFromHash(id: string, h: Record<string, string> | undefined): StoredPin | undefined {
  if (!h || h['x'] === undefined) return undefined;
  return { id, cell: h['c']!, kind: h['k']!, note: h['n'] ?? '', createdAt: Number(h['t']), expiresAt: Number(h['x']), confirms: Number(h['y']), denies: Number(h['d']) };
}

/** ARGV of a paid put's burn (TOK-8): nonce ('' when unpaid), action digest, period. */
function spendArgs(spend: TokenSpend | undefined): string[] {
  return spend ? [spend.nullifier, spend.action, String(spend.period)] : ['', '', '0'];
}

/** A put script's id answer: `=<id>` when the item was already held (MB-11, FEED-9). */
function stored(answer: string): Stored {
  return answer.startsWith('=') ? { id: answer.slice(1), held: true } : { id: answer };
}

/** The value of a one-parameter CONFIG GET reply ([name, value], RESP2). */
function configValue(reply: unknown): string | undefined {
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1].toLowerCase() : undefined;
}

const shas = new Map<string, string>();
function sha1(lua: string): string {
  let sha = shas.get(lua);
  if (!sha) shas.set(lua, (sha = createHash('sha1').update(lua).digest('hex')));
  return sha;
}

/** A Buffer view of `u8` (no copy), which ioredis sends as a binary-safe argument. */
function bytes(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}
