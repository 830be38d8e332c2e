/**
 * The commands of the Operator's model-based test: one class per protocol step. `check` is only a
 * precondition on the model; `run` applies the step to the model (`spec/model/operator-model.ts`) and to
 * the real Operator (real WebSocket, a controllable clock shared with the model) and asserts they agree:
 * answers, error codes, fetched letters in order, feed pages newest first, sweep counts.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ProtocolError, SymmetricKey, decryptFrom, toHex, type KeyPair } from '@comrad/core';
import { createLetter, createProfile, deriveChannel, sealPost, sealProfile } from '@comrad/core/envelope';
import { signAppend } from '@comrad/core/collective';
import { Keymaker } from '@comrad/core/keymaker';
import { makeRegisterProof, verifyLookup } from '@comrad/core/wire';
import { blindTokens } from '@comrad/core/tokens';
import type { TestClient } from '@comrad/test-kit/operator/client';
import type { TestOperator } from '@comrad/test-kit/operator/fixtures';
import * as model from '../model/operator-model.js';
import { DAY, HOUR, epochAt, type ModelAnswer, type ModelLimits, type ModelState } from '../model/operator-model.js';

/** Small limits, so random runs of 25 steps reach every edge (MB-4 both ways, FEED-5, FEED-6 paging, STORE-2). */
export const LIMITS: ModelLimits = {
  mailboxItems: 3,
  mailboxBytes: 100,
  mailTtlMs: 6 * HOUR,
  maxPostDays: 2,
  postsPerHour: 2,
  fetchItems: 3,
  feedItems: 3,
  // STORE-2: two sealed posts (a 512-byte bucket, about 620 bytes each) and some letters; a third post or
  // a few more letters reach it.
  storageBytes: 1500,
  // COL-22, COL-23: a log fills after three entries, and a read pages after two.
  logEntries: 3,
  logItems: 2,
  // CHAN-10: a channel fills after four posts and takes three an hour, so both bounds are reached.
  chanPosts: 4,
  chanPostsPerHour: 3,
};

/** The names the runs use: few, so names, keys and mailboxes collide often. */
export const PEOPLE = ['alice', 'bob', 'carol'] as const;
/** How many key pairs the runs draw from (one more than names, so KEY_TAKEN and NAME_TAKEN both happen). */
export const KEY_POOL = 4;

/** The model side: the pure state, replaced after every step. */
export interface ModelBox {
  s: ModelState;
}

/** The real side of one run. */
export interface World {
  readonly t: TestOperator;
  /** A connection that never logs in: register, lookup, send (MB-7). */
  readonly anon: TestClient;
  readonly keys: readonly KeyPair[];
  /** Logged-in connections, opened on first use. */
  readonly sessions: Map<string, TestClient>;
  /** Letter `seq` → its recipient and the id the Operator gave it (learned from fetches). */
  readonly mailIds: Map<number, { readonly to: string; readonly id: string }>;
  /**
   * Post `seq` → id (from `post` answers), deleted and swept posts included: their ids stay valid `before`
   * cursors, and every later post's id must sort after them (OP-5).
   */
  readonly postIds: Map<number, string>;
  /** Epoch → its key (hex) as first handed out: FEED-1 says it never changes. */
  readonly epochKeys: Map<number, string>;
  /** Channel post `seq` → its channel (index) and the id the Operator gave it (CHAN-7). */
  readonly chanIds: Map<number, { readonly chan: number; readonly id: string }>;
}

type Cmd = fc.AsyncCommand<ModelBox, World>;

/** `ok` or the refusal code of a real request; anything but a ProtocolError is a test failure. */
async function outcome<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    if (err instanceof ProtocolError) return { ok: false, code: err.code };
    throw err;
  }
}

const codeOf = (a: { ok: boolean; code?: string }): string => (a.ok ? 'ok' : a.code!);

/** Asserts the real answer has the model's code, and returns the real value when both succeeded. */
async function agree<T, U>(real: Promise<T>, expected: ModelAnswer<U>): Promise<{ real: T; model: U } | undefined> {
  const got = await outcome(real);
  expect(codeOf(got)).toBe(codeOf(expected));
  return got.ok && expected.ok ? { real: got.value, model: expected.value } : undefined;
}

const registered = (m: ModelBox, who: number) => m.s.registry.has(PEOPLE[who]!);

/** The logged-in connection of `name` (AUTH-2, at the Operator's clock so AUTH-4 holds after jumps). */
async function session(w: World, m: ModelBox, name: string): Promise<TestClient> {
  let c = w.sessions.get(name);
  if (!c) {
    c = await w.t.connect();
    await c.auth(new Keymaker(name, keyOf(w, m, name)), w.t.clock.now());
    w.sessions.set(name, c);
  }
  return c;
}

