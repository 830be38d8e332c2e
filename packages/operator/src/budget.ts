/**
 * The Operator's memory budget (LIMIT-6): bytes held for each connection — the frames it sent that are
 * being processed, room reserved for their answers, and answers not yet written to its socket — within a
 * per-connection share and a total for the process. Bytes are taken *before* they are held, so a peer
 * that never reads, or many of them at once, can make the Operator hold at most the total.
 * @module
 */

/** What one connection holds, as the budget counts it. */
export interface BudgetHolder {
  /** Bytes held for this connection: frames in processing, reservations, unwritten answers. */
  held: number;
  /** The part of `held` that is answers handed to the socket and not yet written out. */
  queued: number;
  /** Set once the connection is gone: its bytes went back with {@link MemoryBudget.releaseAll}. */
  released: boolean;
}

/** Why {@link MemoryBudget.take} refused. */
export type BudgetRefusal = 'slow-reader' | 'share' | 'total';

/** A shared byte budget with a per-holder share. */
export class MemoryBudget {
  #used = 0;
  #peak = 0;

  /**
   * @param total - bytes all holders together may hold
   * @param share - bytes one holder may hold
   */
  constructor(
    readonly total: number,
    readonly share: number,
  ) {}

  /** Bytes held now, over every holder. */
  get used(): number {
    return this.#used;
  }

  /** The most bytes ever held at once. */
  get peak(): number {
    return this.#peak;
  }

  /**
   * Takes `n` bytes for `h`, or says which bound they would break and takes nothing: `slow-reader` when
   * the holder's unwritten answers alone would break its share (its peer is not reading), `share` when
   * its work in progress would, `total` when the process's total would.
   */
  take(h: BudgetHolder, n: number): BudgetRefusal | undefined {
    if (h.released) return 'slow-reader';
    if (h.queued + n > this.share) return 'slow-reader';
    if (h.held + n > this.share) return 'share';
    if (this.#used + n > this.total) return 'total';
    h.held += n;
    this.#used += n;
    if (this.#used > this.#peak) this.#peak = this.#used;
    return undefined;
  }

  /** Bytes `h` could take now without breaking its share or the total (0 for a holder whose peer is not reading). */
  room(h: BudgetHolder): number {
    if (h.released || h.queued >= this.share) return 0;
    return Math.max(0, Math.min(this.share - h.held, this.total - this.#used));
  }

  /** Gives back `n` bytes `h` took (nothing once the holder was released). */
  give(h: BudgetHolder, n: number): void {
    if (h.released || n <= 0) return;
    const back = Math.min(n, h.held);
    h.held -= back;
    this.#used -= back;
  }

  /** Gives back everything `h` holds, for good: later gives of its callbacks are ignored. */
  releaseAll(h: BudgetHolder): void {
    if (h.released) return;
    this.#used -= h.held;
    h.held = 0;
    h.queued = 0;
    h.released = true;
  }
}
