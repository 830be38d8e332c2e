/**
 * `@comrad/core` — the Comrad protocol, transport-agnostic: Themis crypto with typed keys, the msgpack
 * codec with strict decoders, letters and envelopes, keymakers, and the pure protocol models.
 *
 * @example
 * ```ts
 * import { ready, KeyPair, sign, verify, utf8 } from '@comrad/core';
 * await ready();
 * const alice = KeyPair.generate();
 * const signed = sign(alice.privateKey, utf8('hello'));
 * verify(alice.publicKey, signed); // the message bytes
 * ```
 * @module @comrad/core
 */
export * from './errors.js';
export * from './bytes.js';
export * from './crypto/index.js';
export * from './codec/index.js';
export * from './limits.js';
export * from './envelope/index.js';
export * from './keymaker/index.js';