/** The pool key pair registered under `name` (per the model). */
function keyOf(w: World, m: ModelBox, name: string): KeyPair {
  const hex = m.s.registry.get(name);
  const kp = w.keys.find((k) => k.publicKey.toHex() === hex);
  if (!kp) throw new Error(`no pool key is registered as ${name}`);
  return kp;
}

/** The epoch key of `epoch` through `worldKey`, checked to be the one first handed out (FEED-1). */
async function epochKey(w: World, c: TestClient, kp: KeyPair, epoch: number): Promise<string> {
  const r = await c.request('worldKey', { epoch });
  expect(r.epoch).toBe(epoch);
  const key = toHex(decryptFrom(kp.privateKey, w.t.keys.world.publicKey, r.sealed));
  const first = w.epochKeys.get(epoch);
  if (first === undefined) w.epochKeys.set(epoch, key);
  else expect(key, `FEED-1 the key of epoch ${epoch} changed`).toBe(first);
  return key;
}

/** Comrade `who`'s logged-in connection and the real world key of the epoch `offset` days from now (FEED-2). */
async function authorAt(w: World, m: ModelBox, who: number, offset: number) {
  const name = PEOPLE[who]!;
  const kp = keyOf(w, m, name);
  const c = await session(w, m, name);
  const epoch = epochAt(m.s.now) + offset;
  const key = SymmetricKey.from(Buffer.from(await epochKey(w, c, kp, epoch), 'hex'));
  return { name, kp, c, epoch, key };
}

/** REG-1, REG-2, REG-5: register a pool name with a pool key; a success carries a true statement (REG-4). */
export class Register implements Cmd {
  constructor(
    readonly who: number,
    readonly key: number,
  ) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    const name = PEOPLE[this.who]!;
    const kp = w.keys[this.key]!;
    const step = model.register(m.s, name, kp.publicKey.toHex());
    const operatorKey = w.t.keys.operator.publicKey;
    const proof = makeRegisterProof(kp.privateKey, name, kp.publicKey, operatorKey);
    const both = await agree(w.anon.request('register', { name, key: kp.publicKey, proof }), step.answer);
    if (both) expect(verifyLookup(both.real.statement, operatorKey, name).key.toHex()).toBe(kp.publicKey.toHex());
    m.s = step.state;
  }
  toString = () => `register(${PEOPLE[this.who]}, key#${this.key})`;
}

/** REG-4: lookup by name or by key; a found answer is a statement signed by the Operator about exactly that. */
export class Lookup implements Cmd {
  constructor(
    readonly byKey: boolean,
    readonly index: number,
  ) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    const operatorKey = w.t.keys.operator.publicKey;
    if (this.byKey) {
      const key = w.keys[this.index % w.keys.length]!.publicKey;
      const both = await agree(w.anon.request('lookup', { key }), model.lookupKey(m.s, key.toHex()));
      if (both) expect(verifyLookup(both.real.statement, operatorKey, { key }).name).toBe(both.model);
    } else {
      const name = PEOPLE[this.index % PEOPLE.length]!;
      const both = await agree(w.anon.request('lookup', { name }), model.lookup(m.s, name));
      if (both) expect(verifyLookup(both.real.statement, operatorKey, name).key.toHex()).toBe(both.model);
    }
  }
  toString = () => (this.byKey ? `lookup(key#${this.index % KEY_POOL})` : `lookup(${PEOPLE[this.index % PEOPLE.length]})`);
}

