/**
 * Anonymous votes (VOTE-*, spec/16-votes.md): `vote` casts, changes or withdraws one comrade's vote on a
 * world post, `chanVote` on a channel post (a trusted circle's, a collective's) and shows the channel's
 * posting capability, which only holders of its key derive (VOTE-7). Both on a connection that is not
 * logged in, paid with a token (TOK-10). One vote per comrade per post without naming them: the `voter`
 * field is an HMAC of the post under a secret only the comrade holds, so it is the same for every vote of
 * that comrade on that post and unrelated across posts.
 * @module
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Fields } from '../codec/index.js';
import { concatBytes, utf8 } from '../bytes.js';
import type { PrivateKey, PublicKey } from '../crypto/index.js';
import { CHANNEL_ID_BYTES } from '../envelope/channel.js';
import { mapOf, readItemId } from './_bounds.js';
import { readTokenField } from './tokens.js';

/** VOTE-2: the three choices; `none` withdraws a vote. */
export const VOTE_CHOICES = ['up', 'down', 'none'] as const;
/** A vote's choice. */
export type VoteChoice = (typeof VOTE_CHOICES)[number];
/** VOTE-3: a voter value is 32 bytes. */
export const VOTER_BYTES = 32;
/** The largest tally. */
const MAX_TALLY = 0xffff_ffff;

/** Parameters of `vote` (VOTE-2). */
export interface VoteParams {
  /** The world post's id. */
  readonly post: string;
  /** VOTE-3: `voteVoter(secret, operatorKey, post)`: 32 bytes, one per comrade per post. */
  readonly voter: Uint8Array;
  readonly choice: VoteChoice;
  /** TOK-10: the token paying for this vote. */
  readonly token?: Uint8Array;
}

/** Parameters of `chanVote` (VOTE-7). */
export interface ChanVoteParams {
  /** The channel's posting capability (32 bytes, CHAN-1): only holders of the channel key derive it. */
  readonly cap: Uint8Array;
  /** The post's id in that channel (OP-5, as `chanFeed` lists it). */
  readonly post: string;
  /** VOTE-8: `chanVoteVoter(secret, operatorKey, channelId, post)`: 32 bytes, one per comrade per post. */
  readonly voter: Uint8Array;
  readonly choice: VoteChoice;
  /** TOK-10: the token paying for this vote. */
  readonly token?: Uint8Array;
}

/** A post's tally (VOTE-5): up and down votes held now. */
export interface Tally {
  readonly up: number;
  readonly down: number;
}

/**
 * VOTE-3: the comrade's vote secret: HKDF-SHA-256 of their identity private key (salt
 * `comrad/nullifier/v1`, info `post-vote`). Only they hold it; every device with the identity derives the same.
 * @returns 32 bytes (wipe them when done)
 */
export function voteSecret(privateKey: PrivateKey): Uint8Array {
  return hkdf(sha256, privateKey.raw, utf8('comrad/nullifier/v1'), utf8('post-vote'), 32);
}

/**
 * VOTE-3: the `voter` value of a comrade's vote on one post: HMAC-SHA-256 under the vote secret of
 * `comrad/post-vote/v1`, the post id (length first) and the Operator's key. The same comrade and post
 * always give the same value; values for other posts or other comrades look unrelated without the secret.
 * @param secret - {@link voteSecret}
 * @param operatorKey - the Operator's key (a vote on one Operator says nothing about another)
 * @param postId - the post voted on
 * @returns 32 bytes
 */
export function voteVoter(secret: Uint8Array, operatorKey: PublicKey, postId: string): Uint8Array {
  if (!(secret instanceof Uint8Array) || secret.length !== 32) throw new TypeError('secret must be 32 bytes');
  const id = utf8(postId);
  return hmac(sha256, secret, concatBytes(utf8('comrad/post-vote/v1'), Uint8Array.of(id.length), id, operatorKey.bytes()));
}

/**
 * VOTE-8: the `voter` value of a comrade's vote on a channel post: HMAC-SHA-256 under the vote secret
 * ({@link voteSecret}) of `comrad/chan-vote/v1`, the channel id, the post id (length first) and the
 * Operator's key. Post ids are minted per channel, so the channel is part of what is voted on; the label
 * keeps these values apart from world votes' (VOTE-3).
 * @param secret - {@link voteSecret}
 * @param operatorKey - the Operator's key
 * @param channelId - the channel's id (32 bytes, CHAN-1: `deriveChannel(key).id`)
 * @param postId - the post voted on, as `chanFeed` lists it
 * @returns 32 bytes
 * @throws TypeError on a secret or channel id of another length
 * @example `const voter = chanVoteVoter(voteSecret(keys.privateKey), operatorKey, deriveChannel(key).id, post.id)`
 */
export function chanVoteVoter(secret: Uint8Array, operatorKey: PublicKey, channelId: Uint8Array, postId: string): Uint8Array {
  if (!(secret instanceof Uint8Array) || secret.length !== 32) throw new TypeError('secret must be 32 bytes');
  if (!(channelId instanceof Uint8Array) || channelId.length !== CHANNEL_ID_BYTES) throw new TypeError(`channelId must be ${CHANNEL_ID_BYTES} bytes`);
  const id = utf8(postId);
  return hmac(sha256, secret, concatBytes(utf8('comrad/chan-vote/v1'), channelId, Uint8Array.of(id.length), id, operatorKey.bytes()));
}

/** @internal */
export const voteCodec = {
  keys: ['post', 'voter', 'choice', 'token'] as const,
  encodeParams: (p: VoteParams) => ({ post: p.post, voter: p.voter, choice: p.choice, ...(p.token ? { token: p.token } : {}) }),
  decodeParams: (f: Fields): VoteParams => {
    const out = { post: readItemId(f, 'post'), voter: f.bytes('voter', { min: VOTER_BYTES, max: VOTER_BYTES }), choice: f.oneOf('choice', VOTE_CHOICES) };
    const token = readTokenField(f);
    return token ? { ...out, token } : out;
  },
  encodeResult: (r: Tally) => ({ up: r.up, down: r.down }),
  decodeResult: (value: unknown): Tally => readTally(mapOf(value, 'vote result', ['up', 'down'])),
};

const CAP_BOUNDS = { min: CHANNEL_ID_BYTES, max: CHANNEL_ID_BYTES } as const;

/** @internal VOTE-7: as `vote`, with the channel's capability first. */
export const chanVoteCodec = {
  keys: ['cap', 'post', 'voter', 'choice', 'token'] as const,
  encodeParams: (p: ChanVoteParams) => ({ cap: p.cap, post: p.post, voter: p.voter, choice: p.choice, ...(p.token ? { token: p.token } : {}) }),
  decodeParams: (f: Fields): ChanVoteParams => {
    const out = {
      cap: f.bytes('cap', CAP_BOUNDS),
      post: readItemId(f, 'post'),
      voter: f.bytes('voter', { min: VOTER_BYTES, max: VOTER_BYTES }),
      choice: f.oneOf('choice', VOTE_CHOICES),
    };
    const token = readTokenField(f);
    return token ? { ...out, token } : out;
  },
  encodeResult: voteCodec.encodeResult,
  decodeResult: (value: unknown): Tally => readTally(mapOf(value, 'chanVote result', ['up', 'down'])),
};

/** @internal VOTE-5: a tally's fields in a feed post or a vote result. */
export function readTally(f: Fields): Tally {
  return { up: f.int('up', { min: 0, max: MAX_TALLY }), down: f.int('down', { min: 0, max: MAX_TALLY }) };
}
