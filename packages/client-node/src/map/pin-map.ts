/**
 * The map of pins around a reader (PIN-11): one SVG, drawn here from the pins alone — no tiles, fonts or
 * scripts fetched from anywhere — as a self-contained HTML page or, rendered by sharp, a PNG. The reader is
 * at the centre, north up; a local equirectangular projection scaled so the radius reaches the edge
 * (x = Δlon · cos(lat₀), y = Δlat), which over at most 100 km is off by well under a marker's width.
 * @module
 */
import { KM_PER_DEGREE, type LatLon, type PinKind } from '@comrad/core/pins';
import { formatAge, type PinView } from '../comrade/pins.js';

/** PIN-11: one colour per kind, far apart so a glance (and a test reading pixels) tells them apart. */
export const PIN_COLOURS: { readonly [K in PinKind]: string } = {
  police: '#1f4fff',
  danger: '#ff1f1f',
  medical: '#00b050',
  fire: '#ff8c00',
  blocked: '#8a2be2',
  safe: '#00bcd4',
  other: '#7f7f7f',
};

/** What to draw. */
export interface PinMapInput {
  /** The reader, at the centre. */
  readonly centre: LatLon;
  /** The radius asked about (km): it reaches the edge of the drawing, less a margin. */
  readonly radiusKm: number;
  /** The pins, as {@link Comrade.pins} placed them. */
  readonly pins: readonly Pick<PinView, 'kind' | 'lat' | 'lon' | 'ageMs' | 'note'>[];
  /** The side of the square drawing in pixels (default 800). */
  readonly size?: number;
  /** When the pins were read (ms), shown in the title. */
  readonly at?: number;
  /** No background of its own: drawn over map tiles (the app's `--tiles`). */
  readonly transparent?: boolean;
}

/** Pixels between the radius circle and the edge of the drawing: the radius is `size / 2 - MAP_MARGIN_PX` pixels. */
export const MAP_MARGIN_PX = 48;
const MARGIN = MAP_MARGIN_PX;
/** A pin's disc. */
const PIN_RADIUS = 11;
const BACKGROUND = '#f4f1ea';
const GRID = '#d6cfbf';
const INK = '#1a1a1a';

/**
 * Where a point lands on the drawing (PIN-11): pixels from the top left, the reader at the centre.
 * @param size - the drawing's side in pixels
 * @returns x to the east, y to the south
 */
export function projectToMap(centre: LatLon, radiusKm: number, size: number, point: LatLon): { x: number; y: number } {
  const perKm = (size / 2 - MARGIN) / radiusKm;
  let dLon = point.lon - centre.lon;
  if (dLon > 180) dLon -= 360;
  if (dLon < -180) dLon += 360;
  const east = dLon * Math.cos((centre.lat * Math.PI) / 180) * KM_PER_DEGREE;
  const north = (point.lat - centre.lat) * KM_PER_DEGREE;
  return { x: size / 2 + east * perKm, y: size / 2 - north * perKm };
}

