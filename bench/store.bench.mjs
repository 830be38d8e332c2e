// Store throughput: put, list and ack of sealed letters per backend (memory is the baseline), plus one
// letter's full round trip (put → list → ack, one at a time). Imports the BUILT @comrad/operator
// (`npm run build` first). Starts its own redis-server on loopback (@comrad/test-kit/redis-server) and an LMDB store
// in a temp directory; both are removed afterwards.
//
//   node bench/store.bench.mjs [--json]
//   --json: one line per figure: {"suite":"store","op","backend","n","us"}  (us = µs per letter)

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { mailKey, openStore, randomPart } from '@comrad/operator';
import { startRedisServer } from '@comrad/test-kit/redis-server';

/** Letters per backend for the bulk phases, spread over MAILBOXES mailboxes. */
const LETTERS = 6000;
const MAILBOXES = 60;
/** Requests in flight at once, as from many connected clients. */
const CONCURRENCY = 64;
/** A typical small sealed letter (a short text message after padding). */
const LETTER_BYTES = 1024;
/** Sequential put → list → ack round trips. */
const ROUND_TRIPS = 300;
const QUOTA = { maxItems: 100_000, maxBytes: 2 ** 40 };
const DAY = 86_400_000;

/**
 * Runs the store benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 * @returns {Promise<Array<{ suite: 'store', op: string, backend: string, n: number, us: number }>>}
 */
export async function run({ json = false } = {}) {
  const redis = await startRedisServer();
  const dir = await mkdtemp(join(tmpdir(), 'comrad-bench-lmdb-'));
  const rows = [];
  try {
    const backends = [
      ['memory', { kind: 'memory' }],
      ['lmdb', { kind: 'lmdb', path: dir }],
      ['redis', { kind: 'redis', url: redis.url, prefix: 'bench:' }],
    ];
    for (const [backend, options] of backends) {
      const store = await openStore(options);
      try {
        for (const [op, n, us] of await measure(store)) rows.push({ suite: 'store', op, backend, n, us: Math.round(us * 100) / 100 });
      } finally {
        await store.close();
      }
    }
  } finally {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else printTable(rows);
  return rows;
}

/** A letter as the Operator's policy appends it: its dedupe key (MB-11) and a fresh id nonce, computed here as there. */
function mail(sealed, now) {
  return { sealed, receivedAt: now, expiresAt: now + DAY, key: mailKey(sealed), nonce: randomPart() };
}

/** The figures of one store: [op, letters, µs per letter]. */
async function measure(store) {
  const now = Date.now();
  // Distinct letters: a mailbox holds identical sealed bytes once (MB-11), as sealing always makes them distinct.
  const letters = Array.from({ length: Math.max(LETTERS, ROUND_TRIPS) }, () => new Uint8Array(randomBytes(LETTER_BYTES)));
  const boxes = Array.from({ length: MAILBOXES }, (_, i) => `bench_${i}`);
  const out = [];

  // Warm-up (JIT, connection, LMDB map growth), not measured.
  for (let i = 0; i < 200; i++) await store.appendMail('bench_warm', mail(letters[i], now), QUOTA);
  await store.deleteMail('bench_warm', (await store.listMail('bench_warm', now, 1000)).map((m) => m.id));

  let t = performance.now();
  await pool(LETTERS, (i) => store.appendMail(boxes[i % MAILBOXES], mail(letters[i], now), QUOTA));
  out.push(['put', LETTERS, ((performance.now() - t) * 1000) / LETTERS]);

  t = performance.now();
  const listed = await Promise.all(boxes.map((to) => store.listMail(to, now, 1000)));
  const count = listed.reduce((n, items) => n + items.length, 0);
  if (count !== LETTERS) throw new Error(`listed ${count} of ${LETTERS} letters`);
  out.push(['list', count, ((performance.now() - t) * 1000) / count]);

  t = performance.now();
  const acks = boxes.flatMap((to, b) => chunks(listed[b].map((m) => m.id), 50).map((ids) => [to, ids]));
  let acked = 0;
  await pool(acks.length, async (i) => {
    const gone = await store.deleteMail(acks[i][0], acks[i][1]);
    acked += gone; // after the await: `acked += await …` would read `acked` before it
  });
  if (acked !== LETTERS) throw new Error(`acked ${acked} of ${LETTERS} letters`);
  out.push(['ack', LETTERS, ((performance.now() - t) * 1000) / LETTERS]);

  t = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) {
    await store.appendMail('bench_rt', mail(letters[i], now), QUOTA);
    const [item] = await store.listMail('bench_rt', now, 1);
    await store.deleteMail('bench_rt', [item.id]);
  }
  out.push(['put+list+ack', ROUND_TRIPS, ((performance.now() - t) * 1000) / ROUND_TRIPS]);
  return out;
}

/** Runs task(0..n-1) with CONCURRENCY in flight. */
async function pool(n, task) {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, worker));
}

function chunks(list, size) {
  const out = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function printTable(rows) {
  const base = new Map(rows.filter((r) => r.backend === 'memory').map((r) => [r.op, r.us]));
  const lines = [['op', 'backend', 'letters', 'µs/letter', 'letters/s', '× memory']];
  for (const r of rows) {
    const ratio = r.backend === 'memory' ? '1' : (r.us / base.get(r.op)).toFixed(1);
    lines.push([r.op, r.backend, String(r.n), r.us.toFixed(2), String(Math.round(1e6 / r.us)), ratio]);
  }
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  console.log(`store: ${LETTER_BYTES}-byte letters, ${MAILBOXES} mailboxes, ${CONCURRENCY} requests in flight (round trip: one at a time)`);
  for (const l of lines) console.log(l.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run({ json: process.argv.includes('--json') });
}
