/**
 * Contacts (CT-*): the keys this client has learned from an Operator, pinned on first use, with the
 * Operator's signed statement that vouched for each. Names are permanent, so a later answer with a
 * different key for the same name is never routine: it is refused (CT-2), both signed statements are
 * kept as evidence (CT-4), and only a deliberate acceptance replaces the pin (CT-3). The Operator, or
 * someone between us and it, could be swapping keys to read our letters.
 * @module
 */
import { ProtocolError, PublicKey, fromHex, toHex } from '@comrad/core';
import type { JsonStore } from './json-file.js';
import { keyChanged } from './key-changed.js';

/** A pinned contact. */
export interface Contact {
  /** The comrade's normalised name. */
  readonly name: string;
  /** The pinned public key. */
  readonly key: PublicKey;
  /** When the key was pinned (ms). */
  readonly pinnedAt: number;
  /** The Operator-signed registry statement that vouched for the key (REG-4), when known. */
  readonly statement?: Uint8Array;
  /** Every other key the Operator gave for this name, with the evidence (CT-4), oldest first. */
  readonly changes: readonly KeyChange[];
}

/**
 * Evidence of a key change (CT-4): what was pinned and what the Operator gave instead, each with the
 * statement the Operator signed for it, so anyone can check later that the Operator said both.
 */
export interface KeyChange {
  readonly pinnedKey: PublicKey;
  readonly pinnedStatement?: Uint8Array;
  readonly offeredKey: PublicKey;
  readonly offeredStatement?: Uint8Array;
  /** When the client first saw the other key (ms). */
  readonly seenAt: number;
  /** When the user accepted it (CT-3), if they did. */
  readonly acceptedAt?: number;
}

/** At most this many key changes are kept per name: an Operator offering keys without end fills nothing. */
const MAX_CHANGES = 16;

/** Result of {@link ContactBook.check}. */
export type PinResult = { readonly status: 'new' | 'same'; readonly contact: Contact };

/** A key change as stored: keys and statements in hex. */
interface ChangeEntry {
  pinnedKey: string;
  pinnedStatement?: string;
  offeredKey: string;
  offeredStatement?: string;
  seenAt: number;
  acceptedAt?: number;
}

/** A contact as stored. */
interface ContactEntry {
  key: string;
  pinnedAt: number;
  /** The signed statement for `key`, hex (absent for pins made before CT-4). */
  statement?: string;
  /** CT-4 evidence, oldest first. */
  changes?: ChangeEntry[];
}

interface ContactsFile {
  v: 1;
  /** Operator key fingerprint → name → contact; names are unique per Operator only. */
  operators: Record<string, Record<string, ContactEntry>>;
}

/** The pinned keys of one home, per Operator. */
export class ContactBook {
  #dirty = false;

  private constructor(
    private readonly file: JsonStore,
    private readonly data: ContactsFile,
  ) {}

  /** Whether there is something {@link save} has not written yet (e.g. evidence of a key change). */
  get dirty(): boolean {
    return this.#dirty;
  }

  /**
   * Reads the contacts (an empty book when there are none yet).
   * @param file - where they are kept: sealed under the home key (HOME-5), or a plain file being migrated
   * @throws ProtocolError MALFORMED when the file is damaged
   */
  static async load(file: JsonStore): Promise<ContactBook> {
    const raw = await file.read();
    if (raw === undefined) return new ContactBook(file, { v: 1, operators: {} });
    return new ContactBook(file, parse(raw));
  }

  /**
   * The pinned contact `name` at the Operator with key `operator`, if any.
   * @param operator - the Operator's key (names are unique per Operator)
   * @param name - a normalised name
   */
  get(operator: PublicKey, name: string): Contact | undefined {
    const entry = this.data.operators[operator.fingerprint()]?.[name];
    if (!entry) return undefined;
    return {
      name,
      key: PublicKey.from(fromHex(entry.key)),
      pinnedAt: entry.pinnedAt,
      ...(entry.statement ? { statement: fromHex(entry.statement) } : {}),
      changes: (entry.changes ?? []).map(changeOf),
    };
  }

  /** Every contact pinned at this Operator, by name. */
  list(operator: PublicKey): Contact[] {
    const names = Object.keys(this.data.operators[operator.fingerprint()] ?? {}).sort();
    return names.map((n) => this.get(operator, n)!);
  }

