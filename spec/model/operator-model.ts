/**
 * The executable model of the Operator (spec/05-operator.md and spec/06-storage.md: REG, MB, FEED, LIMIT;
 * the collective logs of spec/11-collectives.md, COL-22/COL-23; the profiles of spec/12-profiles.md,
 * PROF-10/PROF-11; the channels of spec/13-circles.md, CHAN-6..CHAN-9): a pure
 * state machine, `(state, command) → {state, answer}`, written from the spec text and nothing else. The
 * model-based tests (`spec/test/operator-model.test.ts`) run random command sequences against this model
 * and the real Operator (real WebSocket, every store) and require the same answers.
 *
 * Letters and posts are opaque byte strings here (hex), exactly as they are to the Operator. Ids are
 * store-assigned, so the model numbers items itself (`seq`, in arrival order, like ids, OP-5) and the
 * tests map each `seq` to the id the Operator gave it.
 *
 * Expiry is lazy, as MB-5 and FEED-4 say: an expired letter or post is never returned, but it stays in
 * the store — counting towards the mailbox quota (MB-4), acknowledgeable (MB-3), deletable by its author
 * (FEED-8) — until the sweep deletes it. Time passing ({@link advance}) and the sweep ({@link sweep}) are
 * therefore two steps.
 */

/** Limits the model enforces; the test starts the real Operator with the same values. */
export interface ModelLimits {
  readonly mailboxItems: number;
  readonly mailboxBytes: number;
  readonly mailTtlMs: number;
  readonly maxPostDays: number;
  readonly postsPerHour: number;
  readonly fetchItems: number;
  readonly feedItems: number;
  /** STORE-2: sealed bytes of everything held: letters, posts, log entries and profiles together. */
  readonly storageBytes: number;
  /** COL-22: the most entries one collective log holds. */
  readonly logEntries: number;
  /** COL-23: the most entries one `colRead` answers. */
  readonly logItems: number;
  /** CHAN-10: the most posts one channel holds (expired ones not yet swept count). */
  readonly chanPosts: number;
  /** CHAN-10: the most posts one channel takes in any hour (those still held count). */
  readonly chanPostsPerHour: number;
}

/** A profile held for a name (PROF-10). */
export interface ModelProfile {
  /** The sealed profile, hex. */
  readonly profile: string;
  /** The header's signed time (seconds). */
  readonly at: number;
  readonly expiresAt: number;
}

/** A letter held in a mailbox. */
export interface ModelMail {
  readonly seq: number;
  /** The sealed letter, hex. */
  readonly letter: string;
  /** Its length in bytes (MB-4 counts bytes). */
  readonly bytes: number;
  readonly receivedAt: number;
  readonly expiresAt: number;
}

/** A post held in the world feed. */
export interface ModelPost {
  readonly seq: number;
  readonly author: string;
  /** The sealed post, hex. */
  readonly post: string;
  readonly epoch: number;
  readonly postedAt: number;
  readonly expiresAt: number;
}

/** A post held in a channel (CHAN-9): its bytes and times, no author. */
export interface ModelChanPost {
  readonly seq: number;
  /** The sealed channel post, hex. */
  readonly post: string;
  readonly postedAt: number;
  readonly expiresAt: number;
  /** VOTE-9: each voter's choice (by the test's voter number; the Operator keys on a tag), gone with the post. */
  readonly votes?: ReadonlyMap<number, 1 | -1>;
}

