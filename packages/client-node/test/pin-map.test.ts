/**
 * The pin map (spec/17-pins.md, PIN-11) rendered to PNG by sharp and read back pixel by pixel: every pin
 * is drawn in its kind's colour where its distance and bearing put it, the reader is at the centre, a
 * pin's note cannot inject markup, and the page loads nothing remote.
 */
import { describe, expect, it } from 'vitest';
import { geohashCentre, pinCell, type PinKind } from '@comrad/core/pins';
import { MAP_MARGIN_PX, PIN_COLOURS, pinMapHtml, pinMapPng, pinMapSvg } from '@comrad/client-node';
import { checkPins, colourAt, decodePng, near } from '@comrad/test-kit/client-node/pin-map-check';

const centre = { lat: 52.52, lon: 13.405 };
/** Points around the reader, 0.4 to 1.8 km away in different directions, each snapped to its cell centre. */
const at = (dLatKm: number, dLonKm: number, kind: PinKind, note?: string) => {
  const c = geohashCentre(pinCell(centre.lat + dLatKm / 111.195, centre.lon + dLonKm / (111.195 * Math.cos((centre.lat * Math.PI) / 180))));
  return { ...c, kind, ageMs: 12 * 60_000, ...(note ? { note } : {}) };
};
const pins = [at(1.2, 0.2, 'police', 'two vans'), at(-0.9, 1.1, 'fire'), at(-1.5, -0.7, 'medical'), at(0.3, -1.6, 'danger'), at(0.9, 1.4, 'blocked'), at(-0.2, 0.6, 'safe'), at(1.6, -1.0, 'other')];

describe('PIN-11 the map as PNG', () => {
  it('PIN-11 PIN-9 each pin is drawn in its colour at its distance and bearing; the reader at the centre', async () => {
    const size = 800;
    const png = await pinMapPng({ centre, radiusKm: 2, pins, size, at: Date.UTC(2026, 10, 29, 16) });
    const image = await decodePng(png);
    expect([image.width, image.height]).toEqual([size, size]);
    const checks = checkPins(image, centre, 2, size, MAP_MARGIN_PX, pins, PIN_COLOURS);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(near(colourAt(image, size / 2, size / 2), [26, 26, 26])).toBe(true);
    // And nothing pin-coloured where there is no pin (the opposite of each pin, mirrored through the centre).
    for (const c of checks) expect(near(colourAt(image, size - c.x, size - c.y), c.want)).toBe(false);
  });

  it('PIN-11 the map with no pins still has the reader, the grid and the scale', async () => {
    const image = await decodePng(await pinMapPng({ centre, radiusKm: 5, pins: [], size: 400 }));
    expect(near(colourAt(image, 200, 200), [26, 26, 26])).toBe(true);
  });
});

describe('PIN-11 the map as a page', () => {
  it('PIN-11 loads nothing remote: a CSP of default-src none, no URL but the SVG namespace, no script', () => {
    const html = pinMapHtml({ centre, radiusKm: 2, pins });
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    const urls = html.match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.filter((u) => u !== 'http://www.w3.org/2000/svg')).toEqual([]);
    expect(html).not.toMatch(/<script|<img|<link|<iframe|url\(/i);
  });

  it('PIN-3 PIN-11 a note is shown as text: markup in it is escaped in the SVG and the list', () => {
    const evil = [{ ...pins[0]!, note: '<script>alert(1)</script>&"' }];
    const html = pinMapHtml({ centre, radiusKm: 2, pins: evil });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;');
    expect(pinMapSvg({ centre, radiusKm: 2, pins: evil })).not.toContain('<script>');
  });
});
