/**
 * MAIL-5 in the mail store itself: a stored letter is unseen until marked, marking is one rename that a
 * second mark or a concurrent one cannot undo, a letter already held (seen or not) is never stored as new
 * again (LET-8), and letters stored before MAIL-5 count as seen.
 */
import { describe, expect, it } from 'vitest';
import { readdir, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComradError, KeyPair } from '@comrad/core';
import { startCrypto } from '../src/crypto-ready.js';
import { ensureHome } from '../src/home/home.js';
import { MailStore, type StoredLetter } from '../src/store/mail-store.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';

const letter = (id: string, at = 1_700_000_000): StoredLetter => ({
  id,
  from: 'alice',
  to: 'bob',
  at,
  receivedAt: at * 1000,
  text: `letter ${id}`,
  authorFingerprint: 'fp',
  signed: new Uint8Array([1, 2, 3]),
});

async function store() {
  await startCrypto();
  const { dir } = await tempHome();
  const paths = await ensureHome(join(dir, 'h'));
  return { paths, store: new MailStore(paths, MailStore.keyFor(KeyPair.generate().privateKey)) };
}

describe('unseen letters (MAIL-5)', () => {
  it('MAIL-5 a stored letter is unseen until marked; marking twice is harmless; list shows both kinds', async () => {
    const { paths, store: s } = await store();
    expect(await s.put(letter('01', 2))).toBe(true);
    expect(await s.put(letter('02', 1))).toBe(true);
    expect((await s.unseen()).map((l) => l.id)).toEqual(['02', '01']);
    expect(await s.isSeen(letter('01'))).toBe(false);
    await s.markSeen(letter('01'));
    await s.markSeen(letter('01'));
    expect(await s.isSeen(letter('01'))).toBe(true);
    expect((await s.unseen()).map((l) => l.id)).toEqual(['02']);
    expect((await s.list()).map((l) => l.id)).toEqual(['02', '01']);
    // One file per letter, whatever its state.
    expect(await readdir(paths.mail)).toHaveLength(2);
  });

  it('LET-8 MAIL-5 a letter already held, seen or not, is never stored as new again', async () => {
    const { store: s } = await store();
    expect(await s.put(letter('01'))).toBe(true);
    expect(await s.put({ ...letter('01'), text: 'a different body under the same id' })).toBe(false);
    await s.markSeen(letter('01'));
    expect(await s.put(letter('01'))).toBe(false);
    expect(await s.unseen()).toEqual([]);
    expect((await s.list()).map((l) => l.text)).toEqual(['letter 01']);
  });

  it('MAIL-5 letters stored before MAIL-5 (only `.letter` files) count as seen', async () => {
    const { paths, store: s } = await store();
    await s.put(letter('01'));
    // What a home written by an older client holds: the same sealed file, under the seen name.
    const [file] = await readdir(paths.mail);
    await rename(join(paths.mail, file!), join(paths.mail, file!.replace(/\.new$/, '.letter')));
    expect(await s.unseen()).toEqual([]);
    expect(await s.isSeen(letter('01'))).toBe(true);
    expect(await s.put(letter('01'))).toBe(false);
  });
});

describe('stored letter files are bounded (MAIL-4)', () => {
  it('MAIL-4 a stored letter file over 1 MiB is refused as TOO_LARGE before it is read, even a sparse one of 3 GiB', async () => {
    const { paths, store: s } = await store();
    expect(await s.put(letter('01'))).toBe(true);
    const [name] = await readdir(paths.mail);
    // A sparse file: 3 GiB long, no disk used. Reading it whole would fail (above Node's 2 GiB buffer
    // limit) with a RangeError, or take the memory; bounded first, it is a typed refusal at once.
    await truncate(join(paths.mail, name!), 3 * 2 ** 30);
    const err = await s.list().catch((e: unknown) => e);
    expect(ComradError.is(err, 'TOO_LARGE'), String(err)).toBe(true);
    // 1 MiB + 1 byte: refused; the limit is exact.
    await writeFile(join(paths.mail, name!), new Uint8Array(1024 * 1024 + 1));
    expect(ComradError.is(await s.list().catch((e: unknown) => e), 'TOO_LARGE')).toBe(true);
  });
});
