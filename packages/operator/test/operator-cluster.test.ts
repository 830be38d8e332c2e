/**
 * Several Operator processes on one Redis (MB-6, REG-2, FEED-1): registration, mail, pushes and epoch
 * keys are shared, so a comrade may be connected to any of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, toHex, decryptFrom } from '@comrad/core';
import { Keymaker } from '@comrad/core/keymaker';
import { makeRegisterProof } from '@comrad/core/wire';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { ManualClock, freshKeys, readyCrypto, refusedWith, startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';
import { useRedisServer } from '@comrad/test-kit/operator/redis';

const redis = useRedisServer();

describe('two Operator processes on one Redis', () => {
  let stores: Store[];
  let one: TestOperator;
  let two: TestOperator;

  beforeAll(async () => {
    await readyCrypto();
    const prefix = `cluster${toHex(randomBytes(4))}:`;
    stores = [await openStore({ kind: 'redis', url: redis.url, prefix }), await openStore({ kind: 'redis', url: redis.url, prefix })];
    const keys = freshKeys();
    const clock = new ManualClock();
    one = await startTestOperator({ store: stores[0]!, keys, clock });
    two = await startTestOperator({ store: stores[1]!, keys, clock });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    for (const s of stores ?? []) await s.close();
  });

  it('REG-2 a name registered through one is taken on the other', async () => {
    await one.register('alice');
    const rival = Keymaker.generate('alice');
    const c = await two.connect();
    await refusedWith(c.request('register', { name: 'alice', key: rival.publicKey, proof: makeRegisterProof(rival.keys.privateKey, 'alice', rival.publicKey, c.hello.operatorKey) }), 'NAME_TAKEN');
  });

  it('MB-6 a letter sent to one pushes "mail" to the recipient connected to the other, who fetches and acks it there', async () => {
    const bob = await one.register('bob');
    const bobOnTwo = await two.connect();
    await bobOnTwo.auth(bob, two.clock.now());
    const sender = await one.connect();
    const letter = randomBytes(200);
    await sender.request('send', { to: 'bob', letter });
    await bobOnTwo.nextMailPush();
    const { items } = await bobOnTwo.request('fetch', {});
    expect(items.map((i) => toHex(i.letter))).toEqual([toHex(letter)]);
    expect(await bobOnTwo.request('ack', { ids: [items[0]!.id] })).toEqual({ deleted: 1 });
    const bobOnOne = await one.connect();
    await bobOnOne.auth(bob, one.clock.now());
    expect((await bobOnOne.request('fetch', {})).items).toEqual([]);
  });

  it('FEED-1 both processes hand out the same epoch key', async () => {
    const carol = await one.register('carol');
    const [a, b] = [await one.connect(), await two.connect()];
    await a.auth(carol, one.clock.now());
    await b.auth(carol, two.clock.now());
    const open = async (c: typeof a) => toHex(decryptFrom(carol.keys.privateKey, one.keys.world.publicKey, (await c.request('worldKey', {})).sealed));
    const [ka, kb] = await Promise.all([open(a), open(b)]);
    expect(ka).toBe(kb);
  });
});
