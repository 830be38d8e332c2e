/**
 * The LMDB store's own decisions, which the conformance suite reaches only on the way to something else:
 * bytes copied in and out, the exact instant an item stops being live (listing and sweeping), what an
 * emptied mailbox or channel leaves behind (nothing), the counts and bytes a deletion gives back, the
 * storage budget at its exact edge, what survives a reopen (everything, and a byte count rebuilt from the
 * records when it is missing), and a dump that shows every record held (the privacy scan reads it).
 * Written as memory-exact.test.ts was, from the store's mutation run (spec/notes/2026-11-29-mutation-testing.md).
 */
import { mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type Key } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type PutChanPostResult, type Store } from '../../src/store/index.js';
import { MAX_ID_TIME, TIME_DIGITS } from '../../src/policy/ids.js';
import { DAY, T0, idOf } from '@comrad/test-kit/operator/store-conformance';

const NONCE = '0123456789ab';
const HEX64 = '0123456789abcdef'.repeat(4);
const HEX_B = 'fedcba9876543210'.repeat(4);
const PIN = '0123456789abcdef'.repeat(2);
const PIN_B = 'fedcba9876543210'.repeat(2);
/** Two world post ids (votes name posts by id; the store does not ask whether they exist). */
const P1 = `${'0'.repeat(13)}1${NONCE}`;
const P2 = `${'0'.repeat(13)}2${NONCE}`;
const ROOMY = { maxItems: 100, maxBytes: 10_000 };
const CHAN_ROOMY = { maxPosts: 100, maxRecent: 100, since: 0 };
const RULE = { confirmMs: 1000, denyMs: 1000, maxLifeMs: DAY };

const b = (...xs: number[]) => new Uint8Array(xs);
const mail = (sealed: Uint8Array, receivedAt = T0, expiresAt = T0 + DAY) => ({ sealed, receivedAt, expiresAt, key: `m${sealed.join('.')}`, nonce: NONCE });
const post = (sealed: Uint8Array, postedAt = T0, expiresAt = T0 + DAY, author = 'alice') => ({ author, sealed, epoch: 1, postedAt, expiresAt, key: `p${author}${sealed.join('.')}`, nonce: NONCE });
const chanPost = (sealed: Uint8Array, postedAt = T0, expiresAt = T0 + DAY) => ({ sealed, postedAt, expiresAt, key: `c${sealed.join('.')}`, nonce: NONCE });
const pin = (id = PIN, expiresAt = T0 + DAY, cell = 'u4pruyd') => ({ id, cell, kind: 'hazard', note: 'x', createdAt: T0, expiresAt, confirms: 0, denies: 0 });
const profile = (sealed: Uint8Array, at: number, expiresAt = T0 + DAY) => ({ sealed, at, receivedAt: T0, expiresAt });
const chanId = (r: PutChanPostResult) => idOf(r as Exclude<PutChanPostResult, 'full'>);
/** An id's time part, in ms. */
const timeOf = (id: string) => parseInt(id.slice(0, TIME_DIGITS), 36);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const dirs: string[] = [];
const open_: Store[] = [];
afterEach(async () => {
  await Promise.all(open_.splice(0).map((s) => s.close().catch(() => undefined)));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'comrad-lmdb-exact-'));
  dirs.push(dir);
  return dir;
}

async function at(path: string): Promise<Store> {
  const store = await openStore({ kind: 'lmdb', path });
  open_.push(store);
  return store;
}

async function fresh(): Promise<Store> {
  return at(await tempDir());
}

/** The dump without the burned token nonces (`tspent/…`). */
async function dumpWithoutSpent(store: Store) {
  return (await store.dump()).filter(([k]) => !k.startsWith('tspent/'));
}

describe('lmdb store: bytes are copied in and out', () => {
  it('a key, letter, post, log entry, profile, channel post, world and issuer key: the caller changing its bytes afterwards, or the bytes it was given, changes nothing held', async () => {
    const store = await fresh();
    const key = new Uint8Array(45).fill(1);
    const registering = store.putPairIfAbsent('alice', key, T0);
    key.fill(9); // before the write transaction runs
    expect(await registering).toBe('ok');
    const gotKey = (await store.keyOf('alice'))!;
    expect(gotKey).toEqual(new Uint8Array(45).fill(1));
    gotKey.fill(8);
    expect(await store.keyOf('alice')).toEqual(new Uint8Array(45).fill(1));
    expect(await store.nameOf(new Uint8Array(45).fill(1))).toBe('alice');
    expect(await store.nameOf(new Uint8Array(45).fill(9))).toBeUndefined();

    const letter = b(1, 2, 3);
    const appending = store.appendMail('bob', mail(letter), ROOMY);
    letter.fill(0);
    idOf(await appending);
    const [item] = await store.listMail('bob', T0, 10);
    expect(item!.sealed).toEqual(b(1, 2, 3));
    item!.sealed.fill(7);
    expect((await store.listMail('bob', T0, 10))[0]!.sealed).toEqual(b(1, 2, 3));

    const postBytes = b(4, 5);
    const posting = store.appendPost(post(postBytes));
    postBytes.fill(0);
    const postId = idOf(await posting);
    const listed = (await store.listPosts(T0, 10))[0]!;
    expect(listed.sealed).toEqual(b(4, 5));
    listed.sealed.fill(7);
    const got = (await store.getPost(postId, T0))!;
    expect(got.sealed).toEqual(b(4, 5));
    got.sealed.fill(7);
    expect((await store.getPost(postId, T0))!.sealed).toEqual(b(4, 5));

    const entry = b(6);
    const entering = store.appendEntry('log', 0, entry, { maxEntries: 5 });
    entry.fill(0);
    expect(await entering).toBe('ok');
    const page = await store.readEntries('log', 0, 10);
    expect(page.entries).toEqual([b(6)]);
    page.entries[0]!.fill(7);
    expect((await store.readEntries('log', 0, 10)).entries).toEqual([b(6)]);
    // the same entry at the same position is the same append (a retry), a different one is stale
    expect(await store.appendEntry('log', 0, b(6), { maxEntries: 5 })).toBe('ok');
    expect(await store.appendEntry('log', 0, b(5), { maxEntries: 5 })).toBe('stale');

    const profileBytes = b(7, 7);
    const putting = store.putProfileIfNewer('alice', profile(profileBytes, 1), T0);
    profileBytes.fill(0);
    expect(await putting).toBe('ok');
    const p = (await store.getProfile('alice', T0))!;
    expect(p.sealed).toEqual(b(7, 7));
    p.sealed.fill(1);
    expect((await store.getProfile('alice', T0))!.sealed).toEqual(b(7, 7));

    const chanBytes = b(8);
    const channing = store.appendChanPost(HEX64, chanPost(chanBytes), CHAN_ROOMY);
    chanBytes.fill(0);
    const cid = chanId(await channing);
    const inChan = (await store.listChanPosts(HEX64, T0, 10))[0]!;
    expect(inChan.sealed).toEqual(b(8));
    inChan.sealed.fill(1);
    const one = (await store.getChanPost(HEX64, cid, T0))!;
    expect(one.sealed).toEqual(b(8));
    one.sealed.fill(1);
    expect((await store.getChanPost(HEX64, cid, T0))!.sealed).toEqual(b(8));

    const world = b(9, 9);
    const w = await store.worldKey(1, () => world);
    world.fill(0);
    expect(w).toEqual(b(9, 9));
    w.fill(1);
    const again = await store.worldKey(1, () => b(1));
    expect(again).toEqual(b(9, 9));
    again.fill(1);
    expect(await store.worldKey(1, () => b(1))).toEqual(b(9, 9));

    const issuer = b(3, 3);
    const created = await store.issuerKey(2, async () => issuer);
    issuer.fill(0);
    expect(created).toEqual(b(3, 3));
    created.fill(1);
    const read = (await store.issuerKey(2))!;
    expect(read).toEqual(b(3, 3));
    read.fill(1);
    expect(await store.issuerKey(2, async () => b(1))).toEqual(b(3, 3));
  });

  it('TOK-4 two issuerKey creations racing, and two worldKey creations racing: both answer the first stored, as copies', async () => {
    const store = await fresh();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = store.issuerKey(3, async () => (await gate, b(2)));
    const fast = await store.issuerKey(3, async () => b(1));
    release();
    const lost = await slow;
    expect(lost).toEqual(b(1));
    lost.fill(5);
    fast.fill(6);
    expect(await store.issuerKey(3)).toEqual(b(1));

    // worldKey: two creations started before either is written; the first written wins for both
    const first = store.worldKey(4, () => b(1, 1));
    const second = store.worldKey(4, () => b(2, 2));
    const [x, y] = await Promise.all([first, second]);
    expect(x).toEqual(b(1, 1));
    expect(y).toEqual(b(1, 1));
    x.fill(0);
    expect(y).toEqual(b(1, 1));
    expect(await store.worldKey(4, () => b(3))).toEqual(b(1, 1));
  });
});

