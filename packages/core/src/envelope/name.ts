/**
 * Comrade names (NAME-*): the one permanent, unique handle of a keymaker in the registry.
 * @module
 */
import { ProtocolError } from '../errors.js';
import type { Fields } from '../codec/fields.js';

/** NAME-1: 3 to 32 characters. */
export const NAME_MIN = 3;
/** NAME-1: 3 to 32 characters. */
export const NAME_MAX = 32;

/**
 * NAME-3: names no comrade may register, because they name the system's own keymakers or invite
 * impersonation of it.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'operator',
  'comrades',
  'comrad',
  'telephone',
  'admin',
  'administrator',
  'root',
  'system',
  'support',
  'security',
  'moderator',
  'everyone',
  'world',
  'null',
  'undefined',
]);

const NAME_RE = /^[a-z0-9_]{3,32}$/;

/**
 * Normalises a name as a person might type it (NAME-2): trims spaces, drops one leading `@`, lowercases ASCII letters.
 * Nothing else is folded: a name with other characters is refused, not silently changed.
 * @throws ProtocolError INVALID_NAME
 * @example `normaliseName(' @Alice ') // 'alice'`
 */
export function normaliseName(input: string): string {
  if (typeof input !== 'string') throw new ProtocolError('INVALID_NAME', 'a name must be a string');
  let s = input.trim();
  if (s.startsWith('@')) s = s.slice(1);
  // ASCII only: Unicode lowercasing would fold look-alikes such as U+212A KELVIN SIGN into `k`.
  s = s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
  return checkName(s);
}

/**
 * Checks that `name` is already in normal form (NAME-1): `[a-z0-9_]`, 3–32 characters. Decoders use
 * this: names on the wire must already be normalised.
 * @throws ProtocolError INVALID_NAME
 */
export function checkName(name: string): string {
  // NAME-1: any string that is not a name is INVALID_NAME, a long one too; its length is looked at
  // first, so an oversize string costs nothing more than a short one.
  if (typeof name !== 'string' || name.length > NAME_MAX || !NAME_RE.test(name)) {
    throw new ProtocolError('INVALID_NAME', 'a name is 3–32 characters of a–z, 0–9 and _');
  }
  return name;
}

/**
 * Reads the name field `key` of a decoded map, wherever a name is due (letters, frames, statements,
 * events): a string (else MALFORMED, ENC-5) that is a name in normal form (else INVALID_NAME, NAME-1,
 * whatever its length: one code for every non-name, on the wire as in a letter).
 * @throws ProtocolError MALFORMED, INVALID_NAME
 */
export function readNameField(f: Fields, key: string): string {
  const v = f.raw(key);
  if (typeof v !== 'string') throw new ProtocolError('MALFORMED', `${f.what}.${key} must be a string`);
  return checkName(v);
}

/**
 * Checks a name someone wants to register: valid and not reserved (NAME-3).
 * @throws ProtocolError INVALID_NAME
 */
export function checkRegistrableName(name: string): string {
  checkName(name);
  if (RESERVED_NAMES.has(name)) throw new ProtocolError('INVALID_NAME', `"${name}" is reserved`);
  return name;
}

/** The registry name of the world account (`@comrades`), held by the Operator. */
export const WORLD_NAME = 'comrades';
/** The registry name of the Operator itself. */
export const OPERATOR_NAME = 'operator';
