// Unlinkable tokens on the Operator (spec/15-tokens.md, 16-votes.md), over real WebSockets with the real
// client transport. Imports the BUILT packages (`npm run build` first).
//
// - issuance: tokens signed per second through `tokens` (logged-in clients, batches of ISSUE_BATCH blinded
//   requests made once ahead: blinding is the client's cost, not the Operator's);
// - redemption: anonymous votes per second (`vote`: token verified and burned with the vote in one store
//   step) and danger pins per second (`pinPut`: token burned with the put in one store step, TOK-7), each
//   with a fresh token, on connections that never log in;
// - baseline, in the same run, on the same connections: `info` answers per second (a bare round trip);
// - on one in-process Operator (memory store) and on two `comrad-op` processes sharing one redis-server
//   (volatile Redis, --redis-allow-data-loss: the store's fsync is not what is measured here);
// - the size of each anonymous action on the wire (the request frame, sealed, as the socket carries it):
//   a vote, a pin, a pin vote, an anonymous event (a real sealed one, EVT-15), a channel post, a letter —
//   each paid with a token, with the same frame without a token (or with proof of work) as its baseline.
// Tokens for redemption are minted by the bench with the issuer's key (read from the store with the
// Operator's at-rest key): what a comrade's unblinded tokens are, without 20–50 ms of JS blinding each.
//
//   node bench/tokens.bench.mjs [--json]
//   --json: one line per figure: {"suite":"tokens","op","setup","value","unit"}
//   COMRAD_BENCH_MS: length of each measured phase (default 2000 ms)

import { constants, createHash, sign as rsaSign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyPair, PublicKey, SymmetricKey, decryptFrom, fromHex, randomBytes, ready } from '@comrad/core';
import { anonEventsKey, createLetter, deriveChannel, sealAnonEvent, sealPost } from '@comrad/core/envelope';
import { TOKEN_BYTES, blindTokens, tokenChallengeDigest, tokenKeyId } from '@comrad/core/tokens';
import { CHANNEL_OVERHEAD_BYTES, encodeRequest, makeAuthProof, makeRegisterProof } from '@comrad/core/wire';
import { PASSPHRASE_ENV, TokenIssuer, loadOrCreateKeys, openStore, operatorKeys, startOperator } from '@comrad/operator';
import { OperatorConnection } from '@comrad/client-node';
import { spawnOperator } from '@comrad/test-kit/processes';
import { VOLATILE_REDIS_ARGS, startRedisServer } from '@comrad/test-kit/redis-server';

const PHASE_MS = Number(process.env.COMRAD_BENCH_MS ?? 2000);
const WARMUP_MS = Math.min(500, PHASE_MS / 4);
/** Connections at once, per Operator process. */
const CLIENTS = 16;
/** Blinded requests per `tokens` op. */
const ISSUE_BATCH = 10;
/** Tokens per comrade per day in the bench (the protocol's most): issuance runs through many names. */
const BUDGET = 100;
const OPERATOR_PASSPHRASE = 'operator test passphrase';
/** Tokens minted ahead for the redemption phases (warm-up and measured). */
const POOL = Number(process.env.COMRAD_BENCH_TOKENS ?? 800);
const LIMITS = { requestsPerSecond: 1_000_000, maxInflight: 1024, maxConnectionsPerName: 1_000_000, greetingsPerSecond: 1_000_000, registerPowBits: 0, postsPerHour: 1_000_000 };
const LIMIT_ARGS = Object.entries({ ...LIMITS, maxConnections: 100_000, maxUnauthenticated: 10_000 }).flatMap(([k, v]) => ['--limit', `${k}=${v}`]);

/**
 * Runs the token benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 */
export async function run({ json = false } = {}) {
  await ready();
  const rows = [];
  const add = (op, setup, value, unit) => rows.push({ suite: 'tokens', op, setup, value: value === null ? null : round(value), unit });
  await onePhase(add);
  await twoPhase(add);
  sizes(add);
  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else printTable(rows);
  return rows;
}

