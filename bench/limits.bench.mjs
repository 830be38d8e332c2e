// What peers that do not play along cost the Operator (LIMIT-4, LIMIT-6, LIMIT-7): the built `comrad-op`
// as a real process (LMDB store in a temp directory), its resident memory read from /proc, the peers
// from this process over loopback. Imports the BUILT packages and bin (`npm run build` first).
//
// - slow readers: SLOW peers log in as one comrade whose mailbox is full of large letters, ask for
//   FETCHES full pages (4 MiB each, LIMIT-5) each, and never read their socket. Peak RSS of the Operator
//   above its RSS before they came, with the memory budget off (`memoryBudgetBytes` 2^40: only the
//   per-connection share of 16 MiB, as before the budget) and with the defaults (128 MiB budget), in the
//   same run; and the RSS one second after they were dropped.
// - idle peers: IDLE connections that open the WebSocket and never say a word, all at once; then an honest
//   client connects, logs in and fetches. Without the slot limits (`maxConnections` 20 000,
//   `maxUnauthenticated` 19 999, no handshake deadline) and with the defaults (10 000, 1 000, 20 s):
//   peak RSS above the baseline, whether the honest client got in and how long it took.
//
//   node bench/limits.bench.mjs [--json]
//   --json: one line per figure: {"suite":"limits","op","config","value","unit"}
//   COMRAD_BENCH_SLOW, COMRAD_BENCH_IDLE: the number of peers (default 40 and 10 000)

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { KeyPair, PublicKey, fromHex, randomBytes, ready } from '@comrad/core';
import { Keymaker } from '@comrad/core/keymaker';
import { acceptGreeting, decodeGreeting, decodeServerFrame, encodeRequest, makeAuthProof, makeRegisterProof, withClientHello } from '@comrad/core/wire';
import { OperatorConnection } from '@comrad/client-node';
import { requireBuild, spawnOperator } from '@comrad/test-kit/processes';

const SLOW = Number(process.env.COMRAD_BENCH_SLOW ?? 40);
const FETCHES = 16;
const LETTERS = 24;
const LETTER_BYTES = 256 * 1024;
const IDLE = Number(process.env.COMRAD_BENCH_IDLE ?? 10_000);
/** How long the slow readers are left holding their answers while RSS is sampled. */
const HOLD_MS = 2000;
const MiB = 1024 * 1024;

/**
 * Runs the benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 */
export async function run({ json = false } = {}) {
  requireBuild();
  await ready();
  const rows = [];
  const add = (op, config, value, unit) => rows.push({ suite: 'limits', op, config, value: typeof value === 'number' ? Math.round(value * 10) / 10 : value, unit });

  const slowArgs = ['--limit', `maxConnectionsPerName=${SLOW + 8}`, '--limit', 'requestsPerSecond=1000'];
  for (const [config, extra] of [
    ['no global budget', ['--limit', `memoryBudgetBytes=${2 ** 40}`]],
    ['default budget', []],
  ]) {
    const r = await slowReaders([...slowArgs, ...extra]);
    add(`${SLOW} slow readers × ${FETCHES} pages: Operator RSS before`, config, r.before / MiB, 'MiB');
    add(`${SLOW} slow readers × ${FETCHES} pages: peak RSS`, config, r.peak / MiB, 'MiB');
    add(`${SLOW} slow readers × ${FETCHES} pages: peak RSS above before`, config, (r.peak - r.before) / MiB, 'MiB');
    add(`${SLOW} slow readers × ${FETCHES} pages: RSS 1 s after they were dropped`, config, r.after / MiB, 'MiB');
  }

  for (const [config, extra] of [
    ['no slot limits', ['--limit', 'maxConnections=20000', '--limit', 'maxUnauthenticated=19999', '--limit', 'handshakeMs=3600000']],
    ['default limits', []],
  ]) {
    const r = await idlePeers(extra);
    add(`${IDLE} idle peers: Operator RSS before`, config, r.before / MiB, 'MiB');
    add(`${IDLE} idle peers: peak RSS above before`, config, (r.peak - r.before) / MiB, 'MiB');
    add(`${IDLE} idle peers: peak RSS above before, per peer opened`, config, (r.peak - r.before) / IDLE / 1024, 'KiB');
    add(`${IDLE} idle peers: still open when the honest client came`, config, r.open, 'connections');
    add(`${IDLE} idle peers: honest client logs in and fetches`, config, r.honest, r.honestMs === undefined ? '' : `in ${Math.round(r.honestMs)} ms`);
  }

  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else printTable(rows);
  return rows;
}

/** Starts comrad-op with `args` on a fresh LMDB directory; `stop` kills it and removes the directory. */
async function operator(args) {
  const dir = await mkdtemp(join(tmpdir(), 'comrad-bench-limits-'));
  const { child, started, exited } = spawnOperator(['--data', join(dir, 'data'), '--port', '0', '--json', '--log-level', 'warn', ...args]);
  const line = await started;
  return {
    url: line.url,
    operatorKey: PublicKey.from(fromHex(line.operatorKey)),
    rss: () => rssOf(child.pid),
    async stop() {
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resident memory of process `pid` in bytes (Linux /proc). */
async function rssOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

/** Samples `rss` every 25 ms until `stop()`; resolves the peak. */
function sampler(rss) {
  let peak = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      peak = Math.max(peak, await rss());
      await new Promise((r) => setTimeout(r, 25));
    }
    return peak;
  })();
  return { stop: () => ((running = false), done) };
}

