/**
 * An optional map background for the danger map: tiles of a slippy-map server (`--tiles URL_TEMPLATE`,
 * e.g. `https://tile.example/{z}/{x}/{y}.png`), fetched by this Node process through the SOCKS proxy (Tor)
 * and served to the page from the local server, so the page itself still loads nothing remote (its CSP
 * forbids it). Off by default: the map is drawn from the pins alone.
 *
 * Why through Tor only: the tiles one asks for say where one is. A tile server reached directly learns
 * this computer's address with that place; through Tor it learns only that someone looked. Tiles are
 * kept in memory while the app runs, never on disk: a cache in the home would be a record of places.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Agent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KM_PER_DEGREE, type LatLon } from '@comrad/core/pins';
import { UsageError } from '../errors.js';
import { MAP_MARGIN_PX, projectToMap } from '../map/pin-map.js';
import { proxyAgent } from '../transport/proxy.js';

/** The side of the pin map the page shows, in pixels (pinMapSvg's default). */
export const MAP_SIZE_PX = 800;
/** Tiles kept in memory (about 20 KiB each: a few MiB). */
export const TILE_CACHE_ITEMS = 256;
/** The largest tile accepted: a 256-pixel tile is far smaller. */
export const MAX_TILE_BYTES = 512 * 1024;
/** How long one tile may take, through Tor. */
export const TILE_TIMEOUT_MS = 30_000;
/** The deepest zoom asked for (street level; tile servers stop near here). */
export const MAX_ZOOM = 19;

