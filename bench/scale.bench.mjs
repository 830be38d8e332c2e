// Honest Operator figures: the real `comrad-op` process (built dist), loaded by clients in processes of
// their own, against the physical limit measured in the same run. Imports the BUILT packages.
//
// - mail: send + fetch + ack requests per second, CLIENTS clients spread over CLIENT_PROCS processes
//   (bench/_load-client.mjs, the real client transport), against `comrad-op --store memory|lmdb|redis`
//   (Redis: a real redis-server, appendonly + appendfsync always as in production), each as a ratio to a
//   bare `ws` echo server (bench/_echo-server.mjs, its own process too) answering frames of the same sizes
//   from the same client processes: what this machine can do with WebSockets at all. p50/p99 latency of
//   one request, and the Operator's RSS after the phase. Why processes, not worker threads: the Operator's
//   process then holds nothing but the Operator (its RSS is read from /proc and is its own), and the
//   clients' GC and event loops never share a process with the server they load — as on the network.
// - workers: the mail load against `comrad-op --workers W`, W = 1, 2 and the number of cores, LMDB and Redis,
//   as a speed-up over one worker in the same run (OP-8).
// - idle: IDLE logged-in connections held open (clients in processes again): the Operator's RSS before
//   and after, RSS per connection, and the RSS that extrapolates to 10,000 (goal < 500 MB).
// - start: time from spawning `comrad-op` (existing keys, no Tor) to its listening line, best of STARTS
//   (the least disturbed on a loaded machine), memory and LMDB stores (goal < 1 s), as a ratio to a bare
//   `node -e 0` start; and the part of it spent importing @comrad/operator (the rest is mostly unlocking
//   the two keystores: a PBKDF2 derivation each, KEYS-1).
//
//   node bench/scale.bench.mjs [--json]
//   --json: one line per figure: {"suite":"scale","op","store","value","unit"}
//   COMRAD_BENCH_PHASES: a comma-separated subset of mail,workers,idle,start (default all)
//   COMRAD_BENCH_OP_NODE_OPTIONS: NODE_OPTIONS for the Operator alone (a CPU profile: bench/_cpu-profile.cjs)
//   COMRAD_BENCH_MS: measured phase per store (default 2000 ms); COMRAD_BENCH_IDLE: idle connections
//   (default 500: on a shared 2-core machine logins run at tens per second; 10000 is the goal's figure)

import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnOperator } from '@comrad/test-kit/processes';
import { startRedisServer } from '@comrad/test-kit/redis-server';

const PHASE_MS = Number(process.env.COMRAD_BENCH_MS ?? 2000);
const WARMUP_MS = Math.min(1000, PHASE_MS / 2);
const CLIENTS = 50;
const CLIENT_PROCS = 2;
const LETTER_BYTES = 1024;
const IDLE = Number(process.env.COMRAD_BENCH_IDLE ?? 500);
const IDLE_PROCS = 2;
/** Connections per name while idle (LIMIT-4 allows 8 by default; the bench raises it, names are set-up). */
const IDLE_PER_NAME = 50;
const STARTS = 2;
/** The passphrase spawnOperator gives comrad-op (test-kit's processes.mjs). */
const OPERATOR_PASSPHRASE = 'operator test passphrase';
/** Per-connection limits out of the way, so the server is what is measured. */
const LIMIT_ARGS = Object.entries({
  requestsPerSecond: 1_000_000,
  maxInflight: 1024,
  mailboxItems: 1_000_000,
  mailboxBytes: 2 ** 40,
  maxConnections: 1_000_000,
  maxUnauthenticated: 100_000,
  maxConnectionsPerName: 1_000_000,
  greetingsPerSecond: 1_000_000,
  // LIMIT-6 sets aside sealedLetterBytes (288 KiB) per item a fetch may answer before reading the store:
  // with the default 128 MiB, about 8 fetches of a full page (50) fit at once, and the 9th is refused.
  memoryBudgetBytes: 2 ** 31,
}).flatMap(([k, v]) => ['--limit', `${k}=${v}`]);
const CLIENT = fileURLToPath(new URL('./_load-client.mjs', import.meta.url));
const ECHO = fileURLToPath(new URL('./_echo-server.mjs', import.meta.url));

