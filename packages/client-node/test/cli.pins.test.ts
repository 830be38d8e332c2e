/**
 * Danger pins end to end (spec/17-pins.md, PIN-*), as people use them: a `comrad-op` process and three
 * `comrad` processes through the built bins. Alice pins, Bob reads the pins around him and votes, Carol
 * finds a pin already gone; bad input is refused with nothing stored; the maps (HTML in headless Chromium,
 * and PNG) show each pin where its distance and bearing put it. Every command of the README's "Danger
 * pins" section runs here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bearingDegrees, compassPoint, distanceKm, geohashCentre, pinCell } from '@comrad/core/pins';
import { MAP_MARGIN_PX, PIN_COLOURS } from '@comrad/client-node';
import { ok, type CliResult } from '@comrad/test-kit/client-node/processes';
import { launchChromium } from '@comrad/test-kit/chromium';
import { checkPins, colourAt, decodePng, near } from '@comrad/test-kit/client-node/pin-map-check';
import { readmeSection, startCast, type Cast, type Run } from '@comrad/test-kit/client-node/cast';

/** The Operator here: a vote moves a pin by an hour (its default is 30 minutes), so one deny ends a 1 h pin. */
const VOTE_MS = 3_600_000;
const NEAR = { lat: 52.52, lon: 13.405 };
const PLACES = {
  police: { lat: 52.5219, lon: 13.4132 }, // the README's pin, ~0.6 km ENE
  fire: { lat: 52.512, lon: 13.418 }, // ~1.2 km SE
  medical: { lat: 52.527, lon: 13.392 }, // ~1.2 km NW
  far: { lat: 52.6, lon: 13.405 }, // ~8.9 km N: outside the radius
} as const;

let cast: Cast;
const person = (name: string): Run => (...args) => cast.as(name)(...args);
const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(person) as [Run, Run, Run];
let ids: Record<string, string> = {};

const json = (r: CliResult) => JSON.parse(ok(r));
const near2km = () => bob('--json', 'pins', '--near', `${NEAR.lat},${NEAR.lon}`, '--radius', '2');

beforeAll(async () => {
  // A budget of 6 tokens a day each (blinding one costs the client tens of ms): more than anyone spends here.
  // No sweep: an expired pin stays held (and a vote on it EXPIRED) until the test is done with it.
  cast = await startCast('comrad-pins-', ['alice', 'bob', 'carol'], ['--limit', `pinVoteMs=${VOTE_MS}`, '--token-budget', '6', '--sweep-seconds', '0']);
}, 120_000);

afterAll(async () => {
  await cast?.stop();
});

