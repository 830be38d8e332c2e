/**
 * Key fingerprints: a short form two people can compare aloud or side by side (a "safety number").
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';

// RFC 4648 base32 without the letters people confuse least well is overkill here; Crockford's alphabet
// drops I, L, O and U so it reads aloud without ambiguity.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Domain separation so a fingerprint can never be confused with another hash of the same bytes. */
const DOMAIN = new TextEncoder().encode('comrad/fingerprint/v1\0');

/**
 * The fingerprint of a canonical public key's bytes: SHA-256 over a domain tag and the key, first 160
 * bits, Crockford base32, in 8 groups of 4 (KEY-4).
 * @example `fingerprintOf(key.bytes()) // "k3v9-2q7m-…"`
 */
export function fingerprintOf(publicKeyBytes: Uint8Array): string {
  const input = new Uint8Array(DOMAIN.length + publicKeyBytes.length);
  input.set(DOMAIN);
  input.set(publicKeyBytes, DOMAIN.length);
  const digest = sha256(input).subarray(0, 20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}