describe('lmdb store: what is not there', () => {
  it('a name, post, channel post, profile, pin, issuer key, tally or log never stored answers nothing', async () => {
    const store = await fresh();
    await fill(store);
    const missing = `${'0'.repeat(13)}9${NONCE}`;
    expect(await store.keyOf('nobody')).toBeUndefined();
    expect(await store.getPost(missing, T0)).toBeUndefined();
    expect(await store.getChanPost(HEX64, missing, T0)).toBeUndefined();
    expect(await store.getProfile('nobody', T0)).toBeUndefined();
    expect(await store.getPin(PIN_B)).toBeUndefined();
    expect(await store.issuerKey(9)).toBeUndefined();
    expect(await store.tallies([missing])).toEqual([{ up: 0, down: 0 }]);
    expect(await store.listMail('nobody', T0, 10)).toEqual([]);
    expect(await store.readEntries('nolog', 0, 10)).toEqual({ entries: [], length: 0 });
  });

  it('FEED-1 TOK-4 a world or issuer key already held is answered without calling create', async () => {
    const store = await fresh();
    await store.worldKey(1, () => b(1));
    await store.issuerKey(1, async () => b(1));
    let calls = 0;
    expect(await store.worldKey(1, () => (calls++, b(2)))).toEqual(b(1));
    expect(await store.issuerKey(1, async () => (calls++, b(2)))).toEqual(b(1));
    expect(calls).toBe(0);
  });
});

