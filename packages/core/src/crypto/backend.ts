/**
 * Choosing and starting the crypto backend: {@link ready} is the one initialisation call of core.
 * @module
 */
import { ComradError } from '../errors.js';
import type { BackendName, CryptoBackend } from './_backend.js';
import { createWasmBackend } from './_wasm-backend.js';
import { loadNodeBackend } from '#node-backend';

export type { BackendName } from './_backend.js';

/** Options of {@link ready}. */
export interface ReadyOptions {
  /**
   * Which backend produces the Themis bytes: `node` (node:crypto, the default on Node) or `wasm`
   * (wasm-themis, the reference and the only one in browsers). Defaults to `COMRAD_CRYPTO` from the
   * environment when set.
   */
  backend?: BackendName;
}

let active: CryptoBackend | undefined;
const loaded = new Map<BackendName, Promise<CryptoBackend>>();

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
  const name = options.backend ?? envBackend() ?? (await defaultBackend());
  active = await loadBackend(name);
  return active.name;
}

/**
 * Loads a backend without making it the active one (differential tests and benchmarks use both).
 * @internal
 */
export function loadBackend(name: BackendName): Promise<CryptoBackend> {
  let p = loaded.get(name);
  if (!p) {
    p = name === 'wasm' ? createWasmBackend() : loadNodeBackend();
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

function envBackend(): BackendName | undefined {
  const v = typeof process !== 'undefined' ? process.env?.COMRAD_CRYPTO : undefined;
  if (v === undefined || v === '') return undefined;
  if (v !== 'node' && v !== 'wasm') throw new ComradError('INTERNAL', `COMRAD_CRYPTO must be "node" or "wasm", not "${v}"`);
  return v;
}

async function defaultBackend(): Promise<BackendName> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  return isNode ? "node" : "wasm";
}
