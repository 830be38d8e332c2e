/**
 * `comrad-op`'s store flags, on the real process (STORE-1, STORE-2): it refuses to start on a Redis that
 * can lose acknowledged writes unless `--redis-allow-data-loss` is given, and `--storage-bytes` bounds
 * what it stores (`STORAGE_FULL`). Run alone, this file builds core and operator if `dist/cli.js` is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicKey, fromHex, randomBytes } from '@comrad/core';
import { Keymaker } from '@comrad/core/keymaker';
import { makeRegisterProof } from '@comrad/core/wire';
import { OPERATOR_BIN, spawnOperator } from '@comrad/test-kit/processes';
import { VOLATILE_REDIS_ARGS, startRedisServer } from '@comrad/test-kit/operator/redis';
import { TestClient } from '@comrad/test-kit/operator/client';
import { readyCrypto } from '@comrad/test-kit/operator/fixtures';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let dir: string;
beforeAll(async () => {
  await readyCrypto();
  if (!existsSync(OPERATOR_BIN)) execFileSync('npm', ['run', 'build', '-w', '@comrad/core', '-w', '@comrad/operator'], { cwd: root, stdio: 'ignore' });
  dir = await mkdtemp(join(tmpdir(), 'comrad-op-store-'));
}, 180_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('comrad-op store flags', () => {
  it('STORE-1 refuses Redis as it comes (no AOF): exit 1 naming the risk and the flag; starts with --redis-allow-data-loss', async () => {
    const redis = await startRedisServer({ args: VOLATILE_REDIS_ARGS });
    try {
      const args = ['--data', join(dir, 'volatile'), '--port', '0', '--json', '--store', 'redis', '--redis', redis.url];
      const refused = spawnOperator(args);
      await expect(refused.started).rejects.toThrow(/exited \(1\)/);
      expect(refused.stderr()).toMatch(/comrad-op: refusing a Redis that can lose acknowledged writes: appendonly is no/);
      expect(refused.stderr()).toContain('--redis-allow-data-loss');
      expect(refused.stderr()).not.toContain(redis.url); // the URL may hold a password
      const allowed = spawnOperator([...args, '--redis-allow-data-loss']);
      expect((await allowed.started).event).toBe('listening');
      allowed.child.kill('SIGTERM');
      expect((await allowed.exited).code).toBe(0);
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('STORE-2 --storage-bytes: a letter past the budget is STORAGE_FULL and nothing is stored; a bad value is a usage error', async () => {
    const op = spawnOperator(['--data', join(dir, 'budget'), '--port', '0', '--json', '--storage-bytes', '1000', '--limit', 'registerPowBits=0', '--limit', 'sendPowBits=0']);
    try {
      const line = (await op.started) as { url: string; operatorKey: string };
      const c = await TestClient.connect(line.url);
      const bob = Keymaker.generate('bob_budget');
      const opKey = PublicKey.from(fromHex(line.operatorKey));
      await c.request('register', { name: bob.name, key: bob.publicKey, proof: makeRegisterProof(bob.keys.privateKey, bob.name, bob.publicKey, opKey) });
      await c.request('send', { to: bob.name, letter: randomBytes(600) });
      await expect(c.request('send', { to: bob.name, letter: randomBytes(401) })).rejects.toMatchObject({ code: 'STORAGE_FULL' });
      await c.request('send', { to: bob.name, letter: randomBytes(400) }); // exactly full
      await c.close();
    } finally {
      op.child.kill('SIGTERM');
      await op.exited;
    }
    const bad = spawnOperator(['--data', join(dir, 'unused'), '--port', '0', '--json', '--storage-bytes', 'lots']);
    await expect(bad.started).rejects.toThrow(/--storage-bytes must be an integer/);
  }, 60_000);
});
