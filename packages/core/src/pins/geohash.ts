/**
 * Geohash (PIN-2): a point's cell on a grid that halves longitude and latitude in turn, written in the
 * base-32 alphabet `0-9 b-h j k m n p-z`. A hash of length L names a cell; every longer hash that starts
 * with it names a cell inside it, so "every pin in this area" is a prefix scan.
 * @module
 */
import { ProtocolError } from '../errors.js';

/** The geohash alphabet (no a, i, l, o). */
export const GEOHASH_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';
/** PIN-2: a geohash is 1 to 12 characters of {@link GEOHASH_ALPHABET}. */
export const GEOHASH_PATTERN = /^[0-9b-hjkmnp-z]{1,12}$/;

/** A cell: its bounds in degrees. */
export interface GeoCell {
  readonly minLat: number;
  readonly maxLat: number;
  readonly minLon: number;
  readonly maxLon: number;
}

/**
 * Checks a latitude and a longitude in degrees.
 * @throws ProtocolError MALFORMED when either is not a finite number in range (latitude −90..90, longitude −180..180)
 */
export function checkLatLon(lat: number, lon: number): void {
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) throw new ProtocolError('MALFORMED', 'latitude must be a number from -90 to 90');
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) throw new ProtocolError('MALFORMED', 'longitude must be a number from -180 to 180');
}

/**
 * The geohash of length `length` of the cell holding a point.
 * @param lat - latitude, −90..90
 * @param lon - longitude, −180..180 (180 is the same meridian as −180)
 * @param length - 1..12
 * @returns the geohash
 * @throws ProtocolError MALFORMED for coordinates out of range
 * @example `encodeGeohash(57.64911, 10.40744, 11) // 'u4pruydqqvj'`
 */
export function encodeGeohash(lat: number, lon: number, length: number): string {
  checkLatLon(lat, lon);
  if (!Number.isInteger(length) || length < 1 || length > 12) throw new TypeError('length must be an integer from 1 to 12');
  if (lon === 180) lon = -180;
  let [latLo, latHi, lonLo, lonHi] = [-90, 90, -180, 180];
  let out = '';
  let bits = 0;
  let value = 0;
  let even = true; // longitude first
  while (out.length < length) {
    if (even) {
      const mid = (lonLo + lonHi) / 2;
      value = value * 2 + (lon >= mid ? 1 : 0);
      if (lon >= mid) lonLo = mid;
      else lonHi = mid;
    } else {
      const mid = (latLo + latHi) / 2;
      value = value * 2 + (lat >= mid ? 1 : 0);
      if (lat >= mid) latLo = mid;
      else latHi = mid;
    }
    even = !even;
    if (++bits === 5) {
      out += GEOHASH_ALPHABET[value];
      bits = 0;
      value = 0;
    }
  }
  return out;
}

/**
 * The bounds of a geohash's cell.
 * @throws ProtocolError MALFORMED when `hash` is not a geohash (PIN-2)
 */
export function geohashCell(hash: string): GeoCell {
  if (typeof hash !== 'string' || !GEOHASH_PATTERN.test(hash)) throw new ProtocolError('MALFORMED', 'not a geohash');
  let [minLat, maxLat, minLon, maxLon] = [-90, 90, -180, 180];
  let even = true;
  for (const ch of hash) {
    const value = GEOHASH_ALPHABET.indexOf(ch);
    for (let bit = 4; bit >= 0; bit--) {
      const on = (value >> bit) & 1;
      if (even) {
        const mid = (minLon + maxLon) / 2;
        if (on) minLon = mid;
        else maxLon = mid;
      } else {
        const mid = (minLat + maxLat) / 2;
        if (on) minLat = mid;
        else maxLat = mid;
      }
      even = !even;
    }
  }
  return { minLat, maxLat, minLon, maxLon };
}

/** The centre of a geohash's cell, in degrees. @throws ProtocolError MALFORMED */
export function geohashCentre(hash: string): { lat: number; lon: number } {
  const c = geohashCell(hash);
  return { lat: (c.minLat + c.maxLat) / 2, lon: (c.minLon + c.maxLon) / 2 };
}

/** A cell's size in degrees at geohash length `length`: longitude takes the odd bits, latitude the even. */
export function cellDegrees(length: number): { lat: number; lon: number } {
  const bits = 5 * length;
  return { lat: 180 / 2 ** Math.floor(bits / 2), lon: 360 / 2 ** Math.ceil(bits / 2) };
}

/**
 * The cell `dLat` rows north and `dLon` columns east of `hash` (same length), wrapping at the antimeridian;
 * undefined past a pole.
 */
export function geohashNeighbour(hash: string, dLat: number, dLon: number): string | undefined {
  const c = geohashCell(hash);
  const lat = (c.minLat + c.maxLat) / 2 + dLat * (c.maxLat - c.minLat);
  if (lat < -90 || lat > 90) return undefined;
  let lon = (c.minLon + c.maxLon) / 2 + dLon * (c.maxLon - c.minLon);
  lon = ((((lon + 180) % 360) + 360) % 360) - 180;
  return encodeGeohash(lat, lon, hash.length);
}
