import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ready } from '@comrad/core';
import { encodeKeystore, Keymaker, MAX_KEYSTORE_BYTES } from '@comrad/core/keymaker';
import { atomicWrite, tempPathFor } from '@comrad/core/node';
import { loadKeystore, saveKeystore } from '../src/files/keystore-file.js';
import { codeOf } from '@comrad/test-kit/core/garbage';

const PASS = 'correct horse battery staple';
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'comrad-ks-'));
  dirs.push(d);
  return d;
}


beforeAll(async () => {
  await ready({ backend: 'wasm' });
});

describe('keystore file (KS-4)', () => {
  it('KS-4 saves with mode 0600, loads back, and leaves no temporary file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'keystore.cks');
    const alice = Keymaker.generate('alice');
    await saveKeystore(path, alice, PASS);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['keystore.cks']);
    const loaded = await loadKeystore(path, PASS);
    expect(loaded.name).toBe('alice');
    expect(loaded.publicKey.equals(alice.publicKey)).toBe(true);
    expect(await codeOf(() => loadKeystore(path, 'wrong'))).toBe('WRONG_PASSPHRASE');
  });

  it('KS-4 a crash mid-write (temp file written, never renamed) leaves the old keystore intact', async () => {
    const dir = await tempDir();
    const path = join(dir, 'keystore.cks');
    const alice = Keymaker.generate('alice');
    await saveKeystore(path, alice, PASS);
    const before = await readFile(path);
    // What a crash between write and rename leaves behind: a partial temp file next to the keystore.
    const next = await encodeKeystore(Keymaker.generate('alice'), PASS);
    await writeFile(tempPathFor(path), next.subarray(0, next.length >> 1), { mode: 0o600 });
    expect(Buffer.compare(await readFile(path), before)).toBe(0);
    expect((await loadKeystore(path, PASS)).publicKey.equals(alice.publicKey)).toBe(true);
  });

  it('KS-4 a write that fails before the rename removes its temp file and keeps the old content', async () => {
    const dir = await tempDir();
    const target = join(dir, 'taken');
    await mkdir(target); // rename over a directory fails
    await expect(atomicWrite(target, new Uint8Array([1, 2, 3]))).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['taken']);
    expect((await stat(target)).isDirectory()).toBe(true);
  });

  it('KS-4 a second save replaces the first', async () => {
    const dir = await tempDir();
    const path = join(dir, 'keystore.cks');
    await saveKeystore(path, Keymaker.generate('alice'), PASS);
    const bob = Keymaker.generate('bob');
    await saveKeystore(path, bob, PASS);
    expect((await loadKeystore(path, PASS)).publicKey.equals(bob.publicKey)).toBe(true);
    expect(await readdir(dir)).toEqual(['keystore.cks']);
  });

  it('KS-4 a missing keystore is NOT_FOUND; a huge file is CORRUPT_KEYSTORE without being read', async () => {
    const dir = await tempDir();
    expect(await codeOf(() => loadKeystore(join(dir, 'none'), PASS))).toBe('NOT_FOUND');
    const huge = join(dir, 'huge');
    await writeFile(huge, new Uint8Array(MAX_KEYSTORE_BYTES + 1));
    expect(await codeOf(() => loadKeystore(huge, PASS))).toBe('CORRUPT_KEYSTORE');
  });
});
