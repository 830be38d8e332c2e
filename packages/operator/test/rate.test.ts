/**
 * LIMIT-3's token bucket on its own clock: the burst is capped at one second's worth however long the
 * bucket rested (a mutant that never capped the refill survived the live limit tests, which only burst
 * from a fresh bucket).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TokenBucket } from '../src/rate.js';

/** How many tokens `take` hands out at one instant. */
function burst(bucket: TokenBucket, now: number): number {
  let n = 0;
  while (bucket.take(now)) n++;
  return n;
}

describe('LIMIT-3 token bucket', () => {
  it('LIMIT-3 after any rest, a burst is at most `rate` requests', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 10_000_000 }), (rate, rest) => {
        const bucket = new TokenBucket(rate, 0);
        expect(burst(bucket, 0)).toBe(rate);
        expect(burst(bucket, rest)).toBe(Math.min(rate, Math.floor((rest * rate) / 1000)));
      }),
    );
  });

  it('LIMIT-3 the rate holds over time: n seconds give at most rate × (n + 1) tokens', () => {
    const bucket = new TokenBucket(50, 0);
    let granted = 0;
    for (let t = 0; t <= 10_000; t += 7) granted += burst(bucket, t);
    expect(granted).toBeLessThanOrEqual(50 * 11);
    expect(granted).toBeGreaterThanOrEqual(50 * 10);
  });

  it('LIMIT-3 a clock that goes backwards refills nothing', () => {
    const bucket = new TokenBucket(10, 5_000);
    expect(burst(bucket, 5_000)).toBe(10);
    expect(burst(bucket, 0)).toBe(0);
    expect(burst(bucket, 5_000)).toBe(0);
    expect(burst(bucket, 5_100)).toBe(1);
  });
});
