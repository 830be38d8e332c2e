/**
 * Small JSON files of the home (contacts, Operators): sealed at rest under a key derived from the home key
 * (HOME-5), padded so their size says little about how many entries they hold, read strictly, and
 * written atomically with mode 0600 (HOME-2, HOME-3) so a crash leaves either the old file or the new
 * one, never half of each. The plain reader remains for migrating homes made before sealing (HOME-7).
 * @module
 */
import { ProtocolError, cellOpen, cellSeal, utf8, type SymmetricKey } from '@comrad/core';
import { atomicWrite, readFileBounded } from '@comrad/core/node';

/** The largest JSON file of the home we read (contacts of a very social comrade fit easily). */
const MAX_JSON_BYTES = 8 * 1024 * 1024;
/** Sealed sizes are rounded up to a power of two, at least this: one contact or a hundred look alike. */
const MIN_PADDED_BYTES = 4096;

/** Where a book (contacts, Operators) keeps its JSON value. */
export interface JsonStore {
  /** The file, for messages. */
  readonly path: string;
  /** The stored value, or undefined when there is none yet. @throws ProtocolError MALFORMED, TOO_LARGE */
  read(): Promise<unknown>;
  /** Replaces the stored value atomically. */
  write(value: unknown): Promise<void>;
}

/**
 * A JSON value sealed in a Secure Cell (CRY-3) under `key`, with the file's purpose as context (HOME-5).
 * @param path - the file
 * @param key - a key derived from the home key for this file only
 * @param context - the purpose, e.g. `contacts`; binds the cell to this file
 * @returns the store
 */
export function sealedJsonFile(path: string, key: SymmetricKey, context: string): JsonStore {
  const ctx = utf8(`comrad/home/v1/${context}`);
  return {
    path,
    async read() {
      const bytes = await readBounded(path);
      if (bytes === undefined) return undefined;
      let text: Uint8Array;
      try {
        text = cellOpen(key, bytes, ctx);
      } catch (err) {
        // The key opened home.key, so a cell that does not open under it was damaged or swapped (HOME-3).
        if (ProtocolError.is(err)) throw new ProtocolError('MALFORMED', `${path} is damaged (it does not open under this home's key)`);
        throw err;
      }
      return parse(text, path);
    },
    async write(value) {
      await atomicWrite(path, cellSeal(key, padded(value), ctx));
    },
  };
}

/**
 * A plain JSON file: only read, to migrate a home made before sealing (HOME-7).
 * @param path - the file
 */
export function plainJsonFile(path: string): JsonStore {
  return {
    path,
    async read() {
      const bytes = await readBounded(path);
      return bytes === undefined ? undefined : parse(bytes, path);
    },
    async write() {
      throw new TypeError(`${path}: plain JSON files are never written (HOME-5)`);
    },
  };
}

/**
 * Reads and parses a plain JSON file.
 * @param path - the file
 * @returns the parsed value, or undefined when the file does not exist
 * @throws ProtocolError MALFORMED (not JSON), TOO_LARGE
 */
export async function readJsonFile(path: string): Promise<unknown> {
  return plainJsonFile(path).read();
}

/**
 * Writes `value` as plain JSON, atomically, mode 0600. For what is no secret; the home's books are sealed.
 * @param path - the file
 * @param value - a JSON-serialisable value
 */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await atomicWrite(path, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));
}

async function readBounded(path: string): Promise<Uint8Array | undefined> {
  try {
    // Bounded before a byte is read (MAIL-4's rule for every file of the home).
    return await readFileBounded(path, MAX_JSON_BYTES);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parse(bytes: Uint8Array, path: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new ProtocolError('MALFORMED', `${path} is not valid JSON`);
  }
}

/** JSON text followed by spaces (still valid JSON) up to the next power of two, at least 4 KiB. */
function padded(value: unknown): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(value));
  let size = MIN_PADDED_BYTES;
  while (size < text.length) size *= 2;
  const out = new Uint8Array(size).fill(0x20);
  out.set(text);
  return out;
}
