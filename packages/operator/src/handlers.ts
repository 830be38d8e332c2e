/**
 * What each op does on the wire (OP-*, REG-*, AUTH-*, MB-*, FEED-*): request → result functions that check
 * signatures, proofs of work and the session, and leave every rule about what is kept — quotas, expiry,
 * ownership, ids, dedupe — to the policy (`./policy/index.ts`). The pipeline around them does framing,
 * limits per connection and pushes. Every refusal is a thrown `ProtocolError` with a code from the closed list.
 * @module
 */
import { ProtocolError, PublicKey, toHex, type KeyPair, type SymmetricKey } from '@comrad/core';
import { checkAppend } from '@comrad/core/collective';
import { OPERATOR_NAME, WORLD_NAME, channelIdOf, checkRegistrableName, postEpoch, profileHeader } from '@comrad/core/envelope';
import {
  AUTH_MAX_SKEW_MS,
  PAGE_BYTES,
  checkAuthProof,
  chanPowInput,
  checkPow,
  checkRegisterProof,
  registerPowInput,
  sendPowInput,
  signLookup,
  type InfoResult,
  type Op,
  type Result,
  type WireRequest,
} from '@comrad/core/wire';
import type { PinKind } from '@comrad/core/pins';
import type { ServerLimits } from './limits.js';
import type { Policy } from './policy/index.js';
import type { Store, TokenSpend } from './store/types.js';
import type { WorldKeys } from './world-keys.js';
import { actionDigest, type TokenIssuer } from './tokens.js';

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
  /** The rules about what is kept; the only writer to `store`. */
  readonly policy: Policy;
  readonly keys: OperatorKeys;
  readonly limits: ServerLimits;
  readonly clock: Clock;
  readonly worldKeys: WorldKeys;
  readonly info: InfoResult;
  /** A key no one holds, verified against when a name is unknown so that failure takes the usual time (AUTH-5). */
  readonly decoyKey: PublicKey;
  /** Unlinkable tokens (TOK-*): the issuer keys, budgets and burned nonces. */
  readonly tokens: TokenIssuer;
}

/** AUTH-5: the one answer to every failed handshake. */
const authFailed = () => new ProtocolError('AUTH_FAILED', 'authentication failed');