async function onePhase(add) {
  const store = await openStore({ kind: 'memory' });
  const keys = operatorKeys(KeyPair.generate(), KeyPair.generate());
  const op = await startOperator({ store, keys, port: 0, heartbeatMs: 0, sweepIntervalMs: 0, limits: LIMITS, tokens: { budget: BUDGET } });
  try {
    await measure(add, 'one process (memory)', [{ url: op.url }], keys.operator.publicKey, () => new TokenIssuer(store, keys.atRestKey));
  } finally {
    await op.close();
    await store.close();
  }
}

async function twoPhase(add) {
  const dir = await mkdtemp(join(tmpdir(), 'comrad-bench-tokens-'));
  const redis = await startRedisServer({ args: VOLATILE_REDIS_ARGS });
  const prefix = 'bench-tokens:';
  const args = ['--data', join(dir, 'op'), '--port', '0', '--json', '--store', 'redis', '--redis', redis.url, '--redis-prefix', prefix, '--redis-allow-data-loss', '--token-budget', String(BUDGET), ...LIMIT_ARGS];
  const procs = [];
  let store;
  try {
    procs.push(spawnOperator(args));
    const first = await procs[0].started;
    procs.push(spawnOperator(args));
    const second = await procs[1].started;
    process.env[PASSPHRASE_ENV] ??= OPERATOR_PASSPHRASE;
    const { keys } = await loadOrCreateKeys({ dataDir: join(dir, 'op') });
    store = await openStore({ kind: 'redis', url: redis.url, prefix, allowDataLoss: true });
    await measure(add, 'two processes, one Redis', [first, second], PublicKey.from(fromHex(first.operatorKey)), () => new TokenIssuer(store, keys.atRestKey));
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await store?.close();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Issuance, redemption and the baseline against the Operator processes at `ops` (clients spread over them). */
async function measure(add, setup, ops, operatorKey, issuer) {
  const at = (i) => ops[i % ops.length].url;
  // Comrades: enough budget for the issuance phase, one post to vote on.
  const names = Array.from({ length: 60 }, (_, i) => `tok${i}_${randomBytes(3).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')}`);
  const people = [];
  for (const [i, name] of names.entries()) {
    const me = KeyPair.generate();
    const conn = await OperatorConnection.open({ url: at(i), operatorKey });
    await conn.request('register', { name, key: me.publicKey, proof: makeRegisterProof(me.privateKey, name, me.publicKey, operatorKey) });
    await conn.closed();
    people.push({ name, me });
  }
  const anon = await Promise.all(Array.from({ length: CLIENTS * ops.length }, (_, i) => OperatorConnection.open({ url: at(i), operatorKey })));
  const { keys: announced } = await anon[0].request('tokenKeys', {});
  const blinded = await blindTokens(announced[0].key, ISSUE_BATCH);

  // Baseline: info on the anonymous connections.
  await drive(anon, async (c) => (await c.request('info', {}), 1), WARMUP_MS);
  const base = await drive(anon, async (c) => (await c.request('info', {}), 1), PHASE_MS);
  add('info (baseline)', setup, rate(base), 'answers/s');

  // Issuance: logged-in comrades, each until its budget is spent, then the next name.
  const logged = await Promise.all(people.slice(0, CLIENTS * ops.length).map((p, i) => login(at(i), operatorKey, p)));
  let nextName = logged.length;
  const issue = async (conn, i) => {
    for (;;) {
      try {
        const { responses } = await conn.c.request('tokens', { requests: blinded.requests });
        return responses.length;
      } catch (err) {
        if (err.code !== 'QUOTA_EXCEEDED' || nextName >= people.length) throw err;
        await conn.c.closed();
        conn.c = await login(at(i), operatorKey, people[nextName++]).then((x) => x.c);
      }
    }
  };
  const issued = await drive(logged, issue, PHASE_MS);
  add('issuance', setup, rate(issued), 'tokens/s');
  add('issuance / baseline', setup, rate(issued) / rate(base), '×');

  // A post to vote on, and tokens minted with the issuer's own key.
  const author = logged[0].c;
  const wk = await author.request('worldKey', {});
  const epochKey = SymmetricKey.from(decryptFrom(people[0].me.privateKey, (await anon[0].request('info', {})).worldKey, wk.sealed));
  const { id: post } = await author.request('post', { post: sealPost(createLetter({ kind: 'post', from: people[0].name, body: { text: 'bench' } }), people[0].me, epochKey, wk.epoch), expiresInDays: 1 });
  await Promise.all(logged.map((l) => l.c.closed()));
  const key = await issuer().key(issuer().periodOf(Date.now()));
  // Minted before the phases, so the bench's own RSA signing does not share the measured time.
  const mint = mintTokens(key, announced[0].key);
  const pool = Array.from({ length: POOL }, () => ({ token: mint(), voter: randomBytes(32) }));
  const vote = async (c) => {
    const next = pool.pop();
    if (!next) return 0; // the pool ran out: the phase ends with what was counted
    await c.request('vote', { post, voter: next.voter, choice: 'up', token: next.token });
    return 1;
  };
  await drive(anon, vote, WARMUP_MS);
  const redeemed = await drive(anon, vote, PHASE_MS);
  add('redemption (vote)', setup, rate(redeemed), 'votes/s');
  add('redemption (vote) / baseline', setup, rate(redeemed) / rate(base), '×');

  // Danger pins: the token burned in the pin's own put (TOK-7, PIN-5), a fresh token each.
  const pins = Array.from({ length: POOL }, () => mint());
  const pin = async (c) => {
    const token = pins.pop();
    if (!token) return 0;
    await c.request('pinPut', { cell: 'u33dc1r', kind: 'police', ttl: 600, token });
    return 1;
  };
  await drive(anon, pin, WARMUP_MS);
  const pinned = await drive(anon, pin, PHASE_MS);
  add('redemption (pinPut)', setup, rate(pinned), 'pins/s');
  add('redemption (pinPut) / baseline', setup, rate(pinned) / rate(base), '×');
  await Promise.all(anon.map((c) => c.closed()));
}

/** Valid tokens for the issuer key `key`: the RSA-PSS signature an unblinded token carries. */
function mintTokens(key, announcedKey) {
  const digest = tokenChallengeDigest();
  const id = tokenKeyId(announcedKey);
  return () => {
    const input = new Uint8Array(98);
    input.set([0, 2], 0);
    input.set(randomBytes(32), 2);
    input.set(digest, 34);
    input.set(id, 66);
    const sig = rsaSign('sha384', input, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });
    const token = new Uint8Array(TOKEN_BYTES);
    token.set(input, 0);
    token.set(sig, 98);
    return token;
  };
}

/**
 * What each anonymous action costs on the wire: the request frame sealed (+ the channel's overhead), and
 * beside it the same frame without the token (or with the proof of work that pays instead): what the
 * token adds.
 */
function sizes(add) {
  const token = new Uint8Array(TOKEN_BYTES);
  const pow = new Uint8Array(8);
  const post = '00mif4zl80000a1b2c3d4e5f6a';
  const pin = '0123456789abcdef0123456789abcdef';
  const letter = new Uint8Array(1024);
  const chanPost = new Uint8Array(1024);
  // EVT-10, EVT-11: an anonymous event as a host seals it: a one-time key, a mailbox for its answers.
  const start = Math.floor(Date.UTC(2026, 4, 1, 16) / 1000);
  const channelKey = anonEventsKey(SymmetricKey.generate());
  const event = { eid: randomBytes(16), title: 'Rent strike assembly', start, end: start + 7200, where: 'Hermannplatz, by the fountain', note: 'Bring a sign. Stewards in orange.' };
  const sealedEvent = sealAnonEvent(event, KeyPair.generate(), SymmetricKey.generate(), channelKey);
  const cap = deriveChannel(channelKey).cap;
  const actions = [
    ['vote', { post, voter: new Uint8Array(32), choice: 'down' }],
    ['pinPut', { cell: 'u33dc1r', kind: 'police', note: 'two vans', ttl: 7200 }],
    ['pinVote', { pin, vote: 'confirm', nullifier: new Uint8Array(32) }],
    ['chanPost', { cap, post: sealedEvent, expiresInDays: 1 }, 'anonymous event (chanPost, EVT-15)', { pow }],
    ['chanPost', { cap, post: chanPost, expiresInDays: 1 }, 'chanPost, 1 KiB post', { pow }],
    ['send', { to: 'bob', letter }, 'send, 1 KiB letter', { pow }],
  ];
  const sealed = (op, params) => encodeRequest(4_000_000, op, params).length + CHANNEL_OVERHEAD_BYTES;
  for (const [op, params, name = op, instead = {}] of actions) {
    const paid = sealed(op, { ...params, token });
    add(`wire: ${name}`, 'with token', paid, 'bytes sealed');
    add(`wire: ${name}`, instead.pow ? 'with proof of work instead' : 'without token', sealed(op, { ...params, ...instead }), 'bytes sealed');
  }
  add(`wire: tokens (${ISSUE_BATCH} requests)`, 'with token', sealed('tokens', { requests: Array.from({ length: ISSUE_BATCH }, () => new Uint8Array(259)) }), 'bytes sealed');
  add('wire: a token', 'with token', TOKEN_BYTES, 'bytes');
}

async function login(url, operatorKey, p) {
  const c = await OperatorConnection.open({ url, operatorKey });
  const at = Date.now();
  await c.request('auth', { name: p.name, at, sig: makeAuthProof(p.me.privateKey, { challenge: c.hello.challenge, operatorKey, name: p.name, at }) });
  return { c };
}

/** Runs `step(item, i)` in a loop on every item at once for `ms`; counts what the steps return. */
async function drive(items, step, ms) {
  const start = performance.now();
  let count = 0;
  await Promise.all(
    items.map(async (item, i) => {
      while (performance.now() - start < ms) {
        const n = await step(item, i); // not `count += await …`: that reads count before the await
        if (n === 0) break;
        count += n;
      }
    }),
  );
  return { count, ms: performance.now() - start };
}

const rate = (r) => (r.count * 1000) / r.ms;
const round = (v) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100);

