/**
 * Agreement between members (COL-8, COL-19, COL-29, COL-33): acts built at the same moment on the same
 * head and appended by compare-and-append in every possible order leave every member with one agreed
 * state; a forged, replayed or reordered event, and a forged or moved message, is refused by every member
 * alike, each folding with a registry copy of their own.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ready, SymmetricKey } from '@comrad/core';
import {
  acceptedEvents,
  applyEvent,
  createCollectivePost,
  epochKeys,
  foldLog,
  nextKeyEvent,
  openMessage,
  quorum,
  rotationDue,
  sealMessage,
  stateToJson,
  type CollectiveState,
  type EventBody,
} from '@comrad/core/collective';
import { LogBuilder, makeCast, registryOf, rule, type Cast } from '@comrad/test-kit/core/collective';

let cast: Cast;
beforeAll(async () => {
  await ready();
  cast = makeCast();
});

const MEMBERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;

/** One member's intent, decided on the state the member reads when it acts (COL-19, COL-27, COL-31). */
type Intent = { by: (typeof MEMBERS)[number]; act: 'vouch' | 'yes' | 'no' | 'rotate' | 'expel' };

/** What an author appends for `intent` on `state`, or nothing when it no longer makes sense there. */
function decide(state: CollectiveState, i: Intent, proposal: number, key: SymmetricKey, opened: { epoch?: number }): EventBody | undefined {
  if (!state.members.has(i.by)) return undefined;
  switch (i.act) {
    case 'vouch': {
      const r = state.requests.get('frank');
      return r && !r.vouches.has(i.by) ? { kind: 'vouch', who: 'frank' } : undefined;
    }
    case 'yes':
    case 'no': {
      const p = state.proposals.get(proposal);
      return p && !p.yes.has(i.by) && !p.no.has(i.by) ? { kind: 'vote', proposal, yes: i.act === 'yes' } : undefined;
    }
    case 'expel': {
      const votes = state.expulsions.get('erin');
      return i.by !== 'erin' && state.members.has('erin') && !votes?.has(i.by) ? { kind: 'expel', who: 'erin' } : undefined;
    }
    case 'rotate': {
      const me = { name: i.by, keys: cast.keys.get(i.by)! };
      if (opened.epoch !== undefined) return state.epoch === opened.epoch ? nextKeyEvent(state, me, key, cast.keysOf, true) : undefined;
      return rotationDue(state) ? nextKeyEvent(state, me, key, cast.keysOf, false) : undefined;
    }
  }
}

/**
 * The Operator accepts appends in `order`; an author whose append is refused (someone appended first)
 * reads the new log, decides again and rebuilds on the new head (COL-19), and after an act that changes
 * the membership, or one that completes a quorum, does what COL-12 and COL-31 ask next.
 */
function play(base: LogBuilder, intents: readonly Intent[], order: readonly number[], proposal: number): LogBuilder {
  const log = new LogBuilder(cast);
  log.events.push(...base.events);
  log.state = base.state;
  const keys = new Map(intents.map((_, k) => [k, SymmetricKey.generate()] as const));
  const opened = new Map(intents.map((_, k) => [k, {} as { epoch?: number }] as const));
  for (const k of order) {
    const i = intents[k]!;
    for (;;) {
      const body = decide(log.state, i, proposal, keys.get(k)!, opened.get(k)!);
      if (!body) break;
      const before = log.state;
      log.ok(i.by, body);
      if (body.kind === 'key' && body.epoch === before.seq) opened.get(k)!.epoch = before.seq;
      // COL-12: the vouch that meets the quorum admits at once; COL-31: who changed the membership rotates.
      if (body.kind === 'vouch' && log.state.requests.get('frank')!.vouches.size >= quorum(log.state.constitution!.admit, log.state.members.size)) log.ok(i.by, { kind: 'admit', who: 'frank' });
      if (log.state.members.size !== before.members.size) rotateAll(log, i.by);
      if (body.kind !== 'key') break;
    }
  }
  return log;
}

function rotateAll(log: LogBuilder, by: string): void {
  if (!log.state.members.has(by) || !rotationDue(log.state)) return;
  const key = SymmetricKey.generate();
  const me = { name: by, keys: cast.keys.get(by)! };
  log.ok(by, nextKeyEvent(log.state, me, key, cast.keysOf, false)!);
  for (let b = nextKeyEvent(log.state, me, key, cast.keysOf, true); b; b = nextKeyEvent(log.state, me, key, cast.keysOf, true)) log.ok(by, b);
}

