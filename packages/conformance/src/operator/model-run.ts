/**
 * The spec's model-based test over the wire: random command sequences (register, lookup, send, fetch, ack,
 * worldKey, post, feed, delete, colAppend, colRead, profileSet, profileGet, chanPost, chanFeed, and bad
 * input) applied to the spec's executable model
 * (`spec/model/operator-model.ts`, the oracle) and to the Operator under test, which must give the same
 * answers. Unlike the spec's own in-process test, the kit cannot move the Operator's clock, read its store
 * or start it empty: time is the real time (nothing is made to expire), the limits are those `info`
 * announces, and every run uses names made up for it, so the comparison is scoped to what this run
 * created — an Operator that already holds other people's data (or earlier runs') passes as well.
 * @module
 */
import fc from 'fast-check';
import { SymmetricKey, decryptFrom, encode, fromHex, randomBytes, toHex, type KeyPair } from '@comrad/core';
import { createLetter, createProfile, deriveChannel, sealPost, sealProfile } from '@comrad/core/envelope';
import { signAppend } from '@comrad/core/collective';
import { verifyLookup, type FeedResult } from '@comrad/core/wire';
import * as model from '@comrad/spec/model';
import { DAY, HOUR, epochAt, type ModelAnswer, type ModelLimits, type ModelState } from '@comrad/spec/model';
import { NoAnswer, type Connection } from './connection.js';
import { RuleViolation, agreeOn, freshKeys, freshName, must, outcome, type Target } from './target.js';

/** How many names a run makes up, and how many key pairs it draws from (one more: KEY_TAKEN happens too). */
const PEOPLE = 3;
const KEY_POOL = 4;
/** The kit's clock and the Operator's may differ this much (AUTH-4 allows five minutes). */
const CLOCK_SLACK_MS = 5 * 60_000;

/** The model side: the pure state, replaced after every step. */
export interface ModelBox {
  s: ModelState;
}

/** A post this run made, as the kit knows it. */
interface PostRecord {
  readonly id: string;
  readonly days: number;
  readonly expiresAt: number;
  postedAt?: number;
}

/** The real side of one run. */
export interface World {
  readonly target: Target;
  readonly limits: ModelLimits;
  /** A connection that never logs in: register, lookup, send (MB-7). */
  readonly anon: Connection;
  /** The run's made-up names. */
  readonly names: readonly string[];
  readonly keys: readonly KeyPair[];
  /** Logged-in connections, opened on first use. */
  readonly sessions: Map<string, Connection>;
  /** Letter `seq` → its recipient, the id the Operator gave it and its arrival time (learned from fetches). */
  readonly mailIds: Map<number, { readonly to: string; readonly id: string; readonly receivedAt: number }>;
  /** Post `seq` → what the Operator said of it, deleted posts included (their ids stay valid cursors, OP-5). */
  readonly posts: Map<number, PostRecord>;
  /** Epoch → its key (hex) as first handed out, across runs: FEED-1 says it never changes, for any reader. */
  readonly epochKeys: Map<number, string>;
  /** Every rule id a command checked without finding a violation, with how many commands did. */
  readonly checked: Map<string, number>;
  /** Name → the `expiresAt` the Operator gave its profile (PROF-10), which `profileGet` must repeat. */
  readonly profileExpiry: Map<string, number>;
  /** The run's channels (CHAN-1), from keys made up for it: no one else posts to them. */
  readonly channels: readonly RunChannel[];
  /** Channel post `seq` → its channel (index), and the id and expiry the Operator gave it (CHAN-7). */
  readonly chanIds: Map<number, { readonly chan: number; readonly id: string; readonly expiresAt: number }>;
}

/** A channel of one run: its id (hex too) and its posting capability (CHAN-1). */
interface RunChannel {
  readonly id: Uint8Array;
  readonly cap: Uint8Array;
  readonly hex: string;
}

/** How many channels a run posts to: few, so a channel's posts page. */
const CHANNELS = 2;

/** Fresh channels for one run, under random keys (CHAN-2). */
function freshChannels(): RunChannel[] {
  return Array.from({ length: CHANNELS }, () => {
    const { id, cap } = deriveChannel(SymmetricKey.generate());
    return { id, cap, hex: toHex(id) };
  });
}

type Cmd = fc.AsyncCommand<ModelBox, World>;

/** The model's clock follows the real one: nothing in a run expires (letters live an hour at least). */
function tick(m: ModelBox): void {
  m.s = model.advance(m.s, Date.now() - m.s.now);
}

/** Near midnight UTC the kit and the Operator may disagree on the epoch: epoch-bound commands wait it out. */
function nearEpochEdge(): boolean {
  const into = Date.now() % DAY;
  return into < CLOCK_SLACK_MS || DAY - into < CLOCK_SLACK_MS;
}

/** The code of a real or model answer. */
const codeOf = (a: { ok: boolean; code?: string }): string => (a.ok ? 'ok' : a.code!);

/**
 * Requires the real answer to have the model's code; returns both values when both succeeded.
 * @param rules - the rules broken when the codes differ
 */
async function agree<T, U>(rules: readonly string[], what: string, real: Promise<T>, expected: ModelAnswer<U>): Promise<{ real: T; model: U } | undefined> {
  const got = await outcome(real);
  if (codeOf(got) !== codeOf(expected)) throw new RuleViolation(rules, what, codeOf(expected), got.ok ? 'ok' : `${got.code} (${got.message})`);
  return got.ok && expected.ok ? { real: got.value, model: expected.value } : undefined;
}

/** The pool key pair registered under `name` (per the model). */
function keyOf(w: World, m: ModelBox, name: string): KeyPair {
  const hex = m.s.registry.get(name);
  const kp = w.keys.find((k) => k.publicKey.toHex() === hex);
  if (!kp) throw new Error(`no pool key is registered as ${name}`);
  return kp;
}

/** The logged-in connection of `name` (AUTH-2, AUTH-6). */
async function session(w: World, m: ModelBox, name: string): Promise<Connection> {
  let c = w.sessions.get(name);
  if (!c || c.isClosed) {
    c = await w.target.connect();
    const r = await outcome(c.auth(name, keyOf(w, m, name)));
    if (!r.ok || r.value.name !== name) throw new RuleViolation(['AUTH-2', 'AUTH-6'], `auth as ${name}, registered in this run`, { name }, r.ok ? r.value : r.code);
    w.sessions.set(name, c);
  }
  return c;
}

