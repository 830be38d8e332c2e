/**
 * LIMIT-9: one worker's share of the process-wide limits — the workers together never pass a total, the
 * per-connection, per-mailbox and per-name limits are left as they are, and the shares still satisfy
 * LIMIT-4 and LIMIT-6's own constraints.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits, workerShare } from '../src/limits.js';

describe('workerShare', () => {
  it('LIMIT-9 divides the process-wide totals so N workers together stay within them', () => {
    for (const n of [2, 3, 7, 16]) {
      const s = workerShare(DEFAULT_LIMITS, n);
      expect(s.maxConnections * n).toBeLessThanOrEqual(DEFAULT_LIMITS.maxConnections);
      expect(s.maxUnauthenticated * n).toBeLessThanOrEqual(DEFAULT_LIMITS.maxUnauthenticated);
      expect(s.greetingsPerSecond * n).toBeLessThanOrEqual(DEFAULT_LIMITS.greetingsPerSecond);
      expect(s.memoryBudgetBytes * n).toBeLessThanOrEqual(DEFAULT_LIMITS.memoryBudgetBytes);
      expect(s.maxConnections).toBe(Math.floor(DEFAULT_LIMITS.maxConnections / n));
      // Still a valid set of limits (LIMIT-4: room for logged-in connections; LIMIT-6: a share within the budget).
      expect(resolveLimits(s)).toEqual(s);
      // Per connection, per mailbox, per author and per name: unchanged (the store or the primary counts them).
      for (const k of ['requestsPerSecond', 'maxInflight', 'mailboxItems', 'mailboxBytes', 'postsPerHour', 'storageBytes', 'maxConnectionsPerName', 'handshakeMs'] as const) {
        expect(s[k]).toBe(DEFAULT_LIMITS[k]);
      }
    }
  });

  it('LIMIT-9 one worker is the process as it was; a total too small to share is refused', () => {
    expect(workerShare(DEFAULT_LIMITS, 1)).toBe(DEFAULT_LIMITS);
    const small = resolveLimits({ maxConnections: 5, maxUnauthenticated: 1 });
    expect(() => workerShare(small, 3)).toThrow(/maxConnections must be at least 6 for 3 workers/);
    const two = workerShare(small, 2);
    expect([two.maxConnections, two.maxUnauthenticated]).toEqual([2, 1]);
    const tiny = workerShare(resolveLimits({ memoryBudgetBytes: 16 * 1024 * 1024 }), 4);
    expect(tiny.maxBufferedBytes).toBe(4 * 1024 * 1024);
  });
});
