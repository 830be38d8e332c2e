/**
 * What `#wasm-import` resolves to in browser bundles: no wasm-themis (about 1 MB of WebAssembly) unless
 * the page opts in with `useWasmThemis()` from `@comrad/core/wasm` (BRW-5).
 * @internal
 */
import type { WasmThemis } from './_wasm-themis.js';

/** Nothing: wasm-themis is not in this bundle. */
export const importWasmThemis: (() => Promise<WasmThemis>) | undefined = undefined;
