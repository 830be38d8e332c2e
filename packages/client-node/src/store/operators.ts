/**
 * Known Operators (OPS-*): a name, an address and the Operator's pinned public key. A key given by the
 * person (from a trusted source) must match what the Operator announces; without one, the key announced
 * on first contact is pinned (trust on first use, like ssh) and any later change is refused (OPS-2).
 * @module
 */
import { ProtocolError, PublicKey, fromHex } from '@comrad/core';
import { UsageError } from '../errors.js';
import { isRecord } from './contacts.js';
import type { JsonStore } from './json-file.js';
import { operatorKeyChanged } from './key-changed.js';

/** One known Operator. */
export interface OperatorEntry {
  /** Local name of the entry (e.g. `default`). */
  readonly name: string;
  /** `ws://` or `wss://` address. */
  readonly url: string;
  /** The pinned key, once known. */
  readonly key?: PublicKey;
}

/**
 * The built-in default Operator (OPS-3). A PLACEHOLDER: a deployment sets its real address and pinned
 * key here (the design's promise is "no server to pick"); until then it points at a local Operator
 * (`npm start`), and its key is pinned on first use.
 */
export const DEFAULT_OPERATOR: OperatorEntry = { name: 'default', url: 'ws://127.0.0.1:7077' };

const ENTRY_NAME = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

interface OperatorsFile {
  v: 1;
  default: string;
  operators: Record<string, { url: string; key?: string }>;
}

/** The Operators known to one home. */
export class OperatorBook {
  private constructor(
    private readonly file: JsonStore,
    private readonly data: OperatorsFile,
  ) {}

  /**
   * Reads the known Operators; a home without any knows only {@link DEFAULT_OPERATOR}.
   * @param file - where they are kept: sealed under the home key (HOME-5), or a plain file being migrated
   * @throws ProtocolError MALFORMED when the file is damaged
   */
  static async load(file: JsonStore): Promise<OperatorBook> {
    const raw = await file.read();
    const data: OperatorsFile = raw === undefined ? { v: 1, default: DEFAULT_OPERATOR.name, operators: {} } : parse(raw);
    data.operators[DEFAULT_OPERATOR.name] ??= { url: DEFAULT_OPERATOR.url };
    return new OperatorBook(file, data);
  }

  /** The name of the entry used when none is named. */
  get defaultName(): string {
    return this.data.default;
  }

  /**
   * The entry `name` (the default entry when omitted).
   * @throws UsageError UNKNOWN_OPERATOR
   */
  get(name: string = this.data.default): OperatorEntry {
    const e = this.data.operators[name];
    if (!e) throw new UsageError('UNKNOWN_OPERATOR', `no Operator named "${name}" (add it with \`comrad operator add URL --name ${name}\`)`);
    return { name, url: e.url, ...(e.key ? { key: PublicKey.from(fromHex(e.key)) } : {}) };
  }

  /** Every entry, by name. */
  list(): OperatorEntry[] {
    return Object.keys(this.data.operators)
      .sort()
      .map((n) => this.get(n));
  }

  /**
   * Adds or replaces an entry and makes it the default. Does not save.
   * @param entry - name, URL and optionally a key already checked against the Operator's `info`
   * @throws UsageError BAD_ARGUMENT for an invalid entry name
   */
  set(entry: OperatorEntry): void {
    if (!ENTRY_NAME.test(entry.name)) throw new UsageError('BAD_ARGUMENT', 'an Operator name is 1–32 characters of a–z, 0–9, _ . -');
    this.data.operators[entry.name] = { url: entry.url, ...(entry.key ? { key: entry.key.toHex() } : {}) };
    this.data.default = entry.name;
  }

  /**
   * Makes `name` the entry used when none is named (CLI-14). Does not save.
   * @throws UsageError UNKNOWN_OPERATOR
   */
  use(name: string): OperatorEntry {
    const entry = this.get(name);
    this.data.default = name;
    return entry;
  }

  /**
   * Forgets the entry `name` and its pinned key (CLI-14). The default entry is kept: another is made the
   * default first, so a command without `--operator` never finds none. Does not save.
   * @throws UsageError UNKNOWN_OPERATOR, BAD_ARGUMENT (the default)
   */
  remove(name: string): OperatorEntry {
    const entry = this.get(name);
    if (name === this.data.default) {
      throw new UsageError('BAD_ARGUMENT', `"${name}" is the default Operator: make another the default first (\`comrad operator use NAME\`)`);
    }
    delete this.data.operators[name];
    return entry;
  }

  /**
   * Checks the key an Operator announced against the entry (OPS-1, OPS-2), pinning it when the entry has
   * none yet. Does not save.
   * @returns `new` when the key was pinned now, `same` when it matched the pin
   * @throws ProtocolError KEY_CHANGED when the pinned key differs
   */
  check(name: string, announced: PublicKey): 'new' | 'same' {
    const entry = this.get(name);
    if (entry.key) {
      if (entry.key.equals(announced)) return 'same';
      throw operatorKeyChanged(entry, entry.key, announced);
    }
    this.data.operators[name] = { url: entry.url, key: announced.toHex() };
    return 'new';
  }

  /** Writes the list atomically (0600), sealed (HOME-5). */
  async save(): Promise<void> {
    await this.file.write(this.data);
  }

  /**
   * Writes the same list into another store (HOME-7: moving a plain file into a sealed one).
   * @param file - the new store, from now on this list's
   * @returns the list kept in `file`
   */
  async moveTo(file: JsonStore): Promise<OperatorBook> {
    await file.write(this.data);
    return new OperatorBook(file, this.data);
  }
}

function parse(raw: unknown): OperatorsFile {
  const bad = () => new ProtocolError('MALFORMED', 'the Operators file is damaged');
  if (!isRecord(raw) || raw['v'] !== 1 || typeof raw['default'] !== 'string' || !isRecord(raw['operators'])) throw bad();
  const out: OperatorsFile = { v: 1, default: raw['default'], operators: {} };
  for (const [name, e] of Object.entries(raw['operators'])) {
    if (!ENTRY_NAME.test(name) || !isRecord(e) || typeof e['url'] !== 'string') throw bad();
    if (e['key'] !== undefined) {
      if (typeof e['key'] !== 'string') throw bad();
      try {
        PublicKey.from(fromHex(e['key']));
      } catch {
        throw bad();
      }
    }
    out.operators[name] = { url: e['url'], ...(typeof e['key'] === 'string' ? { key: e['key'] } : {}) };
  }
  if (!out.operators[out.default] && out.default !== DEFAULT_OPERATOR.name) throw bad();
  return out;
}
