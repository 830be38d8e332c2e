/**
 * `comrad-op --workers N` on the real process (OP-8, STORE-4, LIMIT-9, LOG-4): two workers on one port and
 * one store; a comrade's connections land on different workers (found from /proc: which worker process
 * holds the server side of each socket), and "you have mail" reaches every one of them — LMDB through the
 * primary, Redis through pub/sub; a name's connections are counted over both workers; the metrics are
 * summed; the memory store refuses more than one worker. And two Operator "machines" (processes on
 * separate ports, the same keys) on one three-master Redis Cluster (STORE-5): a letter sent through one is
 * pushed to and fetched by its recipient on the other.
 */
import { copyFile, mkdir, readFile, readdir, readlink, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicKey, fromHex, randomBytes, toHex } from '@comrad/core';
import { Keymaker } from '@comrad/core/keymaker';
import { makeRegisterProof } from '@comrad/core/wire';
import { requireBuild, spawnOperator } from '@comrad/test-kit/processes';
import { startRedisCluster, startRedisServer, type RedisServer } from '@comrad/test-kit/operator/redis';
import { TestClient } from '@comrad/test-kit/operator/client';
import { readyCrypto } from '@comrad/test-kit/operator/fixtures';

let dir: string;
let redis: RedisServer;
beforeAll(async () => {
  requireBuild();
  await readyCrypto();
  dir = await mkdtemp(join(tmpdir(), 'comrad-op-workers-'));
  redis = await startRedisServer();
}, 60_000);
afterAll(async () => {
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Started {
  url: string;
  operatorKey: string;
  metricsUrl?: string;
}

/** The pids of a process's children (Linux: /proc/PID/task/PID/children). */
async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

/** Which of `pids` holds the server side of the TCP connection from local port `clientPort` to `serverPort`. */
async function holderOf(pids: number[], serverPort: number, clientPort: number): Promise<number | undefined> {
  const hex = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
  let inode: string | undefined;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1]!.endsWith(`:${hex(serverPort)}`) && f[2]!.endsWith(`:${hex(clientPort)}`)) inode = f[9];
    }
  }
  if (!inode) return undefined;
  for (const pid of pids) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === `socket:[${inode}]`) return pid;
    }
  }
  return undefined;
}

async function register(c: TestClient, name: string, opKey: PublicKey): Promise<Keymaker> {
  const k = Keymaker.generate(name);
  await c.request('register', { name, key: k.publicKey, proof: makeRegisterProof(k.keys.privateKey, name, k.publicKey, opKey) });
  return k;
}

/**
 * Runs `comrad-op --workers 2` with `args`, connects until it holds a logged-in connection of `name` on
 * each worker, and hands them (and a connection for someone else on the first worker) to `body`.
 */
async function withTwoWorkers(args: string[], body: (o: { line: Started; opKey: PublicKey; onEach: TestClient[]; sender: TestClient; bob: Keymaker; connect: () => Promise<TestClient> }) => Promise<void>) {
  const op = spawnOperator(['--port', '0', '--json', '--workers', '2', ...args]);
  const opened: TestClient[] = [];
  try {
    const line = (await op.started) as Started;
    const opKey = PublicKey.from(fromHex(line.operatorKey));
    const port = Number(new URL(line.url).port);
    const workers = await childrenOf(op.child.pid!);
    expect(workers).toHaveLength(2);
    const connect = async () => {
      const c = await TestClient.connect(line.url, opKey);
      opened.push(c);
      return c;
    };
    const first = await connect();
    const bob = await register(first, `bob_${toHex(randomBytes(3))}`, opKey);
    const byWorker = new Map<number, TestClient>();
    for (let i = 0; i < 12 && byWorker.size < 2; i++) {
      const c = await connect();
      const holder = await holderOf(workers, port, c.localPort);
      expect(workers).toContain(holder);
      if (byWorker.has(holder!)) {
        await c.close();
        continue;
      }
      await c.auth(bob, Date.now());
      byWorker.set(holder!, c);
    }
    expect(byWorker.size).toBe(2); // node:cluster hands connections out in turn
    await body({ line, opKey, onEach: [...byWorker.values()], sender: first, bob, connect });
  } finally {
    await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
    op.child.kill('SIGTERM');
    const { code } = await op.exited;
    expect(code).toBe(0);
  }
}