function printTable(rows) {
  const setups = [...new Set(rows.filter((r) => !r.op.startsWith('wire:')).map((r) => r.setup))];
  const ops = [...new Set(rows.filter((r) => !r.op.startsWith('wire:')).map((r) => r.op))];
  const cell = (op, setup) => {
    const r = rows.find((x) => x.op === op && x.setup === setup);
    return r ? `${r.value} ${r.unit}` : 'n/a';
  };
  const table = (head, body) => {
    const lines = [head, ...body];
    const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
    for (const l of lines) console.log(l.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '));
    console.log('');
  };
  console.log(`tokens: issuance and redemption on the Operator, ${CLIENTS} connections per process, ${PHASE_MS} ms per phase`);
  table(['op', ...setups], ops.map((op) => [op, ...setups.map((s) => cell(op, s))]));
  console.log('tokens: each anonymous action on the wire (the sealed request frame, bytes)');
  const wire = rows.filter((r) => r.op.startsWith('wire:'));
  const kinds = [...new Set(wire.map((r) => r.setup))];
  table(['action', ...kinds], [...new Set(wire.map((r) => r.op))].map((op) => [op.slice(6), ...kinds.map((k) => String(wire.find((r) => r.op === op && r.setup === k)?.value ?? ''))]));
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ json: process.argv.includes('--json') });
