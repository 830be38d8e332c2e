/**
 * `comrad app` end to end, as people use it: a real `comrad-op` process, two `comrad app` processes (two
 * homes) and headless Chromium driving each page like a person — create the home, choose the Operator
 * by its fingerprint, register, exchange a letter, post to the world and read it on the other side, look
 * the other up and compare fingerprints, drop a danger pin and see it on the other's map. And the guard:
 * no secret, a foreign Host or a foreign Origin is refused; the CSP is on every answer; the page never
 * receives the passphrase. Screenshots of each screen go to .app-screens/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { requireBuild, startOperatorProcess, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { raw, shot, startApp, type AppUnderTest } from '@comrad/test-kit/client-node/app';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { launchChromium } from '@comrad/test-kit/chromium';
import { metadataMarkersIn, PLANTED, taggedJpeg } from '@comrad/test-kit/client-node/tagged-jpeg';
import { readmeSection } from '@comrad/test-kit/client-node/cast';

const PASS = { alice: 'correct horse battery staple violet', bob: 'quiet river lantern seventeen maple' } as const;

let root: { dir: string; remove(): Promise<void> };
let op: OperatorProcess;
let browser: Browser;
const apps: Record<'alice' | 'bob', AppUnderTest> = {} as never;

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-app-');
  [op, browser] = await Promise.all([startOperatorProcess(join(root.dir, 'operator')), launchChromium()]);
  [apps.alice, apps.bob] = await Promise.all([startApp(browser, join(root.dir, 'alice'), 'alice'), startApp(browser, join(root.dir, 'bob'), 'bob')]);
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(apps).map((app) => app.stop()));
  await browser?.close();
  await op?.stop();
  await root?.remove();
});

describe('comrad app: two people, two homes, one Operator, in headless Chromium', () => {
  it('first run: create the home (strength shown, the lost-passphrase warning), choose the Operator by its fingerprint, register', async () => {
    await Promise.all(
      (['alice', 'bob'] as const).map(async (name) => {
        const { page } = apps[name];
        const opened = Date.now();
        await page.goto(apps[name].url);
        await page.getByRole('heading', { name: 'Create your home' }).waitFor();
        const now = Date.now();
        console.log(`comrad app (${name}): link printed ${apps[name].linkMs} ms after the start; first screen usable ${now - opened} ms after opening the link (${now - apps[name].startedAt} ms after the start)`);
        // The secret left the address bar (303 to /).
        expect(new URL(page.url()).search).toBe('');
        await expect(page.getByRole('note').first().textContent()).resolves.toMatch(/lose it, your name is lost/);
        await page.getByLabel('Passphrase', { exact: true }).fill('abc');
        await page.getByText(/too easy to guess/).waitFor();
        await page.getByLabel('Passphrase', { exact: true }).fill(PASS[name]);
        await page.getByText(/Strength: (strong|very strong)$/).waitFor();
        await page.getByLabel('Passphrase again').fill(PASS[name]);
        if (name === 'alice') await shot(page, '1-create-home');
        await page.getByRole('button', { name: 'Create home' }).click();

        await page.getByRole('heading', { name: 'Choose your Operator' }).waitFor();
        await page.getByLabel('Operator address').fill(op.url);
        await page.getByRole('button', { name: 'Ask for its fingerprint' }).click();
        await expect(page.locator('[data-fingerprint=operator]').textContent()).resolves.toBe(op.fingerprint);
        if (name === 'alice') await shot(page, '2-choose-operator');
        await page.getByRole('button', { name: 'Use this Operator' }).click();

        await page.getByRole('heading', { name: 'Register your name' }).waitFor();
        await page.getByLabel('Name', { exact: true }).fill(name);
        if (name === 'alice') await shot(page, '3-register');
        await page.getByRole('button', { name: 'Register' }).click();
        await page.getByRole('tab', { name: 'Letters' }).waitFor();
      }),
    );
  });

  it('letters: alice writes, bob sees it arrive without reloading, and answers', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await a.getByLabel('To', { exact: true }).fill('bob');
    await a.getByLabel('Letter', { exact: true }).fill('meet at the library at noon <b>not bold</b>');
    await a.getByRole('button', { name: 'Send letter' }).click();
    await a.getByRole('heading', { name: '@bob' }).waitFor();
    // Live: the Operator's "you have mail" push → inbox → server-sent event → the list reloads.
    await b.getByRole('button', { name: '@alice' }).click({ timeout: 20_000 });
    const received = b.locator('.messages li.theirs .text');
    await expect(received.first().textContent()).resolves.toBe('meet at the library at noon <b>not bold</b>');
    // Remote text is text: no element was made of it.
    expect(await b.locator('.messages b').count()).toBe(0);
    await b.getByLabel('Letter', { exact: true }).fill('see you there');
    await b.getByRole('button', { name: 'Send letter' }).click();
    await a.locator('.messages li.theirs .text', { hasText: 'see you there' }).waitFor({ timeout: 20_000 });
    await shot(a, '4-letters');
  });

  it('letters: an image, previewed before sending, arrives without its metadata', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    const file = join(root.dir, 'photo.jpg');
    await writeFile(file, await taggedJpeg({ width: 64, height: 48 }));
    await a.getByLabel(/^Image/).setInputFiles(file);
    const preview = a.getByRole('img', { name: 'preview of the image to send' });
    await preview.waitFor();
    await a.getByLabel('Letter', { exact: true }).fill('the banner, as printed');
    await a.getByRole('button', { name: 'Send letter' }).click();
    await preview.waitFor({ state: 'detached' });
    const img = b.getByRole('img', { name: 'image from @alice' });
    await img.waitFor({ timeout: 20_000 });
    // decode() waits for the load (a busy CI caught the map image mid-load at one `complete` check) and
    // rejects on a broken image.
    expect(await img.evaluate((i: HTMLImageElement) => i.decode().then(() => i.naturalWidth > 0, () => false))).toBe(true);
    // What bob's page was served is the re-encoded image: none of the planted metadata.
    const src = (await img.getAttribute('src'))!;
    const bytes = await b.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), src);
    expect(metadataMarkersIn(new Uint8Array(bytes))).toEqual([]);
    expect(Buffer.from(bytes).toString('latin1')).not.toContain(PLANTED.comment);
  });

  it('world: alice posts, bob reads it in his feed (appears live)', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await b.getByRole('tab', { name: 'World' }).click();
    await a.getByRole('tab', { name: 'World' }).click();
    await a.getByLabel('Post', { exact: true }).fill('the square is calm tonight');
    await a.getByLabel('Expires after').selectOption('3');
    await a.getByRole('button', { name: 'Post', exact: true }).click();
    await a.locator('.posts .text', { hasText: 'the square is calm tonight' }).waitFor();
    // Bob's feed was open before the post: it comes by the app's poll and a server-sent event.
    await b.locator('.posts li', { hasText: 'the square is calm tonight' }).getByText('@alice').waitFor({ timeout: 20_000 });
    // Bob votes it up, anonymously; the tally comes back.
    await b.getByRole('button', { name: 'vote up the post by @alice' }).first().click();
    await b.getByText('1 up, 0 down').waitFor();
    await shot(b, '5-world');
  });

  it('events: alice hosts one and invites bob; bob answers; alice sees his answer', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await a.getByRole('tab', { name: 'Events' }).click();
    await a.getByLabel('Title').fill('banner painting');
    await a.getByLabel('Where').fill('the back room');
    await a.getByRole('button', { name: 'Create event' }).click();
    await a.getByRole('heading', { name: 'banner painting' }).waitFor();
    await a.getByLabel('Invite to banner painting').fill('bob');
    await a.getByRole('button', { name: 'Invite', exact: true }).click();
    await a.getByText('Invited: @bob').waitFor();
    await b.getByRole('tab', { name: 'Events' }).click();
    const invitation = b.locator('li.event', { hasText: 'banner painting' });
    await invitation.waitFor({ timeout: 20_000 });
    await expect(invitation.textContent()).resolves.toContain('hosted by @alice');
    await invitation.getByRole('button', { name: 'yes' }).click();
    await invitation.getByText('You answered yes.').waitFor();
    await shot(b, '9-events');
    // Alice reads the answer when her events are read again (the answer is a letter to her).
    await a.getByRole('tab', { name: 'Letters' }).click();
    await a.getByRole('tab', { name: 'Events' }).click();
    await a.getByText('Answers: @bob yes').waitFor({ timeout: 20_000 });
  });

  it('contacts: bob looks alice up and sees the fingerprint her own app shows', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await a.getByRole('tab', { name: 'Status' }).click();
    await a.getByText('reachable').waitFor();
    const aliceFp = (await a.locator('dd .fingerprint').first().textContent())!;
    expect(aliceFp).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){7}$/);
    await shot(a, '8-status');
    await b.getByRole('tab', { name: 'Contacts' }).click();
    await b.getByLabel('Name', { exact: true }).fill('alice');
    await b.getByRole('button', { name: 'Look up' }).click();
    await b.getByText('matches the pinned key').waitFor();
    await expect(b.locator('.contacts li', { hasText: '@alice' }).locator('.fingerprint').textContent()).resolves.toBe(aliceFp);
    await shot(b, '6-contacts');
  });

  it('danger map: alice drops a pin, bob sees it on his map and confirms it', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await a.getByRole('tab', { name: 'Map' }).click();
    await a.getByLabel('Latitude').fill('52.5219');
    await a.getByLabel('Longitude').fill('13.4132');
    await a.getByLabel('What is there').selectOption('police');
    await a.getByLabel('Note (public)').fill('two vans');
    await a.getByRole('button', { name: 'Drop pin' }).click();
    await a.locator('.pins li', { hasText: 'two vans' }).waitFor();
    await b.getByRole('tab', { name: 'Map' }).click();
    await b.getByRole('button', { name: 'Show pins' }).click();
    const pin = b.locator('.pins li', { hasText: 'two vans' });
    await pin.waitFor();
    await expect(pin.textContent()).resolves.toMatch(/police 0\.\d+ km/);
    const map = b.getByRole('img', { name: /map of 1 pins/ });
    await map.waitFor();
    // decode() waits for the load under a busy machine and rejects on a broken image, which a check of
    // `complete` at one instant does not.
    expect(await map.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth > 0, () => false))).toBe(true);
    await pin.getByRole('button', { name: 'Confirm' }).click();
    await b.locator('.pins li', { hasText: '1 confirmed' }).waitFor();
    await shot(b, '7-map');
  });

  it('the page never received the passphrase (nor any key but fingerprints)', () => {
    for (const name of ['alice', 'bob'] as const) {
      const all = apps[name].bodies.join('\n');
      expect(all.length).toBeGreaterThan(0);
      expect(all).not.toContain(PASS[name]);
      expect(all).not.toMatch(/[0-9a-f]{64}/); // no key in hex
    }
  });

  it('every screen: reached from the keyboard alone, every control labelled, and readable at 200 % zoom (no sideways scrolling)', async () => {
    const b = apps.bob.page;
    const tabs = await b.getByRole('tab').allTextContents();
    expect(tabs.length).toBeGreaterThanOrEqual(9);
    // The keyboard: focus the selected tab, then the arrow keys walk every tab and open it (WAI-ARIA tabs).
    await b.getByRole('tab', { name: tabs[0]!, exact: true }).click();
    for (const tab of [...tabs.slice(1), tabs[0]!]) {
      await b.keyboard.press('ArrowRight');
      await expect(b.evaluate(() => document.activeElement?.textContent)).resolves.toBe(tab);
      await expect(b.getByRole('tab', { name: tab, exact: true }).getAttribute('aria-selected')).resolves.toBe('true');
    }
    // 200 % zoom of the 1000 × 760 window is the same CSS layout as a 500 × 380 one.
    await b.setViewportSize({ width: 500, height: 380 });
    try {
      for (const tab of tabs) {
        await b.getByRole('tab', { name: tab, exact: true }).click();
        await b.locator('#panel').waitFor();
        const page = await b.evaluate(() => {
          const controls = Array.from(document.querySelectorAll('input, select, textarea, button')) as HTMLElement[];
          const unlabelled = controls
            .filter((el) => (el as HTMLInputElement).type !== 'hidden')
            .filter((el) => {
              const id = el.id;
              const byFor = id !== '' && document.querySelector(`label[for="${CSS.escape(id)}"]`) !== null;
              const named = (el.getAttribute('aria-label') ?? '').trim() !== '' || el.getAttribute('aria-labelledby') !== null || el.closest('label') !== null;
              const text = el.tagName === 'BUTTON' && (el.textContent ?? '').trim() !== '';
              return !(byFor || named || text);
            })
            .map((el) => el.outerHTML.slice(0, 120));
          return { unlabelled, controls: controls.length, scrollWidth: document.documentElement.scrollWidth, width: document.documentElement.clientWidth };
        });
        expect(page.controls, tab).toBeGreaterThan(0);
        expect(page.unlabelled, tab).toEqual([]);
        expect(page.scrollWidth, `${tab} scrolls sideways at 200 %`).toBeLessThanOrEqual(page.width);
      }
    } finally {
      await b.setViewportSize({ width: 1000, height: 760 });
    }
  });

  it('memory: the app process after these flows', async () => {
    const status = await readFile(`/proc/${apps.alice.child.pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
    console.log(`comrad app (alice): resident memory ${(rss / 1024).toFixed(1)} MiB`);
    expect(rss).toBeGreaterThan(0);
  });
});

describe('comrad app: who may talk to the local server', () => {
  it('refuses a request without the session (no cookie, no header), and the launch link a second time', async () => {
    const { origin, url } = apps.alice;
    const api = await raw(`${origin}/api/state`);
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body).error.code).toBe('UNAUTHORISED');
    expect((await raw(`${origin}/`)).status).toBe(401);
    expect((await raw(`${origin}/app.js`)).status).toBe(401);
    // The launch secret was used by the browser: the same link opens nothing now.
    const again = await raw(url);
    expect(again.status).toBe(401);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect((await raw(`${origin}/?s=wrong`)).status).toBe(401);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin (cross-site), even with the session cookie', async () => {
    const { origin, context } = apps.alice;
    const cookie = (await context.cookies(origin)).map((c) => `${c.name}=${c.value}`).join('; ');
    expect(cookie).toMatch(/^comrad_app_\d+=/);
    const ok = await raw(`${origin}/api/state`, { headers: { cookie } });
    expect(ok.status).toBe(200);
    const rebound = await raw(`${origin}/api/state`, { headers: { cookie, host: `evil.example:${new URL(origin).port}` } });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.message).toBe('foreign Host');
    const post = (headers: Record<string, string>) => raw(`${origin}/api/post`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ text: 'forged' }) });
    const crossSite = await post({ origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(JSON.parse(crossSite.body).error.message).toBe('foreign Origin');
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({})).status).toBe(403); // a change must say where it comes from
    expect((await post({ origin, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // The same-origin form of the request is accepted (so the refusals above are the guard's, not the route's).
    const bad = await raw(`${origin}/api/post`, { method: 'POST', headers: { cookie, origin, 'content-type': 'text/plain' }, body: '{}' });
    expect(bad.status).toBe(415);
    const big = await raw(`${origin}/api/strength`, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/json' }, body: JSON.stringify({ passphrase: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    const malformed = await raw(`${origin}/api/strength`, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/json' }, body: '[1' });
    expect(JSON.parse(malformed.body).error.code).toBe('MALFORMED');
  });

  it('serves a strict Content-Security-Policy and the other protective headers on every answer', async () => {
    const { origin, context } = apps.alice;
    const cookie = (await context.cookies(origin)).map((c) => `${c.name}=${c.value}`).join('; ');
    for (const path of ['/', '/app.js', '/api/state', '/nothing-here']) {
      const r = await raw(`${origin}${path}`, { headers: { cookie } });
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
    // The page itself has no inline script or style for the policy to forbid.
    const html = (await raw(`${origin}/`, { headers: { cookie } })).body;
    expect(html).toMatch(/<script type="module" src="\/app.js"><\/script>/);
    expect(html).not.toMatch(/<script>|<style|style="/);
  });

  it("the README's app section shows the commands this file runs", async () => {
    const section = await readmeSection('The app');
    for (const shown of ['npm run app', 'comrad app', '--no-open', '--port N', 'docs/app-letters.png', 'docs/app-map.png']) expect(section).toContain(shown);
    expect(JSON.parse(await readFile(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')).scripts.app).toMatch(/comrad\.js app$/);
  });

  it('the interface never writes HTML from data (no innerHTML anywhere in its source)', async () => {
    const ui = fileURLToPath(new URL('../src/app/ui/', import.meta.url));
    const files = (await readdir(ui, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('main.ts');
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(await readFile(join(ui, f), 'utf8'), f).not.toMatch(/innerHTML|dangerouslySetInnerHTML|insertAdjacentHTML|document\.write/);
  });
});
