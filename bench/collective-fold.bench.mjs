// Folding a collective's log (COL-8): what a member pays to re-check a whole log of 10,000 events, through
// the BUILT @comrad/core (`npm run build` first). The baseline, measured in the same run on the same bytes,
// is decoding every event without verifying it or applying any rule (framing, strict msgpack, canonical
// check, SHA-256 id: `decodeEvent`). Also, on the same bytes: Themis `verify` alone, and the whole fold
// (`foldLog`: decode, chain, signature, rules).
//
// The log is a realistic mix, valid by construction (the fold must accept every event): a founding, then
// admissions until 1,000 members (a request, the vouches the constitution in force asks, an admission),
// then amendments passed by the votes they need, up to 10,000 events.
//
//   node bench/collective-fold.bench.mjs [--json] [--wasm]
//   --json: one line per figure: {"suite":"collective-fold","step","events","ms","usPerEvent","ratio","backend"}
//   --wasm: on the wasm backend (default: node)

import { pathToFileURL } from 'node:url';
import { KeyPair, ready, verify } from '@comrad/core';
import { decodeEvent, emptyCollective, eventId, foldLog, quorum, signEvent } from '@comrad/core/collective';

const EVENTS = 10_000;
const MEMBERS = 1_000;
const ROUNDS = 2;

/**
 * Runs the benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean, wasm?: boolean }} options
 */
export async function run({ json = false, wasm = false } = {}) {
  const backend = await ready({ backend: wasm ? 'wasm' : 'node' });
  const { log, keysOf } = buildLog();
  const rows = [];
  const time = (f) => {
    let best = Infinity;
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      f();
      best = Math.min(best, performance.now() - t);
    }
    return best;
  };
  const baseMs = time(() => {
    for (const e of log) decodeEvent(e);
  });
  const keys = log.map((e) => keysOf(decodeEvent(e).event.by));
  const verifyMs = time(() => {
    for (let i = 0; i < log.length; i++) verify(keys[i], log[i]);
  });
  let rejected = -1;
  const foldMs = time(() => {
    rejected = foldLog('portland', log, keysOf).rejected.length;
  });
  if (rejected !== 0) throw new Error(`the fold refused ${rejected} events of a log valid by construction`);
  for (const [step, ms] of [
    ['decode only (baseline)', baseMs],
    ['verify only', verifyMs],
    ['fold (decode + chain + verify + rules)', foldMs],
  ]) {
    rows.push({ suite: 'collective-fold', step, events: log.length, ms: r2(ms), usPerEvent: r2((ms * 1000) / log.length), ratio: r2(ms / baseMs), backend });
  }
  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else {
    console.log(`a log of ${log.length} events, ${MEMBERS} members at the end of the admissions; backend ${backend}; best of ${ROUNDS}`);
    console.log('step'.padEnd(42), 'ms'.padStart(10), 'µs/event'.padStart(10), 'ratio'.padStart(8));
    for (const r of rows) console.log(r.step.padEnd(42), String(r.ms).padStart(10), String(r.usPerEvent).padStart(10), String(r.ratio).padStart(8));
    console.log('ratio: time ÷ decoding the same events without verifying or folding them, same run.');
  }
  return rows;
}

/** The log: signed events built on the head they follow, valid by construction (no fold while building). */
function buildLog() {
  const keys = new Map();
  const keyOf = (name) => {
    let k = keys.get(name);
    if (!k) keys.set(name, (k = KeyPair.generate()));
    return k;
  };
  const rule = (permille, min, cap) => ({ permille, min, cap });
  let constitution = { admit: rule(100, 1, 5), amend: rule(500, 1, 100) };
  const name = (i) => `m${String(i).padStart(5, '0')}`;
  const log = [];
  let state = emptyCollective('portland');
  let at = 1_764_000_000;
  const append = (by, body) => {
    const event = { col: state.name, seq: state.seq, prev: state.head, by, at: at++, ...body };
    const signed = signEvent(event, keyOf(by).privateKey);
    log.push(signed);
    // Only the chain is tracked here; the rules hold by construction and the measured fold checks them.
    state = { ...state, seq: state.seq + 1, head: eventId(decodeEvent(signed).message) };
    return state.seq - 1;
  };
  append(name(0), { kind: 'found', constitution });
  let members = 1;
  while (members < MEMBERS && log.length < EVENTS) {
    const candidate = name(members);
    append(candidate, { kind: 'request' });
    const need = quorum(constitution.admit, members);
    for (let v = 0; v < need; v++) append(name(members - 1 - v), { kind: 'vouch', who: candidate });
    append(candidate, { kind: 'admit', who: candidate });
    members++;
  }
  let flip = 0;
  while (log.length < EVENTS) {
    const next = { admit: rule(100 + (flip++ % 2) * 50, 1, 5), amend: rule(500, 1, 100) };
    const proposal = append(name(0), { kind: 'propose', constitution: next });
    const need = quorum(constitution.amend, members);
    for (let v = 0; v < need && log.length < EVENTS; v++) append(name(v), { kind: 'vote', proposal, yes: true });
    if (log.length <= EVENTS) constitution = next;
  }
  const registry = new Map([...keys].map(([n, k]) => [n, k.publicKey]));
  return { log: log.slice(0, EVENTS), keysOf: (n) => registry.get(n) };
}

const r2 = (x) => Math.round(x * 100) / 100;

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run({ json: process.argv.includes('--json'), wasm: process.argv.includes('--wasm') });
