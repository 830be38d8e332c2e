/**
 * The `onMail` listener set every backend keeps. Listeners run on a later microtask, never inside
 * `appendMail`: the letter is already stored, so a throwing listener must not make the sender think the
 * send failed (and resend a duplicate); its error surfaces as an uncaught exception instead.
 * @internal
 */
export class MailListeners {
  private readonly listeners = new Set<(to: string) => void>();

  /**
   * Adds `listener`.
   * @returns a function that removes it again
   */
  add(listener: (to: string) => void): () => void {
    // A wrapper per registration, so the same function registered twice is called twice and removed once.
    const entry = (to: string) => listener(to);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Tells every listener that mail for `to` was stored. */
  emit(to: string): void {
    for (const listener of this.listeners) {
      queueMicrotask(() => {
        if (this.listeners.has(listener)) listener(to);
      });
    }
  }

  /** Drops every listener (on close). */
  clear(): void {
    this.listeners.clear();
  }
}
