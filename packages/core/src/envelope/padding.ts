/**
 * Size-bucket padding (SEAL-3): a sealed letter or a world post reveals only which bucket its signed
 * letter falls in, never its exact length.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { MAX_PADDED_CONTENT_BYTES } from '../limits.js';

const KiB = 1024;

/**
 * SEAL-3: the padded sizes, in bytes: powers of two from 512 B to 64 KiB, then steps of 24 KiB up to
 * 280 KiB. The steps above 64 KiB bound the waste of a large (image) letter to 37.5 % instead of 100 %;
 * the last bucket holds the largest content (LIM-9: statement and signed letter) and its 4-byte length prefix.
 */
export const PADDING_BUCKETS: readonly number[] = Object.freeze([
  512, 1 * KiB, 2 * KiB, 4 * KiB, 8 * KiB, 16 * KiB, 32 * KiB, 64 * KiB,
  88 * KiB, 112 * KiB, 136 * KiB, 160 * KiB, 184 * KiB, 208 * KiB, 232 * KiB, 256 * KiB, 280 * KiB,
]);

/** Bytes of the big-endian length prefix in front of the padded content (SEAL-3). */
export const PAD_PREFIX = 4;

/**
 * The padded size of `contentLength` bytes of content: the smallest bucket that holds the 4-byte prefix
 * and the content (SEAL-3).
 * @throws ProtocolError TOO_LARGE when the content exceeds LIM-9
 */
export function bucketFor(contentLength: number): number {
  if (contentLength > MAX_PADDED_CONTENT_BYTES) {
    throw new ProtocolError('TOO_LARGE', `padded content of ${contentLength} bytes exceeds ${MAX_PADDED_CONTENT_BYTES}`);
  }
  const need = PAD_PREFIX + contentLength;
  for (const b of PADDING_BUCKETS) if (b >= need) return b;
  // Unreachable while the last bucket holds LIM-9 (checked by a test); kept as a typed error, not a crash.
  throw new ProtocolError('TOO_LARGE', 'no padding bucket is large enough');
}

/**
 * Pads `content` canonically: `u32be(length) || content || zeros`, to {@link bucketFor} bytes (SEAL-3).
 * @param content - non-empty bytes (a sealed letter's content, or a signed post)
 * @returns a new array of a bucket's size
 * @throws ProtocolError TOO_LARGE
 * @example `pad(signed).length // 512 for a short letter`
 */
export function pad(content: Uint8Array): Uint8Array {
  if (!(content instanceof Uint8Array) || content.length === 0) throw new TypeError('content must be non-empty bytes');
  const out = new Uint8Array(bucketFor(content.length));
  new DataView(out.buffer).setUint32(0, content.length, false);
  out.set(content, PAD_PREFIX);
  return out;
}

/**
 * Removes canonical padding and returns a view of the content (SEAL-4): the size is a bucket, the
 * prefix is non-zero and fits, the bucket is the smallest that fits, and every padding byte is zero.
 * @throws ProtocolError BAD_PADDING, TOO_LARGE (content beyond LIM-9)
 */
export function unpad(padded: Uint8Array): Uint8Array {
  if (!PADDING_BUCKETS.includes(padded.length)) throw new ProtocolError('BAD_PADDING', 'padded size is not a bucket');
  const n = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0, false);
  if (n === 0 || n > padded.length - PAD_PREFIX) throw new ProtocolError('BAD_PADDING', 'padding length prefix is out of range');
  if (n > MAX_PADDED_CONTENT_BYTES) throw new ProtocolError('TOO_LARGE', `padded content of ${n} bytes exceeds ${MAX_PADDED_CONTENT_BYTES}`);
  if (bucketFor(n) !== padded.length) throw new ProtocolError('BAD_PADDING', 'padded to a larger bucket than needed');
  // The padding is inside authenticated encryption, so this scan is no timing oracle on a secret.
  for (let i = PAD_PREFIX + n; i < padded.length; i++) {
    if (padded[i] !== 0) throw new ProtocolError('BAD_PADDING', 'padding bytes are not zero');
  }
  return padded.subarray(PAD_PREFIX, PAD_PREFIX + n);
}
