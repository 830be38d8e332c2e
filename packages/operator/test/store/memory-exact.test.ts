/**
 * The memory store's own decisions, which the conformance suite reaches only on the way to something else:
 * bytes copied in and out (a caller's later change never reaches what is held), the exact instant an item
 * stops being live, what an emptied mailbox or channel leaves behind (nothing), the counts a deletion
 * gives back, and a dump that shows everything held (the privacy scan reads it). Written from the
 * survivors of the store's mutation run (spec/notes/2026-11-29-mutation-testing.md).
 */
import { describe, expect, it } from 'vitest';
import { openStore, type PutChanPostResult, type Store } from '../../src/store/index.js';
import { TIME_DIGITS } from '../../src/policy/ids.js';
import { DAY, T0, idOf } from '@comrad/test-kit/operator/store-conformance';

const NONCE = '0123456789ab';
const HEX64 = '0123456789abcdef'.repeat(4);
const HEX_B = 'fedcba9876543210'.repeat(4);
const PIN = '0123456789abcdef'.repeat(2);
const ROOMY = { maxItems: 100, maxBytes: 10_000 };
const CHAN_ROOMY = { maxPosts: 100, maxRecent: 100, since: 0 };
const RULE = { confirmMs: 1000, denyMs: 1000, maxLifeMs: DAY };

const b = (...xs: number[]) => new Uint8Array(xs);
const mail = (sealed: Uint8Array, receivedAt = T0, expiresAt = T0 + DAY) => ({ sealed, receivedAt, expiresAt, key: `m${sealed.join('.')}`, nonce: NONCE });
const post = (sealed: Uint8Array, postedAt = T0, expiresAt = T0 + DAY) => ({ author: 'alice', sealed, epoch: 1, postedAt, expiresAt, key: `p${sealed.join('.')}`, nonce: NONCE });
const chanPost = (sealed: Uint8Array, postedAt = T0, expiresAt = T0 + DAY) => ({ sealed, postedAt, expiresAt, key: `c${sealed.join('.')}`, nonce: NONCE });
const pin = (expiresAt = T0 + DAY) => ({ id: PIN, cell: 'u4pruyd', kind: 'hazard', note: 'x', createdAt: T0, expiresAt, confirms: 0, denies: 0 });
const chanId = (r: PutChanPostResult) => idOf(r as Exclude<PutChanPostResult, 'full'>);
/** An id's time part, in ms. */
const timeOf = (id: string) => parseInt(id.slice(0, TIME_DIGITS), 36);

async function fresh(): Promise<Store> {
  return openStore({ kind: 'memory' });
}

