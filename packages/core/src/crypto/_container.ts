/**
 * Soter key container framing (THEMIS-FORMATS.md): a 12-byte header `tag(4) | size(4, BE) | crc32c(4)`
 * followed by the key. Pure framing, shared by both backends so they accept exactly the same bytes.
 * @internal
 */
import { ProtocolError } from '../errors.js';
import { crc32c } from './_crc32c.js';

/** Container tag of a P-256 EC public key. */
export const TAG_PUBLIC = 'UEC2';
/** Container tag of a P-256 EC private key. */
export const TAG_PRIVATE = 'REC2';
/** Header length of a Soter container. */
export const HEADER = 12;
/** A public key: header + compressed point (33 bytes) — the form Themis emits (KEY-1). */
export const PUBLIC_COMPRESSED_LEN = HEADER + 33;
/** A public key: header + uncompressed point (65 bytes), accepted by Themis ≥ 0.15 (KEY-1). */
export const PUBLIC_UNCOMPRESSED_LEN = HEADER + 65;
/** A private key: header + scalar left-padded to 33 bytes — the form Themis emits (KEY-2). */
export const PRIVATE_PADDED_LEN = HEADER + 33;
/** A private key: header + 32-byte scalar ("Themis NG"), also accepted (KEY-2). */
export const PRIVATE_SHORT_LEN = HEADER + 32;

/** Checks tag, declared size, CRC-32C and the allowed lengths; throws INVALID_KEY. */
export function checkContainer(bytes: Uint8Array, tag: string, allowedLengths: readonly number[]): void {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('INVALID_KEY', 'key must be bytes');
  if (!allowedLengths.includes(bytes.length)) {
    throw new ProtocolError('INVALID_KEY', `${tag} key must be ${allowedLengths.join(' or ')} bytes, got ${bytes.length}`);
  }
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== tag.charCodeAt(i)) throw new ProtocolError('INVALID_KEY', `not a ${tag} key container`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(4, false) !== bytes.length) throw new ProtocolError('INVALID_KEY', 'key container size field is wrong');
  if (view.getUint32(8, true) !== containerCrc(bytes)) throw new ProtocolError('INVALID_KEY', 'key container checksum is wrong');
}

/** Builds a container around `body`. */
export function makeContainer(tag: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + body.length);
  for (let i = 0; i < 4; i++) out[i] = tag.charCodeAt(i);
  const view = new DataView(out.buffer);
  view.setUint32(4, out.length, false);
  out.set(body, HEADER);
  view.setUint32(8, containerCrc(out), true);
  return out;
}

/** CRC-32C over the container with the crc field taken as zero. */
function containerCrc(bytes: Uint8Array): number {
  const copy = bytes.slice();
  copy.fill(0, 8, 12);
  return crc32c(copy);
}