/** A "nice" grid step (1, 2 or 5 × 10ⁿ km) giving three to six lines from the centre to the radius. */
function gridStep(radiusKm: number): number {
  const raw = radiusKm / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function km(v: number): string {
  return v >= 1 ? `${Number(v.toFixed(2))} km` : `${Math.round(v * 1000)} m`;
}

/** Text from anywhere, made safe inside SVG and HTML (a note is another comrade's words). */
function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

/**
 * The map as an SVG document (PIN-11).
 * @returns SVG text, `size` × `size` pixels
 * @example `await writeFile('pins.svg', pinMapSvg({ centre, radiusKm: 2, pins }))`
 */
export function pinMapSvg(input: PinMapInput): string {
  const size = input.size ?? 800;
  const c = size / 2;
  const r = c - MARGIN;
  const step = gridStep(input.radiusKm);
  const perKm = r / input.radiusKm;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" font-family="DejaVu Sans, Verdana, sans-serif">`);
  if (!input.transparent) out.push(`<rect width="${size}" height="${size}" fill="${BACKGROUND}"/>`);
  // The grid: lines every `step` km from the reader, in both directions.
  for (let k = -Math.floor(c / (step * perKm)); k * step * perKm <= c; k++) {
    const at = fmt(c + k * step * perKm);
    out.push(`<line x1="${at}" y1="0" x2="${at}" y2="${size}" stroke="${GRID}" stroke-width="1"/>`);
    out.push(`<line x1="0" y1="${at}" x2="${size}" y2="${at}" stroke="${GRID}" stroke-width="1"/>`);
  }
  out.push(`<circle cx="${c}" cy="${c}" r="${fmt(r)}" fill="none" stroke="#9a917c" stroke-width="1.5" stroke-dasharray="6 5"/>`);
  // Scale bar (bottom left) and compass (top right).
  const bar = step * perKm;
  out.push(`<g><line x1="16" y1="${size - 20}" x2="${fmt(16 + bar)}" y2="${size - 20}" stroke="${INK}" stroke-width="3"/>`);
  out.push(`<line x1="16" y1="${size - 26}" x2="16" y2="${size - 14}" stroke="${INK}" stroke-width="2"/><line x1="${fmt(16 + bar)}" y1="${size - 26}" x2="${fmt(16 + bar)}" y2="${size - 14}" stroke="${INK}" stroke-width="2"/>`);
  out.push(`<text x="16" y="${size - 30}" font-size="13" fill="${INK}">${km(step)}</text></g>`);
  out.push(`<g transform="translate(${size - 34} 40)"><polygon points="0,-22 7,4 0,-2 -7,4" fill="${INK}"/><text x="0" y="20" font-size="14" font-weight="bold" text-anchor="middle" fill="${INK}">N</text></g>`);
  const title = `Pins within ${km(input.radiusKm)} of ${input.centre.lat.toFixed(4)}, ${input.centre.lon.toFixed(4)}${input.at !== undefined ? ` · ${new Date(input.at).toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}`;
  out.push(`<text x="16" y="24" font-size="14" fill="${INK}">${escapeXml(title)}</text>`);
  // The reader.
  out.push(`<circle cx="${c}" cy="${c}" r="7" fill="${INK}" stroke="#ffffff" stroke-width="3"/><text x="${c + 12}" y="${c - 10}" font-size="12" fill="${INK}">you</text>`);
  // Pins, farthest first so the nearest are drawn on top; labels under their disc.
  const placed = input.pins.map((p) => ({ p, at: projectToMap(input.centre, input.radiusKm, size, p) }));
  for (const { p, at } of placed.slice().reverse()) {
    const label = `${p.kind} · ${formatAge(p.ageMs)}${p.note ? ` · ${[...p.note].slice(0, 32).join('')}${[...p.note].length > 32 ? '…' : ''}` : ''}`;
    out.push(`<g class="pin" data-kind="${p.kind}"><circle cx="${fmt(at.x)}" cy="${fmt(at.y)}" r="${PIN_RADIUS}" fill="${PIN_COLOURS[p.kind]}" stroke="#ffffff" stroke-width="2.5"/>`);
    out.push(`<text x="${fmt(at.x)}" y="${fmt(at.y + PIN_RADIUS + 14)}" font-size="12" text-anchor="middle" fill="${INK}" stroke="${BACKGROUND}" stroke-width="3" paint-order="stroke">${escapeXml(label)}</text></g>`);
  }
  // The legend, bottom right: only the kinds shown.
  const kinds = [...new Set(input.pins.map((p) => p.kind))];
  kinds.forEach((k, i) => {
    const y = size - 20 - (kinds.length - 1 - i) * 18;
    out.push(`<circle cx="${size - 110}" cy="${y - 4}" r="6" fill="${PIN_COLOURS[k]}"/><text x="${size - 98}" y="${y}" font-size="12" fill="${INK}">${k}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/**
 * The map as a self-contained page (PIN-11): the SVG inline at the top left, a list of the pins under it,
 * and a content security policy that lets the page load nothing at all.
 * @returns HTML text
 */
export function pinMapHtml(input: PinMapInput): string {
  const rows = input.pins
    .map((p) => `<li><span style="color:${PIN_COLOURS[p.kind]}">●</span> ${escapeXml(p.kind)} · ${escapeXml(formatAge(p.ageMs))}${p.note ? ` · ${escapeXml(p.note)}` : ''}</li>`)
    .join('\n');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // PIN-11: nothing remote, nothing executable: the page is only what this file holds.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="referrer" content="no-referrer">',
    '<title>Comrad pins</title>',
    '<style>body{margin:0;font-family:sans-serif}svg{display:block}ul{margin:12px 16px;padding:0;list-style:none}</style>',
    '</head><body>',
    pinMapSvg(input),
    `<ul>${rows}</ul>`,
    '<p style="margin:0 16px 16px;color:#555">Positions are cells of about 150 m: a pin is somewhere within ~110 m of its disc.</p>',
    '</body></html>',
    '',
  ].join('\n');
}

/**
 * The map as a PNG (PIN-11): the same SVG, rendered by sharp (librsvg), nothing fetched.
 * @returns PNG bytes, `size` × `size` pixels
 */
export async function pinMapPng(input: PinMapInput, tiles?: ReadonlyArray<{ readonly left: number; readonly top: number; readonly width: number; readonly height: number; readonly image: Uint8Array }>): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  if (!tiles || tiles.length === 0) return new Uint8Array(await sharp(Buffer.from(pinMapSvg(input)), { density: 72 }).png().toBuffer());
  // Over map tiles (`comrad pins --map FILE.png --tiles …`): each tile scaled to where it falls, cut to
  // the drawing, then the pins drawn without a background of their own on top.
  const size = input.size ?? 800;
  const px = (pct: number) => Math.round((pct / 100) * size);
  const layers: Array<{ input: Buffer; left: number; top: number }> = [];
  for (const t of tiles) {
    const left = px(t.left);
    const top = px(t.top);
    const w = Math.max(1, px(t.left + t.width) - left);
    const h = Math.max(1, px(t.top + t.height) - top);
    const x0 = Math.max(0, left);
    const y0 = Math.max(0, top);
    const x1 = Math.min(size, left + w);
    const y1 = Math.min(size, top + h);
    if (x1 <= x0 || y1 <= y0) continue;
    const scaled = await sharp(t.image).resize(w, h, { fit: 'fill' }).extract({ left: x0 - left, top: y0 - top, width: x1 - x0, height: y1 - y0 }).png().toBuffer();
    layers.push({ input: scaled, left: x0, top: y0 });
  }
  layers.push({ input: await sharp(Buffer.from(pinMapSvg({ ...input, transparent: true })), { density: 72 }).png().toBuffer(), left: 0, top: 0 });
  const base = sharp({ create: { width: size, height: size, channels: 4, background: BACKGROUND } });
  return new Uint8Array(await base.composite(layers).png().toBuffer());
}
