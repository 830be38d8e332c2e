// Decoding cost of adversarial msgpack (ENC-10): the worst frames found against Comrad's decoder, each
// timed against the densest legitimate map of the same size in the same run (the baseline, ratio 1).
// For reference, msgpackr's decoder as Comrad configured it before (the `old` column) on the same bytes,
// where it finishes within OLD_CAP_MS (a shared-reference bomb grows exponentially with its levels, so
// only small ones are run through it; larger ones are reported as "> cap").
//
//   node bench/decode.bench.mjs [--json]
//   --json: one line per figure: {"suite":"decode","frame","bytes","us","plainUs","ratio","oldUs"}

import { Unpackr } from 'msgpackr';
import { decode } from '@comrad/core';
import { deepNesting, extension, hugeDeclaredLength, manyKeys, plainMapOfSize, sharedReferenceBomb, timePerCall } from '@comrad/test-kit/adversarial-msgpack';

const FRAME_BYTES = 320 * 1024;
const OLD_CAP_MS = 2000;
const old = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'bigint' });

/** @param {{ json?: boolean }} options */
export async function run({ json = false } = {}) {
  const frames = [
    ['shared-reference bomb, 16 levels + 1 trailing byte', sharedReferenceBomb(16), true],
    ['shared-reference bomb, 18 levels + 1 trailing byte', sharedReferenceBomb(18), true],
    ['shared-reference bomb, 24 levels + 1 trailing byte', sharedReferenceBomb(24), false],
    ['map of 66,379 keys (a whole frame)', manyKeys(66_379), true],
    ['arrays nested 320 K deep', deepNesting(FRAME_BYTES - 1), true],
    ['array32 declaring 2^32-1 items', hugeDeclaredLength(0xdd, 2 ** 32 - 1, 1024), true],
    ['every extension type (fixext 16)', extension(0xd8, 0x70, 16), true],
    ['plain 320 KiB map + trailing bytes', new Uint8Array([...plainMapOfSize(FRAME_BYTES - 8), 0xc0]), true],
  ];
  const rows = [];
  for (const [frame, bytes, runOld] of frames) {
    const plain = plainMapOfSize(Math.max(bytes.length, 64));
    const plainMs = timePerCall(() => decode(plain, plain.length), 5);
    const ms = timePerCall(() => swallow(() => decode(bytes, FRAME_BYTES)), 5);
    let oldMs;
    if (runOld) {
      const start = performance.now();
      swallow(() => old.unpack(bytes));
      oldMs = performance.now() - start;
      if (oldMs < OLD_CAP_MS / 10) oldMs = timePerCall(() => swallow(() => old.unpack(bytes)), 3);
    }
    rows.push({ suite: 'decode', frame, bytes: bytes.length, us: r2(ms * 1000), plainUs: r2(plainMs * 1000), ratio: r2(ms / plainMs), oldUs: oldMs === undefined ? null : r2(oldMs * 1000) });
  }
  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else {
    console.log('frame'.padEnd(52), 'bytes'.padStart(8), 'comrad µs'.padStart(12), 'plain µs'.padStart(10), 'ratio'.padStart(7), 'msgpackr µs'.padStart(13));
    for (const r of rows) console.log(r.frame.padEnd(52), String(r.bytes).padStart(8), String(r.us).padStart(12), String(r.plainUs).padStart(10), String(r.ratio).padStart(7), (r.oldUs === null ? `> ${OLD_CAP_MS * 1000}` : String(r.oldUs)).padStart(13));
    console.log('ratio: Comrad decoding the frame ÷ Comrad decoding the densest plain map of the same size, same run.');
  }
  return rows;
}

function swallow(f) {
  try {
    f();
  } catch {
    // refused: expected
  }
}

const r2 = (x) => Math.round(x * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) await run({ json: process.argv.includes('--json') });
