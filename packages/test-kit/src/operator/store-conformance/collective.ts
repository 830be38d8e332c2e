/**
 * Collective logs (COL-19, COL-22): compare-and-append on the position, reads from a position, the
 * bounds, a retry of the same bytes, nothing stored on a refusal, persistence, and one winner when two
 * appends race for one position (from two instances when the backend has them).
 */
import { describe, expect, it } from 'vitest';
import type { LogQuota } from '@comrad/operator';
import { DAY, T0, bytes, randomName, secondInstance, type StoreUnderTest } from './fixtures.js';

const ROOMY_LOG: LogQuota = { maxEntries: 1_000_000 };

/** Registers the collective-log cases for the store `sut()` returns. */
export function collectiveConformance(sut: () => StoreUnderTest): void {
  describe('collective logs', () => {
    it('COL-19 COL-22 appends at the expected position only, and reads entries from a position', async () => {
      const { store } = sut();
      const log = randomName();
      expect(await store.readEntries(log, 0, 10)).toEqual({ entries: [], length: 0 });
      const e = [bytes(100), bytes(200), bytes(300)];
      expect(await store.appendEntry(log, 0, e[0]!, ROOMY_LOG)).toBe('ok');
      expect(await store.appendEntry(log, 0, bytes(100), ROOMY_LOG)).toBe('stale'); // the position is taken
      expect(await store.appendEntry(log, 2, e[1]!, ROOMY_LOG)).toBe('stale'); // a gap
      expect(await store.appendEntry(log, 1, e[1]!, ROOMY_LOG)).toBe('ok');
      expect(await store.appendEntry(log, 2, e[2]!, ROOMY_LOG)).toBe('ok');
      expect(await store.readEntries(log, 0, 10)).toEqual({ entries: e, length: 3 });
      expect(await store.readEntries(log, 1, 1)).toEqual({ entries: [e[1]], length: 3 });
      expect(await store.readEntries(log, 3, 10)).toEqual({ entries: [], length: 3 });
      expect(await store.readEntries(log, 9, 10)).toEqual({ entries: [], length: 3 });
      expect(await store.readEntries(log, 0, 0)).toEqual({ entries: [], length: 3 });
      // Another log is another sequence.
      expect(await store.readEntries(randomName(), 0, 10)).toEqual({ entries: [], length: 0 });
    });

    it('COL-22 the same bytes again at their own position are a no-op answered ok (a retry), other bytes stale', async () => {
      const { store } = sut();
      const log = randomName();
      const entry = bytes(64);
      expect(await store.appendEntry(log, 0, entry, ROOMY_LOG)).toBe('ok');
      const held = await store.storedBytes();
      expect(await store.appendEntry(log, 0, entry.slice(), ROOMY_LOG)).toBe('ok');
      const other = entry.slice();
      other[63] = other[63]! ^ 1;
      expect(await store.appendEntry(log, 0, other, ROOMY_LOG)).toBe('stale');
      expect(await store.readEntries(log, 0, 10)).toEqual({ entries: [entry], length: 1 });
      expect(await store.storedBytes()).toBe(held);
    });

    it('COL-22 STORE-2 a full log and a full store refuse, storing nothing; entries count in the store bytes', async () => {
      const { store } = sut();
      const log = randomName();
      const before = await store.storedBytes();
      expect(await store.appendEntry(log, 0, bytes(10), { maxEntries: 2 })).toBe('ok');
      expect(await store.appendEntry(log, 1, bytes(10), { maxEntries: 2 })).toBe('ok');
      expect(await store.appendEntry(log, 2, bytes(10), { maxEntries: 2 })).toBe('full');
      expect(await store.storedBytes()).toBe(before + 20);
      expect(await store.appendEntry(log, 2, bytes(10), { maxEntries: 10, storageBytes: before + 29 })).toBe('storage-full');
      expect(await store.readEntries(log, 0, 10)).toMatchObject({ length: 2 });
      expect(await store.storedBytes()).toBe(before + 20);
      expect(await store.appendEntry(log, 2, bytes(10), { maxEntries: 10, storageBytes: before + 30 })).toBe('ok');
      expect(await store.storedBytes()).toBe(before + 30);
    });

    it('COL-22 entries never expire and survive a restart', async () => {
      const current = sut();
      const log = randomName();
      const entry = bytes(50);
      expect(await current.store.appendEntry(log, 0, entry, ROOMY_LOG)).toBe('ok');
      await current.store.expire(T0 + 10_000 * DAY);
      const store = current.reopen ? await current.reopen() : current.store;
      expect(await store.readEntries(log, 0, 10)).toEqual({ entries: [entry], length: 1 });
      expect(await store.storedBytes()).toBe(50);
      expect(await store.appendEntry(log, 1, bytes(5), ROOMY_LOG)).toBe('ok');
    });

    it('COL-20 COL-22 a dump holds the log name, positions and the entry bytes: no time, no appender', async () => {
      const { store } = sut();
      const log = randomName();
      const entry = bytes(40);
      await store.appendEntry(log, 0, entry, ROOMY_LOG);
      const dump = await store.dump();
      const mine = dump.filter(([k]) => k.includes(log));
      expect(mine.length).toBeGreaterThan(0);
      for (const [key, value] of mine) {
        // The key names the log and at most a position; the value is the entry or a count.
        expect(key.replace(log, '')).toMatch(/^[a-z:/#]*\d*$/);
        if (typeof value !== 'string' && value.length === entry.length) expect(value).toEqual(entry);
        else expect(value.length).toBeLessThanOrEqual(8);
      }
    });

    it('COL-19 two appends at one position at once: exactly one is stored', async () => {
      const a = sut().store;
      const b = await secondInstance(sut());
      for (let round = 0; round < 20; round++) {
        const log = randomName();
        const [x, y] = [bytes(32), bytes(32)];
        const results = await Promise.all([a.appendEntry(log, 0, x, ROOMY_LOG), b.appendEntry(log, 0, y, ROOMY_LOG)]);
        expect([...results].sort()).toEqual(['ok', 'stale']);
        const page = await b.readEntries(log, 0, 10);
        expect(page).toEqual({ entries: [results[0] === 'ok' ? x : y], length: 1 });
      }
    });
  });
}
