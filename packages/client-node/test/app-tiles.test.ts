/**
 * The danger map's optional tiles (`comrad app --tiles`, src/app/tiles.ts): which tiles cover the pin map
 * and where they go, and which URL templates are accepted. (Fetching them through a proxy is in
 * cli.app-status.test.ts, against real processes.)
 */
import { describe, expect, it } from 'vitest';
import { checkTileTemplate, MAX_ZOOM, tilesFor } from '../src/app/tiles.js';
import { projectToMap } from '../src/map/pin-map.js';

describe('app map tiles', () => {
  it('cover the whole drawing, one tile about 256 of its 800 pixels, at the zoom the radius needs', () => {
    for (const [centre, radiusKm] of [[{ lat: 52.52, lon: 13.405 }, 2], [{ lat: -33.9, lon: 18.4 }, 10], [{ lat: 0.1, lon: 179.99 }, 1], [{ lat: 60, lon: 25 }, 0.3]] as const) {
      const tiles = tilesFor(centre, radiusKm);
      expect(tiles.length).toBeGreaterThan(0);
      const z = tiles[0]!.z;
      expect(tiles.every((t) => t.z === z && t.x >= 0 && t.x < 2 ** z && t.y >= 0 && t.y < 2 ** z)).toBe(true);
      expect(z).toBeLessThanOrEqual(MAX_ZOOM);
      // About 256 pixels of 800 wide: between half and twice that.
      for (const t of tiles) expect(t.width).toBeGreaterThan(16), expect(t.width).toBeLessThan(64);
      // Their union covers the drawing from edge to edge.
      expect(Math.min(...tiles.map((t) => t.left))).toBeLessThanOrEqual(0);
      expect(Math.min(...tiles.map((t) => t.top))).toBeLessThanOrEqual(0);
      expect(Math.max(...tiles.map((t) => t.left + t.width))).toBeGreaterThanOrEqual(100);
      expect(Math.max(...tiles.map((t) => t.top + t.height))).toBeGreaterThanOrEqual(100);
    }
  });

  it('put the tile holding the reader under the reader (the centre of the drawing)', () => {
    const centre = { lat: 52.52, lon: 13.405 };
    const tiles = tilesFor(centre, 2);
    const under = tiles.filter((t) => t.left <= 50 && t.left + t.width >= 50 && t.top <= 50 && t.top + t.height >= 50);
    expect(under.length).toBe(1);
    const z = under[0]!.z;
    // The reader's own tile number, by the usual Web Mercator formula.
    const n = 2 ** z;
    const x = Math.floor(((centre.lon + 180) / 360) * n);
    const rad = (centre.lat * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
    expect([under[0]!.x, under[0]!.y]).toEqual([x, y]);
    expect(projectToMap(centre, 2, 800, centre)).toEqual({ x: 400, y: 400 });
  });

  it('templates: http(s) with {z}, {x} and {y}; anything else is BAD_ARGUMENT', () => {
    expect(checkTileTemplate('https://tile.example/{z}/{x}/{y}.png')).toBe('https://tile.example/{z}/{x}/{y}.png');
    for (const bad of ['ftp://tile.example/{z}/{x}/{y}.png', 'https://tile.example/{z}/{x}.png', 'not a url {z}{x}{y}', 'javascript:alert(1)//{z}/{x}/{y}']) {
      expect(() => checkTileTemplate(bad), bad).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    }
  });
});
