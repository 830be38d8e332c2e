/**
 * The comrade's own registry statements (CL-3): what each Operator signed about our name and key, kept
 * so that every letter can carry it (SEAL-1) without a lookup of our own name before a send. One file,
 * sealed at rest under a key derived from the identity key (like the mail, MAIL-1): it names us.
 * @module
 */
import { join } from 'node:path';
import { ProtocolError, SymmetricKey, cellSeal, encode, utf8, type PrivateKey, type PublicKey } from '@comrad/core';
import { Fields } from '@comrad/core/codec';
import { STATEMENT_BYTES } from '@comrad/core/envelope';
import { atomicWrite } from '@comrad/core/node';
import type { HomePaths } from '../home/home.js';
import { homeFileKey, readSealedCellMap } from './sealed-cell.js';

const CONTEXT = utf8('comrad/local/statements/v1');
/** A handful of Operators' statements fit many times over; a larger file is not ours (bounded before reading). */
const MAX_FILE_BYTES = 64 * 1024;
const MAX_OPERATORS = 32;

/** The sealed file of our own statements, one per Operator key. */
export class OwnStatements {
  readonly #key: SymmetricKey;
  readonly #path: string;

  /**
   * @param paths - the home's paths
   * @param identityKey - the unlocked identity private key (the file's key is derived from it)
   */
  constructor(paths: HomePaths, identityKey: PrivateKey) {
    this.#path = OwnStatements.pathIn(paths);
    this.#key = homeFileKey(identityKey, 'statements');
  }

  /** Where the file lives in a home (`statements.cell`). */
  static pathIn(paths: HomePaths): string {
    return join(paths.root, 'statements.cell');
  }

  /**
   * Our statement from the Operator with key `operator`, if stored.
   * @throws ProtocolError MALFORMED, TOO_LARGE, DECRYPT_FAILED for a damaged file (HOME-3: never reset)
   */
  async get(operator: PublicKey): Promise<Uint8Array | undefined> {
    return (await this.#read()).get(operator.toHex());
  }

  /** Stores (or replaces) our statement from the Operator with key `operator`, atomically, 0600. */
  async put(operator: PublicKey, statement: Uint8Array): Promise<void> {
    const all = await this.#read();
    all.set(operator.toHex(), statement);
    if (all.size > MAX_OPERATORS) throw new ProtocolError('TOO_LARGE', 'too many Operators in statements.cell');
    await atomicWrite(this.#path, cellSeal(this.#key, encode({ v: 1, statements: Object.fromEntries(all) }), CONTEXT), { mode: 0o600 });
  }

  /** Overwrites the file key in memory. */
  wipe(): void {
    this.#key.wipe();
  }

  async #read(): Promise<Map<string, Uint8Array>> {
    const raw = await readSealedCellMap(this.#path, this.#key, CONTEXT, MAX_FILE_BYTES, 'statements', 'statements');
    if (raw === undefined) return new Map();
    const entries = Fields.of(raw, 'statements', Object.keys(raw as object));
    const out = new Map<string, Uint8Array>();
    for (const op of Object.keys(raw as object).slice(0, MAX_OPERATORS)) out.set(op, entries.bytes(op, STATEMENT_BYTES));
    return out;
  }
}