describe('lmdb store: the instant an item stops being live', () => {
  it('MB-5 FEED-4 CHAN-5 PROF-10 a letter, post, channel post or profile that expires exactly now is not handed out', async () => {
    const store = await fresh();
    await store.appendMail('bob', mail(b(1), T0, T0 + 10), ROOMY);
    const postId = idOf(await store.appendPost(post(b(2), T0, T0 + 10)));
    const cid = chanId(await store.appendChanPost(HEX64, chanPost(b(3), T0, T0 + 10), CHAN_ROOMY));
    await store.putProfileIfNewer('alice', profile(b(4), 1, T0 + 10), T0);
    const live = T0 + 9;
    expect(await store.listMail('bob', live, 10)).toHaveLength(1);
    expect(await store.listPosts(live, 10)).toHaveLength(1);
    expect((await store.getPost(postId, live))!.id).toBe(postId);
    expect(await store.listChanPosts(HEX64, live, 10)).toHaveLength(1);
    expect((await store.getChanPost(HEX64, cid, live))!.postedAt).toBe(T0);
    expect((await store.getProfile('alice', live))!.at).toBe(1);
    const gone = T0 + 10;
    expect(await store.listMail('bob', gone, 10)).toEqual([]);
    expect(await store.listPosts(gone, 10)).toEqual([]);
    expect(await store.getPost(postId, gone)).toBeUndefined();
    expect(await store.listChanPosts(HEX64, gone, 10)).toEqual([]);
    expect(await store.getChanPost(HEX64, cid, gone)).toBeUndefined();
    expect(await store.getProfile('alice', gone)).toBeUndefined();
  });

  it('a listing skips the expired item and still fills its limit from the live ones', async () => {
    const store = await fresh();
    await store.appendMail('bob', mail(b(1), T0, T0 + 10), ROOMY);
    await store.appendMail('bob', mail(b(2), T0 + 1, T0 + DAY), ROOMY);
    await store.appendMail('bob', mail(b(3), T0 + 2, T0 + DAY), ROOMY);
    expect((await store.listMail('bob', T0 + 10, 1)).map((m) => m.sealed)).toEqual([b(2)]);
    expect((await store.listMail('bob', T0 + 10, 5)).map((m) => m.sealed)).toEqual([b(2), b(3)]);
    await store.appendPost(post(b(1), T0, T0 + DAY));
    await store.appendPost(post(b(2), T0 + 1, T0 + DAY));
    await store.appendPost(post(b(3), T0 + 2, T0 + 10));
    expect((await store.listPosts(T0 + 10, 1)).map((p) => p.sealed)).toEqual([b(2)]);
    await store.appendChanPost(HEX64, chanPost(b(1), T0, T0 + DAY), CHAN_ROOMY);
    await store.appendChanPost(HEX64, chanPost(b(2), T0 + 1, T0 + DAY), CHAN_ROOMY);
    await store.appendChanPost(HEX64, chanPost(b(3), T0 + 2, T0 + 10), CHAN_ROOMY);
    expect((await store.listChanPosts(HEX64, T0 + 10, 1)).map((p) => p.sealed)).toEqual([b(2)]);
    expect((await store.listChanPosts(HEX64, T0 + 10, 5)).map((p) => p.sealed)).toEqual([b(2), b(1)]);
  });

  it('PROF-10 a profile that expires exactly now is not live: an older one replaces it, and its bytes are freed', async () => {
    const store = await fresh();
    expect(await store.putProfileIfNewer('alice', profile(b(1, 1, 1), 5, T0 + 10), T0)).toBe('ok');
    expect(await store.putProfileIfNewer('alice', profile(b(1, 1, 1), 6), T0 + 9)).toBe('held');
    expect(await store.putProfileIfNewer('alice', profile(b(2), 5), T0 + 9)).toBe('stale');
    expect(await store.putProfileIfNewer('alice', profile(b(2), 3), T0 + 9)).toBe('stale');
    expect(await store.putProfileIfNewer('alice', profile(b(2), 3), T0 + 10)).toBe('ok');
    expect((await store.getProfile('alice', T0 + 10))!.at).toBe(3);
    expect(await store.storedBytes()).toBe(1);
    expect(await store.putProfileIfNewer('alice', profile(b(3, 3), 4), T0 + 10)).toBe('ok');
    expect(await store.storedBytes()).toBe(2);
    expect((await store.dump()).filter(([k]) => k.startsWith('prexp/'))).toEqual([[`prexp/${T0 + DAY}/alice`, new Uint8Array(0)]]);
  });

  it('PIN-6 a pin that expires exactly now takes no vote and is not listed; a vote moves its expiry entry', async () => {
    const store = await fresh();
    expect(await store.putPin(pin(PIN, T0 + 10), 10)).toBe('ok');
    expect(await store.listPins(['u4p'], T0 + 10, 10)).toEqual([]);
    expect(await store.listPins(['u4p'], T0 + 9, 10)).toHaveLength(1);
    expect(await store.votePin(PIN, HEX64, 'confirm', T0 + 10, RULE)).toBe('expired');
    expect(await store.votePin(PIN, HEX64, 'confirm', T0 + 9, RULE)).toEqual({ expiresAt: T0 + 1010, confirms: 1, denies: 0 });
    expect(await store.votePin(PIN, HEX64, 'deny', T0 + 9, RULE)).toBe('duplicate');
    expect(await store.votePin(PIN_B, HEX64, 'deny', T0 + 9, RULE)).toBe('not-found');
    expect((await store.dump()).filter(([k]) => k.startsWith('pinexp/'))).toEqual([[`pinexp/${T0 + 1010}/${PIN}`, new Uint8Array(0)]]);
    // swept at the old expiry: the pin moved, it stays; at the new one it goes with its votes
    expect(await store.expirePins(T0 + 10)).toBe(0);
    expect(await store.getPin(PIN)).toMatchObject({ confirms: 1, expiresAt: T0 + 1010 });
    expect(await store.expirePins(T0 + 1010)).toBe(1);
    expect(await store.getPin(PIN)).toBeUndefined();
    expect(await store.dump()).toEqual([['total/bytes', '0'], ['total/pins', '0']]);
    expect(await store.putPin(pin(PIN, T0 + DAY), 1)).toBe('ok'); // the place it held is free again
    expect(await store.putPin(pin(PIN_B, T0 + DAY), 1)).toBe('full');
  });

  it('MB-5 FEED-4 CHAN-7 PROF-10 VOTE-6 every sweep takes what expires exactly now and keeps what expires a millisecond later', async () => {
    const store = await fresh();
    await store.appendMail('bob', mail(b(1), T0, T0 + 10), ROOMY);
    await store.appendMail('bob', mail(b(2), T0, T0 + 11), ROOMY);
    await store.appendPost(post(b(1), T0, T0 + 10));
    await store.appendPost(post(b(2), T0, T0 + 11));
    await store.appendChanPost(HEX64, chanPost(b(1), T0, T0 + 10), CHAN_ROOMY);
    await store.appendChanPost(HEX64, chanPost(b(2), T0, T0 + 11), CHAN_ROOMY);
    await store.putProfileIfNewer('alice', profile(b(1), 1, T0 + 10), T0);
    await store.putProfileIfNewer('carol', profile(b(2), 1, T0 + 11), T0);
    await store.putPin(pin(PIN, T0 + 10), 10);
    await store.putPin(pin(PIN_B, T0 + 11), 10);
    const spend = (n: string) => ({ period: 1, nullifier: n, action: HEX_B });
    await store.castVote({ post: P1, voter: HEX64, choice: 1, expiresAt: T0 + 10 }, spend(HEX64));
    await store.castVote({ post: P2, voter: HEX64, choice: -1, expiresAt: T0 + 11 }, spend(HEX_B));
    expect(await store.storedBytes()).toBe(8);
    expect(await store.expire(T0 + 10)).toEqual({ mail: 1, posts: 1 });
    expect(await store.expireChanPosts(T0 + 10)).toBe(1);
    expect(await store.expireProfiles(T0 + 10)).toBe(1);
    expect(await store.expirePins(T0 + 10)).toBe(1);
    expect(await store.expireVotes(T0 + 10)).toBe(1);
    expect(await store.storedBytes()).toBe(4);
    expect((await store.listMail('bob', T0, 10)).map((m) => m.sealed)).toEqual([b(2)]);
    expect((await store.listPosts(T0, 10)).map((p) => p.sealed)).toEqual([b(2)]);
    expect((await store.listChanPosts(HEX64, T0, 10)).map((p) => p.sealed)).toEqual([b(2)]);
    expect(await store.getProfile('carol', T0)).toBeDefined();
    expect(await store.getPin(PIN_B)).toBeDefined();
    expect(await store.tallies([P1, P2])).toEqual([{ up: 0, down: 0 }, { up: 0, down: 1 }]);
    // nothing of the swept items is left in any index
    const keys = (await store.dump()).map(([k]) => k);
    expect(keys.filter((k) => k.includes(String(T0 + 10)))).toEqual([]);
    const ofSwept = (k: string) => {
      const parts = k.split('/');
      return parts.includes(P1) || parts.includes(PIN) || (['prof', 'prexp'].includes(parts[0]!) && parts.includes('alice'));
    };
    expect(keys.filter(ofSwept)).toEqual([]);
    expect((await store.dump()).filter(([k]) => k.startsWith('total/'))).toEqual([['total/bytes', '4'], ['total/pins', '1']]);
    expect(keys.filter((k) => k.startsWith('prof/') || k.startsWith('pin/') || k.startsWith('vtally/'))).toEqual(['prof/carol', `pin/${PIN_B}`, `vtally/${P2}`]);
    expect(await store.expire(T0 + 11)).toEqual({ mail: 1, posts: 1 });
    expect(await store.expireChanPosts(T0 + 11)).toBe(1);
    expect(await store.expireProfiles(T0 + 11)).toBe(1);
    expect(await store.expirePins(T0 + 11)).toBe(1);
    expect(await store.expireVotes(T0 + 11)).toBe(1);
    expect(await dumpWithoutSpent(store)).toEqual([['last/post', expect.any(String)], ['total/bytes', '0'], ['total/pins', '0']]);
  });

  it('PROF-10 PIN-6 a sweep that read an expiry entry before a newer profile or a vote moved it keeps the item', async () => {
    const store = await fresh();
    await store.putProfileIfNewer('alice', profile(b(1), 1, T0 + 10), T0);
    await store.putPin(pin(PIN, T0 + 10), 10);
    // queued first, so committed before the sweeps that were called after them read their batches
    const putting = store.putProfileIfNewer('alice', profile(b(2), 2, T0 + 20), T0);
    const voting = store.votePin(PIN, HEX64, 'confirm', T0 + 9, RULE);
    const sweeps = [store.expireProfiles(T0 + 10), store.expirePins(T0 + 10)];
    expect(await putting).toBe('ok');
    expect(await voting).toMatchObject({ confirms: 1 });
    expect(await Promise.all(sweeps)).toEqual([0, 0]);
    expect((await store.getProfile('alice', T0 + 10))!.at).toBe(2);
    expect(await store.getPin(PIN)).toMatchObject({ confirms: 1 });
  });

  it('PIN-6 VOTE-6 a pin or post that expires takes its own votes only', async () => {
    const store = await fresh();
    const pins = ['0'.repeat(32), PIN, 'f'.repeat(32)];
    for (const [i, id] of pins.entries()) {
      await store.putPin(pin(id, i === 1 ? T0 + 10 : T0 + DAY), 10);
      expect(await store.votePin(id, HEX64, 'deny', T0, RULE)).toMatchObject({ denies: 1 }); // 1000 ms sooner
    }
    expect(await store.expirePins(T0 + 10)).toBe(1);
    expect((await store.dump()).filter(([k]) => k.startsWith('pinvote/')).map(([k]) => k)).toEqual([`pinvote/${pins[0]}/${HEX64}`, `pinvote/${pins[2]}/${HEX64}`]);
    const posts = [`${'0'.repeat(13)}1${NONCE}`, `${'0'.repeat(13)}2${NONCE}`, `${'0'.repeat(13)}3${NONCE}`];
    for (const [i, id] of posts.entries()) {
      await store.castVote({ post: id, voter: HEX64, choice: 1, expiresAt: i === 1 ? T0 + 10 : T0 + DAY }, { period: 1, nullifier: String(i + 1).repeat(64), action: HEX_B });
    }
    expect(await store.expireVotes(T0 + 10)).toBe(1);
    expect((await store.dump()).filter(([k]) => k.startsWith('vote/')).map(([k]) => k)).toEqual([`vote/${posts[0]}/${HEX64}`, `vote/${posts[2]}/${HEX64}`]);
  });

  it('PROF-10 a profile replaced by one that lives longer is not swept at the old expiry', async () => {
    const store = await fresh();
    await store.putProfileIfNewer('alice', profile(b(1), 1, T0 + 10), T0);
    await store.putProfileIfNewer('alice', profile(b(2), 2, T0 + 20), T0);
    expect(await store.expireProfiles(T0 + 10)).toBe(0);
    expect((await store.getProfile('alice', T0 + 10))!.at).toBe(2);
    expect(await store.expireProfiles(T0 + 20)).toBe(1);
  });

  it('FEED-2 expire keeps the world keys from the bound on, and all of them without one', async () => {
    const store = await fresh();
    for (const epoch of [1, 2, 3]) await store.worldKey(epoch, () => b(epoch));
    await store.expire(T0);
    expect((await store.dump()).filter(([k]) => k.startsWith('world/'))).toHaveLength(3);
    await store.expire(T0, 2);
    expect((await store.dump()).filter(([k]) => k.startsWith('world/'))).toEqual([
      ['world/2', b(2)],
      ['world/3', b(3)],
    ]);
  });
});