/** The epoch key of `epoch` through `worldKey`, checked to be the one first handed out (FEED-1, FEED-2). */
async function epochKey(w: World, c: Connection, kp: KeyPair, epoch: number): Promise<string> {
  const r = await c.request('worldKey', { epoch });
  agreeOn(['FEED-2'], `worldKey answers the epoch asked for`, epoch, r.epoch);
  let key: string;
  try {
    key = toHex(decryptFrom(kp.privateKey, w.target.worldKey, r.sealed));
  } catch (err) {
    throw new RuleViolation(['FEED-2'], 'the sealed epoch key opens with the reader key and the world key of the greeting', 'it opens', (err as Error).message);
  }
  const first = w.epochKeys.get(epoch);
  if (first === undefined) w.epochKeys.set(epoch, key);
  else agreeOn(['FEED-1'], `the key of epoch ${epoch} is the one handed out before`, first, key);
  return key;
}

/** Runs a command body, turning "no answer" into a violation of the command's rules, and marks them checked. */
async function checked(w: World, rules: readonly string[], body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof NoAnswer) throw new RuleViolation(['OP-6', ...rules], 'the Operator answers every request on an open connection', 'an answer', err.message);
    throw err;
  }
  for (const r of rules) w.checked.set(r, (w.checked.get(r) ?? 0) + 1);
}

/** REG-1, REG-2, REG-4, REG-5 (REG-6 when work is asked): register a run name with a pool key. */
export class Register implements Cmd {
  constructor(
    readonly who: number,
    readonly key: number,
  ) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const name = w.names[this.who]!;
    const kp = w.keys[this.key]!;
    const before = m.s.registry.get(name);
    const step = model.register(m.s, name, kp.publicKey.toHex());
    // Which rule a wrong answer breaks: a new registration (REG-1), a taken name or key (REG-2), a repeat (REG-5).
    const rule = step.answer.ok ? (before === undefined ? 'REG-1' : 'REG-5') : 'REG-2';
    const rules = [rule, 'REG-4', ...(w.target.info.pow.register > 0 ? ['REG-6', 'POW-1'] : [])];
    await checked(w, rules, async () => {
      const both = await agree([rule], `register(${name})`, w.target.register(w.anon, name, kp), step.answer);
      if (both) {
        const said = verifyLookup(both.real.statement, w.target.operatorKey, name).key.toHex();
        agreeOn(['REG-4'], 'the statement names the registered key', kp.publicKey.toHex(), said);
      }
      m.s = step.state;
    });
  }
  toString = () => `register(name#${this.who}, key#${this.key})`;
}

/** REG-4: lookup by name or by key; a found answer is a statement signed by the Operator about exactly that. */
export class Lookup implements Cmd {
  constructor(
    readonly byKey: boolean,
    readonly index: number,
  ) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const operatorKey = w.target.operatorKey;
    await checked(w, ['REG-4'], async () => {
      if (this.byKey) {
        const key = w.keys[this.index % w.keys.length]!.publicKey;
        const both = await agree(['REG-4'], 'lookup by key', w.anon.request('lookup', { key }), model.lookupKey(m.s, key.toHex()));
        if (both) agreeOn(['REG-4'], 'the statement names the registered name', both.model, verifyLookup(both.real.statement, operatorKey, { key }).name);
      } else {
        const name = w.names[this.index % w.names.length]!;
        const both = await agree(['REG-4'], `lookup(${name})`, w.anon.request('lookup', { name }), model.lookup(m.s, name));
        if (both) agreeOn(['REG-4'], 'the statement names the registered key', both.model, verifyLookup(both.real.statement, operatorKey, name).key.toHex());
      }
    });
  }
  toString = () => (this.byKey ? `lookup(key#${this.index % KEY_POOL})` : `lookup(name#${this.index % PEOPLE})`);
}

/** The name of comrade `via` when it is registered (so its connection can log in), else undefined: anonymous. */
function loggedInName(m: ModelBox, w: World, via: number | undefined): string | undefined {
  const name = via === undefined ? undefined : w.names[via];
  return name !== undefined && m.s.registry.has(name) ? name : undefined;
}

/** MB-1, MB-4, MB-6, MB-7, MB-8, MB-11: send a letter, anonymously or (refused) on a logged-in connection. */
export class Send implements Cmd {
  constructor(
    readonly to: number,
    readonly letter: Uint8Array,
    readonly ttl: number | undefined,
    /** Index of the logged-in sender whose connection carries it (MB-7), or undefined for anonymous. */
    readonly via: number | undefined,
  ) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const to = w.names[this.to]!;
    // A sender that is not registered cannot log in: send anonymously then.
    const viaName = loggedInName(m, w, this.via);
    const loggedIn = viaName !== undefined;
    const step = model.send(m.s, w.limits, { to, letter: toHex(this.letter), ttl: this.ttl, loggedIn });
    const box = m.s.mailboxes.get(to) ?? [];
    const rule = loggedIn ? 'MB-7' : !m.s.registry.has(to) ? 'MB-8' : box.some((x) => x.letter === toHex(this.letter)) ? 'MB-11' : step.answer.ok ? 'MB-1' : 'MB-4';
    const recipient = w.sessions.get(to);
    const stored = step.answer.ok && step.state !== m.s;
    await checked(w, [rule, ...(stored && recipient ? ['MB-6'] : [])], async () => {
      const request = loggedIn ? (await session(w, m, viaName)).request('send', { to, letter: this.letter, ...(this.ttl === undefined ? {} : { ttl: this.ttl }) }) : w.target.send(w.anon, to, this.letter, this.ttl);
      await agree([rule], `send to ${to}`, request, step.answer);
      // MB-6: a logged-in recipient hears of a stored letter (and of nothing else: see Fetch).
      if (stored && recipient) {
        try {
          await recipient.nextMailPush();
        } catch (err) {
          if (err instanceof NoAnswer) throw new RuleViolation(['MB-6'], 'a logged-in recipient gets {push: mail} for a stored letter', 'a push', err.message);
          throw err;
        }
      }
      m.s = step.state;
    });
  }
  toString = () => `send(to name#${this.to}, ${this.letter.length} B${this.ttl === undefined ? '' : `, ttl ${this.ttl / HOUR} h`}${this.via === undefined ? '' : `, on name#${this.via}'s session`})`;
}

