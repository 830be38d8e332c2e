import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS_SIDE, ProtocolError } from '@comrad/core';
import { prepareImage } from '../src/images/prepare-image.js';
import { metadataMarkersIn, PLANTED, taggedJpeg } from '@comrad/test-kit/client-node/tagged-jpeg';

describe('images are re-encoded without metadata (IMG-1, LIM-2, LIM-3)', () => {
  it('IMG-1 the test picture really carries EXIF with GPS, XMP, ICC and a comment', async () => {
    const input = await taggedJpeg({ width: 400, height: 300 });
    const meta = await sharp(input).metadata();
    expect(meta.exif).toBeDefined();
    expect(meta.xmp).toBeDefined();
    expect(meta.icc).toBeDefined();
    // 0x8825 is the GPS IFD pointer tag (stored big-endian by libexif here).
    expect(meta.exif!.includes(Buffer.from([0x88, 0x25])) || meta.exif!.includes(Buffer.from([0x25, 0x88]))).toBe(true);
    expect(metadataMarkersIn(input)).toEqual(expect.arrayContaining(['Exif\0', PLANTED.make, PLANTED.creator, PLANTED.comment]));
  });

  it('IMG-1 strips EXIF, GPS, XMP, ICC and comments', async () => {
    const out = await prepareImage(await taggedJpeg({ width: 400, height: 300 }));
    expect(out.mime).toBe('image/jpeg');
    const meta = await sharp(out.data).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(metadataMarkersIn(out.data)).toEqual([]);
  });

  it('IMG-1 bakes the EXIF orientation into the pixels before dropping it', async () => {
    // Orientation 6 = rotate 90°: a 300×100 picture shows as 100×300.
    const out = await prepareImage(await taggedJpeg({ width: 300, height: 100, orientation: 6 }));
    expect([out.width, out.height]).toEqual([100, 300]);
    const meta = await sharp(out.data).metadata();
    expect([meta.width, meta.height]).toEqual([100, 300]);
    expect(meta.orientation).toBeUndefined();
  });

  it('LIM-3 downscales so the longer side is at most MAX_IMAGE_PIXELS_SIDE', async () => {
    const out = await prepareImage(await taggedJpeg({ width: 5000, height: 1200 }));
    expect(Math.max(out.width, out.height)).toBe(MAX_IMAGE_PIXELS_SIDE);
    expect(out.data.length).toBeLessThanOrEqual(MAX_IMAGE_BYTES);
  });

  it('LIM-2 lowers quality and size until a noisy picture fits in MAX_IMAGE_BYTES', async () => {
    const input = await taggedJpeg({ width: 900, height: 900, noise: true });
    expect(input.length).toBeGreaterThan(MAX_IMAGE_BYTES);
    const out = await prepareImage(input);
    expect(out.data.length).toBeLessThanOrEqual(MAX_IMAGE_BYTES);
    expect(metadataMarkersIn(out.data)).toEqual([]);
  });

  it('IMG-1 keeps transparency as WebP, without metadata', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } })
      .png()
      .withExif({ IFD0: { Make: PLANTED.make } })
      .toBuffer();
    const out = await prepareImage(png);
    expect(out.mime).toBe('image/webp');
    const meta = await sharp(out.data).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.exif).toBeUndefined();
    expect(metadataMarkersIn(out.data)).toEqual([]);
  });

  it('refuses what is not an image with MALFORMED', async () => {
    const err = await prepareImage(new TextEncoder().encode('not a picture at all')).catch((e: unknown) => e);
    expect(ProtocolError.is(err, 'MALFORMED')).toBe(true);
  });
});