describe('memory store: bytes are copied in and out', () => {
  it('a key, letter, post, log entry, profile, channel post, world and issuer key: the caller changing its bytes afterwards, or the bytes it was given, changes nothing held', async () => {
    const store = await fresh();
    const key = new Uint8Array(45).fill(1);
    await store.putPairIfAbsent('alice', key, T0);
    key.fill(9);
    const gotKey = (await store.keyOf('alice'))!;
    expect(gotKey).toEqual(new Uint8Array(45).fill(1));
    gotKey.fill(8);
    expect(await store.keyOf('alice')).toEqual(new Uint8Array(45).fill(1));
    expect(await store.nameOf(new Uint8Array(45).fill(1))).toBe('alice');

    const letter = b(1, 2, 3);
    await store.appendMail('bob', mail(letter), ROOMY);
    letter.fill(0);
    const [item] = await store.listMail('bob', T0, 10);
    expect(item!.sealed).toEqual(b(1, 2, 3));
    item!.sealed.fill(7);
    expect((await store.listMail('bob', T0, 10))[0]!.sealed).toEqual(b(1, 2, 3));

    const postBytes = b(4, 5);
    const postId = idOf(await store.appendPost(post(postBytes)));
    postBytes.fill(0);
    const listed = (await store.listPosts(T0, 10))[0]!;
    expect(listed.sealed).toEqual(b(4, 5));
    listed.sealed.fill(7);
    const got = (await store.getPost(postId, T0))!;
    expect(got.sealed).toEqual(b(4, 5));
    got.sealed.fill(7);
    expect((await store.getPost(postId, T0))!.sealed).toEqual(b(4, 5));

    const entry = b(6);
    expect(await store.appendEntry('log', 0, entry, { maxEntries: 5 })).toBe('ok');
    entry.fill(0);
    const page = await store.readEntries('log', 0, 10);
    expect(page.entries).toEqual([b(6)]);
    page.entries[0]!.fill(7);
    expect((await store.readEntries('log', 0, 10)).entries).toEqual([b(6)]);

    const profileBytes = b(7, 7);
    expect(await store.putProfileIfNewer('alice', { sealed: profileBytes, at: 1, receivedAt: T0, expiresAt: T0 + DAY }, T0)).toBe('ok');
    profileBytes.fill(0);
    const profile = (await store.getProfile('alice', T0))!;
    expect(profile.sealed).toEqual(b(7, 7));
    profile.sealed.fill(1);
    expect((await store.getProfile('alice', T0))!.sealed).toEqual(b(7, 7));

    const chanBytes = b(8);
    const cid = chanId(await store.appendChanPost(HEX64, chanPost(chanBytes), CHAN_ROOMY));
    chanBytes.fill(0);
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
    await store.close();
  });

  it('TOK-4 two issuerKey creations racing: both answer the first stored, as copies', async () => {
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
    await store.close();
  });

  it('dump hands out copies: changing a dumped value changes nothing held', async () => {
    const store = await fresh();
    await store.putPairIfAbsent('alice', new Uint8Array(45).fill(1), T0);
    await store.appendMail('bob', mail(b(1)), ROOMY);
    await store.appendPost(post(b(2)));
    await store.worldKey(1, () => b(3));
    await store.appendEntry('log', 0, b(4), { maxEntries: 5 });
    await store.putProfileIfNewer('alice', { sealed: b(5), at: 1, receivedAt: T0, expiresAt: T0 + DAY }, T0);
    await store.appendChanPost(HEX64, chanPost(b(6)), CHAN_ROOMY);
    await store.issuerKey(1, async () => b(7));
    const before = (await store.dump()).map(([k, v]) => [k, typeof v === 'string' ? v : v.slice()]);
    expect(before.filter(([, v]) => typeof v !== 'string')).toHaveLength(8);
    for (const [, value] of await store.dump()) if (value instanceof Uint8Array) value.fill(0xee);
    expect(await store.dump()).toEqual(before);
    await store.close();
  });
});

