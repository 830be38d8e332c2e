/**
 * Images leave the device re-encoded, with every metadata block removed (IMG-1) and within the
 * protocol's byte and pixel bounds (LIM-2, LIM-3). A photo's EXIF can carry GPS coordinates, the camera's
 * serial number and the time it was taken: for people at risk that is a way to be found, so we never
 * pass the original bytes on, whatever their format.
 * @module
 */
import type { Metadata } from 'sharp';
import { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS_SIDE, ProtocolError } from '@comrad/core';

/** An image ready to be sealed in a letter: re-encoded, metadata-free, within the limits. */
export interface PreparedImage {
  /** `image/jpeg`, or `image/webp` when the picture has transparency (both are LET-10 image types). */
  mime: 'image/jpeg' | 'image/webp';
  /** The re-encoded bytes. */
  data: Uint8Array;
  /** Width in pixels after downscaling. */
  width: number;
  /** Height in pixels after downscaling. */
  height: number;
}

/**
 * The largest input file we try to decode (64 MiB). A decoder is attack surface: refuse absurd inputs
 * before handing them over.
 */
export const MAX_IMAGE_INPUT_BYTES = 64 * 1024 * 1024;

/** The largest decoded picture we accept (100 megapixels): a small file can decode to a huge bitmap. */
const MAX_INPUT_PIXELS = 100_000_000;

/** Qualities tried at each size: good first, then visibly lower but still fine for a photo. */
const QUALITIES = [80, 55] as const;

/** Most re-encodings tried before giving up (each shrink is proportional, so few are needed). */
const MAX_ATTEMPTS = 8;

/** Bounds tighter than a letter's, for a profile photo (PROF-13). */
export interface ImageBounds {
  /** Most bytes after re-encoding; default (and at most) {@link MAX_IMAGE_BYTES}. */
  readonly maxBytes?: number;
  /** Most pixels on the longer side; default (and at most) {@link MAX_IMAGE_PIXELS_SIDE}. */
  readonly maxSide?: number;
}

/** Below this longer side an image is no longer worth sending: refuse instead. */
const MIN_SIDE = 160;

type Sharp = typeof import('sharp').default;

/** sharp, and libvips with it, loaded with the first image: loading it costs every `comrad` run that sends none a tenth of a second. */
const loadSharp = async (): Promise<Sharp> => (await import('sharp')).default;

/**
 * Re-encodes an image for sending: applies the EXIF orientation to the pixels, drops every metadata
 * block (EXIF, GPS, XMP, IPTC, ICC, comments), downscales to at most {@link MAX_IMAGE_PIXELS_SIDE} on the
 * longer side, and lowers quality, then size, until the bytes fit in {@link MAX_IMAGE_BYTES}.
 * @param input - the file as read from disk (any format sharp reads: JPEG, PNG, WebP, GIF, TIFF, AVIF…)
 * @param bounds - tighter bounds than a letter's (a profile photo: PROF-13)
 * @returns the re-encoded image
 * @throws ProtocolError TOO_LARGE (input too big, or cannot be made to fit), MALFORMED (not an image)
 * @example
 * ```ts
 * const image = await prepareImage(await readFile('protest.jpg'));
 * await comrade.send('bob', { text: 'look', image });
 * ```
 */
export async function prepareImage(input: Uint8Array, bounds: ImageBounds = {}): Promise<PreparedImage> {
  const maxBytes = Math.min(bounds.maxBytes ?? MAX_IMAGE_BYTES, MAX_IMAGE_BYTES);
  const maxSide = Math.min(bounds.maxSide ?? MAX_IMAGE_PIXELS_SIDE, MAX_IMAGE_PIXELS_SIDE);
  if (!(input instanceof Uint8Array) || input.length === 0) throw new ProtocolError('MALFORMED', 'the image file is empty');
  if (input.length > MAX_IMAGE_INPUT_BYTES) {
    throw new ProtocolError('TOO_LARGE', `the image file is larger than ${MAX_IMAGE_INPUT_BYTES / (1024 * 1024)} MiB`);
  }
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  } catch {
    throw new ProtocolError('MALFORMED', 'the file is not an image this client can read');
  }
  if (!meta.width || !meta.height) throw new ProtocolError('MALFORMED', 'the image has no size');
  const mime = meta.hasAlpha ? 'image/webp' : 'image/jpeg';
  const longSide = Math.max(meta.width, meta.height);
  let side = Math.min(longSide, maxSide);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let size = 0;
    for (const quality of QUALITIES) {
      const out = await encode(sharp, input, side, mime, quality);
      if (out.data.length <= maxBytes) {
        const data = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
        return { mime, data, width: out.info.width, height: out.info.height };
      }
      size = out.data.length;
    }
    // Bytes grow roughly with the pixel count, so shrink the side by the square root of the overshoot,
    // with a margin, and never by less than 10 % (or the loop would crawl).
    side = Math.floor(side * Math.min(0.9, Math.sqrt(maxBytes / size) * 0.9));
    if (side < MIN_SIDE) break;
  }
  throw new ProtocolError('TOO_LARGE', `the image cannot be made to fit in ${maxBytes / 1024} KiB`);
}

async function encode(sharp: Sharp, input: Uint8Array, side: number, mime: PreparedImage['mime'], quality: number) {
  try {
    // No withMetadata/keepExif/keepIccProfile: sharp then writes no metadata at all and converts to sRGB
    // (IMG-1). `rotate()` with no angle bakes the EXIF orientation into the pixels first, so the picture
    // still shows upright once its EXIF is gone.
    const pipeline = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, pages: 1 })
      .rotate()
      .resize(side, side, { fit: 'inside', withoutEnlargement: true });
    const encoded =
      mime === 'image/webp' ? pipeline.webp({ quality, smartSubsample: true }) : pipeline.jpeg({ quality, mozjpeg: true });
    return await encoded.toBuffer({ resolveWithObject: true });
  } catch {
    throw new ProtocolError('MALFORMED', 'the image could not be decoded');
  }
}
