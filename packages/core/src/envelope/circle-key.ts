/**
 * The body of a `circle-key` letter (CIR-2): a trusted circle's channel key and its generation, sent by
 * the circle's owner to each comrade they trust, sealed to that comrade (SEAL-*).
 * @module
 */
import { ProtocolError } from '../errors.js';
import { Fields } from '../codec/fields.js';
import { SYMMETRIC_KEY_LENGTH } from '../crypto/keys.js';

/** CIR-2: the largest generation (a msgpack uint32). */
export const MAX_CIRCLE_GEN = 0xffff_ffff;

/** The body of a `circle-key` letter (CIR-2). */
export interface CircleKeyBody {
  /** The key's generation: 1 for the first key, one more at each rotation (CIR-5). */
  readonly gen: number;
  /** The circle's channel key (CHAN-2): 32 bytes. */
  readonly key: Uint8Array;
}

const FIELDS = ['gen', 'key'] as const;

/**
 * Reads and checks a circle-key body from a decoded map (CIR-2): exactly `gen` then `key`.
 * @throws ProtocolError MALFORMED (a field missing, of another type, a generation out of range, a key shorter than 32 bytes), TOO_LARGE (a longer key)
 * @internal
 */
export function readCircleKeyBody(value: unknown): CircleKeyBody {
  const f = Fields.of(value, 'letter.body', FIELDS);
  const gen = f.int('gen', { min: 1, max: MAX_CIRCLE_GEN });
  const key = f.bytes('key', { min: SYMMETRIC_KEY_LENGTH, max: SYMMETRIC_KEY_LENGTH }).slice();
  return { gen, key };
}

/**
 * The map form of a circle-key body, fields in canonical order (ENC-2); values are checked by {@link readCircleKeyBody}.
 * @internal
 */
export function circleKeyBodyToMap(body: CircleKeyBody): unknown {
  if (typeof body !== 'object' || body === null) throw new ProtocolError('MALFORMED', 'letter.body must be a map');
  return { gen: body.gen, key: body.key };
}
