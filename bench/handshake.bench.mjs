// What the signed greeting and the sealed channel (spec AUTH-7..AUTH-11) cost a connection, on loopback,
// measured against the handshake they replaced, in one run. Imports the BUILT packages (`npm run build`).
//
// - connect: time from `new WebSocket` to a greeting the client may act on, median of ROUNDS sequential
//   connections, interleaved so both rows share the machine's noise:
//     baseline: the old handshake's shape — a server that sends an unsigned `{push:'hello', v:1,
//       operatorKey, challenge}` on connection and a client that decodes it and compares the key;
//     signed:   the real Operator and the real client transport (`OperatorConnection.open`, pinned key):
//       client hello in the URL, greeting signed over it, session key unwrapped.
//   Both are one round trip (the upgrade); the difference is the public-key work on both ends (AUTH-11).
// - request: one `info` round trip on an open connection with the real pair, and the sealed channel's
//   own share of it: two Secure Cell seals and two opens of an `info`-sized frame (the old frame path had
//   no per-frame crypto; everything else in the round trip is unchanged).
//
//   node bench/handshake.bench.mjs [--json]
//   COMRAD_BENCH_ROUNDS: connections per row (default 200)

import WebSocket, { WebSocketServer } from 'ws';
import { KeyPair, SymmetricKey, randomBytes, ready, encode, decode } from '@comrad/core';
import { Channel, acceptGreeting, decodeGreeting, encodeRequest, makeGreeting } from '@comrad/core/wire';
import { openStore, operatorKeys, startOperator } from '@comrad/operator';
import { OperatorConnection } from '@comrad/client-node';

const ROUNDS = Number(process.env.COMRAD_BENCH_ROUNDS ?? 200);

/**
 * Runs the handshake benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 */
export async function run({ json = false } = {}) {
  await ready();
  const keys = operatorKeys(KeyPair.generate(), KeyPair.generate());
  const store = await openStore({ kind: 'memory' });
  const op = await startOperator({ store, keys, port: 0, heartbeatMs: 0, sweepIntervalMs: 0, limits: { requestsPerSecond: 1_000_000 } });
  const old = await startOldStyle(keys.operator.publicKey);
  const rows = [];
  try {
    const base = [];
    const signed = [];
    const sealedReq = [];
    // Warm-up: JIT, first key generation.
    for (let i = 0; i < 20; i++) {
      await oldConnect(old.url, keys.operator.publicKey).then((c) => c.close());
      await (await OperatorConnection.open({ url: op.url, operatorKey: keys.operator.publicKey })).closed();
    }
    const info = encodeRequest(2, 'info', {});
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      const c = await oldConnect(old.url, keys.operator.publicKey);
      base.push(performance.now() - t);
      c.close();
      t = performance.now();
      const conn = await OperatorConnection.open({ url: op.url, operatorKey: keys.operator.publicKey });
      signed.push(performance.now() - t);
      t = performance.now();
      await conn.request('info', {});
      sealedReq.push(performance.now() - t);
      await conn.closed();
    }
    const b = median(base);
    const s = median(signed);
    rows.push({ suite: 'handshake', op: 'connect (baseline: unsigned hello)', value: round(b), unit: 'ms' });
    rows.push({ suite: 'handshake', op: 'connect (signed greeting, sealed channel)', value: round(s), unit: 'ms' });
    rows.push({ suite: 'handshake', op: 'connect ratio signed / baseline', value: round(s / b), unit: '×' });
    rows.push({ suite: 'handshake', op: 'connect extra time per connection', value: round(s - b), unit: 'ms' });
    const g = greetingCrypto(keys);
    rows.push({ suite: 'handshake', op: 'of which greeting crypto (both ends, fresh keys)', value: round(g), unit: 'ms' });
    const sr = median(sealedReq);
    const ch = channelRoundTrip(info);
    rows.push({ suite: 'handshake', op: 'info round trip (real Operator, sealed)', value: round(sr), unit: 'ms' });
    rows.push({ suite: 'handshake', op: 'channel crypto per round trip (2 seals, 2 opens)', value: round(ch), unit: 'ms' });
    rows.push({ suite: 'handshake', op: 'channel share of the info round trip', value: round(ch / sr), unit: '×' });
  } finally {
    await op.close();
    await store.close();
    await old.close();
  }
  if (json) for (const r of rows) console.log(JSON.stringify(r));
  else for (const r of rows) console.log(`${r.op.padEnd(48)} ${String(r.value).padStart(9)} ${r.unit}`);
  return rows;
}

/** The old handshake's server side: an unsigned hello on connection. */
async function startOldStyle(operatorKey) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    ws.send(encode({ push: 'hello', v: 1, operatorKey: operatorKey.bytes(), challenge: randomBytes(32) }));
  });
  return {
    url: `ws://127.0.0.1:${wss.address().port}`,
    close: () => new Promise((resolve) => (wss.clients.forEach((c) => c.terminate()), wss.close(() => resolve()))),
  };
}

/** The old handshake's client side: connect, decode the hello, compare the key. */
function oldConnect(url, pinned) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('message', (d) => {
      const hello = decode(new Uint8Array(d), 4096);
      if (!pinned.equals(pinned.constructor.from(hello.operatorKey))) reject(new Error('key'));
      resolve({ close: () => ws.close() });
    });
  });
}

/**
 * Median time of the greeting's public-key work at both ends with fresh ephemeral keys, as on a real
 * connection: client key pair, Operator key pair + wrap + signature, client verification + unwrap (ms).
 */
function greetingCrypto(keys) {
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const eph = KeyPair.generate();
    const made = makeGreeting(keys.operator, keys.world.publicKey, eph.publicKey);
    acceptGreeting(decodeGreeting(made.frame), keys.operator.publicKey, eph);
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Median time of sealing and opening a request and an answer of `info`'s sizes (ms). */
function channelRoundTrip(request) {
  const key = SymmetricKey.generate();
  const client = new Channel(SymmetricKey.from(key.bytes()), 'client');
  const operator = new Channel(SymmetricKey.from(key.bytes()), 'operator');
  const answer = randomBytes(400);
  const times = [];
  for (let i = 0; i < ROUNDS * 5; i++) {
    const t = performance.now();
    operator.open(client.seal(request));
    client.open(operator.seal(answer));
    times.push(performance.now() - t);
  }
  return median(times);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function round(x) {
  return Math.round(x * 1000) / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ json: process.argv.includes('--json') });
