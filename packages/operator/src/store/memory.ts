/**
 * The in-memory store: for tests and as the benchmark baseline. One process, nothing on disk; every
 * method body runs without an `await` in between its check and its write, which is what makes each
 * conditional primitive (pair, key, bounds, author) atomic here.
 * @module
 */
import { bytesEqual, toHex } from '@comrad/core';
import { guardStore } from './_guard.js';
import { nextId } from '../policy/ids.js';
import { MailListeners } from './_listeners.js';
import type { CastVoteResult, NewVote, TokenSpend, VoteTally, SpendResult, TokensTaken, AppendEntryResult, ChanQuota, NewChanPost, PutChanPostResult, StoredChanPost, LogPage, LogQuota, MailItem, MailQuota, NewMail, NewPost, PostQuota, PutMailResult, PutPostResult, PutProfileResult, RegisterResult, Store, StoredPost, StoredProfile, StoredPin, PutPinResult, PinVoteRule, VotePinResult } from './types.js';
import { movePin, overBound, voteTarget } from './_records.js';

/**
 * Opens an empty in-memory store.
 * @returns a store whose contents vanish with the process
 * @example
 * ```ts
 * const store = openMemoryStore();
 * await store.putPairIfAbsent('alice', alicePublicKeyBytes, Date.now()); // 'ok'
 * ```
 */
export function openMemoryStore(): Store {
  return guardStore(new MemoryStore());
}

interface Mailbox {
  /** Insertion order is id order: each new id is greater than every id present (`nextId`). */
  readonly items: Map<string, MailItem>;
  bytes: number;
  /** Dedupe key → id of each letter held. */
  readonly digests: Map<string, string>;
  /** Id → dedupe key, to forget the key with its letter. */
  readonly keyOf: Map<string, string>;
  /** The last id minted here, ≥ every id present. */
  last: string | undefined;
}

interface Channel {
  /** Insertion order is id order: each new id is greater than every id present (`nextId`). */
  readonly posts: Map<string, StoredChanPost>;
  /** Dedupe key → id of each post held. */
  readonly digests: Map<string, string>;
  /** Id → dedupe key. */
  readonly keyOf: Map<string, string>;
  /** The last id minted here. */
  last: string | undefined;
}

