/**
 * Staying connected (`--follow`, CLI-10): a loop that runs a pass now, again whenever it is kicked, again
 * after a backoff when a pass failed for a reason that passes (the Operator went away), and stops cleanly
 * on Ctrl-C or SIGTERM.
 * @module
 */
import { ComradError } from '@comrad/core';

/** Codes that mean "the Operator is away for now", not "this will never work". */
const TRANSIENT: ReadonlySet<string> = new Set(['TIMEOUT', 'CONNECTION_CLOSED', 'RATE_LIMITED', 'INTERNAL']);
/** First retry delay after a failed pass; doubles per failure up to {@link RETRY_MAX_MS}. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** How long a stop waits for a pass in flight (a letter being stored, shown and marked) to finish. */
const STOP_GRACE_MS = 3_000;

/** How a follow loop behaves. */
export interface FollowOptions {
  /** One pass: fetch and show what is new. */
  pass: () => Promise<void>;
  /** Also run a pass this often, whatever else kicks it (ms). */
  everyMs: number;
  /** Told when a pass failed and another is planned (for a progress line). */
  onRetry: (err: ComradError, inMs: number) => void;
}

/** A running follow loop. */
export interface Follower {
  /** Asks for a pass soon (coalesced with one in flight). */
  kick(): void;
  /** Resolves on SIGINT/SIGTERM once the pass in flight ended (or after a grace period); rejects on a lasting failure. */
  readonly done: Promise<void>;
}

/**
 * Starts following: a first pass at once. A pass that fails with a lasting error ends the loop with that
 * error; a transient one is retried with exponential backoff (CLI-10).
 * @param opts - the pass, its period and the retry notice
 */
export function follow(opts: FollowOptions): Follower {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let finish!: () => void;
  let fail!: (err: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  const one = async () => {
    try {
      await opts.pass();
      failures = 0;
    } catch (err) {
      if (stopped) return;
      if (!(ComradError.is(err) && TRANSIENT.has(err.code))) return void end(err);
      const inMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** failures++);
      opts.onRetry(err, inMs);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(kick, inMs);
    }
  };
  function kick(): void {
    if (stopped) return;
    if (running) return void (again = true);
    running = (async () => {
      do {
        again = false;
        await one();
      } while (again && !stopped);
    })().finally(() => (running = undefined));
  }
  const timer = setInterval(kick, opts.everyMs);
  const onSignal = () => void end();
  // A second Ctrl-C while the first waits for the pass in flight leaves at once.
  const onSecond = () => process.exit(130);
  function end(err?: unknown): void {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    clearTimeout(retryTimer);
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal).once('SIGINT', onSecond);
    const settle = () => {
      process.off('SIGINT', onSecond);
      if (err === undefined) finish();
      else fail(err);
    };
    if (!running) return settle();
    const grace = setTimeout(settle, STOP_GRACE_MS);
    void running.finally(() => {
      clearTimeout(grace);
      settle();
    });
  }
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  kick();
  return { kick, done };
}
