/**
 * The body of a text letter (`dm` and `post`, LET-8..LET-11): text, and at most one image.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { Fields } from '../codec/fields.js';
import { MAX_IMAGE_BYTES, MAX_TEXT_CHARS } from '../limits.js';

/** LET-10: the image types a letter may carry (clients re-encode images to one of these). */
export const IMAGE_MIMES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** An image type from {@link IMAGE_MIMES}. */
export type ImageMime = (typeof IMAGE_MIMES)[number];

/** An image in a letter: its type and its bytes (metadata already stripped by the sender's client). */
export interface Image {
  /** One of {@link IMAGE_MIMES}; the bytes must start with that format's signature (LET-10). */
  readonly mime: ImageMime;
  /** The encoded image, 1 to `MAX_IMAGE_BYTES` bytes (LIM-2). */
  readonly data: Uint8Array;
}

/** The body of a `dm` or a `post`: text, an optional image, not both empty (LET-9). */
export interface TextBody {
  /** At most `MAX_TEXT_CHARS` Unicode code points of well-formed text (LIM-1, LET-9). */
  readonly text: string;
  /** At most one image (LIM-2, LET-10). */
  readonly image?: Image;
}

const BODY_FIELDS = ['text', 'image'] as const;
const IMAGE_FIELDS = ['mime', 'data'] as const;

// LET-10: the first bytes of each format, so a letter cannot pass off other content (say, SVG or HTML)
// under an image type.
const SIGNATURES: Record<ImageMime, (b: Uint8Array) => boolean> = {
  'image/jpeg': (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((x, i) => b[i] === x),
  'image/webp': (b) => b.length >= 12 && ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP'),
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Reads and checks a text body from a decoded map (LET-9, LET-10).
 * @throws ProtocolError MALFORMED, TOO_LARGE
 * @internal
 */
export function readTextBody(value: unknown): TextBody {
  const f = Fields.of(value, 'letter.body', BODY_FIELDS);
  const text = f.str('text', { max: MAX_TEXT_CHARS });
  // LET-9: text is well-formed Unicode, so every implementation encodes it to the same UTF-8 (ENC-2).
  if (LONE_SURROGATE.test(text)) throw new ProtocolError('MALFORMED', 'letter.body.text is not well-formed Unicode');
  if (!f.has('image')) {
    if (text.length === 0) throw new ProtocolError('MALFORMED', 'letter.body has neither text nor image');
    return { text };
  }
  return { text, image: readImage(f.raw('image'), 'letter.body.image', MAX_IMAGE_BYTES) };
}

/**
 * Reads and checks an image map `{mime, data}` (LET-10; a profile photo, PROF-4): a known type, 1 to
 * `maxBytes` bytes that start with that type's signature.
 * @throws ProtocolError MALFORMED, TOO_LARGE
 * @internal
 */
export function readImage(value: unknown, what: string, maxBytes: number): Image {
  const img = Fields.of(value, what, IMAGE_FIELDS);
  const mime = img.oneOf('mime', IMAGE_MIMES);
  const data = img.bytes('data', { min: 1, max: maxBytes });
  if (!SIGNATURES[mime](data)) throw new ProtocolError('MALFORMED', `${what}.data is not ${mime}`);
  return { mime, data: data.slice() };
}

/** True when `text` is well-formed Unicode (no lone surrogate), so it has one UTF-8 encoding (ENC-2). @internal */
export function wellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * The map form of a body, fields in canonical order (ENC-2); an absent image is omitted, never nil.
 * Values are copied as they are: {@link readTextBody} is what checks them.
 * @internal
 */
export function textBodyToMap(body: TextBody): unknown {
  if (typeof body !== 'object' || body === null) return body;
  if (body.image === undefined || body.image === null) return { text: body.text };
  const image = body.image;
  const imageMap = typeof image === 'object' ? { mime: image.mime, data: image.data } : image;
  return { text: body.text, image: imageMap };
}

function ascii(b: Uint8Array, at: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}
