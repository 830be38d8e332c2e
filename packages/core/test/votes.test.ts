/**
 * VOTE-3: the `voter` value of a vote: one per comrade per post and Operator, unrelated across posts,
 * comrades and Operators; and the `vote` frame's strict decoder (VOTE-2).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyPair, ready } from '@comrad/core';
import { decodeRequest, encodeRequest, voteSecret, voteVoter } from '@comrad/core/wire';
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
