/**
 * Log entries and the collective's keys (COL-22..COL-26): what a member hands the Operator for one event,
 * and what proves to the Operator that the appender holds the collective's keys. An entry is the signed
 * event, padded to a size bucket (SEAL-3) and sealed under the collective's log key, which only members
 * and invited candidates hold, so the Operator orders entries it can neither read nor forge. An append
 * is signed with the collective's own identity key, the one registered under the collective's name
 * (COL-23), so only holders of the keys can add entries, and the Operator checks that without learning
 * who appended.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ProtocolError } from '../errors.js';
import { bytesEqual } from '../bytes.js';
import { decode, encode } from '../codec/msgpack.js';
import { Fields } from '../codec/fields.js';
import { KeyPair, PrivateKey, PublicKey, SymmetricKey } from '../crypto/keys.js';
import { cellOpen, cellSeal, sign, verify } from '../crypto/operations.js';
import { checkName } from '../envelope/name.js';
import { pad, unpad } from '../envelope/padding.js';
import { MAX_EVENT_BYTES } from './event.js';

/** COL-24: the most bytes one entry is (a signed event of {@link MAX_EVENT_BYTES} padded to 4096, sealed). */
export const MAX_ENTRY_BYTES = 4608;
/** COL-24: the authenticated context of an entry's Secure Cell, before the collective's name. */
export const ENTRY_CONTEXT = 'comrad/collective/entry';
/** COL-23: what an append signature signs, so no other signature passes for one. */
export const APPEND_CONTEXT = 'comrad/collective/append';
/** COL-25: the context of the collective's keys as members keep and pass them. */
export const KEYS_CONTEXT = 'comrad/collective/keys';
/** COL-19: the largest log position (a 32-bit unsigned integer, like `seq`). */
export const MAX_POSITION = 0xffff_ffff;

const enc = new TextEncoder();

/** The secret members of one collective share (COL-25). */
export interface CollectiveKeys {
  /** The collective's name (NAME-1), registered in the registry with `identity`'s public key. */
  readonly name: string;
  /** The collective's identity: signs appends (COL-23); its public half is the registry's key for `name`. */
  readonly identity: KeyPair;
  /** Seals and opens the log's entries (COL-24). */
  readonly logKey: SymmetricKey;
}

/**
 * Fresh keys for a new collective (COL-25).
 * @param name - the collective's name, in normal form
 * @example `const keys = newCollectiveKeys('portland')`
 */
export function newCollectiveKeys(name: string): CollectiveKeys {
  return { name: checkName(name), identity: KeyPair.generate(), logKey: SymmetricKey.generate() };
}

/**
 * COL-25: the keys as bytes (a canonical msgpack map `{ctx, col, key, priv, log}`), for an invitation
 * and for a member's home. Secret: whoever holds them reads the log and can append to it.
 */
export function encodeCollectiveKeys(keys: CollectiveKeys): Uint8Array {
  return encode({ ctx: KEYS_CONTEXT, col: keys.name, key: keys.identity.publicKey.bytes(), priv: keys.identity.privateKey.bytes(), log: keys.logKey.bytes() });
}

/**
 * Reads keys made by {@link encodeCollectiveKeys}. The pair is checked to match (a signature by the
 * private half verifies under the public half), so keys that would only fail later are refused now.
 * @throws ProtocolError MALFORMED, INVALID_NAME, INVALID_KEY
 */
export function decodeCollectiveKeys(bytes: Uint8Array): CollectiveKeys {
  const f = Fields.of(decode(bytes, 512), 'collective keys', ['ctx', 'col', 'key', 'priv', 'log']);
  if (f.str('ctx', { max: 64 }) !== KEYS_CONTEXT) throw new ProtocolError('MALFORMED', 'not collective keys');
  const name = checkName(f.str('col', { max: 32 }));
  const identity = new KeyPair(PrivateKey.from(f.bytes('priv', { min: 44, max: 45 })), PublicKey.from(f.bytes('key', { min: 45, max: 77 })));
  const logKey = SymmetricKey.from(f.bytes('log', { min: 32, max: 32 }));
  const probe = enc.encode(KEYS_CONTEXT);
  try {
    verify(identity.publicKey, sign(identity.privateKey, probe));
  } catch {
    throw new ProtocolError('INVALID_KEY', "the collective's private and public keys do not match");
  }
  return { name, identity, logKey };
}

function entryContext(name: string): Uint8Array {
  return encode({ ctx: ENTRY_CONTEXT, col: name });
}

/**
 * COL-24: the entry for one signed event: padded to its bucket (SEAL-3) and sealed under the log key,
 * with the collective's name as the cell's context (an entry moved to another collective's log does not open).
 * @throws ProtocolError TOO_LARGE (an event beyond COL-1)
 */
export function sealEntry(keys: CollectiveKeys, signedEvent: Uint8Array): Uint8Array {
  if (signedEvent.length > MAX_EVENT_BYTES) throw new ProtocolError('TOO_LARGE', `a signed event is at most ${MAX_EVENT_BYTES} bytes`);
  return cellSeal(keys.logKey, pad(signedEvent), entryContext(keys.name));
}

/**
 * COL-24: the signed event inside an entry. What comes out is then checked like any event (COL-7).
 * @throws ProtocolError TOO_LARGE, DECRYPT_FAILED, TRUNCATED, TRAILING_BYTES, BAD_PADDING
 */
export function openEntry(keys: CollectiveKeys, entry: Uint8Array): Uint8Array {
  if (entry.length > MAX_ENTRY_BYTES) throw new ProtocolError('TOO_LARGE', `an entry is at most ${MAX_ENTRY_BYTES} bytes`);
  return unpad(cellOpen(keys.logKey, entry, entryContext(keys.name))).slice();
}

/** COL-23: what an append signature covers: the collective, the position and the entry's SHA-256. */
function appendMessage(name: string, position: number, entry: Uint8Array): Uint8Array {
  return encode({ ctx: APPEND_CONTEXT, col: name, pos: position, entry: sha256(entry) });
}

/**
 * COL-23: signs an append of `entry` at `position` with the collective's identity key.
 * @returns the `sig` of `colAppend`
 */
export function signAppend(keys: CollectiveKeys, position: number, entry: Uint8Array): Uint8Array {
  return sign(keys.identity.privateKey, appendMessage(keys.name, position, entry));
}

/**
 * COL-23: whether `sig` signs the append of `entry` at `position` to `name` under `key` (the registry's
 * key for `name`). A boolean: the Operator answers every failure alike.
 */
export function checkAppend(sig: Uint8Array, key: PublicKey, name: string, position: number, entry: Uint8Array): boolean {
  try {
    return bytesEqual(verify(key, sig), appendMessage(name, position, entry));
  } catch (err) {
    if (err instanceof ProtocolError) return false;
    throw err;
  }
}