/** The whole Operator state the protocol makes observable. */
export interface ModelState {
  readonly now: number;
  /** REG-1: name → public key (hex), permanent. */
  readonly registry: ReadonlyMap<string, string>;
  /** Held letters per recipient, oldest first, expired ones included until the sweep (MB-5). */
  readonly mailboxes: ReadonlyMap<string, readonly ModelMail[]>;
  /** Held posts, oldest first, expired ones included until the sweep (FEED-4). */
  readonly posts: readonly ModelPost[];
  /** The next item number; shared by letters and posts, so every `seq` names one item. */
  readonly nextSeq: number;
  /** COL-22: each collective log's entries (hex), in position order; never expire. */
  readonly logs: ReadonlyMap<string, readonly string[]>;
  /** PROF-10: the one profile held per name, expired ones included until the sweep. */
  readonly profiles: ReadonlyMap<string, ModelProfile>;
  /**
   * CHAN-7: each channel's posts (by channel id, hex), oldest first, expired ones included until the
   * sweep; a channel with no post held is absent (CHAN-8: never written and empty are one answer).
   */
  readonly channels: ReadonlyMap<string, readonly ModelChanPost[]>;
}

/** Codes the model can answer. */
export type ModelCode =
  | 'NAME_TAKEN'
  | 'KEY_TAKEN'
  | 'NOT_FOUND'
  | 'QUOTA_EXCEEDED'
  | 'STORAGE_FULL'
  | 'RATE_LIMITED'
  | 'MALFORMED'
  | 'EXPIRED'
  | 'FORBIDDEN'
  | 'BAD_SIGNATURE'
  | 'OUT_OF_ORDER'
  | 'DUPLICATE';

/** STORE-2: the bytes held — letters, posts, log entries, profiles, channel posts — expired ones included until the sweep. */
export function storedBytes(s: ModelState): number {
  let n = 0;
  for (const box of s.mailboxes.values()) for (const m of box) n += m.bytes;
  for (const p of s.posts) n += p.post.length / 2;
  for (const log of s.logs.values()) for (const e of log) n += e.length / 2;
  for (const p of s.profiles.values()) n += p.profile.length / 2;
  for (const chan of s.channels.values()) for (const p of chan) n += p.post.length / 2;
  return n;
}

/** A refusal: the error frame's code. */
export interface ModelRefusal {
  readonly ok: false;
  readonly code: ModelCode;
}

/** An answer: a result of type `T`, or a refusal. */
export type ModelAnswer<T = undefined> = { readonly ok: true; readonly value: T } | ModelRefusal;

/** One step: the state after it and the answer the Operator gives. */
export interface ModelStep<T = undefined> {
  readonly state: ModelState;
  readonly answer: ModelAnswer<T>;
}

/** A feed page (FEED-6): posts newest first, and the `seq` of the last one when more may follow. */
export interface ModelFeedPage {
  readonly posts: readonly ModelPost[];
  readonly next?: number;
}

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

const refuse = (code: ModelCode): ModelRefusal => ({ ok: false, code });
const ok = <T>(value: T): ModelAnswer<T> => ({ ok: true, value });
const unchanged = <T>(s: ModelState, code: ModelCode): ModelStep<T> => ({ state: s, answer: refuse(code) });

/** FEED-1: the world epoch of a time (one per UTC day). */
export function epochAt(ms: number): number {
  return Math.floor(ms / DAY);
}

/** The state of a fresh Operator at time `now`. */
export function initialState(now: number): ModelState {
  return { now, registry: new Map(), mailboxes: new Map(), posts: [], nextSeq: 0, logs: new Map(), profiles: new Map(), channels: new Map() };
}

/**
 * REG-1/REG-2/REG-5: a name and a key register once, forever; repeating one's own registration succeeds.
 * Order: a taken name (by another key) before a taken key.
 */
export function register(s: ModelState, name: string, keyHex: string): ModelStep {
  const existing = s.registry.get(name);
  if (existing !== undefined) return existing === keyHex ? { state: s, answer: ok(undefined) } : unchanged(s, 'NAME_TAKEN');
  for (const k of s.registry.values()) if (k === keyHex) return unchanged(s, 'KEY_TAKEN');
  return { state: { ...s, registry: new Map(s.registry).set(name, keyHex) }, answer: ok(undefined) };
}

