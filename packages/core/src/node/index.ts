/**
 * NODE-ONLY entry point `@comrad/core/node`: helpers that need Node built-ins (child processes,
 * the file system, sockets). Never import this from browser-safe code.
 * @module @comrad/core/node
 */

export {
  TorError,
  assertPortFree,
  ensurePrivateDir,
  findTorBinary,
  pickFreePort,
  startTorProcess,
  type TorErrorCode,
  type TorProcess,
  type TorProcessOptions,
  type TorProgressListener,
} from './tor-process.js';
export { atomicWrite, tempPathFor, privateDir, readFileBounded, type AtomicWriteOptions } from './files.js';