/** MB-2: fetch returns the unexpired letters oldest first, the same ones until acked; ids and times are stable. */
export class Fetch implements Cmd {
  constructor(
    readonly who: number,
    readonly limit: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => m.s.registry.size > 0;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const name = w.names[this.who]!;
    if (!m.s.registry.has(name)) return;
    await checked(w, ['MB-2', 'OP-5'], async () => {
      const c = await session(w, m, name);
      const expected = model.fetch(m.s, w.limits, name, this.limit);
      const got = await c.request('fetch', this.limit === undefined ? {} : { limit: this.limit });
      agreeOn(['MB-2'], `fetch(${name}${this.limit === undefined ? '' : `, limit ${this.limit}`}): the letters, oldest first`, expected.map((x) => x.letter), got.items.map((i) => toHex(i.letter)));
      got.items.forEach((item, n) => {
        must(['OP-5'], /^[0-9A-Za-z._:-]{1,64}$/.test(item.id), 'a mail id is 1–64 characters of [0-9A-Za-z._:-]', item.id);
        if (n > 0) must(['MB-2'], item.receivedAt >= got.items[n - 1]!.receivedAt, 'letters come oldest first', got.items.map((i) => i.receivedAt));
        must(['MB-2'], Math.abs(item.receivedAt - expected[n]!.receivedAt) <= CLOCK_SLACK_MS, 'receivedAt is the arrival time (ms)', item.receivedAt);
        const seq = expected[n]!.seq;
        const known = w.mailIds.get(seq);
        if (known) agreeOn(['MB-2'], 'a letter keeps its id and arrival time until acknowledged', [known.id, known.receivedAt], [item.id, item.receivedAt]);
        else w.mailIds.set(seq, { to: name, id: item.id, receivedAt: item.receivedAt });
      });
      // MB-6: every push was for a stored letter, and each was consumed by the Send that caused it.
      agreeOn(['MB-6'], 'no push but for a stored letter', 0, c.unreadPushes);
    });
  }
  toString = () => `fetch(name#${this.who}${this.limit === undefined ? '' : `, limit ${this.limit}`})`;
}

/** MB-3: ack deletes exactly the named letters of one's own mailbox; unknown, repeated and foreign ids count 0. */
export class Ack implements Cmd {
  constructor(
    readonly who: number,
    readonly picks: readonly number[],
    readonly foreign: boolean,
  ) {}
  check = (m: Readonly<ModelBox>) => m.s.registry.size > 0;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const name = w.names[this.who]!;
    if (!m.s.registry.has(name)) return;
    await checked(w, ['MB-3'], async () => {
      const known = [...w.mailIds].sort(([a], [b]) => a - b);
      const own = known.filter(([, x]) => x.to === name);
      const chosen = own.length === 0 ? [] : this.picks.map((p) => own[p % own.length]!);
      const other = known.find(([, x]) => x.to !== name);
      if (this.foreign && other) chosen.push(other);
      const step = model.ack(m.s, name, chosen.map(([seq]) => seq));
      const c = await session(w, m, name);
      const got = await c.request('ack', { ids: chosen.map(([, x]) => x.id) });
      agreeOn(['MB-3'], `ack(${name}, ${chosen.length} ids): how many it deleted`, step.answer.ok ? step.answer.value : undefined, got.deleted);
      m.s = step.state;
    });
  }
  toString = () => `ack(name#${this.who}, picks [${this.picks.join(',')}]${this.foreign ? ', + a foreign id' : ''})`;
}

/** FEED-1, FEED-2: epoch keys from current − maxPostDays − 1 to current + 1, one key per epoch, forever. */
export class WorldKey implements Cmd {
  constructor(
    readonly who: number,
    readonly offset: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => m.s.registry.size > 0 && !nearEpochEdge();
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const name = w.names[this.who]!;
    if (!m.s.registry.has(name)) return;
    await checked(w, ['FEED-1', 'FEED-2'], async () => {
      const epoch = this.offset === undefined ? undefined : epochAt(m.s.now) + this.offset;
      const c = await session(w, m, name);
      const expected = model.worldKey(m.s, w.limits, epoch);
      if (expected.ok) {
        const r = await outcome(epochKey(w, c, keyOf(w, m, name), expected.value));
        if (!r.ok) throw new RuleViolation(['FEED-2'], `worldKey(epoch ${epoch ?? 'current'})`, 'ok', r.code);
      } else {
        await agree(['FEED-2'], `worldKey(epoch ${epoch})`, c.request('worldKey', epoch === undefined ? {} : { epoch }), expected);
      }
    });
  }
  toString = () => `worldKey(name#${this.who}${this.offset === undefined ? '' : `, epoch ${this.offset >= 0 ? '+' : ''}${this.offset}`})`;
}

/** FEED-3, FEED-4, FEED-5, OP-5: a sealed post (core's sealPost under the real epoch key); ids sort in posting order. */
export class Post implements Cmd {
  constructor(
    readonly who: number,
    readonly text: string,
    /** 1, 2, maxPostDays or one more (`0..3`, mapped at run time to what `info` announced). */
    readonly daysPick: number,
    readonly offset: number,
  ) {}
  check = (m: Readonly<ModelBox>) => m.s.registry.size > 0 && !nearEpochEdge();
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const name = w.names[this.who]!;
    if (!m.s.registry.has(name)) return;
    const days = [1, 2, w.limits.maxPostDays, w.limits.maxPostDays + 1][this.daysPick]!;
    const kp = keyOf(w, m, name);
    const epoch = epochAt(m.s.now) + this.offset;
    const step0 = model.post(m.s, w.limits, { author: name, post: '', epoch, expiresInDays: days });
    const rule = step0.answer.ok ? 'FEED-3' : step0.answer.code === 'RATE_LIMITED' ? 'FEED-5' : step0.answer.code === 'MALFORMED' && days > w.limits.maxPostDays ? 'FEED-4' : 'FEED-3';
    await checked(w, [rule, 'OP-5'], async () => {
      const c = await session(w, m, name);
      // Offsets −2..+1 are inside the worldKey window whenever maxPostDays ≥ 1 (FEED-2).
      const key = SymmetricKey.from(fromHex(await epochKey(w, c, kp, epoch)));
      const letter = createLetter({ kind: 'post', from: name, body: { text: this.text }, at: Math.floor(m.s.now / 1000) });
      const sealed = sealPost(letter, kp, key, epoch);
      tick(m);
      const sentAt = m.s.now;
      const step = model.post(m.s, w.limits, { author: name, post: toHex(sealed), epoch, expiresInDays: days });
      const both = await agree([rule], `post(${name}, ${days} d, epoch ${this.offset >= 0 ? '+' : ''}${this.offset})`, c.request('post', { post: sealed, expiresInDays: days }), step.answer);
      if (both) {
        must(['OP-5'], /^[0-9A-Za-z._:-]{1,64}$/.test(both.real.id), 'a post id is 1–64 characters of [0-9A-Za-z._:-]', both.real.id);
        // OP-5: ids sort in arrival order, after every id handed out before — deleted posts' too.
        for (const p of w.posts.values()) must(['OP-5'], both.real.id > p.id, `post ids sort in arrival order: ${both.real.id} after ${p.id}`, both.real.id);
        must(['FEED-4'], Math.abs(both.real.expiresAt - (sentAt + days * DAY)) <= CLOCK_SLACK_MS, `expiresAt = now + ${days} days`, both.real.expiresAt);
        w.posts.set(both.model.seq, { id: both.real.id, days, expiresAt: both.real.expiresAt });
      }
      m.s = step.state;
    });
  }
  toString = () => `post(name#${this.who}, ${JSON.stringify(this.text)}, days pick ${this.daysPick}, epoch ${this.offset >= 0 ? '+' : ''}${this.offset})`;
}

