/**
 * The unspent tokens this home holds (TOK-12), by Operator, in one file sealed at rest under a key derived
 * from the identity key (like collectives.cell): a token is a bearer right to one anonymous action, so a
 * copy of the home must not hand them out. A token is taken out — and the file rewritten — before it is
 * shown to the Operator, so no token is ever shown for two actions, whatever happens next.
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
}

/** The sealed file of unspent tokens. */
export class TokenWallet {
  readonly #key: SymmetricKey;
  readonly #path: string;

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
  async add(operator: PublicKey, tokens: readonly HeldToken[], now: number): Promise<void> {
    const all = await this.#read();
    const held = [...(all.get(operator.toHex()) ?? []), ...tokens].filter((t) => t.until > now);
    all.set(operator.toHex(), held.slice(-MAX_TOKENS));
    await this.#write(all);
  }

  /**
   * Takes out the token for `operator` that expires first (and is good at `now`), persisting its removal
   * before it is returned.
   * @returns the token, or undefined when none is left
   */
  async take(operator: PublicKey, now: number): Promise<HeldToken | undefined> {
    const all = await this.#read();
    const held = (all.get(operator.toHex()) ?? []).filter((t) => t.until > now).sort((a, b) => a.until - b.until);
    const token = held.shift();
    all.set(operator.toHex(), held);
    await this.#write(all);
    return token;
  }

  /** Overwrites the file key in memory. */
  wipe(): void {
    this.#key.wipe();
  }

  async #write(all: Map<string, HeldToken[]>): Promise<void> {
    const value = Object.fromEntries([...all].filter(([, v]) => v.length > 0).map(([k, v]) => [k, v.map((t) => ({ token: t.token, until: t.until }))]));
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
          const f = Fields.of(t, 'held token', ['token', 'until']);
          return { token: f.bytes('token', { min: TOKEN_BYTES, max: TOKEN_BYTES }), until: f.int('until', { min: 0 }) };
        }),
      );
    }
    return out;
  }
}