describe('lmdb store: counts and windows', () => {
  it('CHAN-7 only posts at or after since count against maxRecent; maxPosts counts the channel, not others', async () => {
    const store = await fresh();
    const quota = { maxPosts: 10, maxRecent: 1, since: T0 };
    chanId(await store.appendChanPost(HEX64, chanPost(b(1), T0 - 1), quota));
    chanId(await store.appendChanPost(HEX64, chanPost(b(2), T0), quota));
    expect(await store.appendChanPost(HEX64, chanPost(b(3), T0 + 1), quota)).toBe('rate-limited');
    chanId(await store.appendChanPost(HEX_B, chanPost(b(3), T0 + 1), quota)); // another channel
    chanId(await store.appendChanPost('0'.repeat(64), chanPost(b(3), T0 + 1), quota)); // one before it in key order
    const full = { maxPosts: 2, maxRecent: 10, since: 0 };
    expect(await store.appendChanPost(HEX64, chanPost(b(4), T0 + 2), full)).toBe('full');
    chanId(await store.appendChanPost(HEX_B, chanPost(b(4), T0 + 2), full));
    expect(await store.appendChanPost(HEX_B, chanPost(b(5), T0 + 3), full)).toBe('full');
  });

  it('FEED-5 only posts at or after since count, per author', async () => {
    const store = await fresh();
    const quota = { maxPosts: 1, since: T0 };
    idOf(await store.appendPost(post(b(1), T0 - 1), quota));
    idOf(await store.appendPost(post(b(2), T0), quota));
    expect(await store.appendPost(post(b(3), T0 + 1), quota)).toBe('rate-limited');
    idOf(await store.appendPost(post(b(3), T0 + 1, T0 + DAY, 'alicea'), quota)); // a name that extends alice's
    expect(await store.countPostsSince('alice', T0)).toBe(1);
    expect(await store.countPostsSince('alice', T0 - 1)).toBe(2);
    expect(await store.countPostsSince('alice', T0 + 1)).toBe(0);
  });

  it('FEED-5 CHAN-7 a post at the last time an id can carry still counts', async () => {
    const store = await fresh();
    idOf(await store.appendPost(post(b(1), MAX_ID_TIME, MAX_ID_TIME)));
    expect(await store.countPostsSince('alice', MAX_ID_TIME)).toBe(1);
    expect(await store.appendPost(post(b(2), MAX_ID_TIME, MAX_ID_TIME), { maxPosts: 1, since: MAX_ID_TIME })).toBe('rate-limited');
    const quota = { maxPosts: 10, maxRecent: 1, since: MAX_ID_TIME };
    chanId(await store.appendChanPost(HEX64, chanPost(b(1), MAX_ID_TIME, MAX_ID_TIME), quota));
    expect(await store.appendChanPost(HEX64, chanPost(b(2), MAX_ID_TIME, MAX_ID_TIME), quota)).toBe('rate-limited');
  });

  it('MB-4 a deleted letter gives its items and bytes back to its mailbox, not to another', async () => {
    const store = await fresh();
    const quota = { maxItems: 10, maxBytes: 12 };
    const a = idOf(await store.appendMail('bob', mail(b(1, 1, 1, 1, 1)), quota));
    idOf(await store.appendMail('bob', mail(b(2, 2, 2, 2, 2)), quota));
    idOf(await store.appendMail('bobby', mail(b(9, 9, 9, 9, 9, 9, 9, 9, 9, 9)), quota));
    expect(await store.appendMail('bob', mail(b(3, 3, 3)), quota)).toBe('quota');
    idOf(await store.appendMail('bob', mail(b(3, 3)), quota));
    expect(await store.deleteMail('bob', [a, a, 'zzzzzzzzzzzzzzzzzzzzzzzzzz'])).toBe(1);
    idOf(await store.appendMail('bob', mail(b(3, 3, 3, 3, 3)), quota));
    expect((await store.dump()).filter(([k]) => k.startsWith('mbox/'))).toEqual([
      ['mbox/bob', '3/12'],
      ['mbox/bobby', '1/10'],
    ]);
    const items = { maxItems: 1, maxBytes: 100 };
    const c = idOf(await store.appendMail('carol', mail(b(1)), items));
    expect(await store.appendMail('carol', mail(b(2)), items)).toBe('quota');
    expect(await store.deleteMail('carol', [c])).toBe(1);
    idOf(await store.appendMail('carol', mail(b(2)), items));
    expect((await store.listMail('bob', T0, 10)).map((m) => m.sealed.length)).toEqual([5, 2, 5]);
  });

  it('TOK-9 taking tokens counts per period and name; taking none stores nothing', async () => {
    const store = await fresh();
    expect(await store.takeTokens(1, 'alice', 0, 5)).toEqual({ granted: 0, left: 5 });
    expect(await store.takeTokens(1, 'bob', 3, 0)).toEqual({ granted: 0, left: 0 });
    expect(await store.dump()).toEqual([['total/bytes', '0']]);
    expect(await store.takeTokens(1, 'alice', 3, 5)).toEqual({ granted: 3, left: 2 });
    expect(await store.takeTokens(1, 'alice', 3, 5)).toEqual({ granted: 2, left: 0 });
    expect(await store.takeTokens(1, 'alice', 1, 5)).toEqual({ granted: 0, left: 0 });
    expect(await store.takeTokens(1, 'alice', 1, 4)).toEqual({ granted: 0, left: 0 }); // a lowered max
    expect(await store.takeTokens(2, 'alice', 1, 5)).toEqual({ granted: 1, left: 4 });
    expect((await store.dump()).filter(([k]) => k.startsWith('tuse/'))).toEqual([
      ['tuse/1/alice', '5'],
      ['tuse/2/alice', '1'],
    ]);
  });

  it('TOK-8 a paid put repeated with its own token is the same put, not a spent token; a refused put burns nothing', async () => {
    const store = await fresh();
    const spend = { period: 1, nullifier: HEX64, action: HEX_B };
    const first = idOf(await store.appendMail('bob', mail(b(1)), ROOMY, spend));
    expect(await store.appendMail('bob', mail(b(1)), ROOMY, spend)).toEqual({ id: first, held: true });
    const chan = chanId(await store.appendChanPost(HEX64, chanPost(b(2)), CHAN_ROOMY, { ...spend, nullifier: HEX_B }));
    expect(await store.appendChanPost(HEX64, chanPost(b(2)), CHAN_ROOMY, { ...spend, nullifier: HEX_B })).toEqual({ id: chan, held: true });
    expect(await store.appendMail('bob', mail(b(3)), ROOMY, { ...spend, action: HEX64 })).toBe('spent');
    expect(await store.appendChanPost(HEX64, chanPost(b(3)), CHAN_ROOMY, { ...spend, action: HEX64 })).toBe('spent');
    expect(await store.putPin(pin(), 10, { ...spend, action: HEX64 })).toBe('spent');
    expect(await store.votePin(PIN, HEX_B, 'confirm', T0, RULE, { ...spend, action: HEX64 })).toBe('spent');
    // a repeat of a held letter under a fresh token burns that token (the sender paid for the retry)
    const third = { period: 1, nullifier: '1'.repeat(64), action: HEX_B };
    expect(await store.appendMail('bob', mail(b(1)), ROOMY, third)).toEqual({ id: first, held: true });
    expect(await store.spendToken(1, third.nullifier, HEX64)).toBe('spent');
    // refused puts burn nothing
    const refused = { period: 1, nullifier: '2'.repeat(64), action: HEX_B };
    expect(await store.appendMail('bob', mail(b(4)), { maxItems: 1, maxBytes: 100 }, refused)).toBe('quota');
    expect(await store.appendChanPost(HEX64, chanPost(b(4)), { maxPosts: 1, maxRecent: 9, since: 0 }, refused)).toBe('full');
    expect(await store.putPin(pin(), 0, refused)).toBe('full');
    expect(await store.spendToken(1, refused.nullifier, HEX64)).toBe('ok');
    expect(await store.spendToken(1, refused.nullifier, HEX64)).toBe('held');
    expect(await store.spendToken(2, refused.nullifier, HEX_B)).toBe('ok'); // another period
    // a pin put and a pin vote burn their tokens, a repeat with the same token is held
    const pinSpend = { period: 1, nullifier: '3'.repeat(64), action: HEX_B };
    expect(await store.putPin(pin(), 10, pinSpend)).toBe('ok');
    expect(await store.putPin(pin(), 10, pinSpend)).toBe('held');
    expect(await store.spendToken(1, pinSpend.nullifier, HEX64)).toBe('spent');
    const voteSpend = { period: 1, nullifier: '4'.repeat(64), action: HEX_B };
    expect(await store.votePin(PIN, HEX_B, 'confirm', T0, RULE, voteSpend)).toMatchObject({ confirms: 1 });
    expect(await store.spendToken(1, voteSpend.nullifier, HEX64)).toBe('spent');
    const held = { period: 1, nullifier: '5'.repeat(64), action: HEX_B };
    expect(await store.putPin(pin(), 10, held)).toBe('held');
    expect(await store.spendToken(1, held.nullifier, HEX64)).toBe('spent');
    expect((await store.dump()).filter(([k]) => k.startsWith('tspent/'))).toHaveLength(8);
  });

  it('VOTE-4 a vote changed or withdrawn moves the tally; withdrawn by its only voter it leaves no tally, voter or expiry entry', async () => {
    const store = await fresh();
    const id = `${'0'.repeat(14)}${NONCE}`;
    const n = (i: number) => String(i).repeat(64);
    const spend = (i: number, action = HEX_B) => ({ period: 1, nullifier: n(i), action });
    expect(await store.castVote({ post: id, voter: HEX64, choice: 1, expiresAt: T0 + DAY }, spend(1))).toEqual({ up: 1, down: 0 });
    expect(await store.castVote({ post: id, voter: HEX64, choice: 1, expiresAt: T0 + DAY }, spend(2))).toBe('same');
    expect(await store.castVote({ post: id, voter: HEX64, choice: 1, expiresAt: T0 + DAY }, spend(1))).toEqual({ up: 1, down: 0, held: true });
    expect(await store.castVote({ post: id, voter: HEX64, choice: 1, expiresAt: T0 + DAY }, spend(1, HEX64))).toBe('spent');
    expect(await store.castVote({ post: id, voter: HEX_B, choice: -1, expiresAt: T0 + DAY + 5 }, spend(3))).toEqual({ up: 1, down: 1 });
    expect(await store.castVote({ post: id, voter: HEX64, choice: -1, expiresAt: T0 + DAY + 6 }, spend(4))).toEqual({ up: 0, down: 2 });
    expect((await store.dump()).filter(([k]) => k.startsWith('vexp/') || k.startsWith('vtally/'))).toEqual([
      [`vtally/${id}`, `0/2/${T0 + DAY + 6}`],
      [`vexp/${T0 + DAY + 6}/${id}`, new Uint8Array(0)],
    ]);
    expect(await store.castVote({ post: id, voter: HEX64, choice: 0, expiresAt: T0 + DAY + 7 }, spend(5))).toEqual({ up: 0, down: 1 });
    expect(await store.castVote({ post: id, voter: HEX_B, choice: 0, expiresAt: T0 + DAY + 8 }, spend(6))).toEqual({ up: 0, down: 0 });
    expect(await store.tallies([id])).toEqual([{ up: 0, down: 0 }]);
    expect(await dumpWithoutSpent(store)).toEqual([['total/bytes', '0']]);
    // a channel's post is another target than the world post of the same id
    expect(await store.castVote({ post: id, chan: HEX64, voter: HEX64, choice: 1, expiresAt: T0 + DAY }, spend(7))).toEqual({ up: 1, down: 0 });
    expect(await store.tallies([id], HEX64)).toEqual([{ up: 1, down: 0 }]);
    expect(await store.tallies([id])).toEqual([{ up: 0, down: 0 }]);
    expect(await store.expireVotes(T0 + DAY)).toBe(1);
    expect(await dumpWithoutSpent(store)).toEqual([['total/bytes', '0']]);
  });

  it('TOK-4 TOK-8 expireTokens forgets issuer keys, tokens taken and nonces burned before the bound, and keeps the rest', async () => {
    const store = await fresh();
    await store.issuerKey(1, async () => b(1));
    await store.issuerKey(2, async () => b(2));
    await store.takeTokens(1, 'alice', 1, 5);
    await store.takeTokens(2, 'alice', 2, 5);
    expect(await store.spendToken(1, HEX64, HEX_B)).toBe('ok');
    expect(await store.spendToken(2, HEX64, HEX_B)).toBe('ok');
    expect(await store.expireTokens(2)).toBe(1);
    expect(await store.issuerKey(1)).toBeUndefined();
    expect(await store.issuerKey(2)).toEqual(b(2));
    expect(await store.takeTokens(1, 'alice', 5, 5)).toEqual({ granted: 5, left: 0 });
    expect(await store.takeTokens(2, 'alice', 5, 5)).toEqual({ granted: 3, left: 0 });
    expect(await store.spendToken(1, HEX64, HEX64)).toBe('ok');
    expect(await store.spendToken(2, HEX64, HEX64)).toBe('spent');
    expect(await store.expireTokens(1)).toBe(0);
  });

  it('TOK-4 expireTokens forgets an old issuer key even when no token of its period was taken or spent', async () => {
    const store = await fresh();
    await store.issuerKey(1, async () => b(1));
    await store.issuerKey(3, async () => b(3));
    await store.takeTokens(3, 'alice', 1, 5);
    expect(await store.expireTokens(2)).toBe(0);
    expect(await store.issuerKey(1)).toBeUndefined();
    expect(await store.issuerKey(3)).toEqual(b(3));
  });
});