describe('comrad pin / pins (PIN-*), three people and one Operator (processes)', () => {
  it("PIN-11 the README's Danger pins section shows the commands this file runs", async () => {
    const section = await readmeSection('Danger pins');
    for (const command of [
      'pin --lat 52.5219 --lon 13.4132 --kind police --note "two vans" --ttl 2h',
      'pins --near 52.52,13.405 --radius 2',
      'pin confirm',
      'pin deny',
      '--map pins.html',
      '[DUPLICATE]',
      '[EXPIRED]',
      '[BAD_ARGUMENT]',
      '[TOO_LARGE]',
    ]) {
      expect(section).toContain(command);
    }
  });

  it('PIN-2 PIN-4 PIN-5 alice pins police, fire, medical and one far away; each answer names a 7-character cell, never the point', async () => {
    const police = json(await alice('--json', 'pin', '--lat', '52.5219', '--lon', '13.4132', '--kind', 'police', '--note', 'two vans', '--ttl', '2h'));
    expect(police).toMatchObject({ cell: pinCell(PLACES.police.lat, PLACES.police.lon), kind: 'police' });
    expect(police.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThan(7190);
    expect(police.expiresAt - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(7200);
    ids['police'] = police.id;
    const [fire, medical, far, line = ''] = await Promise.all([
      ...(['fire', 'medical'] as const).map(async (kind) => json(await alice('--json', 'pin', `--lat=${PLACES[kind].lat}`, `--lon=${PLACES[kind].lon}`, '--kind', kind, '--ttl', '1h')).id as string),
      bob('--json', 'pin', '--lat', String(PLACES.far.lat), '--lon', String(PLACES.far.lon), '--kind', 'danger').then((r) => json(r).id as string),
      // The human line says what was sent: the cell, not the point.
      carol('pin', '--lat', '52.5161', '--lon', '13.3981', '--kind', 'safe', '--ttl', '30m').then(ok),
    ]);
    Object.assign(ids, { fire, medical, far });
    expect(line).toContain(`cell ${pinCell(52.5161, 13.3981)}`);
    expect(line).not.toContain('52.5161');
    ids['safe'] = /pin ([0-9a-f]{32})/.exec(line)![1]!;
  });

  it('PIN-8 PIN-9 bob lists the pins within 2 km, nearest first, with distance, bearing, compass point and age; the far one is not there', async () => {
    const { pins, radiusKm, near } = json(await near2km());
    expect({ radiusKm, near }).toEqual({ radiusKm: 2, near: NEAR });
    expect(pins.map((p: { id: string }) => p.id).sort()).toEqual([ids['police'], ids['safe'], ids['fire'], ids['medical']].sort());
    const distances = pins.map((p: { distanceKm: number }) => p.distanceKm);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    const police = pins.find((p: { id: string }) => p.id === ids['police']);
    const centre = geohashCentre(police.cell);
    expect(police).toMatchObject({ kind: 'police', note: 'two vans', confirms: 0, denies: 0, lat: centre.lat, lon: centre.lon, compass: compassPoint(bearingDegrees(NEAR, centre)) });
    expect(police.distanceKm).toBeCloseTo(distanceKm(NEAR, centre), 3);
    expect(police.bearing).toBeCloseTo(bearingDegrees(NEAR, centre), 1);
    expect(police.ageSeconds).toBeLessThan(120);
    // For people: one line per pin, the note in quotes, the distance and compass point.
    const text = ok(await bob('pins', '--near', '52.52,13.405', '--radius', '2'));
    expect(text).toContain('4 pins within 2 km, nearest first');
    expect(text).toMatch(new RegExp(`police\\s+\\d+ m\\s+${police.compass}\\s+\\d+°\\s+(now|\\d+ min) ago\\s+\\+0 −0\\s+“two vans”`));
    // A radius of 10 km takes in the far pin.
    const wide = json(await bob('--json', 'pins', '--near', '52.52,13.405', '--radius', '10'));
    expect(wide.pins.map((p: { id: string }) => p.id)).toContain(ids['far']);
  });

  it('PIN-6 bob confirms once: the pin lives one vote longer; a second vote is DUPLICATE and changes nothing', async () => {
    const before = json(await near2km()).pins.find((p: { id: string }) => p.id === ids['police']);
    expect(before).toMatchObject({ confirms: 0, denies: 0 });
    const confirmed = json(await bob('--json', 'pin', 'confirm', ids['police']!));
    expect(confirmed).toMatchObject({ id: ids['police'], vote: 'confirm', confirms: 1, denies: 0, expiresAt: before.expiresAt + VOTE_MS / 1000 });
    const again = await bob('pin', 'deny', ids['police']!);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[DUPLICATE]');
    const after = json(await near2km()).pins.find((p: { id: string }) => p.id === ids['police']);
    expect(after).toMatchObject({ confirms: 1, denies: 0, expiresAt: confirmed.expiresAt });
    // Another comrade's vote is another nullifier.
    expect(json(await carol('--json', 'pin', 'deny', ids['police']!))).toMatchObject({ confirms: 1, denies: 1 });
  });

  it('PIN-6 an expired pin: one deny ends the 1 h fire pin; it is no longer listed, and a vote on it is EXPIRED', async () => {
    expect(json(await bob('--json', 'pin', 'deny', ids['fire']!))).toMatchObject({ denies: 1 });
    expect(json(await near2km()).pins.map((p: { id: string }) => p.id)).not.toContain(ids['fire']);
    const late = await carol('pin', 'confirm', ids['fire']!);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('[EXPIRED]');
    const unknown = await carol('pin', 'confirm', '0123456789abcdef0123456789abcdef');
    expect(unknown.stderr).toContain('[NOT_FOUND]');
  });

  it('PIN-1 PIN-2 PIN-3 bad input is refused before anything is sent, each with its code, and nothing is stored', async () => {
    const count = async () => json(await bob('--json', 'pins', '--near', '52.52,13.405', '--radius', '100')).pins.length;
    const before = await count();
    const cases: Array<[string[], number, string]> = [
      [['pin', '--lat', '91', '--lon', '13.4', '--kind', 'police'], 2, '[BAD_ARGUMENT]'],
      [['pin', '--lat', '52.5', '--lon', '-181', '--kind', 'police'], 2, '[BAD_ARGUMENT]'],
      [['pin', '--lat', '52.5', '--lon', '13.4', '--kind', 'cops'], 2, '[USAGE]'],
      [['pin', '--lat', '52.5', '--lon', '13.4', '--kind', 'police', '--note', 'x'.repeat(141)], 1, '[TOO_LARGE]'],
      [['pin', '--lat', '52.5', '--lon', '13.4', '--kind', 'police', '--note', 'two\nlines'], 1, '[MALFORMED]'],
      [['pin', '--lat', '52.5', '--lon', '13.4', '--kind', 'police', '--ttl', '2d'], 2, '[BAD_ARGUMENT]'],
      [['pins', '--near', '52.52,13.405', '--radius', '101', '--map', 'pins.svg'], 2, '[BAD_ARGUMENT]'],
    ];
    const results = await Promise.all(cases.map(([args]) => alice(...args)));
    cases.forEach(([args, code, tag], i) => {
      expect(results[i]!.code, args.join(' ')).toBe(code);
      expect(results[i]!.stderr, args.join(' ')).toContain(tag);
    });
    expect(await count()).toBe(before);
  });

  it('PIN-11 the HTML map in headless Chromium: each pin in its colour where its distance and bearing put it, the reader at the centre', async () => {
    const file = join(cast.dir, 'pins.html');
    const listed = json(await bob('--json', 'pins', '--near', '52.52,13.405', '--radius', '2', '--map', file));
    expect(listed.map).toBe(file);
    const html = await readFile(file, 'utf8');
    let server: Server | undefined;
    const browser = await launchChromium();
    try {
      server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      const page = await browser.newPage({ viewport: { width: 800, height: 800 }, deviceScaleFactor: 1 });
      const remote: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(`http://127.0.0.1:${port}/`)) remote.push(r.url());
      });
      await page.goto(`http://127.0.0.1:${port}/`);
      const shot = await decodePng(await page.screenshot({ clip: { x: 0, y: 0, width: 800, height: 800 } }));
      const checks = checkPins(shot, NEAR, 2, 800, MAP_MARGIN_PX, listed.pins, PIN_COLOURS);
      expect(checks.length).toBe(3);
      expect(checks.filter((c) => !c.ok)).toEqual([]);
      expect(near(colourAt(shot, 400, 400), [26, 26, 26])).toBe(true);
      expect(remote).toEqual([]);
    } finally {
      await browser.close();
      await new Promise((resolve) => server?.close(resolve));
    }
  });

  it('PIN-11 the PNG map, decoded: the same pins at the same places', async () => {
    const file = join(cast.dir, 'pins.png');
    const listed = json(await bob('--json', 'pins', '--near', '52.52,13.405', '--radius', '2', '--map', file));
    const image = await decodePng(await readFile(file));
    expect([image.width, image.height]).toEqual([800, 800]);
    const checks = checkPins(image, NEAR, 2, 800, MAP_MARGIN_PX, listed.pins, PIN_COLOURS);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });

  it("PIN-7 TOK-13 the Operator's log names no comrade and holds no pin: no id, cell, note or kind of one", async () => {
    const log = await readFile(`${join(cast.dir, 'operator')}.log`, 'utf8');
    expect(log.length).toBeGreaterThan(0);
    const cells = Object.values(PLACES).map((p) => pinCell(p.lat, p.lon));
    for (const needle of ['alice', 'bob', 'carol', 'two vans', ...Object.values(ids), ...cells]) expect(log, needle).not.toContain(needle);
  });
});
