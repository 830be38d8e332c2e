/**
 * The collectives this home holds keys for (COL-25): each collective's identity key and log key, by
 * Operator and name, in one file sealed at rest under a key derived from the identity key (like our
 * statements, CL-3): it names the collectives we belong to, and the keys read their logs.
 * @module
 */
import { join } from 'node:path';
import { ProtocolError, SymmetricKey, cellSeal, encode, utf8, type PrivateKey, type PublicKey } from '@comrad/core';
import { decodeCollectiveKeys, encodeCollectiveKeys, type CollectiveKeys } from '@comrad/core/collective';
import { Fields } from '@comrad/core/codec';
import { atomicWrite } from '@comrad/core/node';
import type { HomePaths } from '../home/home.js';
import { homeFileKey, readSealedCellMap } from './sealed-cell.js';

const CONTEXT = utf8('comrad/local/collectives/v1');
/** Keys are about 200 bytes: a few thousand collectives fit; a larger file is not ours. */
const MAX_FILE_BYTES = 1024 * 1024;

/** One collective's keys as this home keeps them. */
export interface KeptCollective {
  /** The collective's keys. */
  readonly keys: CollectiveKeys;
  /** Who gave them: ourselves (founder) or the member whose invitation we took (COL-26). */
  readonly from: string;
}

/** The sealed file of collective keys, by Operator key and collective name. */
export class CollectiveKeyring {
  readonly #key: SymmetricKey;
  readonly #path: string;

  /**
   * @param paths - the home's paths
   * @param identityKey - the unlocked identity private key (the file's key is derived from it)
   */
  constructor(paths: HomePaths, identityKey: PrivateKey) {
    this.#path = join(paths.root, 'collectives.cell');
    this.#key = homeFileKey(identityKey, 'collectives');
  }

  /**
   * The keys of collective `name` on the Operator with key `operator`, if this home holds them.
   * @throws ProtocolError MALFORMED, TOO_LARGE, DECRYPT_FAILED for a damaged file (HOME-3: never reset)
   */
  async get(operator: PublicKey, name: string): Promise<KeptCollective | undefined> {
    return (await this.#read()).get(slot(operator, name));
  }

  /** Every collective kept for the Operator with key `operator`, by name. */
  async list(operator: PublicKey): Promise<KeptCollective[]> {
    const prefix = `${operator.toHex()}/`;
    return [...(await this.#read())].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v).sort((a, b) => (a.keys.name < b.keys.name ? -1 : 1));
  }

  /** Keeps (or replaces) a collective's keys, atomically, 0600. */
  async put(operator: PublicKey, kept: KeptCollective): Promise<void> {
    const all = await this.#read();
    all.set(slot(operator, kept.keys.name), kept);
    await this.#write(all);
  }

  /** Overwrites the file key in memory. */
  wipe(): void {
    this.#key.wipe();
  }

  /** Forgets a collective's keys (a founding that the registry refused). */
  async delete(operator: PublicKey, name: string): Promise<void> {
    const all = await this.#read();
    if (all.delete(slot(operator, name))) await this.#write(all);
  }

  async #write(all: Map<string, KeptCollective>): Promise<void> {
    const value = Object.fromEntries([...all].map(([k, v]) => [k, { keys: encodeCollectiveKeys(v.keys), from: v.from }]));
    await atomicWrite(this.#path, cellSeal(this.#key, encode({ v: 1, collectives: value }), CONTEXT), { mode: 0o600 });
  }

  async #read(): Promise<Map<string, KeptCollective>> {
    const raw = await readSealedCellMap(this.#path, this.#key, CONTEXT, MAX_FILE_BYTES, 'collectives', 'collectives');
    if (raw === undefined) return new Map();
    const out = new Map<string, KeptCollective>();
    for (const [k, v] of Object.entries(raw)) {
      const e = Fields.of(v, 'kept collective', ['keys', 'from']);
      out.set(k, { keys: decodeCollectiveKeys(e.bytes('keys', { max: 512 })), from: e.str('from', { max: 32 }) });
    }
    return out;
  }
}

function slot(operator: PublicKey, name: string): string {
  return `${operator.toHex()}/${name}`;
}
