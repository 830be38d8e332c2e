/**
 * VOTE-3, VOTE-8: the `voter` value of a vote: one per comrade per post and Operator, unrelated across
 * posts, channels, comrades and Operators, and between world and channel votes; and the strict decoders
 * of the `vote` and `chanVote` frames and of a `chanFeed` post's tally (VOTE-2, VOTE-7, VOTE-10).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyPair, ready } from '@comrad/core';
import { chanVoteVoter, decodeRequest, decodeResult, encodeRequest, voteSecret, voteVoter } from '@comrad/core/wire';
import { encode } from '@comrad/core/codec';

beforeAll(() => ready());

describe('VOTE-3 the voter value', () => {
  it('is the same for one comrade, post and Operator, and differs for any other post, comrade or Operator', () => {
    const alice = KeyPair.generate();
    const bob = KeyPair.generate();
    const op = KeyPair.generate().publicKey;
    const other = KeyPair.generate().publicKey;
    const a = voteSecret(alice.privateKey);
    expect(voteSecret(alice.privateKey)).toEqual(a);
    const v = voteVoter(a, op, 'p1');
    expect(v).toHaveLength(32);
    expect(voteVoter(a, op, 'p1')).toEqual(v);
    const others = [voteVoter(a, op, 'p2'), voteVoter(voteSecret(bob.privateKey), op, 'p1'), voteVoter(a, other, 'p1')];
    for (const o of others) expect(Buffer.from(o).equals(Buffer.from(v))).toBe(false);
    expect(() => voteVoter(a.subarray(1), op, 'p1')).toThrow(TypeError);
  });
});

describe('VOTE-2 the vote frame', () => {
  const voter = new Uint8Array(32).fill(7);
  it('round-trips, with and without a token', () => {
    for (const params of [{ post: 'p1', voter, choice: 'up' as const }, { post: 'p1', voter, choice: 'none' as const, token: new Uint8Array(354).fill(1) }]) {
      expect(decodeRequest(encodeRequest(3, 'vote', params))).toEqual({ id: 3, op: 'vote', params });
    }
  });
  it('refuses another choice, a voter of another size, a post that is no id, an unknown field', () => {
    const bad = (params: Record<string, unknown>) => () => decodeRequest(encode({ id: 1, op: 'vote', ...params }));
    expect(bad({ post: 'p1', voter, choice: 'sideways' })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(bad({ post: 'p1', voter: voter.subarray(1), choice: 'up' })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(bad({ post: 'p1', voter: new Uint8Array(33), choice: 'up' })).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(bad({ post: 'a b', voter, choice: 'up' })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(bad({ post: 'p1', voter, choice: 'up', weight: 2 })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(bad({ post: 'p1', voter, choice: 'up', token: new Uint8Array(513) })).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });
});

describe('VOTE-8 the voter value of a channel vote', () => {
  it('is the same for one comrade, channel, post and Operator, and differs for any other, and from the world vote on that id', () => {
    const alice = KeyPair.generate();
    const op = KeyPair.generate().publicKey;
    const [chan, other] = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const a = voteSecret(alice.privateKey);
    const v = chanVoteVoter(a, op, chan, 'p1');
    expect(v).toHaveLength(32);
    expect(chanVoteVoter(a, op, chan, 'p1')).toEqual(v);
    const others = [
      chanVoteVoter(a, op, other, 'p1'),
      chanVoteVoter(a, op, chan, 'p2'),
      chanVoteVoter(voteSecret(KeyPair.generate().privateKey), op, chan, 'p1'),
      chanVoteVoter(a, KeyPair.generate().publicKey, chan, 'p1'),
      voteVoter(a, op, 'p1'),
    ];
    for (const o of others) expect(Buffer.from(o).equals(Buffer.from(v))).toBe(false);
    expect(() => chanVoteVoter(a, op, chan.subarray(1), 'p1')).toThrow(TypeError);
    expect(() => chanVoteVoter(a.subarray(1), op, chan, 'p1')).toThrow(TypeError);
  });
});

describe('VOTE-7 the chanVote frame', () => {
  const voter = new Uint8Array(32).fill(7);
  const cap = new Uint8Array(32).fill(9);
  it('round-trips, with and without a token', () => {
    for (const params of [{ cap, post: 'p1', voter, choice: 'down' as const }, { cap, post: 'p1', voter, choice: 'none' as const, token: new Uint8Array(354).fill(1) }]) {
      expect(decodeRequest(encodeRequest(3, 'chanVote', params))).toEqual({ id: 3, op: 'chanVote', params });
    }
  });
  it('refuses a capability of another size, a missing one, another choice, a voter of another size, a post that is no id, an unknown field', () => {
    const bad = (params: Record<string, unknown>) => () => decodeRequest(encode({ id: 1, op: 'chanVote', ...params }));
    const ok = { cap, post: 'p1', voter, choice: 'up' };
    expect(bad({ ...ok, cap: cap.subarray(1) })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(bad({ ...ok, cap: new Uint8Array(33) })).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(bad({ post: 'p1', voter, choice: 'up' })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(bad({ ...ok, choice: 'sideways' })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(bad({ ...ok, voter: voter.subarray(1) })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(bad({ ...ok, post: 'a b' })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(bad({ ...ok, chan: cap })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(bad({ ...ok, token: new Uint8Array(513) })).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });
  it('VOTE-10 a chanFeed post carries up and down together or neither', () => {
    const post = { id: 'c1', post: new Uint8Array(40), postedAt: 1, expiresAt: 2 };
    expect(decodeResult('chanFeed', { posts: [{ ...post, up: 1, down: 0 }] })).toEqual({ posts: [{ ...post, up: 1, down: 0 }] });
    expect(() => decodeResult('chanFeed', { posts: [{ ...post, up: 1 }] })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => decodeResult('chanFeed', { posts: [{ ...post, up: -1, down: 0 }] })).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
  });
});
