// The Operator under load, on loopback, over real WebSockets, with the real client transport
// (@comrad/client-node's OperatorConnection). Imports the BUILT packages (`npm run build` first).
//
// - mail (send + fetch + ack per store) moved to scale.bench.mjs: there the clients run in processes of
//   their own, against the real comrad-op process, as a ratio to a bare ws echo server.
// - crypto: signed `lookup` answers per second and handshakes per second (connect + hello + `auth`), the
//   Operator in a CHILD process started on the chosen backend (`ready({ backend })`, reported back by
//   `backendName()`), the clients in this process on the default backend for both rows, so only the
//   Operator's backend differs.
// - feed: public-key operations the Operator performs per feed page (counted by wrapping the node
//   backend's operations and wasm-themis's Secure Message classes, the objects the active backend calls;
//   `worldKey` is counted too, to show the counter sees the Operator's work), feed pages per second
//   (pages of FEED_PAGE posts, in-process Operator, each backend made active in turn), and the naive
//   design's cost: one public-key operation per post per read, measured as encryptFor of a post × FEED_PAGE.
//
//   node bench/operator.bench.mjs [--json]
//   --json: one line per figure: {"suite":"operator","op","store","backend","value","unit"}
//   COMRAD_BENCH_MS: length of each measured phase (default 2000 ms)

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { backendName, decryptFrom, encryptFor, fromHex, KeyPair, PublicKey, randomBytes, ready, sign, SymmetricKey } from '@comrad/core';
import { createLetter, sealPost } from '@comrad/core/envelope';
import { epochOf, makeAuthProof, makeRegisterProof, verifyLookup } from '@comrad/core/wire';
import { openStore, operatorKeys, startOperator } from '@comrad/operator';
import { OperatorConnection } from '@comrad/client-node';

/** Length of each measured phase (ms); a short warm-up precedes each. */
const PHASE_MS = Number(process.env.COMRAD_BENCH_MS ?? 2000);
const WARMUP_MS = Math.min(1000, PHASE_MS / 2);
/** Clients at once. */
const CLIENTS = 50;
/** Posts per feed page, and posts in the feed. */
const FEED_PAGE = 20;
const FEED_AUTHORS = 10;
const FEED_POSTS = 200;
const BACKENDS = ['node', 'wasm'];
/** The in-process and child Operators: per-connection limits out of the way, so the server is what is measured. */
const LIMITS = {
  requestsPerSecond: 1_000_000,
  maxInflight: 1024,
  mailboxItems: 1_000_000,
  mailboxBytes: 2 ** 40,
  postsPerHour: 1_000_000,
  maxConnectionsPerName: 1_000_000,
  greetingsPerSecond: 1_000_000,
  // Registration cost is measured by pow.bench.mjs; here names are set-up, not the load.
  registerPowBits: 0,
};
const CHILD_FLAG = '--operator-child';

/**
 * Runs the Operator benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 * @returns {Promise<Array<{ suite: 'operator', op: string, store: string, backend: string, value: number | null, unit: string }>>}
 */
