/**
 * The unspent tokens this home holds (TOK-12), by Operator, in one file sealed at rest under a key derived
 * from the identity key (like collectives.cell): a token is a bearer right to one anonymous action, so a
 * copy of the home must not hand them out. A token is taken out — and the file rewritten — before it is
 * shown to the Operator, so a crash at any moment never shows one token twice; a token the Operator
 * refused without burning it is given back, marked as shown, and handed out only when no unshown token is
 * left (TOK-12). Every change is one atomic rewrite of the file, and the changes of one process are made
 * one at a time, so two actions at once never take the same token.
 * @module
 */
import { join } from 'node:path';
import { ProtocolError, SymmetricKey, cellSeal, encode, utf8, type PrivateKey, type PublicKey } from '@comrad/core';
import { Fields } from '@comrad/core/codec';
import { atomicWrite } from '@comrad/core/node';
import { TOKEN_BYTES } from '@comrad/core/wire';
import type { HomePaths } from '../home/home.js';
import { homeFileKey, readSealedCellMap } from './sealed-cell.js';

const CONTEXT = utf8('comrad/local/tokens/v1');
/** 100 tokens of 354 bytes per Operator for a few Operators; a larger file is not ours. */
const MAX_FILE_BYTES = 1024 * 1024;
/** Tokens kept per Operator at most (a budget is at most 100 per period, TOK-9). */
const MAX_TOKENS = 400;

/** One unspent token. */
export interface HeldToken {
  /** The token, {@link TOKEN_BYTES} bytes. */
  readonly token: Uint8Array;
  /** When its issuer key stops being accepted (ms): worthless after. */
  readonly until: number;
  /**
   * TOK-12: shown to the Operator once, for an action it refused without burning the token. Spending it
   * again lets the Operator link that refused action with the next one (both anonymous), so it goes last.
   */
  readonly shown?: true;
}

/** The sealed file of unspent tokens. */
export class TokenWallet {
  readonly #key: SymmetricKey;
  readonly #path: string;
  /** The last change queued: each read-modify-write waits for the one before (no token taken twice). */
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * @param paths - the home's paths
   * @param identityKey - the unlocked identity private key (the file's key is derived from it)
   */
  constructor(paths: HomePaths, identityKey: PrivateKey) {
    this.#path = join(paths.root, 'tokens.cell');
    this.#key = homeFileKey(identityKey, 'tokens');
  }

  /** How many unspent tokens for `operator` are still good at `now`. */
  async count(operator: PublicKey, now: number): Promise<number> {
    return ((await this.#read()).get(operator.toHex()) ?? []).filter((t) => t.until > now).length;
  }

  /** Adds tokens for `operator`, dropping those no longer good at `now`; atomic, 0600. */
  add(operator: PublicKey, tokens: readonly HeldToken[], now: number): Promise<void> {
    return this.#change(async (all) => {
      const held = [...(all.get(operator.toHex()) ?? []), ...tokens].filter((t) => t.until > now);
      all.set(operator.toHex(), held.slice(-MAX_TOKENS));
    });
  }

  /**
   * Takes out the token for `operator` to spend next, persisting its removal before it is returned: a
   * token never shown before the ones shown (TOK-12), and of those the one that expires first (and is good
   * at `now`).
   * @returns the token, or undefined when none is left
   */
  take(operator: PublicKey, now: number): Promise<HeldToken | undefined> {
    return this.#change(async (all) => {
      const rank = (t: HeldToken) => (t.shown ? 1 : 0);
      const held = (all.get(operator.toHex()) ?? []).filter((t) => t.until > now).sort((a, b) => rank(a) - rank(b) || a.until - b.until);
      const token = held.shift();
      all.set(operator.toHex(), held);
      return token;
    });
  }

  /**
   * TOK-7, TOK-12: puts back a token taken out for an action the Operator refused without burning it,
   * marked as shown; atomic, like every change.
   */
  giveBack(operator: PublicKey, token: HeldToken, now: number): Promise<void> {
    return this.add(operator, [{ token: token.token, until: token.until, shown: true }], now);
  }

  /** Overwrites the file key in memory. */
  wipe(): void {
    this.#key.wipe();
  }

  /** Reads the file, lets `edit` change the map, writes it back atomically; one change at a time. */
  #change<T>(edit: (all: Map<string, HeldToken[]>) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const all = await this.#read();
      const out = await edit(all);
      await this.#write(all);
      return out;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #write(all: Map<string, HeldToken[]>): Promise<void> {
    const value = Object.fromEntries([...all].filter(([, v]) => v.length > 0).map(([k, v]) => [k, v.map((t) => ({ token: t.token, until: t.until, ...(t.shown ? { shown: true } : {}) }))]));
    await atomicWrite(this.#path, cellSeal(this.#key, encode({ v: 1, tokens: value }), CONTEXT), { mode: 0o600 });
  }

  async #read(): Promise<Map<string, HeldToken[]>> {
    const raw = await readSealedCellMap(this.#path, this.#key, CONTEXT, MAX_FILE_BYTES, 'tokens', 'tokens');
    const out = new Map<string, HeldToken[]>();
    if (raw === undefined) return out;
    for (const [k, v] of Object.entries(raw)) {
      if (!Array.isArray(v) || v.length > MAX_TOKENS) throw new ProtocolError('MALFORMED', 'tokens.cell is damaged');
      out.set(
        k,
        v.map((t) => {
          const f = Fields.of(t, 'held token', ['token', 'until', 'shown']);
          const token = f.bytes('token', { min: TOKEN_BYTES, max: TOKEN_BYTES });
          const until = f.int('until', { min: 0 });
          return f.has('shown') && f.bool('shown') ? { token, until, shown: true as const } : { token, until };
        }),
      );
    }
    return out;
  }
}
