/**
 * Anonymous votes in the store (VOTE-4..VOTE-6, TOK-8): one choice per voter tag per post, changed or
 * withdrawn with a new token; the same choice again or a spent token writes nothing; a retry of the same
 * vote with its token is `held`; tallies follow; racing votes from two instances agree; the votes of an
 * expired post go with it; all of it survives a restart. Votes on channel posts (VOTE-9, VOTE-10): a
 * post is found by its channel and id, its votes and tally are kept apart from every other channel's and
 * from the world's, and go with it.
 */
import { randomBytes } from 'node:crypto';
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
