/**
 * `comrad app`'s Contacts QR codes and Status screen, end to end in headless Chromium against real
 * processes: the QR codes are read back from screenshots with a QR decoder; the Operator's reachability
 * and the pending letters are shown with a real `comrad-op` running, stopped and started again; a real
 * SOCKS5 proxy is probed up and down; and a real `tor` started by `comrad app --tor` shows its bootstrap
 * on the first-run page while it happens (its only directory authority is a local port that is not tor,
 * so it never finishes, and no traffic leaves this machine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import jsqrModule from 'jsqr';
import sharp from 'sharp';
import type { Browser, Locator } from 'playwright-core';
import { comrad, ok, restartablePort, startOperatorProcess, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { openTab, shot, startApp, unlockApp, type AppUnderTest } from '@comrad/test-kit/client-node/app';
import { passphraseOf, startCast, type Cast } from '@comrad/test-kit/client-node/cast';
import { startSocks5Server, type TestSocksServer } from '@comrad/test-kit/client-node/socks5-server';
import { launchChromium } from '@comrad/test-kit/chromium';

// jsqr's UMD bundle exports the function itself; its types describe a module with a default export.
const jsQR = jsqrModule as unknown as typeof jsqrModule.default;

let cast: Cast;
let browser: Browser;
let alice: AppUnderTest;
/** The Operator started again on the same data and port, after the one the cast started was stopped. */
let again: OperatorProcess | undefined;
const others: AppUnderTest[] = [];

beforeAll(async () => {
  // The Operator is stopped and started again at the same address below: a port no server of another test
  // is given meanwhile.
  [cast, browser] = await Promise.all([startCast('comrad-app-status-', ['alice', 'bob'], [], await restartablePort()), launchChromium()]);
  alice = await startApp(browser, join(cast.dir, 'alice'), 'alice');
  await unlockApp(alice, passphraseOf('alice'));
}, 120_000);

afterAll(async () => {
  await Promise.all([alice, ...others].map((a) => a?.stop()));
  await browser?.close();
  await again?.stop();
  await cast?.stop();
});

/** What a QR code on the page says, read from a screenshot of it (as a phone's camera would). */
async function readQr(code: Locator): Promise<string | undefined> {
  const png = await code.screenshot();
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data;
}

describe('comrad app: fingerprints as QR codes', () => {
  it('Contacts shows my fingerprint and each contact’s as QR codes that read back as `comrad:@NAME:FINGERPRINT`', async () => {
    const { page } = alice;
    const [mine, bobs] = (await Promise.all([cast.as('alice')('--json', 'whoami'), cast.as('bob')('--json', 'whoami')])).map((r) => JSON.parse(ok(r)) as { fingerprint: string });
    if (!mine || !bobs) throw new Error('whoami said nothing');
    await openTab(page, 'Contacts');
    const own = page.getByRole('img', { name: `QR code of @alice's fingerprint ${mine.fingerprint}` });
    // The same text `comrad whois alice --qr` draws in a terminal.
    expect(await readQr(own)).toBe(`comrad:@alice:${mine.fingerprint}`);
    await page.getByLabel('Name', { exact: true }).fill('bob');
    await page.getByRole('button', { name: 'Look up' }).click();
    const row = page.locator('.contacts li', { hasText: '@bob' });
    await row.getByText("QR code of @bob's fingerprint").click();
    const code = row.getByRole('img', { name: `QR code of @bob's fingerprint ${bobs.fingerprint}` });
    expect(await readQr(code)).toBe(`comrad:@bob:${bobs.fingerprint}`);
    await shot(page, '6-contacts-qr');
  });
});

