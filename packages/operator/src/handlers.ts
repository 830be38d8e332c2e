/**
 * What each op does (OP-*, REG-*, AUTH-*, MB-*, FEED-*). Pure request → result functions over the store;
 * the server around them does framing, limits per connection and pushes. Every refusal is a thrown
 * `ProtocolError` with a code from the closed list.
 * @module
 */
import { ProtocolError, PublicKey, type KeyPair, type SymmetricKey } from '@comrad/core';
import { OPERATOR_NAME, WORLD_NAME, checkRegistrableName, postEpoch } from '@comrad/core/envelope';
import {
  AUTH_MAX_SKEW_MS,
  PAGE_BYTES,
  checkAuthProof,
  checkPow,
  checkRegisterProof,
  epochOf,
  registerPowInput,
  sendPowInput,
  signLookup,
  type InfoResult,
  type Op,
  type Result,
  type WireRequest,
} from '@comrad/core/wire';
import type { ServerLimits } from './limits.js';
import type { Store } from './store/types.js';
import type { WorldKeys } from './world-keys.js';

/** The Operator's own keys. */
export interface OperatorKeys {
  /** Signs registry statements; clients pin its public half (REG-4, AUTH-2). */
  readonly operator: KeyPair;
  /** The world account `@comrades`: seals epoch keys to readers (FEED-2). */
  readonly world: KeyPair;
  /** Seals world epoch keys at rest (FEED-2); never leaves the Operator. */
  readonly atRestKey: SymmetricKey;
}

/** A time source; tests inject one to move time. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** What one connection has established. */
export interface Session {
  /** The `hello` challenge, until the first `auth` consumes it (AUTH-3). */
  challenge: Uint8Array | undefined;
  /** POW-1: a copy of the `hello` challenge for proof of work, until the first proof spends it (POW-2). */
  powChallenge: Uint8Array | undefined;
  /** When the greeting was sent (the Operator's clock, ms): a proof of work is accepted until `powMaxAgeMs` later. */
  greetedAt: number;
  /** The comrade this connection acts as, after a successful `auth`. */
  name: string | undefined;
  /** That comrade's registered key. */
  key: PublicKey | undefined;
}