/** Registers `name` on a connection of its own. */
async function register(op, name) {
  const me = Keymaker.generate(name);
  const conn = await OperatorConnection.open({ url: op.url, operatorKey: op.operatorKey });
  await conn.request('register', { name, key: me.publicKey, proof: makeRegisterProof(me.keys.privateKey, name, me.publicKey, op.operatorKey) });
  await conn.closed();
  return me;
}

/** A raw connection speaking the wire protocol (AUTH-7, AUTH-9), with its socket at hand. */
async function rawConnection(url, operatorKey) {
  const eph = KeyPair.generate();
  const ws = new WebSocket(withClientHello(new URL(url), eph.publicKey), { perMessageDeflate: false, maxPayload: 2 ** 30 });
  ws.on('error', () => undefined);
  const next = () => new Promise((resolve, reject) => {
    ws.once('message', (d) => resolve(new Uint8Array(d)));
    ws.once('close', () => reject(new Error('closed')));
  });
  const { hello, channel } = acceptGreeting(decodeGreeting(await next()), operatorKey, eph);
  return { ws, hello, channel, next };
}

async function slowReaders(args) {
  const op = await operator(args);
  try {
    const bob = await register(op, 'bob');
    const sender = await OperatorConnection.open({ url: op.url, operatorKey: op.operatorKey });
    for (let i = 0; i < LETTERS; i++) await sender.request('send', { to: 'bob', letter: randomBytes(LETTER_BYTES) });
    await sender.closed();
    await new Promise((r) => setTimeout(r, 500));
    const before = await op.rss();
    const s = sampler(op.rss);
    const readers = [];
    for (let i = 0; i < SLOW; i++) {
      const c = await rawConnection(op.url, op.operatorKey);
      const at = Date.now();
      const sig = makeAuthProof(bob.keys.privateKey, { challenge: c.hello.challenge, operatorKey: op.operatorKey, name: 'bob', at });
      c.ws.send(c.channel.seal(encodeRequest(1, 'auth', { name: 'bob', at, sig })));
      const answer = decodeServerFrame(c.channel.open(await c.next()));
      if (answer.type !== 'ok') throw new Error(`slow reader ${i} could not log in: ${answer.code ?? answer.type}`);
      // From here on this peer reads nothing: what the Operator sends piles up on its side.
      c.ws._socket.pause();
      for (let k = 0; k < FETCHES; k++) c.ws.send(c.channel.seal(encodeRequest(100 + k, 'fetch', {})));
      readers.push(c);
    }
    await new Promise((r) => setTimeout(r, HOLD_MS));
    for (const c of readers) c.ws.terminate();
    const peak = await s.stop();
    await new Promise((r) => setTimeout(r, 1000));
    return { before, peak, after: await op.rss() };
  } finally {
    await op.stop();
  }
}

async function idlePeers(args) {
  const op = await operator(args);
  const sockets = [];
  try {
    const alice = await register(op, 'alice');
    await new Promise((r) => setTimeout(r, 300));
    const before = await op.rss();
    const s = sampler(op.rss);
    // One key for every idle peer: an attacker need not make fresh ones.
    const key = KeyPair.generate().publicKey;
    const url = withClientHello(new URL(op.url), key);
    let open = 0;
    const greeted = [];
    for (let i = 0; i < IDLE; i++) {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.on('error', () => undefined);
      greeted.push(
        new Promise((resolve) => {
          ws.once('message', () => resolve());
          ws.once('close', () => resolve());
        }),
      );
      ws.once('open', () => open++);
      ws.once('close', () => open--);
      sockets.push(ws);
      // Keep a few hundred handshakes in flight, as a flood from one machine would.
      if (i % 500 === 499) await Promise.all(greeted.slice(-500));
    }
    await Promise.all(greeted);
    const stillOpen = open;
    let honest = 'yes';
    let honestMs;
    const t0 = performance.now();
    try {
      const conn = await OperatorConnection.open({ url: op.url, operatorKey: op.operatorKey, connectTimeoutMs: 20_000, requestTimeoutMs: 20_000 });
      const at = Date.now();
      const sig = makeAuthProof(alice.keys.privateKey, { challenge: conn.hello.challenge, operatorKey: op.operatorKey, name: 'alice', at });
      await conn.request('auth', { name: 'alice', at, sig });
      await conn.request('fetch', {});
      honestMs = performance.now() - t0;
      await conn.closed();
    } catch (err) {
      honest = `no: ${err.code ?? err.message}`;
    }
    const peak = await s.stop();
    return { before, peak, open: stillOpen, honest, honestMs };
  } finally {
    for (const ws of sockets) ws.terminate();
    await op.stop();
  }
}

function printTable(rows) {
  const w = Math.max(...rows.map((r) => r.op.length));
  const c = Math.max(...rows.map((r) => r.config.length));
  for (const r of rows) console.log(`${r.op.padEnd(w)}  ${r.config.padEnd(c)}  ${String(r.value).padStart(8)} ${r.unit}`);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await run({ json: process.argv.includes('--json') });
