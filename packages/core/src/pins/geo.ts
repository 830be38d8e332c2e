/**
 * Distances and directions on the sphere for pins (PIN-9), and the cells a reader asks for (PIN-8).
 * @module
 */
import { ProtocolError } from '../errors.js';
import { cellDegrees, checkLatLon, encodeGeohash, geohashNeighbour } from './geohash.js';

/** The mean Earth radius (km) the distances use (IUGG). */
export const EARTH_RADIUS_KM = 6371.0088;
/** Kilometres per degree of latitude on that sphere. */
export const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;
/** PIN-8: the finest cells a reader asks for: geohash length 5, 4.9 km × 4.9 km at the equator. */
export const QUERY_MAX_PRECISION = 5;
/** PIN-8: the widest radius a reader asks about (km). */
export const MAX_QUERY_RADIUS_KM = 100;
/** The sixteen compass points, clockwise from north. */
export const COMPASS_POINTS = ['N', 'NNE', 'NE', 'ENE', 'E', 'ESE', 'SE', 'SSE', 'S', 'SSW', 'SW', 'WSW', 'W', 'WNW', 'NW', 'NNW'] as const;

/** A point in degrees. */
export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

const rad = (deg: number) => (deg * Math.PI) / 180;

/**
 * The great-circle distance between two points (haversine formula).
 * @returns kilometres
 * @example `distanceKm({ lat: 48.8566, lon: 2.3522 }, { lat: 51.5074, lon: -0.1278 }) // ≈ 343.6`
 */
export function distanceKm(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The initial bearing from `a` to `b`.
 * @returns degrees clockwise from true north, 0 ≤ bearing < 360 (0 when the points are the same)
 */
export function bearingDegrees(a: LatLon, b: LatLon): number {
  const dLon = rad(b.lon - a.lon);
  const y = Math.sin(dLon) * Math.cos(rad(b.lat));
  const x = Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(dLon);
  if (x === 0 && y === 0) return 0;
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

/** The compass point (of sixteen) of a bearing in degrees. */
export function compassPoint(bearing: number): (typeof COMPASS_POINTS)[number] {
  return COMPASS_POINTS[Math.round((((bearing % 360) + 360) % 360) / 22.5) % 16]!;
}

/**
 * PIN-8: the cells a reader at `centre` asks for to see every pin within `radiusKm`: the 3 × 3 block of
 * cells of one precision around the reader's own cell, at the finest precision (at most
 * {@link QUERY_MAX_PRECISION}) whose cells are at least `radiusKm` high and wide. What the Operator learns
 * from the question is the middle cell of the block: never finer than that precision.
 * @returns the precision and the distinct cells (up to 9; fewer next to a pole)
 * @throws ProtocolError MALFORMED for coordinates out of range or a radius not in (0, 100] km
 */
export function coverCells(centre: LatLon, radiusKm: number): { precision: number; cells: string[] } {
  checkLatLon(centre.lat, centre.lon);
  if (typeof radiusKm !== 'number' || !Number.isFinite(radiusKm) || radiusKm <= 0 || radiusKm > MAX_QUERY_RADIUS_KM) {
    throw new ProtocolError('MALFORMED', `the radius must be more than 0 and at most ${MAX_QUERY_RADIUS_KM} km`);
  }
  let precision = 1;
  for (let p = QUERY_MAX_PRECISION; p >= 1; p--) {
    const deg = cellDegrees(p);
    // The narrowest a cell of the block gets: at its edge farthest from the equator.
    const farLat = Math.min(90, Math.abs(centre.lat) + 1.5 * deg.lat);
    if (deg.lat * KM_PER_DEGREE >= radiusKm && deg.lon * KM_PER_DEGREE * Math.cos(rad(farLat)) >= radiusKm) {
      precision = p;
      break;
    }
  }
  const mine = encodeGeohash(centre.lat, centre.lon, precision);
  const cells = new Set<string>();
  for (const dLat of [-1, 0, 1]) for (const dLon of [-1, 0, 1]) {
    const cell = geohashNeighbour(mine, dLat, dLon);
    if (cell) cells.add(cell);
  }
  return { precision, cells: [...cells].sort() };
}
