/**
 * Bounds and small readers shared by the wire decoders (OP-*), so every op checks names, ids, keys and
 * byte strings the same way.
 * @internal
 */
import { ProtocolError } from '../errors.js';
import { Fields, checkStr, type BytesBounds, type StrBounds } from '../codec/index.js';
import { PublicKey } from '../crypto/index.js';
import { readNameField } from '../envelope/name.js';
import { MAX_SEALED_LETTER_BYTES } from '../limits.js';

/** OP-5: a store-assigned id of a mail item or a post. */
export const ITEM_ID_BOUNDS: StrBounds = { min: 1, max: 64, pattern: /^[0-9A-Za-z._:-]+$/ };
/** A Themis public key: 45 bytes compressed, 77 uncompressed (KEY-1); `PublicKey.from` checks the rest. */
export const KEY_BOUNDS: BytesBounds = { min: 45, max: 77 };
/** A Themis signed message over a small map: header + message + DER signature, far below this. */
export const SIGNED_BOUNDS: BytesBounds = { min: 12, max: 1024 };
/** A proof-of-work nonce (REG-6, MB-9). */
export const NONCE_BOUNDS: BytesBounds = { min: 1, max: 32 };
/** A sealed letter or sealed post (LIM-6). */
export const SEALED_BOUNDS: BytesBounds = { min: 1, max: MAX_SEALED_LETTER_BYTES };
/** A timestamp in ms since the epoch, up to the year 10000. */
export const TIME_BOUNDS = { min: 0, max: 253_402_300_800_000 } as const;

/**
 * Reads a normalised name field (NAME-1): any string that is not a name, however long, is INVALID_NAME
 * (as in a letter); the frame's size bound has already refused oversize input before any work.
 * @throws ProtocolError MALFORMED, INVALID_NAME
 */
export function readName(f: Fields, key: string): string {
  return readNameField(f, key);
}

/** Reads a public key field (KEY-1). @throws ProtocolError MALFORMED, TOO_LARGE, INVALID_KEY */
export function readKey(f: Fields, key: string): PublicKey {
  return PublicKey.from(f.bytes(key, KEY_BOUNDS));
}

/** Reads an item id field (OP-5). */
export function readItemId(f: Fields, key: string): string {
  return f.str(key, ITEM_ID_BOUNDS);
}

/** Checks one item id from a list (OP-5); `label` names it in errors. */
export function checkItemId(v: unknown, label: string): string {
  if (typeof v !== 'string') throw new ProtocolError('MALFORMED', `${label} must be a string`);
  return checkStr(v, ITEM_ID_BOUNDS, label);
}

/** A map view of a nested value, refusing anything but a plain map with the allowed keys. */
export function mapOf(value: unknown, what: string, keys: readonly string[]): Fields {
  return Fields.of(value, what, keys);
}

/** Throws MALFORMED unless `cond`; for cross-field rules the field readers cannot express. */
export function must(cond: boolean, message: string): asserts cond {
  if (!cond) throw new ProtocolError('MALFORMED', message);
}
