// A message to a collective of N members (N = 10, 100, 1000), the two designs of issue 13, through the
// BUILT @comrad/core (`npm run build` first), time and bytes the author computes and uploads:
//
// - letters: one sealed letter per member (SEAL-*: signed once per letter, sealed to each member's key,
//   padded), as `comrad send` makes them; no shared key, so a departed member simply gets no more letters.
// - key:     one post sealed once under a collective message key (the construction of a world post,
//   FEED-3: signed, padded, Secure Cell), plus, on every membership change, the new key sealed to each
//   member (the construction of a world epoch key, FEED-2: `encryptFor`), so a departed member cannot read
//   what comes after. Its cost per message is the post; the rotation is paid per membership change.
// - as built (COL-28..COL-32): the message as `comrad collective post` seals it (`sealMessage`), and the
//   rotation as it is appended: ⌈N/14⌉ signed `key` events, each sealed into a log entry (COL-24).
//
// The baseline, measured in the same run: one sealed letter to one member. Ratios are time ÷ baseline.
//
//   node bench/collective-message.bench.mjs [--json]
//   --json: one line per figure: {"suite":"collective-message","design","step","members","ms","bytes","ratio","backend"}

import { pathToFileURL } from 'node:url';
import { KeyPair, SymmetricKey, encryptFor, ready } from '@comrad/core';
import { createLetter, sealLetter, sealPost, signStatement } from '@comrad/core/envelope';
import { createCollectivePost, emptyCollective, newCollectiveKeys, nextEvent, nextKeyEvent, sealEntry, sealMessage, signEvent } from '@comrad/core/collective';

const SIZES = [10, 100, 1000];
const TEXT = 'General assembly on Thursday at 7pm, the union hall on Burnside. Bring a neighbour. ✊'.repeat(2);
const ROUNDS = 2;

/**
 * Runs the benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 */
export async function run({ json = false } = {}) {
  const backend = await ready({ backend: 'node' });
  const operator = KeyPair.generate();
  const author = KeyPair.generate();
  const statement = signStatement(operator.privateKey, 'alice', author.publicKey, 1_764_000_000_000);
  const members = Array.from({ length: Math.max(...SIZES) }, () => KeyPair.generate().publicKey);
  const best = (f) => {
    let ms = Infinity;
    let out;
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      out = f();
      ms = Math.min(ms, performance.now() - t);
    }
    return { ms, bytes: out };
  };
  const letters = (n, to = members) => {
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const letter = createLetter({ kind: 'dm', from: 'alice', to: `member${i}`, body: { text: TEXT }, at: 1_764_000_000 });
      bytes += sealLetter(letter, author, to[i], statement).length;
    }
    return bytes;
  };
  const post = () => sealPost(createLetter({ kind: 'post', from: 'alice', body: { text: TEXT }, at: 1_764_000_000 }), author, SymmetricKey.generate(), 20_416).length;
  const rotate = (n) => {
    const key = SymmetricKey.generate().bytes();
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += encryptFor(author.privateKey, members[i], key).length;
    return bytes;
  };
  // As built: the message, and the rotation's key events sealed into log entries, for N members named m0….
  const names = Array.from({ length: Math.max(...SIZES) }, (_, i) => `member${String(i).padStart(4, '0')}`);
  const keyOf = new Map(names.map((n, i) => [n, members[i]]));
  const colKeys = newCollectiveKeys('portland');
  const me = { name: names[0], keys: author };
  const builtPost = () => sealMessage(createCollectivePost({ col: 'portland', epoch: 7, by: 'member0000', body: { text: TEXT }, at: 1_764_000_000 }), author, SymmetricKey.generate()).length;
  const builtRotate = (n) => {
    const key = SymmetricKey.generate();
    let state = { ...emptyCollective('portland'), seq: 7, members: new Set(names.slice(0, n)), holders: new Set(), owed: new Set(), epoch: 0 };
    let bytes = 0;
    for (let body = nextKeyEvent(state, me, key, (x) => keyOf.get(x), false); body; body = nextKeyEvent(state, me, key, (x) => keyOf.get(x), true)) {
      bytes += sealEntry(colKeys, signEvent(nextEvent(state, me.name, 1_764_000_000, body), author.privateKey)).length;
      // What the fold does with it (COL-29), enough to ask for the next chunk.
      const given = body.keys.map((k) => k.who);
      const holders = new Set([...state.holders, ...given, me.name]);
      state = { ...state, seq: state.seq + 1, epoch: body.epoch, holders, owed: new Set([...state.members].filter((m) => !holders.has(m))) };
    }
    return bytes;
  };
  // Warm up every path first (JIT, the backend's first ECDH), so the baseline is not the cold start.
  // The baseline seals to keys used nowhere else, as each member's key is used once per message.
  letters(20, Array.from({ length: 20 }, () => KeyPair.generate().publicKey)), post(), rotate(20), builtPost(), builtRotate(20);
  const base = best(() => letters(1, [KeyPair.generate().publicKey]));
  const rows = [];
  const row = (design, step, n, m) => rows.push({ suite: 'collective-message', design, step, members: n, ms: r2(m.ms), bytes: m.bytes, ratio: r2(m.ms / base.ms), backend });
  row('baseline', 'one sealed letter to one member', 1, base);
  for (const n of SIZES) {
    row('letters', 'post: a sealed letter to each member', n, best(() => letters(n)));
    row('key', 'post: one post under the collective key', n, best(post));
    row('key', 'rotate: the new key sealed to each member (per membership change)', n, best(() => rotate(n)));
    row('built', 'post: sealMessage, as `comrad collective post` (COL-32)', n, best(builtPost));
    row('built', 'rotate: the key events as log entries (COL-28, COL-24)', n, best(() => builtRotate(n)));
  }
  if (json) for (const r of rows) console.log(JSON.stringify(r));
  else {
    console.log(`a message of ${TEXT.length} characters to a collective of N members; backend ${backend}; best of ${ROUNDS}`);
    console.log('design'.padEnd(9), 'step'.padEnd(68), 'N'.padStart(5), 'ms'.padStart(10), 'bytes'.padStart(10), 'ratio'.padStart(8));
    for (const r of rows) console.log(r.design.padEnd(9), r.step.padEnd(68), String(r.members).padStart(5), String(r.ms).padStart(10), String(r.bytes).padStart(10), String(r.ratio).padStart(8));
    console.log('ratio: time ÷ one sealed letter to one member, same run. Bytes: what the author uploads.');
  }
  return rows;
}

const r2 = (x) => Math.round(x * 100) / 100;

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run({ json: process.argv.includes('--json') });