describe('lmdb store: ids, listings and what an emptied mailbox or channel leaves behind', () => {
  it('MB-3 a mailbox emptied by acks or expiry leaves no trace: no counter, and the next letter\'s id starts from its own time', async () => {
    const store = await fresh();
    const a = idOf(await store.appendMail('bob', mail(b(1), T0 + 1000), ROOMY));
    expect(await store.deleteMail('bob', [a])).toBe(1);
    expect(await store.dump()).toEqual([['total/bytes', '0']]);
    const next = idOf(await store.appendMail('bob', mail(b(2), T0), ROOMY));
    expect(timeOf(next)).toBe(T0);
    await store.appendMail('carol', mail(b(3), T0 + 1000, T0 + 1001), ROOMY);
    await store.expire(T0 + 1001);
    expect((await store.dump()).filter(([k]) => k.includes('carol'))).toEqual([]);
    expect(timeOf(idOf(await store.appendMail('carol', mail(b(4), T0), ROOMY)))).toBe(T0);
  });

  it('MB-3 ids in one mailbox follow each other even when time goes back, and another mailbox\'s ids do not count', async () => {
    const store = await fresh();
    const a = idOf(await store.appendMail('bob', mail(b(1), T0 + 1000), ROOMY));
    const other = idOf(await store.appendMail('bobby', mail(b(2), T0 + 5000), ROOMY));
    const c = idOf(await store.appendMail('bob', mail(b(3), T0), ROOMY));
    expect(c > a).toBe(true);
    expect(timeOf(c)).toBeLessThan(T0 + 5000);
    expect(other > c).toBe(true);
    expect((await store.listMail('bob', T0, 10)).map((m) => m.id)).toEqual([a, c]);
    expect((await store.listMail('bobby', T0, 10)).map((m) => m.id)).toEqual([other]);
    expect(await store.listMail('bo', T0, 10)).toEqual([]);
    // a new mailbox after others in key order starts from its own time, not after their ids
    expect(timeOf(idOf(await store.appendMail('dan', mail(b(4), T0), ROOMY)))).toBe(T0);
  });

  it('CHAN-8 a channel emptied by expiry leaves no trace: the next post\'s id starts from its own time; ids follow each other per channel', async () => {
    const store = await fresh();
    await store.appendChanPost(HEX64, chanPost(b(1), T0 + 1000, T0 + 1001), CHAN_ROOMY);
    expect(await store.expireChanPosts(T0 + 1001)).toBe(1);
    expect((await store.dump()).filter(([k]) => k.includes(HEX64))).toEqual([]);
    const first = chanId(await store.appendChanPost(HEX64, chanPost(b(2), T0), CHAN_ROOMY));
    expect(timeOf(first)).toBe(T0);
    const later = chanId(await store.appendChanPost(HEX_B, chanPost(b(3), T0 + 5000), CHAN_ROOMY));
    const second = chanId(await store.appendChanPost(HEX64, chanPost(b(4), T0 - 10), CHAN_ROOMY));
    expect(second > first).toBe(true);
    expect(timeOf(second)).toBeLessThan(T0 + 5000);
    expect(later > second).toBe(true);
    // newest first, and `before` is exclusive
    expect((await store.listChanPosts(HEX64, T0, 10)).map((p) => p.id)).toEqual([second, first]);
    expect((await store.listChanPosts(HEX64, T0, 10, second)).map((p) => p.id)).toEqual([first]);
    expect(await store.listChanPosts(HEX64, T0, 10, first)).toEqual([]);
    expect(await store.getChanPost(HEX_B, first, T0)).toBeUndefined();
    // a new channel after others in key order starts from its own time, not after their ids
    const third = 'f'.repeat(64);
    expect(timeOf(chanId(await store.appendChanPost(third, chanPost(b(5), T0 - 100), CHAN_ROOMY)))).toBe(T0 - 100);
  });

  it('OP-5 post ids follow the last minted, also after the newest post is deleted; listPosts pages newest first, before exclusive', async () => {
    const store = await fresh();
    const a = idOf(await store.appendPost(post(b(1), T0 + 1000)));
    expect(await store.deletePostIfAuthor(a, 'bob')).toBe(false);
    expect(await store.deletePostIfAuthor(a, 'alice')).toBe(true);
    expect(await store.deletePostIfAuthor(a, 'alice')).toBe(false);
    const c = idOf(await store.appendPost(post(b(2), T0)));
    expect(c > a).toBe(true);
    const d = idOf(await store.appendPost(post(b(3), T0 + 1)));
    expect((await store.listPosts(T0, 10)).map((p) => p.id)).toEqual([d, c]);
    expect((await store.listPosts(T0, 10, d)).map((p) => p.id)).toEqual([c]);
    expect(await store.listPosts(T0, 10, c)).toEqual([]);
    expect((await store.listPosts(T0, 1)).map((p) => p.id)).toEqual([d]);
    // FEED-9 the same post again is the post held
    expect(await store.appendPost(post(b(3), T0 + 1))).toEqual({ id: d, held: true });
  });

  it('OP-5 a store written before the last id was kept mints post ids after the greatest present', async () => {
    const path = await tempDir();
    const store = await at(path);
    idOf(await store.appendPost(post(b(1), T0)));
    const newest = idOf(await store.appendPost(post(b(2), T0 + 5000)));
    await store.close();
    const raw = open({ path, maxDbs: 48, compression: false });
    await raw.openDB({ name: 'last', encoding: 'string' }).remove('post');
    await raw.close();
    const again = await at(path);
    expect(idOf(await again.appendPost(post(b(3), T0 + 1))) > newest).toBe(true);
  });

  it('COL-19 readEntries answers from a position, at most limit entries, and the length', async () => {
    const store = await fresh();
    const quota = { maxEntries: 3 };
    expect(await store.appendEntry('log', 1, b(1), quota)).toBe('stale');
    for (let i = 0; i < 3; i++) expect(await store.appendEntry('log', i, b(i), quota)).toBe('ok');
    expect(await store.appendEntry('log', 3, b(3), quota)).toBe('full');
    expect(await store.appendEntry('lo', 0, b(9), quota)).toBe('ok');
    expect(await store.readEntries('log', 1, 5)).toEqual({ entries: [b(1), b(2)], length: 3 });
    expect(await store.readEntries('log', 0, 2)).toEqual({ entries: [b(0), b(1)], length: 3 });
    expect(await store.readEntries('log', 3, 2)).toEqual({ entries: [], length: 3 });
    expect(await store.readEntries('log', 0, 0)).toEqual({ entries: [], length: 3 });
    expect(await store.readEntries('lo', 0, 5)).toEqual({ entries: [b(9)], length: 1 });
    expect(await store.readEntries('nolog', 0, 5)).toEqual({ entries: [], length: 0 });
  });

  it('PIN-8 listPins: each prefix scanned in cell order for at most limit live pins, answered in cell order', async () => {
    const store = await fresh();
    const id = (i: number) => String(i).repeat(32);
    await store.putPin(pin(id(1), T0 + DAY, 'u4pruyd'), 10);
    await store.putPin(pin(id(2), T0 + 10, 'u4pruye'), 10);
    await store.putPin(pin(id(3), T0 + DAY, 'u4pruyf'), 10);
    await store.putPin(pin(id(4), T0 + DAY, 'u4zzzzz'), 10);
    await store.putPin(pin(id(5), T0 + DAY, 'v000000'), 10);
    const ids = async (prefixes: string[], limit: number, now = T0 + 10) => (await store.listPins(prefixes, now, limit)).map((p) => p.id);
    expect(await ids(['u4p'], 10)).toEqual([id(1), id(3)]);
    expect(await ids(['u4p'], 10, T0)).toEqual([id(1), id(2), id(3)]);
    expect(await ids(['u4p'], 1)).toEqual([id(1)]);
    expect(await ids(['u4'], 10)).toEqual([id(1), id(3), id(4)]);
    expect(await ids(['u4z', 'u4p'], 2)).toEqual([id(1), id(3)]);
    expect(await ids(['u4z', 'u4p', 'u4p'], 5)).toEqual([id(1), id(3), id(4)]);
    expect(await ids(['u4pruyf'], 5)).toEqual([id(3)]);
    expect(await ids(['u5'], 5)).toEqual([]);
    expect(await store.putPin(pin(id(1)), 10)).toBe('held');
    expect((await store.dump()).filter(([k]) => k === 'total/pins')).toEqual([['total/pins', '5']]);
  });
});

