// Crypto cost per operation: the `wasm` backend (wasm-themis), the `node` backend (Themis framing over
// node:crypto), both through the public API of the BUILT @comrad/core (`npm run build` first), and the
// `baseline`: bare node:crypto primitives doing the same cryptographic work with cached KeyObjects and
// no framing. Ratios: wasm/node (what the node backend saves) and node/baseline (what the framing and
// the API cost on top of OpenSSL).
//
//   node bench/crypto.bench.mjs [--json]
//   --json: one line per figure: {"suite":"crypto","op","backend","bytes","us"}  (us = µs per operation)
//   COMRAD_BENCH_MS=800: time per measured cell (each op × size × backend), default 800 ms
//
// Ops: keypair; sign / verify (Secure Message sign mode); encrypt / decrypt (Secure Message encrypt mode
// between two static key pairs, as with a world key: the node backend reuses the ECDH secret, the
// baseline too); encrypt-ephemeral / decrypt-ephemeral (a letter: a fresh key pair per message, the
// recipient parses the sender's public key from bytes); cell-seal / cell-open (Secure Cell, with context);
// letter-seal / letter-open (a whole sealed direct letter of 1000 characters through @comrad/core's
// envelope: sign, pad, fresh key pair, encrypt / decrypt, unpad, verify; the baseline does only the
// crypto of it, so its node/baseline ratio includes the envelope's own encoding work).

import * as nc from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { cellOpen, cellSeal, createLetter, decryptFrom, encodeLetter, encryptFor, KeyPair, openSealedLetter, PublicKey, ready, sealLetter, sign, signStatement, SymmetricKey, verify } from '@comrad/core';

/** Payload sizes: a short letter and a long one. */
const SIZES = [1024, 16 * 1024];
/**
 * Time per measured cell, split into ROUNDS rounds interleaved across the three backends. The fastest
 * round is kept: on a shared machine the noise only ever adds time, and interleaving gives each backend
 * the same chances.
 */
const CELL_MS = Number(process.env.COMRAD_BENCH_MS ?? 800);
const ROUNDS = 8;
const BACKENDS = ['wasm', 'node', 'baseline'];
const CONTEXT = new TextEncoder().encode('comrad/world/epoch/42');

/**
 * Runs the crypto benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 * @returns {Promise<Array<{ suite: 'crypto', op: string, backend: string, bytes: number, us: number }>>}
 */
export async function run({ json = false } = {}) {
  const rows = [];
  const fixtures = {};
  for (const backend of ['wasm', 'node']) {
    await ready({ backend });
    fixtures[backend] = { ...Object.assign({}, ...SIZES.map((bytes) => apiOps(bytes))), ...letterOps() };
  }
  fixtures.baseline = { ...Object.assign({}, ...SIZES.map((bytes) => baselineOps(bytes))), ...baselineLetterOps() };
  const plan = Object.keys(fixtures.node).sort(byPlan);
  for (const key of plan) {
    const [op, bytes] = key.split('@');
    const timings = Object.fromEntries(BACKENDS.map((b) => [b, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const backend of BACKENDS) {
        if (backend !== 'baseline') await ready({ backend });
        timings[backend].push(await measure(fixtures[backend][key], CELL_MS / ROUNDS, round === 0));
      }
    }
    for (const backend of BACKENDS) rows.push({ suite: 'crypto', op, backend, bytes: Number(bytes), us: round2(Math.min(...timings[backend])) });
  }
  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else printTable(rows);
  return rows;
}

const OPS = ['keypair', 'sign', 'verify', 'encrypt', 'decrypt', 'encrypt-ephemeral', 'decrypt-ephemeral', 'cell-seal', 'cell-open', 'letter-seal', 'letter-open'];
/** Table order: by size (the key pair first, letters last), then in the order of OPS. */
function byPlan(a, b) {
  const [opA, bytesA] = a.split('@');
  const [opB, bytesB] = b.split('@');
  const rank = (op, bytes) => (op === 'keypair' ? -1 : op.startsWith('letter') ? 1e9 : Number(bytes));
  return rank(opA, bytesA) - rank(opB, bytesB) || OPS.indexOf(opA) - OPS.indexOf(opB);
}

/** A direct letter of 1000 characters (LIM-1), as the envelope seals and opens it. */
function letterOps() {
  const operator = KeyPair.generate();
  const alice = KeyPair.generate();
  const bob = { name: 'bob', keys: KeyPair.generate() };
  const statement = signStatement(operator.privateKey, 'alice', alice.publicKey, Date.now());
  const letter = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'x'.repeat(1000) } });
  const sealed = sealLetter(letter, alice, bob.keys.publicKey, statement);
  return {
    [`letter-seal@${sealed.length}`]: () => sealLetter(letter, alice, bob.keys.publicKey, statement),
    [`letter-open@${sealed.length}`]: () => openSealedLetter(sealed, bob, operator.publicKey),
  };
}

