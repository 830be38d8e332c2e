/**
 * The danger map's optional background (`--tiles`): where the tiles go under the pin map. The tiles
 * themselves are served as images at `/api/tiles/Z/X/Y` (server.ts), fetched through the proxy.
 * @module
 */
import { nearOf } from '../input.js';
import { tilesFor } from '../tiles.js';
import type { Route, RouteContext } from './index.js';

/** `GET /api/tiles/layout?lat&lon&radius`: `{ tiles: [] }` when there is no tile source (the default). */
export function tileRoutes(ctx: RouteContext): Record<string, Route> {
  return {
    'GET /api/tiles/layout': async (i) => {
      const source = ctx.tiles();
      if (!source) return { tiles: [] };
      const near = nearOf(i);
      return { host: source.host, tiles: tilesFor(near, near.radiusKm).map((t) => ({ ...t, src: `/api/tiles/${t.z}/${t.x}/${t.y}` })) };
    },
  };
}