/** MB-1, MB-4, MB-5, MB-6, MB-7, MB-8, MB-11: send a letter, anonymously or (refused) on a logged-in connection. */
export class Send implements Cmd {
  constructor(
    readonly to: number,
    readonly letter: Uint8Array,
    readonly ttl: number | undefined,
    /** Index of the logged-in sender whose connection carries it (MB-7), or undefined for anonymous. */
    readonly via: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => this.via === undefined || registered(m, this.via);
  async run(m: ModelBox, w: World): Promise<void> {
    const to = PEOPLE[this.to]!;
    const step = model.send(m.s, LIMITS, { to, letter: toHex(this.letter), ttl: this.ttl, loggedIn: this.via !== undefined });
    const conn = this.via === undefined ? w.anon : await session(w, m, PEOPLE[this.via]!);
    const recipient = w.sessions.get(to);
    const both = await agree(conn.request('send', { to, letter: this.letter, ...(this.ttl === undefined ? {} : { ttl: this.ttl }) }), step.answer);
    // MB-6: a logged-in recipient hears of a stored letter (and of nothing else: see Fetch); MB-11: a letter
    // already held is not stored again, so it is not announced again.
    if (both && recipient && step.state !== m.s) await recipient.nextMailPush();
    m.s = step.state;
  }
  toString = () =>
    `send(to ${PEOPLE[this.to]}, ${this.letter.length} B${this.ttl === undefined ? '' : `, ttl ${this.ttl} ms`}${this.via === undefined ? '' : `, on ${PEOPLE[this.via]}'s session`})`;
}

/** MB-2, MB-5: fetch returns the unexpired letters oldest first, the same ones until acked; ids are stable. */
export class Fetch implements Cmd {
  constructor(
    readonly who: number,
    readonly limit: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => registered(m, this.who);
  async run(m: ModelBox, w: World): Promise<void> {
    const name = PEOPLE[this.who]!;
    const c = await session(w, m, name);
    const expected = model.fetch(m.s, LIMITS, name, this.limit);
    const got = await c.request('fetch', this.limit === undefined ? {} : { limit: this.limit });
    expect(got.items.map((i) => [toHex(i.letter), i.receivedAt])).toEqual(expected.map((x) => [x.letter, x.receivedAt]));
    got.items.forEach((item, n) => {
      const seq = expected[n]!.seq;
      const known = w.mailIds.get(seq);
      if (known) expect(item.id).toBe(known.id);
      else w.mailIds.set(seq, { to: name, id: item.id });
    });
    // MB-6: every push was for a stored letter, and each was consumed by the Send that caused it.
    expect(c.unreadPushes).toBe(0);
  }
  toString = () => `fetch(${PEOPLE[this.who]}${this.limit === undefined ? '' : `, limit ${this.limit}`})`;
}

/** MB-3: ack deletes exactly the named letters of one's own mailbox; unknown, repeated and foreign ids count 0. */
export class Ack implements Cmd {
  constructor(
    readonly who: number,
    readonly picks: readonly number[],
    readonly foreign: boolean,
  ) {}
  check = (m: Readonly<ModelBox>) => registered(m, this.who);
  async run(m: ModelBox, w: World): Promise<void> {
    const name = PEOPLE[this.who]!;
    const known = [...w.mailIds].sort(([a], [b]) => a - b);
    const own = known.filter(([, x]) => x.to === name);
    const chosen = own.length === 0 ? [] : this.picks.map((p) => own[p % own.length]!);
    const other = known.find(([, x]) => x.to !== name);
    if (this.foreign && other) chosen.push(other);
    const step = model.ack(m.s, name, chosen.map(([seq]) => seq));
    const c = await session(w, m, name);
    const got = await c.request('ack', { ids: chosen.map(([, x]) => x.id) });
    expect(got.deleted).toBe(step.answer.ok ? step.answer.value : undefined);
    m.s = step.state;
  }
  toString = () => `ack(${PEOPLE[this.who]}, picks [${this.picks.join(',')}]${this.foreign ? ', + a foreign id' : ''})`;
}

/** FEED-1, FEED-2: epoch keys from current − maxPostDays − 1 to current + 1, one key per epoch, forever. */
export class WorldKey implements Cmd {
  constructor(
    readonly who: number,
    readonly offset: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => registered(m, this.who);
  async run(m: ModelBox, w: World): Promise<void> {
    const name = PEOPLE[this.who]!;
    const epoch = this.offset === undefined ? undefined : epochAt(m.s.now) + this.offset;
    const c = await session(w, m, name);
    const expected = model.worldKey(m.s, LIMITS, epoch);
    if (expected.ok) await epochKey(w, c, keyOf(w, m, name), expected.value);
    else await agree(c.request('worldKey', epoch === undefined ? {} : { epoch }), expected);
  }
  toString = () => `worldKey(${PEOPLE[this.who]}${this.offset === undefined ? '' : `, epoch ${this.offset >= 0 ? '+' : ''}${this.offset}`})`;
}

/**
 * FEED-3, FEED-4, FEED-5: a sealed post (core's sealPost under the real epoch key), kept `days` or `ttl`
 * ms when that is shorter; ids sort in posting order.
 */
export class Post implements Cmd {
  constructor(
    readonly who: number,
    readonly text: string,
    readonly days: number,
    readonly offset: number,
    readonly ttl?: number,
  ) {}
  check = (m: Readonly<ModelBox>) => registered(m, this.who);
  async run(m: ModelBox, w: World): Promise<void> {
    // Offsets −2..+1 are inside the worldKey window whenever maxPostDays ≥ 1 (FEED-2).
    const { name, kp, c, epoch, key } = await authorAt(w, m, this.who, this.offset);
    const letter = createLetter({ kind: 'post', from: name, body: { text: this.text }, at: Math.floor(m.s.now / 1000) });
    const sealed = sealPost(letter, kp, key, epoch);
    const life = { expiresInDays: this.days, ...(this.ttl !== undefined ? { ttl: this.ttl } : {}) };
    const step = model.post(m.s, LIMITS, { author: name, post: toHex(sealed), epoch, ...life });
    const both = await agree(c.request('post', { post: sealed, ...life }), step.answer);
    if (both) {
      expect(both.real.expiresAt).toBe(both.model.expiresAt);
      // OP-5: ids sort in arrival order, after every id handed out before — deleted and swept posts' too.
      for (const id of w.postIds.values()) expect(both.real.id > id, `OP-5 ${both.real.id} after ${id}`).toBe(true);
      w.postIds.set(both.model.seq, both.real.id);
    }
    m.s = step.state;
  }
  toString = () => `post(${PEOPLE[this.who]}, ${JSON.stringify(this.text)}, ${this.days} d${this.ttl !== undefined ? `, ttl ${this.ttl} ms` : ''}, epoch ${this.offset >= 0 ? '+' : ''}${this.offset})`;
}

/** FEED-4, FEED-6: a page of unexpired posts, newest first, before a known post; `next` when more follow. */
export class Feed implements Cmd {
  constructor(
    readonly who: number,
    readonly limit: number | undefined,
    readonly before: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => registered(m, this.who);
  async run(m: ModelBox, w: World): Promise<void> {
    const c = await session(w, m, PEOPLE[this.who]!);
    // Any post ever made, deleted or swept ones included: a reader's cursor may outlive its post (OP-5).
    const seqs = [...w.postIds.keys()].sort((a, b) => a - b);
    const beforeSeq = this.before === undefined || seqs.length === 0 ? undefined : seqs[this.before % seqs.length];
    const expected = model.feed(m.s, LIMITS, this.limit, beforeSeq);
    const params = { ...(beforeSeq === undefined ? {} : { before: w.postIds.get(beforeSeq)! }), ...(this.limit === undefined ? {} : { limit: this.limit }) };
    const got = await c.request('feed', params);
    const view = (p: { id: string; author: string; epoch: number; post: string; postedAt: number; expiresAt: number }) => [p.id, p.author, p.epoch, p.post, p.postedAt, p.expiresAt];
    expect(got.posts.map((p) => view({ ...p, post: toHex(p.post) }))).toEqual(expected.posts.map((p) => view({ ...p, id: w.postIds.get(p.seq)! })));
    expect(got.next).toBe(expected.next === undefined ? undefined : w.postIds.get(expected.next));
  }
  toString = () => `feed(${PEOPLE[this.who]}${this.limit === undefined ? '' : `, limit ${this.limit}`}${this.before === undefined ? '' : `, before pick ${this.before}`})`;
}

/** An id of the right shape that no store ever handed out (time 0 is 1970). */
const NEVER_ISSUED = '0000000000' + '0000' + '000000000000';

/** FEED-8: only the author deletes; "not yours" and "no such post" are one answer. */
export class Delete implements Cmd {
  constructor(
    readonly who: number,
    readonly pick: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => registered(m, this.who);
  async run(m: ModelBox, w: World): Promise<void> {
    const name = PEOPLE[this.who]!;
    const seqs = [...w.postIds.keys()].sort((a, b) => a - b);
    const seq = this.pick === undefined || seqs.length === 0 ? -1 : seqs[this.pick % seqs.length]!;
    const step = model.deletePost(m.s, name, seq);
    const c = await session(w, m, name);
    await agree(c.request('delete', { postId: seq < 0 ? NEVER_ISSUED : w.postIds.get(seq)! }), step.answer);
    m.s = step.state;
  }
  toString = () => `delete(${PEOPLE[this.who]}, ${this.pick === undefined ? 'a never-issued id' : `pick ${this.pick}`})`;
}

/** The clock moves (both sides): MB-5 and FEED-4 hide what expired, AUTH-4 follows the Operator's clock. */
export class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    w.t.clock.advance(this.ms);
    m.s = model.advance(m.s, this.ms);
  }
  toString = () => `advance(${this.ms % HOUR === 0 ? `${this.ms / HOUR} h` : `${this.ms} ms`})`;
}

/** MB-5, FEED-4: the sweep deletes exactly what expired, and says how much. */
export class Sweep implements Cmd {
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    const step = model.sweep(m.s);
    expect(await w.t.op.sweep()).toEqual(step.removed);
    m.s = step.state;
  }
  toString = () => 'sweep()';
}

/**
 * COL-20, COL-22, COL-23: an append to the log of a registered name, signed with a pool key (the name's
 * own, or another: BAD_SIGNATURE), at the log's end or off it (OUT_OF_ORDER), or the very entry already at
 * a position again (a retry: success, nothing stored); now and then on a logged-in connection (FORBIDDEN).
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
  check = (m: Readonly<ModelBox>) => this.via === undefined || registered(m, this.via);
  async run(m: ModelBox, w: World): Promise<void> {
    const col = PEOPLE[this.col]!;
    const log = m.s.logs.get(col) ?? [];
    const pos = Math.max(0, log.length + this.offset);
    const entry = this.again && pos < log.length ? Buffer.from(log[pos]!, 'hex') : this.entry;
    // The name's own key by default (the signer the registry holds), or a given pool key.
    const kp = this.signer === undefined ? (m.s.registry.has(col) ? keyOf(w, m, col) : w.keys[0]!) : w.keys[this.signer]!;
    const sig = signAppend({ name: col, identity: kp, logKey: SymmetricKey.generate() }, pos, entry);
    const step = model.colAppend(m.s, LIMITS, { col, pos, entry: toHex(entry), signedBy: kp.publicKey.toHex(), loggedIn: this.via !== undefined });
    const conn = this.via === undefined ? w.anon : await session(w, m, PEOPLE[this.via]!);
    await agree(conn.request('colAppend', { col, pos, entry, sig }), step.answer);
    m.s = step.state;
  }
  toString = () =>
    `colAppend(${PEOPLE[this.col]}, ${this.signer === undefined ? "its own key" : `key#${this.signer}`}, end${this.offset >= 0 ? '+' : ''}${this.offset}, ${this.again ? 'the entry held there' : `${this.entry.length} B`}${this.via === undefined ? '' : `, on ${PEOPLE[this.via]}'s session`})`;
}

/** COL-23: a page of a log from a position, and its length; refused on a logged-in connection (COL-20). */
export class ColRead implements Cmd {
  constructor(
    readonly col: number,
    readonly from: number,
    readonly limit: number | undefined,
    readonly via: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => this.via === undefined || registered(m, this.via);
  async run(m: ModelBox, w: World): Promise<void> {
    const col = PEOPLE[this.col]!;
    const expected = model.colRead(m.s, LIMITS, col, this.from, this.limit, this.via !== undefined);
    const conn = this.via === undefined ? w.anon : await session(w, m, PEOPLE[this.via]!);
    const both = await agree(conn.request('colRead', { col, from: this.from, ...(this.limit === undefined ? {} : { limit: this.limit }) }), expected);
    if (both) expect({ entries: both.real.entries.map((e) => toHex(e)), length: both.real.length }).toEqual(both.model);
  }
  toString = () => `colRead(${PEOPLE[this.col]}, from ${this.from}${this.limit === undefined ? '' : `, limit ${this.limit}`}${this.via === undefined ? '' : `, on ${PEOPLE[this.via]}'s session`})`;
}

/**
 * PROF-10: a profile sealed under the real world key of an epoch (current, previous, older, next) with a
 * signed time now, a day and more ahead or behind; a second in the same second is OUT_OF_ORDER.
 */
export class ProfileSet implements Cmd {
  constructor(
    readonly who: number,
    readonly display: string,
    readonly offset: number,
    readonly skew: number,
  ) {}
  check = (m: Readonly<ModelBox>) => registered(m, this.who);
  async run(m: ModelBox, w: World): Promise<void> {
    const { name, kp, c, epoch, key } = await authorAt(w, m, this.who, this.offset);
    const at = Math.floor(m.s.now / 1000) + this.skew;
    const sealed = sealProfile(createProfile({ name, display: this.display, at }), kp, key, epoch);
    const step = model.profileSet(m.s, LIMITS, { author: name, profile: toHex(sealed), epoch, at });
    const both = await agree(c.request('profileSet', { profile: sealed }), step.answer);
    if (both) expect(both.real.expiresAt).toBe(both.model);
    m.s = step.state;
  }
  toString = () => `profileSet(${PEOPLE[this.who]}, ${JSON.stringify(this.display)}, epoch ${this.offset >= 0 ? '+' : ''}${this.offset}, at ${this.skew >= 0 ? '+' : ''}${this.skew} s)`;
}

/** PROF-11: the latest unexpired profile of a name, as put, on a connection that is not logged in. */
export class ProfileGet implements Cmd {
  constructor(readonly who: number) {}
  check = () => true;
  async run(m: ModelBox, w: World): Promise<void> {
    const name = PEOPLE[this.who]!;
    const both = await agree(w.anon.request('profileGet', { name }), model.profileGet(m.s, name));
    if (both) expect([toHex(both.real.profile), both.real.expiresAt]).toEqual([both.model.profile, both.model.expiresAt]);
  }
  toString = () => `profileGet(${PEOPLE[this.who]})`;
}

/** How many channels the runs post to: few, so one channel reaches its bounds. */
export const CHANNELS = 2;

/** Channel `i`'s key, id and capability (CHAN-1): fixed, since every run starts on an empty store. */
function channel(i: number): { readonly id: Uint8Array; readonly cap: Uint8Array; readonly hex: string } {
  const { id, cap } = deriveChannel(SymmetricKey.from(new Uint8Array(32).fill(0xc0 + i)));
  return { id, cap, hex: toHex(id) };
}

/**
 * CHAN-6, CHAN-7, CHAN-9, CHAN-10, OP-5: a channel post (opaque bytes: the Operator never reads it) by
 * capability, kept `days` or `ttl` ms; the same bytes again answer as stored; the channel's bounds; on a
 * logged-in connection FORBIDDEN. Ids sort in arrival order within a channel.
 */
export class ChanPost implements Cmd {
  constructor(
    readonly chan: number,
    readonly post: Uint8Array,
    readonly days: number,
    readonly ttl: number | undefined,
    /** Index of the logged-in comrade whose connection carries it (CHAN-6), or undefined for anonymous. */
    readonly via: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => this.via === undefined || registered(m, this.via);
  async run(m: ModelBox, w: World): Promise<void> {
    const { cap, hex } = channel(this.chan);
    const life = { expiresInDays: this.days, ...(this.ttl !== undefined ? { ttl: this.ttl } : {}) };
    const step = model.chanPost(m.s, LIMITS, { chan: hex, post: toHex(this.post), ...life, loggedIn: this.via !== undefined });
    const conn = this.via === undefined ? w.anon : await session(w, m, PEOPLE[this.via]!);
    const both = await agree(conn.request('chanPost', { cap, post: this.post, ...life }), step.answer);
    if (both) {
      expect(both.real.expiresAt).toBe(both.model.expiresAt);
      const known = w.chanIds.get(both.model.seq);
      // STORE-3: a retry answers the id it was given; a new post's id sorts after its channel's others (OP-5).
      if (known) expect(both.real.id).toBe(known.id);
      else {
        for (const x of w.chanIds.values()) if (x.chan === this.chan) expect(both.real.id > x.id, `OP-5 ${both.real.id} after ${x.id}`).toBe(true);
        w.chanIds.set(both.model.seq, { chan: this.chan, id: both.real.id });
      }
    }
    m.s = step.state;
  }
  toString = () =>
    `chanPost(chan#${this.chan}, ${this.post.length} B fill ${this.post[0]}, ${this.days} d${this.ttl === undefined ? '' : `, ttl ${this.ttl} ms`}${this.via === undefined ? '' : `, on ${PEOPLE[this.via]}'s session`})`;
}

/** CHAN-6, CHAN-8: a page of a channel's unexpired posts, newest first, before one of its posts; `next` when more follow. */
export class ChanFeed implements Cmd {
  constructor(
    readonly chan: number,
    readonly limit: number | undefined,
    readonly before: number | undefined,
    readonly via: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => this.via === undefined || registered(m, this.via);
  async run(m: ModelBox, w: World): Promise<void> {
    const { id, hex } = channel(this.chan);
    // Any post of this channel ever made, swept ones included: a cursor may outlive its post (OP-5).
    const seqs = [...w.chanIds].filter(([, x]) => x.chan === this.chan).map(([seq]) => seq).sort((a, b) => a - b);
    const beforeSeq = this.before === undefined || seqs.length === 0 ? undefined : seqs[this.before % seqs.length]!;
    const expected = model.chanFeed(m.s, LIMITS, hex, this.limit, beforeSeq, this.via !== undefined);
    const conn = this.via === undefined ? w.anon : await session(w, m, PEOPLE[this.via]!);
    const params = { chan: id, ...(beforeSeq === undefined ? {} : { before: w.chanIds.get(beforeSeq)!.id }), ...(this.limit === undefined ? {} : { limit: this.limit }) };
    const both = await agree(conn.request('chanFeed', params), expected);
    if (!both) return;
    const idOf = (seq: number) => w.chanIds.get(seq)!.id;
    // CHAN-9: a post comes back as its bytes and times, nothing else.
    // VOTE-10: with its tally when anyone voted.
    const tally = (p: model.ModelChanPost) => {
      const t = model.chanTally(p);
      return t.up || t.down ? t : {};
    };
    expect(both.real.posts.map((p) => ({ ...p, post: toHex(p.post) }))).toEqual(both.model.posts.map((p) => ({ id: idOf(p.seq), post: p.post, postedAt: p.postedAt, expiresAt: p.expiresAt, ...tally(p) })));
    expect(both.real.next).toBe(both.model.next === undefined ? undefined : idOf(both.model.next));
  }
  toString = () =>
    `chanFeed(chan#${this.chan}${this.limit === undefined ? '' : `, limit ${this.limit}`}${this.before === undefined ? '' : `, before pick ${this.before}`}${this.via === undefined ? '' : `, on ${PEOPLE[this.via]}'s session`})`;
}

/** VOTE-8: the test's voters: one fixed `voter` value each (the Operator sees 32 bytes, never whose). */
const VOTERS = [0x51, 0x52, 0x53].map((b) => new Uint8Array(32).fill(b));

/**
 * VOTE-7, VOTE-9, VOTE-10, TOK-10: a vote on a channel post, paid with a token `payer` obtained just
 * before on their logged-in connection, showing the capability of the post's channel or of the other one
 * (NOT_FOUND, nothing changed); the same choice twice is DUPLICATE; on a logged-in connection FORBIDDEN.
 */
export class ChanVote implements Cmd {
  constructor(
    readonly chan: number,
    /** Which of the channel's posts ever made (swept ones included), or undefined for an id never given. */
    readonly pick: number | undefined,
    readonly otherCap: boolean,
    readonly voter: number,
    readonly choice: 1 | -1 | 0,
    readonly payer: number,
    readonly via: number | undefined,
  ) {}
  check = (m: Readonly<ModelBox>) => registered(m, this.payer) && (this.via === undefined || registered(m, this.via));
  async run(m: ModelBox, w: World): Promise<void> {
    const seqs = [...w.chanIds].filter(([, x]) => x.chan === this.chan).map(([seq]) => seq).sort((a, b) => a - b);
    const seq = this.pick === undefined || seqs.length === 0 ? undefined : seqs[this.pick % seqs.length]!;
    const shown = channel(this.otherCap ? (this.chan + 1) % CHANNELS : this.chan);
    const step = model.chanVote(m.s, { chan: shown.hex, seq, voter: this.voter, choice: this.choice, loggedIn: this.via !== undefined });
    const { keys } = await w.anon.request('tokenKeys', {});
    const blinded = await blindTokens(keys[keys.length - 1]!.key, 1);
    const { responses } = await (await session(w, m, PEOPLE[this.payer]!)).request('tokens', { requests: blinded.requests });
    const [token] = await blinded.finish(responses);
    const conn = this.via === undefined ? w.anon : await session(w, m, PEOPLE[this.via]!);
    const post = seq === undefined ? '00zzzzzzzz00000000000000aa' : w.chanIds.get(seq)!.id;
    const choice = this.choice === 1 ? 'up' : this.choice === -1 ? 'down' : 'none';
    const both = await agree(conn.request('chanVote', { cap: shown.cap, post, voter: VOTERS[this.voter]!, choice, token: token! }), step.answer);
    if (both) expect(both.real).toEqual(both.model);
    m.s = step.state;
  }
  toString = () =>
    `chanVote(chan#${this.chan}, ${this.pick === undefined ? 'an id never given' : `pick ${this.pick}`}${this.otherCap ? ", the other channel's capability" : ''}, voter ${this.voter}, ${this.choice}, paid by ${PEOPLE[this.payer]}${this.via === undefined ? '' : `, on ${PEOPLE[this.via]}'s session`})`;
}

/** Mostly alice, so one mailbox fills and one author reaches the posting rate (MB-4, FEED-5). */
const person = fc.constantFrom(0, 0, 0, 0, 1, 2);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });

const register = fc.tuple(person, fc.integer({ min: 0, max: KEY_POOL - 1 })).map(([p, k]): Cmd => new Register(p, k));
const send = fc
  .record({
    to: person,
    // Lengths drawn evenly (arrays would mostly be short), so the byte quota is reached too; few fill bytes,
    // so the same letter is often sent twice (MB-11).
    letter: fc.tuple(fc.integer({ min: 1, max: 60 }), fc.nat(3)).map(([n, b]) => new Uint8Array(n).fill(b)),
    ttl: maybe(fc.constantFrom(60_000, 2 * HOUR, 12 * HOUR)),
    // Mostly anonymous; one in eight on a logged-in connection (MB-7).
    via: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }),
  })
  .map((r): Cmd => new Send(r.to, r.letter, r.ttl, r.via));
const post = fc
  .tuple(
    person,
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.constantFrom(1, 1, 1, 2, LIMITS.maxPostDays + 1),
    fc.constantFrom(0, 0, 0, 0, 0, 0, -1, -2, 1),
    // FEED-4: a ttl shorter than the days (it wins), and one longer (the days win).
    maybe(fc.constantFrom(60_000, 2 * HOUR, 3 * DAY)),
  )
  .map(([p, text, days, offset, ttl]): Cmd => new Post(p, text, days, offset, ttl));

const colAppend = fc
  .record({
    col: person,
    signer: maybe(fc.nat(KEY_POOL - 1)),
    offset: fc.constantFrom(0, 0, 0, 0, -1, 1),
    entry: fc.tuple(fc.integer({ min: 1, max: 200 }), fc.nat(3)).map(([n, b]) => new Uint8Array(n).fill(b)),
    again: fc.boolean(),
    via: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }),
  })
  .map((r): Cmd => new ColAppend(r.col, r.signer, r.offset, r.entry, r.again, r.via));
