/**
 * Anonymous votes on world posts (VOTE-*, spec/16-votes.md): `vote` casts, changes or withdraws one
 * comrade's vote on a post, on a connection that is not logged in, paid with a token (TOK-10). One vote per
 * comrade per post without naming them: the `voter` field is an HMAC of the post under a secret only the
 * comrade holds, so it is the same for every vote of that comrade on that post and unrelated across posts.
 * @module
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Fields } from '../codec/index.js';
import { concatBytes, utf8 } from '../bytes.js';
import type { PrivateKey, PublicKey } from '../crypto/index.js';
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

/** @internal VOTE-5: a tally's fields in a feed post or a vote result. */
export function readTally(f: Fields): Tally {
  return { up: f.int('up', { min: 0, max: MAX_TALLY }), down: f.int('down', { min: 0, max: MAX_TALLY }) };
}
