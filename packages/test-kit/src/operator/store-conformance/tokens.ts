/**
 * Unlinkable tokens in the store (TOK-4, TOK-8, TOK-9): one issuer key per period whoever creates it
 * first, a budget no set of racing takes goes past, a nonce burned exactly once (a retry of the same action
 * is `held`), everything of a period gone with the sweep, and all of it surviving a restart.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChanQuota, Store, StoredPin, TokenSpend } from '@comrad/operator';
import { DAY, ROOMY, T0, bytes, keyOf, mail, nonce, randomName, secondInstance, valueBytes, type StoreUnderTest } from './fixtures.js';

const P = 20_000;
const hex = () => randomBytes(32).toString('hex');

/** A store's dump as sorted lines (backends list in any order). */
export async function dumpLines(store: Store): Promise<string[]> {
  return (await store.dump()).map(([k, v]) => `${k}=${Buffer.from(valueBytes(v)).toString('hex')}`).sort();
}

/**
 * A put a token pays for (TOK-8), as each paid primitive makes it: `put(store, i, spend)` writes item `i`
 * (the same `i` is the same item: a retry), `refused(store, spend)` one the store refuses (a bound, an
 * unknown pin); `ok` tells a success from a refusal.
 */
interface PaidPut {
  readonly name: string;
  put(store: Store, i: number, spend: TokenSpend): Promise<unknown>;
  refused(store: Store, spend: TokenSpend): Promise<unknown>;
  ok(result: unknown): boolean;
}

const ROOMY_CHAN: ChanQuota = { maxPosts: 1_000_000, maxRecent: 1_000_000, since: 0 };
const RULE = { confirmMs: 60_000, denyMs: 60_000, maxLifeMs: DAY };
const stored = (r: unknown) => typeof r === 'object' && r !== null;

/** The paid puts of one test: the items' bytes and names are drawn once, so `put(i)` twice is one item. */
function paidPuts(): PaidPut[] {
  const to = randomName();
  const chan = keyOf(bytes(16));
  const letters = Array.from({ length: 8 }, () => bytes(40));
  const pinIds = Array.from({ length: 8 }, () => randomBytes(16).toString('hex'));
  const pinOf = (id: string): StoredPin => ({ id, cell: 'u33dc1r', kind: 'police', note: '', createdAt: T0, expiresAt: T0 + DAY, confirms: 0, denies: 0 });
  const voted = pinIds[0]!;
  const voters = Array.from({ length: 8 }, () => hex());
  let pinned = false;
  return [
    {
      name: 'appendMail (TOK-11)',
      put: (store, i, spend) => store.appendMail(to, mail(letters[i]!, T0, T0 + DAY), ROOMY, spend),
      refused: (store, spend) => store.appendMail(to, mail(bytes(40), T0, T0 + DAY), { maxItems: 0, maxBytes: 1 }, spend),
      ok: stored,
    },
    {
      name: 'appendChanPost (EVT-15)',
      put: (store, i, spend) => store.appendChanPost(chan, { sealed: letters[i]!, postedAt: T0, expiresAt: T0 + DAY, key: keyOf(letters[i]!), nonce: nonce() }, ROOMY_CHAN, spend),
      refused: (store, spend) => store.appendChanPost(chan, { sealed: bytes(40), postedAt: T0, expiresAt: T0 + DAY, key: keyOf(bytes(8)), nonce: nonce() }, { ...ROOMY_CHAN, maxPosts: 0 }, spend),
      ok: stored,
    },
    {
      name: 'putPin (PIN-10)',
      put: (store, i, spend) => store.putPin(pinOf(pinIds[i]!), 1_000_000, spend),
      refused: (store, spend) => store.putPin(pinOf(randomBytes(16).toString('hex')), 0, spend),
      ok: (r) => r === 'ok' || r === 'held',
    },
    {
      name: 'votePin (PIN-10)',
      put: async (store, i, spend) => {
        if (!pinned) await store.putPin(pinOf(voted), 1_000_000);
        pinned = true;
        return store.votePin(voted, voters[i]!, 'confirm', T0, RULE, spend);
      },
      refused: (store, spend) => store.votePin(randomBytes(16).toString('hex'), hex(), 'confirm', T0, RULE, spend),
      ok: stored,
    },
  ];
}