/**
 * FEED-4, FEED-6: pages of unexpired posts, newest first, before a known post, with `next` when more
 * follow. Other people's posts may be interleaved (the Operator is shared): the kit pages down until it
 * has passed this run's oldest post, checks every page's shape, and compares this run's posts in order.
 */
export class Feed implements Cmd {
  constructor(
    readonly who: number,
    readonly limit: number | undefined,
    readonly before: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => m.s.registry.size > 0;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const name = w.names[this.who]!;
    if (!m.s.registry.has(name)) return;
    await checked(w, ['FEED-4', 'FEED-6'], async () => {
      const c = await session(w, m, name);
      const seqs = [...w.posts.keys()].sort((a, b) => a - b);
      const beforeSeq = this.before === undefined || seqs.length === 0 ? undefined : seqs[this.before % seqs.length];
      const expected = model.feed(m.s, { ...w.limits, feedItems: Number.MAX_SAFE_INTEGER }, undefined, beforeSeq).posts;
      const oldest = seqs.length === 0 ? undefined : w.posts.get(seqs[0]!)!.id;
      const pageMax = Math.min(this.limit ?? w.limits.feedItems, w.limits.feedItems);
      const ours = new Map([...w.posts].map(([seq, p]) => [p.id, seq]));
      const seen: FeedResult['posts'][number][] = [];
      let cursor = beforeSeq === undefined ? undefined : w.posts.get(beforeSeq)!.id;
      // Pages until this run's oldest post is passed; a bound, so an Operator with a long feed ends too.
      for (let page = 0; page < 200; page++) {
        const r = await c.request('feed', { ...(cursor === undefined ? {} : { before: cursor }), ...(this.limit === undefined ? {} : { limit: this.limit }) });
        must(['FEED-6'], r.posts.length <= pageMax, `a page holds at most min(limit, feedItems) = ${pageMax} posts`, r.posts.length);
        for (let i = 1; i < r.posts.length; i++) must(['FEED-6', 'OP-5'], r.posts[i]!.id < r.posts[i - 1]!.id, 'posts come newest first', r.posts.map((p) => p.id));
        if (cursor !== undefined && r.posts.length > 0) must(['FEED-6'], r.posts[0]!.id < cursor, `posts strictly older than before (${cursor})`, r.posts[0]!.id);
        seen.push(...r.posts);
        // No next: the feed ends here (whatever this run expects further down is then missing, below).
        if (r.next === undefined) break;
        agreeOn(['FEED-6'], 'next is the last post of the page', r.posts[r.posts.length - 1]?.id, r.next);
        if (oldest === undefined || r.posts.some((p) => p.id < oldest)) break;
        cursor = r.next;
      }
      const mine = seen.filter((p) => ours.has(p.id));
      agreeOn(['FEED-6'], `feed(${this.limit === undefined ? '' : `limit ${this.limit}`}${beforeSeq === undefined ? '' : ` before post seq ${beforeSeq}`}): this run's posts, newest first`, expected.map((p) => w.posts.get(p.seq)!.id), mine.map((p) => p.id));
      for (const [i, p] of mine.entries()) {
        const e = expected[i]!;
        const rec = w.posts.get(e.seq)!;
        agreeOn(['FEED-6'], `post ${p.id} as posted`, [e.author, e.epoch, e.post], [p.author, p.epoch, toHex(p.post)]);
        agreeOn(['FEED-4'], `post ${p.id}: expiresAt = postedAt + ${rec.days} days, as post answered`, [p.postedAt + rec.days * DAY, rec.expiresAt], [p.expiresAt, p.expiresAt]);
        if (rec.postedAt === undefined) rec.postedAt = p.postedAt;
        else agreeOn(['FEED-6'], `post ${p.id} keeps its postedAt`, rec.postedAt, p.postedAt);
      }
    });
  }
  toString = () => `feed(name#${this.who}${this.limit === undefined ? '' : `, limit ${this.limit}`}${this.before === undefined ? '' : `, before pick ${this.before}`})`;
}

/** FEED-8: only the author deletes; "not yours" and "no such post" are one answer. */
export class Delete implements Cmd {
  constructor(
    readonly who: number,
    readonly pick: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => m.s.registry.size > 0;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const name = w.names[this.who]!;
    if (!m.s.registry.has(name)) return;
    await checked(w, ['FEED-8'], async () => {
      const seqs = [...w.posts.keys()].sort((a, b) => a - b);
      const seq = this.pick === undefined || seqs.length === 0 ? -1 : seqs[this.pick % seqs.length]!;
      const step = model.deletePost(m.s, name, seq);
      const c = await session(w, m, name);
      // An id of the right shape that no Operator handed out (random, so not even a guessable one).
      const postId = seq < 0 ? `cf-never-${toHex(randomBytes(8))}` : w.posts.get(seq)!.id;
      await agree(['FEED-8'], `delete(${name}, ${seq < 0 ? 'a never-issued id' : `post seq ${seq}`})`, c.request('delete', { postId }), step.answer);
      m.s = step.state;
    });
  }
  toString = () => `delete(name#${this.who}, ${this.pick === undefined ? 'a never-issued id' : `pick ${this.pick}`})`;
}