class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private readonly names = new Map<string, { key: Uint8Array; at: number }>();
  private readonly keys = new Map<string, string>();
  private readonly boxes = new Map<string, Mailbox>();
  private readonly posts = new Map<string, StoredPost>();
  /** Post ids, ascending (appended in minting order, so always sorted). */
  private readonly postOrder: string[] = [];
  /** The last post id minted, ≥ every post id present, kept when its post is deleted (OP-5). */
  private lastPost: string | undefined;
  private readonly world = new Map<number, Uint8Array>();
  /** Dedupe key → id of each post held. */
  private readonly postDigests = new Map<string, string>();
  /** Post id → its dedupe key. */
  private readonly postKeys = new Map<string, string>();
  /** Collective logs: name → entries in log order (COL-19). */
  private readonly logs = new Map<string, Uint8Array[]>();
  /** Profiles: name → the latest one held (PROF-10). */
  private readonly profiles = new Map<string, StoredProfile>();
  /** Channels: id → its posts (CHAN-8). */
  private readonly channels = new Map<string, Channel>();
  /** Sealed bytes of the letters, posts, log entries, profiles and channel posts held. */
  /** Pins by id, and the nullifiers that voted on each (PIN-5, PIN-6). */
  private readonly pins = new Map<string, StoredPin>();
  private readonly pinVotes = new Map<string, Set<string>>();
  /** Sealed bytes of the letters, posts, log entries and profiles held. */
  private held = 0;
  /** TOK-4: sealed issuer keys by period. */
  private readonly issuers = new Map<number, Uint8Array>();
  /** TOK-9: tokens taken, by period, then name. */
  private readonly taken = new Map<number, Map<string, number>>();
  /** TOK-8: burned token nonces, by period, then nullifier → action. */
  private readonly spent = new Map<number, Map<string, string>>();
  /** VOTE-4: per post, its tally, expiry and each voter tag's choice. */
  private readonly votes = new Map<string, { up: number; down: number; expiresAt: number; voters: Map<string, 1 | -1> }>();
  private readonly listeners = new MailListeners();

  async putPairIfAbsent(name: string, publicKey: Uint8Array, registeredAt: number): Promise<RegisterResult> {
    const hex = toHex(publicKey);
    if (this.names.has(name)) return 'name-taken';
    if (this.keys.has(hex)) return 'key-taken';
    this.names.set(name, { key: publicKey.slice(), at: registeredAt });
    this.keys.set(hex, name);
    return 'ok';
  }

  async keyOf(name: string): Promise<Uint8Array | undefined> {
    return this.names.get(name)?.key.slice();
  }

  async nameOf(publicKey: Uint8Array): Promise<string | undefined> {
    return this.keys.get(toHex(publicKey));
  }

  async appendMail(to: string, mail: NewMail, quota: MailQuota, spend?: TokenSpend): Promise<PutMailResult> {
    const { sealed, receivedAt, expiresAt, key, nonce } = mail;
    if (this.burnedElsewhere(spend)) return 'spent';
    const box = this.boxes.get(to) ?? { items: new Map<string, MailItem>(), bytes: 0, digests: new Map<string, string>(), keyOf: new Map<string, string>(), last: undefined };
    const held = box.digests.get(key);
    if (held !== undefined) {
      // Already here; nothing new to announce. A token that pays for it is spent all the same (TOK-8).
      this.burn(spend);
      return { id: held, held: true };
    }
    if (box.items.size + 1 > quota.maxItems || box.bytes + sealed.length > quota.maxBytes) return 'quota';
    if (overBound(this.held, sealed.length, quota.storageBytes)) return 'storage-full';
    const id = (box.last = nextId(receivedAt, box.last, nonce));
    box.items.set(id, { id, sealed: sealed.slice(), receivedAt, expiresAt });
    box.digests.set(key, id);
    box.keyOf.set(id, key);
    box.bytes += sealed.length;
    this.held += sealed.length;
    this.boxes.set(to, box);
    this.burn(spend);
    this.listeners.emit(to);
    return { id };
  }

  async listMail(to: string, now: number, limit: number): Promise<MailItem[]> {
    const out: MailItem[] = [];
    for (const item of this.boxes.get(to)?.items.values() ?? []) {
      if (out.length === limit) break;
      if (item.expiresAt > now) out.push({ ...item, sealed: item.sealed.slice() });
    }
    return out;
  }

  async deleteMail(to: string, ids: readonly string[]): Promise<number> {
    const box = this.boxes.get(to);
    if (!box) return 0;
    let gone = 0;
    for (const id of ids) if (this.dropMail(to, box, id)) gone++;
    return gone;
  }

  async appendPost(post: NewPost, quota?: PostQuota): Promise<PutPostResult> {
    const { key, nonce, ...fields } = post;
    const held = this.postDigests.get(key);
    if (held !== undefined) return { id: held, held: true };
    if (quota && this.countSince(post.author, quota.since) + 1 > quota.maxPosts) return 'rate-limited';
    if (overBound(this.held, post.sealed.length, quota?.storageBytes)) return 'storage-full';
    // After the last id minted, not the greatest present: a deleted newest post's id may be a reader's cursor.
    const id = (this.lastPost = nextId(post.postedAt, this.lastPost, nonce));
    this.posts.set(id, { ...fields, id, sealed: post.sealed.slice() });
    this.postOrder.push(id);
    this.postDigests.set(key, id);
    this.postKeys.set(id, key);
    this.held += post.sealed.length;
    return { id };
  }

  async listPosts(now: number, limit: number, before?: string): Promise<StoredPost[]> {
    const out: StoredPost[] = [];
    const start = before === undefined ? this.postOrder.length : lowerBound(this.postOrder, before);
    for (let i = start - 1; i >= 0 && out.length < limit; i--) {
      const post = this.posts.get(this.postOrder[i]!)!;
      if (post.expiresAt > now) out.push({ ...post, sealed: post.sealed.slice() });
    }
    return out;
  }

  async getPost(id: string, now: number): Promise<StoredPost | undefined> {
    const post = this.posts.get(id);
    return post && post.expiresAt > now ? { ...post, sealed: post.sealed.slice() } : undefined;
  }

  async deletePostIfAuthor(id: string, author: string): Promise<boolean> {
    if (this.posts.get(id)?.author !== author) return false;
    this.dropPost(id);
    return true;
  }

  async countPostsSince(author: string, since: number): Promise<number> {
    return this.countSince(author, since);
  }

  async appendEntry(log: string, position: number, entry: Uint8Array, quota: LogQuota): Promise<AppendEntryResult> {
    const entries = this.logs.get(log) ?? [];
    if (position < entries.length && bytesEqual(entries[position]!, entry)) return 'ok'; // a retry: already there
    if (position !== entries.length) return 'stale';
    if (entries.length + 1 > quota.maxEntries) return 'full';
    if (overBound(this.held, entry.length, quota.storageBytes)) return 'storage-full';
    entries.push(entry.slice());
    this.logs.set(log, entries);
    this.held += entry.length;
    return 'ok';
  }

  async readEntries(log: string, position: number, limit: number): Promise<LogPage> {
    const entries = this.logs.get(log) ?? [];
    return { entries: entries.slice(position, position + limit).map((e) => e.slice()), length: entries.length };
  }

  async putProfileIfNewer(name: string, profile: StoredProfile, now: number, storageBytes?: number): Promise<PutProfileResult> {
    const current = this.profiles.get(name);
    const live = current && current.expiresAt > now ? current : undefined;
    if (live && bytesEqual(live.sealed, profile.sealed)) return 'held';
    if (live && live.at >= profile.at) return 'stale';
    // STORE-2: the profile replaced is freed in the same step, so a refresh of the same size always fits.
    const freed = current?.sealed.length ?? 0;
    if (overBound(this.held - freed, profile.sealed.length, storageBytes)) return 'storage-full';
    this.profiles.set(name, { ...profile, sealed: profile.sealed.slice() });
    this.held += profile.sealed.length - freed;
    return 'ok';
  }

  async getProfile(name: string, now: number): Promise<StoredProfile | undefined> {
    const p = this.profiles.get(name);
    return p && p.expiresAt > now ? { ...p, sealed: p.sealed.slice() } : undefined;
  }

  async expireProfiles(now: number): Promise<number> {
    let gone = 0;
    for (const [name, p] of [...this.profiles]) {
      if (p.expiresAt > now) continue;
      this.profiles.delete(name);
      this.held -= p.sealed.length;
      gone++;
    }
    return gone;
  }

  async appendChanPost(chan: string, post: NewChanPost, quota: ChanQuota, spend?: TokenSpend): Promise<PutChanPostResult> {
    const { key, nonce, ...fields } = post;
    if (this.burnedElsewhere(spend)) return 'spent';
    const channel = this.channels.get(chan) ?? { posts: new Map<string, StoredChanPost>(), digests: new Map<string, string>(), keyOf: new Map<string, string>(), last: undefined };
    const held = channel.digests.get(key);
    if (held !== undefined) {
      this.burn(spend);
      return { id: held, held: true };
    }
    if (channel.posts.size + 1 > quota.maxPosts) return 'full';
    let recent = 0;
    for (const p of channel.posts.values()) if (p.postedAt >= quota.since) recent++;
    if (recent + 1 > quota.maxRecent) return 'rate-limited';
    if (overBound(this.held, post.sealed.length, quota.storageBytes)) return 'storage-full';
    const id = (channel.last = nextId(post.postedAt, channel.last, nonce));
    channel.posts.set(id, { ...fields, id, sealed: post.sealed.slice() });
    channel.digests.set(key, id);
    channel.keyOf.set(id, key);
    this.channels.set(chan, channel);
    this.held += post.sealed.length;
    this.burn(spend);
    return { id };
  }

  async listChanPosts(chan: string, now: number, limit: number, before?: string): Promise<StoredChanPost[]> {
    const posts = [...(this.channels.get(chan)?.posts.values() ?? [])];
    const out: StoredChanPost[] = [];
    for (let i = posts.length - 1; i >= 0 && out.length < limit; i--) {
      const p = posts[i]!;
      if ((before === undefined || p.id < before) && p.expiresAt > now) out.push({ ...p, sealed: p.sealed.slice() });
    }
    return out;
  }

  async getChanPost(chan: string, id: string, now: number): Promise<StoredChanPost | undefined> {
    const post = this.channels.get(chan)?.posts.get(id);
    return post && post.expiresAt > now ? { ...post, sealed: post.sealed.slice() } : undefined;
  }

  async expireChanPosts(now: number): Promise<number> {
    let gone = 0;
    for (const [chan, channel] of this.channels) {
      for (const p of [...channel.posts.values()]) {
        if (p.expiresAt > now) continue;
        channel.posts.delete(p.id);
        const key = channel.keyOf.get(p.id)!;
        channel.keyOf.delete(p.id);
        if (channel.digests.get(key) === p.id) channel.digests.delete(key);
        this.held -= p.sealed.length;
        gone++;
      }
      // An emptied channel leaves no trace that it ever existed.
      if (channel.posts.size === 0) this.channels.delete(chan);
    }
    return gone;
  }

  async putPin(pin: StoredPin, maxPins: number, spend?: TokenSpend): Promise<PutPinResult> {
    if (this.burnedElsewhere(spend)) return 'spent';
    if (this.pins.has(pin.id)) {
      this.burn(spend);
      return 'held';
    }
    if (this.pins.size + 1 > maxPins) return 'full';
    this.pins.set(pin.id, { ...pin });
    this.pinVotes.set(pin.id, new Set());
    this.burn(spend);
    return 'ok';
  }

  async getPin(id: string): Promise<StoredPin | undefined> {
    const pin = this.pins.get(id);
    return pin && { ...pin };
  }

  async listPins(prefixes: readonly string[], now: number, limit: number): Promise<StoredPin[]> {
    const out = [...this.pins.values()].filter((p) => p.expiresAt > now && prefixes.some((x) => p.cell.startsWith(x)));
    return out.sort((a, b) => (a.cell + a.id < b.cell + b.id ? -1 : 1)).slice(0, limit).map((p) => ({ ...p }));
  }

  async votePin(id: string, nullifier: string, vote: 'confirm' | 'deny', now: number, rule: PinVoteRule, spend?: TokenSpend): Promise<VotePinResult> {
    if (this.burnedElsewhere(spend)) return 'spent';
    const pin = this.pins.get(id);
    if (!pin) return 'not-found';
    if (pin.expiresAt <= now) return 'expired';
    const voted = this.pinVotes.get(id)!;
    if (voted.has(nullifier)) return 'duplicate';
    voted.add(nullifier);
    const next = movePin(pin, vote, rule);
    this.pins.set(id, next);
    this.burn(spend);
    return { expiresAt: next.expiresAt, confirms: next.confirms, denies: next.denies };
  }

  async expirePins(now: number): Promise<number> {
    let gone = 0;
    for (const pin of [...this.pins.values()]) {
      if (pin.expiresAt > now) continue;
      this.pins.delete(pin.id);
      this.pinVotes.delete(pin.id);
      gone++;
    }
    return gone;
  }

  async storedBytes(): Promise<number> {
    return this.held;
  }

  async worldKey(epoch: number, create: () => Uint8Array): Promise<Uint8Array> {
    let value = this.world.get(epoch);
    if (!value) {
      value = create().slice();
      this.world.set(epoch, value);
    }
    return value.slice();
  }

  async expire(now: number, keepEpochsFrom?: number): Promise<{ mail: number; posts: number }> {
    let mail = 0;
    for (const [to, box] of this.boxes) {
      for (const item of [...box.items.values()]) if (item.expiresAt <= now && this.dropMail(to, box, item.id)) mail++;
    }
    let posts = 0;
    for (const post of [...this.posts.values()]) {
      if (post.expiresAt <= now) {
        this.dropPost(post.id);
        posts++;
      }
    }
    if (keepEpochsFrom !== undefined) for (const epoch of [...this.world.keys()]) if (epoch < keepEpochsFrom) this.world.delete(epoch);
    return { mail, posts };
  }

  issuerKey(period: number, create: () => Promise<Uint8Array>): Promise<Uint8Array>;
  issuerKey(period: number): Promise<Uint8Array | undefined>;
  async issuerKey(period: number, create?: () => Promise<Uint8Array>): Promise<Uint8Array | undefined> {
    const held = this.issuers.get(period);
    if (held) return held.slice();
    if (!create) return undefined;
    const fresh = (await create()).slice();
    // Another call may have created it while `create` ran: the first one stored wins.
    const raced = this.issuers.get(period);
    if (raced) return raced.slice();
    this.issuers.set(period, fresh);
    return fresh.slice();
  }

  async takeTokens(period: number, name: string, want: number, max: number): Promise<TokensTaken> {
    const byName = this.taken.get(period) ?? new Map<string, number>();
    const used = byName.get(name) ?? 0;
    const grant = Math.min(want, Math.max(0, max - used));
    if (grant > 0) {
      byName.set(name, used + grant);
      this.taken.set(period, byName);
    }
    return { granted: grant, left: Math.max(0, max - used - grant) };
  }

  async spendToken(period: number, nullifier: string, action: string): Promise<SpendResult> {
    const held = this.spent.get(period)?.get(nullifier);
    if (held !== undefined) return held === action ? 'held' : 'spent';
    this.burn({ period, nullifier, action });
    return 'ok';
  }

  /** TOK-8: true when `spend`'s nonce is burned for another action (the one check before a paid write). */
  private burnedElsewhere(spend: TokenSpend | undefined): boolean {
    const held = spend && this.spent.get(spend.period)?.get(spend.nullifier);
    return held !== undefined && held !== spend!.action;
  }

  /** TOK-8: burns `spend`'s nonce (again for a retry of the same action: no change). */
  private burn(spend: TokenSpend | undefined): void {
    if (!spend) return;
    const burned = this.spent.get(spend.period) ?? new Map<string, string>();
    burned.set(spend.nullifier, spend.action);
    this.spent.set(spend.period, burned);
  }

  async castVote(vote: NewVote, spend: TokenSpend): Promise<CastVoteResult> {
    const target = voteTarget(vote.post, vote.chan);
    const held = this.votes.get(target) ?? { up: 0, down: 0, expiresAt: vote.expiresAt, voters: new Map<string, 1 | -1>() };
    const burned = this.spent.get(spend.period)?.get(spend.nullifier);
    if (burned !== undefined) return burned === spend.action ? { up: held.up, down: held.down, held: true } : 'spent';
    const current = held.voters.get(vote.voter) ?? 0;
    if (current === vote.choice) return 'same';
    // No await between the checks above and the writes below: that is what makes this atomic here.
    this.burn(spend);
    if (current === 1) held.up--;
    if (current === -1) held.down--;
    if (vote.choice === 1) held.up++;
    if (vote.choice === -1) held.down++;
    if (vote.choice === 0) held.voters.delete(vote.voter);
    else held.voters.set(vote.voter, vote.choice);
    held.expiresAt = vote.expiresAt;
    if (held.voters.size === 0) this.votes.delete(target);
    else this.votes.set(target, held);
    return { up: held.up, down: held.down };
  }

  async tallies(posts: readonly string[], chan?: string): Promise<VoteTally[]> {
    return posts.map((p) => {
      const held = this.votes.get(voteTarget(p, chan));
      return { up: held?.up ?? 0, down: held?.down ?? 0 };
    });
  }

  async expireVotes(now: number): Promise<number> {
    let gone = 0;
    for (const [post, held] of [...this.votes]) {
      if (held.expiresAt > now) continue;
      this.votes.delete(post);
      gone++;
    }
    return gone;
  }

  async expireTokens(keepPeriodsFrom: number): Promise<number> {
    let gone = 0;
    for (const [period, burned] of [...this.spent]) {
      if (period >= keepPeriodsFrom) continue;
      gone += burned.size;
      this.spent.delete(period);
    }
    for (const period of [...this.taken.keys()]) if (period < keepPeriodsFrom) this.taken.delete(period);
    for (const period of [...this.issuers.keys()]) if (period < keepPeriodsFrom) this.issuers.delete(period);
    return gone;
  }

  onMail(listener: (to: string) => void): () => void {
    return this.listeners.add(listener);
  }

  async dump(): Promise<Array<[key: string, value: Uint8Array | string]>> {
    const out: Array<[string, Uint8Array | string]> = [];
    for (const [name, { key, at }] of this.names) out.push([`name/${name}/${at}`, key.slice()]);
    for (const [hex, name] of this.keys) out.push([`key/${hex}`, name]);
    for (const [to, box] of this.boxes) {
      for (const m of box.items.values()) out.push([`mail/${to}/${m.id}/${m.receivedAt}/${m.expiresAt}`, m.sealed.slice()]);
    }
    for (const p of this.posts.values()) out.push([`post/${p.id}/${p.author}/${p.epoch}/${p.postedAt}/${p.expiresAt}`, p.sealed.slice()]);
    if (this.lastPost !== undefined) out.push(['last/post', this.lastPost]);
    for (const [epoch, value] of this.world) out.push([`world/${epoch}`, value.slice()]);
    for (const [log, entries] of this.logs) entries.forEach((e, i) => out.push([`log/${log}/${i}`, e.slice()]));
    for (const [name, p] of this.profiles) out.push([`profile/${name}/${p.at}/${p.receivedAt}/${p.expiresAt}`, p.sealed.slice()]);
    for (const [chan, channel] of this.channels) {
      for (const p of channel.posts.values()) out.push([`chan/${chan}/${p.id}/${p.postedAt}/${p.expiresAt}`, p.sealed.slice()]);
    }
    for (const p of this.pins.values()) out.push([`pin/${p.id}/${p.cell}/${p.kind}/${p.createdAt}/${p.expiresAt}/${p.confirms}/${p.denies}`, p.note]);
    for (const [id, voted] of this.pinVotes) for (const n of voted) out.push([`pinvote/${id}/${n}`, '']);
    for (const [period, value] of this.issuers) out.push([`issuer/${period}`, value.slice()]);
    for (const [period, byName] of this.taken) for (const [name, n] of byName) out.push([`taken/${period}/${name}`, String(n)]);
    for (const [period, burned] of this.spent) for (const [nullifier, action] of burned) out.push([`spent/${period}/${nullifier}`, action]);
    for (const [post, held] of this.votes) {
      out.push([`tally/${post}/${held.expiresAt}`, `${held.up}/${held.down}`]);
      for (const [voter, choice] of held.voters) out.push([`vote/${post}/${voter}`, String(choice)]);
    }
    return out;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private dropMail(to: string, box: Mailbox, id: string): boolean {
    const item = box.items.get(id);
    if (!item) return false;
    box.items.delete(id);
    const key = box.keyOf.get(id)!;
    box.keyOf.delete(id);
    if (box.digests.get(key) === id) box.digests.delete(key);
    box.bytes -= item.sealed.length;
    this.held -= item.sealed.length;
    // An empty mailbox leaves no trace that `to` ever received mail.
    if (box.items.size === 0) this.boxes.delete(to);
    return true;
  }

  private countSince(author: string, since: number): number {
    let n = 0;
    for (const post of this.posts.values()) if (post.author === author && post.postedAt >= since) n++;
    return n;
  }

  private dropPost(id: string): void {
    const post = this.posts.get(id);
    if (!post) return;
    const key = this.postKeys.get(id)!;
    this.postKeys.delete(id);
    if (this.postDigests.get(key) === id) this.postDigests.delete(key);
    this.held -= post.sealed.length;
    this.posts.delete(id);
    const i = lowerBound(this.postOrder, id);
    if (this.postOrder[i] === id) this.postOrder.splice(i, 1);
  }
}

/** Index of the first element of the ascending `sorted` that is ≥ `key`. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
