/**
 * The op table (OP-*): every request the Operator understands, with its parameter and result types, its
 * codecs, and whether it needs a logged-in connection.
 * @module
 */
import type { Fields } from '../codec/index.js';
import { authCodec, type AuthParams, type AuthResult } from './auth.js';
import { chanFeedCodec, chanPostCodec, type ChanFeedParams, type ChanFeedResult, type ChanPostParams, type ChanPostResult } from './chan.js';
import { colAppendCodec, colReadCodec, type ColAppendParams, type ColReadParams, type ColReadResult } from './collective.js';
import { infoCodec, type InfoResult } from './info.js';
import {
  ackCodec,
  fetchCodec,
  sendCodec,
  type AckParams,
  type AckResult,
  type EmptyResult,
  type FetchParams,
  type FetchResult,
  type SendParams,
} from './mail.js';
import { profileGetCodec, profileSetCodec, type ProfileGetParams, type ProfileGetResult, type ProfileSetParams, type ProfileSetResult } from './profile.js';
import { pinPutCodec, pinVoteCodec, pinsCodec, type PinPutParams, type PinPutResult, type PinVoteParams, type PinVoteResult, type PinsParams, type PinsResult } from './pins.js';
import { chanVoteCodec, voteCodec, type ChanVoteParams, type Tally, type VoteParams } from './votes.js';
import { tokenKeysCodec, tokensCodec, type TokenKeysResult, type TokensParams, type TokensResult } from './tokens.js';
import { lookupCodec, registerCodec, type LookupParams, type RegisterParams, type StatementResult } from './registry.js';
import {
  deleteCodec,
  feedCodec,
  postCodec,
  worldKeyCodec,
  type DeleteParams,
  type FeedParams,
  type FeedResult,
  type PostParams,
  type PostResult,
  type WorldKeyParams,
  type WorldKeyResult,
} from './world.js';

/** Parameters and result of every op. */
export interface OpTypes {
  info: { params: Record<string, never>; result: InfoResult };
  register: { params: RegisterParams; result: StatementResult };
  lookup: { params: LookupParams; result: StatementResult };
  auth: { params: AuthParams; result: AuthResult };
  send: { params: SendParams; result: EmptyResult };
  fetch: { params: FetchParams; result: FetchResult };
  ack: { params: AckParams; result: AckResult };
  worldKey: { params: WorldKeyParams; result: WorldKeyResult };
  post: { params: PostParams; result: PostResult };
  feed: { params: FeedParams; result: FeedResult };
  delete: { params: DeleteParams; result: EmptyResult };
  colAppend: { params: ColAppendParams; result: EmptyResult };
  colRead: { params: ColReadParams; result: ColReadResult };
  profileSet: { params: ProfileSetParams; result: ProfileSetResult };
  profileGet: { params: ProfileGetParams; result: ProfileGetResult };
  chanPost: { params: ChanPostParams; result: ChanPostResult };
  chanFeed: { params: ChanFeedParams; result: ChanFeedResult };
  pinPut: { params: PinPutParams; result: PinPutResult };
  pinVote: { params: PinVoteParams; result: PinVoteResult };
  pins: { params: PinsParams; result: PinsResult };
  tokenKeys: { params: Record<string, never>; result: TokenKeysResult };
  tokens: { params: TokensParams; result: TokensResult };
  vote: { params: VoteParams; result: Tally };
  chanVote: { params: ChanVoteParams; result: Tally };
}

/** The name of an op. */
export type Op = keyof OpTypes;
/** The parameters of op `O`. */
export type Params<O extends Op> = OpTypes[O]['params'];
/** The result of op `O`. */
export type Result<O extends Op> = OpTypes[O]['result'];

/** @internal How one op is written and read. */
export interface OpCodec<O extends Op> {
  readonly keys: readonly string[];
  encodeParams(p: Params<O>): Record<string, unknown>;
  decodeParams(f: Fields): Params<O>;
  encodeResult(r: Result<O>): Record<string, unknown>;
  decodeResult(value: unknown): Result<O>;
}

/** @internal */
export const CODECS: { readonly [O in Op]: OpCodec<O> } = {
  info: infoCodec,
  register: registerCodec,
  lookup: lookupCodec,
  auth: authCodec,
  send: sendCodec,
  fetch: fetchCodec,
  ack: ackCodec,
  worldKey: worldKeyCodec,
  post: postCodec,
  feed: feedCodec,
  delete: deleteCodec,
  colAppend: colAppendCodec,
  colRead: colReadCodec,
  profileSet: profileSetCodec,
  profileGet: profileGetCodec,
  chanPost: chanPostCodec,
  chanFeed: chanFeedCodec,
  pinPut: pinPutCodec,
  pinVote: pinVoteCodec,
  pins: pinsCodec,
  tokenKeys: tokenKeysCodec,
  tokens: tokensCodec,
  vote: voteCodec,
  chanVote: chanVoteCodec,
};

/** Every op, in spec order. */
export const OPS = Object.keys(CODECS) as readonly Op[];

/** OP-4: the ops allowed before `auth`; every other op answers UNAUTHENTICATED until then. */
// PROF-11: `profileGet` too, so a reader can ask for a profile on a connection that does not name them
// (as a `lookup`); what it hands out is sealed under a world key only registered comrades get.
// CHAN-6: `chanPost` and `chanFeed` too: only there (a logged-in connection is refused them).
// PIN-7: the pin ops too: they run only on connections that are not logged in.
// VOTE-2, VOTE-7: `vote` and `chanVote` too: they run only on connections that are not logged in (TOK-10).
// TOK-4: `tokenKeys` too, so a client learns the issuer keys where nothing names it (a key kept for one
// comrade alone would then have to be handed to everyone).
export const PUBLIC_OPS: ReadonlySet<Op> = new Set<Op>(['info', 'register', 'lookup', 'send', 'auth', 'colAppend', 'colRead', 'profileGet', 'chanPost', 'chanFeed', 'pinPut', 'pinVote', 'pins', 'tokenKeys', 'vote', 'chanVote']);

/** True when `op` is a known op name. */
export function isOp(op: unknown): op is Op {
  return typeof op === 'string' && Object.prototype.hasOwnProperty.call(CODECS, op);
}