describe('comrad-op --workers 2', () => {
  it('STORE-4 LMDB: "you have mail" reaches the recipient on both workers; the one on the other worker fetches and acks; LIMIT-9 the name holds maxConnectionsPerName over both; LOG-4 metrics summed', async () => {
    const args = ['--data', join(dir, 'lmdb'), '--store', 'lmdb', '--limit', 'maxConnectionsPerName=2', '--metrics', '127.0.0.1:0'];
    await withTwoWorkers(args, async ({ line, onEach, sender, bob, connect }) => {
      const letter = randomBytes(300);
      const pushes = onEach.map((c) => c.nextMailPush());
      await sender.request('send', { to: bob.name, letter });
      await Promise.all(pushes);
      const [a, b] = onEach as [TestClient, TestClient];
      const { items } = await b.request('fetch', {});
      expect(items.map((i) => toHex(i.letter))).toEqual([toHex(letter)]);
      expect(await b.request('ack', { ids: [items[0]!.id] })).toEqual({ deleted: 1 });
      expect((await a.request('fetch', {})).items).toEqual([]);

      // LIMIT-9: bob holds one connection on each worker, each under the limit of 2 on its own: a third
      // login, on whichever worker, is refused; once one closes, the name has room again.
      const third = await connect();
      await expect(third.auth(bob, Date.now())).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      await a.close();
      // (A refused login spends its connection's challenge, AUTH-3: each try is a new connection.)
      await expect.poll(async () => (await connect()).auth(bob, Date.now()).then(() => true, () => false), { timeout: 5000 }).toBe(true);

      // LOG-4: one scrape, both workers' counts summed.
      const text = await (await fetch(`${line.metricsUrl}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      expect(value('comrad_connections_logged_in')).toBe(2);
      expect(Number(/^comrad_requests_total\{op="send",outcome="ok"\} (\S+)$/m.exec(text)?.[1])).toBe(1);
      expect((await fetch(`${line.metricsUrl}/healthz`)).status).toBe(200);
    });
  }, 90_000);

  it('STORE-4 Redis: "you have mail" reaches the recipient on both workers (pub/sub)', async () => {
    const args = ['--data', join(dir, 'redis'), '--store', 'redis', '--redis', redis.url, '--redis-prefix', `w${toHex(randomBytes(3))}:`];
    await withTwoWorkers(args, async ({ onEach, sender, bob }) => {
      const pushes = onEach.map((c) => c.nextMailPush());
      await sender.request('send', { to: bob.name, letter: randomBytes(100) });
      await Promise.all(pushes);
      expect((await onEach[1]!.request('fetch', {})).items).toHaveLength(1);
    });
  }, 90_000);

  it('OP-8 a worker killed is forked again and the Operator goes on serving; SIGTERM to every process at once (as systemd stops a unit) stops it with exit 0', async () => {
    const op = spawnOperator(['--data', join(dir, 'crash'), '--port', '0', '--json', '--workers', '2', '--store', 'lmdb']);
    try {
      const line = (await op.started) as Started;
      const opKey = PublicKey.from(fromHex(line.operatorKey));
      const before = await childrenOf(op.child.pid!);
      expect(before).toHaveLength(2);
      process.kill(before[0]!, 'SIGKILL');
      let after: number[] = [];
      await expect
        .poll(async () => {
          after = await childrenOf(op.child.pid!);
          return after.length === 2 && !after.includes(before[0]!);
        }, { timeout: 20_000, interval: 200 })
        .toBe(true);
      // The new worker takes its turn on the port once it listens: a connection it holds is served.
      const fresh = after.find((pid) => !before.includes(pid))!;
      const port = Number(new URL(line.url).port);
      let servedByFresh = false;
      for (let i = 0; i < 40 && !servedByFresh; i++) {
        const c = await TestClient.connect(line.url, opKey);
        servedByFresh = (await holderOf(after, port, c.localPort)) === fresh;
        await register(c, `crash_${i}_${toHex(randomBytes(3))}`, opKey);
        await c.close();
        if (!servedByFresh) await new Promise((r) => setTimeout(r, 100));
      }
      expect(servedByFresh).toBe(true);
      for (const pid of [op.child.pid!, ...after]) process.kill(pid, 'SIGTERM');
      expect(await op.exited).toEqual({ code: 0, signal: null });
      for (const pid of after) expect(() => process.kill(pid, 0)).toThrow(); // gone, not orphaned
    } finally {
      op.child.kill('SIGKILL');
    }
  }, 60_000);

  it('OP-8 the memory store runs in one process: --workers 2 is a usage error (exit 2), nothing created', async () => {
    const op = spawnOperator(['--data', join(dir, 'memory'), '--port', '0', '--json', '--store', 'memory', '--workers', '2']);
    await expect(op.started).rejects.toThrow(/--store memory keeps its data inside one process: it runs with --workers 1 only/);
    expect((await op.exited).code).toBe(2);
    await expect(readdir(join(dir, 'memory'))).rejects.toThrow(/ENOENT/);
  }, 30_000);
});

describe('two comrad-op on one Redis Cluster', () => {
  it('STORE-5 a letter sent through one Operator is pushed to and fetched through the other', async () => {
    const cluster = await startRedisCluster();
    const ops: Array<ReturnType<typeof spawnOperator>> = [];
    const clients: TestClient[] = [];
    try {
      const [one, two] = [join(dir, 'cluster-one'), join(dir, 'cluster-two')];
      const args = (data: string) => ['--data', data, '--port', '0', '--json', '--store', 'redis', '--redis', cluster.url, '--redis-cluster', '--redis-prefix', 'comrad:'];
      ops.push(spawnOperator(args(one)));
      const first = (await ops[0]!.started) as Started;
      // One Operator on two machines: the second gets the first one's keys (README, "Redis Cluster").
      await mkdir(two, { recursive: true, mode: 0o700 });
      for (const f of ['operator.keystore', 'world.keystore', 'operator.json']) await copyFile(join(one, f), join(two, f));
      ops.push(spawnOperator(args(two)));
      const second = (await ops[1]!.started) as Started;
      expect(second.operatorKey).toBe(first.operatorKey);
      expect(second.url).not.toBe(first.url);
      const opKey = PublicKey.from(fromHex(first.operatorKey));
      const connect = async (url: string) => {
        const c = await TestClient.connect(url, opKey);
        clients.push(c);
        return c;
      };
      const sender = await connect(first.url);
      const bob = await register(sender, `bob_${toHex(randomBytes(3))}`, opKey);
      const bobOnTwo = await connect(second.url);
      await bobOnTwo.auth(bob, Date.now());
      const letter = randomBytes(500);
      const pushed = bobOnTwo.nextMailPush();
      await sender.request('send', { to: bob.name, letter });
      await pushed;
      const { items } = await bobOnTwo.request('fetch', {});
      expect(items.map((i) => toHex(i.letter))).toEqual([toHex(letter)]);
      expect(await bobOnTwo.request('ack', { ids: [items[0]!.id] })).toEqual({ deleted: 1 });
    } finally {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      for (const op of ops) op.child.kill('SIGTERM');
      for (const op of ops) expect((await op.exited).code).toBe(0);
      await cluster.stop();
    }
  }, 90_000);
});
