/**
 * Danger pins (PIN-5, PIN-6, PIN-8): put once per id within the store's bound, prefix listing of live pins
 * only, votes once per nullifier that move the expiry by the policy's rule (capped), expiry by time and by
 * the sweep (with the nullifiers), persistence, and votes and puts that race from two instances.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PinVoteRule, Store, StoredPin } from '@comrad/operator';
import { T0, contains, secondInstance, valueBytes, type StoreUnderTest } from './fixtures.js';

const HOUR = 3_600_000;
const RULE: PinVoteRule = { confirmMs: HOUR / 2, denyMs: HOUR / 2, maxLifeMs: 12 * HOUR };
const ROOM = 1_000_000;

/** A pin as the policy hands it to the store: a random id, no author. */
function pin(cell: string, fields: Partial<StoredPin> = {}): StoredPin {
  return { id: randomBytes(16).toString('hex'), cell, kind: 'police', note: '', createdAt: T0, expiresAt: T0 + 2 * HOUR, confirms: 0, denies: 0, ...fields };
}

const nullifier = () => randomBytes(32).toString('hex');
const ids = (pins: readonly StoredPin[]) => pins.map((p) => p.id).sort();

interface PinModel {
  now: number;
  /** Pins held (expired or not, until swept), by slot, with the nullifiers that voted on each. */
  readonly held: Map<number, { pin: StoredPin; voted: Set<number> }>;
}

interface PinReal {
  readonly stores: readonly Store[];
  /** Fresh ids and cells per run, so runs on one store never meet. */
  readonly ids: readonly string[];
  readonly cells: readonly string[];
  readonly nullifiers: readonly string[];
}

type PinCommand = fc.AsyncCommand<PinModel, PinReal>;
const MAX_PINS = 4;
/** A rule whose cap a few confirms reach, and whose confirms and denies differ, so the sums are tested. */
const MODEL_RULE: PinVoteRule = { confirmMs: HOUR, denyMs: HOUR / 2, maxLifeMs: 3.5 * HOUR };

/** The model's vote (PIN-6), written out apart from the stores' `movePin`. */
function modelVote(p: StoredPin, vote: 'confirm' | 'deny'): StoredPin {
  if (vote === 'deny') return { ...p, denies: p.denies + 1, expiresAt: Math.max(0, p.expiresAt - MODEL_RULE.denyMs) };
  const capped = Math.min(p.expiresAt + MODEL_RULE.confirmMs, p.createdAt + MODEL_RULE.maxLifeMs);
  return { ...p, confirms: p.confirms + 1, expiresAt: Math.max(p.expiresAt, capped) };
}

class PutPinCmd implements PinCommand {
  constructor(readonly slot: number, readonly cell: number, readonly ttl: number, readonly via: number) {}
  check = () => true;
  async run(m: PinModel, r: PinReal): Promise<void> {
    const pin: StoredPin = { id: r.ids[this.slot]!, cell: r.cells[this.cell]!, kind: 'danger', note: `n${this.slot}`, createdAt: m.now, expiresAt: m.now + this.ttl, confirms: 0, denies: 0 };
    const expected = m.held.has(this.slot) ? 'held' : m.held.size + 1 > MAX_PINS ? 'full' : 'ok';
    expect(await r.stores[this.via % r.stores.length]!.putPin(pin, MAX_PINS)).toBe(expected);
    if (expected === 'ok') m.held.set(this.slot, { pin, voted: new Set() });
  }
  toString = () => `put(${this.slot}, cell ${this.cell}, ttl ${this.ttl}, via ${this.via})`;
}

class VotePinCmd implements PinCommand {
  constructor(readonly slot: number, readonly voter: number, readonly vote: 'confirm' | 'deny', readonly via: number) {}
  check = () => true;
  async run(m: PinModel, r: PinReal): Promise<void> {
    const held = m.held.get(this.slot);
    const expected = !held ? 'not-found' : held.pin.expiresAt <= m.now ? 'expired' : held.voted.has(this.voter) ? 'duplicate' : undefined;
    const got = await r.stores[this.via % r.stores.length]!.votePin(r.ids[this.slot]!, r.nullifiers[this.voter]!, this.vote, m.now, MODEL_RULE);
    if (expected) return void expect(got).toBe(expected);
    held!.voted.add(this.voter);
    held!.pin = modelVote(held!.pin, this.vote);
    expect(got).toEqual({ expiresAt: held!.pin.expiresAt, confirms: held!.pin.confirms, denies: held!.pin.denies });
  }
  toString = () => `vote(${this.slot}, voter ${this.voter}, ${this.vote}, via ${this.via})`;
}