describe('memory store: the instant an item stops being live, and counts', () => {
  it('PROF-10 a profile that expires exactly now is not live: an older one replaces it', async () => {
    const store = await fresh();
    expect(await store.putProfileIfNewer('alice', { sealed: b(1), at: 5, receivedAt: T0, expiresAt: T0 + 10 }, T0)).toBe('ok');
    expect(await store.putProfileIfNewer('alice', { sealed: b(2), at: 3, receivedAt: T0, expiresAt: T0 + DAY }, T0 + 9)).toBe('stale');
    expect(await store.putProfileIfNewer('alice', { sealed: b(2), at: 3, receivedAt: T0, expiresAt: T0 + DAY }, T0 + 10)).toBe('ok');
    expect((await store.getProfile('alice', T0 + 10))!.at).toBe(3);
    await store.close();
  });

  it('CHAN-5 a channel post that expires exactly now is not listed; PIN-6 a pin that expires exactly now takes no vote', async () => {
    const store = await fresh();
    await store.appendChanPost(HEX64, chanPost(b(1), T0, T0 + 10), CHAN_ROOMY);
    expect(await store.listChanPosts(HEX64, T0 + 9, 10)).toHaveLength(1);
    expect(await store.listChanPosts(HEX64, T0 + 10, 10)).toEqual([]);
    expect(await store.putPin(pin(T0 + 10), 10)).toBe('ok');
    expect(await store.votePin(PIN, HEX64, 'confirm', T0 + 10, RULE)).toBe('expired');
    expect(await store.votePin(PIN, HEX64, 'confirm', T0 + 9, RULE)).toMatchObject({ confirms: 1 });
    await store.close();
  });

  it('CHAN-7 only posts at or after since count against maxRecent', async () => {
    const store = await fresh();
    const quota = { maxPosts: 10, maxRecent: 1, since: T0 };
    chanId(await store.appendChanPost(HEX64, chanPost(b(1), T0 - 1), quota));
    chanId(await store.appendChanPost(HEX64, chanPost(b(2), T0), quota));
    expect(await store.appendChanPost(HEX64, chanPost(b(3), T0 + 1), quota)).toBe('rate-limited');
    await store.close();
  });

  it('MB-4 a deleted letter gives its bytes back to its mailbox', async () => {
    const store = await fresh();
    const quota = { maxItems: 10, maxBytes: 12 };
    const a = idOf(await store.appendMail('bob', mail(b(1, 1, 1, 1, 1)), quota));
    idOf(await store.appendMail('bob', mail(b(2, 2, 2, 2, 2)), quota));
    expect(await store.appendMail('bob', mail(b(3, 3, 3, 3, 3)), quota)).toBe('quota');
    expect(await store.deleteMail('bob', [a])).toBe(1);
    idOf(await store.appendMail('bob', mail(b(3, 3, 3, 3, 3)), quota));
    await store.close();
  });

  it('TOK-9 taking no token stores nothing', async () => {
    const store = await fresh();
    expect(await store.takeTokens(1, 'alice', 0, 5)).toEqual({ granted: 0, left: 5 });
    expect(await store.takeTokens(1, 'bob', 3, 0)).toEqual({ granted: 0, left: 0 });
    expect(await store.dump()).toEqual([]);
    await store.close();
  });

  it('TOK-8 a paid put repeated with its own token is the same put, not a spent token', async () => {
    const store = await fresh();
    const spend = { period: 1, nullifier: HEX64, action: HEX_B };
    const first = idOf(await store.appendMail('bob', mail(b(1)), ROOMY, spend));
    expect(await store.appendMail('bob', mail(b(1)), ROOMY, spend)).toEqual({ id: first, held: true });
    const chan = chanId(await store.appendChanPost(HEX64, chanPost(b(2)), CHAN_ROOMY, { ...spend, nullifier: HEX_B }));
    expect(await store.appendChanPost(HEX64, chanPost(b(2)), CHAN_ROOMY, { ...spend, nullifier: HEX_B })).toEqual({ id: chan, held: true });
    expect(await store.appendMail('bob', mail(b(3)), ROOMY, { ...spend, action: HEX64 })).toBe('spent');
    await store.close();
  });

  it('VOTE-4 a vote withdrawn by its only voter leaves no tally and no voter behind', async () => {
    const store = await fresh();
    const post = `${'0'.repeat(14)}${NONCE}`;
    await store.castVote({ post, voter: HEX64, choice: 1, expiresAt: T0 + DAY }, { period: 1, nullifier: HEX64, action: HEX_B });
    expect(await store.castVote({ post, voter: HEX64, choice: 0, expiresAt: T0 + DAY }, { period: 1, nullifier: HEX_B, action: HEX_B })).toEqual({ up: 0, down: 0 });
    expect((await store.dump()).filter(([k]) => !k.startsWith('spent/'))).toEqual([]);
    await store.close();
  });

  it('TOK-4 expireTokens forgets the issuer keys of the periods before the bound, and keeps the rest', async () => {
    const store = await fresh();
    await store.issuerKey(1, async () => b(1));
    await store.issuerKey(2, async () => b(2));
    await store.expireTokens(2);
    expect(await store.issuerKey(1)).toBeUndefined();
    expect(await store.issuerKey(2)).toEqual(b(2));
    await store.close();
  });
});

