/**
 * Mailbox conformance (MB-3, MB-5, MB-4): delete only on ack, re-deliver until then, expire by deleting,
 * refuse over quota atomically, notify every instance.
 */
import { describe, expect, it, vi } from 'vitest';
import { ComradError } from '@comrad/core';
import type { MailItem, Store } from '@comrad/operator';
import { DAY, ROOMY, T0, bytes, dumpHolds, idOf, randomName, secondInstance, mail, type StoreUnderTest } from './fixtures.js';

/** Puts `n` letters of random bytes for `to`, one ms apart, and returns what was put, with ids. */
async function putLetters(store: Store, to: string, n: number, at = T0): Promise<MailItem[]> {
  const out: MailItem[] = [];
  for (let i = 0; i < n; i++) {
    const sealed = bytes(20 + i);
    const put = await store.appendMail(to, mail(sealed, at + i, at + i + 7 * DAY), ROOMY);
    out.push({ id: idOf(put), sealed, receivedAt: at + i, expiresAt: at + i + 7 * DAY });
  }
  return out;
}

/** Registers the mailbox rules (MB-3, MB-5, MB-4) and notifications for the store `sut()` returns. */
export function mailConformance(sut: () => StoreUnderTest): void {
  describe('mailboxes', () => {
    it('MB-3 listing returns the letters oldest first, exactly as put, and deletes nothing', async () => {
      const { store } = sut();
      const bob = randomName();
      const put = await putLetters(store, bob, 6);
      const ids = put.map((m) => m.id);
      expect(new Set(ids).size).toBe(6);
      expect([...ids].sort()).toEqual(ids); // ids sort in arrival order
      expect(ids.every((id) => id.length <= 64)).toBe(true);
      expect(await store.listMail(bob, T0 + 10, 100)).toEqual(put);
      expect(await store.listMail(bob, T0 + 10, 100)).toEqual(put); // re-delivered: nothing was deleted
      expect(await store.listMail(bob, T0 + 10, 4)).toEqual(put.slice(0, 4));
      expect(await store.listMail(bob, T0 + 10, 0)).toEqual([]);
      expect(await store.listMail(randomName(), T0, 100)).toEqual([]);
    });

    it('MB-3 the store keeps its own copy: changing the bytes after put or after list changes nothing stored', async () => {
      const { store } = sut();
      const bob = randomName();
      const sealed = bytes(32);
      const original = sealed.slice();
      await store.appendMail(bob, mail(sealed, T0, T0 + DAY), ROOMY);
      sealed.fill(0);
      const [listed] = await store.listMail(bob, T0, 1);
      expect(listed!.sealed).toEqual(original);
      listed!.sealed.fill(1);
      expect((await store.listMail(bob, T0, 1))[0]!.sealed).toEqual(original);
    });

    it('MB-3 ids keep arrival order when the clock stands still, steps back, or differs between instances', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      const bob = randomName();
      const ids: string[] = [];
      const times = [T0 + 5, T0 + 5, T0 + 5, T0 + 1, T0, T0 + 9, T0 + 2];
      for (const [i, at] of times.entries()) {
        const put = await stores[i % 2]!.appendMail(bob, mail(bytes(8), at, T0 + DAY), ROOMY);
        ids.push(idOf(put));
      }
      expect(ids).toHaveLength(times.length);
      expect([...ids].sort()).toEqual(ids);
      expect((await target.store.listMail(bob, T0, 10)).map((m) => m.id)).toEqual(ids);
      await target.store.deleteMail(bob, ids);
      const again = await stores[1]!.appendMail(bob, mail(bytes(8), T0, T0 + DAY), ROOMY);
      expect(ids.includes(idOf(again))).toBe(false); // an emptied mailbox never re-issues an id
    });

    it('MB-3 ack deletes exactly the acked letters of that mailbox; other mailboxes and garbage ids are untouched', async () => {
      const { store } = sut();
      const [bob, carol] = [randomName(), randomName()];
      const bobs = await putLetters(store, bob, 5);
      const carols = await putLetters(store, carol, 3);
      const unknown = bobs[0]!.id.slice(0, -1) + (bobs[0]!.id.endsWith('0') ? '1' : '0'); // well-formed, never minted
      const garbage = ['', 'x', '../../etc', 'a'.repeat(10_000), 42, null, { id: 1 }] as unknown as string[];
      const acked = [bobs[1]!.id, bobs[3]!.id, bobs[1]!.id, carols[0]!.id, unknown, ...garbage];
      expect(await store.deleteMail(bob, acked)).toBe(2);
      expect(await store.listMail(bob, T0, 100)).toEqual([bobs[0], bobs[2], bobs[4]]);
      expect(await store.listMail(carol, T0, 100)).toEqual(carols);
      expect(await store.deleteMail(bob, acked)).toBe(0); // already gone
      expect(await store.deleteMail(randomName(), bobs.map((m) => m.id))).toBe(0);
      expect(await store.deleteMail(bob, [])).toBe(0);
      expect(await dumpHolds(store, bobs[1]!.sealed)).toBe(false);
      expect(await dumpHolds(store, bobs[3]!.sealed)).toBe(false);
    });

    it('MB-3 an emptied mailbox leaves nothing behind that names its owner', async () => {
      const { store } = sut();
      const bob = randomName();
      const put = await putLetters(store, bob, 3);
      expect(await dumpHolds(store, bob)).toBe(true);
      expect(await store.deleteMail(bob, put.map((m) => m.id))).toBe(3);
      expect(await dumpHolds(store, bob)).toBe(false);
    });

    it('MB-3 a crash between list and ack loses nothing', async () => {
      const target = sut();
      let store = target.store;
      const bob = randomName();
      const put = await putLetters(store, bob, 4);
      expect(await store.listMail(bob, T0, 100)).toEqual(put); // delivered, then the Operator dies before the ack
      if (target.reopen) store = await target.reopen();
      expect(await store.listMail(bob, T0, 100)).toEqual(put);
      expect(await store.deleteMail(bob, put.slice(0, 2).map((m) => m.id))).toBe(2);
      if (target.reopen) store = await target.reopen();
      expect(await store.listMail(bob, T0, 100)).toEqual(put.slice(2));
    });

    it('MB-3 many concurrent puts to one mailbox (from two instances when the backend has them) lose nothing', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      const bob = randomName();
      const letters = Array.from({ length: 200 }, (_, i) => bytes(16 + (i % 50)));
      const puts = await Promise.all(letters.map((sealed, i) => stores[i % 2]!.appendMail(bob, mail(sealed, T0, T0 + DAY), ROOMY)));
      const ids = puts.map((p) => (typeof p === 'string' ? '' : p.id));
      expect(ids.every((id) => id !== '')).toBe(true);
      expect(new Set(ids).size).toBe(200);
      const listed = await target.store.listMail(bob, T0, 1000);
      expect(listed.map((m) => m.id).sort()).toEqual([...ids].sort());
      const byId = new Map(listed.map((m) => [m.id, m.sealed]));
      ids.forEach((id, i) => expect(byId.get(id)).toEqual(letters[i]));
      expect(listed.map((m) => m.id)).toEqual([...listed.map((m) => m.id)].sort()); // still oldest (smallest id) first
    });

    it('MB-4 a full mailbox (items) refuses with quota and stores nothing; an ack makes room', async () => {
      const { store } = sut();
      const bob = randomName();
      const quota = { maxItems: 3, maxBytes: 1 << 20 };
      const ok = [];
      for (let i = 0; i < 3; i++) ok.push(await store.appendMail(bob, mail(bytes(10), T0, T0 + DAY), quota));
      expect(ok.every((r) => r !== 'quota')).toBe(true);
      const refused = bytes(10);
      expect(await store.appendMail(bob, mail(refused, T0, T0 + DAY), quota)).toBe('quota');
      expect(await dumpHolds(store, refused)).toBe(false);
      expect(await store.listMail(bob, T0, 10)).toHaveLength(3);
      const first = ok[0] as { id: string };
      expect(await store.deleteMail(bob, [first.id])).toBe(1);
      expect(await store.appendMail(bob, mail(refused, T0, T0 + DAY), quota)).not.toBe('quota');
      expect(await store.appendMail(randomName(), mail(bytes(10), T0, T0 + DAY), quota)).not.toBe('quota'); // per mailbox
    });

    it('MB-4 a full mailbox (bytes) refuses with quota and stores nothing', async () => {
      const { store } = sut();
      const bob = randomName();
      const quota = { maxItems: 100, maxBytes: 100 };
      expect(await store.appendMail(bob, mail(bytes(60), T0, T0 + DAY), quota)).not.toBe('quota');
      const refused = bytes(41);
      expect(await store.appendMail(bob, mail(refused, T0, T0 + DAY), quota)).toBe('quota');
      expect(await dumpHolds(store, refused)).toBe(false);
      expect(await store.appendMail(bob, mail(bytes(40), T0, T0 + DAY), quota)).not.toBe('quota'); // exactly full
      expect(await store.appendMail(bob, mail(bytes(1), T0, T0 + DAY), quota)).toBe('quota');
      expect(await store.appendMail(randomName(), mail(bytes(101), T0, T0 + DAY), quota)).toBe('quota'); // larger than the quota
      expect(await store.appendMail(randomName(), mail(bytes(5), T0, T0 + DAY), { maxItems: 0, maxBytes: 100 })).toBe('quota');
      expect((await store.listMail(bob, T0, 10)).map((m) => m.sealed.length)).toEqual([60, 40]);
    });

    it('MB-4 racing puts against the quota (from two instances when the backend has them): exactly the quota is stored', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      for (const quota of [
        { maxItems: 10, maxBytes: 1 << 20 },
        { maxItems: 1000, maxBytes: 10 * 32 },
      ]) {
        const bob = randomName();
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.appendMail(bob, mail(bytes(32), T0, T0 + DAY), quota)));
        expect(results.filter((r) => r !== 'quota')).toHaveLength(10);
        expect(await target.store.listMail(bob, T0, 100)).toHaveLength(10);
      }
    });

    it('MB-5 expired letters are never listed, and expire() deletes their bytes', async () => {
      const { store } = sut();
      const [bob, carol] = [randomName(), randomName()];
      const soon = bytes(30);
      const later = bytes(30);
      const a = await store.appendMail(bob, mail(soon, T0, T0 + 1000), ROOMY);
      const b = await store.appendMail(bob, mail(later, T0, T0 + 5000), ROOMY);
      const c = await store.appendMail(carol, mail(bytes(30), T0, T0 + 1000), ROOMY);
      expect([a, b, c].every((r) => r !== 'quota')).toBe(true);
      expect((await store.listMail(bob, T0 + 999, 10)).map((m) => m.sealed)).toEqual([soon, later]);
      expect((await store.listMail(bob, T0 + 1000, 10)).map((m) => m.sealed)).toEqual([later]); // expiresAt ≤ now: gone
      expect(await store.expire(T0 + 999)).toEqual({ mail: 0, posts: 0 });
      expect(await store.expire(T0 + 1000)).toEqual({ mail: 2, posts: 0 });
      expect(await dumpHolds(store, soon)).toBe(false);
      expect(await dumpHolds(store, later)).toBe(true);
      expect(await dumpHolds(store, carol)).toBe(false);
      expect(await store.listMail(bob, T0, 10)).toHaveLength(1); // deleted, not hidden: even an earlier `now` finds nothing
      expect(await store.expire(T0 + 5000)).toEqual({ mail: 1, posts: 0 });
      expect(await dumpHolds(store, later)).toBe(false);
      expect(await dumpHolds(store, bob)).toBe(false);
      expect(await store.expire(T0 + 6000)).toEqual({ mail: 0, posts: 0 });
    });

    it('MB-5 MB-4 expiry frees the quota it held', async () => {
      const { store } = sut();
      const bob = randomName();
      const quota = { maxItems: 2, maxBytes: 1 << 20 };
      await store.appendMail(bob, mail(bytes(10), T0, T0 + 10), quota);
      await store.appendMail(bob, mail(bytes(10), T0, T0 + 20), quota);
      expect(await store.appendMail(bob, mail(bytes(10), T0 + 15, T0 + 99), quota)).toBe('quota');
      await store.expire(T0 + 15);
      expect(await store.appendMail(bob, mail(bytes(10), T0 + 15, T0 + 99), quota)).not.toBe('quota');
      expect(await store.appendMail(bob, mail(bytes(10), T0 + 15, T0 + 99), quota)).toBe('quota');
    });

    it('onMail tells every instance about mail stored by any instance, and not about refused mail', async () => {
      const target = sut();
      const other = await secondInstance(target);
      const heardHere: string[] = [];
      const heardThere: string[] = [];
      const stopHere = target.store.onMail((to) => heardHere.push(to));
      other.onMail((to) => heardThere.push(to));
      const [bob, full, carol] = [randomName(), randomName(), randomName()];
      await other.appendMail(bob, mail(bytes(8), T0, T0 + DAY), ROOMY);
      await vi.waitFor(() => expect(heardHere).toEqual([bob]));
      await vi.waitFor(() => expect(heardThere).toEqual([bob]));
      expect(await target.store.appendMail(full, mail(bytes(8), T0, T0 + DAY), { maxItems: 0, maxBytes: 0 })).toBe('quota');
      stopHere();
      await target.store.appendMail(carol, mail(bytes(8), T0, T0 + DAY), ROOMY);
      // Notifications arrive in order, so once carol's is heard the refused one would have been heard too.
      await vi.waitFor(() => expect(heardThere).toEqual([bob, carol]));
      expect(heardHere).toEqual([bob]); // unsubscribed
    });

    it('a closed store refuses further calls', async () => {
      const { store } = sut();
      await store.close();
      await expect(store.listMail(randomName(), T0, 1)).rejects.toSatisfy((e) => ComradError.is(e, 'INTERNAL'));
      await expect(store.putPairIfAbsent(randomName(), bytes(45), T0)).rejects.toSatisfy((e) => ComradError.is(e, 'INTERNAL'));
      await store.close(); // closing twice is harmless
    });
  });
}
