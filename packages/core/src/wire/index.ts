/**
 * `@comrad/core/wire` — the Operator wire protocol (OP-*, AUTH-*, REG-*, MB-*, FEED-*, LIMIT-*): typed
 * requests and results per op, strict decoders for both directions, the handshake and registry proofs,
 * Operator-signed lookup statements, and proof of work.
 *
 * @example
 * ```ts
 * import { ready, KeyPair } from '@comrad/core';
 * import { encodeRequest, decodeServerFrame, decodeResult, makeAuthProof } from '@comrad/core/wire';
 * await ready();
 * const me = KeyPair.generate();
 * // on the 'hello' push: prove who we are on this connection
 * const hello = decodeServerFrame(firstFrame);
 * if (hello.type === 'hello') {
 *   const at = Date.now();
 *   const sig = makeAuthProof(me.privateKey, { challenge: hello.challenge, operatorKey: pinned, name: 'alice', at });
 *   ws.send(encodeRequest(1, 'auth', { name: 'alice', at, sig }));
 * }
 * // answers: decodeResult('auth', frame.value) after matching frame.id
 * ```
 * @packageDocumentation
 */
export {
  WIRE_VERSION,
  encodeRequest,
  decodeRequest,
  decodeRequestEnvelope,
  decodeRequestParams,
  encodeOk,
  encodeErr,
  encodeHello,
  encodeMailPush,
  decodeServerFrame,
  decodeResult,
  type WireRequest,
  type RequestEnvelope,
  type ServerFrame,
} from './frame.js';
export { OPS, PUBLIC_OPS, isOp, type Op, type OpTypes, type Params, type Result } from './ops.js';
export { LIMIT_KEYS, LIMIT_MAX, type InfoResult, type OperatorLimits } from './info.js';
export {
  makeRegisterProof,
  checkRegisterProof,
  signLookup,
  verifyLookup,
  type RegisterParams,
  type LookupParams,
  type StatementResult,
  type LookupStatement,
} from './registry.js';
export {
  CHALLENGE_BYTES,
  AUTH_MAX_SKEW_MS,
  makeAuthProof,
  checkAuthProof,
  type AuthParams,
  type AuthResult,
  type AuthClaim,
} from './auth.js';
export {
  type SendParams,
  type FetchParams,
  type FetchResult,
  type MailEntry,
  type AckParams,
  type AckResult,
  type EmptyResult,
} from './mail.js';
export {
  EPOCH_MS,
  epochOf,
  type WorldKeyParams,
  type WorldKeyResult,
  type PostParams,
  type PostResult,
  type FeedParams,
  type FeedPost,
  type FeedResult,
  type DeleteParams,
} from './world.js';
export { MAX_POW_BITS, POW_NONCE_BYTES, registerPowInput, sendPowInput, leadingZeroBits, checkPow, solvePow } from './pow.js';
export * from './limits.js';
