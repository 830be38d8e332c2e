/**
 * Starting core's crypto for the client.
 * @module
 */
import { ready } from '@comrad/core';

/**
 * `ready()` with the default backend; when that backend cannot load (a build without the node backend)
 * and nobody asked for one by name, the reference wasm backend, which makes the same bytes.
 */
export async function startCrypto(): Promise<void> {
  try {
    await ready();
  } catch (err) {
    if (process.env['COMRAD_CRYPTO']) throw err;
    await ready({ backend: 'wasm' });
  }
}