/** REG-4: lookup by name answers the registered key; an unknown name is NOT_FOUND. */
export function lookup(s: ModelState, name: string): ModelAnswer<string> {
  const key = s.registry.get(name);
  return key === undefined ? refuse('NOT_FOUND') : ok(key);
}

/** REG-4: lookup by key answers the name registered with it; an unknown key is NOT_FOUND. */
export function lookupKey(s: ModelState, keyHex: string): ModelAnswer<string> {
  for (const [name, k] of s.registry) if (k === keyHex) return ok(name);
  return refuse('NOT_FOUND');
}

/** What `send` carries, and on which kind of connection. */
export interface ModelSend {
  readonly to: string;
  readonly letter: string;
  /** Requested time to live (ms); the Operator caps it at `mailTtlMs` (MB-5). */
  readonly ttl?: number;
  /** True when sent on a logged-in connection (MB-7). */
  readonly loggedIn?: boolean;
}

/**
 * MB-7, MB-8, MB-11, MB-4, STORE-2, MB-5: a letter travels on a connection that is not logged in, to a
 * registered recipient; the same bytes as a letter the mailbox holds (expired or not, until the sweep)
 * succeed and change nothing; otherwise it is stored unless the held letters leave no room in the mailbox,
 * or everything held leaves none in the store.
 */
export function send(s: ModelState, limits: ModelLimits, m: ModelSend): ModelStep {
  if (m.loggedIn) return unchanged(s, 'FORBIDDEN');
  if (!s.registry.has(m.to)) return unchanged(s, 'NOT_FOUND');
  const box = s.mailboxes.get(m.to) ?? [];
  if (box.some((x) => x.letter === m.letter)) return { state: s, answer: ok(undefined) };
  const bytes = m.letter.length / 2;
  const held = box.reduce((n, x) => n + x.bytes, 0);
  if (box.length + 1 > limits.mailboxItems || held + bytes > limits.mailboxBytes) return unchanged(s, 'QUOTA_EXCEEDED');
  if (storedBytes(s) + bytes > limits.storageBytes) return unchanged(s, 'STORAGE_FULL');
  const ttl = Math.min(m.ttl ?? limits.mailTtlMs, limits.mailTtlMs);
  const item: ModelMail = { seq: s.nextSeq, letter: m.letter, bytes, receivedAt: s.now, expiresAt: s.now + ttl };
  return { state: { ...s, mailboxes: new Map(s.mailboxes).set(m.to, [...box, item]), nextSeq: s.nextSeq + 1 }, answer: ok(undefined) };
}

/** MB-2/MB-5: up to `min(limit, fetchItems)` unexpired letters, oldest first; nothing is deleted. */
export function fetch(s: ModelState, limits: ModelLimits, who: string, limit?: number): ModelMail[] {
  return (s.mailboxes.get(who) ?? []).filter((m) => m.expiresAt > s.now).slice(0, Math.min(limit ?? limits.fetchItems, limits.fetchItems));
}

/**
 * MB-3: deletes exactly the named letters of the caller's own mailbox (expired ones too, until the
 * sweep has taken them) and answers how many went; unknown or foreign items are ignored.
 */
export function ack(s: ModelState, who: string, seqs: readonly number[]): ModelStep<number> {
  const box = s.mailboxes.get(who) ?? [];
  const gone = new Set(seqs);
  const kept = box.filter((m) => !gone.has(m.seq));
  const mailboxes = new Map(s.mailboxes);
  if (kept.length > 0) mailboxes.set(who, kept);
  else mailboxes.delete(who);
  return { state: { ...s, mailboxes }, answer: ok(box.length - kept.length) };
}

/**
 * FEED-2: the epoch key of `epoch` (default: the current one) is served for epochs from
 * `current − maxPostDays − 1` (older: EXPIRED) to `current + 1` (later: NOT_FOUND). Answers the epoch.
 */