export async function run({ json = false } = {}) {
  await ready();
  const rows = [];
  const add = (op, store, backend, value, unit) => rows.push({ suite: 'operator', op, store, backend, value: value === null ? null : round(value), unit });
  await cryptoPhase(add);
  await feedPhase(add);
  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else printTable(rows);
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// Crypto: signed lookups and handshakes, the Operator in a child process on each backend.

async function cryptoPhase(add) {
  for (const backend of BACKENDS) {
    let child;
    try {
      child = await startChild(backend);
    } catch (err) {
      // Say so in the figures rather than drop the row: a missing backend is a finding.
      process.stderr.write(`[operator bench] the ${backend} backend is unavailable: ${err.message}\n`);
      add('lookup', 'memory', backend, null, 'answers/s');
      add('auth', 'memory', backend, null, 'handshakes/s');
      continue;
    }
    try {
      const op = { url: child.url, info: { operatorKey: child.operatorKey } };
      const people = await registerMany(op, CLIENTS, `crypto_${backend}`);
      const conns = await Promise.all(people.map(() => connect(op)));
      // REG-4: a sample answer is a statement signed by this Operator about the name asked for.
      const sample = await conns[0].request('lookup', { name: people[1].name });
      if (!verifyLookup(sample.statement, child.operatorKey, people[1].name).key.equals(people[1].keys.publicKey)) throw new Error('lookup answered another key');
      const lookupLoop = async (conn, i) => {
        await conn.request('lookup', { name: people[i % people.length].name });
        return 1;
      };
      await drive(conns, lookupLoop, WARMUP_MS);
      const lookups = await drive(conns, lookupLoop, PHASE_MS);
      add('lookup', 'memory', backend, (lookups.count * 1000) / lookups.ms, 'answers/s');
      await Promise.all(conns.map((c) => c.closed()));

      const authLoop = async (me) => {
        const conn = await login(op, me);
        await conn.closed();
        return 1;
      };
      await drive(people, authLoop, WARMUP_MS);
      const auths = await drive(people, authLoop, PHASE_MS);
      add('auth', 'memory', backend, (auths.count * 1000) / auths.ms, 'handshakes/s');
    } finally {
      await child.stop();
    }
  }
}

/** Starts an Operator in a child process on `backend`; resolves once it listens. */
async function startChild(backend) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), CHILD_FLAG, backend], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the Operator child exited (${code}) before it listened`)));
  });
  const hello = JSON.parse(first);
  if (hello.error) {
    await exited;
    throw new Error(hello.error);
  }
  if (hello.backend !== backend) throw new Error(`the child runs on ${hello.backend}, not ${backend}`);
  return {
    url: hello.url,
    operatorKey: PublicKey.from(fromHex(hello.operatorKey)),
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** The child: an Operator on the memory store and the named backend, until its stdin closes. */
async function childMain(backend) {
  try {
    await ready({ backend });
  } catch (err) {
    console.log(JSON.stringify({ error: err.message }));
    return;
  }
  const store = await openStore({ kind: 'memory' });
  const keys = freshKeys();
  const op = await startOperator({ store, keys, port: 0, limits: LIMITS, sweepIntervalMs: 0, heartbeatMs: 0 });
  console.log(JSON.stringify({ url: op.url, operatorKey: keys.operator.publicKey.toHex(), backend: backendName() }));
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await op.close();
  await store.close();
}

// ---------------------------------------------------------------------------------------------------
// Feed: public-key operations per page, pages per second, and the naive design's cost.

async function feedPhase(add) {
  const counter = await publicKeyCounter();
  const store = await openStore({ kind: 'memory' });
  const keys = freshKeys();
  const op = await startOperator({ store, keys, port: 0, limits: LIMITS, sweepIntervalMs: 0, heartbeatMs: 0 });
  try {
    const authors = await registerMany(op, FEED_AUTHORS, 'feed');
    const sessions = await Promise.all(authors.map((me) => login(op, me)));
    let sampleBytes = 0;
    for (let n = 0; n < FEED_POSTS; n++) {
      const me = authors[n % FEED_AUTHORS];
      const conn = sessions[n % FEED_AUTHORS];
      const { epoch, sealed } = await conn.request('worldKey', {});
      const key = SymmetricKey.from(decryptFrom(me.keys.privateKey, keys.world.publicKey, sealed));
      const text = `post ${n}: ${'a short message to the world '.repeat(3)}`;
      const post = sealPost(createLetter({ kind: 'post', from: me.name, body: { text } }), me.keys, key, epoch);
      sampleBytes = post.length;
      await conn.request('post', { post, expiresInDays: 1 });
    }
    const readers = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => login(op, authors[i % FEED_AUTHORS])));
    const page = async (conn) => {
      const { posts } = await conn.request('feed', { limit: FEED_PAGE });
      if (posts.length !== FEED_PAGE) throw new Error(`a page held ${posts.length} posts`);
      return 1;
    };
    for (const backend of BACKENDS) {
      try {
        await ready({ backend });
      } catch {
        add('pk-ops/feed-page', 'memory', backend, null, 'ops/page');
        add('feed-page', 'memory', backend, null, 'pages/s');
        add('feed-page-naive', 'memory', backend, null, 'pages/s');
        continue;
      }
      // The counter sees the Operator's public-key work: worldKey seals the epoch key to the reader (FEED-2).
      counter.reset();
      await readers[0].request('worldKey', { epoch: epochOf(Date.now()) });
      add('pk-ops/worldKey', 'memory', backend, counter.total(), 'ops/request');
      await drive(readers, page, WARMUP_MS);
      counter.reset();
      const pages = await drive(readers, page, PHASE_MS);
      add('pk-ops/feed-page', 'memory', backend, counter.total() / pages.count, 'ops/page');
      add('feed-page', 'memory', backend, (pages.count * 1000) / pages.ms, 'pages/s');
      // The naive design: each post sealed to each reader, one public-key operation per post per read.
      const world = keys.world;
      const reader = authors[0].keys.publicKey;
      const body = randomBytes(sampleBytes);
      const perOp = timePerOp(() => encryptFor(world.privateKey, reader, body), PHASE_MS / 2);
      add('feed-page-naive', 'memory', backend, 1000 / (perOp * FEED_PAGE), 'pages/s');
    }
    await Promise.all([...sessions, ...readers].map((c) => c.closed()));
  } finally {
    counter.restore();
    await ready();
    await op.close();
    await store.close();
  }
}

/**
 * Counts the public-key operations of either backend: the node backend's operation table (the singleton
 * core's `#node-backend` import resolves to) and wasm-themis's Secure Message classes (what the wasm
 * backend calls). Each wrapper is checked to count before any figure relies on it.
 */
