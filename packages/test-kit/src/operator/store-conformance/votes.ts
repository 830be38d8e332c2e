/**
 * Anonymous votes in the store (VOTE-4..VOTE-6, TOK-8): one choice per voter tag per post, changed or
 * withdrawn with a new token; the same choice again or a spent token writes nothing; a retry of the same
 * vote with its token is `held`; tallies follow; racing votes from two instances agree; the votes of an
 * expired post go with it; all of it survives a restart. Votes on channel posts (VOTE-9, VOTE-10): a
 * post is found by its channel and id, its votes and tally are kept apart from every other channel's and
 * from the world's, and go with it. A model run mixes them all, from two instances.
 */
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY, T0, idOf, nonce, post, bytes, randomName, secondInstance, type StoreUnderTest } from './fixtures.js';
import { dumpLines } from './tokens.js';
import { randomChannel } from './channels.js';
import type { Store, TokenSpend } from '@comrad/operator';

const P = 20_000;
const hex = () => randomBytes(32).toString('hex');
const spend = (): TokenSpend => ({ period: P, nullifier: hex(), action: hex() });

async function livePost(store: Store, expiresAt = T0 + DAY): Promise<string> {
  return idOf(await store.appendPost(post({ author: randomName(), sealed: bytes(40), epoch: 19_675, postedAt: T0, expiresAt })));
}

/** A post in channel `chan`, and its id. */
async function liveChanPost(store: Store, chan: string, expiresAt = T0 + DAY): Promise<string> {
  const sealed = bytes(40);
  const put = await store.appendChanPost(chan, { sealed, postedAt: T0, expiresAt, key: randomBytes(32).toString('hex'), nonce: nonce() }, { maxPosts: 1000, maxRecent: 1000, since: 0 });
  if (typeof put === 'string') throw new Error(`unexpected refusal: ${put}`);
  return put.id;
}

/** Where a model run votes: one post id in the world and in two channels, and a second id in one channel. */
interface VoteSlot {
  readonly post: number;
  readonly chan: number | undefined;
  readonly expiresIn: number;
}
const SLOTS: readonly VoteSlot[] = [
  { post: 0, chan: undefined, expiresIn: 5_000 },
  { post: 0, chan: 0, expiresIn: 10_000 },
  { post: 0, chan: 1, expiresIn: 20_000 },
  { post: 1, chan: 0, expiresIn: 40_000 },
];

interface VoteModel {
  now: number;
  /** Per slot, each voter's choice, until swept. */
  readonly held: Map<number, Map<number, 1 | -1>>;
  /** Spent tokens, in order: the nullifier, what it was burned for. */
  readonly spent: Array<{ nullifier: string; action: string }>;
}

interface VoteReal {
  readonly stores: readonly Store[];
  readonly posts: readonly [string, string];
  readonly chans: readonly [string, string];
  readonly voters: readonly string[];
}

const tallyOf = (votes: Map<number, 1 | -1> | undefined) => ({ up: [...(votes?.values() ?? [])].filter((c) => c === 1).length, down: [...(votes?.values() ?? [])].filter((c) => c === -1).length });

class CastCmd implements fc.AsyncCommand<VoteModel, VoteReal> {
  constructor(readonly slot: number, readonly voter: number, readonly choice: 1 | -1 | 0, readonly reuse: number | undefined, readonly via: number) {}
  check = () => true;
  async run(m: VoteModel, r: VoteReal): Promise<void> {
    const slot = SLOTS[this.slot]!;
    const action = createHash('sha256').update(`${this.slot}/${this.voter}/${this.choice}`).digest('hex');
    const reused = this.reuse !== undefined && m.spent.length > 0 ? m.spent[this.reuse % m.spent.length]! : undefined;
    const nullifier = reused?.nullifier ?? hex();
    const vote = { post: r.posts[slot.post]!, ...(slot.chan !== undefined ? { chan: r.chans[slot.chan]! } : {}), voter: r.voters[this.voter]!, choice: this.choice, expiresAt: T0 + slot.expiresIn };
    const got = await r.stores[this.via % r.stores.length]!.castVote(vote, { period: P, nullifier, action });
    const votes = m.held.get(this.slot);
    if (reused) {
      expect(got).toEqual(reused.action === action ? { ...tallyOf(votes), held: true } : 'spent');
      return;
    }
    if ((votes?.get(this.voter) ?? 0) === this.choice) {
      expect(got).toBe('same');
      return;
    }
    const next = new Map(votes);
    if (this.choice === 0) next.delete(this.voter);
    else next.set(this.voter, this.choice);
    if (next.size === 0) m.held.delete(this.slot);
    else m.held.set(this.slot, next);
    m.spent.push({ nullifier, action });
    expect(got).toEqual(tallyOf(next));
  }
  toString = () => `cast(slot ${this.slot}, voter ${this.voter}, ${this.choice}${this.reuse !== undefined ? `, reusing token ${this.reuse}` : ''}, via ${this.via})`;
}

