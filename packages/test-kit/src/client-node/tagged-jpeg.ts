/**
 * Test pictures that carry every kind of metadata a phone or editor writes: EXIF with GPS coordinates,
 * XMP naming a person, an ICC profile and a JPEG comment, so tests can prove none of it survives.
 */
import sharp from 'sharp';

/** Strings planted in the metadata; none may appear in a prepared image. */
export const PLANTED = { make: 'SpyCamMaker', creator: 'Secret Person', comment: 'shot at 5 Rue Secrete' } as const;

const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  `<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${PLANTED.creator}</dc:creator>` +
  '</rdf:Description></rdf:RDF></x:xmpmeta>';

/**
 * A noisy JPEG (noise compresses badly, so size limits are exercised) with EXIF (camera make, GPS
 * latitude/longitude, an orientation), XMP, an ICC profile and a COM segment.
 */
export async function taggedJpeg(opts: { width: number; height: number; orientation?: number; noise?: boolean }): Promise<Buffer> {
  const base = opts.noise
    ? sharp(noisePixels(opts.width, opts.height), { raw: { width: opts.width, height: opts.height, channels: 3 } })
    : sharp({ create: { width: opts.width, height: opts.height, channels: 3, background: { r: 200, g: 30, b: 30 } } });
  const withExif = base.jpeg({ quality: 95 }).withExif({
    IFD0: { Make: PLANTED.make, Model: 'X1' },
    IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' },
  });
  // The EXIF orientation tag is written by withMetadata (withExif leaves it at 1).
  const jpeg = await (opts.orientation ? withExif.withMetadata({ orientation: opts.orientation }) : withExif)
    .withIccProfile('p3')
    .withXmp(XMP)
    .toBuffer();
  return withComment(jpeg, PLANTED.comment);
}

/** Inserts a JPEG COM (0xFFFE) segment right after SOI. */
function withComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const seg = Buffer.alloc(4 + body.length);
  seg.writeUInt16BE(0xfffe, 0);
  seg.writeUInt16BE(body.length + 2, 2);
  body.copy(seg, 4);
  return Buffer.concat([jpeg.subarray(0, 2), seg, jpeg.subarray(2)]);
}

function noisePixels(width: number, height: number): Buffer {
  const out = Buffer.alloc(width * height * 3);
  // A fixed LCG: deterministic noise, so a failure reproduces.
  let x = 12345;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The metadata markers that must not appear anywhere in a sanitised image's bytes. */
export function metadataMarkersIn(bytes: Uint8Array): string[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const markers = ['Exif\0', 'GPS', 'http://ns.adobe.com/xap', 'xmpmeta', 'ICC_PROFILE', PLANTED.make, PLANTED.creator, PLANTED.comment];
  const found = markers.filter((m) => buf.includes(Buffer.from(m, 'latin1')));
  // Any APP1 (EXIF/XMP), APP2 (ICC), APP13 (IPTC) or COM segment in a JPEG.
  if (buf[0] === 0xff && buf[1] === 0xd8) {
    let i = 2;
    while (i + 4 <= buf.length && buf[i] === 0xff) {
      const marker = buf[i + 1]!;
      if (marker === 0xda) break; // start of scan: the headers are over
      if ([0xe1, 0xe2, 0xed, 0xfe].includes(marker)) found.push(`segment 0x${marker.toString(16)}`);
      i += 2 + buf.readUInt16BE(i + 2);
    }
  }
  return found;
}
