/**
 * `@comrad/core/wasm` — puts wasm-themis, the Themis reference, into a browser bundle (BRW-5). Browsers use
 * the `webcrypto` backend by default and carry no WebAssembly; a page that wants the reference (to
 * cross-check, or on a browser without Web Crypto) imports this module and calls {@link useWasmThemis}
 * before `ready({ backend: 'wasm' })`. Outside browsers wasm-themis is always available, and this is a
 * no-op. The page must serve `libthemis.wasm` (from `wasm-themis/dist-es6/`) next to itself.
 *
 * @example
 * ```ts
 * import { ready } from '@comrad/core';
 * import { useWasmThemis } from '@comrad/core/wasm';
 * useWasmThemis();
 * await ready({ backend: 'wasm' });
 * ```
 * @packageDocumentation
 */
import { provideWasmThemis, type WasmThemis } from '../crypto/_wasm-themis.js';

/** Makes wasm-themis loadable in this bundle (the `wasm` backend, passphrase cells on it). */
export function useWasmThemis(): void {
  provideWasmThemis(() => import('wasm-themis') as Promise<WasmThemis>);
}