/**
 * COL-20, COL-22, COL-23: an append to the log of a run name, signed with a pool key (the name's own, or
 * another: BAD_SIGNATURE), at the log's end or off it (OUT_OF_ORDER), or the very entry already at a
 * position again (success, nothing stored); now and then on a logged-in connection (FORBIDDEN).
 */
export class ColAppend implements Cmd {
  constructor(
    readonly col: number,
    readonly signer: number | undefined,
    readonly offset: number,
    readonly entry: Uint8Array,
    readonly again: boolean,
    readonly via: number | undefined,
  ) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const col = w.names[this.col]!;
    const viaName = loggedInName(m, w, this.via);
    const loggedIn = viaName !== undefined;
    const log = m.s.logs.get(col) ?? [];
    const pos = Math.max(0, log.length + this.offset);
    const entry = this.again && pos < log.length ? fromHex(log[pos]!) : this.entry;
    const kp = this.signer === undefined ? (m.s.registry.has(col) ? keyOf(w, m, col) : w.keys[0]!) : w.keys[this.signer]!;
    const sig = signAppend({ name: col, identity: kp, logKey: SymmetricKey.generate() }, pos, entry);
    const step = model.colAppend(m.s, w.limits, { col, pos, entry: toHex(entry), signedBy: kp.publicKey.toHex(), loggedIn });
    const rules = step.answer.ok ? ['COL-22'] : step.answer.code === 'FORBIDDEN' ? ['COL-20'] : step.answer.code === 'OUT_OF_ORDER' ? ['COL-19', 'COL-22'] : ['COL-23'];
    await checked(w, rules, async () => {
      const conn = loggedIn ? await session(w, m, viaName!) : w.anon;
      await agree(rules, `colAppend(${col}, pos ${pos}, ${entry.length} B)`, conn.request('colAppend', { col, pos, entry, sig }), step.answer);
      m.s = step.state;
    });
  }
  toString = () =>
    `colAppend(name#${this.col}, ${this.signer === undefined ? 'its own key' : `key#${this.signer}`}, end${this.offset >= 0 ? '+' : ''}${this.offset}, ${this.again ? 'the entry held there' : `${this.entry.length} B`}${this.via === undefined ? '' : `, on name#${this.via}'s session`})`;
}

/**
 * COL-23: a page of a log from a position and its length; the page may be cut short (LIMIT-5, and the
 * Operator's own `logItems`), so the kit requires a prefix of what the model holds, never empty while
 * entries remain. On a logged-in connection: FORBIDDEN (COL-20).
 */
export class ColRead implements Cmd {
  constructor(
    readonly col: number,
    readonly from: number,
    readonly limit: number | undefined,
    readonly via: number | undefined,
  ) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const col = w.names[this.col]!;
    const viaName = loggedInName(m, w, this.via);
    const loggedIn = viaName !== undefined;
    const expected = model.colRead(m.s, w.limits, col, this.from, this.limit, loggedIn);
    await checked(w, loggedIn ? ['COL-20'] : ['COL-23'], async () => {
      const conn = loggedIn ? await session(w, m, viaName!) : w.anon;
      const both = await agree(['COL-23'], `colRead(${col}, from ${this.from})`, conn.request('colRead', { col, from: this.from, ...(this.limit === undefined ? {} : { limit: this.limit }) }), expected);
      if (!both) return;
      agreeOn(['COL-23'], `colRead(${col}): the log's length`, both.model.length, both.real.length);
      const got = both.real.entries.map((e) => toHex(e));
      const want = both.model.entries;
      must(['COL-23'], got.length <= want.length && (want.length === 0 || got.length > 0), `a page of 1..${want.length} entries`, got.length);
      agreeOn(['COL-22', 'COL-23'], `colRead(${col}, from ${this.from}): the entries as appended, in order`, want.slice(0, got.length), got);
    });
  }
  toString = () => `colRead(name#${this.col}, from ${this.from}${this.limit === undefined ? '' : `, limit ${this.limit}`}${this.via === undefined ? '' : `, on name#${this.via}'s session`})`;
}

/**
 * PROF-10: a profile sealed under the real world key of an epoch (current, previous, older, next) with a
 * signed time now, or more than a day ahead or behind; one not newer than the one held is OUT_OF_ORDER.
 */
export class ProfileSet implements Cmd {
  constructor(
    readonly who: number,
    readonly display: string,
    readonly offset: number,
    readonly skew: number,
  ) {}
  check = (m: Readonly<ModelBox>) => m.s.registry.size > 0 && !nearEpochEdge();
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const name = w.names[this.who]!;
    if (!m.s.registry.has(name)) return;
    const kp = keyOf(w, m, name);
    await checked(w, ['PROF-10'], async () => {
      const c = await session(w, m, name);
      const epoch = epochAt(m.s.now) + this.offset;
      const key = SymmetricKey.from(fromHex(await epochKey(w, c, kp, epoch)));
      tick(m);
      const at = Math.floor(m.s.now / 1000) + this.skew;
      const sealed = sealProfile(createProfile({ name, display: this.display, at }), kp, key, epoch);
      const step = model.profileSet(m.s, w.limits, { author: name, profile: toHex(sealed), epoch, at });
      const both = await agree(['PROF-10'], `profileSet(${name}, epoch ${this.offset >= 0 ? '+' : ''}${this.offset}, at ${this.skew >= 0 ? '+' : ''}${this.skew} s)`, c.request('profileSet', { profile: sealed }), step.answer);
      if (both) {
        must(['PROF-10'], Math.abs(both.real.expiresAt - both.model) <= CLOCK_SLACK_MS, `expiresAt = now + min(30, maxPostDays) days`, both.real.expiresAt);
        if (step.state !== m.s) w.profileExpiry.set(name, both.real.expiresAt);
      }
      m.s = step.state;
    });
  }
  toString = () => `profileSet(name#${this.who}, ${JSON.stringify(this.display)}, epoch ${this.offset >= 0 ? '+' : ''}${this.offset}, at ${this.skew >= 0 ? '+' : ''}${this.skew} s)`;
}

