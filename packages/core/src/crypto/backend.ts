/**
 * Choosing and starting the crypto backend: {@link ready} is the one initialisation call of core.
 * @module
 */
import { ComradError } from '../errors.js';
import { asyncOf, type AsyncCryptoBackend, type BackendName, type CryptoBackend } from './_backend.js';
import { createWasmBackend } from './_wasm-backend.js';
import { loadWebCryptoBackend } from './_webcrypto-backend.js';
import { loadNodeBackend } from '#node-backend';

export type { BackendName } from './_backend.js';

/** Options of {@link ready}. */
export interface ReadyOptions {
  /**
   * Which backend produces the Themis bytes: `node` (node:crypto, the default on Node), `webcrypto`
   * (`crypto.subtle`, the default elsewhere; asynchronous only: use the `…Async` operations) or `wasm`
   * (wasm-themis, the reference). Defaults to `COMRAD_CRYPTO` from the environment when set (CRY-14).
   */
  backend?: BackendName;
}

let active: CryptoBackend | undefined;
let activeAsync: AsyncCryptoBackend | undefined;
const loaded = new Map<BackendName, Promise<{ sync: CryptoBackend; async: AsyncCryptoBackend }>>();

/**
 * Initialises Comrad's crypto; call (and await) once before any other core call. Idempotent: later
 * calls with the same backend return at once; a call naming another backend switches to it.
 * @returns the name of the active backend
 * @example
 * ```ts
 * import { ready, KeyPair } from '@comrad/core';
 * await ready();
 * const alice = KeyPair.generate();
 * ```
 */
export async function ready(options: ReadyOptions = {}): Promise<BackendName> {
  // A swapped-in backend (_swapBackend) stays until it is restored: code under it that starts crypto
  // again (the client's connection does) must not replace it.
  if (swapped) return active!.name;
  const name = options.backend ?? envBackend() ?? (await defaultBackend());
  const both = await loadBoth(name);
  active = both.sync;
  activeAsync = both.async;
  return active.name;
}

/**
 * Loads a backend without making it the active one (differential tests and benchmarks use both).
 * @internal
 */
export async function loadBackend(name: BackendName): Promise<CryptoBackend> {
  return (await loadBoth(name)).sync;
}

/**
 * Loads a backend's asynchronous form without making it the active one (the webcrypto differential
 * tests and the browser bench).
 * @internal
 */
export async function loadAsyncBackend(name: BackendName): Promise<AsyncCryptoBackend> {
  return (await loadBoth(name)).async;
}

function loadBoth(name: BackendName): Promise<{ sync: CryptoBackend; async: AsyncCryptoBackend }> {
  let p = loaded.get(name);
  if (!p) {
    const withAsync = (b: CryptoBackend) => ({ sync: b, async: asyncOf(b) });
    p = name === 'wasm' ? createWasmBackend().then(withAsync) : name === 'webcrypto' ? loadWebCryptoBackend() : loadNodeBackend().then(withAsync);
    p.catch(() => loaded.delete(name));
    loaded.set(name, p);
  }
  return p;
}

/** The name of the active backend, or undefined before {@link ready}. */
export function backendName(): BackendName | undefined {
  return active?.name;
}

/** @internal */
export function activeBackend(): CryptoBackend;
export function activeBackend(required: false): CryptoBackend | undefined;
export function activeBackend(required = true): CryptoBackend | undefined {
  if (!active && required) throw new ComradError('INTERNAL', 'Comrad crypto is not initialised: await ready() first');
  return active;
}

/**
 * The active backend's asynchronous form (CRY-18): native on `webcrypto`, the synchronous operation
 * behind a resolved promise on the others.
 * @internal
 */
export function activeAsyncBackend(): AsyncCryptoBackend;
export function activeAsyncBackend(required: false): AsyncCryptoBackend | undefined;
export function activeAsyncBackend(required = true): AsyncCryptoBackend | undefined {
  if (swapped && swappedAsync === undefined) swappedAsync = asyncOf(active!);
  const b = swapped ? swappedAsync : activeAsync;
  if (!b && required) throw new ComradError('INTERNAL', 'Comrad crypto is not initialised: await ready() first');
  return b;
}

/**
 * Makes `backend` the active one until the returned function is called. Two callers: the spec's recorded
 * conversation (`spec/scripts/_scripted-crypto.ts`), which runs on a node backend whose IVs and key pairs
 * come from its recording and whose signatures are deterministic (RFC 6979), so every frame replays byte
 * for byte; and the differential tests, which need a backend that does not check keys at parse time.
 *
 * Why this is safe: it is exported from no index (`@comrad/core` and its subpaths do not reach it, so no
 * package, CLI or Operator can call it, and no frame from the network can); only the spec's generator
 * and tests import this file by path.
 * @internal
 * @returns a function that restores the backend active before
 */
export function _swapBackend(backend: CryptoBackend): () => void {
  const before = active;
  const wasSwapped = swapped;
  const asyncBefore = swappedAsync;
  active = backend;
  swapped = true;
  swappedAsync = undefined;
  return () => {
    active = before;
    swapped = wasSwapped;
    swappedAsync = asyncBefore;
  };
}

let swapped = false;
let swappedAsync: AsyncCryptoBackend | undefined;

function envBackend(): BackendName | undefined {
  const v = typeof process !== 'undefined' ? process.env?.COMRAD_CRYPTO : undefined;
  if (v === undefined || v === '') return undefined;
  if (v !== 'node' && v !== 'wasm' && v !== 'webcrypto') throw new ComradError('INTERNAL', `COMRAD_CRYPTO must be "node", "wasm" or "webcrypto", not "${v}"`);
  return v;
}

async function defaultBackend(): Promise<BackendName> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  // CRY-14: outside Node, Web Crypto where it is (every browser on a secure context), else wasm-themis.
  if (isNode) return 'node';
  return globalThis.crypto?.subtle ? 'webcrypto' : 'wasm';
}
