/**
 * Checks a rendered pin map (PIN-11) by its pixels: where each pin must be is computed here from its
 * distance and bearing (haversine, initial bearing: spec/17-pins.md PIN-9), not from the map's own
 * projection, and the colour found there must be its kind's colour; the reader's dot must be at the centre.
 */
import sharp from 'sharp';
import { bearingDegrees, distanceKm, type LatLon } from '@comrad/core/pins';

/** A decoded image: RGBA rows. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Decodes a PNG (a screenshot or the map itself) to RGBA. */
export async function decodePng(png: Uint8Array): Promise<Pixels> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** The colour at (x, y), as [r, g, b]. */
export function colourAt(p: Pixels, x: number, y: number): [number, number, number] {
  const i = (Math.round(y) * p.width + Math.round(x)) * 4;
  return [p.data[i]!, p.data[i + 1]!, p.data[i + 2]!];
}

/** `#rrggbb` → [r, g, b]. */
export function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** True when two colours differ by at most `tolerance` in each channel. */
export function near(a: readonly number[], b: readonly number[], tolerance = 24): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);
}

/**
 * Where a pin must be drawn on a map of `size` px whose radius circle is `size / 2 - marginPx` px: from the
 * centre, `distance × scale` px towards its bearing (x east, y south).
 */
export function expectedPosition(centre: LatLon, radiusKm: number, size: number, marginPx: number, at: LatLon): { x: number; y: number } {
  const perKm = (size / 2 - marginPx) / radiusKm;
  const d = distanceKm(centre, at) * perKm;
  const b = (bearingDegrees(centre, at) * Math.PI) / 180;
  return { x: size / 2 + d * Math.sin(b), y: size / 2 - d * Math.cos(b) };
}

/**
 * For each pin, the colour at its expected position and at its kind's colour; plus the centre.
 * @returns one entry per pin: `{ kind, x, y, found, want, ok }`
 */
export function checkPins(p: Pixels, centre: LatLon, radiusKm: number, size: number, marginPx: number, pins: readonly (LatLon & { kind: string })[], colours: Record<string, string>) {
  return pins.map((pin) => {
    const { x, y } = expectedPosition(centre, radiusKm, size, marginPx, pin);
    const found = colourAt(p, x, y);
    const want = rgb(colours[pin.kind]!);
    return { kind: pin.kind, x: Math.round(x), y: Math.round(y), found, want, ok: near(found, want) };
  });
}
