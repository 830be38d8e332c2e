/**
 * Danger pins (PIN-*): what a pin says — a cell, a kind from a closed list, a short note — and the
 * nullifier that makes a vote on a pin one per comrade without naming them.
 * @module
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ProtocolError } from '../errors.js';
import type { PrivateKey, PublicKey } from '../crypto/index.js';
import { concatBytes, utf8 } from '../bytes.js';
import { checkLatLon, encodeGeohash } from './geohash.js';

/** PIN-1: the closed list of kinds. */
export const PIN_KINDS = ['police', 'danger', 'medical', 'fire', 'blocked', 'safe', 'other'] as const;
/** A pin's kind. */
export type PinKind = (typeof PIN_KINDS)[number];
/** PIN-2: pins are stored at geohash length 7, a cell of about 153 m × 153 m at the equator. */
export const PIN_CELL_LENGTH = 7;
/** PIN-2: a pin's cell on the wire: exactly 7 geohash characters. */
export const PIN_CELL_PATTERN = /^[0-9b-hjkmnp-z]{7}$/;
/** PIN-3: a note is at most 140 code points. */
export const MAX_PIN_NOTE_CHARS = 140;
/** PIN-4: the shortest lifetime a pin asks for (s). */
export const MIN_PIN_TTL_SECONDS = 60;
/** PIN-4: the longest lifetime a pin may ask for on the wire (s); the Operator's own maximum is at most this. */
export const MAX_PIN_TTL_SECONDS = 86_400;
/** PIN-4: the lifetime a client asks for when the person does not say (s). */
export const DEFAULT_PIN_TTL_SECONDS = 7_200;
/** PIN-6: a nullifier is 32 bytes. */
export const NULLIFIER_BYTES = 32;
/** PIN-6: the two votes on a pin. */
export const PIN_VOTES = ['confirm', 'deny'] as const;
/** A vote on a pin. */
export type PinVote = (typeof PIN_VOTES)[number];

// PIN-3: a note is one line that shows as what it says: no control, line-separator or bidi character.
const NOTE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Checks a pin's kind (PIN-1).
 * @throws ProtocolError UNSUPPORTED_KIND
 */
export function checkPinKind(kind: unknown): PinKind {
  if (typeof kind !== 'string' || !(PIN_KINDS as readonly string[]).includes(kind)) {
    throw new ProtocolError('UNSUPPORTED_KIND', `a pin's kind is one of ${PIN_KINDS.join(', ')}`);
  }
  return kind as PinKind;
}

/**
 * Checks a pin's note (PIN-3): at most 140 code points, one line, no control or bidi character.
 * @throws ProtocolError TOO_LARGE, MALFORMED
 */
export function checkPinNote(note: unknown): string {
  if (typeof note !== 'string') throw new ProtocolError('MALFORMED', "a pin's note must be a string");
  // Counted before the pattern, so an oversize note is TOO_LARGE whatever it holds.
  let n = 0;
  for (const _ of note) if (++n > MAX_PIN_NOTE_CHARS) throw new ProtocolError('TOO_LARGE', `a pin's note is at most ${MAX_PIN_NOTE_CHARS} characters`);
  if (NOTE_FORBIDDEN.test(note)) throw new ProtocolError('MALFORMED', "a pin's note is one line without control or bidi characters");
  return note;
}

/**
 * PIN-2: the cell a client sends for a point: its geohash of length 7. The exact point never leaves the client.
 * @throws ProtocolError MALFORMED for coordinates out of range
 * @example `pinCell(52.52, 13.405) // 'u33dc0c'`
 */
export function pinCell(lat: number, lon: number): string {
  checkLatLon(lat, lon);
  return encodeGeohash(lat, lon, PIN_CELL_LENGTH);
}

/**
 * PIN-6: the comrade's nullifier secret: HKDF-SHA-256 of their identity private key (salt
 * `comrad/nullifier/v1`, info `pin-vote`). Only they hold it; every device with the identity derives the same.
 * @returns 32 bytes (wipe them when done)
 */
export function pinNullifierSecret(privateKey: PrivateKey): Uint8Array {
  return hkdf(sha256, privateKey.raw, utf8('comrad/nullifier/v1'), utf8('pin-vote'), 32);
}

/**
 * PIN-6: the nullifier of a vote on one pin: HMAC-SHA-256 under the comrade's secret of the Operator's
 * key and the pin's id. The same comrade gets the same nullifier for the same pin (a second vote is a
 * DUPLICATE), and nullifiers of different pins or comrades look unrelated to whoever lacks the secret.
 * @returns 32 bytes
 */
export function pinNullifier(secret: Uint8Array, operatorKey: PublicKey, pinId: string): Uint8Array {
  if (!(secret instanceof Uint8Array) || secret.length !== 32) throw new TypeError('secret must be 32 bytes');
  const id = utf8(pinId);
  return hmac(sha256, secret, concatBytes(utf8('comrad/pin-vote/v1'), Uint8Array.of(id.length), id, operatorKey.bytes()));
}