  /**
   * Checks a key the Operator vouched for against the pin, pinning it on first sight (CT-1). Does not
   * save: call {@link save} after a `new` result, and whenever {@link dirty} (a KEY_CHANGED recorded
   * evidence).
   * @param operator - the Operator's key
   * @param name - the normalised name
   * @param key - the key from a verified lookup statement
   * @param now - the clock (ms)
   * @param statement - the Operator-signed statement that gave `key` (kept with the pin, or as evidence)
   * @returns whether the key was new or already pinned
   * @throws ProtocolError KEY_CHANGED when a different key is pinned for this name (CT-2); the pinned and
   *   the offered statement are recorded as evidence first (CT-4)
   */
  check(operator: PublicKey, name: string, key: PublicKey, now: number, statement?: Uint8Array): PinResult {
    const pinned = this.get(operator, name);
    if (!pinned) return { status: 'new', contact: this.set(operator, name, key, now, statement) };
    const entry = this.data.operators[operator.fingerprint()]![name]!;
    if (pinned.key.equals(key)) {
      // A pin made before CT-4 gets its statement the first time one comes with the same key.
      if (statement && !entry.statement) {
        entry.statement = toHex(statement);
        this.#dirty = true;
      }
      return { status: 'same', contact: this.get(operator, name)! };
    }
    const changes = (entry.changes ??= []);
    const known = changes.find((c) => c.offeredKey === key.toHex() && c.pinnedKey === entry.key);
    if (known && statement && !known.offeredStatement) known.offeredStatement = toHex(statement);
    if (!known && changes.length < MAX_CHANGES) {
      changes.push({
        pinnedKey: entry.key,
        ...(entry.statement ? { pinnedStatement: entry.statement } : {}),
        offeredKey: key.toHex(),
        ...(statement ? { offeredStatement: toHex(statement) } : {}),
        seenAt: now,
      });
    }
    this.#dirty = true;
    throw keyChanged(name, pinned.key, key);
  }

  /**
   * Replaces the pinned key, after the person compared the full new fingerprint out of band and typed it
   * (CT-3). The evidence of the change stays (CT-4), marked accepted. Does not save.
   * @param statement - the Operator-signed statement for the new key
   * @returns the new contact
   */
  replace(operator: PublicKey, name: string, key: PublicKey, now: number, statement?: Uint8Array): Contact {
    const entry = this.data.operators[operator.fingerprint()]?.[name];
    const changes = entry?.changes ?? [];
    for (const c of changes) if (c.offeredKey === key.toHex() && c.acceptedAt === undefined) c.acceptedAt = now;
    this.set(operator, name, key, now, statement, changes);
    return this.get(operator, name)!;
  }

  /** Writes the book atomically (0600), sealed (HOME-5). */
  async save(): Promise<void> {
    await this.file.write(this.data);
    this.#dirty = false;
  }

  /**
   * Writes the same book into another store (HOME-7: moving a plain file into a sealed one).
   * @param file - the new store, from now on this book's
   * @returns the book kept in `file`
   */
  async moveTo(file: JsonStore): Promise<ContactBook> {
    await file.write(this.data);
    return new ContactBook(file, this.data);
  }

  private set(operator: PublicKey, name: string, key: PublicKey, now: number, statement?: Uint8Array, changes: ChangeEntry[] = []): Contact {
    const book = (this.data.operators[operator.fingerprint()] ??= {});
    book[name] = { key: key.toHex(), pinnedAt: now, ...(statement ? { statement: toHex(statement) } : {}), ...(changes.length > 0 ? { changes } : {}) };
    this.#dirty = true;
    return this.get(operator, name)!;
  }
}

function changeOf(c: ChangeEntry): KeyChange {
  return {
    pinnedKey: PublicKey.from(fromHex(c.pinnedKey)),
    ...(c.pinnedStatement ? { pinnedStatement: fromHex(c.pinnedStatement) } : {}),
    offeredKey: PublicKey.from(fromHex(c.offeredKey)),
    ...(c.offeredStatement ? { offeredStatement: fromHex(c.offeredStatement) } : {}),
    seenAt: c.seenAt,
    ...(c.acceptedAt !== undefined ? { acceptedAt: c.acceptedAt } : {}),
  };
}

function parse(raw: unknown): ContactsFile {
  const bad = () => new ProtocolError('MALFORMED', 'the contacts file is damaged');
  if (!isRecord(raw) || raw['v'] !== 1 || !isRecord(raw['operators'])) throw bad();
  const out: ContactsFile = { v: 1, operators: {} };
  for (const [op, names] of Object.entries(raw['operators'])) {
    if (!isRecord(names)) throw bad();
    const book: ContactsFile['operators'][string] = (out.operators[op] = {});
    for (const [name, entry] of Object.entries(names)) {
      if (!isRecord(entry) || typeof entry['key'] !== 'string' || typeof entry['pinnedAt'] !== 'number') throw bad();
      if (!isKey(entry['key']) || !optHex(entry['statement'])) throw bad();
      const changes = entry['changes'];
      if (changes !== undefined && (!Array.isArray(changes) || changes.length > MAX_CHANGES || !changes.every(isChange))) throw bad();
      book[name] = {
        key: entry['key'],
        pinnedAt: entry['pinnedAt'],
        ...(typeof entry['statement'] === 'string' ? { statement: entry['statement'] } : {}),
        ...(changes ? { changes: changes as ChangeEntry[] } : {}),
      };
    }
  }
  return out;
}

function isKey(v: unknown): boolean {
  try {
    PublicKey.from(fromHex(v as string));
    return typeof v === 'string';
  } catch {
    return false;
  }
}

function optHex(v: unknown): boolean {
  return v === undefined || (typeof v === 'string' && /^(?:[0-9a-f]{2})*$/.test(v));
}

function isChange(v: unknown): v is ChangeEntry {
  return (
    isRecord(v) &&
    isKey(v['pinnedKey']) &&
    isKey(v['offeredKey']) &&
    optHex(v['pinnedStatement']) &&
    optHex(v['offeredStatement']) &&
    typeof v['seenAt'] === 'number' &&
    (v['acceptedAt'] === undefined || typeof v['acceptedAt'] === 'number')
  );
}

/** True for a plain JSON object. @internal */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