/**
 * Runs one decoded request for `session`.
 * @param pageItems - LIMIT-6: at most this many items for `fetch`, `feed` and `chanFeed` (the memory the server set aside)
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
      const items = await ctx.policy.fetch(session.name!, ctx.clock.now(), req.params.limit, pageItems);
      return { items: fitPage(items, (i) => i.sealed.length).map((i) => ({ id: i.id, letter: i.sealed, receivedAt: i.receivedAt })) };
    }
    case 'ack':
      return { deleted: await ctx.policy.ack(session.name!, req.params.ids) };
    case 'worldKey':
      return worldKey(ctx, session, req.params.epoch);
    case 'post':
      return post(ctx, session, req.params);
    case 'feed':
      return feed(ctx, req.params, pageItems);
    case 'delete':
      await ctx.policy.deletePost(session.name!, req.params.postId);
      return {};
    case 'colAppend':
      return colAppend(ctx, session, req.params);
    case 'colRead': {
      notLoggedIn(session, 'read a collective log');
      const page = await ctx.policy.readEntries(req.params.col, req.params.from, req.params.limit);
      return { entries: fitPage(page.entries, (e) => e.length), length: page.length };
    }
    case 'profileSet':
      return profileSet(ctx, session, req.params);
    case 'profileGet': {
      const held = await ctx.policy.getProfile(req.params.name, ctx.clock.now());
      return { profile: held.sealed, expiresAt: held.expiresAt };
    }
    case 'chanPost':
      return chanPost(ctx, session, req.params);
    case 'chanFeed':
      return chanFeed(ctx, session, req.params, pageItems);
    case 'pinPut': {
      // PIN-7: a pin never travels on a logged-in connection, so the Operator cannot tie it to a comrade.
      notLoggedIn(session, 'leave a pin');
      const { token, ...pin } = req.params;
      // PIN-10, TOK-7: every check that needs no write is the decoder's; the token is burned for this very
      // pin in the put's own atomic step (a full store burns nothing), and the pin's id derived from it,
      // so a retry answers the pin it made.
      const spend = await paidWith(ctx, session, token, 'pinPut', pin.cell, pin.kind, pin.note ?? '', String(pin.ttl));
      return ctx.policy.putPin(pin, ctx.clock.now(), { token: token!, spend });
    }
    case 'pinVote': {
      notLoggedIn(session, 'vote on a pin');
      const { pin, vote, nullifier, token } = req.params;
      // PIN-6, PIN-10, TOK-7: the token's own checks; then one atomic step checks the pin (no such pin, its
      // time up, a second vote: a retry of a vote that counted is DUPLICATE too) and burns the token with
      // the vote, so a vote refused — even by a race with another — burns nothing.
      const spend = await paidWith(ctx, session, token, 'pinVote', pin, vote, nullifier);
      return ctx.policy.votePin(pin, vote, nullifier, ctx.clock.now(), spend);
    }
    case 'pins': {
      // PIN-7, PIN-8: nor does a question about a place.
      notLoggedIn(session, 'ask for pins');
      const pins = await ctx.policy.listPins(req.params.cells, req.params.limit, ctx.clock.now());
      return { pins: pins.map(({ note, ...p }) => ({ ...p, kind: p.kind as PinKind, ...(note ? { note } : {}) })) };
    }
    case 'tokenKeys':
      return ctx.tokens.announce(ctx.clock.now());
    case 'tokens':
      // TOK-3: the only token op that names its caller; what it signs is blinded.
      return ctx.tokens.issue(session.name!, req.params.requests, ctx.clock.now());
    case 'vote':
      return vote(ctx, session, req.params);
    case 'chanVote':
      return chanVote(ctx, session, req.params);
  }
}

async function vote(ctx: HandlerContext, s: Session, p: ParamsOf<'vote'>): Promise<Result<'vote'>> {
  const { now, period, nullifier, choice } = await voteToken(ctx, s, p);
  // VOTE-4: the token burns with the vote, in one step, for exactly this vote.
  const action = actionDigest('vote', p.post, p.voter, p.choice);
  return ctx.policy.vote(p.post, p.voter, choice, { period, nullifier, action }, now);
}

async function chanVote(ctx: HandlerContext, s: Session, p: ParamsOf<'chanVote'>): Promise<Result<'chanVote'>> {
  const { now, period, nullifier, choice } = await voteToken(ctx, s, p);
  // CHAN-1, VOTE-7: only holders of the channel key know its capability; the Operator keeps only the id.
  const chan = toHex(channelIdOf(p.cap));
  // VOTE-9: the token burns with the vote, in one step, for exactly this vote in this channel.
  const action = actionDigest('chanVote', chan, p.post, p.voter, p.choice);
  return ctx.policy.chanVote(chan, p.post, p.voter, choice, { period, nullifier, action }, now);
}

/** VOTE-2, VOTE-7, TOK-10: only where nothing names the voter, with a token; TOK-7: its checks before the post's. */
async function voteToken(ctx: HandlerContext, s: Session, p: { token?: Uint8Array; choice: 'up' | 'down' | 'none' }): Promise<{ now: number; period: number; nullifier: string; choice: 1 | -1 | 0 }> {
  if (s.name !== undefined) throw new ProtocolError('FORBIDDEN', 'vote on a connection that is not logged in');
  if (!p.token) throw new ProtocolError('TOKEN_REQUIRED', 'a vote must be paid with a token');
  const now = ctx.clock.now();
  const { period, nullifier } = await ctx.tokens.check(p.token, now);
  return { now, period, nullifier, choice: p.choice === 'up' ? 1 : p.choice === 'down' ? -1 : 0 };
}