/**
 * Runs the scale benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 */
export async function run({ json = false } = {}) {
  const rows = [];
  const add = (op, store, value, unit) => rows.push({ suite: 'scale', op, store, value: value === null ? null : round(value), unit });
  const dir = await mkdtemp(join(tmpdir(), 'comrad-bench-scale-'));
  const redis = await startRedisServer();
  try {
    // COMRAD_BENCH_PHASES=workers,start (say) runs only those phases: a short look on a shared machine.
    const only = (process.env.COMRAD_BENCH_PHASES ?? 'mail,workers,idle,start').split(',');
    if (only.includes('mail')) await mailPhase(add, dir, redis.url);
    if (only.includes('workers')) await workersPhase(add, dir, redis.url);
    if (only.includes('idle')) await idlePhase(add, dir);
    if (only.includes('start')) await startPhase(add, dir);
  } finally {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else printTable(rows);
  return rows;
}

async function mailPhase(add, dir, redisUrl) {
  // The machine is shared: the echo server is measured before each store and after the last, and each
  // store is compared with the mean of the echo phases either side of it, so a change in the machine's
  // load between rows moves both sides of a ratio.
  const echo = await startEcho();
  const echoes = [];
  const measureEcho = async () => echoes.push(await load({ mode: 'echo', url: echo.url, prefix: 'echo' }));
  const stores = {
    // One process each (OP-8's workers are the next phase's), as the ratio goal is stated.
    memory: ['--store', 'memory', '--workers', '1'],
    lmdb: ['--store', 'lmdb', '--workers', '1'],
    redis: ['--store', 'redis', '--redis', redisUrl, '--redis-prefix', 'bench-scale:', '--workers', '1'],
  };
  try {
    await measureEcho();
    for (const [store, args] of Object.entries(stores)) {
      const op = await startOp(join(dir, `mail-${store}`), args);
      let r;
      try {
        r = await load({ mode: 'mail', url: op.url, operatorKey: op.operatorKey, prefix: `m${store}` }, op.pid);
        add('operator-rss', store, (await rssOf(op.pid)) / 2 ** 20, 'MB');
        add('cpu/1000', store, r.cpuPer1000, 'ms');
      } finally {
        await op.stop();
      }
      await measureEcho();
      const [before, after] = echoes.slice(-2).map(rate);
      addLoad(add, store, r);
      add('share-of-echo', store, (100 * rate(r)) / ((before + after) / 2), '%');
    }
  } finally {
    await echo.stop();
  }
  addLoad(add, 'echo', { count: echoes.reduce((s, e) => s + e.count, 0), ms: echoes.reduce((s, e) => s + e.ms, 0), lat: echoes.flatMap((e) => e.lat) });
  add('echo-spread', 'echo', Math.max(...echoes.map(rate)) / Math.min(...echoes.map(rate)), '×');
}

/**
 * OP-8: `comrad-op --workers W` for W = 1, 2 and the number of cores (once each when they coincide), on
 * LMDB and on Redis, loaded by the same client processes as the mail phase; each row as a ratio to the
 * same store with one worker, measured in the same run (goal: ≥ 1.6× from 1 to 2 on 2 cores). On a
 * machine with as many cores as workers, the client processes and Redis compete with the workers for
 * them: read the ratio as what one more worker buys on this machine, not what a second core alone would.
 */
async function workersPhase(add, dir, redisUrl) {
  const counts = [...new Set([1, 2, availableParallelism()])];
  for (const store of ['lmdb', 'redis']) {
    let one;
    for (const w of counts) {
      const args = store === 'lmdb' ? ['--store', 'lmdb'] : ['--store', 'redis', '--redis', redisUrl, '--redis-prefix', `bench-workers-${w}:`];
      const op = await startOp(join(dir, `workers-${store}-${w}`), [...args, '--workers', String(w)]);
      let r;
      try {
        r = await load({ mode: 'mail', url: op.url, operatorKey: op.operatorKey, prefix: `w${store}${w}` }, op.pid);
      } finally {
        await op.stop();
      }
      one ??= rate(r);
      add('workers-req/s', `${store}×${w}`, rate(r), 'req/s');
      add('workers-speedup', `${store}×${w}`, rate(r) / one, '×');
      r.lat.sort((a, b) => a - b);
      add('workers-p99', `${store}×${w}`, quantile(r.lat, 0.99), 'ms');
      add('workers-cpu/1000', `${store}×${w}`, r.cpuPer1000, 'ms');
    }
  }
}

const rate = ({ count, ms }) => (count * 1000) / ms;

function addLoad(add, store, r) {
  add('send+fetch+ack', store, rate(r), 'req/s');
  r.lat.sort((a, b) => a - b);
  add('p50', store, quantile(r.lat, 0.5), 'ms');
  add('p99', store, quantile(r.lat, 0.99), 'ms');
}

/** Starts CLIENT_PROCS client processes, waits until each is set up, starts them together, merges their figures. */
async function load(config, serverPid) {
  const per = Math.ceil(CLIENTS / CLIENT_PROCS);
  const procs = Array.from({ length: CLIENT_PROCS }, (_, i) =>
    startClient({ ...config, prefix: `${config.prefix}${i}`, clients: per, letterBytes: LETTER_BYTES, warmupMs: WARMUP_MS, phaseMs: PHASE_MS }),
  );
  try {
    await Promise.all(procs.map((p) => p.next()));
    const cpuBefore = serverPid === undefined ? 0 : await cpuOfTree(serverPid);
    for (const p of procs) p.send('go');
    const results = await Promise.all(procs.map((p) => p.next()));
    const count = results.reduce((s, r) => s + r.count, 0);
    const ms = Math.max(...results.map((r) => r.ms));
    // The server's CPU over warm-up and phase, per request: requests of the warm-up counted at the phase's rate.
    const cpuPer1000 = serverPid === undefined ? undefined : ((await cpuOfTree(serverPid)) - cpuBefore) / ((count * (WARMUP_MS + ms)) / ms / 1000);
    return { count, ms, lat: results.flatMap((r) => r.lat), cpuPer1000 };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

async function idlePhase(add, dir) {
  const op = await startOp(join(dir, 'idle'), ['--store', 'memory']);
  try {
    const before = await rssOf(op.pid);
    const per = Math.ceil(IDLE / IDLE_PROCS);
    const start = performance.now();
    const procs = Array.from({ length: IDLE_PROCS }, (_, i) =>
      startClient({ mode: 'idle', url: op.url, operatorKey: op.operatorKey, prefix: `idle${i}`, clients: per, names: Math.max(1, Math.ceil(per / IDLE_PER_NAME)) }),
    );
    try {
      const open = (await Promise.all(procs.map((p) => p.next()))).reduce((s, r) => s + r.open, 0);
      const seconds = (performance.now() - start) / 1000;
      // Let the Operator settle (buffers of the handshakes freed) before reading its RSS.
      await new Promise((r) => setTimeout(r, 1000));
      const after = await rssOf(op.pid);
      const perConn = (after - before) / open;
      add('idle-connections', 'memory', open, 'connections');
      add('idle-logins/s', 'memory', open / seconds, 'logins/s');
      add('idle-rss-before', 'memory', before / 2 ** 20, 'MB');
      add('idle-rss-after', 'memory', after / 2 ** 20, 'MB');
      add('idle-rss/connection', 'memory', perConn / 1024, 'KB');
      add('idle-rss@10000', 'memory', (before + perConn * 10_000) / 2 ** 20, 'MB');
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
    }
  } finally {
    await op.stop();
  }
}

async function startPhase(add, dir) {
  const best = (fn) => Math.min(...Array.from({ length: STARTS }, () => fn()));
  const timed = (fn) => () => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  add('start', 'node -e 0', best(timed(() => execFileSync(process.execPath, ['-e', '0']))), 'ms');
  const importOnly = `await import(${JSON.stringify(import.meta.resolve('@comrad/operator'))})`;
  add('start', 'import', best(timed(() => execFileSync(process.execPath, ['--input-type=module', '-e', importOnly]))), 'ms');
  const data = join(dir, 'start');
  // The first start creates the keys (two keystores, a key derivation each): a one-time cost, not measured.
  await (await startOp(data, ['--store', 'memory'])).stop();
  // KEYS-1: what unlocking the two keystores costs (a passphrase derivation each), timed inside a process.
  const unlock = `const { ready } = await import(${JSON.stringify(import.meta.resolve('@comrad/core'))});
    const { loadOrCreateKeys } = await import(${JSON.stringify(import.meta.resolve('@comrad/operator'))});
    await ready(); const t = performance.now(); await loadOrCreateKeys({ dataDir: ${JSON.stringify(data)} }); console.log(performance.now() - t);`;
  const env = { ...process.env, COMRAD_OPERATOR_PASSPHRASE: OPERATOR_PASSPHRASE };
  add('start', 'unlock keys', best(() => Number(execFileSync(process.execPath, ['--input-type=module', '-e', unlock], { env, encoding: 'utf8' }))), 'ms');
  for (const store of ['memory', 'lmdb']) {
    const times = [];
    const cpu = [];
    for (let i = 0; i < STARTS; i++) {
      const t = performance.now();
      const op = await startOp(data, ['--store', store, '--workers', '1']);
      times.push(performance.now() - t);
      // CPU time (every thread) spent up to the listening line: what the start costs on an idle core, where
      // the wall-clock time on a shared machine also counts waiting for the other processes.
      cpu.push(await cpuOf(op.pid));
      await op.stop();
    }
    add('start', store, Math.min(...times), 'ms');
    add('start-cpu', store, Math.min(...cpu), 'ms');
  }
}

/** `comrad-op` from dist on a free port, with the bench's limits. */
async function startOp(data, args) {
  const op = spawnOperator(['--data', data, '--port', '0', '--json', '--sweep-seconds', '0', ...LIMIT_ARGS, ...args], {
    timeoutMs: 60_000,
    env: process.env.COMRAD_BENCH_OP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.COMRAD_BENCH_OP_NODE_OPTIONS } : {},
  });
  const line = await op.started;
  return {
    url: line.url,
    operatorKey: line.operatorKey,
    pid: op.child.pid,
    stop: async () => {
      op.child.kill('SIGTERM');
      const { code, signal } = await op.exited;
      if (code !== 0) throw new Error(`comrad-op stopped with ${signal ?? code}: ${op.stderr().slice(-500)}`);
    },
  };
}

async function startEcho() {
  const child = spawn(process.execPath, [ECHO], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const { port } = JSON.parse(await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve)));
  return {
    url: `ws://127.0.0.1:${port}`,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** A client process speaking JSON lines (see _load-client.mjs). */
function startClient(config) {
  const child = spawn(process.execPath, [CLIENT, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const queue = [];
  const waiting = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const w = waiting.shift();
    if (w) w.resolve(JSON.parse(line));
    else queue.push(JSON.parse(line));
  });
  void exited.then((code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`a client process exited (${code})`));
  });
  return {
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((resolve, reject) => waiting.push({ resolve, reject }))),
    send: (line) => child.stdin.write(`${line}\n`),
    stop: async () => {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw new Error(`a client process exited with ${code}`);
    },
  };
}

