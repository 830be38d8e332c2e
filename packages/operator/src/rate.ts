/**
 * A token bucket (LIMIT-3): `rate` tokens per second, at most `rate` saved up, so a client may burst one
 * second's worth and then keeps to the rate.
 * @module
 */

/** A token bucket on an injected clock. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  /**
   * @param rate - tokens per second, also the burst size
   * @param now - the clock's current time (ms)
   */
  constructor(private readonly rate: number, now: number) {
    this.#tokens = rate;
    this.#last = now;
  }

  /** Takes one token if there is one; false means "refuse this request". */
  take(now: number): boolean {
    // A clock that goes backwards refills nothing rather than draining or overflowing the bucket.
    const elapsed = Math.max(0, now - this.#last);
    this.#last = Math.max(this.#last, now);
    this.#tokens = Math.min(this.rate, this.#tokens + (elapsed * this.rate) / 1000);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