/** The crypto of one such letter with bare node:crypto: what letterOps costs without the envelope. */
function baselineLetterOps() {
  const letter = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'x'.repeat(1000) } });
  const encoded = encodeLetter(letter);
  const alice = nc.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  // Opening also verifies the Operator's statement about the sender (SEAL-5 step 7): one more ECDSA verify.
  const operator = nc.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const statement = nc.randomBytes(90);
  const statementSignature = nc.sign('sha256', statement, operator.privateKey);
  const bob = nc.createECDH('prime256v1');
  bob.generateKeys();
  const bobPublic = bob.getPublicKey(null, 'compressed');
  // The same byte counts as the real thing: sealed = 1 + 45 + 8 + 44 + padded.
  const sealedLength = Object.keys(letterOps())[0].split('@')[1];
  const padded = nc.randomBytes(Number(sealedLength) - 1 - 45 - 8 - 44);
  const signature = nc.sign('sha256', encoded, alice.privateKey);
  const ephemeral = nc.createECDH('prime256v1');
  ephemeral.generateKeys();
  const box = seal(ephemeral.computeSecret(bobPublic), padded, new Uint8Array(0));
  const ephemeralKey = ephemeral.getPublicKey(null, 'compressed');
  return {
    [`letter-seal@${sealedLength}`]: () => {
      nc.sign('sha256', encoded, alice.privateKey);
      const pair = nc.createECDH('prime256v1');
      pair.generateKeys();
      return [pair.getPublicKey(null, 'compressed'), seal(pair.computeSecret(bobPublic), padded, new Uint8Array(0))];
    },
    [`letter-open@${sealedLength}`]: () => {
      open(bob.computeSecret(ephemeralKey), box, new Uint8Array(0));
      if (!nc.verify('sha256', statement, operator.publicKey, statementSignature)) throw new Error('baseline verify failed');
      if (!nc.verify('sha256', encoded, alice.publicKey, signature)) throw new Error('baseline verify failed');
    },
  };
}

/** The operations through the public API, on whichever backend is active when they run. */
function apiOps(bytes) {
  const message = nc.randomBytes(bytes);
  const alice = KeyPair.generate();
  const bob = KeyPair.generate();
  const signed = sign(alice.privateKey, message);
  const box = encryptFor(alice.privateKey, bob.publicKey, message);
  const ephemeral = KeyPair.generate();
  const letter = { key: ephemeral.publicKey.bytes(), box: encryptFor(ephemeral.privateKey, bob.publicKey, message) };
  const key = SymmetricKey.generate();
  const cell = cellSeal(key, message, CONTEXT);
  return keyed(bytes, {
    keypair: () => KeyPair.generate(),
    sign: () => sign(alice.privateKey, message),
    verify: () => verify(alice.publicKey, signed),
    encrypt: () => encryptFor(alice.privateKey, bob.publicKey, message),
    decrypt: () => decryptFrom(bob.privateKey, alice.publicKey, box),
    'encrypt-ephemeral': () => {
      const pair = KeyPair.generate();
      const out = encryptFor(pair.privateKey, bob.publicKey, message);
      pair.privateKey.wipe();
      return [pair.publicKey.raw, out];
    },
    'decrypt-ephemeral': () => decryptFrom(bob.privateKey, PublicKey.from(letter.key), letter.box),
    'cell-seal': () => cellSeal(key, message, CONTEXT),
    'cell-open': () => cellOpen(key, cell, CONTEXT),
  });
}