/** One tile under the map, placed in percent of the map's side (so it scales with the image). */
export interface TilePlacement {
  readonly z: number;
  readonly x: number;
  readonly y: number;
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Checks a tile URL template: http(s), with `{z}`, `{x}` and `{y}`.
 * @throws UsageError BAD_ARGUMENT
 */
export function checkTileTemplate(template: string): string {
  let url: URL;
  try {
    url = new URL(template.replace(/\{[zxy]\}/g, '0'));
  } catch {
    throw new UsageError('BAD_ARGUMENT', `--tiles takes a URL template like https://tile.example/{z}/{x}/{y}.png, not ${template}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError('BAD_ARGUMENT', '--tiles takes an http:// or https:// URL template');
  for (const k of ['{z}', '{x}', '{y}']) if (!template.includes(k)) throw new UsageError('BAD_ARGUMENT', `--tiles: the template has no ${k}`);
  return template;
}

/**
 * The tiles that cover the pin map around `centre` (Web Mercator, the usual z/x/y scheme), at the zoom
 * where one tile is about 256 of the map's pixels, placed where the map's own projection puts their
 * corners (PIN-11's local projection: over a map's few km the two agree to well under a pixel).
 */
export function tilesFor(centre: LatLon, radiusKm: number, size = MAP_SIZE_PX): TilePlacement[] {
  const perKm = (size / 2 - MAP_MARGIN_PX) / radiusKm;
  const cosLat = Math.cos((centre.lat * Math.PI) / 180);
  const z = Math.max(0, Math.min(MAX_ZOOM, Math.round(Math.log2((360 * KM_PER_DEGREE * cosLat * perKm) / 256))));
  const n = 2 ** z;
  // The corners of the drawing, in lat/lon, then in tile numbers.
  const halfKm = size / 2 / perKm;
  const north = Math.min(85, centre.lat + halfKm / KM_PER_DEGREE);
  const south = Math.max(-85, centre.lat - halfKm / KM_PER_DEGREE);
  const west = centre.lon - halfKm / (KM_PER_DEGREE * Math.max(cosLat, 0.01));
  const east = centre.lon + halfKm / (KM_PER_DEGREE * Math.max(cosLat, 0.01));
  const tx = (lon: number) => ((lon + 180) / 360) * n;
  const ty = (lat: number) => ((1 - Math.log(Math.tan((lat * Math.PI) / 180) + 1 / Math.cos((lat * Math.PI) / 180)) / Math.PI) / 2) * n;
  const lonOf = (x: number) => (x / n) * 360 - 180;
  const latOf = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
  const out: TilePlacement[] = [];
  for (let y = Math.floor(ty(north)); y <= Math.floor(ty(south)); y++) {
    if (y < 0 || y >= n) continue;
    for (let x = Math.floor(tx(west)); x <= Math.floor(tx(east)); x++) {
      const a = projectToMap(centre, radiusKm, size, { lat: latOf(y), lon: lonOf(x) });
      const b = projectToMap(centre, radiusKm, size, { lat: latOf(y + 1), lon: lonOf(x + 1) });
      const pct = (v: number) => Math.round((v / size) * 100_000) / 1000;
      out.push({ z, x: ((x % n) + n) % n, y, left: pct(a.x), top: pct(a.y), width: pct(b.x - a.x), height: pct(b.y - a.y) });
    }
  }
  return out;
}

/** Tiles fetched through the proxy, kept in memory. */
export class TileSource {
  readonly #template: string;
  readonly #proxy: () => Promise<string | undefined>;
  readonly #cache = new Map<string, { type: string; data: Buffer }>();
  readonly #inflight = new Map<string, Promise<{ type: string; data: Buffer }>>();
  /** One circuit for every tile (its own, apart from the Operator connections'): the tile server sees one Tor user. */
  readonly #isolation = `tiles-${randomBytes(8).toString('hex')}`;
  #agent: Promise<Agent | undefined> | undefined;

  /**
   * @param template - the URL template (checked)
   * @param proxy - the SOCKS proxy to go through, once there is one; without one only a loopback tile
   *   server is used (a test's), never a remote one
   */
  constructor(template: string, proxy: () => Promise<string | undefined>) {
    this.#template = checkTileTemplate(template);
    this.#proxy = proxy;
  }

  /** The tile server's host, for the page to credit (the template's host, nothing else). */
  get host(): string {
    return new URL(this.#template.replace(/\{[zxy]\}/g, '0')).host;
  }

  /**
   * One tile, from memory or through the proxy.
   * @returns its media type and bytes
   * @throws UsageError BAD_ARGUMENT (no such tile, no proxy for a remote server, not an image); an Error
   *   when the network failed
   */
  async tile(z: number, x: number, y: number): Promise<{ type: string; data: Buffer }> {
    if (![z, x, y].every(Number.isInteger) || z < 0 || z > MAX_ZOOM || x < 0 || y < 0 || x >= 2 ** z || y >= 2 ** z) throw new UsageError('BAD_ARGUMENT', 'no such tile');
    const key = `${z}/${x}/${y}`;
    const hit = this.#cache.get(key);
    if (hit) {
      // Most recently used last: the first is the one to drop.
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#fetch(this.#template.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y)));
      this.#inflight.set(key, pending);
      void pending.then(
        (t) => {
          this.#cache.set(key, t);
          while (this.#cache.size > TILE_CACHE_ITEMS) this.#cache.delete(this.#cache.keys().next().value!);
        },
        () => undefined,
      ).finally(() => this.#inflight.delete(key));
    }
    return pending;
  }

  async #fetch(url: string): Promise<{ type: string; data: Buffer }> {
    const agent = await (this.#agent ??= this.#makeAgent(new URL(url)));
    const get = url.startsWith('https:') ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = get(url, { agent, timeout: TILE_TIMEOUT_MS, headers: { Accept: 'image/png,image/jpeg,image/webp', 'User-Agent': 'comrad-app' } }, (res) => {
        const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (res.statusCode !== 200 || !['image/png', 'image/jpeg', 'image/webp'].includes(type)) {
          res.resume();
          return reject(new UsageError('BAD_ARGUMENT', `the tile server answered ${res.statusCode} ${type || 'without a type'}`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_TILE_BYTES) {
            req.destroy();
            reject(new UsageError('BAD_ARGUMENT', 'the tile is too large'));
          } else chunks.push(c);
        });
        res.on('end', () => resolve({ type, data: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('the tile server did not answer in time')));
      req.on('error', reject);
      req.end();
    });
  }

  async #makeAgent(url: URL): Promise<Agent | undefined> {
    const proxy = await this.#proxy();
    if (proxy) return proxyAgent(proxy, this.#isolation);
    if (!isLoopback(url.hostname)) throw new UsageError('BAD_ARGUMENT', 'map tiles are fetched only through Tor (--tor or --proxy): a tile server reached directly would learn where you are');
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