/** What members must agree on whatever the order: everything but the positions and ids of the chain. */
function agreed(s: CollectiveState) {
  const { seq: _seq, head: _head, key, ...rest } = stateToJson(s);
  return { ...rest, holders: key.holders, owed: key.owed, exposed: key.exposed, due: rotationDue(s) };
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('every order of concurrent acts folds to one agreed state (COL-8, COL-19)', () => {
  it('COL-19 COL-8 COL-12 COL-14 COL-17 COL-31 acts built on one head, appended in every permutation: every member folds each log to one state, and acts that commute give one state in every order', () => {
    // Five members; frank asks; a proposal is pending; erin may be expelled; the message key is current.
    // Quorums of a fixed number (min = cap), so a threshold does not move with the membership: two
    // vouches admit, three yes votes amend, two votes expel.
    const fixed = (n: number) => rule(0, n, n);
    const base = LogBuilder.founded(cast, { admit: fixed(2), amend: fixed(3), expel: fixed(2) }, [...MEMBERS]);
    rotateAll(base, 'alice');
    base.ok('frank', { kind: 'request', note: 'from the tenants union' });
    // The proposal changes the expulsion rule only: one that changed the admission rule would not commute
    // with a vouch (made before it passes, the vouch is judged by the old rule, COL-21).
    base.ok('bob', { kind: 'propose', constitution: { admit: fixed(2), amend: fixed(3), expel: fixed(3) } });
    const proposal = base.state.seq - 1;
    const intentArb = fc.uniqueArray(
      fc.record({ by: fc.constantFrom(...MEMBERS), act: fc.constantFrom<Intent['act']>('vouch', 'vouch', 'yes', 'yes', 'yes', 'no', 'rotate', 'expel', 'expel') }),
      { selector: (x) => `${x.by}/${x.act === 'no' ? 'yes' : x.act}`, minLength: 3, maxLength: 4 },
    );
    const seen = { orders: 0, commuting: 0, admitted: 0, passed: 0, expelled: 0 };
    fc.assert(
      fc.property(intentArb, (intents) => {
        const finals = permutations(intents.map((_, k) => k)).map((order) => {
          const log = play(base, intents, order, proposal);
          seen.orders++;
          if (log.state.members.has('frank')) seen.admitted++;
          if (log.state.proposals.size === 0) seen.passed++;
          if (!log.state.members.has('erin')) seen.expelled++;
          // Every member folds the stored log itself, with a registry copy of its own: one state (COL-8),
          // and no rotation is left due: whoever changed the membership rotated (COL-31).
          for (const _ of ['a member', 'another']) expect(stateToJson(foldLog('portland', log.events, registryOf(cast.keys)).state)).toEqual(stateToJson(log.state));
          expect(rotationDue(log.state)).toBe(false);
          return agreed(log.state);
        });
        // An expulsion takes the expelled member's vouches and votes with it (COL-18), so whether erin's
        // vouch counted depends on the order: acts commute only without one (COL-19).
        if (intents.some((i) => i.act === 'expel')) return;
        seen.commuting++;
        for (const f of finals) expect(f).toEqual(finals[0]);
      }),
      {
        numRuns: 10,
        // Besides the random sets, each rule is reached for sure: an admission, an amendment, an expulsion.
        examples: [
          [[{ by: 'alice', act: 'vouch' }, { by: 'bob', act: 'vouch' }, { by: 'carol', act: 'rotate' }]],
          [[{ by: 'alice', act: 'yes' }, { by: 'carol', act: 'yes' }, { by: 'dave', act: 'no' }, { by: 'erin', act: 'yes' }]],
          [[{ by: 'alice', act: 'expel' }, { by: 'bob', act: 'expel' }, { by: 'erin', act: 'vouch' }, { by: 'carol', act: 'vouch' }]],
          // Two more sets without an expulsion, so commuting acts are checked at least four times however
          // many of the ten random sets draw an expulsion.
          [[{ by: 'bob', act: 'vouch' }, { by: 'dave', act: 'no' }, { by: 'alice', act: 'rotate' }]],
          [[{ by: 'carol', act: 'vouch' }, { by: 'alice', act: 'yes' }, { by: 'dave', act: 'rotate' }]],
        ],
      },
    );
    expect(seen.orders).toBeGreaterThan(60);
    expect(seen.commuting).toBeGreaterThan(3);
    expect(seen.admitted).toBeGreaterThan(0);
    expect(seen.passed).toBeGreaterThan(0);
    expect(seen.expelled).toBeGreaterThan(0);
  });
});

describe('a forged, replayed or reordered event is refused by every member (COL-6, COL-7)', () => {
  it('COL-6 COL-7 COL-8 every member, with a registry copy of its own, refuses the same events with the same codes and reaches the same state', () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom('forge', 'replay', 'reorder', 'stale', 'foreign'), (a, attack) => {
        const log = LogBuilder.founded(cast, { admit: rule(300), amend: rule(500), expel: rule(500) }, ['alice', 'bob', 'carol']);
        rotateAll(log, 'alice');
        log.ok('dave', { kind: 'request' });
        const early = log.state;
        log.ok('bob', { kind: 'vouch', who: 'dave' });
        log.ok('bob', { kind: 'admit', who: 'dave' });
        rotateAll(log, 'bob');
        const events = [...log.events];
        let bad: number;
        switch (attack) {
          case 'forge': // carol signs an event that names bob as its author
            events.push(log.sign('bob', { kind: 'propose', constitution: { admit: rule(0), amend: rule(0) } }, { signer: 'carol' }));
            bad = events.length - 1;
            break;
          case 'replay': // an accepted event appended again, anywhere after itself
            bad = events.length;
            events.push(events[a % events.length]!);
            break;
          case 'reorder': {
            // Two events swapped: the one moved forward is refused where it lands (COL-6).
            const i = 1 + (a % (events.length - 2));
            [events[i], events[i + 1]] = [events[i + 1]!, events[i]!];
            bad = i;
            break;
          }
          case 'stale': // built on a head the log has passed
            events.push(log.sign('carol', { kind: 'vouch', who: 'dave' }, { on: early }));
            bad = events.length - 1;
            break;
          case 'foreign':
            events.push(log.sign('carol', { kind: 'leave' }, { col: 'seattle' }));
            bad = events.length - 1;
            break;
        }
        const views = ['alice', 'bob', 'carol', 'dave'].map(() => foldLog('portland', events, registryOf(cast.keys)));
        for (const v of views) {
          expect(v.rejected).toEqual(views[0]!.rejected);
          expect(stateToJson(v.state)).toEqual(stateToJson(views[0]!.state));
        }
        expect(views[0]!.rejected.map((r) => r.index)).toContain(bad);
      }),
      { numRuns: 30 },
    );
  });

  it('COL-33 a message forged, moved to another collective or re-sealed by a non-holder is refused by every member alike', () => {
    const log = LogBuilder.founded(cast, { admit: rule(300), amend: rule(500) }, ['alice', 'bob', 'carol']);
    rotateAll(log, 'alice');
    const { rejected } = foldLog('portland', log.events, cast.keysOf);
    const accepted = acceptedEvents(log.events, rejected);
    const views = ['alice', 'bob', 'carol'].map((n) => epochKeys(accepted, { name: n, privateKey: cast.keys.get(n)!.privateKey }, registryOf(cast.keys)));
    const key = views[0]!.get(log.state.epoch)!.key!;
    const post = (over: { by?: string; col?: string }, signer: string) =>
      sealMessage(createCollectivePost({ col: over.col ?? 'portland', epoch: log.state.epoch, by: over.by ?? signer, body: { text: 'x' }, at: 1 }), cast.keys.get(signer)!, key);
    const codes = (bytes: Uint8Array, col = 'portland') =>
      views.map((v) => {
        try {
          openMessage(bytes, col, v, registryOf(cast.keys));
          return 'ok';
        } catch (err) {
          return (err as { code: string }).code;
        }
      });
    expect(codes(post({}, 'bob'))).toEqual(['ok', 'ok', 'ok']);
    expect(codes(post({ by: 'bob' }, 'carol'))).toEqual(['BAD_SIGNATURE', 'BAD_SIGNATURE', 'BAD_SIGNATURE']);
    expect(codes(post({}, 'bob'), 'seattle')).toEqual(['DECRYPT_FAILED', 'DECRYPT_FAILED', 'DECRYPT_FAILED']);
    // dave never held the key: a cell he could not make, but had he been given the key by a member,
    // his post would still be refused as one by someone who held no copy.
    expect(codes(post({}, 'dave'))).toEqual(['NOT_MEMBER', 'NOT_MEMBER', 'NOT_MEMBER']);
    // And the founding, replayed at the end of the log, is refused by the fold every member runs (COL-6).
    expect(applyEvent(log.state, log.events[0]!, cast.keysOf)).toMatchObject({ ok: false, error: { code: 'OUT_OF_ORDER' } });
  });
});
