/**
 * The cases of `spec/vectors/operator.json` and `spec/vectors/names.json`, built with the real code under
 * scripted randomness (`_scripted-crypto.ts`), so the same code always gives the same file:
 * `make-wire-vectors.test.ts` writes them, and `spec/test/wire-vectors.test.ts` builds them again and
 * compares, besides checking each case the way its file's description says.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, encode, fromHex, KeyPair, PrivateKey, PublicKey, sign, SymmetricKey, toHex, utf8, decode } from '@comrad/core';
import { MAX_ENTRY_BYTES, signAppend, type CollectiveKeys } from '@comrad/core/collective';
import { encodeLetter, MAX_SEALED_PROFILE_BYTES, normaliseName, RESERVED_NAMES, signStatement, type Letter } from '@comrad/core/envelope';
import {
  channelContext,
  encodeErr,
  encodeMailPush,
  encodeOk,
  encodeRequest,
  leadingZeroBits,
  makeAuthProof,
  makeGreeting,
  makeRegisterProof,
  registerPowInput,
  sendPowInput,
  LIMIT_KEYS,
  type InfoResult,
  type Op,
  type Params,
  type Result,
} from '@comrad/core/wire';
import { MAX_IMAGE_BYTES, MAX_SIGNED_LETTER_BYTES, MAX_TEXT_CHARS, MAX_FRAME_BYTES } from '@comrad/core/src/limits.js';
import { _testing } from '@comrad/core/src/crypto/_node-backend.js';
import { makeContainer } from '@comrad/core/src/crypto/_container.js';
import { announcedLimits, resolveLimits } from '@comrad/operator/src/limits.js';
import { keyFormsOf, offCurveCompressed, offCurveUncompressed, ORDER, privateContainer, scalarBytes } from '@comrad/test-kit/core/themis-keys';
import { keyPairOfScalar, Recorder, withScriptedCrypto, type Draw } from './_scripted-crypto.js';
import { rawMap, toTagged, type Tagged, type VectorBytes } from './vector-format.js';

const hex = toHex;
/** A fixed time in ms (2025-11-24T16:00:00Z): above 2^32, so it takes the uint64 form (ENC-9). */
export const AT_MS = 1_764_000_000_000;
/** The largest time the wire accepts (ms): 9999-12-31T23:59:59.999Z + 1 ms, year 10000. */
const MAX_TIME_MS = 253_402_300_800_000;
const PNG = fromHex('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0e8c9b10000000049454e44ae426082');

interface KeyPairJson {
  privateKey: string;
  publicKey: string;
}
const keyPairJson = (k: KeyPair): KeyPairJson => ({ privateKey: hex(k.privateKey.bytes()), publicKey: hex(k.publicKey.bytes()) });

function float64(n: number): Uint8Array {
  const b = new Uint8Array(9);
  b[0] = 0xcb;
  new DataView(b.buffer).setFloat64(1, n, false);
  return b;
}
function uint64(n: number): Uint8Array {
  const b = new Uint8Array(9);
  b[0] = 0xcf;
  new DataView(b.buffer).setBigUint64(1, BigInt(n), false);
  return b;
}
/** The parts of an encoded request, so one field can be swapped for hostile bytes. */
function requestParts(bytes: Uint8Array): [string, Uint8Array][] {
  const value = decode(bytes) as Record<string, unknown>;
  return Object.entries(value).map(([k, v]) => [k, encode(v)]);
}
const withField = (bytes: Uint8Array, key: string, value: Uint8Array | undefined, extra: [string, Uint8Array][] = []) =>
  rawMap([...requestParts(bytes).flatMap(([k, v]): [string, Uint8Array][] => (k !== key ? [[k, v]] : value ? [[k, value]] : [])), ...extra]);

/** Public keys off the curve: an x with no point, and the 77-byte form of a key with y moved off the curve but its parity kept (compressing it unchecked would give back the valid key, KEY-1). */
export function offCurveKeys(): { compressed: Uint8Array; uncompressed: Uint8Array } {
  return { compressed: offCurveCompressed(1), uncompressed: offCurveUncompressed(keyFormsOf(scalarBytes(7n)), true) };
}

const scalarKey = (d: bigint) => privateContainer(scalarBytes(d), 45);

export interface WireVectors {
  operator: { valid: unknown[]; invalid: unknown[] };
  names: { valid: unknown[]; invalid: unknown[] };
  draws: Draw[];
}