export function worldKey(s: ModelState, limits: ModelLimits, epoch?: number): ModelAnswer<number> {
  const current = epochAt(s.now);
  const e = epoch ?? current;
  if (e < current - limits.maxPostDays - 1) return refuse('EXPIRED');
  if (e > current + 1) return refuse('NOT_FOUND');
  return ok(e);
}

/** What `post` carries. */
export interface ModelPostRequest {
  readonly author: string;
  readonly post: string;
  /** The epoch in the sealed post's header. */
  readonly epoch: number;
  readonly expiresInDays: number;
  /** FEED-4: a shorter life in ms (60 000 .. 366 days, the wire's bound), the smaller of the two wins. */
  readonly ttl?: number;
}

/** FEED-4, CHAN-7: `expiresInDays` whole days from `now`, or `ttl` ms when that is shorter. */
function lifeEnd(now: number, expiresInDays: number, ttl: number | undefined): number {
  return now + Math.min(expiresInDays * DAY, ttl ?? Infinity);
}

/**
 * FEED-3/FEED-4/FEED-5: a post lives 1..maxPostDays days, is sealed under the current or the previous
 * epoch, and its author posts at most `postsPerHour` in any hour (posts still held count; deleted ones
 * do not), within the store's budget (STORE-2). Answers the post's `seq` and `expiresAt`. Order of checks:
 * days, epoch, rate, budget.
 */
export function post(s: ModelState, limits: ModelLimits, p: ModelPostRequest): ModelStep<{ seq: number; expiresAt: number }> {
  if (!Number.isInteger(p.expiresInDays) || p.expiresInDays < 1 || p.expiresInDays > limits.maxPostDays) return unchanged(s, 'MALFORMED');
  const current = epochAt(s.now);
  if (p.epoch < current - 1) return unchanged(s, 'EXPIRED');
  if (p.epoch > current) return unchanged(s, 'MALFORMED');
  const recent = s.posts.filter((x) => x.author === p.author && x.postedAt >= s.now - HOUR).length;
  if (recent >= limits.postsPerHour) return unchanged(s, 'RATE_LIMITED');
  if (storedBytes(s) + p.post.length / 2 > limits.storageBytes) return unchanged(s, 'STORAGE_FULL');
  const item: ModelPost = { seq: s.nextSeq, author: p.author, post: p.post, epoch: p.epoch, postedAt: s.now, expiresAt: lifeEnd(s.now, p.expiresInDays, p.ttl) };
  return {
    state: { ...s, posts: [...s.posts, item], nextSeq: s.nextSeq + 1 },
    answer: ok({ seq: item.seq, expiresAt: item.expiresAt }),
  };
}

/**
 * FEED-6: up to `min(limit, feedItems)` unexpired posts, newest first, strictly older than post
 * `before` (a `seq`) when given; `next` is the last post's `seq` when more follow.
 */
export function feed(s: ModelState, limits: ModelLimits, limit?: number, before?: number): ModelFeedPage {
  const n = Math.min(limit ?? limits.feedItems, limits.feedItems);
  const all = s.posts.filter((p) => p.expiresAt > s.now && (before === undefined || p.seq < before)).sort((a, b) => b.seq - a.seq);
  const posts = all.slice(0, n);
  return all.length > posts.length && posts.length > 0 ? { posts, next: posts[posts.length - 1]!.seq } : { posts };
}

/** FEED-8: only the author deletes a held post; anyone else gets the same answer as for no post. */
export function deletePost(s: ModelState, who: string, seq: number): ModelStep {
  const p = s.posts.find((x) => x.seq === seq);
  if (!p || p.author !== who) return unchanged(s, 'NOT_FOUND');
  return { state: { ...s, posts: s.posts.filter((x) => x !== p) }, answer: ok(undefined) };
}

/** Time passes. Nothing is deleted yet: expired items are only hidden (MB-5, FEED-4). */
export function advance(s: ModelState, ms: number): ModelState {
  return { ...s, now: s.now + ms };
}