/** CPU time of a process and its children (a primary and its workers), in ms. */
async function cpuOfTree(pid) {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean).map(Number);
  let total = await cpuOf(pid);
  for (const child of children) total += await cpuOf(child).catch(() => 0);
  return total;
}

/** CPU time a process has used, user and system, every thread (Linux /proc), in ms. */
async function cpuOf(pid) {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s (USER_HZ)
}

/** Resident set of a process, in bytes (Linux /proc). */
async function rssOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) * 1024;
}

function quantile(sorted, q) {
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function round(v) {
  return v >= 100 ? Math.round(v) : Math.round(v * 100) / 100;
}

function printTable(rows) {
  const get = (op, store) => rows.find((r) => r.op === op && r.store === store)?.value;
  const fmt = (v, digits = 0) => (v === null || v === undefined ? 'n/a' : v.toFixed(digits));
  const table = (head, body) => {
    const lines = [head, ...body];
    const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
    for (const l of lines) console.log(l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    console.log('');
  };
  console.log(
    `scale: mail — send + fetch + ack, ${CLIENTS} clients in ${CLIENT_PROCS} processes, comrad-op in its own, ${LETTER_BYTES}-byte letters, ${PHASE_MS} ms per row; ` +
      `echo = bare ws server, same frame sizes, measured before and after each store (its rate varied ${fmt(get('echo-spread', 'echo'), 2)}× over the run); % of the echo phases either side (goals: lmdb ≥ 50 %, redis ≥ 30 %)`,
  );
  table(
    ['server', 'req/s', '% of echo', 'p50 ms', 'p99 ms', 'Operator RSS MB', 'Operator CPU ms / 1000 req'],
    ['echo', 'memory', 'lmdb', 'redis'].map((s) => [
      s,
      fmt(get('send+fetch+ack', s)),
      s === 'echo' ? '100 %' : `${fmt(get('share-of-echo', s))} %`,
      fmt(get('p50', s), 2),
      fmt(get('p99', s), 2),
      s === 'echo' ? '' : fmt(get('operator-rss', s), 1),
      s === 'echo' ? '' : fmt(get('cpu/1000', s)),
    ]),
  );
  const scaled = rows.filter((r) => r.op === 'workers-req/s').map((r) => r.store);
  console.log(
    `scale: workers — comrad-op --workers W (OP-8), the same ${CLIENTS} clients in ${CLIENT_PROCS} processes, ${PHASE_MS} ms per row, this machine has ${availableParallelism()} cores ` +
      '(shared with the client processes and Redis); speed-up = req/s over the same store with one worker, same run (goal 1 → 2: ≥ 1.6× on 2 cores)',
  );
  table(
    ['store × workers', 'req/s', 'speed-up', 'p99 ms', 'CPU ms / 1000 req (primary + workers)'],
    scaled.map((s) => [s, fmt(get('workers-req/s', s)), `${fmt(get('workers-speedup', s), 2)}×`, fmt(get('workers-p99', s), 2), fmt(get('workers-cpu/1000', s))]),
  );
  console.log(`scale: idle — logged-in connections held open (clients in ${IDLE_PROCS} processes), memory store (goal at 10,000: < 500 MB)`);
  table(
    ['connections', 'logins/s', 'RSS before MB', 'RSS after MB', 'KB / connection', 'RSS at 10,000 MB (extrapolated)'],
    [[fmt(get('idle-connections', 'memory')), fmt(get('idle-logins/s', 'memory')), fmt(get('idle-rss-before', 'memory'), 1), fmt(get('idle-rss-after', 'memory'), 1), fmt(get('idle-rss/connection', 'memory'), 1), fmt(get('idle-rss@10000', 'memory'), 1)]],
  );
  console.log(`scale: start — spawn to listening, keys already on disk, no Tor, best of ${STARTS} (goal < 1000 ms); import = node importing @comrad/operator and exiting; unlock keys = loadOrCreateKeys on the existing keys, timed in-process (two PBKDF2 derivations, KEYS-1, by OpenSSL: CRY-13); CPU ms = the Operator's CPU time (all threads) when it printed its listening line, which on a loaded machine is the better guide to an idle one's start`);
  table(
    ['start', 'ms', '× node -e 0', 'CPU ms to listening'],
    ['node -e 0', 'import', 'unlock keys', 'memory', 'lmdb'].map((s) => [
      s,
      fmt(get('start', s)),
      s === 'node -e 0' || s === 'unlock keys' ? '' : `${(get('start', s) / get('start', 'node -e 0')).toFixed(1)}×`,
      get('start-cpu', s) === undefined ? '' : fmt(get('start-cpu', s)),
    ]),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run({ json: process.argv.includes('--json') });
}