describe('memory store: what an emptied mailbox or channel leaves behind', () => {
  it('MB-3 a mailbox emptied by acks or expiry leaves no trace: the next letter\'s id starts from its own time', async () => {
    const store = await fresh();
    const a = idOf(await store.appendMail('bob', mail(b(1), T0 + 1000), ROOMY));
    expect(await store.deleteMail('bob', [a])).toBe(1);
    const next = idOf(await store.appendMail('bob', mail(b(2), T0), ROOMY));
    expect(timeOf(next)).toBe(T0);
    await store.appendMail('carol', mail(b(3), T0 + 1000, T0 + 1001), ROOMY);
    await store.expire(T0 + 1001);
    expect(timeOf(idOf(await store.appendMail('carol', mail(b(4), T0), ROOMY)))).toBe(T0);
    await store.close();
  });

  it('CHAN-8 a channel emptied by expiry leaves no trace: the next post\'s id starts from its own time', async () => {
    const store = await fresh();
    await store.appendChanPost(HEX64, chanPost(b(1), T0 + 1000, T0 + 1001), CHAN_ROOMY);
    expect(await store.expireChanPosts(T0 + 1001)).toBe(1);
    expect(timeOf(chanId(await store.appendChanPost(HEX64, chanPost(b(2), T0), CHAN_ROOMY)))).toBe(T0);
    await store.close();
  });
});

describe('memory store: the dump shows everything held', () => {
  it('one record of each kind, each under a key that names what it is and its fields', async () => {
    const store = await fresh();
    const key = new Uint8Array(45).fill(1);
    await store.putPairIfAbsent('alice', key, T0);
    const mailId = idOf(await store.appendMail('bob', mail(b(1)), ROOMY));
    const gone = idOf(await store.appendPost(post(b(9), T0)));
    expect(await store.deletePostIfAuthor(gone, 'alice')).toBe(true);
    const postId = idOf(await store.appendPost(post(b(2), T0 + 1)));
    await store.worldKey(7, () => b(3));
    await store.appendEntry('log', 0, b(4), { maxEntries: 5 });
    await store.putProfileIfNewer('alice', { sealed: b(5), at: 2, receivedAt: T0, expiresAt: T0 + DAY }, T0);
    const chanPostId = chanId(await store.appendChanPost(HEX64, chanPost(b(6)), CHAN_ROOMY));
    expect(await store.putPin(pin(), 10)).toBe('ok');
    expect(await store.votePin(PIN, HEX_B, 'confirm', T0, RULE)).toMatchObject({ confirms: 1 });
    await store.issuerKey(8, async () => b(7));
    await store.takeTokens(8, 'alice', 2, 5);
    expect(await store.spendToken(8, HEX64, HEX_B)).toBe('ok');
    await store.castVote({ post: postId, voter: HEX_B, choice: -1, expiresAt: T0 + DAY }, { period: 8, nullifier: HEX_B, action: HEX64 });
    const pinAfter = (await store.getPin(PIN))!;
    const hex = Buffer.from(key).toString('hex');
    expect(await store.dump()).toEqual([
      [`name/alice/${T0}`, key],
      [`key/${hex}`, 'alice'],
      [`mail/bob/${mailId}/${T0}/${T0 + DAY}`, b(1)],
      [`post/${postId}/alice/1/${T0 + 1}/${T0 + DAY}`, b(2)],
      ['last/post', postId],
      ['world/7', b(3)],
      ['log/log/0', b(4)],
      [`profile/alice/2/${T0}/${T0 + DAY}`, b(5)],
      [`chan/${HEX64}/${chanPostId}/${T0}/${T0 + DAY}`, b(6)],
      [`pin/${PIN}/u4pruyd/hazard/${T0}/${pinAfter.expiresAt}/1/0`, 'x'],
      [`pinvote/${PIN}/${HEX_B}`, ''],
      ['issuer/8', b(7)],
      ['taken/8/alice', '2'],
      [`spent/8/${HEX64}`, HEX_B],
      [`spent/8/${HEX_B}`, HEX64],
      [`tally/${postId}/${T0 + DAY}`, '0/1'],
      [`vote/${postId}/${HEX_B}`, '-1'],
    ]);
    await store.close();
  });

  it('OP-5 the last post id minted stays in the dump after its post is deleted', async () => {
    const store = await fresh();
    const id = idOf(await store.appendPost(post(b(1))));
    expect(await store.deletePostIfAuthor(id, 'alice')).toBe(true);
    expect(await store.dump()).toEqual([['last/post', id]]);
    await store.close();
  });
});
