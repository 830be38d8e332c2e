/**
 * LMDB-only behaviour: the data directory is private to the Operator's user, and `close()` lets every
 * write in flight reach the disk.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { DAY, ROOMY, T0, bytes, randomName } from './conformance/fixtures.js';

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
    const puts = Array.from({ length: 50 }, () => store.putMail(bob, bytes(100), T0, T0 + DAY, ROOMY));
    await store.close();
    const ids = (await Promise.all(puts)).map((p) => (p === 'quota' ? '' : p.id));
    const reopened = await openStore({ kind: 'lmdb', path });
    try {
      expect((await reopened.listMail(bob, T0, 100)).map((m) => m.id)).toEqual(ids);
    } finally {
      await reopened.close();
    }
  });
});
