/**
 * `comrad pin`, `comrad pin confirm|deny`, `comrad pins` (PIN-*): leave a danger pin, vote on one, and see
 * the pins around you as a list or a map. Every one of them runs on a connection of its own that never
 * logs in (PIN-7); the exact point stays on this device (PIN-2).
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { MAX_PIN_TTL_SECONDS, MAX_QUERY_RADIUS_KM, MIN_PIN_TTL_SECONDS, checkLatLon, type PinVote } from '@comrad/core/pins';
import { formatAge, type PinView } from '../../comrade/pins.js';
import { pinMapHtml, pinMapPng } from '../../map/pin-map.js';
import { checkTileTemplate, TileSource, tilesFor } from '../../app/tiles.js';
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import { unixSeconds } from '../output.js';

/** `comrad pin --lat LAT --lon LON --kind KIND [--note TEXT] [--ttl 2h]`. */
export async function pin(ctx: Context, opts: { lat?: string; lon?: string; kind?: string; note?: string; ttl?: string }): Promise<void> {
  if (opts.lat === undefined || opts.lon === undefined || opts.kind === undefined) {
    throw new UsageError('USAGE', 'pin needs --lat, --lon and --kind (or: comrad pin confirm|deny ID; see comrad pin --help)');
  }
  const at = point(opts.lat, opts.lon, '--lat', '--lon');
  const ttl = opts.ttl !== undefined ? duration(opts.ttl) : undefined;
  await ctx.withComrade(true, async (c) => {
    const put = await c.pin({ ...at, kind: opts.kind!, ...(opts.note !== undefined ? { note: opts.note } : {}), ...(ttl !== undefined ? { ttl } : {}) });
    ctx.out.line(`Pinned ${opts.kind} in cell ${put.cell} (about 150 m), until ${utcTime(put.expiresAt)} UTC `, ctx.out.dim(`(pin ${put.id})`));
    ctx.out.hint('no author is stored; others can confirm or deny it: comrad pin confirm|deny ID');
    ctx.out.result({ id: put.id, cell: put.cell, kind: opts.kind, expiresAt: unixSeconds(put.expiresAt) });
  });
}

/** `comrad pin confirm ID` and `comrad pin deny ID`: one anonymous vote per pin (PIN-6). */
export function vote(which: PinVote) {
  return async (ctx: Context, id: string): Promise<void> => {
    await ctx.withComrade(true, async (c) => {
      const after = await c.votePin(id, which);
      ctx.out.line(`${which === 'confirm' ? 'Confirmed' : 'Denied'} pin ${id}: it goes at ${utcTime(after.expiresAt)} UTC (${after.confirms} confirmed, ${after.denies} denied)`);
      ctx.out.result({ id, vote: which, expiresAt: unixSeconds(after.expiresAt), confirms: after.confirms, denies: after.denies });
    });
  };
}

/** `comrad pins --near LAT,LON [--radius KM] [--limit N] [--map FILE.png|FILE.html]`. */
export async function pins(ctx: Context, opts: { near?: string; radius?: string; limit?: string; map?: string; tiles?: string }): Promise<void> {
  if (opts.near === undefined) throw new UsageError('USAGE', 'pins needs --near LAT,LON (see comrad pins --help)');
  const parts = opts.near.split(',');
  if (parts.length !== 2) throw new UsageError('BAD_ARGUMENT', '--near takes LAT,LON in degrees, e.g. --near 52.52,13.405');
  const centre = point(parts[0]!, parts[1]!, 'the latitude of --near', 'the longitude of --near');
  const radiusKm = opts.radius !== undefined ? Number(opts.radius) : 2;
  if (!Number.isFinite(radiusKm) || radiusKm <= 0 || radiusKm > MAX_QUERY_RADIUS_KM) throw new UsageError('BAD_ARGUMENT', `--radius takes kilometres, more than 0 and at most ${MAX_QUERY_RADIUS_KM}`);
  const limit = opts.limit !== undefined ? Number(opts.limit) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) throw new UsageError('BAD_ARGUMENT', '--limit takes a whole number from 1 to 500');
  const format = opts.map !== undefined ? mapFormat(opts.map) : undefined;
  if (opts.tiles !== undefined) {
    checkTileTemplate(opts.tiles);
    if (format !== 'png') throw new UsageError('BAD_ARGUMENT', '--tiles draws under a PNG map: give --map FILE.png');
    // A tile server reached directly would learn where the person is: through Tor only.
    if (!ctx.opts.tor && !ctx.configuredProxy()) throw new UsageError('BAD_ARGUMENT', '--tiles needs --tor or --proxy: the tiles are fetched only through Tor');
  }
  await ctx.withComrade(false, async (c, proxy) => {
    const found = await c.pins({ ...centre, radiusKm, ...(limit !== undefined ? { limit } : {}) });
    const now = Date.now();
    if (found.length === 0) ctx.out.line(`No live pins within ${radiusKm} km.`);
    else ctx.out.line(`${found.length} pin${found.length === 1 ? '' : 's'} within ${radiusKm} km, nearest first `, ctx.out.dim('(each known to within ~110 m)'));
    for (const p of found) {
      ctx.out.line(
        ctx.out.bold(p.kind.padEnd(8)),
        ` ${distance(p.distanceKm).padStart(7)}  ${p.compass.padEnd(3)} ${String(Math.round(p.bearing)).padStart(3)}°  ${`${formatAge(p.ageMs)} ago`.padEnd(14)} +${p.confirms} −${p.denies}`,
        p.note ? `  “${p.note}”` : '',
        ctx.out.dim(`  ${p.id}`),
      );
    }
    if (format && opts.map) {
      const input = { centre, radiusKm, pins: found, at: now };
      const tiles = opts.tiles !== undefined ? await fetchTiles(new TileSource(opts.tiles, () => Promise.resolve(proxy)), centre, radiusKm) : undefined;
      await writeFile(opts.map, format === 'png' ? await pinMapPng(input, tiles) : pinMapHtml(input), { mode: 0o600 });
      ctx.out.line(`Map written to ${opts.map}`);
    }
    ctx.out.result({ near: centre, radiusKm, pins: found.map(pinJson), ...(opts.map ? { map: opts.map } : {}) });
  });
}