/** Registers the token cases for the store `sut()` returns. */
export function tokenConformance(sut: () => StoreUnderTest): void {
  describe('tokens', () => {
    it('TOK-4 an issuer key is created once per period; racing creators agree on the first one stored', async () => {
      const a = sut().store;
      const b = await secondInstance(sut());
      const made: Uint8Array[] = [];
      const create = async () => {
        const v = bytes(64);
        made.push(v);
        await new Promise((r) => setTimeout(r, 5));
        return v;
      };
      // Reading creates nothing.
      expect(await a.issuerKey(P)).toBeUndefined();
      expect(await b.issuerKey(P)).toBeUndefined();
      const got = await Promise.all([a.issuerKey(P, create), b.issuerKey(P, create), a.issuerKey(P, create)]);
      expect(await b.issuerKey(P)).toEqual(got[0]);
      expect(got[1]).toEqual(got[0]);
      expect(got[2]).toEqual(got[0]);
      expect(made.some((m) => Buffer.from(m).equals(Buffer.from(got[0]!)))).toBe(true);
      expect(await b.issuerKey(P, async () => bytes(64))).toEqual(got[0]);
      expect(await a.issuerKey(P + 1, async () => bytes(64))).not.toEqual(got[0]);
    });

    it('TOK-9 a budget grants up to its bound, per name and period, and answers what is left', async () => {
      const { store } = sut();
      const name = randomName();
      expect(await store.takeTokens(P, name, 3, 5)).toEqual({ granted: 3, left: 2 });
      expect(await store.takeTokens(P, name, 3, 5)).toEqual({ granted: 2, left: 0 });
      expect(await store.takeTokens(P, name, 1, 5)).toEqual({ granted: 0, left: 0 });
      expect(await store.takeTokens(P, randomName(), 5, 5)).toEqual({ granted: 5, left: 0 });
      expect(await store.takeTokens(P + 1, name, 2, 5)).toEqual({ granted: 2, left: 3 });
    });

    it('TOK-9 takes that race from two instances never grant more than the bound together', async () => {
      const a = sut().store;
      const b = await secondInstance(sut());
      const name = randomName();
      const takes = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).takeTokens(P, name, 3, 10)));
      expect(takes.reduce((n, t) => n + t.granted, 0)).toBe(10);
    });

    it('TOK-8 a nonce is burned once: the same action again is held, another action is spent, nothing written', async () => {
      const { store } = sut();
      const n = hex();
      const action = hex();
      expect(await store.spendToken(P, n, action)).toBe('ok');
      const before = await dumpLines(store);
      expect(await store.spendToken(P, n, action)).toBe('held');
      expect(await store.spendToken(P, n, hex())).toBe('spent');
      expect(await dumpLines(store)).toEqual(before);
      // The same nonce under another period's key is another token.
      expect(await store.spendToken(P + 1, n, hex())).toBe('ok');
    });

    it('TOK-8 spends of one nonce that race from two instances: exactly one is ok', async () => {
      const a = sut().store;
      const b = await secondInstance(sut());
      for (let round = 0; round < 5; round++) {
        const n = hex();
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).spendToken(P, n, hex())));
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r === 'spent')).toHaveLength(5);
      }
    });

    it('TOK-4 TOK-8 the sweep deletes keys, budgets and nonces of the periods below its bound, and keeps the rest; all of it survives a restart', async () => {
      const current = sut();
      const name = randomName();
      const old = hex();
      const kept = hex();
      const action = hex();
      await current.store.issuerKey(P - 1, async () => bytes(32));
      const key = await current.store.issuerKey(P, async () => bytes(32));
      await current.store.takeTokens(P - 1, name, 2, 4);
      await current.store.takeTokens(P, name, 1, 4);
      expect(await current.store.spendToken(P - 1, old, action)).toBe('ok');
      expect(await current.store.spendToken(P, kept, action)).toBe('ok');
      expect(await current.store.expireTokens(P)).toBe(1);
      expect(await current.store.expireTokens(P)).toBe(0);
      const store = current.reopen ? await current.reopen() : current.store;
      expect(await store.spendToken(P, kept, action)).toBe('held');
      expect(await store.spendToken(P - 1, old, hex())).toBe('ok'); // forgotten: its key is gone too
      expect(await store.takeTokens(P, name, 4, 4)).toEqual({ granted: 3, left: 0 });
      expect(await store.takeTokens(P - 1, name, 4, 4)).toEqual({ granted: 4, left: 0 });
      expect(await store.issuerKey(P, async () => bytes(32))).toEqual(key);
    });

    it('TOK-7 TOK-8 a paid put burns its token in its own step: refused, nothing is burned; accepted, it is; another action with it is spent, nothing written', async () => {
      const { store } = sut();
      for (const paid of paidPuts()) {
        const n = hex();
        const spend = { period: P, nullifier: n, action: hex() };
        const before = await dumpLines(store);
        expect(paid.ok(await paid.refused(store, spend)), paid.name).toBe(false);
        expect(await dumpLines(store), paid.name).toEqual(before);
        expect(paid.ok(await paid.put(store, 1, spend)), paid.name).toBe(true);
        // Burned for that action, by the put itself.
        expect(await store.spendToken(P, n, spend.action), paid.name).toBe('held');
        const after = await dumpLines(store);
        expect(await paid.put(store, 2, { ...spend, action: hex() }), paid.name).toBe('spent');
        expect(await dumpLines(store), paid.name).toEqual(after);
        // A retry of the same action with the same token is no second item and no second burn.
        await paid.put(store, 1, spend);
        expect(await dumpLines(store), paid.name).toEqual(after);
      }
    });

    it('TOK-8 a paid put of an item already held (an answer, not a refusal) burns the new token too', async () => {
      const { store } = sut();
      for (const paid of paidPuts().filter((x) => !x.name.startsWith('votePin'))) {
        const first = { period: P, nullifier: hex(), action: hex() };
        const again = { period: P, nullifier: hex(), action: first.action };
        expect(paid.ok(await paid.put(store, 3, first)), paid.name).toBe(true);
        expect(paid.ok(await paid.put(store, 3, again)), paid.name).toBe(true);
        expect(await store.spendToken(P, again.nullifier, hex()), paid.name).toBe('spent');
      }
    });

    it('TOK-8 paid puts of one nonce that race from two instances, each for another item: exactly one is stored', async () => {
      const a = sut().store;
      const b = await secondInstance(sut());
      for (const paid of paidPuts()) {
        const n = hex();
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => paid.put(i % 2 ? a : b, i + 1, { period: P, nullifier: n, action: hex() })));
        expect(results.filter((r) => paid.ok(r)), paid.name).toHaveLength(1);
        expect(results.filter((r) => r === 'spent'), paid.name).toHaveLength(5);
      }
    });

    it('TOK-8 TOK-13 what a dump shows of tokens: periods, nonces, action digests, names with counts — no key of a name next to a nonce', async () => {
      const { store } = sut();
      const name = randomName();
      await store.takeTokens(P, name, 2, 4);
      const n = hex();
      const action = hex();
      await store.spendToken(P, n, action);
      const dump = await store.dump();
      const withNonce = dump.filter(([k, v]) => k.includes(n) || (typeof v === 'string' ? v : Buffer.from(v).toString('latin1')).includes(n));
      expect(withNonce.length).toBeGreaterThan(0);
      for (const [k, v] of withNonce) {
        expect(k).not.toContain(name);
        expect(typeof v === 'string' ? v : Buffer.from(v).toString('latin1')).not.toContain(name);
      }
    });
  });
}
