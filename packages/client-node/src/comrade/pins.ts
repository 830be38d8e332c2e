/**
 * Danger pins as a reader sees them (PIN-8, PIN-9): the cells to ask for, and each pin placed at the
 * centre of its cell with its distance, bearing, compass point and age, nearest first, within the radius.
 * @module
 */
import { bearingDegrees, checkLatLon, compassPoint, distanceKm, geohashCentre, type LatLon, type PinKind } from '@comrad/core/pins';
import type { WirePin } from '@comrad/core/wire';

/** A live pin around the reader (PIN-9). */
export interface PinView {
  /** The Operator's id, to confirm or deny it. */
  readonly id: string;
  readonly kind: PinKind;
  readonly note?: string;
  /** Its geohash cell (PIN-2): the position is known to within it (about ±110 m). */
  readonly cell: string;
  /** The centre of its cell, where it is drawn. */
  readonly lat: number;
  readonly lon: number;
  /** From the reader to the centre of its cell (haversine). */
  readonly distanceKm: number;
  /** Initial bearing from the reader, degrees clockwise from true north. */
  readonly bearing: number;
  /** One of the sixteen compass points. */
  readonly compass: string;
  /** When the Operator received it (ms since the Unix epoch). */
  readonly createdAt: number;
  /** How old it is (ms). */
  readonly ageMs: number;
  /** When it goes unless votes change that (ms since the Unix epoch). */
  readonly expiresAt: number;
  readonly confirms: number;
  readonly denies: number;
}

/**
 * PIN-9: the pins the Operator answered, placed around `centre`: those within `radiusKm`, nearest first
 * (ties by id, so the order is stable).
 * @param now - the reader's clock (ms), for ages
 */
export function placePins(pins: readonly WirePin[], centre: LatLon, radiusKm: number, now: number): PinView[] {
  checkLatLon(centre.lat, centre.lon);
  const out: PinView[] = [];
  for (const p of pins) {
    const at = geohashCentre(p.cell);
    const d = distanceKm(centre, at);
    if (d > radiusKm) continue;
    const bearing = bearingDegrees(centre, at);
    out.push({
      id: p.id,
      kind: p.kind,
      ...(p.note !== undefined ? { note: p.note } : {}),
      cell: p.cell,
      lat: at.lat,
      lon: at.lon,
      distanceKm: d,
      bearing,
      compass: compassPoint(bearing),
      createdAt: p.createdAt,
      ageMs: Math.max(0, now - p.createdAt),
      expiresAt: p.expiresAt,
      confirms: p.confirms,
      denies: p.denies,
    });
  }
  return out.sort((a, b) => a.distanceKm - b.distanceKm || (a.id < b.id ? -1 : 1));
}

/**
 * An age for people: "now", "12 min", "3 h 5 min".
 * @param ms - an age in ms
 */
export function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'now';
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