const colRead = fc
  .tuple(person, fc.nat(3), maybe(fc.integer({ min: 1, max: 3 })), fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }))
  .map(([p, from, limit, via]): Cmd => new ColRead(p, from, limit, via));
const chanPost = fc
  .record({
    chan: fc.nat(CHANNELS - 1),
    // Few fill bytes, so the same post is often sent twice (a retry, STORE-3).
    post: fc.tuple(fc.constantFrom(8, 20, 40), fc.nat(2)).map(([n, b]) => new Uint8Array(n).fill(b)),
    days: fc.constantFrom(1, 1, 2, LIMITS.maxPostDays + 1),
    ttl: maybe(fc.constantFrom(60_000, 2 * HOUR, 3 * DAY)),
    via: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }),
  })
  .map((r): Cmd => new ChanPost(r.chan, r.post, r.days, r.ttl, r.via));
const chanFeed = fc
  .tuple(fc.nat(CHANNELS - 1), maybe(fc.integer({ min: 1, max: 5 })), maybe(fc.nat(8)), fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }))
  .map(([chan, limit, before, via]): Cmd => new ChanFeed(chan, limit, before, via));
const chanVote = fc
  .record({
    chan: fc.nat(CHANNELS - 1),
    pick: fc.option(fc.nat(8), { nil: undefined, freq: 8 }),
    otherCap: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    voter: fc.nat(VOTERS.length - 1),
    choice: fc.constantFrom<1 | -1 | 0>(1, 1, -1, 0),
    payer: person,
    via: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: person }),
  })
  .map((r): Cmd => new ChanVote(r.chan, r.pick, r.otherCap, r.voter, r.choice, r.payer, r.via));