/** Everything the handlers need, shared by every connection of one Operator process. */
export interface HandlerContext {
  readonly store: Store;
  readonly keys: OperatorKeys;
  readonly limits: ServerLimits;
  readonly clock: Clock;
  readonly worldKeys: WorldKeys;
  readonly info: InfoResult;
  /** A key no one holds, verified against when a name is unknown so that failure takes the usual time (AUTH-5). */
  readonly decoyKey: PublicKey;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** STORE-2: the store's budget is spent; nothing was stored. */
const storageFull = () => new ProtocolError('STORAGE_FULL', 'the Operator has no room for more letters or posts');

/** AUTH-5: the one answer to every failed handshake. */
const authFailed = () => new ProtocolError('AUTH_FAILED', 'authentication failed');

/**
 * Runs one decoded request for `session`.
 * @param pageItems - LIMIT-6: at most this many items for `fetch` and `feed` (the memory the server set aside)
 * @returns the op's result
 * @throws ProtocolError with the op's refusal code
 */
export async function handle(ctx: HandlerContext, session: Session, req: WireRequest, pageItems = Infinity): Promise<Result<Op>> {
  switch (req.op) {
    case 'info':
      return ctx.info;
    case 'register':
      return register(ctx, session, req.params);
    case 'lookup':
      return lookup(ctx, req.params);
    case 'auth':
      return auth(ctx, session, req.params);
    case 'send':
      return send(ctx, session, req.params);
    case 'fetch': {
      const items = await ctx.store.listMail(session.name!, ctx.clock.now(), Math.min(req.params.limit ?? ctx.limits.fetchItems, ctx.limits.fetchItems, pageItems));
      return { items: fitPage(items, (i) => i.sealed.length).map((i) => ({ id: i.id, letter: i.sealed, receivedAt: i.receivedAt })) };
    }
    case 'ack':
      if (req.params.ids.length > ctx.limits.ackIds) throw new ProtocolError('TOO_LARGE', `at most ${ctx.limits.ackIds} ids per ack`);
      return { deleted: await ctx.store.ackMail(session.name!, req.params.ids) };
    case 'worldKey':
      return worldKey(ctx, session, req.params.epoch);
    case 'post':
      return post(ctx, session, req.params);
    case 'feed':
      return feed(ctx, req.params, pageItems);
    case 'delete':
      // FEED-8: "not yours" and "no such post" are one answer.
      if (!(await ctx.store.deletePost(req.params.postId, session.name!))) throw new ProtocolError('NOT_FOUND', 'no such post');
      return {};
  }
}

type ParamsOf<O extends Op> = Extract<WireRequest, { op: O }>['params'];

/** The Operator's own accounts answer lookups from its keys, never from the store (REG-7). */
function ownAccounts(ctx: HandlerContext): ReadonlyArray<readonly [string, PublicKey]> {
  return [
    [OPERATOR_NAME, ctx.keys.operator.publicKey],
    [WORLD_NAME, ctx.keys.world.publicKey],
  ];
}

async function register(ctx: HandlerContext, s: Session, p: ParamsOf<'register'>): Promise<Result<'register'>> {
  // Cheapest checks first, so that refusing costs less than asking (REG-6 before REG-3).
  checkRegistrableName(p.name);
  spendPow(ctx, s, ctx.limits.registerPowBits, p.pow, (challenge, nonce) => registerPowInput(challenge, p.name, p.key, nonce), 'registration');
  if (ownAccounts(ctx).some(([, key]) => key.equals(p.key))) throw new ProtocolError('KEY_TAKEN', 'this key is registered');
  checkRegisterProof(p.proof, p.name, p.key, ctx.keys.operator.publicKey);
  const now = ctx.clock.now();
  const outcome = await ctx.store.register(p.name, p.key.bytes(), now);
  if (outcome === 'key-taken') throw new ProtocolError('KEY_TAKEN', 'this key is registered');
  if (outcome === 'name-taken') {
    // REG-5: repeating one's own registration (a lost answer) succeeds; anyone else's name is taken.
    const existing = await ctx.store.keyOf(p.name);
    if (!existing || !PublicKey.from(existing).equals(p.key)) throw new ProtocolError('NAME_TAKEN', 'this name is taken');
  }
  return { statement: signLookup(ctx.keys.operator.privateKey, p.name, p.key, now) };
}

/**
 * REG-6, MB-9: checks a request's proof of work against this connection's challenge, and spends the
 * challenge (POW-2): the first proof-carrying request on a connection uses it up whatever its outcome,
 * so one proof pays for one request, and more work needs a new connection (and a new challenge).
 */
function spendPow(ctx: HandlerContext, s: Session, bits: number, pow: Uint8Array | undefined, input: (challenge: Uint8Array, nonce: Uint8Array) => Uint8Array, what: string): void {
  if (bits <= 0) return;
  const required = () => new ProtocolError('POW_REQUIRED', `${what} needs ${bits} bits of proof of work over this connection's challenge`);
  if (!pow) throw required();
  const challenge = s.powChallenge;
  s.powChallenge = undefined;
  if (!challenge) throw new ProtocolError('POW_REQUIRED', "this connection's proof-of-work challenge is spent: open a new connection");
  if (ctx.clock.now() - s.greetedAt > ctx.limits.powMaxAgeMs) throw new ProtocolError('POW_REQUIRED', "this connection's proof-of-work challenge is too old: open a new connection");
  if (!checkPow(input(challenge, pow), bits)) throw required();
}

async function lookup(ctx: HandlerContext, p: ParamsOf<'lookup'>): Promise<Result<'lookup'>> {
  const now = ctx.clock.now();
  const sign = (name: string, key: PublicKey) => ({ statement: signLookup(ctx.keys.operator.privateKey, name, key, now) });
  const own = ownAccounts(ctx).find(([name, key]) => (p.name !== undefined ? name === p.name : key.equals(p.key)));
  if (own) return sign(own[0], own[1]);
  if (p.name !== undefined) {
    const key = await ctx.store.keyOf(p.name);
    if (key) return sign(p.name, PublicKey.from(key));
  } else {
    const name = await ctx.store.nameOf(p.key.bytes());
    if (name) return sign(name, p.key);
  }
  // REG-4: negative answers are not signed (see spec/05-operator.md for why).
  throw new ProtocolError('NOT_FOUND', 'not registered');
}

async function auth(ctx: HandlerContext, s: Session, p: ParamsOf<'auth'>): Promise<Result<'auth'>> {
  // AUTH-3: the challenge is spent by the first attempt, whatever its outcome.
  const challenge = s.challenge;
  s.challenge = undefined;
  const stored = await ctx.store.keyOf(p.name);
  const key = stored ? PublicKey.from(stored) : ctx.decoyKey;
  // AUTH-5: verify even when the attempt is already lost, so every failure costs the same.
  const good = checkAuthProof(p.sig, key, { challenge: challenge ?? new Uint8Array(32), operatorKey: ctx.keys.operator.publicKey, name: p.name, at: p.at });
  const fresh = Math.abs(p.at - ctx.clock.now()) <= AUTH_MAX_SKEW_MS;
  if (!good || !fresh || !stored || !challenge || s.name !== undefined) throw authFailed();
  s.name = p.name;
  s.key = key;
  return { name: p.name };
}

async function send(ctx: HandlerContext, s: Session, p: ParamsOf<'send'>): Promise<Result<'send'>> {
  // MB-7: a letter never travels on a logged-in connection, so the Operator cannot tie it to its sender.
  if (s.name !== undefined) throw new ProtocolError('FORBIDDEN', 'send letters on a connection that is not logged in');
  if (p.letter.length > ctx.limits.sealedLetterBytes) throw new ProtocolError('TOO_LARGE', `a letter is at most ${ctx.limits.sealedLetterBytes} bytes`);
  spendPow(ctx, s, ctx.limits.sendPowBits, p.pow, (challenge, nonce) => sendPowInput(challenge, p.to, p.letter, nonce), 'a letter');
  // MB-10: `token` is reserved for Privacy Pass and deliberately ignored.
  if (!(await ctx.store.keyOf(p.to))) throw new ProtocolError('NOT_FOUND', 'no such recipient');
  const now = ctx.clock.now();
  const ttl = Math.min(p.ttl ?? ctx.limits.mailTtlMs, ctx.limits.mailTtlMs);
  // MB-4, STORE-2 are checked atomically with the insert; MB-11: the same bytes again are a no-op.
  const quota = { maxItems: ctx.limits.mailboxItems, maxBytes: ctx.limits.mailboxBytes, storageBytes: ctx.limits.storageBytes };
  const put = await ctx.store.putMail(p.to, p.letter, now, now + ttl, quota);
  if (put === 'quota') throw new ProtocolError('QUOTA_EXCEEDED', 'the mailbox is full');
  if (put === 'storage-full') throw storageFull();
  return {};
}

async function worldKey(ctx: HandlerContext, s: Session, wanted: number | undefined): Promise<Result<'worldKey'>> {
  const current = epochOf(ctx.clock.now());
  const epoch = wanted ?? current;
  // FEED-2: keys exist for the epochs a live post can be sealed under, plus tomorrow for clocks running ahead.
  if (epoch < current - ctx.limits.maxPostDays - 1) throw new ProtocolError('EXPIRED', 'that epoch is over');
  if (epoch > current + 1) throw new ProtocolError('NOT_FOUND', 'that epoch has not begun');
  return { epoch, sealed: await ctx.worldKeys.sealedFor(epoch, s.key!) };
}

async function post(ctx: HandlerContext, s: Session, p: ParamsOf<'post'>): Promise<Result<'post'>> {
  if (p.post.length > ctx.limits.sealedLetterBytes) throw new ProtocolError('TOO_LARGE', `a post is at most ${ctx.limits.sealedLetterBytes} bytes`);
  if (p.expiresInDays > ctx.limits.maxPostDays) throw new ProtocolError('MALFORMED', `a post lives at most ${ctx.limits.maxPostDays} days`);
  // FEED-3: the Operator reads only the post's header; the sealed letter inside is opaque to it.
  const epoch = postEpoch(p.post);
  const now = ctx.clock.now();
  const current = epochOf(now);
  // FEED-3: the current epoch, or the previous one for a post sealed just before midnight UTC.
  if (epoch < current - 1) throw new ProtocolError('EXPIRED', 'the post is sealed under an old epoch key');
  if (epoch > current) throw new ProtocolError('MALFORMED', 'the post is sealed under a future epoch key');
  const expiresAt = now + p.expiresInDays * DAY_MS;
  // FEED-5, STORE-2: counted and inserted in one atomic step, so concurrent posts cannot overrun the limit.
  const quota = { maxPosts: ctx.limits.postsPerHour, since: now - HOUR_MS, storageBytes: ctx.limits.storageBytes };
  const put = await ctx.store.putPost({ author: s.name!, sealed: p.post, epoch, postedAt: now, expiresAt }, quota);
  if (put === 'rate-limited') throw new ProtocolError('RATE_LIMITED', `at most ${ctx.limits.postsPerHour} posts per hour`);
  if (put === 'storage-full') throw storageFull();
  // FEED-9: a post already held (a retry whose answer was lost) answers as it was stored.
  const held = put.held ? await ctx.store.getPost(put.id, now) : undefined;
  return { id: put.id, expiresAt: held?.expiresAt ?? expiresAt };
}

async function feed(ctx: HandlerContext, p: ParamsOf<'feed'>, pageItems: number): Promise<Result<'feed'>> {
  const limit = Math.min(p.limit ?? ctx.limits.feedItems, ctx.limits.feedItems, pageItems);
  const found = await ctx.store.listPosts(ctx.clock.now(), limit + 1, p.before);
  const page = fitPage(found.slice(0, limit), (x) => x.sealed.length);
  const posts = page.map((x) => ({ id: x.id, author: x.author, epoch: x.epoch, post: x.sealed, postedAt: x.postedAt, expiresAt: x.expiresAt }));
  const more = page.length < found.length;
  return more && page.length > 0 ? { posts, next: page[page.length - 1]!.id } : { posts };
}

/** LIMIT-5: the leading items whose sizes add up to at most PAGE_BYTES, and always the first one. */
function fitPage<T>(items: readonly T[], size: (item: T) => number): T[] {
  let total = 0;
  let n = 0;
  for (const item of items) {
    total += size(item);
    if (n > 0 && total > PAGE_BYTES) break;
    n++;
  }
  return items.slice(0, n);
}
