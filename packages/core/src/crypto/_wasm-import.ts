/**
 * How `#wasm-import` loads wasm-themis outside browsers: a dynamic import, so a process pays for the
 * WebAssembly runtime only when it uses it. Browser bundles resolve `#wasm-import` to
 * `_no-wasm-import.ts` instead, and carry wasm-themis only when the page opts in (`@comrad/core/wasm`).
 * @internal
 */
import type { WasmThemis } from './_wasm-themis.js';

/** Loads the wasm-themis module. */
export const importWasmThemis: (() => Promise<WasmThemis>) | undefined = () => import('wasm-themis') as Promise<WasmThemis>;