/**
 * TOK-7, TOK-8, TOK-10: checks the token that pays for an anonymous action — only on a connection that is
 * not logged in, so the Operator never sees a token next to a name — and names what burning it means. It
 * burns nothing: the caller hands the answer to the store primitive that makes the action's write, which
 * burns the token in the same atomic step, so an action the store refuses (a bound, a race) leaves its
 * token unspent, and a retry of the same action with the same token is recognised.
 * @param token - the request's `token` field
 * @param op - the op paid for; with `parts`, what the token is burned for ({@link actionDigest})
 * @returns the spend to pass to the store's write (`appendMail`, `appendChanPost`, `putPin`, `votePin`, `castVote`)
 * @throws ProtocolError FORBIDDEN (logged in), TOKEN_REQUIRED, TOKEN_INVALID, TOKEN_EXPIRED
 * @example `const spend = await paidWith(ctx, session, p.token, 'pinPut', p.cell, p.kind)`, then `store.putPin(pin, max, spend)`
 */
export async function paidWith(ctx: HandlerContext, s: Session, token: Uint8Array | undefined, op: string, ...parts: Array<Uint8Array | string>): Promise<TokenSpend> {
  if (s.name !== undefined) throw new ProtocolError('FORBIDDEN', 'spend tokens on a connection that is not logged in');
  if (!token) throw new ProtocolError('TOKEN_REQUIRED', `${op} must be paid with a token`);
  const { period, nullifier } = await ctx.tokens.check(token, ctx.clock.now());
  return { period, nullifier, action: actionDigest(op, ...parts) };
}

async function chanPost(ctx: HandlerContext, s: Session, p: ParamsOf<'chanPost'>): Promise<Result<'chanPost'>> {
  // CHAN-6: no login, so the Operator cannot tie a channel to a comrade (as MB-7 for letters).
  notLoggedIn(s, 'post to a channel');
  ctx.policy.checkChanPost(p.post.length, p.expiresInDays);
  let spend: TokenSpend | undefined;
  if (p.token) {
    // EVT-15, TOK-7: a token pays instead of the work, checked here and burned for this post in this
    // channel by the append itself (a full channel burns nothing).
    spend = await paidWith(ctx, s, p.token, 'chanPost', p.cap, p.post);
  } else {
    // CHAN-7: the same work a letter costs (MB-9), bound to this post and this channel.
    spendPow(ctx, s, ctx.limits.sendPowBits, p.pow, (challenge, nonce) => chanPowInput(challenge, p.cap, p.post, nonce), 'a channel post');
  }
  // CHAN-1: only holders of the channel key know the capability; the Operator keeps only its hash.
  return ctx.policy.chanPost(toHex(channelIdOf(p.cap)), p.post, p.expiresInDays, ctx.clock.now(), p.ttl, spend);
}

async function chanFeed(ctx: HandlerContext, s: Session, p: ParamsOf<'chanFeed'>, pageItems: number): Promise<Result<'chanFeed'>> {
  notLoggedIn(s, 'read a channel');
  const chan = toHex(p.chan);
  const { found, limit } = await ctx.policy.chanFeed(chan, ctx.clock.now(), p.limit, p.before, pageItems);
  const page = fitPage(found.slice(0, limit), (x) => x.sealed.length);
  // VOTE-10: each post's tally, when it has votes.
  const tallies = await ctx.policy.tallies(page.map((x) => x.id), chan);
  const posts = page.map((x, i) => {
    const t = tallies[i]!;
    return { id: x.id, post: x.sealed, postedAt: x.postedAt, expiresAt: x.expiresAt, ...(t.up || t.down ? t : {}) };
  });
  return page.length < found.length && page.length > 0 ? { posts, next: page[page.length - 1]!.id } : { posts };
}