/** MB-5/FEED-4: the sweep deletes every held letter and post whose expiry has come, and says how many. */
export function sweep(s: ModelState): { state: ModelState; removed: { mail: number; posts: number } } {
  let mail = 0;
  const mailboxes = new Map<string, readonly ModelMail[]>();
  for (const [who, box] of s.mailboxes) {
    const live = box.filter((m) => m.expiresAt > s.now);
    mail += box.length - live.length;
    if (live.length > 0) mailboxes.set(who, live);
  }
  const posts = s.posts.filter((p) => p.expiresAt > s.now);
  // PROF-10, CHAN-7: expired profiles and channel posts go with the same sweep (the answer counts letters
  // and world posts only); a channel left with no post leaves no trace.
  const profiles = new Map([...s.profiles].filter(([, p]) => p.expiresAt > s.now));
  const channels = new Map<string, readonly ModelChanPost[]>();
  for (const [chan, held] of s.channels) {
    const live = held.filter((p) => p.expiresAt > s.now);
    if (live.length > 0) channels.set(chan, live);
  }
  return { state: { ...s, mailboxes, posts, profiles, channels }, removed: { mail, posts: s.posts.length - posts.length } };
}

/** What `colAppend` carries, as the model sees it. */
export interface ModelAppend {
  readonly col: string;
  readonly pos: number;
  /** The entry, hex. */
  readonly entry: string;
  /** The key (hex) whose private half signed the append, or undefined for a signature that verifies under none. */
  readonly signedBy: string | undefined;
  /** True when sent on a logged-in connection (COL-20). */
  readonly loggedIn?: boolean;
}

/**
 * COL-20, COL-22, COL-23: an append on a connection that is not logged in, to a registered name, signed
 * with that name's key; then compare-and-append: the very bytes already at `pos` succeed and store
 * nothing; any other position than the log's length is OUT_OF_ORDER; then the log's bound and the store's.
 */
export function colAppend(s: ModelState, limits: ModelLimits, a: ModelAppend): ModelStep {
  if (a.loggedIn) return unchanged(s, 'FORBIDDEN');
  const key = s.registry.get(a.col);
  if (key === undefined) return unchanged(s, 'NOT_FOUND');
  if (a.signedBy !== key) return unchanged(s, 'BAD_SIGNATURE');
  const log = s.logs.get(a.col) ?? [];
  if (a.pos < log.length && log[a.pos] === a.entry) return { state: s, answer: ok(undefined) };
  if (a.pos !== log.length) return unchanged(s, 'OUT_OF_ORDER');
  if (log.length + 1 > limits.logEntries) return unchanged(s, 'QUOTA_EXCEEDED');
  if (storedBytes(s) + a.entry.length / 2 > limits.storageBytes) return unchanged(s, 'STORAGE_FULL');
  return { state: { ...s, logs: new Map(s.logs).set(a.col, [...log, a.entry]) }, answer: ok(undefined) };
}

/** COL-23: up to `min(limit, logItems)` entries from `from` on, and the log's length (0 for a log never written). */
export function colRead(s: ModelState, limits: ModelLimits, col: string, from: number, limit?: number, loggedIn = false): ModelAnswer<{ entries: string[]; length: number }> {
  if (loggedIn) return refuse('FORBIDDEN');
  const log = s.logs.get(col) ?? [];
  return ok({ entries: log.slice(from, from + Math.min(limit ?? limits.logItems, limits.logItems)), length: log.length });
}

/** What `profileSet` carries: the sealed profile and the two header fields the Operator reads. */
export interface ModelProfileSet {
  readonly author: string;
  readonly profile: string;
  readonly epoch: number;
  /** The header's signed time, seconds. */
  readonly at: number;
}

/** PROF-10: days a profile is kept after it is received, as the reference Operator bounds it. */
const PROFILE_DAYS = 30;