/** Builds every case of operator.json and names.json (deterministic: seeded draws, RFC 6979 signatures). */
export async function buildWireVectors(): Promise<WireVectors> {
  const recorder = new Recorder('comrad/vectors/operator/v1');
  return withScriptedCrypto(recorder, async () => {
    const operator = KeyPair.generate();
    const world = KeyPair.generate();
    const alice = KeyPair.generate();
    const bob = KeyPair.generate();
    const other = KeyPair.generate();
    const clientEph = KeyPair.generate();
    const opKey = operator.publicKey;
    const challenge = sha256(utf8('comrad/vectors/challenge'));
    const keys = { operator: keyPairJson(operator), world: keyPairJson(world), alice: keyPairJson(alice), bob: keyPairJson(bob) };

    const valid: unknown[] = [];
    const invalid: unknown[] = [];

    // ---- requests (OP-1, OP-2, OP-7): the frame layout of every op
    const sealedLetter = concatBytes(Uint8Array.of(2), bob.publicKey.bytes(), fromHex('2704262000000000'), new Uint8Array(24).fill(0x5a));
    const post = concatBytes(Uint8Array.of(1), fromHex('00004e9d'), new Uint8Array(60).fill(0x3c));
    const nonce8 = fromHex('0000000000000a3f');
    const request = <O extends Op>(name: string, rules: string[], id: number, op: O, params: Params<O>) => {
      const bytes = encodeRequest(id, op, params);
      valid.push({ kind: 'request', name, rules, op, frame: toTagged(decode(bytes)), hex: hex(bytes) });
      return bytes;
    };
    const authSig = makeAuthProof(alice.privateKey, { challenge, operatorKey: opKey, name: 'alice', at: AT_MS });
    const registerProof = makeRegisterProof(alice.privateKey, 'alice', alice.publicKey, opKey);
    const statement = signStatement(operator.privateKey, 'alice', alice.publicKey, AT_MS);
    const ITEM = '00midc1z400000a1b2c3d4e5f6';
    request('info', ['OP-1', 'OP-7'], 1, 'info', {});
    const registerFrame = request('register with a proof of work', ['OP-1', 'OP-7', 'REG-1', 'REG-6'], 2, 'register', { name: 'alice', key: alice.publicKey, proof: registerProof, pow: nonce8 });
    request('register without proof of work', ['REG-1'], 3, 'register', { name: 'alice', key: alice.publicKey, proof: registerProof });
    request('lookup by name', ['REG-4'], 4, 'lookup', { name: 'bob' });
    const lookupKeyFrame = request('lookup by key', ['REG-4'], 5, 'lookup', { key: bob.publicKey });
    const authFrame = request('auth: at in ms is above 2^32, so uint64 (cf)', ['AUTH-2', 'ENC-9'], 6, 'auth', { name: 'alice', at: AT_MS, sig: authSig });
    request('auth at the largest time', ['AUTH-2'], 7, 'auth', { name: 'alice', at: MAX_TIME_MS, sig: authSig });
    const sendFrame = request('send with ttl, pow and token', ['MB-1', 'MB-5', 'MB-9', 'MB-10'], 8, 'send', { to: 'bob', letter: sealedLetter, ttl: 86_400_000, pow: nonce8, token: fromHex('01') });
    request('send, the least', ['MB-1'], 9, 'send', { to: 'bob', letter: sealedLetter });
    request('send, ttl at its bounds (1 minute)', ['MB-5'], 10, 'send', { to: 'bob', letter: sealedLetter, ttl: 60_000 });
    request('send, ttl at its bounds (366 days)', ['MB-5'], 11, 'send', { to: 'bob', letter: sealedLetter, ttl: 366 * 86_400_000 });
    request('send, pow of 1 byte', ['MB-9'], 12, 'send', { to: 'bob', letter: sealedLetter, pow: fromHex('07') });
    request('send, pow of 32 bytes', ['MB-9'], 13, 'send', { to: 'bob', letter: sealedLetter, pow: new Uint8Array(32).fill(0xff) });
    request('fetch', ['MB-2'], 14, 'fetch', {});
    const fetchLimit = request('fetch with a limit', ['MB-2'], 15, 'fetch', { limit: 100 });
    request('ack', ['MB-3', 'OP-5'], 16, 'ack', { ids: [ITEM, '00midc1z400001ffeeddccbbaa'] });
    request('worldKey, the current epoch', ['FEED-2'], 17, 'worldKey', {});
    const worldKeyFrame = request('worldKey, the largest epoch (uint32)', ['FEED-2'], 18, 'worldKey', { epoch: 0xffffffff });
    const postFrame = request('post', ['FEED-3', 'FEED-4'], 19, 'post', { post, expiresInDays: 30 });
    request('feed, first page', ['FEED-6'], 20, 'feed', {});
    request('feed, a later page', ['FEED-6'], 21, 'feed', { before: ITEM, limit: 20 });
    request('delete', ['FEED-8'], 22, 'delete', { postId: ITEM });
    const entry = new Uint8Array(600).fill(0xe7);
    const colKeys: CollectiveKeys = { name: 'portland', identity: bob, logKey: SymmetricKey.from(new Uint8Array(32).fill(0x4b)) };
    const appendSig = signAppend(colKeys, 3, entry);
    const colAppendFrame = request('colAppend', ['COL-19', 'COL-23'], 23, 'colAppend', { col: 'portland', pos: 3, entry, sig: appendSig });
    request('colRead, first page', ['COL-23'], 24, 'colRead', { col: 'portland', from: 0 });
    const colReadFrame = request('colRead with a limit', ['COL-23'], 25, 'colRead', { col: 'portland', from: 64, limit: 64 });
    // CHAN-6: a channel post's capability and a channel id are 32 opaque bytes; the post is a sealed channel post.
    const chanCap = new Uint8Array(32).fill(0xca);
    const chanId = new Uint8Array(32).fill(0xc1);
    const chanPostBytes = concatBytes(Uint8Array.of(1), new Uint8Array(80).fill(0x7c));
    const chanPostFrame = request('chanPost with a proof of work', ['CHAN-6', 'CHAN-7'], 26, 'chanPost', { cap: chanCap, post: chanPostBytes, expiresInDays: 7, pow: nonce8 });
    request('chanFeed, first page', ['CHAN-8'], 27, 'chanFeed', { chan: chanId });
    const chanFeedFrame = request('chanFeed, a later page', ['CHAN-8'], 28, 'chanFeed', { chan: chanId, before: ITEM, limit: 20 });
    // Unlinkable tokens and votes (TOK-3, TOK-4, TOK-6, VOTE-2): the frames, with fixed stand-in bytes.
    const tokenRequest = concatBytes(fromHex('0002a7'), new Uint8Array(256).fill(0x3b));
    const token = concatBytes(fromHex('0002'), new Uint8Array(352).fill(0x6d));
    const voter = new Uint8Array(32).fill(0x5c);
    request('tokenKeys', ['TOK-4', 'OP-4'], 26, 'tokenKeys', {});
    const tokensFrame = request('tokens, two blinded requests', ['TOK-3'], 27, 'tokens', { requests: [tokenRequest, tokenRequest] });
    const voteFrame = request('vote up, paid with a token', ['VOTE-2', 'TOK-6', 'TOK-10'], 28, 'vote', { post: ITEM, voter, choice: 'up', token });
    request('vote none (a withdrawal)', ['VOTE-2', 'VOTE-4'], 29, 'vote', { post: ITEM, voter, choice: 'none', token });
    request('send paid with a token', ['TOK-11', 'MB-10'], 30, 'send', { to: 'bob', letter: sealedLetter, token });
    // VOTE-7: a vote on a channel post shows the channel's capability, as chanPost does.
    const chanVoteFrame = request('chanVote down, paid with a token', ['VOTE-7', 'TOK-6', 'TOK-10'], 31, 'chanVote', { cap: chanCap, post: ITEM, voter, choice: 'down', token });
    request('chanVote none (a withdrawal)', ['VOTE-7', 'VOTE-9'], 32, 'chanVote', { cap: chanCap, post: ITEM, voter, choice: 'none', token });
    request('the largest request id, 2^32 - 1 (uint32)', ['OP-1'], 2 ** 32 - 1, 'info', {});
    request('request id 0', ['OP-1'], 0, 'info', {});
    // PROF-10, PROF-11: a sealed profile is opaque here but for its clear header (version, tag, epoch, at).
    const sealedProfile = concatBytes(fromHex('01014fc169248100'), new Uint8Array(2).fill(0), new Uint8Array(60).fill(0x9f));
    const profileSetFrame = request('profileSet', ['PROF-10'], 40, 'profileSet', { profile: sealedProfile });
    const profileGetFrame = request('profileGet', ['PROF-11'], 41, 'profileGet', { name: 'alice' });
    // FEED-4, CHAN-7, EVT-8: a ttl ends a post's life sooner than its days, at an event's end.
    const postTtlFrame = request('post with a ttl (gone at an event end, 90 minutes)', ['FEED-4', 'EVT-8'], 42, 'post', { post, expiresInDays: 1, ttl: 5_400_000 });
    const chanPostTtlFrame = request('chanPost with a ttl of 1 minute', ['CHAN-7', 'EVT-8'], 43, 'chanPost', { cap: chanCap, post: chanPostBytes, expiresInDays: 1, ttl: 60_000, pow: nonce8 });

    const badRequest = (name: string, rules: string[], error: string, bytes: VectorBytes) => invalid.push({ kind: 'request', name, rules, error, hex: bytes });
    badRequest('not a map', ['OP-1'], 'MALFORMED', hex(encode([1, 'info'])));
    badRequest('no id', ['OP-1'], 'MALFORMED', hex(rawMap([['op', encode('info')]])));
    badRequest('id 2^32 (uint64): ids are uint32', ['OP-1'], 'MALFORMED', hex(withField(encodeRequest(1, 'info', {}), 'id', uint64(2 ** 32))));
    badRequest('id beyond 2^32', ['OP-1'], 'MALFORMED', hex(withField(encodeRequest(1, 'info', {}), 'id', uint64(2 ** 32 + 1))));
    badRequest('id negative', ['OP-1'], 'MALFORMED', hex(withField(encodeRequest(1, 'info', {}), 'id', encode(-1))));
    badRequest('id as a float', ['OP-1', 'ENC-1'], 'MALFORMED', hex(withField(encodeRequest(1, 'info', {}), 'id', float64(1))));
    badRequest('an unknown op', ['OP-2'], 'UNKNOWN_OP', hex(rawMap([['id', encode(1)], ['op', encode('shout')]])));
    badRequest('an unknown field', ['OP-2', 'ENC-6'], 'MALFORMED', hex(withField(encodeRequest(1, 'fetch', {}), 'x', undefined, [['x', encode(1)]])));
    badRequest('a repeated key', ['ENC-11'], 'MALFORMED', hex(rawMap([...requestParts(fetchLimit), ['limit', encode(5)]])));
    badRequest('a trailing byte', ['ENC-3'], 'TRAILING_BYTES', hex(concatBytes(encodeRequest(1, 'info', {}), Uint8Array.of(0xc0))));
    badRequest('larger than frameBytes (LIM-7)', ['LIMIT-1', 'LIM-7', 'ENC-4'], 'TOO_LARGE', { hex: hex(sendFrame), zeroFillTo: MAX_FRAME_BYTES + 1 });
    badRequest('auth: at as a float64', ['AUTH-2', 'ENC-1'], 'MALFORMED', hex(withField(authFrame, 'at', float64(AT_MS))));
    badRequest('auth: at negative', ['AUTH-2'], 'MALFORMED', hex(withField(authFrame, 'at', encode(-1))));
    badRequest('auth: at beyond the year 9999', ['AUTH-2'], 'MALFORMED', hex(withField(authFrame, 'at', encode(MAX_TIME_MS + 1))));
    badRequest('auth: at as a string', ['AUTH-2', 'ENC-5'], 'MALFORMED', hex(withField(authFrame, 'at', encode(String(AT_MS)))));
    badRequest('auth: sig as a string', ['AUTH-2', 'ENC-5'], 'MALFORMED', hex(withField(authFrame, 'sig', encode('sig'))));
    badRequest('auth: sig of 11 bytes', ['AUTH-2', 'ENC-7'], 'MALFORMED', hex(withField(authFrame, 'sig', encode(new Uint8Array(11)))));
    badRequest('auth: sig of 1025 bytes', ['AUTH-2', 'ENC-7'], 'TOO_LARGE', hex(withField(authFrame, 'sig', encode(new Uint8Array(1025)))));
    badRequest('auth: name not normalised', ['AUTH-2', 'NAME-1'], 'INVALID_NAME', hex(withField(authFrame, 'name', encode('Alice'))));
    badRequest('auth: a name of 33 characters (not a name, whatever its length)', ['AUTH-2', 'NAME-1', 'OP-2'], 'INVALID_NAME', hex(withField(authFrame, 'name', encode('a'.repeat(33)))));
    badRequest('register: pow of 0 bytes', ['REG-6', 'ENC-7'], 'MALFORMED', hex(withField(registerFrame, 'pow', encode(new Uint8Array(0)))));
    badRequest('register: pow of 33 bytes', ['REG-6', 'ENC-7'], 'TOO_LARGE', hex(withField(registerFrame, 'pow', encode(new Uint8Array(33)))));
    badRequest('register: pow as an integer', ['REG-6', 'ENC-5'], 'MALFORMED', hex(withField(registerFrame, 'pow', encode(2623))));
    badRequest('register: a key off the curve', ['REG-1', 'KEY-1'], 'INVALID_KEY', hex(withField(registerFrame, 'key', encode(offCurveKeys().compressed))));
    badRequest('lookup: both name and key', ['REG-4'], 'MALFORMED', hex(withField(lookupKeyFrame, 'name', undefined, [['name', encode('bob')]])));
    badRequest('send: ttl below 1 minute', ['MB-5'], 'MALFORMED', hex(withField(sendFrame, 'ttl', encode(59_999))));
    badRequest('send: ttl above 366 days', ['MB-5'], 'MALFORMED', hex(withField(sendFrame, 'ttl', encode(366 * 86_400_000 + 1))));
    badRequest('send: token of 513 bytes', ['MB-10'], 'TOO_LARGE', hex(withField(sendFrame, 'token', encode(new Uint8Array(513)))));
    badRequest('send: an empty letter', ['MB-1', 'ENC-7'], 'MALFORMED', hex(withField(sendFrame, 'letter', encode(new Uint8Array(0)))));
    badRequest('worldKey: epoch 2^32', ['FEED-2'], 'MALFORMED', hex(withField(worldKeyFrame, 'epoch', encode(2 ** 32))));
    badRequest('worldKey: epoch negative', ['FEED-2'], 'MALFORMED', hex(withField(worldKeyFrame, 'epoch', encode(-1))));
    badRequest('post: expiresInDays 0', ['FEED-4'], 'MALFORMED', hex(withField(postFrame, 'expiresInDays', encode(0))));
    badRequest('post: expiresInDays 367', ['FEED-4'], 'MALFORMED', hex(withField(postFrame, 'expiresInDays', encode(367))));
    badRequest('post: ttl below 1 minute', ['FEED-4'], 'MALFORMED', hex(withField(postTtlFrame, 'ttl', encode(59_999))));
    badRequest('post: ttl above 366 days', ['FEED-4'], 'MALFORMED', hex(withField(postTtlFrame, 'ttl', encode(366 * 86_400_000 + 1))));
    badRequest('post: ttl as a float', ['FEED-4', 'ENC-1'], 'MALFORMED', hex(withField(postTtlFrame, 'ttl', float64(5_400_000))));
    badRequest('fetch: limit 101', ['MB-2'], 'MALFORMED', hex(withField(fetchLimit, 'limit', encode(101))));
    badRequest('colAppend: an entry of 4609 bytes', ['COL-23', 'COL-24'], 'TOO_LARGE', hex(withField(colAppendFrame, 'entry', encode(new Uint8Array(MAX_ENTRY_BYTES + 1)))));
    badRequest('colAppend: an empty entry', ['COL-23', 'ENC-7'], 'MALFORMED', hex(withField(colAppendFrame, 'entry', encode(new Uint8Array(0)))));
    badRequest('colAppend: position 2^32', ['COL-19', 'COL-23'], 'MALFORMED', hex(withField(colAppendFrame, 'pos', encode(2 ** 32))));
    badRequest('colAppend: a collective name not normalised', ['COL-23', 'NAME-1'], 'INVALID_NAME', hex(withField(colAppendFrame, 'col', encode('Portland'))));
    badRequest('colRead: limit 257', ['COL-23'], 'MALFORMED', hex(withField(colReadFrame, 'limit', encode(257))));
    badRequest('chanPost: a capability of 31 bytes', ['CHAN-1', 'CHAN-6'], 'MALFORMED', hex(withField(chanPostFrame, 'cap', encode(new Uint8Array(31)))));
    badRequest('chanPost: a capability of 33 bytes', ['CHAN-1', 'CHAN-6'], 'TOO_LARGE', hex(withField(chanPostFrame, 'cap', encode(new Uint8Array(33)))));
    badRequest('chanPost: an empty post', ['CHAN-6', 'ENC-7'], 'MALFORMED', hex(withField(chanPostFrame, 'post', encode(new Uint8Array(0)))));
    badRequest('chanPost: expiresInDays 0', ['CHAN-7'], 'MALFORMED', hex(withField(chanPostFrame, 'expiresInDays', encode(0))));
    badRequest('chanPost: expiresInDays 367', ['CHAN-7'], 'MALFORMED', hex(withField(chanPostFrame, 'expiresInDays', encode(367))));
    badRequest('chanPost: ttl below 1 minute', ['CHAN-7'], 'MALFORMED', hex(withField(chanPostTtlFrame, 'ttl', encode(59_999))));
    badRequest('chanPost: ttl as a string', ['CHAN-7', 'ENC-5'], 'MALFORMED', hex(withField(chanPostTtlFrame, 'ttl', encode('60000'))));
    badRequest('chanPost: pow of 33 bytes', ['CHAN-7', 'ENC-7'], 'TOO_LARGE', hex(withField(chanPostFrame, 'pow', encode(new Uint8Array(33)))));
    badRequest('chanFeed: a channel id as a string', ['CHAN-1', 'ENC-5'], 'MALFORMED', hex(withField(chanFeedFrame, 'chan', encode(toHex(chanId)))));
    badRequest('chanFeed: limit 101', ['CHAN-8'], 'MALFORMED', hex(withField(chanFeedFrame, 'limit', encode(101))));
    badRequest('profileSet: an empty profile', ['PROF-10', 'ENC-7'], 'MALFORMED', hex(withField(profileSetFrame, 'profile', encode(new Uint8Array(0)))));
    badRequest('profileSet: a profile one byte above its bound', ['PROF-10'], 'TOO_LARGE', hex(withField(profileSetFrame, 'profile', encode(new Uint8Array(MAX_SEALED_PROFILE_BYTES + 1)))));
    badRequest('profileGet: a name not normalised', ['PROF-11', 'NAME-1'], 'INVALID_NAME', hex(withField(profileGetFrame, 'name', encode('Alice'))));
    badRequest('profileGet: a name that is not a string', ['PROF-11', 'ENC-5'], 'MALFORMED', hex(withField(profileGetFrame, 'name', encode(7))));
    badRequest('tokens: no request', ['TOK-3'], 'MALFORMED', hex(withField(tokensFrame, 'requests', encode([]))));
    badRequest('tokens: a request of 258 bytes', ['TOK-3'], 'MALFORMED', hex(withField(tokensFrame, 'requests', encode([tokenRequest.subarray(1)]))));
    badRequest('tokens: 101 requests', ['TOK-3'], 'TOO_LARGE', hex(withField(tokensFrame, 'requests', encode(Array.from({ length: 101 }, () => tokenRequest)))));
    badRequest('vote: a choice that is not up, down or none', ['VOTE-2'], 'MALFORMED', hex(withField(voteFrame, 'choice', encode('sideways'))));
    badRequest('vote: a voter of 31 bytes', ['VOTE-2', 'VOTE-3'], 'MALFORMED', hex(withField(voteFrame, 'voter', encode(voter.subarray(1)))));
    badRequest('vote: a token of 513 bytes', ['VOTE-2', 'TOK-6'], 'TOO_LARGE', hex(withField(voteFrame, 'token', encode(new Uint8Array(513)))));
    badRequest('chanVote: a capability of 31 bytes', ['VOTE-7', 'CHAN-1'], 'MALFORMED', hex(withField(chanVoteFrame, 'cap', encode(chanCap.subarray(1)))));
    badRequest('chanVote: a capability of 33 bytes', ['VOTE-7', 'CHAN-1'], 'TOO_LARGE', hex(withField(chanVoteFrame, 'cap', encode(new Uint8Array(33)))));
    badRequest('chanVote: no capability', ['VOTE-7'], 'MALFORMED', hex(withField(chanVoteFrame, 'cap', undefined)));
    badRequest('chanVote: a channel id instead of a capability', ['VOTE-7', 'OP-2'], 'MALFORMED', hex(withField(chanVoteFrame, 'chan', undefined, [['chan', encode(chanId)]])));
    badRequest('chanVote: a choice that is not up, down or none', ['VOTE-7'], 'MALFORMED', hex(withField(chanVoteFrame, 'choice', encode('sideways'))));
    badRequest('chanVote: a voter of 33 bytes', ['VOTE-7', 'VOTE-8'], 'TOO_LARGE', hex(withField(chanVoteFrame, 'voter', encode(new Uint8Array(33)))));
    badRequest('chanVote: a post id with a space', ['VOTE-7', 'OP-5'], 'MALFORMED', hex(withField(chanVoteFrame, 'post', encode('a b'))));
    badRequest('chanVote: a token of 513 bytes', ['VOTE-7', 'TOK-6'], 'TOO_LARGE', hex(withField(chanVoteFrame, 'token', encode(new Uint8Array(513)))));
    badRequest('ack: 1001 ids', ['MB-3'], 'TOO_LARGE', hex(encodeRequest(1, 'ack', { ids: Array.from({ length: 1001 }, (_, i) => `id${i}`) })));
    badRequest('ack: an id with a space', ['MB-3', 'OP-5'], 'MALFORMED', hex(rawMap([['id', encode(1)], ['op', encode('ack')], ['ids', encode(['a b'])]])));
    badRequest('ack: an id of 65 characters', ['MB-3', 'OP-5'], 'TOO_LARGE', hex(rawMap([['id', encode(1)], ['op', encode('ack')], ['ids', encode(['a'.repeat(65)])]])));

    // ---- responses (OP-1, OP-3): what the Operator answers
    const info: InfoResult = { v: 1, operatorKey: opKey, worldKey: world.publicKey, limits: announcedLimits(resolveLimits()), pow: { register: 20, send: 0 } };
    const response = <O extends Op>(name: string, rules: string[], op: O, id: number, result: Result<O>) => {
      const bytes = encodeOk(id, op, result);
      valid.push({ kind: 'response', name, rules, op, frame: toTagged(decode(bytes)), hex: hex(bytes) });
    };
    response('info, with the default limits', ['OP-2', 'LIMIT-1'], 'info', 1, info);
    response('register', ['REG-4'], 'register', 2, { statement });
    response('lookup', ['REG-4'], 'lookup', 4, { statement });
    response('auth', ['AUTH-6'], 'auth', 6, { name: 'alice' });
    response('send', ['MB-1'], 'send', 8, {});
    response('fetch', ['MB-2'], 'fetch', 14, { items: [{ id: ITEM, letter: sealedLetter, receivedAt: AT_MS }] });
    response('fetch, nothing waiting', ['MB-2'], 'fetch', 15, { items: [] });
    response('ack', ['MB-3'], 'ack', 16, { deleted: 1 });
    response('worldKey', ['FEED-2'], 'worldKey', 17, { epoch: 20_416, sealed: _testing.encryptWithIv(world.privateKey, alice.publicKey, new Uint8Array(32).fill(0x11), new Uint8Array(12).fill(0x22)) });
    response('post', ['FEED-3', 'FEED-4'], 'post', 19, { id: ITEM, expiresAt: AT_MS + 30 * 86_400_000 });
    response('feed, with a next page', ['FEED-6'], 'feed', 20, { posts: [{ id: ITEM, author: 'alice', epoch: 20_416, post, postedAt: AT_MS, expiresAt: AT_MS + 86_400_000 }], next: ITEM });
    response('delete', ['FEED-8'], 'delete', 22, {});
    response('colAppend', ['COL-19', 'COL-23'], 'colAppend', 23, {});
    response('colRead', ['COL-23'], 'colRead', 24, { entries: [entry, new Uint8Array(512).fill(0x5e)], length: 4 });
    response('colRead, a log never written', ['COL-23'], 'colRead', 25, { entries: [], length: 0 });
    response('tokenKeys', ['TOK-4'], 'tokenKeys', 26, { keys: [{ key: new Uint8Array(342).fill(0x30), from: 1_764_374_400_000, until: 1_764_547_199_999 }], budget: 32, periodMs: 86_400_000, send: 'accept' });
    response('tokens, one of two granted (the budget ran out)', ['TOK-3', 'TOK-9'], 'tokens', 27, { responses: [new Uint8Array(256).fill(0x71)], left: 0 });
    response('vote', ['VOTE-2'], 'vote', 28, { up: 3, down: 1 });
    response('feed, a post with its tally', ['VOTE-5', 'FEED-6'], 'feed', 21, { posts: [{ id: ITEM, author: 'alice', epoch: 20_416, post, postedAt: AT_MS, expiresAt: AT_MS + 86_400_000, up: 2, down: 0 }] });
    response('chanPost', ['CHAN-7'], 'chanPost', 26, { id: ITEM, expiresAt: AT_MS + 7 * 86_400_000 });
    response('chanFeed, with a next page', ['CHAN-8', 'CHAN-9'], 'chanFeed', 27, { posts: [{ id: ITEM, post: chanPostBytes, postedAt: AT_MS, expiresAt: AT_MS + 86_400_000 }], next: ITEM });
    response('chanFeed, a channel never written', ['CHAN-8'], 'chanFeed', 28, { posts: [] });
    response('chanVote', ['VOTE-7'], 'chanVote', 31, { up: 0, down: 2 });
    response('chanFeed, a post with its tally', ['VOTE-10', 'CHAN-8'], 'chanFeed', 29, { posts: [{ id: ITEM, post: chanPostBytes, postedAt: AT_MS, expiresAt: AT_MS + 86_400_000, up: 1, down: 4 }] });
    response('profileSet', ['PROF-10'], 'profileSet', 40, { expiresAt: AT_MS + 30 * 86_400_000 });
    response('profileGet', ['PROF-11'], 'profileGet', 41, { profile: sealedProfile, expiresAt: AT_MS + 30 * 86_400_000 });
    const err = encodeErr(6, 'AUTH_FAILED', 'authentication failed');
    valid.push({ kind: 'response', name: 'an error answer', rules: ['OP-3', 'AUTH-5'], frame: toTagged(decode(err)), hex: hex(err) });
    const errNoId = encodeErr(undefined, 'MALFORMED', 'a request must be a map');
    valid.push({ kind: 'response', name: 'an error answer to a request whose id could not be read', rules: ['OP-3'], frame: toTagged(decode(errNoId)), hex: hex(errNoId) });
    const push = encodeMailPush();
    valid.push({ kind: 'response', name: 'the mail push', rules: ['MB-6'], frame: toTagged(decode(push)), hex: hex(push) });

    const badResponse = (name: string, rules: string[], error: string, op: Op, bytes: Uint8Array) => invalid.push({ kind: 'response', name, rules, error, op, hex: hex(bytes) });
    badResponse('an error code outside the closed list', ['OP-3'], 'MALFORMED', 'info', encode({ id: 1, err: { code: 'OOPS', message: 'x' } }));
    badResponse('an error message of 201 characters', ['OP-3'], 'TOO_LARGE', 'info', encode({ id: 1, err: { code: 'INTERNAL', message: 'x'.repeat(201) } }));
    badResponse('a statement of 1025 bytes', ['REG-4', 'LIM-8'], 'TOO_LARGE', 'lookup', encode({ id: 4, ok: { statement: new Uint8Array(1025) } }));
    badResponse('a statement of 11 bytes', ['REG-4', 'LIM-8'], 'MALFORMED', 'lookup', encode({ id: 4, ok: { statement: new Uint8Array(11) } }));
    const infoValue = decode(encodeOk(1, 'info', info)) as { ok: Record<string, unknown> };
    badResponse('chanFeed: a post with up but no down', ['VOTE-10'], 'MALFORMED', 'chanFeed', encode({ id: 29, ok: { posts: [{ id: ITEM, post: chanPostBytes, postedAt: AT_MS, expiresAt: AT_MS + 86_400_000, up: 1 }] } }));
    badResponse('chanVote: a negative tally', ['VOTE-7'], 'MALFORMED', 'chanVote', encode({ id: 31, ok: { up: -1, down: 0 } }));
    badResponse('info of version 2', ['OP-2'], 'MALFORMED', 'info', encode({ id: 1, ok: { ...infoValue.ok, v: 2 } }));
    badResponse('info.pow above 32 bits', ['OP-2', 'REG-6'], 'MALFORMED', 'info', encode({ id: 1, ok: { ...infoValue.ok, pow: { register: 33, send: 0 } } }));
    badResponse('info.limits.fetchItems above the wire bound', ['OP-2', 'MB-2'], 'MALFORMED', 'info', encode({ id: 1, ok: { ...infoValue.ok, limits: { ...(infoValue.ok.limits as object), fetchItems: 101 } } }));
    badResponse('colRead: an entry of 4609 bytes', ['COL-23', 'COL-24'], 'TOO_LARGE', 'colRead', encode({ id: 24, ok: { entries: [new Uint8Array(MAX_ENTRY_BYTES + 1)], length: 1 } }));
    badResponse('colRead: an entry that is not bytes', ['COL-23'], 'MALFORMED', 'colRead', encode({ id: 24, ok: { entries: ['x'], length: 1 } }));
    badResponse('chanFeed: a post with an author (CHAN-9: the Operator names none)', ['CHAN-8', 'CHAN-9', 'ENC-6'], 'MALFORMED', 'chanFeed', encode({ id: 27, ok: { posts: [{ id: ITEM, author: 'alice', post: chanPostBytes, postedAt: 1, expiresAt: 2 }] } }));
    badResponse('chanFeed: 101 posts', ['CHAN-8'], 'TOO_LARGE', 'chanFeed', encode({ id: 27, ok: { posts: Array.from({ length: 101 }, () => ({ id: ITEM, post: chanPostBytes, postedAt: 1, expiresAt: 2 })) } }));
    badResponse('profileGet: a profile one byte above its bound', ['PROF-11'], 'TOO_LARGE', 'profileGet', encode({ id: 41, ok: { profile: new Uint8Array(MAX_SEALED_PROFILE_BYTES + 1), expiresAt: 1 } }));
    badResponse('profileGet: no expiresAt', ['PROF-11'], 'MALFORMED', 'profileGet', encode({ id: 41, ok: { profile: sealedProfile } }));
    badResponse('a feed post whose author is not a name', ['FEED-6', 'NAME-1'], 'INVALID_NAME', 'feed', encode({ id: 1, ok: { posts: [{ id: ITEM, author: 'Alice', epoch: 1, post, postedAt: 1, expiresAt: 2 }] } }));

    // ---- info (LIMIT-*): the reference Operator's defaults, as `info` announces them
    valid.push({ kind: 'info', name: 'the default limits of the reference Operator', rules: ['OP-2', 'LIMIT-1', 'LIMIT-2', 'LIMIT-3', 'MB-2', 'MB-3', 'MB-4', 'MB-5', 'FEED-4', 'FEED-5', 'FEED-6'], limitKeys: [...LIMIT_KEYS], limits: announcedLimits(resolveLimits()) });

    // ---- signed (AUTH-2, REG-3, REG-4, AUTH-7): the exact bytes each signature covers
    const signedCase = (name: string, rules: string[], what: string, message: Record<string, unknown>, signed: Uint8Array, signer: PublicKey) => {
      const m = encode(message);
      valid.push({ kind: 'signed', name, rules, what, message: toTagged(message), messageHex: hex(m), signed: hex(signed), signerKey: hex(signer.bytes()) });
    };
    signedCase('the auth map', ['AUTH-2', 'CRY-2'], 'auth', { ctx: 'comrad/auth/v1', challenge, operator: opKey.bytes(), name: 'alice', at: AT_MS }, authSig, alice.publicKey);
    signedCase('the register proof', ['REG-3', 'CRY-2'], 'register', { ctx: 'comrad/register/v1', name: 'alice', key: alice.publicKey.bytes(), operator: opKey.bytes() }, registerProof, alice.publicKey);
    signedCase('the registry statement', ['REG-4', 'SEAL-1', 'CRY-2'], 'statement', { ctx: 'comrad/lookup/v1', name: 'alice', key: alice.publicKey.bytes(), at: AT_MS }, statement, opKey);
    const made = makeGreeting(operator, world.publicKey, clientEph.publicKey);
    const greeting = decode(made.frame) as Record<string, Uint8Array>;
    const helloMessage = { ctx: 'comrad/hello/v2', client: clientEph.publicKey.bytes(), operator: opKey.bytes(), challenge: greeting.challenge, world: world.publicKey.bytes(), ephemeral: greeting.ephemeral, key: greeting.key };
    signedCase('the greeting', ['AUTH-7', 'AUTH-8', 'CRY-2'], 'greeting', helloMessage, greeting.sig!, opKey);

    const badSigned = (name: string, rules: string[], error: string, what: string, message: Record<string, unknown>, signed: Uint8Array, signer: PublicKey) =>
      invalid.push({ kind: 'signed', name, rules, error, what, message: toTagged(message), messageHex: hex(encode(message)), signed: hex(signed), signerKey: hex(signer.bytes()) });
    const otherOp = other.publicKey;
    badSigned('a register proof made for another Operator', ['REG-3'], 'BAD_SIGNATURE', 'register', { ctx: 'comrad/register/v1', name: 'alice', key: alice.publicKey.bytes(), operator: opKey.bytes() }, makeRegisterProof(alice.privateKey, 'alice', alice.publicKey, otherOp), alice.publicKey);
    badSigned('a register proof for another name', ['REG-3'], 'BAD_SIGNATURE', 'register', { ctx: 'comrad/register/v1', name: 'alice', key: alice.publicKey.bytes(), operator: opKey.bytes() }, makeRegisterProof(alice.privateKey, 'alicia', alice.publicKey, opKey), alice.publicKey);
    badSigned('a statement signed by another key', ['REG-4'], 'BAD_SIGNATURE', 'statement', { ctx: 'comrad/lookup/v1', name: 'alice', key: alice.publicKey.bytes(), at: AT_MS }, signStatement(other.privateKey, 'alice', alice.publicKey, AT_MS), opKey);
    // REG-4, ENC-2: validly signed by the Operator, but not in the one encoding: refused as MALFORMED.
    const statementMessage = { ctx: 'comrad/lookup/v1', name: 'alice', key: alice.publicKey.bytes(), at: AT_MS };
    const nonCanonical = (name: string, bytes: Uint8Array) =>
      invalid.push({ kind: 'signed', name, rules: ['REG-4', 'ENC-2'], error: 'MALFORMED', what: 'statement', message: toTagged(statementMessage), messageHex: hex(bytes), signed: hex(sign(operator.privateKey, bytes)), signerKey: hex(opKey.bytes()) });
    const statementParts = Object.entries(statementMessage).map(([k, v]): [string, Uint8Array] => [k, encode(v)]);
    nonCanonical('a statement with its fields in another order (name first)', rawMap([statementParts[1]!, statementParts[0]!, statementParts[2]!, statementParts[3]!]));
    nonCanonical('a statement whose name is a str 8 (d9 05 …), not a fixstr', rawMap([statementParts[0]!, ['name', fromHex('d905616c696365')], statementParts[2]!, statementParts[3]!]));
    badSigned('an auth proof over another challenge', ['AUTH-2', 'AUTH-5'], 'AUTH_FAILED', 'auth', { ctx: 'comrad/auth/v1', challenge, operator: opKey.bytes(), name: 'alice', at: AT_MS }, makeAuthProof(alice.privateKey, { challenge: new Uint8Array(32), operatorKey: opKey, name: 'alice', at: AT_MS }), alice.publicKey);
    badSigned('an auth proof for another Operator', ['AUTH-2', 'AUTH-5'], 'AUTH_FAILED', 'auth', { ctx: 'comrad/auth/v1', challenge, operator: opKey.bytes(), name: 'alice', at: AT_MS }, makeAuthProof(alice.privateKey, { challenge, operatorKey: otherOp, name: 'alice', at: AT_MS }), alice.publicKey);
    badSigned('an auth proof signed by another key', ['AUTH-2', 'AUTH-5'], 'AUTH_FAILED', 'auth', { ctx: 'comrad/auth/v1', challenge, operator: opKey.bytes(), name: 'alice', at: AT_MS }, makeAuthProof(bob.privateKey, { challenge, operatorKey: opKey, name: 'alice', at: AT_MS }), alice.publicKey);

    // ---- greeting: every input and every random value, so the frame can be made again byte for byte
    const greetDraws = recorder.draws.slice(-4);
    valid.push({
      kind: 'greeting',
      name: 'a greeting made again from its randomness',
      rules: ['AUTH-1', 'AUTH-7', 'AUTH-8'],
      operator: keyPairJson(operator),
      worldKey: hex(world.publicKey.bytes()),
      client: keyPairJson(clientEph),
      // In the order makeGreeting draws them: challenge, session key, ephemeral scalar, the IV wrapping the session key.
      challenge: greetDraws[0]!.hex,
      sessionKey: greetDraws[1]!.hex,
      ephemeral: keyPairJson(new KeyPair(...ephemeralOf(greetDraws[2]!.hex))),
      wrapIv: greetDraws[3]!.hex,
      frame: toTagged(greeting),
      hex: hex(made.frame),
    });

    // ---- the append signature (COL-23): after the greeting, so it draws nothing the greeting's vectors use
    const appendMessage = { ctx: 'comrad/collective/append', col: 'portland', pos: 3, entry: sha256(entry) };
    signedCase('the collective append signature', ['COL-23', 'CRY-2'], 'append', appendMessage, appendSig, bob.publicKey);
    (valid[valid.length - 1] as Record<string, unknown>).entry = hex(entry);
    badSigned('an append signed for another position', ['COL-23'], 'BAD_SIGNATURE', 'append', appendMessage, signAppend(colKeys, 4, entry), bob.publicKey);
    (invalid[invalid.length - 1] as Record<string, unknown>).entry = hex(entry);
    badSigned('an append signed by another key', ['COL-23'], 'BAD_SIGNATURE', 'append', appendMessage, signAppend({ ...colKeys, identity: alice }, 3, entry), bob.publicKey);
    (invalid[invalid.length - 1] as Record<string, unknown>).entry = hex(entry);

    // ---- pow (REG-6, MB-9, POW-*): bit order and nonce type
    const bits = 12;
    const powCase = (what: 'register' | 'send', input: (nonce: Uint8Array) => Uint8Array, fields: Record<string, unknown>) => {
      const found: Record<number, Uint8Array> = {};
      for (let c = 0n; found[bits] === undefined || found[bits - 1] === undefined; c++) {
        const n = new Uint8Array(8);
        new DataView(n.buffer).setBigUint64(0, c);
        const z = leadingZeroBits(sha256(input(n)));
        if (z === bits && !found[bits]) found[bits] = n;
        if (z === bits - 1 && !found[bits - 1]) found[bits - 1] = n;
      }
      const entry = (nonce: Uint8Array) => {
        const bytes = input(nonce);
        return { fields: toTagged({ ...fields, nonce }), inputHex: hex(bytes), digest: hex(sha256(bytes)), zeroBits: leadingZeroBits(sha256(bytes)) };
      };
      const rules = what === 'register' ? ['REG-6', 'POW-1'] : ['MB-9', 'POW-1'];
      valid.push({ kind: 'pow', name: `${what}: a nonce at exactly ${bits} bits`, rules, what, bits, ...entry(found[bits]!) });
      invalid.push({ kind: 'pow', name: `${what}: a near miss, ${bits - 1} bits where ${bits} are asked`, rules, error: 'POW_REQUIRED', what, bits, ...entry(found[bits - 1]!) });
    };
    powCase('register', (n) => registerPowInput(challenge, 'alice', alice.publicKey, n), { ctx: 'comrad/pow/register/v2', challenge, name: 'alice', key: alice.publicKey.bytes() });
    powCase('send', (n) => sendPowInput(challenge, 'bob', sealedLetter, n), { ctx: 'comrad/pow/send/v2', challenge, to: 'bob', letter: sha256(sealedLetter) });

    // ---- world key sealing (FEED-2)
    const epochKey = SymmetricKey.generate();
    const wrapIv = fromHex('a1a2a3a4a5a6a7a8a9aaabac');
    valid.push({
      kind: 'worldKey',
      name: 'an epoch key sealed to a reader',
      rules: ['FEED-1', 'FEED-2', 'KEY-3'],
      world: keyPairJson(world),
      reader: keyPairJson(alice),
      at: AT_MS,
      epoch: Math.floor(AT_MS / 86_400_000),
      epochKey: hex(epochKey.bytes()),
      iv: hex(wrapIv),
      sealed: hex(_testing.encryptWithIv(world.privateKey, alice.publicKey, epochKey.bytes(), wrapIv)),
    });

    // ---- channel (AUTH-9): sealed frames under a given key and IV
    const session = SymmetricKey.generate();
    const frames = [
      { to: 'operator' as const, n: 0, plain: encodeRequest(1, 'auth', { name: 'alice', at: AT_MS, sig: authSig }) },
      { to: 'client' as const, n: 0, plain: encodeOk(1, 'auth', { name: 'alice' }) },
      { to: 'operator' as const, n: 1, plain: encodeRequest(2, 'fetch', {}) },
      { to: 'client' as const, n: 1, plain: encodeMailPush() },
      { to: 'operator' as const, n: 300, plain: encodeRequest(301, 'info', {}) },
    ];
    for (const [i, f] of frames.entries()) {
      const ctx = channelContext(f.to === 'operator' ? 1 : 2, f.n);
      const iv = sha256(utf8(`comrad/vectors/iv/${i}`)).slice(0, 12);
      valid.push({ kind: 'channel', name: `frame ${f.n} to the ${f.to}`, rules: ['AUTH-9', 'AUTH-10', 'CRY-3'], sessionKey: hex(session.bytes()), to: f.to, n: f.n, context: hex(ctx), iv: hex(iv), plain: hex(f.plain), sealed: hex(_testing.cellSealWithIv(session.raw, f.plain, ctx, iv)) });
    }

    return { operator: { valid, invalid }, names: buildNames(keys), draws: recorder.draws };
  });
}