/** PROF-11: the latest unexpired profile of a name, as put, on a connection that is not logged in. */
export class ProfileGet implements Cmd {
  constructor(readonly who: number) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const name = w.names[this.who]!;
    await checked(w, ['PROF-11'], async () => {
      const both = await agree(['PROF-11'], `profileGet(${name})`, w.anon.request('profileGet', { name }), model.profileGet(m.s, name));
      if (both) agreeOn(['PROF-10', 'PROF-11'], `profileGet(${name}): the latest profile as put, with its expiry`, [both.model.profile, w.profileExpiry.get(name)], [toHex(both.real.profile), both.real.expiresAt]);
    });
  }
  toString = () => `profileGet(name#${this.who})`;
}

/**
 * CHAN-6, CHAN-7, CHAN-9, OP-5: a channel post (opaque bytes: the Operator never reads them) by capability,
 * with the proof of work `info.pow.send` asks; the very bytes again answer as stored (STORE-3); more days
 * than `maxPostDays` is MALFORMED; on a logged-in connection FORBIDDEN.
 */
export class ChanPost implements Cmd {
  constructor(
    readonly chan: number,
    readonly post: Uint8Array,
    /** 1, 2, maxPostDays or one more (`0..3`, mapped at run time to what `info` announced). */
    readonly daysPick: number,
    readonly ttl: number | undefined,
    readonly via: number | undefined,
  ) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const ch = w.channels[this.chan]!;
    const days = [1, 2, w.limits.maxPostDays, w.limits.maxPostDays + 1][this.daysPick]!;
    const viaName = loggedInName(m, w, this.via);
    const life = { expiresInDays: days, ...(this.ttl === undefined ? {} : { ttl: this.ttl }) };
    const step = model.chanPost(m.s, w.limits, { chan: ch.hex, post: toHex(this.post), ...life, loggedIn: viaName !== undefined });
    const retry = step.answer.ok && step.state === m.s;
    const rule = viaName !== undefined ? 'CHAN-6' : retry ? 'STORE-3' : 'CHAN-7';
    await checked(w, [rule, ...(step.answer.ok ? ['CHAN-9', 'OP-5'] : [])], async () => {
      const params = { cap: ch.cap, post: this.post, ...life };
      const request = viaName !== undefined ? (await session(w, m, viaName)).request('chanPost', params) : w.target.chanPost(w.anon, params);
      const both = await agree([rule], `chanPost(chan#${this.chan}, ${this.post.length} B, ${days} d)`, request, step.answer);
      if (both) {
        must(['CHAN-7'], Math.abs(both.real.expiresAt - both.model.expiresAt) <= CLOCK_SLACK_MS, 'expiresAt = arrival + min(days, ttl)', both.real.expiresAt);
        const known = w.chanIds.get(both.model.seq);
        if (known) {
          agreeOn(['STORE-3', 'CHAN-7'], 'the same bytes again answer the id and expiry they were given', [known.id, known.expiresAt], [both.real.id, both.real.expiresAt]);
        } else {
          must(['OP-5'], /^[0-9A-Za-z._:-]{1,64}$/.test(both.real.id), 'a post id is 1–64 characters of [0-9A-Za-z._:-]', both.real.id);
          for (const x of w.chanIds.values()) if (x.chan === this.chan) must(['OP-5'], both.real.id > x.id, `a channel's post ids sort in arrival order: ${both.real.id} after ${x.id}`, both.real.id);
          w.chanIds.set(both.model.seq, { chan: this.chan, id: both.real.id, expiresAt: both.real.expiresAt });
        }
      }
      m.s = step.state;
    });
  }
  toString = () =>
    `chanPost(chan#${this.chan}, ${this.post.length} B fill ${this.post[0]}, days pick ${this.daysPick}${this.ttl === undefined ? '' : `, ttl ${this.ttl / HOUR} h`}${this.via === undefined ? '' : `, on name#${this.via}'s session`})`;
}

/**
 * CHAN-6, CHAN-8, CHAN-9: a page of one of the run's channels, newest first, before one of its posts, with
 * `next` when older ones remain; every post as it was put, with its times and nothing else.
 */
export class ChanFeed implements Cmd {
  constructor(
    readonly chan: number,
    readonly limit: number | undefined,
    readonly before: number | undefined,
    readonly via: number | undefined,
  ) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const ch = w.channels[this.chan]!;
    const viaName = loggedInName(m, w, this.via);
    const seqs = [...w.chanIds].filter(([, x]) => x.chan === this.chan).map(([seq]) => seq).sort((a, b) => a - b);
    const beforeSeq = this.before === undefined || seqs.length === 0 ? undefined : seqs[this.before % seqs.length]!;
    const expected = model.chanFeed(m.s, w.limits, ch.hex, this.limit, beforeSeq, viaName !== undefined);
    const rule = viaName !== undefined ? 'CHAN-6' : 'CHAN-8';
    await checked(w, [rule, ...(viaName === undefined ? ['CHAN-9'] : [])], async () => {
      const conn = viaName !== undefined ? await session(w, m, viaName) : w.anon;
      const params = { chan: ch.id, ...(beforeSeq === undefined ? {} : { before: w.chanIds.get(beforeSeq)!.id }), ...(this.limit === undefined ? {} : { limit: this.limit }) };
      const both = await agree([rule], `chanFeed(chan#${this.chan})`, conn.request('chanFeed', params), expected);
      if (!both) return;
      const want = both.model.posts.map((p) => ({ id: w.chanIds.get(p.seq)!.id, post: p.post, expiresAt: w.chanIds.get(p.seq)!.expiresAt }));
      const got = both.real.posts.map((p) => ({ id: p.id, post: toHex(p.post), expiresAt: p.expiresAt }));
      agreeOn(['CHAN-8', 'CHAN-9'], `chanFeed(chan#${this.chan}${this.limit === undefined ? '' : `, limit ${this.limit}`}${beforeSeq === undefined ? '' : `, before post seq ${beforeSeq}`}): the posts as put, newest first`, want, got);
      both.real.posts.forEach((p, n) => must(['CHAN-8'], Math.abs(p.postedAt - both.model.posts[n]!.postedAt) <= CLOCK_SLACK_MS, 'postedAt is the arrival time (ms)', p.postedAt));
      agreeOn(['CHAN-8'], 'next is the last post of the page when older ones remain', both.model.next === undefined ? undefined : w.chanIds.get(both.model.next)!.id, both.real.next);
    });
  }
  toString = () =>
    `chanFeed(chan#${this.chan}${this.limit === undefined ? '' : `, limit ${this.limit}`}${this.before === undefined ? '' : `, before pick ${this.before}`}${this.via === undefined ? '' : `, on name#${this.via}'s session`})`;
}

