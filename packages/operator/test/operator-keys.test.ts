/**
 * The Operator's keys on disk (KEYS-*): created once, sealed under a passphrase, private files, the
 * passphrase's sources in order, and a generated passphrase when none is given.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyPair, toHex } from '@comrad/core';
import { KEY_FILES, PASSPHRASE_ENV, deriveAtRestKey, loadOrCreateKeys, operatorKeys, readPublicInfo } from '../src/keys.js';
import { readyCrypto } from '@comrad/test-kit/operator/fixtures';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  await readyCrypto();
  const d = await mkdtemp(join(tmpdir(), 'comrad-keys-'));
  dirs.push(d);
  return join(d, 'data');
}

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('KEYS-* the Operator keys on disk', () => {
  it('KEYS-1 KEYS-2 the first start creates sealed keystores and a public file, private and complete', async () => {
    const dir = await tempDir();
    const first = await loadOrCreateKeys({ dataDir: dir, env: { [PASSPHRASE_ENV]: 'correct horse' } });
    expect(first.created).toBe(true);
    expect(first.passphraseSource).toBe('env');
    expect((await readdir(dir)).sort()).toEqual([KEY_FILES.operator, KEY_FILES.public, KEY_FILES.world].sort());
    expect(await mode(dir)).toBe(0o700);
    for (const f of await readdir(dir)) expect(await mode(join(dir, f))).toBe(0o600);
    // The keystores hold no private key in the clear.
    const keystore = await readFile(join(dir, KEY_FILES.operator));
    expect(Buffer.from(keystore).includes(Buffer.from(first.keys.operator.privateKey.bytes()))).toBe(false);
    const pub = await readPublicInfo(dir);
    expect(pub.operatorKey.equals(first.keys.operator.publicKey)).toBe(true);
    expect(pub.fingerprint).toBe(first.keys.operator.publicKey.fingerprint());

    const again = await loadOrCreateKeys({ dataDir: dir, env: { [PASSPHRASE_ENV]: 'correct horse' } });
    expect(again.created).toBe(false);
    expect(again.keys.world.publicKey.equals(first.keys.world.publicKey)).toBe(true);
    expect(toHex(again.keys.atRestKey.bytes())).toBe(toHex(first.keys.atRestKey.bytes()));
  });

  it('KEYS-3 a wrong passphrase → WRONG_PASSPHRASE; no passphrase at all → a plain error naming the remedy', async () => {
    const dir = await tempDir();
    await loadOrCreateKeys({ dataDir: dir, env: { [PASSPHRASE_ENV]: 'right' } });
    await expect(loadOrCreateKeys({ dataDir: dir, env: { [PASSPHRASE_ENV]: 'wrong' } })).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    await expect(loadOrCreateKeys({ dataDir: dir, env: {} })).rejects.toThrow(PASSPHRASE_ENV);
  });

  it('KEYS-3 --passphrase-file wins over the environment and is read to its first line break', async () => {
    const dir = await tempDir();
    await loadOrCreateKeys({ dataDir: dir, env: { [PASSPHRASE_ENV]: 'from file' } });
    const file = join(dir, '..', 'pass.txt');
    await writeFile(file, 'from file\nignored\n');
    const loaded = await loadOrCreateKeys({ dataDir: dir, passphraseFile: file, env: { [PASSPHRASE_ENV]: 'from env' } });
    expect(loaded.passphraseSource).toBe('file');
  });

  it('KEYS-4 without any passphrase the first start generates one into the data directory and says so', async () => {
    const dir = await tempDir();
    const told: string[] = [];
    const first = await loadOrCreateKeys({ dataDir: dir, env: {}, onGeneratedPassphrase: (p) => told.push(p) });
    expect(first.passphraseSource).toBe('generated');
    expect(told).toEqual([join(dir, KEY_FILES.passphrase)]);
    expect(await mode(join(dir, KEY_FILES.passphrase))).toBe(0o600);
    expect((await readFile(join(dir, KEY_FILES.passphrase), 'utf8')).trim().length).toBeGreaterThanOrEqual(40);
    const again = await loadOrCreateKeys({ dataDir: dir, env: {} });
    expect(again.passphraseSource).toBe('data-dir');
    expect(again.keys.operator.publicKey.equals(first.keys.operator.publicKey)).toBe(true);
  });

  it('KEYS-1 a public file that does not match the keystores is refused', async () => {
    const dir = await tempDir();
    await loadOrCreateKeys({ dataDir: dir, env: { [PASSPHRASE_ENV]: 'p' } });
    const json = JSON.parse(await readFile(join(dir, KEY_FILES.public), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, KEY_FILES.public), JSON.stringify({ ...json, operatorKey: KeyPair.generate().publicKey.toHex() }));
    await expect(loadOrCreateKeys({ dataDir: dir, env: { [PASSPHRASE_ENV]: 'p' } })).rejects.toThrow(/does not match/);
  });

  it('FEED-1 the at-rest key is derived from the world key and the Operator key, and from nothing else', async () => {
    await readyCrypto();
    const [op, world, other] = [KeyPair.generate(), KeyPair.generate(), KeyPair.generate()];
    const key = toHex(operatorKeys(op, world).atRestKey.bytes());
    expect(toHex(deriveAtRestKey(world, op.publicKey).bytes())).toBe(key);
    expect(toHex(deriveAtRestKey(world, other.publicKey).bytes())).not.toBe(key);
    expect(toHex(deriveAtRestKey(other, op.publicKey).bytes())).not.toBe(key);
  });
});