class ListPinsCmd implements PinCommand {
  constructor(readonly cell: number, readonly prefix: number, readonly limit: number, readonly via: number) {}
  check = () => true;
  async run(m: PinModel, r: PinReal): Promise<void> {
    const prefix = r.cells[this.cell]!.slice(0, this.prefix);
    const live = [...m.held.values()].map((h) => h.pin).filter((p) => p.expiresAt > m.now && p.cell.startsWith(prefix));
    const want = live.sort((a, b) => (a.cell + a.id < b.cell + b.id ? -1 : 1)).slice(0, this.limit);
    expect(await r.stores[this.via % r.stores.length]!.listPins([prefix], m.now, this.limit)).toEqual(want);
  }
  toString = () => `list(cell ${this.cell}'s first ${this.prefix}, limit ${this.limit}, via ${this.via})`;
}

class TickPinsCmd implements PinCommand {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: PinModel): Promise<void> {
    m.now += this.ms;
  }
  toString = () => `tick(${this.ms})`;
}

class SweepPinsCmd implements PinCommand {
  constructor(readonly via: number) {}
  check = () => true;
  async run(m: PinModel, r: PinReal): Promise<void> {
    const due = [...m.held].filter(([, h]) => h.pin.expiresAt <= m.now);
    expect(await r.stores[this.via % r.stores.length]!.expirePins(m.now)).toBe(due.length);
    for (const [slot] of due) m.held.delete(slot);
  }
  toString = () => `sweep(via ${this.via})`;
}

const pinCommands = fc.commands(
  [
    fc.tuple(fc.nat(3), fc.nat(2), fc.integer({ min: 1, max: 3 * HOUR }), fc.nat(1)).map(([s, c, t, v]) => new PutPinCmd(s, c, t, v)),
    fc.tuple(fc.nat(3), fc.nat(3), fc.constantFrom('confirm' as const, 'confirm' as const, 'deny' as const), fc.nat(1)).map(([s, n, v, via]) => new VotePinCmd(s, n, v, via)),
    fc.tuple(fc.nat(2), fc.integer({ min: 4, max: 7 }), fc.integer({ min: 1, max: 5 }), fc.nat(1)).map(([c, p, l, v]) => new ListPinsCmd(c, p, l, v)),
    fc.integer({ min: 1, max: HOUR }).map((ms) => new TickPinsCmd(ms)),
    fc.nat(1).map((v) => new SweepPinsCmd(v)),
  ],
  { maxCommands: 30 },
);