const profileSet = fc
  .tuple(person, fc.constantFrom('Alice', 'Bob B.', 'Carol ✊'), fc.constantFrom(0, 0, 0, -1, -2, 1), fc.constantFrom(0, 0, 0, 1, -90_000, 90_000))
  .map(([p, display, offset, skew]): Cmd => new ProfileSet(p, display, offset, skew));

/**
 * Every command, weighted so that 25 steps reach the edges: sends and posts often (MB-4 quotas, FEED-5
 * rate), the rest now and then.
 */
export const commandArbitrary: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 1, arbitrary: register },
  { weight: 1, arbitrary: fc.tuple(fc.boolean(), fc.nat(KEY_POOL)).map(([byKey, i]): Cmd => new Lookup(byKey, i)) },
  { weight: 6, arbitrary: send },
  { weight: 2, arbitrary: fc.tuple(person, maybe(fc.integer({ min: 1, max: 5 }))).map(([p, l]): Cmd => new Fetch(p, l)) },
  { weight: 2, arbitrary: fc.tuple(person, fc.array(fc.nat(8), { maxLength: 4 }), fc.boolean()).map(([p, picks, foreign]): Cmd => new Ack(p, picks, foreign)) },
  { weight: 1, arbitrary: fc.tuple(person, maybe(fc.integer({ min: -(LIMITS.maxPostDays + 3), max: 3 }))).map(([p, o]): Cmd => new WorldKey(p, o)) },
  { weight: 5, arbitrary: post },
  { weight: 2, arbitrary: fc.tuple(person, maybe(fc.integer({ min: 1, max: 5 })), maybe(fc.nat(8))).map(([p, l, b]): Cmd => new Feed(p, l, b)) },
  { weight: 1, arbitrary: fc.tuple(person, maybe(fc.nat(8))).map(([p, pick]): Cmd => new Delete(p, pick)) },
  { weight: 2, arbitrary: fc.constantFrom(30_000, HOUR, 2 * HOUR, 7 * HOUR, DAY, 2 * DAY + HOUR).map((ms): Cmd => new Advance(ms)) },
  { weight: 1, arbitrary: fc.constant<Cmd>(new Sweep()) },
  { weight: 3, arbitrary: colAppend },
  { weight: 1, arbitrary: colRead },
  { weight: 2, arbitrary: profileSet },
  { weight: 1, arbitrary: person.map((p): Cmd => new ProfileGet(p)) },
  { weight: 3, arbitrary: chanPost },
  { weight: 2, arbitrary: chanFeed },
  { weight: 3, arbitrary: chanVote },
);

/** A run's opening: alice, and maybe bob and carol, register with their own keys (more registrations follow at random). */
export const openingArbitrary: fc.Arbitrary<Register[]> = fc.subarray([1, 2]).map((others) => [0, ...others].map((i) => new Register(i, i)));
