/**
 * Daily budgets (TOK-9's tokens per UTC day) refill at 00:00 UTC: a test that takes the budget and then
 * requires a refusal is wrong for the seconds around midnight, when the refill comes between the two.
 * Against a real clock (a `comrad-op` process, an Operator in-process on `Date.now`), such a test first
 * makes sure its span fits before the next midnight.
 * @module
 */

const DAY_MS = 86_400_000;

/**
 * Resolves at once when the next 00:00 UTC is more than `spanMs` away; else after it (and a second more),
 * so that the next `spanMs` fall within one UTC day. Waits at most `spanMs` + 1 s, with a chance of
 * `spanMs` in a day.
 * @param spanMs - how long the budget must stay the same day's
 * @example `await clearOfUtcMidnight(60_000); // take the budget, then expect QUOTA_EXCEEDED`
 */
export async function clearOfUtcMidnight(spanMs: number): Promise<void> {
  const left = DAY_MS - (Date.now() % DAY_MS);
  if (left <= spanMs) await new Promise((resolve) => setTimeout(resolve, left + 1_000));
}
