/**
 * Protocol-wide limits (LIM-*). Every input Comrad accepts is bounded by one of these; they are part of
 * the spec, so changing one is a protocol change.
 * @module
 */

/** LIM-1: a post or direct message carries at most 1000 characters (Unicode code points) of text. */
export const MAX_TEXT_CHARS = 1000;

/** LIM-2: at most one image per letter, at most 256 KiB after re-encoding (metadata stripped). */
export const MAX_IMAGE_BYTES = 256 * 1024;

/** LIM-3: an image is at most 2048 pixels on its longer side (clients downscale before sending). */
export const MAX_IMAGE_PIXELS_SIDE = 2048;

/**
 * LIM-4: an encoded letter (plaintext msgpack) is at most 272 KiB: the image, the text at 4 bytes per
 * character, and room for the envelope fields.
 */
export const MAX_LETTER_BYTES = 272 * 1024;

/**
 * LIM-5: a signed letter adds the Themis header (12 bytes) and a DER ECDSA signature (≤ 72 bytes);
 * 1 KiB of headroom keeps the bound simple.
 */
export const MAX_SIGNED_LETTER_BYTES = MAX_LETTER_BYTES + 1024;

/** LIM-8: a registry statement (REG-4) is a Themis signature over a small map, far below 1 KiB. */
export const MAX_STATEMENT_BYTES = 1024;

/**
 * LIM-9: the most a padding bucket holds (SEAL-3): a sealed letter's content, that is the sender's
 * statement with its 2-byte length and the signed letter (SEAL-1). The last bucket holds it.
 */
export const MAX_PADDED_CONTENT_BYTES = 2 + MAX_STATEMENT_BYTES + MAX_SIGNED_LETTER_BYTES;

/**
 * LIM-6: a sealed letter on the wire is at most this many bytes: the largest padding bucket plus the
 * Secure Message overhead and the ephemeral public key, rounded up.
 */
export const MAX_SEALED_LETTER_BYTES = 288 * 1024;

/** LIM-7: one WebSocket frame from a client is at most 320 KiB (a sealed letter plus the request). */
export const MAX_FRAME_BYTES = 320 * 1024;
