// The browser: in headless Chromium (Debian's, through playwright-core), one page bundled from the BUILT
// @comrad/core (`npm run build` first), per operation on a 1 KiB letter:
//   webcrypto — @comrad/core's webcrypto backend, through the asynchronous API;
//   bare      — bare Web Crypto doing the same primitive work with cached keys and no framing: the
//               baseline measured in the same run (goal: webcrypto within 1.5× of it);
//   wasm      — the wasm backend (wasm-themis, opted in with @comrad/core/wasm) (goal: ≥ 5× webcrypto).
// And the size of @comrad/core bundled for the browser (esbuild, minified, gzip -9), without and with
// the wasm backend (goal: ≤ 60 KB gzipped without).
//
//   node bench/browser.bench.mjs [--json]
//   --json: one line per figure: {"suite":"browser","op","backend","bytes","us"} and, for the bundle,
//           {"suite":"browser","op":"bundle","backend","jsBytes","jsGzip","wasmBytes","wasmGzip"}
//   COMRAD_BENCH_MS=1200: time per measured cell (op × backend, in 12 interleaved rounds; the fastest
//   round is kept, as noise on a shared machine only ever adds time), default 1200 ms
//
// Ops: sign / verify (Secure Message sign mode over 1 KiB); seal (a sealed direct letter of 1000
// characters: sign, pad, fresh key pair, ECDH, cell) / open (decrypt, unpad, verify the statement and the
// letter). bare seal = ECDSA sign + ECDH key generation and export + ECDH into HMAC + HMAC + AES key
// import + AES-GCM of the padded 2 KiB; bare open = key import + ECDH into HMAC + HMAC + AES key import +
// AES-GCM open + a key import and two ECDSA verifies.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleForBrowser, servePage } from '@comrad/test-kit/browser-bundle';
import { launchChromium } from '@comrad/test-kit/chromium';

const here = fileURLToPath(new URL('.', import.meta.url));
const CELL_MS = Number(process.env.COMRAD_BENCH_MS ?? 1200);
const ROUNDS = 12;
const OPS = ['sign', 'verify', 'seal', 'open'];
const BACKENDS = ['webcrypto', 'bare', 'wasm'];
const WASM_NODE_ONLY = ['fs', 'path', 'crypto', 'util'];

// The page: fixtures made once under wasm (the synchronous API can make the Operator's statement), then
// each op under each backend, and the same primitive work on bare crypto.subtle.
const PAGE = `
import { cellOpen, createLetter, encodeLetter, KeyPair, openSealedLetter, pad, ready, sealLetter, sealLetterAsync, sign, signAsync, signStatement, verifyAsync } from '@comrad/core';
import { useWasmThemis } from '@comrad/core/wasm';
useWasmThemis();
const subtle = crypto.subtle;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' }, ECDH = { name: 'ECDH', namedCurve: 'P-256' }, SIG = { name: 'ECDSA', hash: 'SHA-256' };
const HMAC = { name: 'HMAC', hash: 'SHA-256', length: 256 };
const ops = {};
async function setup() {
  await ready({ backend: 'wasm' });
  const operator = KeyPair.generate(), alice = KeyPair.generate(), bob = { name: 'bob', keys: KeyPair.generate() };
  const statement = signStatement(operator.privateKey, 'alice', alice.publicKey, Date.now());
  const letter = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'x'.repeat(1000) } });
  const message = crypto.getRandomValues(new Uint8Array(1024));
  const signed = sign(alice.privateKey, message);
  const sealed = sealLetter(letter, alice, bob.keys.publicKey, statement);
  const api = {
    sign: () => signAsync(alice.privateKey, message),
    verify: () => verifyAsync(alice.publicKey, signed),
    seal: () => sealLetterAsync(letter, alice, bob.keys.publicKey, statement),
    open: () => openSealedLetter(sealed, bob, operator.publicKey),
  };
  ops.webcrypto = api;
  ops.wasm = api;
  // Bare Web Crypto: the same primitives, keys imported once where the library caches them too.
  const a = await subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const op = await subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const b = await subtle.generateKey(ECDH, true, ['deriveKey']);
  const aRaw = new Uint8Array(await subtle.exportKey('raw', a.publicKey));
  const encoded = encodeLetter(letter);
  const stmt = crypto.getRandomValues(new Uint8Array(statement.length - 80));
  const stmtSig = await subtle.sign(SIG, op.privateKey, stmt);
  const rawSig = await subtle.sign(SIG, a.privateKey, message);
  const padded = pad(new Uint8Array(2 + statement.length + encoded.length + 80));
  const kdf = new Uint8Array(4 + 30 + 1 + 4);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealOnce = async () => {
    const letterSig = await subtle.sign(SIG, a.privateKey, encoded);
    const eph = await subtle.generateKey(ECDH, true, ['deriveKey']);
    const ephRaw = await subtle.exportKey('raw', eph.publicKey);
    const mac = await subtle.deriveKey({ name: 'ECDH', public: b.publicKey }, eph.privateKey, HMAC, false, ['sign']);
    const key = await subtle.importKey('raw', new Uint8Array(await subtle.sign('HMAC', mac, kdf)), 'AES-GCM', false, ['encrypt', 'decrypt']);
    return { letterSig, ephRaw, ct: await subtle.encrypt({ name: 'AES-GCM', iv }, key, padded) };
  };
  const one = await sealOnce();
  const bPriv = b.privateKey;
  ops.bare = {
    sign: () => subtle.sign(SIG, a.privateKey, message),
    verify: () => subtle.verify(SIG, a.publicKey, rawSig, message),
    seal: sealOnce,
    open: async () => {
      const eph = await subtle.importKey('raw', one.ephRaw, ECDH, false, []);
      const mac = await subtle.deriveKey({ name: 'ECDH', public: eph }, bPriv, HMAC, false, ['sign']);
      const key = await subtle.importKey('raw', new Uint8Array(await subtle.sign('HMAC', mac, kdf)), 'AES-GCM', false, ['decrypt']);
      await subtle.decrypt({ name: 'AES-GCM', iv }, key, one.ct);
      const sender = await subtle.importKey('raw', aRaw, ECDSA, false, ['verify']);
      if (!(await subtle.verify(SIG, op.publicKey, stmtSig, stmt))) throw new Error('statement');
      if (!(await subtle.verify(SIG, sender, one.letterSig, encoded))) throw new Error('letter');
    },
  };
  return { sealedBytes: sealed.length };
}
globalThis.setup = setup;
globalThis.measure = async (backend, op, ms, warm) => {
  if (backend !== 'bare') await ready({ backend });
  const fn = ops[backend][op];
  if (warm) for (let i = 0; i < 3; i++) await fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  do {
    await fn();
    n++;
    now = performance.now();
  } while (now - start < ms);
  return ((now - start) * 1000) / n;
};
document.title = 'ready';
`;

