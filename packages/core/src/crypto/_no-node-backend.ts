/**
 * What `#node-backend` resolves to outside Node (browser bundles): there is no node:crypto there, so
 * asking for the `node` backend is a clear error instead of a failed import.
 * @internal
 */
import { ComradError } from '../errors.js';
import type { CryptoBackend } from './_backend.js';

export async function loadNodeBackend(): Promise<CryptoBackend> {
  throw new ComradError('INTERNAL', 'the node crypto backend needs Node.js; use ready({ backend: "wasm" }) here');
}

/** No native SHA-256 outside Node: the proof-of-work solver uses @noble/hashes. */
export const nativeSha256: ((data: Uint8Array) => Uint8Array) | undefined = undefined;
