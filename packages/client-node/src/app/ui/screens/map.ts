/**
 * The danger map: pins around the reader, add, confirm or deny.
 * @module
 */
import { useState } from 'preact/hooks';
import { api, Card, e, ErrorLine, Field, input, useAsync, type El } from '../kit.js';

export interface PinItem {
  id: string;
  kind: string;
  note?: string;
  distanceKm: number;
  bearing: number;
  ageMs: number;
  confirms: number;
  denies: number;
}

/** A tile under the map (`--tiles`), placed in percent of the map's side. */
interface TileItem {
  src: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

export const PIN_KINDS = ['police', 'danger', 'medical', 'fire', 'blocked', 'safe', 'other'];

export function DangerMap(): El {
  const [lat, setLat] = useState('52.52');
  const [lon, setLon] = useState('13.405');
  const [radius, setRadius] = useState('2');
  const [pins, setPins] = useState<PinItem[]>([]);
  const [mapUrl, setMapUrl] = useState<string | undefined>();
  const [tiles, setTiles] = useState<{ host?: string; tiles: TileItem[] }>({ tiles: [] });
  const [kind, setKind] = useState('police');
  const [note, setNote] = useState('');
  const [busy, error, go] = useAsync();
  const q = () => `lat=${encodeURIComponent(lat)}&lon=${encodeURIComponent(lon)}&radius=${encodeURIComponent(radius)}`;
  const show = async () => {
    setPins((await api<{ pins: PinItem[] }>(`/api/pins?${q()}`)).pins);
    // With --tiles the server says where its tiles go; they come from it too (fetched through Tor).
    const layout = await api<{ host?: string; tiles: TileItem[] }>(`/api/tiles/layout?${q()}`);
    setTiles(layout);
    setMapUrl(`/api/pins/map.svg?${q()}&t=${Date.now()}${layout.tiles.length > 0 ? '&over=tiles' : ''}`);
  };
  return e(
    'div',
    null,
    e(
      Card,
      { title: 'Danger map' },
      e(
        'p',
        { class: 'hint' },
        tiles.host ? `Map tiles from ${tiles.host}, fetched through Tor by this app (kept in memory only). ` : 'Drawn here from the pins alone: no map tiles are fetched. ',
        'Your exact point is never sent to the Operator (it is asked for ~5 km cells).',
      ),
      e(
        'form',
        { onSubmit: (e: Event) => (e.preventDefault(), void go(show)), class: 'row' },
        e(Field, { label: 'Latitude', id: 'map-lat' }, input('map-lat', lat, setLat, { inputmode: 'decimal' })),
        e(Field, { label: 'Longitude', id: 'map-lon' }, input('map-lon', lon, setLon, { inputmode: 'decimal' })),
        e(Field, { label: 'Radius (km)', id: 'map-radius' }, input('map-radius', radius, setRadius, { inputmode: 'decimal' })),
        e('button', { type: 'submit', disabled: busy }, 'Show pins'),
      ),
      mapUrl && tiles.tiles.length > 0
        ? e(
            'div',
            { class: 'map-stack' },
            // Set through the DOM's style object, which the CSP allows (no style attribute in markup).
            ...tiles.tiles.map((t) => e('img', { src: t.src, alt: '', class: 'tile', style: { left: `${t.left}%`, top: `${t.top}%`, width: `${t.width}%`, height: `${t.height}%` } })),
            e('img', { src: mapUrl, alt: `map of ${pins.length} pins around you`, class: 'map' }),
          )
        : mapUrl
          ? e('img', { src: mapUrl, alt: `map of ${pins.length} pins around you`, class: 'map' })
          : null,
      e(
        'ul',
        { class: 'pins' },
        ...pins.map((p) =>
          e(
            'li',
            null,
            e('strong', null, p.kind),
            ` ${p.distanceKm.toFixed(2)} km · ${Math.round(p.bearing)}° · ${Math.round(p.ageMs / 60000)} min old · ${p.confirms} confirmed, ${p.denies} denied `,
            p.note ? e('q', null, p.note) : null,
            ' ',
            e('button', { type: 'button', onClick: () => void go(async () => (await api('/api/pin/vote', { id: p.id, vote: 'confirm' }), await show())) }, 'Confirm'),
            ' ',
            e('button', { type: 'button', onClick: () => void go(async () => (await api('/api/pin/vote', { id: p.id, vote: 'deny' }), await show())) }, 'Deny'),
          ),
        ),
      ),
    ),
    e(
      Card,
      { title: 'Drop a pin here' },
      e(
        'form',
        { onSubmit: (e: Event) => (e.preventDefault(), void go(async () => (await api('/api/pin', { lat: Number(lat), lon: Number(lon), kind, note }), setNote(''), await show()))), class: 'row' },
        e(Field, { label: 'What is there', id: 'pin-kind' }, e('select', { id: 'pin-kind', value: kind, onChange: (e: Event) => setKind((e.target as HTMLSelectElement).value) }, ...PIN_KINDS.map((k) => e('option', { value: k }, k)))),
        e(Field, { label: 'Note (public)', id: 'pin-note' }, input('pin-note', note, setNote, { maxLength: 140 })),
        e('button', { type: 'submit', disabled: busy }, 'Drop pin'),
      ),
      e(ErrorLine, { error }),
    ),
  );
}

