/**
 * Model-based tests of the Operator (spec/05-operator.md and spec/06-storage.md, REG/MB/FEED/LIMIT): random sequences of
 * register, lookup, send, fetch, ack, worldKey, post, feed, delete, colAppend, colRead, profileSet,
 * profileGet, clock jumps and sweeps run against the
 * executable model (`spec/model/operator-model.ts`) and a real in-process Operator over a real WebSocket,
 * on every store (memory, LMDB in a temp directory, Redis on a real redis-server and on a real three-master
 * Redis Cluster, STORE-5), with one clock shared
 * by both. Limits are small (3 letters or 100 bytes per mailbox, 2 posts per hour, 6-hour mail, 2-day
 * posts) so the edges are reached. The fixed sequences at the end are the regressions of the model's
 * fixes (kept on every store).
 */
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { KeyPair } from '@comrad/core';
import { ManualClock, openTestStore, readyCrypto, startTestOperator, type StoreKind } from '@comrad/test-kit/operator/fixtures';
import { useRedisCluster, useRedisServer } from '@comrad/test-kit/operator/redis';
import { DAY, HOUR, initialState } from '../model/operator-model.js';
import {
  Ack,
  Advance,
  ChanFeed,
  ChanPost,
  ChanVote,
  ColAppend,
  ColRead,
  Delete,
  Feed,
  Fetch,
  KEY_POOL,
  LIMITS,
  Post,
  ProfileGet,
  ProfileSet,
  Register,
  Send,
  Sweep,
  commandArbitrary,
  openingArbitrary,
  type ModelBox,
  type World,
} from './_operator-commands.js';

const redis = useRedisServer();
const cluster = useRedisCluster();
const STORES: readonly StoreKind[] = ['memory', 'lmdb', 'redis', 'redis-cluster'];
const RUNS = 50;
const MAX_COMMANDS = 25;

let keys: KeyPair[] = [];
beforeAll(async () => {
  await readyCrypto();
  keys = Array.from({ length: KEY_POOL }, () => KeyPair.generate());
});

/** Runs `commands` on a fresh store of `kind` behind a fresh Operator, and on a fresh model at the same time. */
async function runOn(kind: StoreKind, commands: Iterable<fc.AsyncCommand<ModelBox, World>>): Promise<void> {
  const { store, cleanup } = await openTestStore(kind, () => (kind === 'redis-cluster' ? cluster.url : redis.url));
  const clock = new ManualClock();
  const t = await startTestOperator({
    store,
    clock,
    // requestsPerSecond is not under test here, and the clock stands still between jumps (LIMIT-3).
    limits: { ...LIMITS, requestsPerSecond: 100_000 },
  });
  try {
    const anon = await t.connect();
    const world: World = { t, anon, keys, sessions: new Map(), mailIds: new Map(), postIds: new Map(), epochKeys: new Map(), chanIds: new Map() };
    await fc.asyncModelRun(() => ({ model: { s: initialState(clock.now()) }, real: world }), commands);
  } finally {
    await t.close();
    await cleanup();
  }
}

