/**
 * `@comrad/core/wire` — the Operator wire protocol (OP-*, AUTH-*, REG-*, MB-*, FEED-*, LIMIT-*): typed
 * requests and results per op, strict decoders for both directions, the handshake and registry proofs,
 * Operator-signed lookup statements, and proof of work.
 *
 * @example
 * ```ts
 * import { ready, KeyPair } from '@comrad/core';
 * import { withClientHello, decodeGreeting, acceptGreeting, encodeRequest, decodeServerFrame, makeAuthProof } from '@comrad/core/wire';
 * await ready();
 * const me = KeyPair.generate();
 * const eph = KeyPair.generate(); // fresh per connection (AUTH-7)
 * const ws = new WebSocket(withClientHello(new URL(operatorUrl), eph.publicKey));
 * // the first frame: the greeting, checked against the pinned key before anything is sent
 * const { hello, channel } = acceptGreeting(decodeGreeting(firstFrame), pinned, eph);
 * const at = Date.now();
 * const sig = makeAuthProof(me.privateKey, { challenge: hello.challenge, operatorKey: pinned, name: 'alice', at });
 * ws.send(channel.seal(encodeRequest(1, 'auth', { name: 'alice', at, sig })));
 * // every later frame: decodeServerFrame(channel.open(bytes)), then decodeResult after matching frame.id
 * ```
 * @module @comrad/core/wire
 */
export {
  WIRE_VERSION,
  encodeRequest,
  decodeRequest,
  peekRequestId,
  decodeRequestEnvelope,
  decodeRequestParams,
  encodeOk,
  encodeErr,
  encodeMailPush,
  decodeServerFrame,
  decodeResult,
  type WireRequest,
  type RequestEnvelope,
  type ServerFrame,
} from './frame.js';
export {
  GREETING_VERSION,
  CLIENT_HELLO_PARAMS,
  MAX_GREETING_BYTES,
  withClientHello,
  readClientHello,
  makeGreeting,
  decodeGreeting,
  acceptGreeting,
  acceptGreetingAsync,
  type Greeting,
  type Hello,
  type MadeGreeting,
} from './greeting.js';
export { Channel, CHANNEL_OVERHEAD_BYTES, channelContext, type ChannelRole } from './channel.js';
export { OPS, PUBLIC_OPS, isOp, type Op, type OpTypes, type Params, type Result } from './ops.js';
export { LIMIT_KEYS, LIMIT_MAX, type InfoResult, type OperatorLimits } from './info.js';
export {
  makeRegisterProof,
  makeRegisterProofAsync,
  checkRegisterProof,
  signLookup,
  verifyLookup,
  verifyLookupAsync,
  type RegisterParams,
  type LookupParams,
  type StatementResult,
  type LookupStatement,
} from './registry.js';
export {
  CHALLENGE_BYTES,
  AUTH_MAX_SKEW_MS,
  makeAuthProof,
  makeAuthProofAsync,
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
export { MAX_POW_BITS, POW_NONCE_BYTES, registerPowInput, sendPowInput, chanPowInput, leadingZeroBits, checkPow, solvePow, solvePowAsync, POW_SLICE_MS } from './pow.js';
export * from './limits.js';
export { WIRE_MAX_LOG_ITEMS, type ColAppendParams, type ColReadParams, type ColReadResult } from './collective.js';
export { type ProfileSetParams, type ProfileSetResult, type ProfileGetParams, type ProfileGetResult } from './profile.js';
export { WIRE_MAX_CHAN_ITEMS, type ChanPostParams, type ChanPostResult, type ChanFeedParams, type ChanFeedPost, type ChanFeedResult } from './chan.js';
export {
  WIRE_MAX_PIN_CELLS,
  WIRE_MAX_PIN_ITEMS,
  type PinPutParams,
  type PinPutResult,
  type PinVoteParams,
  type PinVoteResult,
  type PinsParams,
  type PinsResult,
  type WirePin,
} from './pins.js';
export {
  WIRE_MAX_TOKEN_REQUESTS,
  WIRE_MAX_TOKEN_KEYS,
  TOKEN_FIELD_BOUNDS,
  TOKEN_BYTES,
  readTokenField,
  type TokenKey,
  type TokenKeysResult,
  type TokensParams,
  type TokensResult,
  type SendTokenRule,
} from './tokens.js';
export { VOTE_CHOICES, VOTER_BYTES, voteSecret, voteVoter, chanVoteVoter, type VoteChoice, type VoteParams, type ChanVoteParams, type Tally } from './votes.js';
