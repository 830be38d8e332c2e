/**
 * Contacts (CT-*): the keys this client has learned from an Operator, pinned on first use. A later
 * answer with a different key for the same name is refused (CT-2) until the person accepts the change
 * (CT-3): the Operator, or someone between us and it, could be swapping keys to read our letters.
 * @module
 */
import { ProtocolError, PublicKey, fromHex } from '@comrad/core';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { keyChanged } from './key-changed.js';

/** A pinned contact. */
export interface Contact {
  /** The comrade's normalised name. */
  readonly name: string;
  /** The pinned public key. */
  readonly key: PublicKey;
  /** When the key was pinned (ms). */
  readonly pinnedAt: number;
}

/** Result of {@link ContactBook.check}. */
export type PinResult = { readonly status: 'new' | 'same'; readonly contact: Contact };

interface ContactsFile {
  v: 1;
  /** Operator key fingerprint → name → contact; names are unique per Operator only. */
  operators: Record<string, Record<string, { key: string; pinnedAt: number }>>;
}

/** The pinned keys of one home, per Operator. */
export class ContactBook {
  private constructor(
    private readonly path: string,
    private readonly data: ContactsFile,
  ) {}

  /**
   * Reads `contacts.json` (an empty book when the file does not exist yet).
   * @param path - the file
   * @throws ProtocolError MALFORMED when the file is damaged
   */
  static async load(path: string): Promise<ContactBook> {
    const raw = await readJsonFile(path);
    if (raw === undefined) return new ContactBook(path, { v: 1, operators: {} });
    return new ContactBook(path, parse(raw));
  }

  /**
   * The pinned contact `name` at the Operator with key `operator`, if any.
   * @param operator - the Operator's key (names are unique per Operator)
   * @param name - a normalised name
   */
  get(operator: PublicKey, name: string): Contact | undefined {
    const entry = this.data.operators[operator.fingerprint()]?.[name];
    return entry && { name, key: PublicKey.from(fromHex(entry.key)), pinnedAt: entry.pinnedAt };
  }

  /** Every contact pinned at this Operator, by name. */
  list(operator: PublicKey): Contact[] {
    const names = Object.keys(this.data.operators[operator.fingerprint()] ?? {}).sort();
    return names.map((n) => this.get(operator, n)!);
  }

  /**
   * Checks a key the Operator vouched for against the pin, pinning it on first sight (CT-1). Does not
   * save: call {@link save} after a `new` result.
   * @param operator - the Operator's key
   * @param name - the normalised name
   * @param key - the key from a verified lookup statement
   * @param now - the clock (ms)
   * @returns whether the key was new or already pinned
   * @throws ProtocolError KEY_CHANGED when a different key is pinned for this name (CT-2)
   */
  check(operator: PublicKey, name: string, key: PublicKey, now: number): PinResult {
    const pinned = this.get(operator, name);
    if (pinned) {
      if (pinned.key.equals(key)) return { status: 'same', contact: pinned };
      throw keyChanged(name, pinned.key, key);
    }
    return { status: 'new', contact: this.set(operator, name, key, now) };
  }

  /**
   * Replaces the pinned key, after the person compared fingerprints out of band and accepted the change
   * (CT-3). Does not save.
   * @returns the new contact
   */
  replace(operator: PublicKey, name: string, key: PublicKey, now: number): Contact {
    return this.set(operator, name, key, now);
  }

  /** Writes the book atomically (0600). */
  async save(): Promise<void> {
    await writeJsonFile(this.path, this.data);
  }

  private set(operator: PublicKey, name: string, key: PublicKey, now: number): Contact {
    const book = (this.data.operators[operator.fingerprint()] ??= {});
    book[name] = { key: key.toHex(), pinnedAt: now };
    return { name, key, pinnedAt: now };
  }
}

function parse(raw: unknown): ContactsFile {
  const bad = () => new ProtocolError('MALFORMED', 'contacts.json is damaged');
  if (!isRecord(raw) || raw['v'] !== 1 || !isRecord(raw['operators'])) throw bad();
  const out: ContactsFile = { v: 1, operators: {} };
  for (const [op, names] of Object.entries(raw['operators'])) {
    if (!isRecord(names)) throw bad();
    const book: ContactsFile['operators'][string] = (out.operators[op] = {});
    for (const [name, entry] of Object.entries(names)) {
      if (!isRecord(entry) || typeof entry['key'] !== 'string' || typeof entry['pinnedAt'] !== 'number') throw bad();
      try {
        PublicKey.from(fromHex(entry['key']));
      } catch {
        throw bad();
      }
      book[name] = { key: entry['key'], pinnedAt: entry['pinnedAt'] };
    }
  }
  return out;
}

/** True for a plain JSON object. @internal */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