class TalliesCmd implements fc.AsyncCommand<VoteModel, VoteReal> {
  constructor(readonly via: number) {}
  check = () => true;
  async run(m: VoteModel, r: VoteReal): Promise<void> {
    const store = r.stores[this.via % r.stores.length]!;
    for (const chan of [undefined, 0, 1] as const) {
      const got = await store.tallies(r.posts, chan === undefined ? undefined : r.chans[chan]);
      expect(got).toEqual([0, 1].map((post) => tallyOf(m.held.get(SLOTS.findIndex((s) => s.post === post && s.chan === chan)))));
    }
  }
  toString = () => `tallies(via ${this.via})`;
}

class SweepVotesCmd implements fc.AsyncCommand<VoteModel, VoteReal> {
  constructor(readonly ms: number, readonly via: number) {}
  check = () => true;
  async run(m: VoteModel, r: VoteReal): Promise<void> {
    m.now += this.ms;
    const due = [...m.held.keys()].filter((i) => T0 + SLOTS[i]!.expiresIn <= m.now);
    expect(await r.stores[this.via % r.stores.length]!.expireVotes(m.now)).toBe(due.length);
    for (const i of due) m.held.delete(i);
  }
  toString = () => `sweep(+${this.ms} ms, via ${this.via})`;
}

const voteCommands = fc.commands(
  [
    fc
      .tuple(fc.nat(SLOTS.length - 1), fc.nat(2), fc.constantFrom<1 | -1 | 0>(1, -1, 0), fc.option(fc.nat(20), { freq: 4 }), fc.nat(1))
      .map(([s, v, c, reuse, via]) => new CastCmd(s, v, c, reuse ?? undefined, via)),
    fc.nat(1).map((via) => new TalliesCmd(via)),
    fc.tuple(fc.integer({ min: 1, max: 15_000 }), fc.nat(1)).map(([ms, via]) => new SweepVotesCmd(ms, via)),
  ],
  { maxCommands: 30 },
);