describe('lmdb store: the storage budget (STORE-2) at its edge', () => {
  it('a letter, post, log entry, profile or channel post that fills the budget exactly is stored; one byte more is refused and changes nothing', async () => {
    const store = await fresh();
    const before = async () => (await store.dump()).map(([k]) => k);
    expect(await store.appendMail('bob', mail(b(1, 1, 1, 1, 1, 1)), { ...ROOMY, storageBytes: 5 })).toBe('storage-full');
    idOf(await store.appendMail('bob', mail(b(1, 1, 1, 1, 1)), { ...ROOMY, storageBytes: 5 }));
    const keys = await before();
    expect(await store.appendPost(post(b(2, 2, 2, 2, 2, 2)), { maxPosts: 9, since: 0, storageBytes: 10 })).toBe('storage-full');
    idOf(await store.appendPost(post(b(2, 2, 2, 2, 2)), { maxPosts: 9, since: 0, storageBytes: 10 }));
    expect(keys.length).toBeLessThan((await before()).length);
    expect(await store.appendEntry('log', 0, b(3, 3, 3, 3, 3, 3), { maxEntries: 9, storageBytes: 15 })).toBe('storage-full');
    expect(await store.appendEntry('log', 0, b(3, 3, 3, 3, 3), { maxEntries: 9, storageBytes: 15 })).toBe('ok');
    expect(await store.putProfileIfNewer('alice', profile(b(4, 4, 4, 4, 4, 4), 1), T0, 20)).toBe('storage-full');
    expect(await store.putProfileIfNewer('alice', profile(b(4, 4, 4, 4, 4), 1), T0, 20)).toBe('ok');
    const full = await store.dump();
    expect(await store.appendChanPost(HEX64, chanPost(b(5, 5, 5, 5, 5, 5)), { ...CHAN_ROOMY, storageBytes: 25 })).toBe('storage-full');
    expect(await store.appendMail('carol', mail(b(1)), { ...ROOMY, storageBytes: 20 })).toBe('storage-full');
    expect(await store.dump()).toEqual(full);
    chanId(await store.appendChanPost(HEX64, chanPost(b(5, 5, 5, 5, 5)), { ...CHAN_ROOMY, storageBytes: 25 }));
    expect(await store.storedBytes()).toBe(25);
    // a profile replaced frees its bytes in the same transaction: a bigger one fits the bytes it frees
    expect(await store.putProfileIfNewer('alice', profile(b(6, 6, 6, 6, 6, 6), 2), T0, 26)).toBe('ok');
    expect(await store.putProfileIfNewer('alice', profile(b(7, 7, 7, 7, 7, 7, 7, 7), 3), T0, 27)).toBe('storage-full');
    expect(await store.storedBytes()).toBe(26);
    // without a budget nothing is refused
    idOf(await store.appendMail('carol', mail(b(9, 9, 9)), ROOMY));
    idOf(await store.appendPost(post(b(9, 9, 9))));
    expect(await store.storedBytes()).toBe(32);
  });

  it('every deletion gives its bytes back: acks, a post deleted, expiry of letters, posts, channel posts and profiles', async () => {
    const store = await fresh();
    const m = idOf(await store.appendMail('bob', mail(b(1, 1), T0, T0 + 10), ROOMY));
    await store.appendMail('bob', mail(b(1, 1, 1), T0, T0 + 10), ROOMY);
    const p = idOf(await store.appendPost(post(b(2, 2, 2, 2), T0, T0 + 10)));
    await store.appendPost(post(b(2, 2, 2, 2, 2, 2, 2, 2), T0, T0 + 10));
    await store.appendChanPost(HEX64, chanPost(b(3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3), T0, T0 + 10), CHAN_ROOMY);
    await store.putProfileIfNewer('alice', profile(new Uint8Array(32), 1, T0 + 10), T0);
    expect(await store.storedBytes()).toBe(65);
    expect(await store.deleteMail('bob', [m])).toBe(1);
    expect(await store.storedBytes()).toBe(63);
    expect(await store.deletePostIfAuthor(p, 'alice')).toBe(true);
    expect(await store.storedBytes()).toBe(59);
    expect(await store.expire(T0 + 10)).toEqual({ mail: 1, posts: 1 });
    expect(await store.storedBytes()).toBe(48);
    expect(await store.expireChanPosts(T0 + 10)).toBe(1);
    expect(await store.storedBytes()).toBe(32);
    expect(await store.expireProfiles(T0 + 10)).toBe(1);
    expect(await store.storedBytes()).toBe(0);
  });
});

