// A throwaway redis-server for tests and benchmarks: a real server on a free 127.0.0.1 port, configured as
// the README tells Operators to run it (`--appendonly yes --appendfsync always`: STORE-1, the Redis store
// refuses anything less), in its own temp directory, stopped (and the directory removed) by `stop()`. Plain ESM
// JavaScript so benchmarks (`node bench/...`) and vitest tests (`@comrad/test-kit/operator/redis`) share
// this one launcher without a build step. Product code never starts Redis; the Operator is given a URL.

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const START_ATTEMPTS = 3;
const INSTALL_HINT = 'redis-server is not installed (looked on PATH and in /usr/bin, /usr/sbin, /usr/local/bin). Install it: apt-get install -y redis-server';

/** Every server this process started and has not stopped yet, killed if the process exits first. */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The redis-server binary, or an Error that says how to install it.
 * @param {string[]} [dirs] - where to look (default: PATH, then /usr/bin, /usr/sbin, /usr/local/bin)
 * @returns {string} absolute path
 */
export function redisServerBinary(dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin', '/usr/local/bin']) {
  for (const dir of dirs) {
    const file = join(dir, 'redis-server');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  throw new Error(INSTALL_HINT);
}

/** The persistence the README gives (STORE-1): every write is in the append-only file and fsynced before Redis answers. */
export const DURABLE_REDIS_ARGS = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
/** Redis's own defaults for a throwaway server: nothing written to disk (the store refuses it without allowDataLoss). */
export const VOLATILE_REDIS_ARGS = ['--appendonly', 'no', '--save', ''];

/**
 * Starts a redis-server on a free loopback port and waits until it answers PING.
 * @param {{ args?: string[], dir?: string }} [o] - persistence arguments (default {@link DURABLE_REDIS_ARGS});
 *   `dir`: an existing data directory to use (and keep) instead of a fresh temp one, to restart on the same data
 * @returns {Promise<{ url: string, port: number, pid: number, dir: string, stop: () => Promise<void>, kill: () => Promise<void> }>}
 *   `kill` is SIGKILL without removing the directory
 * @throws Error when redis-server is missing or does not come up (with the tail of its output)
 */
export async function startRedisServer({ args = DURABLE_REDIS_ARGS, dir: keep } = {}) {
  const binary = redisServerBinary();
  let lastError;
  // A free port can be taken between probing and binding; then the server exits and we try another.
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const dir = keep ?? (await mkdtemp(join(tmpdir(), 'comrad-redis-')));
    try {
      return await startOnce(binary, await freePort(), dir, args, keep === undefined);
    } catch (err) {
      lastError = err;
      if (keep === undefined) await rm(dir, { recursive: true, force: true });
    }
  }
  throw lastError;
}

async function startOnce(binary, port, dir, persistence, owned) {
  const args = ['--port', String(port), '--bind', HOST, ...persistence, '--dir', dir, '--daemonize', 'no'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const collect = (chunk) => {
    output = (output + chunk).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => running.delete(child));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    if (owned) await rm(dir, { recursive: true, force: true });
  };
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on ${HOST}:${port}:\n${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://${HOST}:${port}`, port, pid: child.pid, dir, stop, kill };
}

/** A port that was free a moment ago on the loopback interface. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** True when something on `port` answers the inline command PING with +PONG. */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let reply = '';
    const finish = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

/**
 * Starts a local Redis Cluster of `masters` masters (no replicas), each a {@link startRedisServer} with
 * cluster mode on and the durable persistence, joined by `redis-cli --cluster create`; resolves once every
 * node says `cluster_state:ok`. For the Redis store's cluster tests (STORE-5) and benches.
 * @param {{ masters?: number }} [o] - how many masters (default 3, the fewest `redis-cli --cluster create` accepts)
 * @returns {Promise<{ url: string, nodes: Array<{ url: string, port: number }>, stop: () => Promise<void> }>}
 *   `url` is the first node's: a cluster client finds the others from it
 * @throws Error when a node does not start or the cluster does not come up (with redis-cli's output)
 */
export async function startRedisCluster({ masters = 3 } = {}) {
  const args = [...DURABLE_REDIS_ARGS, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'];
  const nodes = [];
  const stop = () => Promise.all(nodes.map((n) => n.stop())).then(() => undefined);
  try {
    // One at a time: a node's cluster bus is its port + 10000, and a start that finds it taken is retried.
    for (let i = 0; i < masters; i++) nodes.push(await startRedisServer({ args }));
    const cli = join(dirname(redisServerBinary()), 'redis-cli');
    await run(cli, ['--cluster', 'create', ...nodes.map((n) => `${HOST}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (const n of nodes) {
      while (!(await run(cli, ['-h', HOST, '-p', String(n.port), 'cluster', 'info'])).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error(`the Redis Cluster did not reach cluster_state:ok within ${READY_TIMEOUT_MS} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: nodes[0].url, nodes: nodes.map((n) => ({ url: n.url, port: n.port })), stop };
}

/** Runs a command to its end; resolves with its stdout, rejects with its output when it fails. */
function run(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(' ')} exited with ${code}:\n${out.slice(-2000)}`))));
  });
}
