/**
 * Registry conformance (REG-2, REG-2): names and keys are unique and permanent; registration is atomic.
 */
import { describe, expect, it } from 'vitest';
import type { RegisterResult, Store } from '@comrad/operator';
import { DAY, T0, bytes, randomName, secondInstance, type StoreUnderTest } from './fixtures.js';

/** Registers the registry rules (REG-2, REG-2) for the store `sut()` returns. */
export function registryConformance(sut: () => StoreUnderTest): void {
  describe('registry', () => {
    it('REG-2 registers a name with a key; both lookups answer, unknown ones do not', async () => {
      const { store } = sut();
      const [name, key] = [randomName(), bytes(45)];
      expect(await store.putPairIfAbsent(name, key, T0)).toBe('ok');
      expect(await store.keyOf(name)).toEqual(key);
      expect(await store.nameOf(key)).toBe(name);
      expect(await store.keyOf(randomName())).toBeUndefined();
      expect(await store.nameOf(bytes(45))).toBeUndefined();
    });

    it('REG-2 a taken name and a taken key stay taken, also after expiry and a restart', async () => {
      const target = sut();
      let store: Store = target.store;
      const [name, key] = [randomName(), bytes(45)];
      expect(await store.putPairIfAbsent(name, key, T0)).toBe('ok');
      const check = async (s: Store) => {
        expect(await s.putPairIfAbsent(name, bytes(45), T0 + 1)).toBe('name-taken');
        expect(await s.putPairIfAbsent(randomName(), key, T0 + 1)).toBe('key-taken');
        expect(await s.putPairIfAbsent(name, key, T0 + 1)).toBe('name-taken'); // even the same pair: no re-binding
        expect(await s.keyOf(name)).toEqual(key);
        expect(await s.nameOf(key)).toBe(name);
      };
      await check(store);
      await store.expire(T0 + 10_000 * DAY, 1_000_000); // expiry never touches the registry
      await check(store);
      if (target.reopen) {
        store = await target.reopen();
        await check(store);
      }
    });

    it('REG-2 a refused registration stores nothing', async () => {
      const { store } = sut();
      const [name, key, otherName, otherKey] = [randomName(), bytes(45), randomName(), bytes(45)];
      await store.putPairIfAbsent(name, key, T0);
      expect(await store.putPairIfAbsent(name, otherKey, T0)).toBe('name-taken');
      expect(await store.putPairIfAbsent(otherName, key, T0)).toBe('key-taken');
      expect(await store.nameOf(otherKey)).toBeUndefined();
      expect(await store.keyOf(otherName)).toBeUndefined();
      expect(await store.putPairIfAbsent(otherName, otherKey, T0)).toBe('ok');
    });

    it('REG-2 racing registrations of one name (from two instances when the backend has them): exactly one wins', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      for (let round = 0; round < 25; round++) {
        const name = randomName();
        const keys = Array.from({ length: 8 }, () => bytes(45));
        const results = await Promise.all(keys.map((k, i) => stores[i % 2]!.putPairIfAbsent(name, k, T0)));
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r !== 'ok').every((r) => r === 'name-taken')).toBe(true);
        const winner = keys[results.indexOf('ok')]!;
        for (const s of stores) expect(await s.keyOf(name)).toEqual(winner);
        for (const k of keys) expect(await stores[1]!.nameOf(k)).toBe(k === winner ? name : undefined);
      }
    });

    it('REG-2 racing registrations of one key under different names: exactly one wins', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      for (let round = 0; round < 25; round++) {
        const key = bytes(45);
        const names = Array.from({ length: 8 }, randomName);
        const results: RegisterResult[] = await Promise.all(names.map((n, i) => stores[i % 2]!.putPairIfAbsent(n, key, T0)));
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r !== 'ok').every((r) => r === 'key-taken')).toBe(true);
        const winner = names[results.indexOf('ok')]!;
        expect(await stores[0]!.nameOf(key)).toBe(winner);
        for (const n of names) expect(await stores[1]!.keyOf(n)).toEqual(n === winner ? key : undefined);
      }
    });
  });
}