/** The tiles under the map, fetched through the proxy, a few at a time. */
async function fetchTiles(source: TileSource, centre: { lat: number; lon: number }, radiusKm: number) {
  const placed = tilesFor(centre, radiusKm);
  const out = [];
  for (let i = 0; i < placed.length; i += 4) {
    out.push(...(await Promise.all(placed.slice(i, i + 4).map(async (t) => ({ ...t, image: new Uint8Array((await source.tile(t.z, t.x, t.y)).data) })))));
  }
  return out;
}

/** A pin for machines (CLI-9: times in seconds). */
function pinJson(p: PinView) {
  return {
    id: p.id,
    kind: p.kind,
    ...(p.note !== undefined ? { note: p.note } : {}),
    cell: p.cell,
    lat: p.lat,
    lon: p.lon,
    distanceKm: Math.round(p.distanceKm * 1000) / 1000,
    bearing: Math.round(p.bearing * 10) / 10,
    compass: p.compass,
    ageSeconds: Math.floor(p.ageMs / 1000),
    createdAt: unixSeconds(p.createdAt),
    expiresAt: unixSeconds(p.expiresAt),
    confirms: p.confirms,
    denies: p.denies,
  };
}

/** PIN-2: a point typed on the command line, refused before anything is sent when out of range. */
function point(lat: string, lon: string, latName: string, lonName: string): { lat: number; lon: number } {
  const la = Number(lat.trim());
  const lo = Number(lon.trim());
  if (lat.trim() === '' || !Number.isFinite(la) || la < -90 || la > 90) throw new UsageError('BAD_ARGUMENT', `${latName} takes a latitude in degrees, from -90 to 90`);
  if (lon.trim() === '' || !Number.isFinite(lo) || lo < -180 || lo > 180) throw new UsageError('BAD_ARGUMENT', `${lonName} takes a longitude in degrees, from -180 to 180`);
  checkLatLon(la, lo);
  return { lat: la, lon: lo };
}

/** `--ttl`: 90s, 30m, 2h, 1h30m. */
function duration(v: string): number {
  const m = /^(?:(\d{1,3})h)?(?:(\d{1,4})m)?(?:(\d{1,6})s)?$/.exec(v.trim());
  const seconds = m && v.trim() !== '' ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : NaN;
  if (!Number.isInteger(seconds) || seconds < MIN_PIN_TTL_SECONDS || seconds > MAX_PIN_TTL_SECONDS) {
    throw new UsageError('BAD_ARGUMENT', `--ttl takes a lifetime from 1m to 24h, e.g. 30m, 2h or 1h30m (the Operator may cut it shorter)`);
  }
  return seconds;
}

function mapFormat(file: string): 'png' | 'html' {
  const ext = extname(file).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.html' || ext === '.htm') return 'html';
  throw new UsageError('BAD_ARGUMENT', '--map takes a file name ending in .png or .html');
}

function distance(km: number): string {
  return km < 1 ? `${Math.round(km * 1000)} m` : `${km.toFixed(km < 10 ? 2 : 1)} km`;
}

function utcTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}
