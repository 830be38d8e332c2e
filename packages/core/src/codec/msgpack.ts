/**
 * msgpack with plain maps only (ENC-1): no msgpackr record extension, no other extension types, so any
 * msgpack library can read and write Comrad structures.
 * @module
 */
import { Packr, Unpackr } from 'msgpackr';
import { ProtocolError } from '../errors.js';

const packr = new Packr({ useRecords: false, moreTypes: false, encodeUndefinedAsNil: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'bigint' });

/** Default ceiling for one decoded structure when the caller names none (ENC-4). */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * Encodes a value (plain objects, arrays, strings, safe integers, booleans, null, Uint8Array) as msgpack.
 * @example `const bytes = encode({ v: 1, name: 'alice' })`
 */
export function encode(value: unknown): Uint8Array {
  const buf = packr.pack(value);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Decodes exactly one msgpack value from `bytes`; size is checked before any parsing (ENC-4) and bytes
 * after the value are refused (ENC-3).
 * @throws ProtocolError TOO_LARGE, MALFORMED, TRAILING_BYTES
 */
export function decode(bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): unknown {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'expected bytes');
  if (bytes.length > maxBytes) throw new ProtocolError('TOO_LARGE', `structure of ${bytes.length} bytes exceeds ${maxBytes}`);
  if (bytes.length === 0) throw new ProtocolError('MALFORMED', 'empty input');
  try {
    return unpackr.unpack(bytes);
  } catch (err) {
    const msg = (err as Error)?.message ?? '';
    if (msg.includes('end of buffer not reached')) throw new ProtocolError('TRAILING_BYTES', 'bytes after the msgpack value');
    if (msg.includes('Unexpected end')) throw new ProtocolError('MALFORMED', 'msgpack value is truncated');
    throw new ProtocolError('MALFORMED', 'not a valid Comrad msgpack value');
  }
}