describe('lmdb store: a reopened directory', () => {
  it('STORE-1 keeps every record, byte for byte, and the store goes on from where it was', async () => {
    const path = await tempDir();
    const store = await at(path);
    await fill(store);
    const before = await store.dump();
    await store.close();
    const again = await at(path);
    expect(await again.dump()).toEqual(before);
    expect(await again.storedBytes()).toBe(16);
    // ids go on after the ones held; the budget counts what was held before the reopen
    const lastPost = before.find(([k]) => k === 'last/post')![1] as string;
    expect(idOf(await again.appendPost(post(b(8), T0))) > lastPost).toBe(true);
    expect(await again.appendMail('bob', mail(b(1, 2, 3)), { ...ROOMY, storageBytes: 18 })).toBe('storage-full');
  });

  it('STORE-2 a store without its byte count gets it counted from every kind of record at open', async () => {
    const path = await tempDir();
    const store = await at(path);
    await fill(store);
    const held = await store.storedBytes();
    expect(held).toBe(16);
    await store.close();
    const raw = open({ path, maxDbs: 48, compression: false });
    await raw.openDB({ name: 'total', encoding: 'msgpack' }).remove('bytes');
    await raw.close();
    const again = await at(path);
    expect(await again.storedBytes()).toBe(held);
  });

  it('the lmdb store refuses a path that is not a non-empty string', async () => {
    await expect(openStore({ kind: 'lmdb', path: '' })).rejects.toThrow(new TypeError('path must be a directory path'));
    await expect(openStore({ kind: 'lmdb', path: 5 as unknown as string })).rejects.toThrow(new TypeError('path must be a directory path'));
  });

  it('close() lets go of the data file', async () => {
    const path = await tempDir();
    const store = await at(path);
    await store.appendMail('bob', mail(b(1)), ROOMY);
    const holding = async () => {
      const fds = await readdir('/proc/self/fd');
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.filter((t) => t.startsWith(path)).length;
    };
    expect(await holding()).toBeGreaterThan(0);
    await store.close();
    expect(await holding()).toBe(0);
  });

  it('close() stops telling listeners of new mail', async () => {
    const path = await tempDir();
    const store = await at(path);
    const heard: string[] = [];
    store.onMail((to) => heard.push(to));
    await store.appendMail('bob', mail(b(1)), ROOMY);
    await store.appendMail('bob', mail(b(1)), ROOMY); // held: no news
    expect(heard).toEqual(['bob']);
    await store.close();
    const again = await at(path);
    await again.appendMail('bob', mail(b(2)), ROOMY);
    expect(heard).toEqual(['bob']);
  });
});

describe('lmdb store: what is on disk', () => {
  it('each database under its documented name, in its documented encoding, and no other (what another Operator version on the directory reads)', async () => {
    const path = await tempDir();
    const store = await at(path);
    await eachKind(store);
    // a record past lmdb's compression threshold (1000 bytes) is written as it is, never compressed
    const long = new Uint8Array(3000).fill(7);
    idOf(await store.appendMail('carol', { ...mail(long), key: 'long' }, ROOMY));
    const dumped = await store.dump();
    expect(dumped.some(([, v]) => v instanceof Uint8Array && v.length === 3017)).toBe(true);
    await store.close();
    const raw = open({ path, maxDbs: 48, compression: false });
    try {
      const read: Array<[string, Uint8Array | string]> = [];
      for (const [name, encoding] of LAYOUT) {
        const db = raw.openDB<unknown, Key>({ name, ...encoding });
        for (const { key, value } of db.getRange()) read.push([`${name}/${showKey(key)}`, showValue(value)]);
      }
      expect(read).toEqual(dumped);
      expect(read.map(([k]) => k.split('/')[0])).toEqual(expect.arrayContaining(LAYOUT.map(([name]) => name)));
      expect([...raw.getKeys()].map(String).sort()).toEqual(LAYOUT.map(([name]) => name).sort());
    } finally {
      await raw.close();
    }
  });
});

describe('lmdb store: a damaged store', () => {
  it('every sweep ends, and drops an index entry whose item is missing; a listing skips a cell entry whose pin is missing', async () => {
    const path = await tempDir();
    const store = await at(path);
    idOf(await store.appendPost(post(b(1), T0, T0 + DAY)));
    await store.close();
    const id = `${'0'.repeat(13)}9${NONCE}`;
    const raw = open({ path, maxDbs: 48, compression: false });
    const none = new Uint8Array(0);
    await raw.openDB({ name: 'pexp', encoding: 'binary' }).put([T0, id], none);
    await raw.openDB({ name: 'cexp', encoding: 'binary' }).put([T0, HEX64, id], none);
    await raw.openDB({ name: 'prexp', encoding: 'binary' }).put([T0, 'alice'], none);
    await raw.openDB({ name: 'pinexp', encoding: 'binary' }).put([T0, PIN], none);
    await raw.openDB({ name: 'pincell', encoding: 'binary' }).put(['u4pruyd', PIN], none);
    await raw.close();
    const again = await at(path);
    expect(await again.listPins(['u4p'], T0, 10)).toEqual([]);
    expect(await again.expire(T0)).toEqual({ mail: 0, posts: 0 });
    expect(await again.expireChanPosts(T0)).toBe(0);
    expect(await again.expireProfiles(T0)).toBe(0);
    expect(await again.expirePins(T0)).toBe(0);
    const left = (await again.dump()).map(([k]) => k.split('/')[0]);
    expect(left.filter((k) => k!.endsWith('exp'))).toEqual(['pexp']); // the real post's own entry
    expect(await again.listPosts(T0, 10)).toHaveLength(1);
  });

  it('MB-4 a letter deleted from a mailbox whose counter is missing leaves no counter behind', async () => {
    const path = await tempDir();
    const store = await at(path);
    const letter = idOf(await store.appendMail('bob', mail(b(1, 2)), ROOMY));
    await store.close();
    const raw = open({ path, maxDbs: 48, compression: false });
    await raw.openDB({ name: 'mbox', encoding: 'msgpack' }).remove('bob');
    await raw.close();
    const again = await at(path);
    expect(await again.deleteMail('bob', [letter])).toBe(1);
    expect(await again.dump()).toEqual([['total/bytes', '0']]);
  });

  it('MB-11 a store written before the id → key indexes, holding letters and no post, gets them at open', async () => {
    const path = await tempDir();
    const store = await at(path);
    const letter = idOf(await store.appendMail('bob', mail(b(1, 2)), ROOMY));
    await store.close();
    const raw = open({ path, maxDbs: 48, compression: false });
    await raw.openDB({ name: 'mkey', encoding: 'string' }).drop();
    await raw.close();
    const again = await at(path);
    expect(await again.deleteMail('bob', [letter])).toBe(1);
    const repeated = await again.appendMail('bob', mail(b(1, 2)), ROOMY);
    expect(typeof repeated === 'object' && repeated.held).toBeFalsy();
  });

  it('FEED-9 a store written before the id → key indexes, holding posts and no letter, gets them at open', async () => {
    const path = await tempDir();
    const store = await at(path);
    const id = idOf(await store.appendPost(post(b(1, 2))));
    await store.close();
    const raw = open({ path, maxDbs: 48, compression: false });
    await raw.openDB({ name: 'pkey', encoding: 'string' }).drop();
    await raw.close();
    const again = await at(path);
    expect(await again.deletePostIfAuthor(id, 'alice')).toBe(true);
    const repeated = await again.appendPost(post(b(1, 2)));
    expect(typeof repeated === 'object' && repeated.held).toBeFalsy();
  });
});

