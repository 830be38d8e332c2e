/**
 * Small JSON files of the home (contacts, Operators): read strictly, written atomically with mode 0600
 * (HOME-2, HOME-3) so a crash leaves either the old file or the new one, never half of each.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ProtocolError } from '@comrad/core';
import { atomicWrite } from '@comrad/core/node';

/** The largest JSON file of the home we read (contacts of a very social comrade fit easily). */
const MAX_JSON_BYTES = 8 * 1024 * 1024;

/**
 * Reads and parses a JSON file.
 * @param path - the file
 * @returns the parsed value, or undefined when the file does not exist
 * @throws ProtocolError MALFORMED (not JSON), TOO_LARGE
 */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text.length > MAX_JSON_BYTES) throw new ProtocolError('TOO_LARGE', `${path} is larger than ${MAX_JSON_BYTES} bytes`);
  try {
    return JSON.parse(text.toString('utf8')) as unknown;
  } catch {
    throw new ProtocolError('MALFORMED', `${path} is not valid JSON`);
  }
}

/**
 * Writes `value` as JSON, atomically, mode 0600.
 * @param path - the file
 * @param value - a JSON-serialisable value
 */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await atomicWrite(path, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));
}