function ephemeralOf(scalarHex: string): [PrivateKey, PublicKey] {
  const k = keyPairOfScalar(fromHex(scalarHex));
  return [PrivateKey.from(k.privateKey), PublicKey.from(k.publicKey)];
}

function buildNames(keys: { alice: KeyPairJson }): { valid: unknown[]; invalid: unknown[] } {
  const valid: unknown[] = [];
  const invalid: unknown[] = [];
  // ---- names (NAME-1..NAME-3)
  const name = (input: string, rules: string[], registrable = true) => valid.push({ kind: 'name', name: JSON.stringify(input), rules, input, normalised: normaliseName(input), registrable });
  name('alice', ['NAME-1']);
  name(' @Alice ', ['NAME-2']);
  name('\t@BOB_1\n', ['NAME-2']);
  name('abc', ['NAME-1']);
  name('a'.repeat(32), ['NAME-1']);
  name('0_9', ['NAME-1']);
  name('Operator', ['NAME-2', 'NAME-3'], false);
  for (const r of [...RESERVED_NAMES].sort()) valid.push({ kind: 'name', name: `reserved: ${r}`, rules: ['NAME-3', 'REG-1'], input: r, normalised: r, registrable: false });
  // NAME-3: a reserved name is a name (it normalises) that `register` refuses.
  for (const r of ['operator', ' @Comrades ', 'ROOT']) invalid.push({ kind: 'registerName', name: `reserved: ${JSON.stringify(r)}`, rules: ['NAME-3', 'REG-1'], error: 'INVALID_NAME', input: r, normalised: normaliseName(r) });
  const badName = (input: string, rules: string[]) => invalid.push({ kind: 'name', name: JSON.stringify(input), rules, error: 'INVALID_NAME', input });
  badName('ab', ['NAME-1']);
  badName('a'.repeat(33), ['NAME-1']);
  badName('', ['NAME-1']);
  badName('alice!', ['NAME-1']);
  badName('al ice', ['NAME-1']);
  badName('@@alice', ['NAME-2']);
  badName('élan', ['NAME-1', 'NAME-2']);
  badName('\u212Aelvin', ['NAME-2']); // KELVIN SIGN: Unicode lowercasing would fold it to k
  badName('ａlice', ['NAME-2']); // FULLWIDTH a
  badName('alice\u200b', ['NAME-2']); // ZERO WIDTH SPACE is not white space to trim

  // ---- keys (KEY-1, KEY-2, CRY-12)
  const off = offCurveKeys();
  invalid.push({ kind: 'publicKey', name: 'a compressed key whose x has no point', rules: ['KEY-1', 'CRY-12'], error: 'INVALID_KEY', key: hex(off.compressed) });
  invalid.push({ kind: 'publicKey', name: 'an uncompressed key off the curve', rules: ['KEY-1', 'CRY-12'], error: 'INVALID_KEY', key: hex(off.uncompressed) });
  invalid.push({ kind: 'publicKey', name: 'the point at infinity', rules: ['KEY-1'], error: 'INVALID_KEY', key: hex(makeContainer('UEC2', new Uint8Array(33))) });
  for (const [label, d] of [['0', 0n], ['n', ORDER], ['n + 1', ORDER + 1n], ['2^256 - 1', 2n ** 256n - 1n]] as const) {
    invalid.push({ kind: 'privateKey', name: `the scalar ${label}`, rules: ['KEY-2', 'CRY-12'], error: 'INVALID_KEY', key: hex(scalarKey(d)) });
  }
  valid.push({ kind: 'privateKey', name: 'the scalar n - 1, the largest', rules: ['KEY-2'], key: hex(scalarKey(ORDER - 1n)), publicKey: hex(keyPairOfScalar(scalarBytes(ORDER - 1n)).publicKey) });
  valid.push({ kind: 'privateKey', name: 'the scalar 1, the smallest', rules: ['KEY-2'], key: hex(scalarKey(1n)), publicKey: hex(keyPairOfScalar(scalarBytes(1n)).publicKey) });

  // ---- size boundaries (LIM-1, LIM-2, LIM-4, LIM-5, LET-9, LET-10)
  const base: Letter = { v: 1, kind: 'dm', from: 'alice', to: 'bob', at: 1_764_000_000, id: fromHex('01'.repeat(16)), body: { text: '' } };
  const image = (n: number): VectorBytes => ({ hex: hex(PNG), zeroFillTo: n });
  const letterCase = (l: { text: string; image?: VectorBytes }) => ({ v: 1, kind: 'dm', from: 'alice', to: 'bob', at: base.at, id: hex(base.id), body: l.image ? { text: l.text, image: { mime: 'image/png', data: l.image } } : { text: l.text } });
  const largest = encodeLetter({ ...base, body: { text: '😀'.repeat(MAX_TEXT_CHARS), image: { mime: 'image/png', data: bytesOfImage(MAX_IMAGE_BYTES) } } });
  valid.push({ kind: 'letter', name: 'an image of 262 144 bytes', rules: ['LIM-2', 'LET-10'], letter: letterCase({ text: '', image: image(MAX_IMAGE_BYTES) }), encodedBytes: encodeLetter({ ...base, body: { text: '', image: { mime: 'image/png', data: bytesOfImage(MAX_IMAGE_BYTES) } } }).length, sha256: hex(sha256(encodeLetter({ ...base, body: { text: '', image: { mime: 'image/png', data: bytesOfImage(MAX_IMAGE_BYTES) } } }))) });
  valid.push({ kind: 'letter', name: 'text of 1000 astral code points and an image of 262 144 bytes: the largest letter, under LIM-4', rules: ['LIM-1', 'LIM-2', 'LIM-4'], letter: letterCase({ text: '😀'.repeat(MAX_TEXT_CHARS), image: image(MAX_IMAGE_BYTES) }), encodedBytes: largest.length, sha256: hex(sha256(largest)) });
  valid.push({ kind: 'letter', name: 'text of 1000 code points', rules: ['LIM-1', 'LET-9'], letter: letterCase({ text: 'a'.repeat(MAX_TEXT_CHARS) }), encodedBytes: encodeLetter({ ...base, body: { text: 'a'.repeat(MAX_TEXT_CHARS) } }).length, sha256: hex(sha256(encodeLetter({ ...base, body: { text: 'a'.repeat(MAX_TEXT_CHARS) } }))) });
  invalid.push({ kind: 'letter', name: 'an image of 262 145 bytes', rules: ['LIM-2', 'LET-10'], error: 'TOO_LARGE', letter: letterCase({ text: '', image: image(MAX_IMAGE_BYTES + 1) }) });
  invalid.push({ kind: 'letter', name: 'text of 1001 code points', rules: ['LIM-1', 'LET-9'], error: 'TOO_LARGE', letter: letterCase({ text: 'a'.repeat(MAX_TEXT_CHARS + 1) }) });
  invalid.push({ kind: 'letter', name: 'text of 1001 astral code points', rules: ['LIM-1', 'LET-9', 'ENC-8'], error: 'TOO_LARGE', letter: letterCase({ text: '😀'.repeat(MAX_TEXT_CHARS + 1) }) });
  invalid.push({ kind: 'signedLetter', name: 'a signed letter of MAX_SIGNED_LETTER_BYTES + 1', rules: ['LIM-5', 'SIG-2'], error: 'TOO_LARGE', signed: { hex: '20260426', zeroFillTo: MAX_SIGNED_LETTER_BYTES + 1 }, authorKey: keys.alice.publicKey });
  invalid.push({ kind: 'signedLetter', name: 'a signed letter of exactly MAX_SIGNED_LETTER_BYTES (past the size check, not a signed message)', rules: ['LIM-5', 'CRY-5'], error: 'BAD_SIGNATURE', signed: { hex: '20260426', zeroFillTo: MAX_SIGNED_LETTER_BYTES }, authorKey: keys.alice.publicKey });
  return { valid, invalid };
}

function bytesOfImage(n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set(PNG);
  return out;
}