/** Every database of lmdb.ts's layout, in the dump's order, with the encoding it is written in. */
const LAYOUT: Array<[string, { encoding: 'binary' | 'msgpack' | 'string'; keyEncoding?: 'binary' }]> = [
  ['name', { encoding: 'msgpack' }],
  ['key', { keyEncoding: 'binary', encoding: 'string' }],
  ...(['mail', 'mbox', 'mexp', 'post', 'pexp', 'pauth', 'world', 'last', 'mhash', 'phash', 'mkey', 'pkey', 'total', 'clog', 'clen', 'prof', 'prexp', 'chan', 'cexp', 'ctime', 'chash', 'ckey', 'pin', 'pincell', 'pinexp', 'pinvote', 'tkey', 'tuse', 'tspent', 'vote', 'vtally', 'vexp'] as const).map(
    (name): [string, { encoding: 'binary' | 'msgpack' | 'string' }] => [name, { encoding: ['mbox', 'total', 'clen', 'pin', 'tuse', 'vote', 'vtally'].includes(name) ? 'msgpack' : ['last', 'mhash', 'phash', 'mkey', 'pkey', 'chash', 'ckey', 'tspent'].includes(name) ? 'string' : 'binary' }],
  ),
];

function showKey(key: Key): string {
  if (Array.isArray(key)) return key.map(showKey).join('/');
  if (key instanceof Uint8Array) return hex(key);
  return String(key);
}

function showValue(value: unknown): Uint8Array | string {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map((v) => (v instanceof Uint8Array ? hex(v) : String(v))).join('/');
  return String(value);
}

/** One record of each kind that holds sealed bytes: 16 bytes in all. */
async function fill(store: Store): Promise<void> {
  await store.putPairIfAbsent('alice', new Uint8Array(45).fill(1), T0);
  await store.appendMail('bob', mail(b(1)), ROOMY);
  await store.appendPost(post(b(2, 2)));
  await store.appendEntry('log', 0, b(3, 3, 3), { maxEntries: 5 });
  await store.putProfileIfNewer('alice', profile(b(4, 4, 4, 4), 2), T0);
  await store.appendChanPost(HEX64, chanPost(b(5, 5, 5, 5, 5, 5)), CHAN_ROOMY);
  await store.worldKey(7, () => b(6));
  await store.putPin(pin(), 10);
  await store.issuerKey(8, async () => b(7));
}

describe('lmdb store: the dump shows everything held', () => {
  it('one record of each kind, each under its database and key, with every index entry', async () => {
    const store = await fresh();
    const made = await eachKind(store);
    expect(await store.dump()).toEqual(expectedDump(made));
  });

  it('OP-5 the last post id minted stays after its post is deleted, and nothing else does', async () => {
    const store = await fresh();
    const id = idOf(await store.appendPost(post(b(1))));
    expect(await store.deletePostIfAuthor(id, 'alice')).toBe(true);
    expect(await store.dump()).toEqual([['last/post', id], ['total/bytes', '0']]);
  });
});

/** One record of each kind, and every index entry (a deleted post, a pin voted on, a vote cast). */
async function eachKind(store: Store) {
  const key = new Uint8Array(45).fill(1);
  await store.putPairIfAbsent('alice', key, T0);
  const mailId = idOf(await store.appendMail('bob', mail(b(1)), ROOMY));
  const gone = idOf(await store.appendPost(post(b(9), T0)));
  expect(await store.deletePostIfAuthor(gone, 'alice')).toBe(true);
  const postId = idOf(await store.appendPost(post(b(2), T0 + 1)));
  await store.worldKey(7, () => b(3));
  await store.appendEntry('log', 0, b(4), { maxEntries: 5 });
  await store.putProfileIfNewer('alice', profile(b(5), 2), T0);
  const chanPostId = chanId(await store.appendChanPost(HEX64, chanPost(b(6)), CHAN_ROOMY));
  expect(await store.putPin(pin(), 10)).toBe('ok');
  expect(await store.votePin(PIN, HEX_B, 'confirm', T0, RULE)).toMatchObject({ confirms: 1 });
  await store.issuerKey(8, async () => b(7));
  await store.takeTokens(8, 'alice', 2, 5);
  expect(await store.spendToken(8, HEX64, HEX_B)).toBe('ok');
  await store.castVote({ post: postId, voter: HEX_B, choice: -1, expiresAt: T0 + DAY }, { period: 8, nullifier: HEX_B, action: HEX64 });
  expect((await store.getPin(PIN))!.expiresAt).toBe(T0 + DAY); // a confirm never outlives maxLifeMs
  return { key, mailId, postId, chanPostId };
}

const f64 = (n: number) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  return [...new Uint8Array(view.buffer)];
};
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/**
 * The exact dump of the record-of-each-kind test above: every database in its order, every key's parts, the
 * binary records byte for byte (version 1, big-endian float64 times, then the sealed bytes; a post also
 * its epoch, author length and author; a profile its `at` first), and every index entry.
 */
function expectedDump(v: { key: Uint8Array; mailId: string; postId: string; chanPostId: string }): Array<[string, Uint8Array | string]> {
  const none = new Uint8Array(0);
  const day = T0 + DAY;
  const alice = [...new TextEncoder().encode('alice')];
  return [
    ['name/alice', `${hex(v.key)}/${T0}`],
    [`key/${hex(v.key)}`, 'alice'],
    [`mail/bob/${v.mailId}`, new Uint8Array([1, ...f64(T0), ...f64(day), 1])],
    ['mbox/bob', '1/1'],
    [`mexp/${day}/bob/${v.mailId}`, none],
    [`post/${v.postId}`, new Uint8Array([1, ...f64(T0 + 1), ...f64(day), ...u32(1), 0, 5, ...alice, 2])],
    [`pexp/${day}/${v.postId}`, none],
    [`pauth/alice/${T0 + 1}/${v.postId}`, none],
    ['world/7', b(3)],
    ['last/post', v.postId],
    ['mhash/bob/m1', v.mailId],
    ['phash/palice2', v.postId],
    [`mkey/bob/${v.mailId}`, 'm1'],
    [`pkey/${v.postId}`, 'palice2'],
    ['total/bytes', '5'],
    ['total/pins', '1'],
    ['clog/log/0', b(4)],
    ['clen/log', '1'],
    ['prof/alice', new Uint8Array([1, ...u32(2), ...f64(T0), ...f64(day), 5])],
    [`prexp/${day}/alice`, none],
    [`chan/${HEX64}/${v.chanPostId}`, new Uint8Array([1, ...f64(T0), ...f64(day), 6])],
    [`cexp/${day}/${HEX64}/${v.chanPostId}`, none],
    [`ctime/${HEX64}/${T0}/${v.chanPostId}`, none],
    [`chash/${HEX64}/c6`, v.chanPostId],
    [`ckey/${HEX64}/${v.chanPostId}`, 'c6'],
    [`pin/${PIN}`, `u4pruyd/hazard/x/${T0}/${day}/1/0`],
    [`pincell/u4pruyd/${PIN}`, none],
    [`pinexp/${day}/${PIN}`, none],
    [`pinvote/${PIN}/${HEX_B}`, none],
    ['tkey/8', b(7)],
    ['tuse/8/alice', '2'],
    [`tspent/8/${HEX64}`, HEX_B],
    [`tspent/8/${HEX_B}`, HEX64],
    [`vote/${v.postId}/${HEX_B}`, '-1'],
    [`vtally/${v.postId}`, `0/1/${day}`],
    [`vexp/${day}/${v.postId}`, none],
  ];
}