/**
 * PROF-10: the epoch is the current one or the one before; the signed time within a day of the clock;
 * then the very bytes held answer as stored; a profile not newer than the one held is OUT_OF_ORDER; the
 * one held is replaced within the store's budget (its bytes freed in the same step). Answers `expiresAt`.
 */
export function profileSet(s: ModelState, limits: ModelLimits, p: ModelProfileSet): ModelStep<number> {
  const current = epochAt(s.now);
  if (p.epoch < current - 1) return unchanged(s, 'EXPIRED');
  if (p.epoch > current) return unchanged(s, 'MALFORMED');
  const seconds = Math.floor(s.now / 1000);
  if (p.at > seconds + 86_400) return unchanged(s, 'MALFORMED');
  if (p.at < seconds - 86_400) return unchanged(s, 'EXPIRED');
  const held = s.profiles.get(p.author);
  const live = held && held.expiresAt > s.now ? held : undefined;
  if (live && live.profile === p.profile) return { state: s, answer: ok(live.expiresAt) };
  if (live && live.at >= p.at) return unchanged(s, 'OUT_OF_ORDER');
  const freed = held ? held.profile.length / 2 : 0;
  if (storedBytes(s) - freed + p.profile.length / 2 > limits.storageBytes) return unchanged(s, 'STORAGE_FULL');
  const expiresAt = s.now + Math.min(PROFILE_DAYS, limits.maxPostDays) * DAY;
  return { state: { ...s, profiles: new Map(s.profiles).set(p.author, { profile: p.profile, at: p.at, expiresAt }) }, answer: ok(expiresAt) };
}

/** PROF-11: the unexpired profile held for `name`, or NOT_FOUND ("no such name" and "no profile" alike). */
export function profileGet(s: ModelState, name: string): ModelAnswer<ModelProfile> {
  const p = s.profiles.get(name);
  return p && p.expiresAt > s.now ? ok(p) : refuse('NOT_FOUND');
}

/** What `chanPost` carries, as the model sees it. */
export interface ModelChanPostRequest {
  /** The channel id (hex) the capability hashes to (CHAN-1): the test derives it, the model keys on it. */
  readonly chan: string;
  /** The sealed channel post, hex. */
  readonly post: string;
  readonly expiresInDays: number;
  /** CHAN-7 as FEED-4: a shorter life in ms, the smaller of the two wins. */
  readonly ttl?: number;
  /** True when sent on a logged-in connection (CHAN-6). */
  readonly loggedIn?: boolean;
}

/**
 * CHAN-6, CHAN-7: a channel post on a connection that is not logged in, living 1..maxPostDays days (or its
 * shorter `ttl`); the very bytes held in that channel (expired ones too, until the sweep) answer that
 * post's `seq` and `expiresAt` and store nothing; then the channel's bound (posts held, expired ones not
 * yet swept included), its hourly rate (posts held that arrived within the hour), and the store's budget.
 * The proof of work (CHAN-7 step 2) is the test's to supply; the model assumes it was sound.
 */
export function chanPost(s: ModelState, limits: ModelLimits, p: ModelChanPostRequest): ModelStep<{ seq: number; expiresAt: number }> {
  if (p.loggedIn) return unchanged(s, 'FORBIDDEN');
  if (!Number.isInteger(p.expiresInDays) || p.expiresInDays < 1 || p.expiresInDays > limits.maxPostDays) return unchanged(s, 'MALFORMED');
  const held = s.channels.get(p.chan) ?? [];
  const same = held.find((x) => x.post === p.post);
  if (same) return { state: s, answer: ok({ seq: same.seq, expiresAt: same.expiresAt }) };
  if (held.length + 1 > limits.chanPosts) return unchanged(s, 'QUOTA_EXCEEDED');
  if (held.filter((x) => x.postedAt >= s.now - HOUR).length + 1 > limits.chanPostsPerHour) return unchanged(s, 'RATE_LIMITED');
  if (storedBytes(s) + p.post.length / 2 > limits.storageBytes) return unchanged(s, 'STORAGE_FULL');
  const item: ModelChanPost = { seq: s.nextSeq, post: p.post, postedAt: s.now, expiresAt: lifeEnd(s.now, p.expiresInDays, p.ttl) };
  return {
    state: { ...s, channels: new Map(s.channels).set(p.chan, [...held, item]), nextSeq: s.nextSeq + 1 },
    answer: ok({ seq: item.seq, expiresAt: item.expiresAt }),
  };
}

