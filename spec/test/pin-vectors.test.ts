/**
 * Checks `spec/vectors/pins.json` (spec/17-pins.md, PIN-*) against the code: cells, cover blocks,
 * distances, bearings and nullifiers are reproduced exactly; valid frames decode and re-encode to their
 * bytes; invalid frames and points give exactly their codes.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PrivateKey, PublicKey, fromHex, ready, toHex } from '@comrad/core';
import { bearingDegrees, compassPoint, coverCells, distanceKm, pinCell, pinNullifier, pinNullifierSecret } from '@comrad/core/pins';
import { decodeRequest, encodeRequest } from '@comrad/core/wire';
import { codeOf } from '@comrad/test-kit/core/garbage';

type V = Record<string, unknown> & { name: string; type: string };
const file = JSON.parse(readFileSync(fileURLToPath(new URL('../vectors/pins.json', import.meta.url)), 'utf8')) as { spec: string; valid: V[]; invalid: (V & { error: string })[] };

describe('pins.json (PIN-*)', () => {
  it('is the vector file of 17-pins', () => expect(file.spec).toBe('17-pins'));

  it.for(file.valid)('PIN-2 PIN-5 PIN-6 PIN-8 PIN-9 valid: $name', async (v) => {
    await ready({ backend: 'wasm' });
    const at = v as V & { lat: number; lon: number };
    if (v.type === 'cell') expect(pinCell(at.lat, at.lon)).toBe(v['cell']);
    if (v.type === 'cover') expect(coverCells(at, v['radiusKm'] as number)).toEqual({ precision: v['precision'], cells: v['cells'] });
    if (v.type === 'distance') {
      const [a, b] = [v['from'], v['to']] as [{ lat: number; lon: number }, { lat: number; lon: number }];
      expect(distanceKm(a, b)).toBeCloseTo(v['km'] as number, 9);
      expect(bearingDegrees(a, b)).toBeCloseTo(v['bearing'] as number, 9);
      expect(compassPoint(bearingDegrees(a, b))).toBe(v['compass']);
    }
    if (v.type === 'nullifier') {
      const secret = pinNullifierSecret(PrivateKey.from(fromHex(v['privateKey'] as string)));
      expect(toHex(secret)).toBe(v['secret']);
      expect(toHex(pinNullifier(secret, PublicKey.from(fromHex(v['operatorKey'] as string)), v['pin'] as string))).toBe(v['nullifier']);
    }
    if (v.type === 'frame') {
      const req = decodeRequest(fromHex(v['frame'] as string));
      expect(toHex(encodeRequest(req.id, req.op, req.params as never))).toBe(v['frame']);
    }
  });

  it.for(file.invalid)('PIN-1 PIN-2 PIN-3 PIN-4 PIN-5 PIN-6 PIN-8 invalid: $name', async (v) => {
    if (v.type === 'frame') expect(await codeOf(() => decodeRequest(fromHex(v['frame'] as string)))).toBe(v.error);
    if (v.type === 'point') expect(await codeOf(() => pinCell(v['lat'] as number, v['lon'] as number))).toBe(v.error);
  });
});