describe.each(STORES)('the Operator on the %s store agrees with the model', (kind) => {
  it('REG-1 REG-2 REG-4 REG-5 MB-2 MB-3 MB-4 MB-5 MB-6 MB-7 MB-8 MB-11 FEED-1 FEED-2 FEED-3 FEED-4 FEED-5 FEED-6 FEED-8 STORE-2 OP-5 COL-20 COL-22 COL-23 PROF-10 PROF-11 CHAN-6 CHAN-7 CHAN-8 CHAN-9 CHAN-10 VOTE-7 VOTE-9 VOTE-10: random sequences', async () => {
    await fc.assert(
      fc.asyncProperty(openingArbitrary, fc.commands([commandArbitrary], { maxCommands: MAX_COMMANDS, size: 'max' }), (opening, cmds) =>
        runOn(kind, [...opening, ...cmds]),
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  // Fixed edges, so they are reached on every run whatever the random sequences do.
  it('MB-4 MB-3 a letter that does not fit the mailbox bytes is refused; acknowledging makes room', async () => {
    const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    await runOn(kind, [
      new Register(0, 0),
      new Send(0, bytes(60, 1), undefined, undefined),
      new Send(0, bytes(50, 2), undefined, undefined), // 110 > 100 bytes: QUOTA_EXCEEDED
      new Send(0, bytes(40, 3), undefined, undefined),
      new Fetch(0, undefined),
      new Ack(0, [0], false),
      new Send(0, bytes(50, 4), undefined, undefined),
      new Fetch(0, undefined),
    ]);
  });

  it('MB-5 a letter lives min(ttl, mailTtlMs) and is hidden from the millisecond it expires', async () => {
    await runOn(kind, [
      new Register(0, 0),
      new Send(0, Uint8Array.of(1), 12 * HOUR, undefined), // capped at 6 h
      new Send(0, Uint8Array.of(2), 2 * HOUR, undefined),
      new Send(0, Uint8Array.of(3), undefined, undefined), // 6 h
      new Advance(2 * HOUR), // the 2-hour letter expires exactly now
      new Fetch(0, undefined),
      new Advance(4 * HOUR), // and the two 6-hour ones
      new Fetch(0, undefined),
      new Sweep(),
    ]);
  });

  it('FEED-5 FEED-6 at most two posts an hour per author; pages newest first with next', async () => {
    await runOn(kind, [
      new Register(0, 0),
      new Register(1, 1),
      new Post(0, 'a1', 1, 0),
      new Post(0, 'a2', 2, 0),
      new Post(0, 'a3', 1, 0), // RATE_LIMITED
      new Post(1, 'b1', 1, -1),
      new Post(1, 'b2', 1, 0),
      new Feed(0, 2, undefined),
      new Feed(0, undefined, 2),
      new Advance(HOUR),
      new Post(0, 'a4', 1, 0),
      new Feed(1, undefined, undefined),
    ]);
  });

  it('FEED-4 EVT-8 a post with a ttl goes at arrival + ttl, not a whole day later; a ttl longer than its days changes nothing', async () => {
    await runOn(kind, [
      new Register(0, 0),
      new Register(1, 1),
      new Post(0, 'ends in 2 h', 1, 0, 2 * HOUR),
      new Post(1, 'ttl past its day', 1, 0, 3 * DAY), // the day wins
      new Advance(2 * HOUR - 1),
      new Feed(0, undefined, undefined), // both
      new Advance(1), // the first expires exactly now
      new Feed(0, undefined, undefined),
      new Sweep(),
      new Advance(DAY - 2 * HOUR),
      new Feed(0, undefined, undefined),
    ]);
  });

  it('CHAN-6 CHAN-7 CHAN-8 CHAN-10 STORE-3 a channel fills at chanPosts and takes chanPostsPerHour an hour; a retry answers as stored; pages newest first; logged in is FORBIDDEN; the sweep frees a channel', async () => {
    const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    await runOn(kind, [
      new Register(0, 0),
      new ChanPost(0, bytes(10, 1), 1, undefined, 0), // on alice's session: FORBIDDEN
      new ChanFeed(0, undefined, undefined, 0), // FORBIDDEN
      new ChanPost(0, bytes(10, 1), 1, undefined, undefined),
      new ChanPost(0, bytes(10, 1), 2, undefined, undefined), // the same bytes: answered as stored
      new ChanPost(0, bytes(11, 1), 1, 60_000, undefined),
      new ChanPost(0, bytes(12, 1), LIMITS.maxPostDays + 1, undefined, undefined), // MALFORMED
      new ChanPost(0, bytes(13, 1), 2, undefined, undefined),
      new ChanPost(0, bytes(14, 1), 1, undefined, undefined), // a fourth in the hour: RATE_LIMITED
      new ChanPost(1, bytes(14, 1), 1, undefined, undefined), // another channel is another count
      new ChanFeed(0, 2, undefined, undefined),
      new ChanFeed(0, undefined, 2, undefined),
      new Advance(HOUR + 1), // the hour's posts no longer count towards the rate
      new ChanFeed(0, undefined, undefined, undefined), // the one-minute post is gone
      new ChanPost(0, bytes(15, 1), 1, undefined, undefined),
      new ChanPost(0, bytes(16, 1), 1, undefined, undefined), // four held (one expired, not swept): QUOTA_EXCEEDED
      new ChanPost(0, bytes(11, 1), 1, undefined, undefined), // the expired one's bytes, held until the sweep
      new Sweep(),
      new ChanPost(0, bytes(16, 1), 1, undefined, undefined),
      new ChanFeed(0, undefined, undefined, undefined),
      new Advance(2 * DAY),
      new Sweep(),
      new ChanFeed(0, undefined, undefined, undefined),
      new ChanFeed(1, undefined, undefined, undefined),
    ]);
  });

  it('VOTE-7 VOTE-9 VOTE-10 votes on channel posts: up, down, changed, withdrawn, the same twice DUPLICATE, another channel\'s capability or a logged-in connection refused; tallies in chanFeed; gone with the post', async () => {
    const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    await runOn(kind, [
      new Register(0, 0),
      new Register(1, 1),
      new ChanPost(0, bytes(10, 1), 1, undefined, undefined),
      new ChanPost(0, bytes(11, 1), 2, undefined, undefined),
      new ChanVote(0, undefined, false, 0, 1, 0, undefined), // an id never given: NOT_FOUND
      new ChanVote(0, 0, false, 0, 1, 0, 1), // on bob's session: FORBIDDEN
      new ChanVote(0, 0, true, 0, 1, 0, undefined), // channel 1's capability: NOT_FOUND
      new ChanVote(0, 0, false, 0, 1, 0, undefined),
      new ChanVote(0, 0, false, 1, 1, 1, undefined),
      new ChanFeed(0, undefined, undefined, undefined), // ▲ 2
      new ChanVote(0, 0, false, 1, 1, 1, undefined), // DUPLICATE
      new ChanVote(0, 0, false, 1, -1, 1, undefined), // a change
      new ChanVote(0, 1, false, 2, -1, 0, undefined),
      new ChanVote(0, 1, false, 2, 0, 0, undefined), // a withdrawal
      new ChanVote(0, 1, false, 2, 0, 0, undefined), // nothing to withdraw: DUPLICATE
      new ChanFeed(0, undefined, undefined, undefined),
      new Advance(DAY), // the first post's time is up: no vote on it, its tally not shown
      new ChanVote(0, 0, false, 2, 1, 0, undefined),
      new ChanFeed(0, undefined, undefined, undefined),
      new Sweep(),
      new ChanFeed(0, undefined, undefined, undefined),
    ]);
  });

  it('COL-20 COL-22 COL-23 compare-and-append: at the end only, a retry of the same bytes stores nothing, a full log and a foreign key refused; reads page', async () => {
    const entry = (n: number, b: number) => new Uint8Array(n).fill(b);
    await runOn(kind, [
      new Register(0, 0),
      new ColAppend(1, undefined, 0, entry(10, 1), false, undefined), // bob is not registered: NOT_FOUND
      new ColAppend(0, 1, 0, entry(10, 1), false, undefined), // signed with another key: BAD_SIGNATURE
      new ColAppend(0, undefined, 0, entry(10, 1), false, 0), // on alice's session: FORBIDDEN
      new ColAppend(0, undefined, 1, entry(10, 1), false, undefined), // beyond the end: OUT_OF_ORDER
      new ColAppend(0, undefined, 0, entry(10, 1), false, undefined),
      new ColAppend(0, undefined, -1, entry(10, 1), true, undefined), // the same bytes again: ok, nothing stored
      new ColAppend(0, undefined, -1, entry(10, 2), false, undefined), // other bytes at a taken position: OUT_OF_ORDER
      new ColAppend(0, undefined, 0, entry(20, 2), false, undefined),
      new ColAppend(0, undefined, 0, entry(30, 3), false, undefined),
      new ColAppend(0, undefined, 0, entry(40, 0), false, undefined), // a fourth: QUOTA_EXCEEDED (logEntries 3)
      new ColRead(0, 0, undefined, undefined), // two of three (logItems 2)
      new ColRead(0, 2, 3, undefined),
      new ColRead(1, 0, undefined, undefined), // a log never written: length 0
      new ColRead(0, 0, undefined, 0), // on a session: FORBIDDEN
    ]);
  });

  it('PROF-10 PROF-11 the latest profile only: a second in the same second is OUT_OF_ORDER, epochs and times bounded, expired after maxPostDays', async () => {
    await runOn(kind, [
      new Register(0, 0),
      new ProfileGet(0), // none yet: NOT_FOUND
      new ProfileSet(0, 'Alice', 0, 0),
      new ProfileGet(0),
      new ProfileSet(0, 'Alice A.', 0, 0), // the same second, other bytes: OUT_OF_ORDER
      new ProfileSet(0, 'Alice A.', 0, 1),
      new ProfileSet(0, 'Alice B.', -2, 2), // an epoch too old: EXPIRED
      new ProfileSet(0, 'Alice B.', 1, 2), // a future epoch: MALFORMED
      new ProfileSet(0, 'Alice B.', 0, 90_000), // more than a day ahead: MALFORMED
      new ProfileSet(0, 'Alice B.', 0, -90_000), // more than a day behind: EXPIRED
      new ProfileGet(0),
      new Advance(2 * DAY + HOUR),
      new ProfileGet(0), // expired: NOT_FOUND
      new Sweep(),
      new ProfileSet(0, 'Alice C.', 0, 0),
      new ProfileGet(0),
    ]);
  });

  // Regressions: where the first model and the spec disagreed, the spec (and the Operator) won.
  it('REG-5 repeating one’s own registration succeeds (the first model said NAME_TAKEN)', async () => {
    await runOn(kind, [new Register(0, 0), new Register(0, 0), new Register(0, 1), new Register(1, 0)]);
  });

  it('MB-4 MB-5 an expired letter is hidden at once but holds its place until the sweep', async () => {
    const letter = (n: number) => Uint8Array.of(n, n, n);
    await runOn(kind, [
      new Register(0, 0),
      ...[1, 2, 3].map((n) => new Send(0, letter(n), 60_000, undefined)),
      new Advance(2 * 60_000),
      new Fetch(0, undefined),
      new Send(0, letter(5), undefined, undefined), // QUOTA_EXCEEDED: three expired letters are still held
      new Sweep(),
      new Send(0, letter(6), undefined, undefined),
      new Fetch(0, undefined),
    ]);
  });

  it('MB-3 acknowledging a letter that expired but was not swept yet deletes it (and counts it)', async () => {
    await runOn(kind, [
      new Register(0, 0),
      new Send(0, Uint8Array.of(7), 60_000, undefined),
      new Fetch(0, undefined),
      new Advance(HOUR),
      new Ack(0, [0, 0], false),
      new Sweep(),
    ]);
  });

  it('OP-5 FEED-5 FEED-6 a post made in the millisecond its author deleted the newest sorts after it; deletion frees the hourly count', async () => {
    await runOn(kind, [
      new Register(0, 0),
      new Register(1, 1),
      new Post(0, 'a1', 1, 0),
      new Post(0, 'a2', 1, 0),
      new Delete(0, 1), // the newest post
      new Delete(0, 0), // and the only other one: the feed is empty, the clock has not moved
      new Post(0, 'a3', 1, 0), // allowed (FEED-5), and its id sorts after a2's (the stores once minted it before)
      new Feed(1, undefined, 1), // before the deleted a2: nothing older is left
      new Feed(1, undefined, undefined),
    ]);
  });

  it('FEED-4 FEED-8 the author can delete an expired post until the sweep; others cannot', async () => {
    await runOn(kind, [
      new Register(0, 0),
      new Register(1, 1),
      new Post(0, 'one day', 1, 0),
      new Advance(25 * HOUR),
      new Feed(0, undefined, undefined),
      new Delete(1, 0),
      new Delete(0, 0),
      new Sweep(),
    ]);
  });
});
