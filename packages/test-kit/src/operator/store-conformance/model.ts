/**
 * Model-based conformance (MB-3, MB-5, MB-4): random sequences of put / list / ack / tick / expire on two
 * small mailboxes, run against the store (both instances when the backend has two) and a plain in-test
 * model, which must agree after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MailQuota, Store } from '@comrad/operator';
import { DAY, T0, bytes, randomName, secondInstance, mail, type StoreUnderTest } from './fixtures.js';

/** Small enough that random runs hit both bounds often. */
const QUOTA: MailQuota = { maxItems: 6, maxBytes: 200 };

interface Letter {
  readonly id: string;
  readonly sealed: Uint8Array;
  readonly expiresAt: number;
}

interface Model {
  now: number;
  /** Per mailbox, oldest first: everything stored, expired or not, until acked or expired. */
  readonly boxes: [Letter[], Letter[]];
}

interface Real {
  readonly stores: readonly Store[];
  readonly names: readonly [string, string];
}

type MailCommand = fc.AsyncCommand<Model, Real>;

const unexpired = (m: Model, box: 0 | 1) => m.boxes[box].filter((l) => l.expiresAt > m.now);

class Put implements MailCommand {
  constructor(readonly box: 0 | 1, readonly size: number, readonly ttl: number, readonly via: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const sealed = bytes(this.size);
    const stored = m.boxes[this.box];
    const full = stored.length + 1 > QUOTA.maxItems || stored.reduce((n, l) => n + l.sealed.length, 0) + this.size > QUOTA.maxBytes;
    const result = await r.stores[this.via % r.stores.length]!.appendMail(r.names[this.box], mail(sealed, m.now, m.now + this.ttl), QUOTA);
    expect(result === 'quota').toBe(full);
    if (typeof result !== 'string') stored.push({ id: result.id, sealed, expiresAt: m.now + this.ttl });
  }
  toString = () => `put(box ${this.box}, ${this.size} B, ttl ${this.ttl}, via ${this.via})`;
}

class List implements MailCommand {
  constructor(readonly box: 0 | 1, readonly limit: number, readonly via: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const listed = await r.stores[this.via % r.stores.length]!.listMail(r.names[this.box], m.now, this.limit);
    const expected = unexpired(m, this.box).slice(0, this.limit);
    expect(listed.map((l) => [l.id, l.sealed, l.expiresAt])).toEqual(expected.map((l) => [l.id, l.sealed, l.expiresAt]));
  }
  toString = () => `list(box ${this.box}, limit ${this.limit}, via ${this.via})`;
}

class Ack implements MailCommand {
  constructor(readonly box: 0 | 1, readonly picks: number[], readonly foreign: boolean, readonly via: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const own = m.boxes[this.box];
    const ids = this.picks.filter((i) => i < own.length).map((i) => own[i]!.id);
    const other = m.boxes[this.box === 0 ? 1 : 0];
    if (this.foreign && other.length > 0) ids.push(other[0]!.id); // an id of the other mailbox: must not be touched
    const unique = new Set(ids);
    const gone = own.filter((l) => unique.has(l.id));
    expect(await r.stores[this.via % r.stores.length]!.deleteMail(r.names[this.box], ids)).toBe(gone.length);
    m.boxes[this.box] = own.filter((l) => !unique.has(l.id));
  }
  toString = () => `ack(box ${this.box}, picks [${this.picks}], foreign ${this.foreign}, via ${this.via})`;
}

class Tick implements MailCommand {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model): Promise<void> {
    m.now += this.ms;
  }
  toString = () => `tick(${this.ms})`;
}

class Expire implements MailCommand {
  constructor(readonly via: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const due = m.boxes.flat().filter((l) => l.expiresAt <= m.now).length;
    expect(await r.stores[this.via % r.stores.length]!.expire(m.now)).toEqual({ mail: due, posts: 0 });
    for (const box of [0, 1] as const) m.boxes[box] = m.boxes[box].filter((l) => l.expiresAt > m.now);
  }
  toString = () => `expire(via ${this.via})`;
}

const box = fc.constantFrom<0 | 1>(0, 1);
const via = fc.nat(1);
const commands = fc.commands(
  [
    fc.tuple(box, fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 60 }), via).map(([b, s, t, v]) => new Put(b, s, t, v)),
    fc.tuple(box, fc.integer({ min: 1, max: 8 }), via).map(([b, l, v]) => new List(b, l, v)),
    fc.tuple(box, fc.array(fc.nat(7), { maxLength: 4 }), fc.boolean(), via).map(([b, p, f, v]) => new Ack(b, p, f, v)),
    fc.integer({ min: 1, max: 30 }).map((ms) => new Tick(ms)),
    via.map((v) => new Expire(v)),
  ],
  { maxCommands: 25 },
);

/** Registers the model-based mailbox test for the store `sut()` returns. */
export function modelConformance(sut: () => StoreUnderTest): void {
  describe('model', () => {
    it('MB-3 MB-5 MB-4 random put/list/ack/expire sequences agree with the model', async () => {
      const target = sut();
      const stores = [target.store, await secondInstance(target)];
      await fc.assert(
        fc.asyncProperty(commands, async (cmds) => {
          await target.store.expire(T0 + 1000 * DAY); // every run starts from an empty store
          const names: [string, string] = [randomName(), randomName()];
          await fc.asyncModelRun(() => ({ model: { now: T0, boxes: [[], []] as [Letter[], Letter[]] }, real: { stores, names } }), cmds);
        }),
        { numRuns: 40 },
      );
    });
  });
}
