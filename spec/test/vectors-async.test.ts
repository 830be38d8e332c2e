/**
 * Every vector of letters, signatures, padding, sealed letters, posts, keys, keystores, home keys and
 * the handshake, through core's asynchronous API (CRY-18), under each crypto backend: `webcrypto` above
 * all (Node's `crypto.subtle` is the Web Crypto API), and `wasm` and `node`, whose asynchronous forms
 * must agree with their synchronous ones (spec/test/vectors.test.ts). The same runner runs in Chromium
 * (test/browser/browser.test.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ready } from '@comrad/core';
import { ASYNC_VECTOR_FILES, checkVectorsAsync, type VectorSet } from '../scripts/async-vectors.js';

const set = Object.fromEntries(
  ASYNC_VECTOR_FILES.map((name) => [name, JSON.parse(readFileSync(fileURLToPath(new URL(`../vectors/${name}.json`, import.meta.url)), 'utf8'))]),
) as VectorSet;

afterAll(async () => {
  await ready({ backend: 'node' });
});

// Passphrase cells (keystore, home key) are wasm-themis' on wasm and node alike, and take seconds there
// (PBKDF2 in WebAssembly): vectors.test.ts checks them; here only webcrypto, whose PBKDF2 is its own.
type File = (typeof ASYNC_VECTOR_FILES)[number];
const withoutPassphrase = ASYNC_VECTOR_FILES.filter((f) => f !== 'keystore' && f !== 'home-key');
const files: Record<'webcrypto' | 'wasm' | 'node', readonly File[]> = { webcrypto: ASYNC_VECTOR_FILES, wasm: withoutPassphrase, node: withoutPassphrase };

describe.each(['webcrypto', 'wasm', 'node'] as const)('vectors through the asynchronous API, %s backend', (backend) => {
  it('CRY-18 every vector gives exactly its values or its error code', async () => {
    await ready({ backend });
    const report = await checkVectorsAsync(set, files[backend]);
    expect(report.failures).toEqual([]);
    expect(report.checked).toBe(files[backend].reduce((n, f) => n + set[f].valid.length + set[f].invalid.length, 0));
  });
});
