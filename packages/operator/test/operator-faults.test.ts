/**
 * Fault tests (STORE-1, MB-3, MB-11): the real `comrad-op` process is killed with SIGKILL while
 * connections send letters as fast as it answers, then restarted on the same data, several times. Every
 * letter it answered `ok` must be fetched afterwards, and none twice. On LMDB the Operator alone dies; on
 * Redis — run as the README says, `--appendonly yes --appendfsync always` — redis-server is killed with it.
 * Run alone, this file builds core and operator if `dist/cli.js` is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicKey, fromHex, randomBytes, toHex } from '@comrad/core';
import { Keymaker } from '@comrad/core/keymaker';
import { makeRegisterProof } from '@comrad/core/wire';
import { OPERATOR_BIN, spawnOperator } from '@comrad/test-kit/processes';
import { startRedisServer, type RedisServer } from '@comrad/test-kit/operator/redis';
import { TestClient } from '@comrad/test-kit/operator/client';
import { readyCrypto } from '@comrad/test-kit/operator/fixtures';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// Each start opens the keystore (a deliberately slow KDF, ~5 s here), so 3 kills keep a test near 25 s.
const KILLS = 3;
const CONNECTIONS = 6;
/** Requests each connection keeps in flight (below maxInflight, 16). */
const WINDOW = 8;
const LETTER_BYTES = 256;
/** Limits that let the load through: counting is not what these tests are about. */
const LOAD_LIMITS = ['mailboxItems=1000000', 'requestsPerSecond=1000000', 'registerPowBits=0', 'sendPowBits=0'].flatMap((l) => ['--limit', l]);

let dir: string;
beforeAll(async () => {
  await readyCrypto();
  if (!existsSync(OPERATOR_BIN)) execFileSync('npm', ['run', 'build', '-w', '@comrad/core', '-w', '@comrad/operator'], { cwd: root, stdio: 'ignore' });
  dir = await mkdtemp(join(tmpdir(), 'comrad-faults-'));
}, 180_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Operator {
  url: string;
  operatorKey: PublicKey;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

async function startOp(data: string, storeArgs: string[]): Promise<Operator> {
  const { child, started, exited } = spawnOperator(['--data', data, '--port', '0', '--json', '--log-level', 'warn', ...storeArgs, ...LOAD_LIMITS]);
  const line = (await started) as { url: string; operatorKey: string };
  const gone = exited.then(() => undefined);
  return {
    url: line.url,
    operatorKey: PublicKey.from(fromHex(line.operatorKey)),
    kill: async () => {
      child.kill('SIGKILL');
      await gone;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/**
 * Sends fresh letters to `to` on several connections, `WINDOW` at a time each, until the connections die;
 * records the letters answered `ok` (hex).
 */
function flood(url: string, to: string, answered: Set<string>): { done: Promise<number> } {
  let sent = 0;
  const one = async () => {
    let c: TestClient;
    try {
      c = await TestClient.connect(url);
    } catch {
      return; // killed before this connection's greeting (a loaded machine connects slowly): nothing sent on it
    }
    const lane = async () => {
      for (;;) {
        const letter = randomBytes(LETTER_BYTES);
        sent++;
        try {
          await c.request('send', { to, letter });
        } catch {
          return; // the Operator died: this letter was never answered
        }
        answered.add(toHex(letter));
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, lane));
  };
  return { done: Promise.all(Array.from({ length: CONNECTIONS }, one)).then(() => sent) };
}

/** Logs in as `me` and drains its mailbox: every letter fetched (hex), in order, acknowledged page by page. */
async function drain(url: string, me: Keymaker): Promise<{ letters: string[]; ids: string[] }> {
  const c = await TestClient.connect(url);
  await c.auth(me, Date.now());
  const letters: string[] = [];
  const ids: string[] = [];
  for (;;) {
    const { items } = await c.request('fetch', { limit: 50 });
    if (items.length === 0) break;
    for (const item of items) {
      letters.push(toHex(item.letter));
      ids.push(item.id);
    }
    await c.request('ack', { ids: items.map((i) => i.id) });
  }
  await c.close();
  return { letters, ids };
}

/**
 * KILLS rounds of: start, flood, SIGKILL after a random moment; then a last start that drains. `around`
 * kills and restarts whatever else must die with the Operator (redis-server).
 */
async function killRounds(name: string, storeArgs: () => string[], around: { afterKill?: () => Promise<void> } = {}): Promise<void> {
  const data = join(dir, name);
  const bob = Keymaker.generate('bob_faults');
  const answered = new Set<string>();
  let sent = 0;
  for (let round = 0; round < KILLS; round++) {
    const op = await startOp(data, storeArgs());
    if (round === 0) {
      const c = await TestClient.connect(op.url);
      await c.request('register', { name: bob.name, key: bob.publicKey, proof: makeRegisterProof(bob.keys.privateKey, bob.name, bob.publicKey, op.operatorKey) });
      await c.close();
    }
    const load = flood(op.url, bob.name, answered);
    await new Promise((r) => setTimeout(r, 400 + Math.floor(Math.random() * 800)));
    await op.kill();
    sent += await load.done;
    await around.afterKill?.();
  }
  const op = await startOp(data, storeArgs());
  try {
    const { letters, ids } = await drain(op.url, bob);
    const fetched = new Set(letters);
    const lost = [...answered].filter((l) => !fetched.has(l)).length;
    const duplicates = letters.length - fetched.size;
    // The numbers of the run, for the closing note.
    console.info(
      `fault run ${name}: ${KILLS} kills, ${sent} sends, ${answered.size} answered ok, ${letters.length} fetched after restart ` +
        `(${letters.length - answered.size} stored but unanswered when killed), ${lost} answered and lost, ${duplicates} duplicates`,
    );
    expect(answered.size).toBeGreaterThan(KILLS * 10); // the load really ran
    expect(lost).toBe(0);
    expect(duplicates).toBe(0);
    expect(new Set(ids).size).toBe(ids.length);
  } finally {
    await op.stop();
  }
}

describe('STORE-1 kill -9 of the Operator under concurrent sends', () => {
  it(`LMDB: ${KILLS} kills lose no answered letter and store none twice`, async () => {
    await killRounds('lmdb', () => ['--store', 'lmdb']);
  }, 120_000);

  it(`Redis as the README gives it (appendonly yes, appendfsync always), redis-server killed too: ${KILLS} kills lose no answered letter`, async () => {
    let redis: RedisServer = await startRedisServer();
    const redisDir = redis.dir;
    try {
      await killRounds('redis', () => ['--store', 'redis', '--redis', redis.url], {
        afterKill: async () => {
          await redis.kill();
          redis = await startRedisServer({ dir: redisDir });
        },
      });
    } finally {
      await redis.kill();
      await rm(redisDir, { recursive: true, force: true });
    }
  }, 120_000);
});
