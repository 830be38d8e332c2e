// Proof of work (REG-6, MB-9, POW-*): how fast this machine solves, and so what a difficulty costs.
// Imports the BUILT packages (`npm run build` first).
//
// - hash rate of the solver's SHA-256 over a real registration input (~130 bytes): @noble/hashes (what
//   browsers get) and node:crypto (what `solvePow` uses on Node), in the same run, and their ratio;
// - solving itself: `solvePow` at 16 bits, SOLVES times over fresh challenges (mean and slowest), the
//   cost of `solvePowAsync`'s slices over the same searches (a ratio), and the
//   expected seconds at 16/18/20/22/24 bits from the measured rate (the number of tries is geometric:
//   the mean is 2^N, the unluckiest 1 % take 4.6x that).
//
//   node bench/pow.bench.mjs [--json]
//   --json: one line per figure: {"suite":"pow","op","impl","value","unit"}
//   COMRAD_BENCH_MS: length of each hash-rate phase (default 2000 ms)

import { createHash } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { KeyPair, randomBytes, ready } from '@comrad/core';
import { MAX_POW_BITS, leadingZeroBits, registerPowInput, solvePow, solvePowAsync } from '@comrad/core/wire';

const PHASE_MS = Number(process.env.COMRAD_BENCH_MS ?? 2000);
const SOLVES = 8;
const SOLVE_BITS = 16;
const TABLE_BITS = [16, 18, 20, 22, 24];
/** The Operator's default difficulty for `register` (packages/operator/src/limits.ts). */
const DEFAULT_REGISTER_BITS = 20;

/**
 * Runs the proof-of-work benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 */
export async function run({ json = false } = {}) {
  await ready();
  const rows = [];
  const add = (op, impl, value, unit) => rows.push({ suite: 'pow', op, impl, value: round(value), unit });
  const key = KeyPair.generate().publicKey;
  const input = registerPowInput(randomBytes(32), 'alice', key, new Uint8Array(8));

  const oneShot = nodeCrypto.hash;
  const impls = [
    ['noble', (d) => sha256(d)],
    ['node:createHash', (d) => createHash('sha256').update(d).digest()],
    ...(typeof oneShot === 'function' ? [['node:hash', (d) => oneShot('sha256', d, 'buffer')]] : []),
  ];
  const rates = {};
  for (const [name, hash] of impls) {
    rates[name] = hashRate(input, hash);
    add('sha256 of a pow input', name, rates[name] / 1e6, 'M hashes/s');
  }
  const native = rates['node:hash'] ?? rates['node:createHash'];
  add('node solver vs noble', 'ratio', native / rates['noble'], 'x');

  const times = [];
  let asyncMs = 0;
  for (let i = 0; i < SOLVES; i++) {
    const challenge = randomBytes(32);
    const make = (n) => registerPowInput(challenge, 'alice', key, n);
    const t0 = performance.now();
    solvePow(make, SOLVE_BITS);
    times.push(performance.now() - t0);
    // POW-3: the same search in slices (the same nonce, so the same number of hashes): the ratio is
    // what letting the event loop run between slices costs.
    const t1 = performance.now();
    await solvePowAsync(make, SOLVE_BITS);
    asyncMs += performance.now() - t1;
  }
  add(`solvePow ${SOLVE_BITS} bits, mean of ${SOLVES}`, 'node', mean(times), 'ms');
  add(`solvePow ${SOLVE_BITS} bits, slowest of ${SOLVES}`, 'node', Math.max(...times), 'ms');
  add(`solvePow ${SOLVE_BITS} bits, expected from the rate`, 'node', (2 ** SOLVE_BITS / native) * 1000, 'ms');
  add(`solvePowAsync vs solvePow, same ${SOLVES} searches`, 'ratio', asyncMs / times.reduce((a, b) => a + b, 0), 'x');

  for (const bits of TABLE_BITS.filter((b) => b <= MAX_POW_BITS)) {
    const mark = bits === DEFAULT_REGISTER_BITS ? ' (register default)' : '';
    add(`expected solve ${bits} bits${mark}`, 'node', 2 ** bits / native, 's');
    add(`expected solve ${bits} bits${mark}`, 'noble', 2 ** bits / rates['noble'], 's');
  }
  add(`names per core-hour at ${DEFAULT_REGISTER_BITS} bits`, 'node', (3600 * native) / 2 ** DEFAULT_REGISTER_BITS, 'names');

  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else printTable(rows);
  return rows;
}

/** Hashes per second of `hash` over `input` with its last 8 bytes counting, as the solver does. */
function hashRate(input, hash) {
  const buf = input.slice();
  const view = new DataView(buf.buffer, buf.byteOffset + buf.length - 8, 8);
  let n = 0;
  let sink = 0;
  const warm = performance.now() + Math.min(500, PHASE_MS / 4);
  while (performance.now() < warm) sink += leadingZeroBits(hash(buf));
  const start = performance.now();
  const end = start + PHASE_MS;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) {
      view.setBigUint64(0, BigInt(n++));
      sink += leadingZeroBits(hash(buf));
    }
  }
  if (sink < 0) console.log(sink);
  return n / ((performance.now() - start) / 1000);
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x) => (Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 1000) / 1000);

function printTable(rows) {
  const w = Math.max(...rows.map((r) => r.op.length));
  for (const r of rows) console.log(`${r.op.padEnd(w)}  ${r.impl.padEnd(16)}  ${String(r.value).padStart(10)} ${r.unit}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ json: process.argv.includes('--json') });