/** Registers the pin cases for the store `sut()` returns. */
export function pinConformance(sut: () => StoreUnderTest): void {
  describe('pins', () => {
    it('PIN-5 PIN-8 a pin is put once per id, listed by any prefix of its cell while live, and holds no author', async () => {
      const { store } = sut();
      const a = pin('u33dc0c', { note: 'two vans at the bridge', kind: 'police' });
      const b = pin('u33dc1x', { kind: 'medical' });
      const far = pin('gcpvj0d', { kind: 'fire' });
      for (const p of [a, b, far]) expect(await store.putPin(p, ROOM)).toBe('ok');
      expect(await store.putPin({ ...a, note: 'other' }, ROOM)).toBe('held');
      expect(await store.getPin(a.id)).toEqual(a);
      expect(await store.getPin(randomBytes(16).toString('hex'))).toBeUndefined();
      expect(await store.getPin('not a pin id')).toBeUndefined();
      expect(await store.listPins(['u33dc0c'], T0, 10)).toEqual([a]);
      expect(ids(await store.listPins(['u33dc'], T0, 10))).toEqual(ids([a, b]));
      expect(ids(await store.listPins(['u3', 'gcp', 'u33d'], T0, 10))).toEqual(ids([a, b, far]));
      expect(await store.listPins(['u33dd', 'gcpu'], T0, 10)).toEqual([]);
      expect((await store.listPins(['u'], T0, 1)).length).toBe(1);
      // The limit takes the first pins by cell over every prefix asked, in whatever order they were asked.
      expect((await store.listPins(['u33dc', 'gcp'], T0, 2)).map((p) => p.id)).toEqual([far.id, a.id]);
      expect((await store.listPins(['u33dc1', 'u33dc'], T0, 1)).map((p) => p.id)).toEqual([a.id]);
      // PIN-5: live means expiresAt > now.
      expect(ids(await store.listPins(['u33dc'], a.expiresAt - 1, 10))).toEqual(ids([a, b]));
      expect(await store.listPins(['u33dc'], a.expiresAt, 10)).toEqual([]);
      // The dump (what a seized disk shows) holds the pin's note, so privacy scans see pins too.
      const dump = await store.dump();
      expect(dump.some(([, v]) => contains(valueBytes(v), new TextEncoder().encode('two vans at the bridge')))).toBe(true);
    });

    it('PIN-5 the store holds at most maxPins pins, expired ones not yet swept included; the sweep frees room', async () => {
      const { store } = sut();
      const first = pin('u33dc0c', { expiresAt: T0 + 1000 });
      expect(await store.putPin(first, 2)).toBe('ok');
      expect(await store.putPin(pin('u33dc0d'), 2)).toBe('ok');
      const third = pin('u33dc0e');
      expect(await store.putPin(third, 2)).toBe('full');
      expect(await store.listPins(['u33dc0e'], T0, 10)).toEqual([]);
      expect(await store.expirePins(T0 + 1000)).toBe(1);
      expect(await store.putPin(third, 2)).toBe('ok');
    });

    it('PIN-6 a confirm adds confirmMs up to createdAt + maxLifeMs, a deny takes denyMs away, each counted', async () => {
      const { store } = sut();
      const p = pin('u33dc0c');
      await store.putPin(p, ROOM);
      const now = T0 + 60_000;
      expect(await store.votePin(p.id, nullifier(), 'confirm', now, RULE)).toEqual({ expiresAt: p.expiresAt + HOUR / 2, confirms: 1, denies: 0 });
      expect(await store.votePin(p.id, nullifier(), 'deny', now, RULE)).toEqual({ expiresAt: p.expiresAt, confirms: 1, denies: 1 });
      let last: unknown;
      for (let i = 0; i < 30; i++) last = await store.votePin(p.id, nullifier(), 'confirm', now, RULE);
      expect(last).toEqual({ expiresAt: T0 + 12 * HOUR, confirms: 31, denies: 1 });
      expect((await store.listPins([p.cell], now, 10))[0]).toMatchObject({ expiresAt: T0 + 12 * HOUR, confirms: 31, denies: 1 });
      // Denies bring it down, and once its end is due it is gone from listings.
      const q = pin('u33dc0d', { expiresAt: T0 + HOUR });
      await store.putPin(q, ROOM);
      expect(await store.votePin(q.id, nullifier(), 'deny', now, RULE)).toEqual({ expiresAt: T0 + HOUR / 2, confirms: 0, denies: 1 });
      expect(await store.votePin(q.id, nullifier(), 'deny', now, RULE)).toEqual({ expiresAt: T0, confirms: 0, denies: 2 });
      expect(await store.listPins([q.cell], now, 10)).toEqual([]);
      expect(await store.votePin(q.id, nullifier(), 'confirm', now, RULE)).toBe('expired');
      // Held until swept, expired or not: getPin hands it out as it is.
      expect(await store.getPin(q.id)).toMatchObject({ expiresAt: T0, denies: 2 });
    });

    it('PIN-6 a nullifier votes once per pin (nothing changes on a second vote), and on each pin once', async () => {
      const { store } = sut();
      const p = pin('u33dc0c');
      const q = pin('u33dc0d');
      await store.putPin(p, ROOM);
      await store.putPin(q, ROOM);
      const n = nullifier();
      const once = await store.votePin(p.id, n, 'confirm', T0, RULE);
      expect(once).toEqual({ expiresAt: p.expiresAt + HOUR / 2, confirms: 1, denies: 0 });
      expect(await store.votePin(p.id, n, 'confirm', T0, RULE)).toBe('duplicate');
      expect(await store.votePin(p.id, n, 'deny', T0, RULE)).toBe('duplicate');
      expect((await store.listPins([p.cell], T0, 10))[0]).toMatchObject(once as object);
      // The same nullifier on another pin is another vote (readers derive one per pin: PIN-6).
      expect(await store.votePin(q.id, n, 'deny', T0, RULE)).toMatchObject({ denies: 1 });
      expect(await store.votePin(randomBytes(16).toString('hex'), n, 'confirm', T0, RULE)).toBe('not-found');
      expect(await store.votePin('not-a-pin-id', n, 'confirm', T0, RULE)).toBe('not-found');
      // Expired but not swept: refused, nothing changes.
      expect(await store.votePin(p.id, nullifier(), 'confirm', p.expiresAt + HOUR, RULE)).toBe('expired');
    });

    it('PIN-5 the sweep deletes due pins with their nullifiers; what is left survives a restart', async () => {
      const current = sut();
      const gone = pin('u33dc0c', { expiresAt: T0 + 1000 });
      const kept = pin('u33dc0d');
      const moved = pin('u33dc0e', { expiresAt: T0 + 1000 });
      for (const p of [gone, kept, moved]) await current.store.putPin(p, ROOM);
      const n = nullifier();
      await current.store.votePin(gone.id, n, 'confirm', T0, { ...RULE, confirmMs: 0 });
      // A confirm moves `moved` past the sweep's time: its old expiry entry must not delete it.
      await current.store.votePin(moved.id, nullifier(), 'confirm', T0, RULE);
      expect(await current.store.expirePins(T0 + 1000)).toBe(1);
      expect(await current.store.expirePins(T0 + 1000)).toBe(0);
      const dump = (await current.store.dump()).map(([k, v]) => `${k} ${Buffer.from(valueBytes(v)).toString('latin1')}`).join('\n');
      expect(dump).not.toContain(gone.id);
      expect(dump).not.toContain(n);
      const store = current.reopen ? await current.reopen() : current.store;
      expect(ids(await store.listPins(['u33dc'], T0 + 1000, 10))).toEqual(ids([kept, moved]));
      expect(await store.votePin(gone.id, nullifier(), 'confirm', T0, RULE)).toBe('not-found');
    });

    it('PIN-6 votes that race with one nullifier: exactly one counts, from whichever instance', async () => {
      const a = sut().store;
      const b = await secondInstance(sut());
      const p = pin('u33dc0c');
      await a.putPin(p, ROOM);
      const n = nullifier();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).votePin(p.id, n, i % 3 ? 'confirm' : 'deny', T0, RULE)));
      expect(results.filter((r) => r === 'duplicate')).toHaveLength(7);
      const others = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).votePin(p.id, nullifier(), 'confirm', T0, RULE)));
      expect(others.every((r) => typeof r === 'object')).toBe(true);
      const held = (await b.listPins([p.cell], T0, 10))[0]!;
      expect(held.confirms + held.denies).toBe(9);
    });

    it('PIN-5 PIN-6 PIN-8 random put/vote/list/tick/sweep sequences from two instances agree with a plain model', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      await fc.assert(
        fc.asyncProperty(pinCommands, async (cmds) => {
          await target.store.expirePins(T0 + 1000 * 24 * HOUR); // every run starts with no pin held
          // Three cells sharing a fresh 4-character prefix, the last two a 6-character one.
          const base = `${'bcdefghjkm'[randomBytes(1)[0]! % 10]}${randomBytes(2).toString('hex').replace(/[a]/g, 'b')}`.slice(0, 4);
          const real: PinReal = {
            stores,
            ids: Array.from({ length: 6 }, () => randomBytes(16).toString('hex')),
            cells: [`${base}0zz`, `${base}1bc`, `${base}1bd`],
            nullifiers: Array.from({ length: 4 }, () => nullifier()),
          };
          await fc.asyncModelRun(() => ({ model: { now: T0, held: new Map() }, real }), cmds);
        }),
        { numRuns: 40 },
      );
    });

    it('PIN-5 puts that race at the bound: exactly maxPins are kept', async () => {
      const a = sut().store;
      const b = await secondInstance(sut());
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).putPin(pin(`u33dc0${'bcdefghjkm'[i]}`), 4)));
      expect(results.filter((r) => r === 'ok')).toHaveLength(4);
      expect(await a.listPins(['u33dc0'], T0, 100)).toHaveLength(4);
    });
  });
}