/** Registers the vote cases for the store `sut()` returns. */
export function voteConformance(sut: () => StoreUnderTest): void {
  describe('votes', () => {
    it('VOTE-4 VOTE-5 a voter votes, changes and withdraws, each with its own token; tallies follow', async () => {
      const { store } = sut();
      const id = await livePost(store);
      const [a, b] = [hex(), hex()];
      const vote = (voter: string, choice: 1 | -1 | 0, s = spend()) => store.castVote({ post: id, voter, choice, expiresAt: T0 + DAY }, s);
      expect(await store.tallies([id])).toEqual([{ up: 0, down: 0 }]);
      expect(await vote(a, 1)).toEqual({ up: 1, down: 0 });
      expect(await vote(b, 1)).toEqual({ up: 2, down: 0 });
      expect(await vote(a, -1)).toEqual({ up: 1, down: 1 });
      expect(await vote(b, 0)).toEqual({ up: 0, down: 1 });
      expect(await store.tallies([id, 'nope', '0000000000000000000000000a'])).toEqual([
        { up: 0, down: 1 },
        { up: 0, down: 0 },
        { up: 0, down: 0 },
      ]);
      expect(await vote(a, 0)).toEqual({ up: 0, down: 0 });
    });

    it('VOTE-4 TOK-8 the same choice again, a spent token, write nothing; a retry of the vote with its token is held', async () => {
      const { store } = sut();
      const id = await livePost(store);
      const voter = hex();
      const s = spend();
      expect(await store.castVote({ post: id, voter, choice: 1, expiresAt: T0 + DAY }, s)).toEqual({ up: 1, down: 0 });
      const before = await dumpLines(store);
      expect(await store.castVote({ post: id, voter, choice: 1, expiresAt: T0 + DAY }, s)).toEqual({ up: 1, down: 0, held: true });
      expect(await store.castVote({ post: id, voter, choice: 1, expiresAt: T0 + DAY }, spend())).toBe('same');
      expect(await store.castVote({ post: id, voter: hex(), choice: 0, expiresAt: T0 + DAY }, spend())).toBe('same');
      expect(await store.castVote({ post: id, voter, choice: -1, expiresAt: T0 + DAY }, { ...s, action: hex() })).toBe('spent');
      // The nonce burned by a vote is burned for every other action too.
      expect(await store.spendToken(s.period, s.nullifier, hex())).toBe('spent');
      expect(await dumpLines(store)).toEqual(before);
    });

    it('VOTE-4 votes that race from two instances: one vote per voter, tallies exact', async () => {
      const a = sut().store;
      const b = await secondInstance(sut());
      const id = await livePost(a);
      const voters = Array.from({ length: 6 }, hex);
      // Every voter votes up three times at once (three tokens): one lands, the others are `same`.
      const results = await Promise.all(voters.flatMap((v) => [0, 1, 2].map((i) => (i % 2 ? a : b).castVote({ post: id, voter: v, choice: 1, expiresAt: T0 + DAY }, spend()))));
      expect(results.filter((r) => r === 'same')).toHaveLength(12);
      expect(await b.tallies([id])).toEqual([{ up: 6, down: 0 }]);
      // And one token raced for two votes: one vote.
      const s = spend();
      const twice = await Promise.all([a.castVote({ post: id, voter: hex(), choice: -1, expiresAt: T0 + DAY }, s), b.castVote({ post: id, voter: hex(), choice: -1, expiresAt: T0 + DAY }, { ...s, action: hex() })]);
      expect(twice.filter((r) => r === 'spent')).toHaveLength(1);
      expect(await a.tallies([id])).toEqual([{ up: 6, down: 1 }]);
    });

    it('VOTE-9 a channel post is found by channel and id, live only; never in another channel', async () => {
      const { store } = sut();
      const [chan, other] = [randomChannel(), randomChannel()];
      const id = await liveChanPost(store, chan, T0 + 1000);
      expect(await store.getChanPost(chan, id, T0)).toMatchObject({ id, postedAt: T0, expiresAt: T0 + 1000 });
      expect(await store.getChanPost(other, id, T0)).toBeUndefined();
      expect(await store.getChanPost(chan, id, T0 + 1000)).toBeUndefined();
      expect(await store.getChanPost(chan, 'not an id', T0)).toBeUndefined();
      await expect(store.getChanPost('nope', id, T0)).rejects.toThrow(TypeError);
    });

    it('VOTE-9 VOTE-10 votes on a channel post: changed, withdrawn, spent and same as world votes; tallies per channel, apart from the world', async () => {
      const { store } = sut();
      const [chan, other] = [randomChannel(), randomChannel()];
      const id = await liveChanPost(store, chan);
      const world = await livePost(store);
      const voter = hex();
      const vote = (choice: 1 | -1 | 0, s = spend(), on = chan, post = id) => store.castVote({ post, chan: on, voter, choice, expiresAt: T0 + DAY }, s);
      expect(await vote(1)).toEqual({ up: 1, down: 0 });
      // The same voter tag on the same id in another channel, or on a world post, is another post.
      expect(await vote(-1, spend(), other)).toEqual({ up: 0, down: 1 });
      expect(await store.castVote({ post: world, voter, choice: 1, expiresAt: T0 + DAY }, spend())).toEqual({ up: 1, down: 0 });
      expect(await vote(1, spend(), chan, world)).toEqual({ up: 1, down: 0 });
      expect(await store.tallies([id, world], chan)).toEqual([
        { up: 1, down: 0 },
        { up: 1, down: 0 },
      ]);
      expect(await store.tallies([id], other)).toEqual([{ up: 0, down: 1 }]);
      expect(await store.tallies([id, world])).toEqual([
        { up: 0, down: 0 },
        { up: 1, down: 0 },
      ]);
      const s = spend();
      expect(await vote(-1, s)).toEqual({ up: 0, down: 1 });
      const before = await dumpLines(store);
      expect(await vote(-1, s)).toEqual({ up: 0, down: 1, held: true });
      expect(await vote(-1)).toBe('same');
      expect(await vote(0, { ...s, action: hex() })).toBe('spent');
      expect(await dumpLines(store)).toEqual(before);
      expect(await vote(0)).toEqual({ up: 0, down: 0 });
      expect(await store.tallies([id], chan)).toEqual([{ up: 0, down: 0 }]);
      await expect(store.castVote({ post: id, chan: 'ab', voter, choice: 1, expiresAt: T0 + DAY }, spend())).rejects.toThrow(TypeError);
      await expect(store.tallies([id], 'ab')).rejects.toThrow(TypeError);
    });

    it('VOTE-6 VOTE-9 the votes of an expired channel post go with the sweep; the rest stay, across a restart', async () => {
      const current = sut();
      const chan = randomChannel();
      const short = await liveChanPost(current.store, chan, T0 + 1000);
      const long = await liveChanPost(current.store, chan, T0 + DAY);
      await current.store.castVote({ post: short, chan, voter: hex(), choice: 1, expiresAt: T0 + 1000 }, spend());
      await current.store.castVote({ post: long, chan, voter: hex(), choice: -1, expiresAt: T0 + DAY }, spend());
      expect(await current.store.expireVotes(T0 + 1000)).toBe(1);
      const store = current.reopen ? await current.reopen() : current.store;
      expect(await store.tallies([short, long], chan)).toEqual([
        { up: 0, down: 0 },
        { up: 0, down: 1 },
      ]);
      expect((await dumpLines(store)).filter((l) => l.includes(short) && /^(\{[^}]*\})?(v:|vx|vote|vtally|vexp|tally)/.test(l))).toEqual([]);
    });

    it('VOTE-4 VOTE-6 VOTE-9 random casts, changes, token reuses, tallies and sweeps on world and channel posts, from two instances, agree with a plain model', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      await fc.assert(
        fc.asyncProperty(voteCommands, async (cmds) => {
          // Every run starts with no vote held: each sweep's count is then this run's alone.
          await target.store.expireVotes(T0 + 1000 * DAY);
          const ids = await Promise.all([0, 1].map(() => liveChanPost(target.store, randomChannel())));
          const real: VoteReal = { stores, posts: [ids[0]!, ids[1]!], chans: [randomChannel(), randomChannel()], voters: [hex(), hex(), hex()] };
          await fc.asyncModelRun(() => ({ model: { now: T0, held: new Map(), spent: [] }, real }), cmds);
        }),
        { numRuns: 25 },
      );
    });

    it('VOTE-6 the votes of an expired post go with the sweep; the rest stay, across a restart', async () => {
      const current = sut();
      const short = await livePost(current.store, T0 + 1000);
      const long = await livePost(current.store, T0 + DAY);
      const nonce1 = nonce();
      expect(nonce1).toHaveLength(12);
      await current.store.castVote({ post: short, voter: hex(), choice: 1, expiresAt: T0 + 1000 }, spend());
      await current.store.castVote({ post: long, voter: hex(), choice: -1, expiresAt: T0 + DAY }, spend());
      expect(await current.store.expireVotes(T0 + 999)).toBe(0);
      expect(await current.store.expireVotes(T0 + 1000)).toBe(1);
      expect(await current.store.expireVotes(T0 + 1000)).toBe(0);
      const store = current.reopen ? await current.reopen() : current.store;
      expect(await store.tallies([short, long])).toEqual([
        { up: 0, down: 0 },
        { up: 0, down: 1 },
      ]);
      expect((await dumpLines(store)).filter((l) => l.includes(short) && /^(\{[^}]*\})?(v:|vx|vote|vtally|vexp|tally)/.test(l))).toEqual([]);
    });
  });
}