/**
 * Runs the browser benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 * @returns {Promise<object[]>} the rows
 */
export async function run({ json = false } = {}) {
  const wasmFile = join(dirname(createRequire(import.meta.url).resolve('wasm-themis/package.json')), 'dist-es6', 'libthemis.wasm');
  const page = await bundleForBrowser({ contents: PAGE, resolveDir: here, allowNode: WASM_NODE_ONLY });
  if (page.nodeImports.some((i) => !/sjcl\/index\.js\)$/.test(i))) throw new Error(`the page reaches Node built-ins: ${page.nodeImports.join(', ')}`);
  const server = await servePage({
    '/': { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="/app.js"></script>' },
    '/app.js': { type: 'text/javascript', body: page.code },
    '/libthemis.wasm': { type: 'application/wasm', body: readFileSync(wasmFile) },
  });
  const browser = await launchChromium();
  const rows = [];
  try {
    const tab = await browser.newPage();
    await tab.goto(server.url);
    await tab.waitForFunction(() => document.title === 'ready');
    const { sealedBytes } = await tab.evaluate(() => globalThis.setup());
    for (const op of OPS) {
      const timings = Object.fromEntries(BACKENDS.map((b) => [b, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const backend of BACKENDS) {
          timings[backend].push(await tab.evaluate(([b, o, ms, warm]) => globalThis.measure(b, o, ms, warm), [backend, op, CELL_MS / ROUNDS, round === 0]));
        }
      }
      const bytes = op === 'seal' || op === 'open' ? sealedBytes : 1024;
      for (const backend of BACKENDS) rows.push({ suite: 'browser', op, backend, bytes, us: round2(Math.min(...timings[backend])) });
    }
  } finally {
    await browser.close();
    await server.close();
  }
  rows.push(...(await bundleRows(wasmFile)));
  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else printTable(rows);
  return rows;
}

/** @comrad/core for the browser, minified and gzipped: as a page gets it, and with wasm-themis opted in. */
async function bundleRows(wasmFile) {
  const without = await bundleForBrowser({ contents: `export * from '@comrad/core';`, resolveDir: here });
  const withWasm = await bundleForBrowser({ contents: `export * from '@comrad/core'; export * from '@comrad/core/wasm';`, resolveDir: here, allowNode: WASM_NODE_ONLY });
  const wasm = readFileSync(wasmFile);
  return [
    { suite: 'browser', op: 'bundle', backend: 'webcrypto', jsBytes: without.bytes, jsGzip: without.gzipBytes, wasmBytes: 0, wasmGzip: 0 },
    { suite: 'browser', op: 'bundle', backend: 'wasm', jsBytes: withWasm.bytes, jsGzip: withWasm.gzipBytes, wasmBytes: wasm.length, wasmGzip: gzipSync(wasm, { level: 9 }).length },
  ];
}

function printTable(rows) {
  console.log('op       bytes   webcrypto µs    bare µs    wasm µs   webcrypto/bare   wasm/webcrypto');
  for (const op of OPS) {
    const by = Object.fromEntries(rows.filter((r) => r.op === op).map((r) => [r.backend, r]));
    const line = [
      op.padEnd(6),
      String(by.webcrypto.bytes).padStart(7),
      by.webcrypto.us.toFixed(1).padStart(14),
      by.bare.us.toFixed(1).padStart(10),
      by.wasm.us.toFixed(1).padStart(10),
      `${(by.webcrypto.us / by.bare.us).toFixed(2)}×`.padStart(16),
      `${(by.wasm.us / by.webcrypto.us).toFixed(1)}×`.padStart(16),
    ];
    console.log(line.join(' '));
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const r of rows.filter((x) => x.op === 'bundle')) {
    const extra = r.wasmBytes ? ` + libthemis.wasm ${kb(r.wasmBytes)} (${kb(r.wasmGzip)} gzipped)` : '';
    console.log(`bundle @comrad/core, ${r.backend === 'wasm' ? 'with the wasm backend' : 'webcrypto only'}: ${kb(r.jsBytes)} minified, ${kb(r.jsGzip)} gzipped${extra}`);
  }
}

function round2(n) {
  return Math.round(n * 100) / 100;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run({ json: process.argv.includes('--json') });
}