/** Bad requests, each with the code the spec gives it; none may change anything (checked by what follows). */
const BAD_INPUTS = {
  /** OP-2: an op no Operator knows. */
  unknownOp: { rules: ['OP-2'], code: 'UNKNOWN_OP', loggedIn: false, frame: (id: number) => ({ id, op: 'conformanceNoSuchOp' }) },
  /** OP-4: a logged-in op before auth. */
  fetchAnonymously: { rules: ['OP-4'], code: 'UNAUTHENTICATED', loggedIn: false, frame: (id: number) => ({ id, op: 'fetch' }) },
  /** OP-2: a field of the wrong type. */
  wrongType: { rules: ['OP-2'], code: 'MALFORMED', loggedIn: true, frame: (id: number) => ({ id, op: 'fetch', limit: 'all' }) },
  /** OP-2: a field not in the op's list. */
  unknownField: { rules: ['OP-2'], code: 'MALFORMED', loggedIn: true, frame: (id: number) => ({ id, op: 'feed', conformance: 1 }) },
  /** NAME-1, REG-1: an unregistrable name (upper case is never on the wire: names arrive normalised). */
  badName: { rules: ['REG-1', 'OP-2'], code: 'INVALID_NAME', loggedIn: false, frame: (id: number) => ({ id, op: 'lookup', name: 'Not_Normalised' }) },
  /** FEED-4: a post that lives 0 days (refused whatever the post is). */
  zeroDays: { rules: ['FEED-4'], code: 'MALFORMED', loggedIn: true, frame: (id: number) => ({ id, op: 'post', post: new Uint8Array(64), expiresInDays: 0 }) },
} as const;

/** OP-2, OP-4, FEED-4, NAME-1: a bad request gets its exact code on a connection that stays open, and changes nothing. */
export class BadInput implements Cmd {
  constructor(
    readonly kind: keyof typeof BAD_INPUTS,
    readonly who: number,
  ) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    tick(m);
    const bad = BAD_INPUTS[this.kind];
    const name = w.names[this.who]!;
    const loggedIn = bad.loggedIn && m.s.registry.has(name);
    if (bad.loggedIn && !loggedIn) return;
    await checked(w, [...bad.rules, 'OP-3'], async () => {
      const c = loggedIn ? await session(w, m, name) : w.anon;
      const id = c.freshId();
      const frame = await c.rawExchange(encode(bad.frame(id)), id);
      const got = frame.type === 'err' ? frame.code : frame.type;
      agreeOn([...bad.rules], `${this.kind}: refused with ${bad.code}`, bad.code, got);
    });
  }
  toString = () => `bad input: ${this.kind}${BAD_INPUTS[this.kind].loggedIn ? ` (as name#${this.who})` : ''}`;
}

/** The command generators, weighted so that a few dozen steps reach quotas, paging and the posting rate. */
export function commandArbitrary(): fc.Arbitrary<Cmd> {
  // Mostly the first name, so one mailbox fills and one author reaches the posting rate (MB-4, FEED-5).
  const person = fc.constantFrom(0, 0, 0, 0, 1, 2);
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
  const send = fc
    .record({
      to: person,
      // Few fill bytes, so the same letter is often sent twice (MB-11); an hour at least, so nothing expires.
      letter: fc.tuple(fc.integer({ min: 1, max: 60 }), fc.nat(3)).map(([n, b]) => new Uint8Array(n).fill(b)),
      ttl: maybe(fc.constantFrom(HOUR, 2 * HOUR, 12 * HOUR)),
      via: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }),
    })
    .map((r): Cmd => new Send(r.to, r.letter, r.ttl, r.via));
  const post = fc
    .tuple(person, fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom(0, 0, 0, 1, 2, 3), fc.constantFrom(0, 0, 0, 0, 0, 0, -1, -2, 1))
    .map(([p, text, days, offset]): Cmd => new Post(p, text, days, offset));
  return fc.oneof(
    { weight: 1, arbitrary: fc.tuple(person, fc.integer({ min: 0, max: KEY_POOL - 1 })).map(([p, k]): Cmd => new Register(p, k)) },
    { weight: 1, arbitrary: fc.tuple(fc.boolean(), fc.nat(KEY_POOL)).map(([byKey, i]): Cmd => new Lookup(byKey, i)) },
    { weight: 6, arbitrary: send },
    { weight: 2, arbitrary: fc.tuple(person, maybe(fc.integer({ min: 1, max: 5 }))).map(([p, l]): Cmd => new Fetch(p, l)) },
    { weight: 2, arbitrary: fc.tuple(person, fc.array(fc.nat(8), { maxLength: 4 }), fc.boolean()).map(([p, picks, foreign]): Cmd => new Ack(p, picks, foreign)) },
    { weight: 1, arbitrary: fc.tuple(person, maybe(fc.integer({ min: -40, max: 3 }))).map(([p, o]): Cmd => new WorldKey(p, o)) },
    { weight: 4, arbitrary: post },
    { weight: 2, arbitrary: fc.tuple(person, maybe(fc.integer({ min: 1, max: 5 })), maybe(fc.nat(8))).map(([p, l, b]): Cmd => new Feed(p, l, b)) },
    { weight: 1, arbitrary: fc.tuple(person, maybe(fc.nat(8))).map(([p, pick]): Cmd => new Delete(p, pick)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...(Object.keys(BAD_INPUTS) as (keyof typeof BAD_INPUTS)[])), person).map(([k, p]): Cmd => new BadInput(k, p)) },
    {
      weight: 3,
      arbitrary: fc
        .record({
          col: person,
          signer: maybe(fc.nat(KEY_POOL - 1)),
          offset: fc.constantFrom(0, 0, 0, 0, -1, 1),
          entry: fc.tuple(fc.integer({ min: 1, max: 200 }), fc.nat(3)).map(([n, b]) => new Uint8Array(n).fill(b)),
          again: fc.boolean(),
          via: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }),
        })
        .map((r): Cmd => new ColAppend(r.col, r.signer, r.offset, r.entry, r.again, r.via)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(person, fc.nat(3), maybe(fc.integer({ min: 1, max: 3 })), fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }))
        .map(([p, from, limit, via]): Cmd => new ColRead(p, from, limit, via)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(person, fc.constantFrom('Alice', 'Bob B.', 'Carol ✊'), fc.constantFrom(0, 0, 0, -1, -2, 1), fc.constantFrom(0, 0, 0, 1, -90_000, 90_000))
        .map(([p, display, offset, skew]): Cmd => new ProfileSet(p, display, offset, skew)),
    },
    { weight: 1, arbitrary: person.map((p): Cmd => new ProfileGet(p)) },
    {
      weight: 3,
      arbitrary: fc
        .record({
          chan: fc.nat(CHANNELS - 1),
          // Few fill bytes, so the same post is often put twice (STORE-3); an hour at least, so nothing expires.
          post: fc.tuple(fc.constantFrom(8, 20, 40), fc.nat(2)).map(([n, b]) => new Uint8Array(n).fill(b)),
          days: fc.constantFrom(0, 0, 0, 1, 2, 3),
          ttl: maybe(fc.constantFrom(HOUR, 2 * HOUR)),
          via: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }),
        })
        .map((r): Cmd => new ChanPost(r.chan, r.post, r.days, r.ttl, r.via)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.nat(CHANNELS - 1), maybe(fc.integer({ min: 1, max: 5 })), maybe(fc.nat(8)), fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }))
        .map(([chan, limit, before, via]): Cmd => new ChanFeed(chan, limit, before, via)),
    },
  );
}

