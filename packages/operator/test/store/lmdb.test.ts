/**
 * LMDB-only behaviour: the data directory is private to the Operator's user, `close()` lets every write in
 * flight reach the disk, and the sweep ends on a damaged expiry index.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import { nextId, randomPart } from '../../src/policy/ids.js';
import { openStore } from '../../src/store/index.js';
import { DAY, ROOMY, T0, bytes, idOf, mail, post, randomName } from '@comrad/test-kit/operator/store-conformance';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'comrad-lmdb-'));
  dirs.push(dir);
  return dir;
};

describe('lmdb store', () => {
  it('creates its data directory readable by the Operator’s user only', async () => {
    const path = join(await tempDir(), 'nested', 'store');
    const store = await openStore({ kind: 'lmdb', path });
    await store.close();
    expect((await stat(path)).mode & 0o777).toBe(0o700);
  });

  it('MB-3 close() waits for writes in flight: every put it accepted is there after reopening', async () => {
    const path = await tempDir();
    const store = await openStore({ kind: 'lmdb', path });
    const bob = randomName();
    const puts = Array.from({ length: 50 }, () => store.appendMail(bob, mail(bytes(100), T0, T0 + DAY), ROOMY));
    await store.close();
    const ids = (await Promise.all(puts)).map((p) => (typeof p === 'string' ? '' : p.id));
    const reopened = await openStore({ kind: 'lmdb', path });
    try {
      expect((await reopened.listMail(bob, T0, 100)).map((m) => m.id)).toEqual(ids);
    } finally {
      await reopened.close();
    }
  });

  it('MB-5 expire() ends, and drops an expiry entry whose letter is missing (a damaged store)', async () => {
    const path = await tempDir();
    const bob = randomName();
    const store = await openStore({ kind: 'lmdb', path });
    const letter = await store.appendMail(bob, mail(bytes(10), T0, T0 + 1000), ROOMY);
    await store.close();
    // The orphan: an entry in the mail expiry index (`mexp`, [expiresAt, to, id]) with no letter behind it.
    const orphan = [T0, bob, nextId(T0, undefined, randomPart())];
    const raw = open({ path, maxDbs: 16, compression: false });
    await raw.openDB({ name: 'mexp', encoding: 'binary' }).put(orphan, new Uint8Array(0));
    await raw.close();

    const reopened = await openStore({ kind: 'lmdb', path });
    try {
      expect((await reopened.dump()).filter(([k]) => k.startsWith('mexp/'))).toHaveLength(2);
      expect(await reopened.expire(T0 + 1000)).toEqual({ mail: 1, posts: 0 }); // the orphan is no letter
      expect((await reopened.dump()).filter(([k]) => k.startsWith('mexp/') || k.includes(bob))).toEqual([]);
      expect(letter).not.toBe('quota');
      expect(await reopened.listMail(bob, T0, 10)).toEqual([]);
    } finally {
      await reopened.close();
    }
  });

  it('MB-11 FEED-9 a store written before the id → key indexes gets them at open: a deleted item’s key goes with it', async () => {
    const path = await tempDir();
    const [bob, alice] = [randomName(), randomName()];
    const [sealed, posted] = [bytes(30), bytes(30)];
    const store = await openStore({ kind: 'lmdb', path });
    const letter = idOf(await store.appendMail(bob, mail(sealed, T0, T0 + DAY), ROOMY));
    const postId = idOf(await store.appendPost(post({ author: alice, sealed: posted, epoch: 1, postedAt: T0, expiresAt: T0 + DAY })));
    await store.close();
    // What an older Operator left: the key → id indexes only.
    const raw = open({ path, maxDbs: 16, compression: false });
    for (const name of ['mkey', 'pkey']) await raw.openDB({ name, encoding: 'string' }).drop();
    await raw.close();

    const reopened = await openStore({ kind: 'lmdb', path });
    try {
      expect(await reopened.deleteMail(bob, [letter])).toBe(1);
      expect(await reopened.deletePostIfAuthor(postId, alice)).toBe(true);
      // Were the keys left behind, the same bytes would be answered "held" under the deleted ids.
      const again = await reopened.appendMail(bob, mail(sealed, T0, T0 + DAY), ROOMY);
      expect(typeof again === 'object' && again.held).toBeFalsy();
      const repost = await reopened.appendPost(post({ author: alice, sealed: posted, epoch: 1, postedAt: T0, expiresAt: T0 + DAY }));
      expect(typeof repost === 'object' && repost.held).toBeFalsy();
      expect((await reopened.dump()).filter(([k]) => k.startsWith('mhash/') || k.startsWith('phash/'))).toHaveLength(2);
    } finally {
      await reopened.close();
    }
  });
});