async function profileSet(ctx: HandlerContext, s: Session, p: ParamsOf<'profileSet'>): Promise<Result<'profileSet'>> {
  // PROF-10: the Operator reads only the clear header; the profile is filed under the session's own name,
  // so only its author can put it (readers also check the signature and the name inside, PROF-9).
  ctx.policy.checkProfileSize(p.profile.length);
  const header = profileHeader(p.profile);
  return ctx.policy.putProfile(s.name!, p.profile, header, ctx.clock.now());
}

/**
 * COL-20: collective logs are read and appended on connections that are not logged in, so the Operator
 * cannot tie a collective to the comrade who reads or writes it (as MB-7 does for letters).
 */
function notLoggedIn(s: Session, what: string): void {
  if (s.name !== undefined) throw new ProtocolError('FORBIDDEN', `${what} on a connection that is not logged in`);
}

async function colAppend(ctx: HandlerContext, s: Session, p: ParamsOf<'colAppend'>): Promise<Result<'colAppend'>> {
  notLoggedIn(s, 'append to a collective log');
  // COL-23: only holders of the collective's keys append; the registry's key for the name checks that.
  const stored = await ctx.store.keyOf(p.col);
  if (!stored) throw new ProtocolError('NOT_FOUND', 'no such collective');
  if (!checkAppend(p.sig, PublicKey.from(stored), p.col, p.pos, p.entry)) throw new ProtocolError('BAD_SIGNATURE', "the append is not signed with the collective's key");
  await ctx.policy.appendEntry(p.col, p.pos, p.entry);
  return {};
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
  await ctx.policy.register(p.name, p.key.bytes(), now);
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
  ctx.policy.checkLetterSize(p.letter.length);
  const now = ctx.clock.now();
  let spend: TokenSpend | undefined;
  if (p.token) {
    // TOK-11: a token pays for the letter instead of proof of work. The token is checked, then the
    // recipient, and it is burned by the append itself, so a letter refused for its recipient or a full
    // mailbox costs no token (TOK-7).
    spend = await paidWith(ctx, s, p.token, 'send', p.to, p.letter);
  } else if (ctx.tokens.options.send === 'require') {
    throw new ProtocolError('TOKEN_REQUIRED', 'a letter must be paid with a token on this Operator');
  } else {
    spendPow(ctx, s, ctx.limits.sendPowBits, p.pow, (challenge, nonce) => sendPowInput(challenge, p.to, p.letter, nonce), 'a letter');
  }
  await ctx.policy.deliver(p.to, p.letter, p.ttl, now, spend);
  return {};
}

async function worldKey(ctx: HandlerContext, s: Session, wanted: number | undefined): Promise<Result<'worldKey'>> {
  const epoch = ctx.policy.worldKeyEpoch(wanted, ctx.clock.now());
  return { epoch, sealed: await ctx.worldKeys.sealedFor(epoch, s.key!) };
}

async function post(ctx: HandlerContext, s: Session, p: ParamsOf<'post'>): Promise<Result<'post'>> {
  ctx.policy.checkPost(p.post.length, p.expiresInDays);
  // FEED-3: the Operator reads only the post's header; the sealed letter inside is opaque to it.
  const epoch = postEpoch(p.post);
  return ctx.policy.post(s.name!, p.post, epoch, p.expiresInDays, ctx.clock.now(), p.ttl);
}

async function feed(ctx: HandlerContext, p: ParamsOf<'feed'>, pageItems: number): Promise<Result<'feed'>> {
  const { found, limit } = await ctx.policy.feed(ctx.clock.now(), p.limit, p.before, pageItems);
  const page = fitPage(found.slice(0, limit), (x) => x.sealed.length);
  // VOTE-5: each post's tally, when it has votes.
  const tallies = await ctx.policy.tallies(page.map((x) => x.id));
  const posts = page.map((x, i) => {
    const t = tallies[i]!;
    return { id: x.id, author: x.author, epoch: x.epoch, post: x.sealed, postedAt: x.postedAt, expiresAt: x.expiresAt, ...(t.up || t.down ? t : {}) };
  });
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
