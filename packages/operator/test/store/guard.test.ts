/**
 * The argument checks every backend shares (`_guard.ts`), on the memory store: caller mistakes are
 * TypeErrors before anything is stored.
 */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { DAY, ROOMY, T0, bytes, mail, post, randomName } from '@comrad/test-kit/operator/store-conformance';

describe('store argument checks', () => {
  it('refuses malformed arguments with TypeError and stores nothing', async () => {
    const store = await openStore({ kind: 'memory' });
    const bad: Array<() => Promise<unknown>> = [
      () => store.putPairIfAbsent('', bytes(45), T0),
      () => store.putPairIfAbsent('x'.repeat(257), bytes(45), T0),
      () => store.putPairIfAbsent(randomName(), 'key' as unknown as Uint8Array, T0),
      () => store.putPairIfAbsent(randomName(), new Uint8Array(0), T0),
      () => store.putPairIfAbsent(randomName(), bytes(45), Number.NaN),
      () => store.appendMail(randomName(), mail(bytes(1), T0, -1), ROOMY),
      () => store.appendMail(randomName(), mail(bytes(1), T0, T0 + DAY), { maxItems: -1, maxBytes: 1 }),
      () => store.appendMail(randomName(), mail(bytes(1), T0, T0 + DAY), { maxItems: 1.5, maxBytes: 1 }),
      () => store.appendMail(randomName(), mail(bytes(1), T0, T0 + DAY), null as unknown as typeof ROOMY),
      () => store.appendMail(randomName(), mail(bytes(1), Infinity, T0 + DAY), ROOMY),
      () => store.listMail(randomName(), T0, -1),
      () => store.listMail(randomName(), T0, 2.5),
      () => store.deleteMail(randomName(), 'id' as unknown as string[]),
      () => store.appendPost(post({ author: randomName(), sealed: bytes(1), epoch: -1, postedAt: T0, expiresAt: T0 + DAY })),
      () => store.appendPost(post({ author: randomName(), sealed: bytes(1), epoch: 2 ** 32, postedAt: T0, expiresAt: T0 + DAY })),
      () => store.appendPost({ ...post({ author: randomName(), sealed: bytes(1), epoch: 1, postedAt: T0, expiresAt: T0 + DAY }), nonce: 'not hex' }),
      () => store.appendMail(randomName(), { ...mail(bytes(1), T0, T0 + DAY), key: '' }, ROOMY),
      () => store.appendMail(randomName(), { ...mail(bytes(1), T0, T0 + DAY), key: 'k'.repeat(129) }, ROOMY),
      () => store.appendMail(randomName(), { ...mail(bytes(1), T0, T0 + DAY), nonce: 'abc' }, ROOMY),
      () => store.appendMail(randomName(), null as unknown as ReturnType<typeof mail>, ROOMY),
      () => store.appendPost(post({ author: '', sealed: bytes(1), epoch: 1, postedAt: T0, expiresAt: T0 + DAY })),
      () => store.worldKey(1, () => 'key' as unknown as Uint8Array),
      () => store.worldKey(1.5, () => bytes(32)),
      () => store.expire(Number.NaN),
    ];
    for (const call of bad) await expect(call()).rejects.toThrow(TypeError);
    expect(() => store.onMail('x' as unknown as () => void)).toThrow(TypeError);
    expect(await store.dump()).toEqual([]);
    await store.close();
  });

  it('refuses unknown store kinds', async () => {
    await expect(openStore({ kind: 'sqlite' } as never)).rejects.toThrow(TypeError);
    await expect(openStore({ kind: 'lmdb', path: '' })).rejects.toThrow(TypeError);
  });
});
