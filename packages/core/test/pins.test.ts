/**
 * Danger pins in core (spec/17-pins.md): geohash cells against published values, distances and bearings,
 * the cells a reader asks for, kinds, notes, nullifiers, and the strict decoders of the three pin ops.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyPair, ProtocolError, encode, ready, toHex } from '@comrad/core';
import {
  MAX_PIN_NOTE_CHARS,
  PIN_KINDS,
  bearingDegrees,
  cellDegrees,
  checkPinKind,
  checkPinNote,
  compassPoint,
  coverCells,
  distanceKm,
  encodeGeohash,
  geohashCell,
  geohashCentre,
  geohashNeighbour,
  pinCell,
  pinNullifier,
  pinNullifierSecret,
} from '@comrad/core/pins';
import { decodeRequest, decodeResult } from '@comrad/core/wire';

beforeAll(() => ready({ backend: 'wasm' }));

const code = (c: string) => expect.objectContaining({ code: c });

describe('PIN-2 geohash cells', () => {
  it('PIN-2 encodes published examples and decodes to a cell holding the point', () => {
    // Wikipedia's example (Jutland) and Niemeyer's original; the cell of a point holds the point.
    expect(encodeGeohash(57.64911, 10.40744, 11)).toBe('u4pruydqqvj');
    expect(encodeGeohash(42.6, -5.6, 5)).toBe('ezs42');
    const c = geohashCell('ezs42');
    expect(c.minLat).toBeLessThanOrEqual(42.6);
    expect(c.maxLat).toBeGreaterThan(42.6);
    expect(c.minLon).toBeLessThanOrEqual(-5.6);
    expect(c.maxLon).toBeGreaterThan(-5.6);
    expect(geohashCentre('ezs42').lat).toBeCloseTo(42.605, 3);
    expect(geohashCentre('ezs42').lon).toBeCloseTo(-5.603, 3);
  });

  it('PIN-2 a pin cell is 7 characters, about 153 m × 153 m at the equator; the exact point is not in it', () => {
    const cell = pinCell(52.520008, 13.404954);
    expect(cell).toMatch(/^[0-9b-hjkmnp-z]{7}$/);
    expect(pinCell(52.5201, 13.4051)).toBe(cell); // 15 m away: the same cell
    const deg = cellDegrees(7);
    expect(deg.lat * 111.195).toBeCloseTo(0.1527, 3);
    expect(deg.lon * 111.195).toBeCloseTo(0.1527, 3);
    const centre = geohashCentre(cell);
    expect(distanceKm({ lat: 52.520008, lon: 13.404954 }, centre)).toBeLessThan(0.11); // at most half a diagonal
  });

  it('PIN-2 coordinates out of range and non-geohashes are MALFORMED', () => {
    for (const [lat, lon] of [[90.0001, 0], [-91, 0], [0, 180.5], [0, -181], [Number.NaN, 0], [0, Infinity]] as const) expect(() => pinCell(lat, lon)).toThrow(code('MALFORMED'));
    expect(pinCell(90, 180)).toBe(pinCell(90, -180));
    for (const bad of ['', 'abc', 'u33dc0ci', 'U33DC0C', 'x'.repeat(13)]) expect(() => geohashCell(bad)).toThrow(code('MALFORMED'));
  });

  it('PIN-8 neighbours wrap at the antimeridian and stop at the poles', () => {
    const east = encodeGeohash(0.1, 179.99, 5);
    const wrapped = geohashNeighbour(east, 0, 1)!;
    expect(geohashCentre(wrapped).lon).toBeLessThan(-179.9);
    expect(geohashNeighbour(encodeGeohash(89.99, 0, 3), 1, 0)).toBeUndefined();
  });
});

describe('PIN-9 distance and bearing', () => {
  it('PIN-9 haversine distances and initial bearings match known values', () => {
    const paris = { lat: 48.8566, lon: 2.3522 };
    const london = { lat: 51.5074, lon: -0.1278 };
    expect(distanceKm(paris, london)).toBeCloseTo(343.5, 0);
    expect(bearingDegrees(paris, london)).toBeCloseTo(330.0, 0);
    expect(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(111.195, 2);
    expect(bearingDegrees({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(90, 6);
    expect(bearingDegrees({ lat: 0, lon: 0 }, { lat: -1, lon: 0 })).toBeCloseTo(180, 6);
    expect(bearingDegrees(paris, paris)).toBe(0);
  });

  it('PIN-9 sixteen compass points, each 22.5 degrees wide, north wrapping', () => {
    expect([0, 11.24, 11.26, 45, 90, 180, 270, 348.74, 348.76, 359.9].map(compassPoint)).toEqual(['N', 'N', 'NNE', 'NE', 'E', 'S', 'W', 'NNW', 'N', 'N']);
  });
});

describe('PIN-8 the cells a reader asks for', () => {
  it('PIN-8 a 3 × 3 block at the finest precision (at most 5) whose cells are at least the radius, covering every point within it', () => {
    const me = { lat: 52.52, lon: 13.405 };
    const small = coverCells(me, 2);
    expect(small.precision).toBe(5);
    expect(small.cells).toHaveLength(9);
    expect(small.cells).toContain(encodeGeohash(me.lat, me.lon, 5));
    const wide = coverCells(me, 30);
    expect(wide.precision).toBeLessThan(5);
    // Every point within the radius, in every direction, falls in one of the cells asked for.
    for (const radius of [0.2, 2, 4, 10, 30, 100]) {
      const { cells } = coverCells(me, radius);
      for (let b = 0; b < 360; b += 15) {
        const d = radius / 6371.0088;
        const lat1 = (me.lat * Math.PI) / 180;
        const lon1 = (me.lon * Math.PI) / 180;
        const br = (b * Math.PI) / 180;
        const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(br));
        const lon2 = lon1 + Math.atan2(Math.sin(br) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
        const there = pinCell((lat2 * 180) / Math.PI, (lon2 * 180) / Math.PI);
        expect(cells.some((c) => there.startsWith(c))).toBe(true);
      }
    }
  });

  it('PIN-8 a radius out of (0, 100] km and a centre out of range are MALFORMED', () => {
    for (const r of [0, -1, 100.01, Number.NaN]) expect(() => coverCells({ lat: 0, lon: 0 }, r)).toThrow(code('MALFORMED'));
    expect(() => coverCells({ lat: 91, lon: 0 }, 1)).toThrow(code('MALFORMED'));
  });
});

describe('PIN-1 PIN-3 kinds and notes', () => {
  it('PIN-1 the closed list of kinds; anything else is UNSUPPORTED_KIND', () => {
    for (const k of PIN_KINDS) expect(checkPinKind(k)).toBe(k);
    for (const k of ['Police', 'cops', '', 'police ']) expect(() => checkPinKind(k)).toThrow(code('UNSUPPORTED_KIND'));
  });

  it('PIN-3 a note: up to 140 code points on one line; longer is TOO_LARGE, controls and bidi are MALFORMED', () => {
    expect(checkPinNote('😀'.repeat(MAX_PIN_NOTE_CHARS))).toHaveLength(280);
    expect(() => checkPinNote('x'.repeat(MAX_PIN_NOTE_CHARS + 1))).toThrow(code('TOO_LARGE'));
    expect(() => checkPinNote(`${'\n'.repeat(141)}`)).toThrow(code('TOO_LARGE'));
    for (const bad of ['a\nb', 'a\u202eb', 'a\u0007', 'a\u2028b']) expect(() => checkPinNote(bad)).toThrow(code('MALFORMED'));
  });
});

describe('PIN-6 nullifiers', () => {
  it('PIN-6 one per comrade per pin per Operator; unrelated across pins and comrades', () => {
    const alice = KeyPair.generate();
    const bob = KeyPair.generate();
    const op = KeyPair.generate().publicKey;
    const a = pinNullifierSecret(alice.privateKey);
    expect(toHex(pinNullifierSecret(alice.privateKey))).toBe(toHex(a));
    const n = pinNullifier(a, op, 'p1');
    expect(n).toHaveLength(32);
    expect(toHex(pinNullifier(a, op, 'p1'))).toBe(toHex(n));
    expect(toHex(pinNullifier(a, op, 'p2'))).not.toBe(toHex(n));
    expect(toHex(pinNullifier(pinNullifierSecret(bob.privateKey), op, 'p1'))).not.toBe(toHex(n));
    expect(toHex(pinNullifier(a, KeyPair.generate().publicKey, 'p1'))).not.toBe(toHex(n));
  });
});

describe('PIN-5 PIN-6 PIN-8 strict decoders', () => {
  const put = (fields: Record<string, unknown>) => () => decodeRequest(encode({ id: 1, op: 'pinPut', cell: 'u33dc0c', kind: 'police', ttl: 600, ...fields }));
  it('PIN-5 pinPut: cell, kind, note, ttl and token are checked in that order, each with its code', () => {
    expect(put({})()).toMatchObject({ op: 'pinPut', params: { cell: 'u33dc0c', kind: 'police', ttl: 600 } });
    expect(put({ cell: 'u33dc0' })).toThrow(code('MALFORMED'));
    expect(put({ cell: 'u33dc0a' })).toThrow(code('MALFORMED'));
    expect(put({ cell: 7 })).toThrow(code('MALFORMED'));
    expect(put({ kind: 'cops' })).toThrow(code('UNSUPPORTED_KIND'));
    expect(put({ kind: 3 })).toThrow(code('MALFORMED'));
    expect(put({ note: 'x'.repeat(141) })).toThrow(code('TOO_LARGE'));
    expect(put({ note: 'x'.repeat(100_000) })).toThrow(code('TOO_LARGE'));
    expect(put({ note: 'a\nb' })).toThrow(code('MALFORMED'));
    expect(put({ note: '' })).toThrow(code('MALFORMED'));
    expect(put({ ttl: 59 })).toThrow(code('MALFORMED'));
    expect(put({ ttl: 86_401 })).toThrow(code('MALFORMED'));
    expect(put({ token: new Uint8Array(513) })).toThrow(code('TOO_LARGE'));
    expect(put({ author: 'alice' })).toThrow(code('MALFORMED'));
    // The order: a bad cell is reported before a bad kind.
    expect(put({ cell: 'nope', kind: 'cops' })).toThrow(code('MALFORMED'));
    expect(put({ kind: 'cops', note: 'x'.repeat(141) })).toThrow(code('UNSUPPORTED_KIND'));
  });

  it('PIN-6 pinVote: a pin id, confirm or deny, a 32-byte nullifier', () => {
    const vote = (fields: Record<string, unknown>) => () => decodeRequest(encode({ id: 1, op: 'pinVote', pin: 'ab', vote: 'confirm', nullifier: new Uint8Array(32), ...fields }));
    expect(vote({})()).toMatchObject({ params: { pin: 'ab', vote: 'confirm' } });
    expect(vote({ vote: 'up' })).toThrow(code('MALFORMED'));
    expect(vote({ nullifier: new Uint8Array(31) })).toThrow(code('MALFORMED'));
    expect(vote({ nullifier: new Uint8Array(33) })).toThrow(code('TOO_LARGE'));
    expect(vote({ pin: 'a b' })).toThrow(code('MALFORMED'));
  });

  it('PIN-8 pins: 1 to 9 geohash prefixes of 1 to 7 characters; answers are checked as strictly', () => {
    const ask = (fields: Record<string, unknown>) => () => decodeRequest(encode({ id: 1, op: 'pins', cells: ['u33dc'], ...fields }));
    expect(ask({})()).toMatchObject({ params: { cells: ['u33dc'] } });
    expect(ask({ cells: [] })).toThrow(code('MALFORMED'));
    expect(ask({ cells: Array(10).fill('u33dc') })).toThrow(code('TOO_LARGE'));
    expect(ask({ cells: ['u33dc0c0'] })).toThrow(code('MALFORMED'));
    expect(ask({ cells: ['a'] })).toThrow(code('MALFORMED'));
    expect(ask({ limit: 501 })).toThrow(code('MALFORMED'));
    const good = { id: 'ab', cell: 'u33dc0c', kind: 'fire', createdAt: 1, expiresAt: 2, confirms: 0, denies: 0 };
    expect(decodeResult('pins', { pins: [good] })).toEqual({ pins: [good] });
    expect(() => decodeResult('pins', { pins: [{ ...good, author: 'alice' }] })).toThrow(code('MALFORMED'));
    expect(() => decodeResult('pins', { pins: [{ ...good, kind: 'cops' }] })).toThrow(code('UNSUPPORTED_KIND'));
    expect(() => decodeResult('pins', { pins: [{ ...good, note: 'a\u202eb' }] })).toThrow(ProtocolError);
  });
});