async function publicKeyCounter() {
  let n = 0;
  const undo = [];
  /** Replaces `target[name]` by a counting wrapper, remembering how to put the original back. */
  const count = (target, name) => {
    const fn = target[name];
    undo.push(() => (target[name] = fn));
    target[name] = function (...args) {
      n++;
      return fn.apply(this, args);
    };
  };
  const core = new URL('./', import.meta.resolve('@comrad/core/package.json'));
  const { loadNodeBackend } = await import(new URL('dist/crypto/_node-backend.js', core).href);
  const node = await loadNodeBackend();
  for (const name of ['sign', 'verify', 'encrypt', 'decrypt']) count(node, name);
  const mod = await import('wasm-themis');
  const themis = mod.default ?? mod;
  for (const [cls, name] of [['SecureMessageSign', 'sign'], ['SecureMessageVerify', 'verify'], ['SecureMessage', 'encrypt'], ['SecureMessage', 'decrypt']]) {
    count(themis[cls].prototype, name);
  }
  const active = backendName();
  for (const backend of BACKENDS) {
    await ready({ backend });
    const before = n;
    sign(KeyPair.generate().privateKey, Uint8Array.of(1));
    if (n !== before + 1) throw new Error(`the public-key counter does not see the ${backend} backend`);
  }
  await ready({ backend: active });
  return { reset: () => (n = 0), total: () => n, restore: () => undo.splice(0).reverse().forEach((f) => f()) };
}

// ---------------------------------------------------------------------------------------------------
// Shared helpers.

function freshKeys() {
  return operatorKeys(KeyPair.generate(), KeyPair.generate());
}

/** Registers `count` fresh comrades named `<prefix>_<i>`; returns their names and key pairs. */
async function registerMany(op, count, prefix) {
  const conn = await connect(op);
  const operatorKey = op.info.operatorKey;
  const people = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}_${i}`.slice(0, 32);
    const keys = KeyPair.generate();
    await conn.request('register', { name, key: keys.publicKey, proof: makeRegisterProof(keys.privateKey, name, keys.publicKey, operatorKey) });
    people.push({ name, keys });
  }
  await conn.closed();
  return people;
}

function connect(op) {
  return OperatorConnection.open({ url: op.url, operatorKey: op.info.operatorKey });
}

/** A new connection logged in as `me` (AUTH-2). */
async function login(op, me) {
  const conn = await connect(op);
  const at = Date.now();
  const sig = makeAuthProof(me.keys.privateKey, { challenge: conn.hello.challenge, operatorKey: op.info.operatorKey, name: me.name, at });
  await conn.request('auth', { name: me.name, at, sig });
  return conn;
}

/** Runs `loop(item, index)` for every item at once, over and over, for `ms`; sums what the loops return. */
async function drive(items, loop, ms) {
  const start = performance.now();
  const end = start + ms;
  let count = 0;
  await Promise.all(
    items.map(async (item, i) => {
      while (performance.now() < end) {
        const n = await loop(item, i);
        count += n; // not `count += await …`, which would read `count` before the await
      }
    }),
  );
  return { count, ms: performance.now() - start };
}

/** Milliseconds per call of `fn`, over about `ms`. */
function timePerOp(fn, ms) {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  return (performance.now() - start) / n;
}

function round(v) {
  return v >= 100 ? Math.round(v) : Math.round(v * 100) / 100;
}

function printTable(rows) {
  const get = (op, store, backend) => rows.find((r) => r.op === op && r.store === store && (backend === undefined || r.backend === backend))?.value;
  const fmt = (v, digits = 0) => (v === null || v === undefined ? 'n/a' : v.toFixed(digits));
  const ratio = (a, b) => (a === null || b === null || a === undefined || b === undefined || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`);
  const table = (head, body) => {
    const lines = [head, ...body];
    const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
    for (const l of lines) console.log(l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    console.log('');
  };

  console.log(`operator: crypto — Operator in a child process on each backend, ${CLIENTS} clients, memory store`);
  table(
    ['op', 'node', 'wasm', 'node / wasm'],
    [
      ['lookup (signed answers/s)', 'lookup'],
      ['auth (handshakes/s)', 'auth'],
    ].map(([label, op]) => [label, fmt(get(op, 'memory', 'node')), fmt(get(op, 'memory', 'wasm')), ratio(get(op, 'memory', 'node'), get(op, 'memory', 'wasm'))]),
  );

  console.log(`operator: world feed — pages of ${FEED_PAGE} posts from ${FEED_POSTS}, ${CLIENTS} readers, memory store; naive = one encryptFor per post per read`);
  table(
    ['backend', 'pk ops/page', 'pk ops/worldKey', 'pages/s', 'naive pages/s', 'pages / naive'],
    BACKENDS.map((b) => [
      b,
      fmt(get('pk-ops/feed-page', 'memory', b), 2),
      fmt(get('pk-ops/worldKey', 'memory', b)),
      fmt(get('feed-page', 'memory', b)),
      fmt(get('feed-page-naive', 'memory', b)),
      ratio(get('feed-page', 'memory', b), get('feed-page-naive', 'memory', b)),
    ]),
  );
}

if (process.argv[2] === CHILD_FLAG) {
  await childMain(process.argv[3]);
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run({ json: process.argv.includes('--json') });
}
