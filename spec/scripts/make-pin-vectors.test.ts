/**
 * Writes `spec/vectors/pins.json` (spec/17-pins.md, PIN-*). Skipped unless MAKE_VECTORS=1:
 *
 *     MAKE_VECTORS=1 npx vitest run spec/scripts/make-pin-vectors.test.ts
 *
 * Everything but the nullifier's keys is deterministic; `spec/test/pin-vectors.test.ts` checks the
 * committed file against the code.
 */
import { it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KeyPair, encode, ready, toHex } from '@comrad/core';
import { bearingDegrees, compassPoint, coverCells, distanceKm, encodeGeohash, pinNullifier, pinNullifierSecret } from '@comrad/core/pins';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { decodeRequest, encodeRequest } from '@comrad/core/wire';

const GENERATOR = 'MAKE_VECTORS=1 npx vitest run spec/scripts/make-pin-vectors.test.ts';
const PLACES = [
  { name: 'Berlin, Alexanderplatz', lat: 52.5219, lon: 13.4132 },
  { name: 'Jutland (the Wikipedia example)', lat: 57.64911, lon: 10.40744 },
  { name: 'São Paulo', lat: -23.5505, lon: -46.6333 },
  { name: 'next to the antimeridian', lat: -16.5, lon: 179.999 },
  { name: 'the north pole', lat: 90, lon: 0 },
] as const;

it.skipIf(process.env.MAKE_VECTORS !== '1')('writes spec/vectors/pins.json', async () => {
  await ready({ backend: 'wasm' });
  const valid: unknown[] = [];
  for (const p of PLACES) {
    valid.push({ name: `cell: ${p.name}`, rules: ['PIN-2'], type: 'cell', lat: p.lat, lon: p.lon, cell: encodeGeohash(p.lat, p.lon, 7) });
  }
  for (const [p, radiusKm] of [[PLACES[0], 2], [PLACES[0], 25], [PLACES[2], 0.5], [PLACES[3], 3], [PLACES[4], 1]] as const) {
    valid.push({ name: `cover: ${p.name}, ${radiusKm} km`, rules: ['PIN-8'], type: 'cover', lat: p.lat, lon: p.lon, radiusKm, ...coverCells(p, radiusKm) });
  }
  for (const [a, b] of [[PLACES[0], { lat: 52.5163, lon: 13.3777 }], [PLACES[2], PLACES[0]], [{ lat: 0, lon: 0 }, { lat: 0, lon: 1 }]] as const) {
    const bearing = bearingDegrees(a, b);
    valid.push({ name: `distance and bearing from (${a.lat}, ${a.lon}) to (${b.lat}, ${b.lon})`, rules: ['PIN-9'], type: 'distance', from: { lat: a.lat, lon: a.lon }, to: { lat: b.lat, lon: b.lon }, km: distanceKm(a, b), bearing, compass: compassPoint(bearing) });
  }
  const voter = KeyPair.generate();
  const operator = KeyPair.generate().publicKey;
  const secret = pinNullifierSecret(voter.privateKey);
  for (const pin of ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210']) {
    valid.push({ name: `nullifier of a vote on ${pin.slice(0, 4)}…`, rules: ['PIN-6'], type: 'nullifier', privateKey: toHex(voter.privateKey.bytes()), secret: toHex(secret), operatorKey: toHex(operator.bytes()), pin, nullifier: toHex(pinNullifier(secret, operator, pin)) });
  }
  const frame = (op: string, fields: Record<string, unknown>) => encode({ id: 1, op, ...fields });
  valid.push({ name: 'pinPut with a note', rules: ['PIN-5'], type: 'frame', frame: toHex(encodeRequest(1, 'pinPut', { cell: 'u33dc0c', kind: 'police', note: 'two vans', ttl: 7200 })) });
  valid.push({ name: 'pinVote', rules: ['PIN-6'], type: 'frame', frame: toHex(encodeRequest(1, 'pinVote', { pin: '0123456789abcdef0123456789abcdef', vote: 'confirm', nullifier: new Uint8Array(32).fill(7) })) });
  valid.push({ name: 'pins, nine cells', rules: ['PIN-8'], type: 'frame', frame: toHex(encodeRequest(1, 'pins', { cells: coverCells(PLACES[0], 2).cells })) });

  const put = { cell: 'u33dc0c', kind: 'police', ttl: 7200 };
  const vote = { pin: '0123456789abcdef0123456789abcdef', vote: 'confirm', nullifier: new Uint8Array(32).fill(7) };
  const cases: Array<[string, string[], Uint8Array]> = [
    ['pinPut: a cell of 6 characters', ['PIN-2'], frame('pinPut', { ...put, cell: 'u33dc0' })],
    ['pinPut: a cell with a letter outside the alphabet', ['PIN-2'], frame('pinPut', { ...put, cell: 'u33dcai' })],
    ['pinPut: a latitude instead of a cell', ['PIN-2'], frame('pinPut', { ...put, cell: undefined, lat: 52 })],
    ['pinPut: an unknown kind', ['PIN-1'], frame('pinPut', { ...put, kind: 'cops' })],
    ['pinPut: a note of 141 code points', ['PIN-3'], frame('pinPut', { ...put, note: 'x'.repeat(141) })],
    ['pinPut: a note with a newline', ['PIN-3'], frame('pinPut', { ...put, note: 'two\nvans' })],
    ['pinPut: an empty note', ['PIN-3'], frame('pinPut', { ...put, note: '' })],
    ['pinPut: a ttl of 59 s', ['PIN-4'], frame('pinPut', { ...put, ttl: 59 })],
    ['pinPut: a ttl of a day and a second', ['PIN-4'], frame('pinPut', { ...put, ttl: 86_401 })],
    ['pinPut: an author field', ['PIN-5'], frame('pinPut', { ...put, author: 'alice' })],
    ['pinPut: an unknown kind is reported before a long note', ['PIN-5'], frame('pinPut', { ...put, kind: 'cops', note: 'x'.repeat(141) })],
    ['pinVote: an up vote', ['PIN-6'], frame('pinVote', { ...vote, vote: 'up' })],
    ['pinVote: a nullifier of 31 bytes', ['PIN-6'], frame('pinVote', { ...vote, nullifier: new Uint8Array(31) })],
    ['pinVote: a nullifier of 33 bytes', ['PIN-6'], frame('pinVote', { ...vote, nullifier: new Uint8Array(33) })],
    ['pins: no cell', ['PIN-8'], frame('pins', { cells: [] })],
    ['pins: ten cells', ['PIN-8'], frame('pins', { cells: Array(10).fill('u33dc') })],
    ['pins: a cell of 8 characters (finer than a pin)', ['PIN-8'], frame('pins', { cells: ['u33dc0c0'] })],
  ];
  const invalid: unknown[] = [];
  for (const [name, rules, bytes] of cases) {
    invalid.push({ name, rules, type: 'frame', frame: toHex(bytes), error: await codeOf(() => decodeRequest(bytes)) });
  }
  for (const [lat, lon] of [[90.5, 0], [0, -180.5], [-91, 10]] as const) {
    invalid.push({ name: `a point out of range (${lat}, ${lon})`, rules: ['PIN-2'], type: 'point', lat, lon, error: 'MALFORMED' });
  }
  const out = { spec: '17-pins', description: 'Danger pins: cells, the cells a reader asks for, distances, bearings, nullifiers, and pin op frames (valid, and invalid with their codes).', generator: GENERATOR, valid, invalid };
  await writeFile(fileURLToPath(new URL('../vectors/pins.json', import.meta.url)), `${JSON.stringify(out, null, 2)}\n`);
});
