/**
 * The fold of `@comrad/core/collective` against the spec's executable model (`spec/model/collective-model.ts`,
 * spec/11-collectives.md): random logs (plausible acts, forgeries, strangers, replays, stale heads, other
 * collectives, and damaged copies of stored events) folded by both must give the same verdict for every
 * event and the same final state (COL-7, COL-8, COL-9..COL-18).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ready } from '@comrad/core';
import { decodeEvent, foldLog, stateToJson } from '@comrad/core/collective';
import { buildLog, makeCast, rule, stepsArb, type Cast, type Step } from '@comrad/test-kit/core/collective';
import { modelFold } from '../model/collective-model.js';

let cast: Cast;
beforeAll(async () => {
  await ready();
  cast = makeCast();
});

/** The constitution of the fixed example log below: anyone asked in is admitted by one vouch. */
const KEY_LOG_RULES = { admit: rule(0, 1, 1), amend: rule(500, 1, 100) };
/** A step that makes a key event (COL-28) by `by`: plausible, or by whoever `by` names. */
const keyStep = (by: number, plausible: boolean): Step => ({ t: 'act', plausible, by, kind: 'key', who: 0, proposal: 0, yes: true, constitution: KEY_LOG_RULES, note: false, share: 1 });

/** Damage to insert: a copy of a stored event with one byte changed, or cut short, at some place in the log. */
const damageArb = fc.array(fc.record({ pick: fc.nat(), at: fc.nat(), byte: fc.nat(), xor: fc.integer({ min: 1, max: 255 }), cut: fc.boolean() }), { maxLength: 4 });

describe('collective fold against the model (COL-7, COL-8)', () => {
  it('COL-8 COL-9 COL-10 COL-11 COL-12 COL-13 COL-14 COL-16 COL-17 COL-18 COL-28 COL-29 the fold and the model agree on every verdict and on the state', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(stepsArb, damageArb, (run, damage) => {
        const events = [...buildLog(cast, run).events];
        for (const d of damage) {
          const src = events[d.pick % events.length]!;
          const copy = d.cut ? src.subarray(0, d.byte % src.length) : src.slice();
          if (!d.cut) copy[d.byte % copy.length]! ^= d.xor;
          events.splice(d.at % (events.length + 1), 0, copy);
        }
        const real = foldLog('portland', events, cast.keysOf);
        const model = modelFold('portland', events, cast.keysOf);
        const codes = new Map(real.rejected.map((r) => [r.index, r.code] as const));
        events.forEach((bytes, i) => {
          const got = codes.get(i) ?? 'ok';
          const want = model.verdicts[i]!;
          seen.set(want, (seen.get(want) ?? 0) + 1);
          if (kindOf(bytes) === 'key') seen.set(`key ${want}`, (seen.get(`key ${want}`) ?? 0) + 1);
          if (want === 'UNDECODABLE') expect(() => decodeEvent(bytes), `event ${i}`).toThrow();
          else expect(got, `event ${i}`).toBe(want);
        });
        expect(stateToJson(real.state)).toEqual(model.state);
      }),
      {
        numRuns: 80,
        // Of the verdicts required below, a refused key event is the rarest in random logs: over 40 seeds,
        // 80 runs held 7.1 'key OUT_OF_ORDER' on average (as few as 3), a miss about once in 1 200 runs
        // (e^-7.1). This log reaches each key verdict for sure: a key event, its replay, and one by a
        // stranger to the collective; the other 79 runs stay random.
        examples: [[{ founder: 0, constitution: KEY_LOG_RULES, steps: [keyStep(0, true), { t: 'replay', pick: 1 }, keyStep(1, false)] }, []]],
      },
    );
    // The random logs reach every rule, not only the first refusal.
    // COL-29 too: key events opened, continued, and refused for each of their own reasons.
    for (const v of ['ok', 'NOT_MEMBER', 'NOT_FOUND', 'DUPLICATE', 'QUORUM_NOT_MET', 'OUT_OF_ORDER', 'BAD_SIGNATURE', 'WRONG_COLLECTIVE', 'UNDECODABLE', 'key ok', 'key NOT_MEMBER', 'key OUT_OF_ORDER']) {
      expect(seen.get(v) ?? 0, v).toBeGreaterThan(0);
    }
  });
});

function kindOf(bytes: Uint8Array): string | undefined {
  try {
    return decodeEvent(bytes).event.kind;
  } catch {
    return undefined;
  }
}
