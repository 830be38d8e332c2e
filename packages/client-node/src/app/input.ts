/**
 * Checks of what the page sends the local API: every value typed and bounded before a route uses it
 * (a wrong one is BAD_ARGUMENT, nothing done).
 * @module
 */
import { UsageError } from '../errors.js';

/** A route's input: the JSON body (POST) or the query (GET). */
export type Input = Record<string, unknown>;

/** A required string of at most `max` characters. */
export function str(i: Input, key: string, max: number): string {
  const v = i[key];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError('BAD_ARGUMENT', `${key} is missing`);
  if (v.length > max) throw new UsageError('BAD_ARGUMENT', `${key} is too long (at most ${max} characters)`);
  return v;
}

/** An optional string (absent or empty is undefined) of at most `max` characters. */
export function optStr(i: Input, key: string, max: number): string | undefined {
  return i[key] === undefined || i[key] === '' ? undefined : str(i, key, max);
}

/** A list of at most `max` items (the items are checked by the caller). */
export function arr(i: Input, key: string, max: number): unknown[] {
  const v = i[key];
  if (!Array.isArray(v) || v.length > max) throw new UsageError('BAD_ARGUMENT', `${key} is a list of at most ${max}`);
  return v;
}

/** A finite number (a numeric string from a query is accepted). */
export function num(i: Input, key: string): number {
  const v = typeof i[key] === 'string' ? Number(i[key]) : i[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError('BAD_ARGUMENT', `${key} is a number`);
  return v;
}

/** Where to look for pins: `lat`, `lon` and `radius` in km (default 2, at most 100). */
export function nearOf(i: Input): { lat: number; lon: number; radiusKm: number } {
  const lat = num(i, 'lat');
  const lon = num(i, 'lon');
  const radiusKm = i['radius'] === undefined ? 2 : num(i, 'radius');
  if (radiusKm <= 0 || radiusKm > 100) throw new UsageError('BAD_ARGUMENT', 'radius is between 0 and 100 km');
  return { lat, lon, radiusKm };
}

/** An image the page attached (`key`, default `image`), base64 in the JSON body; re-encoded (metadata stripped) by the Comrade. */
export function imageOf(i: Input, key = 'image'): Uint8Array | undefined {
  const v = i[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError('BAD_ARGUMENT', `${key} is base64`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new UsageError('BAD_ARGUMENT', `${key} is base64`);
  return new Uint8Array(Buffer.from(v, 'base64'));
}