/** A channel page (CHAN-8): posts newest first, and the `seq` of the last one when older ones remain. */
export interface ModelChanPage {
  readonly posts: readonly ModelChanPost[];
  readonly next?: number;
}

/**
 * CHAN-6, CHAN-8: on a connection that is not logged in, up to `min(limit, feedItems)` unexpired posts of
 * the channel `chan` (hex id), newest first, strictly older than its post `before` (a `seq`) when given;
 * `next` is the last post's `seq` when older ones remain. A channel never written answers no posts.
 */
export function chanFeed(s: ModelState, limits: ModelLimits, chan: string, limit?: number, before?: number, loggedIn = false): ModelAnswer<ModelChanPage> {
  if (loggedIn) return refuse('FORBIDDEN');
  const n = Math.min(limit ?? limits.feedItems, limits.feedItems);
  const all = (s.channels.get(chan) ?? []).filter((p) => p.expiresAt > s.now && (before === undefined || p.seq < before)).sort((a, b) => b.seq - a.seq);
  const posts = all.slice(0, n);
  return ok(all.length > posts.length && posts.length > 0 ? { posts, next: posts[posts.length - 1]!.seq } : { posts });
}

/** VOTE-10: a channel post's tally, as `chanFeed` and `chanVote` answer it. */
export function chanTally(p: ModelChanPost): { up: number; down: number } {
  const choices = [...(p.votes?.values() ?? [])];
  return { up: choices.filter((c) => c === 1).length, down: choices.filter((c) => c === -1).length };
}

/** What `chanVote` carries, as the model sees it (the token is the test's to supply, always fresh and sound). */
export interface ModelChanVoteRequest {
  /** The channel id (hex) the capability shown hashes to (CHAN-1). */
  readonly chan: string;
  /** The post voted on, or undefined for an id the Operator never gave. */
  readonly seq: number | undefined;
  /** Who votes: the test's number for a `voter` value (VOTE-8). */
  readonly voter: number;
  readonly choice: 1 | -1 | 0;
  /** True when sent on a logged-in connection (TOK-10). */
  readonly loggedIn?: boolean;
}

/**
 * VOTE-7, VOTE-9: a vote on a connection that is not logged in, on a live post of the channel whose
 * capability was shown (a post of another channel, or one whose time is up, is NOT_FOUND); the choice held
 * for this voter equal to the new one is DUPLICATE; otherwise the choice is replaced (`0` withdraws it) and
 * the answer is the post's tally.
 */
export function chanVote(s: ModelState, p: ModelChanVoteRequest): ModelStep<{ up: number; down: number }> {
  if (p.loggedIn) return unchanged(s, 'FORBIDDEN');
  const held = s.channels.get(p.chan) ?? [];
  const post = held.find((x) => x.seq === p.seq && x.expiresAt > s.now);
  if (!post) return unchanged(s, 'NOT_FOUND');
  if ((post.votes?.get(p.voter) ?? 0) === p.choice) return unchanged(s, 'DUPLICATE');
  const votes = new Map(post.votes);
  if (p.choice === 0) votes.delete(p.voter);
  else votes.set(p.voter, p.choice);
  const voted: ModelChanPost = { ...post, votes };
  return { state: { ...s, channels: new Map(s.channels).set(p.chan, held.map((x) => (x === post ? voted : x))) }, answer: ok(chanTally(voted)) };
}
