/**
 * The letters `comrad app` is sending, and those it could not send. A letter goes out at once or not at
 * all (`Comrade.send` waits for the Operator's answer); while it travels (a proof of work, a Tor circuit
 * being built) it is "sending", and when the network failed it is kept here, in this process only, so
 * the person can send it again from the Status screen instead of typing it again.
 *
 * A letter whose answer was lost may have arrived all the same: sending it again makes a second letter
 * (a new id). The page says so; nothing is resent without the person asking.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { ComradError } from '@comrad/core';
import { TorError } from '@comrad/core/node';

/** How many unsent letters are kept (oldest dropped first): they are in memory, with their images. */
export const MAX_UNSENT = 20;

/** Failures of the way to the Operator, where trying again later may succeed. */
const NETWORK_CODES = new Set(['TIMEOUT', 'CONNECTION_CLOSED', 'RATE_LIMITED']);

/** What the page sees of a letter in the outbox: never its content beyond the first words. */
export interface OutboxItem {
  readonly id: string;
  readonly to: string;
  /** The first words, to recognise it. */
  readonly preview: string;
  /** When it was first given to send (ms). */
  readonly since: number;
  /** Why it is not sent, when it failed: the closed code and the message. */
  readonly error?: { readonly code: string; readonly message: string };
}

interface Entry<C> {
  item: OutboxItem;
  content: C;
}

/** Letters being sent, and those that failed on the network, with what is needed to send them again. */
export class Outbox<C> {
  readonly #sending = new Map<string, Entry<C>>();
  readonly #unsent = new Map<string, Entry<C>>();

  /**
   * Sends through `run`, showing the letter as sending meanwhile; a network failure keeps it as unsent
   * (and is thrown all the same: the page says it failed).
   * @param to - the recipient
   * @param text - its text (the preview)
   * @param content - what `run` needs to send it again
   * @param run - the sending itself
   */
  async send<T>(to: string, text: string, content: C, run: (content: C) => Promise<T>, retryOf?: string): Promise<T> {
    const old = retryOf ? this.#unsent.get(retryOf) : undefined;
    if (retryOf) this.#unsent.delete(retryOf);
    const id = retryOf ?? randomBytes(8).toString('hex');
    const entry: Entry<C> = { item: { id, to, preview: preview(text), since: old?.item.since ?? Date.now() }, content };
    this.#sending.set(id, entry);
    try {
      return await run(content);
    } catch (err) {
      const code = codeOf(err);
      if (code !== undefined && (NETWORK_CODES.has(code) || err instanceof TorError)) {
        this.#unsent.set(id, { ...entry, item: { ...entry.item, error: { code, message: (err as Error).message } } });
        while (this.#unsent.size > MAX_UNSENT) this.#unsent.delete(this.#unsent.keys().next().value!);
      }
      throw err;
    } finally {
      this.#sending.delete(id);
    }
  }

  /** An unsent letter, to send again; undefined when there is none by that id. */
  unsent(id: string): { to: string; preview: string; content: C } | undefined {
    const e = this.#unsent.get(id);
    return e && { to: e.item.to, preview: e.item.preview, content: e.content };
  }

  /** Forgets an unsent letter. @returns whether there was one */
  forget(id: string): boolean {
    return this.#unsent.delete(id);
  }

  /** What the page shows: sending now, and not sent. */
  view(): { sending: OutboxItem[]; unsent: OutboxItem[] } {
    return { sending: [...this.#sending.values()].map((e) => e.item), unsent: [...this.#unsent.values()].map((e) => e.item) };
  }
}

function codeOf(err: unknown): string | undefined {
  if (ComradError.is(err) || err instanceof TorError) return err.code;
  return undefined;
}

function preview(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > 40 ? `${t.slice(0, 39)}…` : t === '' ? '(an image)' : t;
}
