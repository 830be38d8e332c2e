// Comrad over Tor, measured in one run on a private Tor network on 127.0.0.1 (@comrad/test-kit/tornet):
// - network-bootstrap: first tor launched → the network's client tor at 100 %;
// - operator-start: `comrad-op --onion-only` launched → onion address printed (its own tor bootstrapped);
// - first-request: a new client's first answer over the onion (Comrade.connect: connect + `info`), right
//   after the Operator printed its address (includes waiting for the descriptor, TR-7);
// - request: one `info` round trip on an open connection;
// - send: a letter to oneself on a fresh anonymous connection (over Tor: a fresh circuit, TR-3);
// - fetch-ack: the inbox (fetch → verify → store → ack → fetch again, empty);
// - round-trip: send + fetch-ack.
// The latency figures (ROUNDS each, after two warm-up rounds) are given for the onion ("tor") and for the
// same Operator's loopback port ("direct"). Uses the BUILT @comrad/client-node and comrad-op (`npm run build`
// first); needs the Debian package `tor`. Takes ~40 s, so `bench/run.mjs` runs it only with `--tor`.
//
//   node bench/tor.bench.mjs [--json]
//   --json: one line per figure: {"suite":"tor","op","path":"tor"|"direct","ms"}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fromHex, PublicKey } from '@comrad/core';
import { Comrade, OperatorConnection } from '@comrad/client-node';
import { startTorNetwork } from '@comrad/test-kit/tornet';
import { letterRoundTrips, percentile, requireBuild, startOnionOperator } from '@comrad/test-kit/comrad-on-tor';

/** Timed rounds per latency figure and path. */
const ROUNDS = 30;
const PASSPHRASE = 'bench passphrase, long enough';

/**
 * Runs the Tor benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 * @returns {Promise<Array<{ suite: 'tor', op: string, path: 'tor' | 'direct', ms: number }>>}
 */
export async function run({ json = false } = {}) {
  requireBuild();
  const say = (m) => process.stderr.write(`[tor bench] ${m}\n`);
  const work = await mkdtemp(join(tmpdir(), 'comrad-bench-tor-'));
  const rows = [];
  const add = (op, path, ms) => rows.push({ suite: 'tor', op, path, ms: Math.round(ms * 10) / 10 });
  let net;
  let operator;
  try {
    // Every port chosen free at run time: the tor tests may run at the same time.
    let t = performance.now();
    say('starting the private Tor network…');
    net = await startTorNetwork({ dir: join(work, 'net') });
    add('network-bootstrap', 'tor', performance.now() - t);
    const proxy = `socks5h://127.0.0.1:${net.socksPort}`;
    const torConfigFile = join(work, 'network.torrc');
    await writeFile(torConfigFile, net.extraTorrc);

    say('starting comrad-op --onion-only…');
    operator = await startOnionOperator({ dataDir: join(work, 'operator'), torConfigFile });
    add('operator-start', 'tor', operator.startMs);
    const key = PublicKey.from(fromHex(operator.operatorKey));
    const home = join(work, 'home');

    say('first request over the onion…');
    t = performance.now();
    const viaTor = await Comrade.connect({ home, operator: { name: 'onion', url: operator.url, key }, proxy, connectTimeoutMs: 90_000 });
    add('first-request', 'tor', performance.now() - t);
    const paths = [
      ['tor', viaTor, { url: operator.url, proxy }],
      ['direct', undefined, { url: `ws://127.0.0.1:${operator.targetPort}` }],
    ];
    let registered = false;
    for (const [path, connected, target] of paths) {
      say(`${ROUNDS} rounds ${path}…`);
      const comrade = connected ?? (await Comrade.connect({ home, operator: { name: path, url: target.url, key } }));
      try {
        if (registered) await comrade.login(PASSPHRASE);
        else await comrade.register('bench', PASSPHRASE);
        registered = true;
        const requests = await requestRoundTrips({ ...target, connectTimeoutMs: 90_000 }, ROUNDS);
        const loop = await letterRoundTrips(comrade, ROUNDS);
        for (const [op, xs] of [['request', requests], ['send', loop.send], ['fetch-ack', loop.inbox], ['round-trip', loop.total]]) {
          add(`${op}.median`, path, percentile(xs, 50));
          add(`${op}.p90`, path, percentile(xs, 90));
        }
      } finally {
        await comrade.close();
      }
    }
  } finally {
    await operator?.stop();
    await net?.stop();
    await rm(work, { recursive: true, force: true });
  }
  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else printTable(rows);
  return rows;
}

/** `info` round trips on one open connection (after one warm-up), 50 ms apart (under the rate limit), in ms. */
async function requestRoundTrips(options, n) {
  const conn = await OperatorConnection.open(options);
  try {
    await conn.request('info', {});
    const out = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await conn.request('info', {});
      out.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
    return out;
  } finally {
    await conn.closed();
  }
}

function printTable(rows) {
  const get = (op, path) => rows.find((r) => r.op === op && r.path === path)?.ms;
  const f = (x) => (x === undefined ? '' : x.toFixed(1));
  console.log('Comrad over Tor (private network on 127.0.0.1), ms');
  for (const op of ['network-bootstrap', 'operator-start', 'first-request']) console.log(`  ${op.padEnd(18)} ${f(get(op, 'tor')).padStart(9)}`);
  console.log(`\n  ${'op'.padEnd(12)} ${'tor p50'.padStart(9)} ${'tor p90'.padStart(9)} ${'direct p50'.padStart(11)} ${'direct p90'.padStart(11)} ${'tor/direct'.padStart(11)}`);
  for (const op of ['request', 'send', 'fetch-ack', 'round-trip']) {
    const [t50, t90, d50, d90] = [get(`${op}.median`, 'tor'), get(`${op}.p90`, 'tor'), get(`${op}.median`, 'direct'), get(`${op}.p90`, 'direct')];
    const ratio = t50 !== undefined && d50 ? `× ${(t50 / d50).toFixed(0)}` : '';
    console.log(`  ${op.padEnd(12)} ${f(t50).padStart(9)} ${f(t90).padStart(9)} ${f(d50).padStart(11)} ${f(d90).padStart(11)} ${ratio.padStart(11)}`);
  }
  console.log(`  (${ROUNDS} rounds per figure; send opens a fresh connection, over Tor a fresh circuit)`);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  await run({ json: process.argv.includes('--json') });
}
