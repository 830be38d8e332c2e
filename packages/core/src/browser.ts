/**
 * The browser entry of `@comrad/core` (the `browser` condition of its `exports`, BRW-4): everything of
 * `@comrad/core` and the client session of `@comrad/core/client` in one module, with nothing from
 * `node:` and no WebAssembly. Crypto is the `webcrypto` backend (CRY-14): use the `…Async` operations.
 *
 * @example
 * ```ts
 * import { ready, KeyPair, ClientSession, webSocketOf } from '@comrad/core'; // resolved to this file by bundlers
 * await ready(); // "webcrypto"
 * ```
 * @module
 */
export * from './index.js';
export * from './client/index.js';