/** A run's opening: the first name, and maybe the others, register with their own keys. */
export const openingArbitrary: fc.Arbitrary<Register[]> = fc.subarray([1, 2]).map((others) => [0, ...others].map((i) => new Register(i, i)));

/** Options of {@link runModel}. */
export interface RunModelOptions {
  readonly runs: number;
  readonly steps: number;
  readonly seed?: number;
  readonly progress?: ((line: string) => void) | undefined;
}

/** What the model-based part found. */
export interface ModelOutcome {
  /** Rules some command checked and found kept, with how many commands did. */
  readonly checked: ReadonlyMap<string, number>;
  /** The first violation, with the sequence that shows it, if any. */
  readonly failure?: { readonly rules: readonly string[]; readonly what: string; readonly expected: unknown; readonly got: unknown; readonly detail: string };
  readonly seed: number;
  readonly runs: number;
}

/**
 * Runs `runs` random sequences against the model and the Operator, each with names and keys of its own.
 * No shrinking: every replay against a live Operator costs registrations (and their proof of work); the
 * report gives the failing sequence as run, and the seed to replay the whole invocation.
 */
export async function runModel(target: Target, o: RunModelOptions): Promise<ModelOutcome> {
  const info = target.info.limits;
  // STORE-2's budget is the Operator's own and shared with everyone: the kit cannot see it, so a refusal
  // for it would show up as a disagreement (and says the Operator is full).
  const limits: ModelLimits = { mailboxItems: info.mailboxItems, mailboxBytes: info.mailboxBytes, mailTtlMs: info.mailTtlMs, maxPostDays: info.maxPostDays, postsPerHour: info.postsPerHour, fetchItems: info.fetchItems, feedItems: info.feedItems, storageBytes: Number.MAX_SAFE_INTEGER, logEntries: Number.MAX_SAFE_INTEGER, logItems: Number.MAX_SAFE_INTEGER, chanPosts: Number.MAX_SAFE_INTEGER, chanPostsPerHour: Number.MAX_SAFE_INTEGER };
  // COL-22, COL-23: `info` does not announce the log bounds; a run's few entries stay far below any
  // sensible `logEntries`, and a page cut short by `logItems` is accepted as a prefix (ColRead).
  // CHAN-10: nor the channel bounds; a run's channels are its own and get a few posts each, far below
  // any sensible `chanPosts` and `chanPostsPerHour`.
  const checkedRules = new Map<string, number>();
  const epochKeys = new Map<number, string>();
  const seed = o.seed ?? (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
  let n = 0;
  let last: { world: World; names: readonly string[] } | undefined;
  const property = fc.asyncProperty(openingArbitrary, fc.commands([commandArbitrary()], { maxCommands: o.steps, size: 'max' }), async (opening, cmds) => {
    n++;
    o.progress?.(`model run ${n}/${o.runs}`);
    const anon = await target.connect();
    // LIMIT-7: a connection answered ok keeps its slot while the run is long.
    await anon.request('info', {});
    const names = Array.from({ length: PEOPLE }, (_, i) => freshName(String.fromCharCode(97 + i)));
    const world: World = { target, limits, anon, names, keys: freshKeys(KEY_POOL), sessions: new Map(), mailIds: new Map(), posts: new Map(), epochKeys, checked: checkedRules, profileExpiry: new Map(), channels: freshChannels(), chanIds: new Map() };
    last = { world, names };
    try {
      await fc.asyncModelRun(() => ({ model: { s: model.initialState(Date.now()) }, real: world }), [...opening, ...cmds]);
    } finally {
      await Promise.all([anon.close(), ...[...world.sessions.values()].map((c) => c.close())]);
    }
  });
  const details = await fc.check(property, { numRuns: o.runs, seed, endOnFailure: true });
  if (!details.failed) return { checked: checkedRules, seed, runs: n };
  const err = details.errorInstance;
  const sequence = details.counterexample ? String(details.counterexample[1]) : '';
  const opening = details.counterexample ? (details.counterexample[0] as Register[]).map(String).join(', ') : '';
  const names = last ? last.names.map((nm, i) => `name#${i} = ${nm}`).join(', ') : '';
  const detail = `sequence: ${opening}${sequence ? `, ${sequence}` : ''}\n${names}\nreplay: --seed ${seed} (run ${n})`;
  if (err instanceof RuleViolation) return { checked: checkedRules, seed, runs: n, failure: { rules: err.rules, what: err.message, expected: err.expected, got: err.got, detail } };
  return { checked: checkedRules, seed, runs: n, failure: { rules: ['OP-6'], what: 'the run ended with an error that is no rule violation', expected: 'answers', got: String((err as Error)?.message ?? err), detail } };
}