describe('comrad app: Status', () => {
  it('shows the Operator reachable, a fresh connection’s round trip, the transport and what is pending', async () => {
    const { page } = alice;
    await openTab(page, 'Status');
    const operator = page.locator('[data-status=operator]');
    await operator.getByText('reachable', { exact: true }).waitFor();
    await expect(page.locator('[data-status=transport]').textContent()).resolves.toMatch(/^direct \(no Tor\)/);
    await page.getByRole('button', { name: 'Check now' }).click();
    await operator.getByText(/answered a fresh connection in \d+ ms/).waitFor();
    const pending = page.locator('[data-status=pending]');
    await pending.getByText(/^\d+ left in this home/).waitFor();
    await expect(pending.textContent()).resolves.toMatch(/Sending nownothingNot sentnothing/);
  });

  it('the Operator stops: not reachable, a letter is kept as not sent; it comes back: reachable, and the letter is sent again and arrives', async () => {
    const { page } = alice;
    const { port } = cast.op;
    await cast.op.stop();
    const operator = page.locator('[data-status=operator]');
    // Live: the logged-in session dropped, the page is told without reloading.
    await operator.getByText('not reachable: reconnecting').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Check now' }).click();
    await operator.getByText(/a fresh connection failed: .*\[CONNECTION_CLOSED\]/).waitFor();

    await openTab(page, 'Letters');
    await page.getByLabel('To', { exact: true }).fill('bob');
    await page.getByLabel('Letter', { exact: true }).fill('the meeting moved to the library');
    await page.getByRole('button', { name: 'Send letter' }).click();
    await page.getByRole('alert').getByText(/CONNECTION_CLOSED/).waitFor();
    await openTab(page, 'Status');
    const unsent = page.locator('[data-status=pending] li', { hasText: 'to @bob: “the meeting moved to the library”' });
    await expect(unsent.textContent()).resolves.toMatch(/\[CONNECTION_CLOSED\]/);
    await shot(page, '8-status-offline');

    again = await startOperatorProcess(join(cast.dir, 'operator'), port);
    await operator.getByText('reachable', { exact: true }).waitFor({ timeout: 30_000 });
    await unsent.getByRole('button', { name: 'send again the letter to @bob' }).click();
    await unsent.waitFor({ state: 'detached' });
    await page.locator('[data-status=pending]').getByText('Not sentnothing').waitFor();
    const inbox = ok(await cast.as('bob')('inbox'));
    expect(inbox).toContain('the meeting moved to the library');
  });

  it('through a SOCKS proxy: shows whether it answers, up and then down; the map\'s tiles (--tiles) come through it, once', async () => {
    // A tile server on loopback, named tiles.example: only the proxy knows where that is (as Tor would).
    const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#9fc5a8' } }).png().toBuffer();
    const asked: string[] = [];
    const tileServer = createHttpServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
      res.end(png);
    });
    await new Promise<void>((resolve) => tileServer.listen(0, '127.0.0.1', resolve));
    const tilePort = (tileServer.address() as { port: number }).port;
    const proxy: TestSocksServer = await startSocks5Server({ 'tiles.example': '127.0.0.1' });
    let closed = false;
    try {
      const bob = await startApp(browser, join(cast.dir, 'bob'), 'bob', { args: ['--proxy', proxy.url, '--tiles', `http://tiles.example:${tilePort}/{z}/{x}/{y}.png`] });
      others.push(bob);
      await unlockApp(bob, passphraseOf('bob'));
      const { page } = bob;
      await openTab(page, 'Status');
      const transport = page.locator('[data-status=transport]');
      await transport.getByText(`through a SOCKS proxy (Tor) at 127.0.0.1:${proxy.port}`).waitFor();
      await page.getByRole('button', { name: 'Check now' }).click();
      await transport.getByText(/the proxy answers \(\d+ ms/).waitFor();
      // The Operator connections went through it.
      expect(proxy.requests.length).toBeGreaterThan(0);

      await openTab(page, 'Map');
      await page.getByLabel('Latitude').fill('52.5219');
      await page.getByLabel('Longitude').fill('13.4132');
      await page.getByRole('button', { name: 'Show pins' }).click();
      await page.getByText('Map tiles from tiles.example').waitFor();
      const tiles = page.locator('.map-stack img.tile');
      await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('.map-stack img')).every((i) => i.complete && i.naturalWidth > 0));
      const count = await tiles.count();
      expect(count).toBeGreaterThan(0);
      // Each tile asked of the server once, through the proxy, by name (the page itself asked only our server).
      expect(asked.length).toBe(count);
      expect(asked.every((u) => /^\/\d+\/\d+\/\d+\.png$/.test(u))).toBe(true);
      expect(proxy.requests.some((r) => r.atyp === 'domain' && r.host === 'tiles.example' && r.port === tilePort)).toBe(true);
      await shot(page, '7-map-tiles');
      // Shown again: from the app's memory, nothing asked again.
      await page.getByRole('button', { name: 'Show pins' }).click();
      await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('.map-stack img')).every((i) => i.complete && i.naturalWidth > 0));
      expect(asked.length).toBe(count);

      // `comrad pins --map FILE.png --tiles …` draws the same map over the same tiles, fetched the same way.
      const file = join(cast.dir, 'pins.png');
      ok(await cast.as('alice')('--proxy', proxy.url, 'pins', '--near', '52.5219,13.4132', '--map', file, '--tiles', `http://tiles.example:${tilePort}/{z}/{x}/{y}.png`));
      expect(asked.length).toBe(2 * count);
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      expect(info.width).toBe(800);
      // A corner of the drawing is tile, not the plain map's paper colour (#f4f1ea).
      expect([...data.subarray(0, 3)]).toEqual([0x9f, 0xc5, 0xa8]);

      await openTab(page, 'Status');
      await proxy.close();
      closed = true;
      await page.getByRole('button', { name: 'Check now' }).click();
      await transport.getByText(/the proxy does not answer: nothing listens there/).waitFor();
    } finally {
      if (!closed) await proxy.close();
      await new Promise((r) => tileServer.close(r));
    }
  });

  it('--tiles without Tor is refused before anything is fetched (a tile server would learn where you are)', async () => {
    const r = await comrad(['--home', join(cast.dir, 'dave'), 'app', '--no-open', '--tiles', 'https://tile.example/{z}/{x}/{y}.png']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tiles needs --tor or --proxy/);
  });

  it("with --tor: the link comes at once, the first-run page shows tor's bootstrap while it runs, and stopping the app stops tor", async () => {
    // A directory authority that is only a TCP port: tor connects (its bootstrap moves) and can go no further.
    const sockets = new Set<import('node:net').Socket>();
    const fake: Server = createServer((s) => (sockets.add(s), s.on('error', () => undefined)));
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const fakePort = (fake.address() as { port: number }).port;
    const torrc = join(cast.dir, 'fake-network.torrc');
    await writeFile(torrc, `DirAuthority fake orport=${fakePort} no-v2 v3ident=${'0'.repeat(40)} 127.0.0.1:${fakePort} ${'0000 '.repeat(10).trim()}\n`);
    try {
      const carol = await startApp(browser, join(cast.dir, 'carol'), 'carol', { args: ['--tor', '--tor-config', torrc] });
      others.push(carol);
      // The link comes before tor's bootstrap: the page is where it is watched.
      expect(carol.linkMs).toBeLessThan(30_000);
      await carol.page.goto(carol.url);
      await carol.page.getByRole('heading', { name: 'Create your home' }).waitFor();
      await carol.page.getByRole('status').getByText(/tor bootstrapped \d+ %/).waitFor();
      expect(await carol.page.getByRole('progressbar', { name: 'tor bootstrap' }).count()).toBe(1);
      await shot(carol.page, '8-status-tor-bootstrap');
      const stopped = Date.now();
      await carol.stop();
      expect(Date.now() - stopped).toBeLessThan(10_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => fake.close(r));
    }
  });
});
