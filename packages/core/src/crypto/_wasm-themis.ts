/**
 * The one place that loads wasm-themis (the Themis reference, and what browsers use).
 * @internal
 */
import { ProtocolError } from '../errors.js';
import { importWasmThemis } from '#wasm-import';

// The module's types; the module itself is loaded lazily so that a Node process on the `node` backend
// never pays for (or is affected by) the WebAssembly runtime unless it needs passphrase cells.
export type WasmThemis = typeof import('wasm-themis');

let loading: Promise<WasmThemis> | undefined;
let provided: (() => Promise<WasmThemis>) | undefined;

/**
 * Makes wasm-themis loadable where `#wasm-import` left it out (browser bundles: `@comrad/core/wasm`).
 * @internal
 */
export function provideWasmThemis(load: () => Promise<WasmThemis>): void {
  provided = load;
}

/**
 * Loads and initialises wasm-themis once; later calls return the same module.
 *
 * Two Node quirks of the emscripten glue are handled here and nowhere else:
 * - on Node it would try `fetch()` for the .wasm file if a global `fetch` exists (Node 18+ has one), which
 *   fails for a `file:` path, so `fetch` is hidden while the runtime initialises;
 * - it installs process-wide `uncaughtException`/`unhandledRejection` handlers that print its whole
 *   source and change how the process exits, so every handler it added is removed again.
 */
export function loadWasmThemis(): Promise<WasmThemis> {
  loading ??= init().catch((err: unknown) => {
    loading = undefined;
    throw new ProtocolError('INTERNAL', `could not initialise wasm-themis: ${(err as Error)?.message ?? err}`, { cause: err });
  });
  return loading;
}

/**
 * True once wasm-themis has been asked to load in this process (and the load has not failed). On the
 * `node` backend it stays false (CRY-13: even passphrase cells are computed with node:crypto there).
 * @internal
 */
export function isWasmLoaded(): boolean {
  return loading !== undefined;
}

async function init(): Promise<WasmThemis> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  const before = isNode ? snapshotHandlers() : undefined;
  const g = globalThis as { fetch?: unknown };
  const savedFetch = isNode ? g.fetch : undefined;
  const hadFetch = isNode && 'fetch' in g;
  try {
    if (isNode) delete g.fetch;
    const load = provided ?? importWasmThemis;
    if (!load) throw new Error('wasm-themis is not in this bundle: call useWasmThemis() from @comrad/core/wasm first');
    const mod = (await load()) as WasmThemis & { default?: WasmThemis };
    const themis = (mod.default ?? mod) as WasmThemis;
    await themis.initialize();
    return themis;
  } finally {
    if (isNode) {
      if (hadFetch) g.fetch = savedFetch;
      removeNewHandlers(before!);
    }
  }
}

type Handlers = Record<'uncaughtException' | 'unhandledRejection', Function[]>;

function snapshotHandlers(): Handlers {
  return {
    uncaughtException: process.listeners('uncaughtException'),
    unhandledRejection: process.listeners('unhandledRejection'),
  };
}

function removeNewHandlers(before: Handlers): void {
  for (const fn of process.listeners('uncaughtException')) {
    if (!before.uncaughtException.includes(fn)) process.removeListener('uncaughtException', fn);
  }
  for (const fn of process.listeners('unhandledRejection')) {
    if (!before.unhandledRejection.includes(fn)) process.removeListener('unhandledRejection', fn);
  }
}
