/**
 * The timed store of `--metrics` (LOG-2) is the store: the whole conformance suite passes through it, and
 * what it counts comes from the answers (a letter already held is not stored twice).
 */
import { describe, expect, it } from 'vitest';
import { OperatorMetrics } from '../src/metrics.js';
import { openStore } from '../src/store/index.js';
import { DAY, ROOMY, T0, bytes, mail, randomName, storeConformance } from '@comrad/test-kit/operator/store-conformance';

const metrics = new OperatorMetrics();

storeConformance('memory, timed by the metrics', async () => {
  const store = metrics.timeStore(await openStore({ kind: 'memory' }));
  return { store, teardown: () => store.close() };
});

/** The value of one sample line of a scrape (0 when absent). */
async function sample(m: OperatorMetrics, series: string): Promise<number> {
  const line = (await m.registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('LOG-2 the timed store', () => {
  it('counts letters stored once (a retried append is held, not stored), pages and acks, and times every call', async () => {
    const m = new OperatorMetrics();
    const store = m.timeStore(await openStore({ kind: 'memory' }));
    const bob = randomName();
    const letter = mail(bytes(100), T0, T0 + DAY);
    await store.appendMail(bob, letter, ROOMY);
    await store.appendMail(bob, letter, ROOMY); // the same dedupe key: held
    await store.appendMail(bob, mail(bytes(100), T0, T0 + DAY), ROOMY);
    const items = await store.listMail(bob, T0, 10);
    expect(await store.deleteMail(bob, [items[0]!.id])).toBe(1);
    expect(await sample(m, 'comrad_letters_total{event="stored"}')).toBe(2);
    expect(await sample(m, 'comrad_letters_total{event="acked"}')).toBe(1);
    expect(await sample(m, 'comrad_mailbox_page_items_sum')).toBe(2);
    expect(await sample(m, 'comrad_store_duration_seconds_count{method="appendMail",result="ok"}')).toBe(3);
    expect(await sample(m, 'comrad_stored_bytes')).toBe(100);
    await store.close();
    // close() reached the store itself: a call after it fails, and is timed as an error.
    await expect(store.keyOf(bob)).rejects.toThrow();
    expect(await sample(m, 'comrad_store_duration_seconds_count{method="keyOf",result="error"}')).toBe(1);
  });
});