/** The same cryptographic work with bare node:crypto: no Themis framing, KeyObjects made once. */
function baselineOps(bytes) {
  const message = nc.randomBytes(bytes);
  const alice = nc.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  // Opening also verifies the Operator's statement about the sender (SEAL-5 step 7): one more ECDSA verify.
  const operator = nc.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const statement = nc.randomBytes(90);
  const statementSignature = nc.sign('sha256', statement, operator.privateKey);
  const bob = nc.createECDH('prime256v1');
  bob.generateKeys();
  const bobPublic = bob.getPublicKey(null, 'compressed');
  const signature = nc.sign('sha256', message, alice.privateKey);
  const secret = nc.randomBytes(32); // an ECDH secret computed once, as a static pair allows
  const sealed = seal(secret, message, new Uint8Array(0));
  const ephemeral = nc.createECDH('prime256v1');
  ephemeral.generateKeys();
  const letter = { key: ephemeral.getPublicKey(null, 'compressed'), box: seal(ephemeral.computeSecret(bobPublic), message, new Uint8Array(0)) };
  const master = nc.randomBytes(32);
  const cell = seal(master, message, CONTEXT);
  return keyed(bytes, {
    keypair: () => nc.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
    sign: () => nc.sign('sha256', message, alice.privateKey),
    verify: () => {
      if (!nc.verify('sha256', message, alice.publicKey, signature)) throw new Error('baseline verify failed');
    },
    encrypt: () => seal(secret, message, new Uint8Array(0)),
    decrypt: () => open(secret, sealed, new Uint8Array(0)),
    'encrypt-ephemeral': () => {
      const pair = nc.createECDH('prime256v1');
      pair.generateKeys();
      return [pair.getPublicKey(null, 'compressed'), seal(pair.computeSecret(bobPublic), message, new Uint8Array(0))];
    },
    'decrypt-ephemeral': () => open(bob.computeSecret(letter.key), letter.box, new Uint8Array(0)),
    'cell-seal': () => seal(master, message, CONTEXT),
    'cell-open': () => open(master, cell, CONTEXT),
  });
}

/** `op@bytes` keys; the key pair does not depend on the size and is measured once, as `keypair@0`. */
function keyed(bytes, ops) {
  return Object.fromEntries(
    Object.entries(ops)
      .filter(([op]) => op !== 'keypair' || bytes === SIZES[0])
      .map(([op, fn]) => [`${op}@${op === 'keypair' ? 0 : bytes}`, fn]),
  );
}

const KDF_LABEL = Buffer.concat([Buffer.of(0, 0, 0, 1), Buffer.from('Themis secure cell message key'), Buffer.of(0)]);

/** HMAC-SHA256 key derivation and AES-256-GCM, as a Secure Cell needs them. */
function seal(master, message, context) {
  const iv = nc.randomBytes(12);
  const cipher = nc.createCipheriv('aes-256-gcm', kdf(master, message.length, context), iv);
  if (context.length > 0) cipher.setAAD(context);
  const ciphertext = cipher.update(message);
  cipher.final();
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function open(master, { iv, tag, ciphertext }, context) {
  const decipher = nc.createDecipheriv('aes-256-gcm', kdf(master, ciphertext.length, context), iv);
  decipher.setAuthTag(tag);
  if (context.length > 0) decipher.setAAD(context);
  const plaintext = decipher.update(ciphertext);
  decipher.final();
  return plaintext;
}

function kdf(master, length, context) {
  const n = Buffer.alloc(4);
  n.writeUInt32LE(length);
  return nc.createHmac('sha256', master).update(KDF_LABEL).update(n).update(context).digest();
}

/**
 * Mean µs per call of `fn` over at least `ms` milliseconds, after a warm-up on the first round. Calls
 * that return a promise (opening a sealed letter) are awaited one after another.
 */
async function measure(fn, ms, warmUp) {
  const first = fn();
  const isAsync = first instanceof Promise;
  if (isAsync) await first;
  if (warmUp) {
    const until = performance.now() + Math.min(100, ms);
    while (performance.now() < until) await fn();
  }
  let calls = 0;
  let batch = 1;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    if (isAsync) for (let i = 0; i < batch; i++) await fn();
    else for (let i = 0; i < batch; i++) fn();
    calls += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return (elapsed * 1000) / calls;
}

const round2 = (x) => Math.round(x * 100) / 100;

function printTable(rows) {
  const at = (op, bytes, backend) => rows.find((r) => r.op === op && r.bytes === bytes && r.backend === backend)?.us;
  const lines = [['op', 'bytes', 'wasm µs', 'node µs', 'baseline µs', 'wasm/node', 'node/baseline']];
  for (const r of rows.filter((row) => row.backend === 'node')) {
    const [w, n, b] = BACKENDS.map((backend) => at(r.op, r.bytes, backend));
    lines.push([r.op, String(r.bytes || '-'), w.toFixed(1), n.toFixed(1), b.toFixed(1), `${(w / n).toFixed(1)}×`, `${(n / b).toFixed(2)}×`]);
  }
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  console.log(`crypto: µs per operation, fastest of ${ROUNDS} interleaved rounds of ${Math.round(CELL_MS / ROUNDS)} ms (Node ${process.versions.node}, OpenSSL ${process.versions.openssl})`);
  for (const l of lines) console.log(l.map((cell, c) => (c < 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run({ json: process.argv.includes('--json') });
}
