/**
 * `comrad app`, the Profile and Trusted screens end to end: a real `comrad-op`, two registered homes (the
 * cast), two `comrad app` processes and headless Chromium driving each page like a person. Alice publishes
 * a profile with a photo whose metadata is stripped (PROF-13) and Bob views it; Alice trusts Bob (CIR-4),
 * shows her profile to her circle only (CIR-9), posts to her circle with an image (CIR-7) and Bob reads
 * both; Alice untrusts Bob (CIR-5): her profile is sealed again (PROF-14) and her next post is not in Bob's
 * feed. Screenshots go to .app-screens/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { openTab, shot, startApp, unlockApp, type AppUnderTest } from '@comrad/test-kit/client-node/app';
import { passphraseOf, startCast, type Cast } from '@comrad/test-kit/client-node/cast';
import { launchChromium } from '@comrad/test-kit/chromium';
import { metadataMarkersIn, PLANTED, taggedJpeg } from '@comrad/test-kit/client-node/tagged-jpeg';

let cast: Cast;
let browser: Browser;
const apps: Record<'alice' | 'bob', AppUnderTest> = {} as never;

beforeAll(async () => {
  [cast, browser] = await Promise.all([startCast('comrad-app-social-', ['alice', 'bob']), launchChromium()]);
  [apps.alice, apps.bob] = await Promise.all([startApp(browser, join(cast.dir, 'alice'), 'alice'), startApp(browser, join(cast.dir, 'bob'), 'bob')]);
  await Promise.all((['alice', 'bob'] as const).map((n) => unlockApp(apps[n], passphraseOf(n))));
  await writeFile(join(cast.dir, 'photo.jpg'), await taggedJpeg({ width: 96, height: 64 }));
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(apps).map((app) => app.stop()));
  await browser?.close();
  await cast?.stop();
});

/** The bytes the page was served for an image, fetched as the page fetches them. */
async function imageBytes(page: Page, src: string): Promise<Uint8Array> {
  return new Uint8Array(await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), src));
}

/**
 * Refreshes the trusted feed and waits for the local API's answer, so what follows reads the new list: the
 * circles are read first by Refresh alone (the screen's poll reads only the feed), then the feed.
 */
async function refreshTrustedFeed(page: Page): Promise<void> {
  const circles = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/circle');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await circles;
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/circle/feed');
  expect((await answered).status()).toBe(200);
  await page.getByRole('button', { name: 'Refresh' }).waitFor();
}

describe('comrad app: profiles and the trusted circle, two people in headless Chromium', () => {
  it('profile: alice publishes hers with a photo (PROF-13: metadata stripped); bob views it, verified', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await openTab(a, 'Profile');
    await a.getByText('You have no profile yet').waitFor();
    await a.getByLabel('Display name').fill('Alice R.');
    await a.getByLabel('Bio').fill('Tenant organiser. <i>not italic</i>');
    await a.getByLabel(/^Photo/).setInputFiles(join(cast.dir, 'photo.jpg'));
    await a.getByRole('img', { name: 'preview of the image to send' }).waitFor();
    await expect(a.getByLabel('Who can read it').inputValue()).resolves.toBe('world');
    await a.getByRole('button', { name: 'Publish profile' }).click();
    await a.getByText('Published for every registered comrade').waitFor();
    await a.getByRole('img', { name: 'photo of @alice' }).waitFor();

    await openTab(b, 'Profile');
    await b.getByLabel('Name of the comrade').fill('alice');
    await b.getByRole('button', { name: 'View profile' }).click();
    const card = b.getByRole('article', { name: 'profile of @alice' });
    await card.getByRole('heading', { name: 'Alice R.' }).waitFor();
    await expect(card.locator('.text').textContent()).resolves.toBe('Tenant organiser. <i>not italic</i>');
    expect(await card.locator('i').count()).toBe(0);
    await expect(card.locator('.meta').textContent()).resolves.toContain('@alice · public');
    const photo = card.getByRole('img', { name: 'photo of @alice' });
    // decode() waits for the load (a busy CI caught an image mid-load at one `complete` check) and rejects
    // on a broken image.
    expect(await photo.evaluate((i: HTMLImageElement) => i.decode().then(() => i.naturalWidth > 0, () => false))).toBe(true);
    const bytes = await imageBytes(b, (await photo.getAttribute('src'))!);
    expect(metadataMarkersIn(bytes)).toEqual([]);
    expect(Buffer.from(bytes).toString('latin1')).not.toContain(PLANTED.comment);
    await shot(b, '11-profile');

    // No profile is an answer, not a failure.
    await b.getByLabel('Name of the comrade').fill('bob');
    await b.getByRole('button', { name: 'View profile' }).click();
    await b.getByText('@bob has no profile (or there is no such comrade) [NOT_FOUND].').waitFor();
  });

  it('trust: alice trusts bob (CIR-4), shows him her profile only (CIR-9), posts to her circle with an image (CIR-7); bob reads both (CIR-8) and votes (VOTE-7)', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await openTab(b, 'Trusted');
    await openTab(a, 'Trusted');
    await a.getByLabel('Trust a comrade').fill('bob');
    await a.getByRole('button', { name: 'Trust', exact: true }).click();
    await a.getByText('You trust @bob now').waitFor();
    await a.locator('ul.circle li', { hasText: '@bob' }).waitFor();
    // Bob's screen was open: the key's letter arrives by push, and the screen reads the circles again.
    await b.locator('ul.trusted-by li', { hasText: '@alice' }).waitFor({ timeout: 20_000 });

    // Her profile, now for those she trusts only (CIR-9), keeping its photo: bob, trusted, reads it.
    await openTab(a, 'Profile');
    await a.getByRole('heading', { name: 'Alice R.' }).waitFor();
    await a.getByLabel('Who can read it').selectOption('trusted');
    await expect(a.getByLabel('Keep the current photo').isChecked()).resolves.toBe(true);
    await a.getByRole('button', { name: 'Publish profile' }).click();
    await a.getByText('Published for the comrades you trust').waitFor();
    await openTab(b, 'Profile');
    await b.getByLabel('Name of the comrade').fill('alice');
    await b.getByRole('button', { name: 'View profile' }).click();
    const card = b.getByRole('article', { name: 'profile of @alice' });
    await expect(card.locator('.meta').textContent()).resolves.toContain('@alice · shown only to those they trust');
    await card.getByRole('img', { name: 'photo of @alice' }).waitFor();
    await openTab(b, 'Trusted');

    await openTab(a, 'World');
    await a.getByLabel('Who can read it').selectOption('trusted');
    await a.getByLabel('Post', { exact: true }).fill('meeting moved to the bakery');
    await a.getByLabel(/^Image/).setInputFiles(join(cast.dir, 'photo.jpg'));
    await a.getByRole('button', { name: 'Post', exact: true }).click();
    await a.getByText('Posted to your trusted circle').waitFor();

    await refreshTrustedFeed(b);
    const post = b.locator('.feed li.post', { hasText: 'meeting moved to the bakery' });
    await post.waitFor();
    await expect(post.locator('.meta').textContent()).resolves.toMatch(/^@alice · @alice's circle · .* · expires \d{4}-\d\d-\d\d$/);
    const image = post.getByRole('img', { name: 'image posted by @alice' });
    expect(await image.evaluate((i: HTMLImageElement) => i.decode().then(() => i.naturalWidth > 0, () => false))).toBe(true);
    expect(metadataMarkersIn(await imageBytes(b, (await image.getAttribute('src'))!))).toEqual([]);
    // Votes on a circle's post are anonymous and in its channel (VOTE-7): bob votes, the tally comes back.
    await expect(post.getByRole('status').textContent()).resolves.toBe(' 0 up, 0 down');
    await post.getByRole('button', { name: 'vote up the post by @alice' }).click();
    await post.getByText('1 up, 0 down').waitFor();
    await shot(b, '12-trusted');
  });

  it('untrust: alice untrusts bob (CIR-5) after the warning; her profile (PROF-14) and her next circle post are not his to read', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await openTab(a, 'Trusted');
    await a.getByRole('button', { name: 'untrust @bob…' }).click();
    const question = a.getByRole('alertdialog');
    await expect(question.textContent()).resolves.toContain('@bob will not read anything you post or show to your circle from now on');
    // The question has the focus: Enter answers it.
    await a.keyboard.press('Enter');
    await a.getByText('You no longer trust @bob: your circle has a new key (key 2), sent to 0 comrades.').waitFor();
    // PROF-14: her trusted profile went under the new key before it left.
    await a.getByText('Your profile for those you trust is sealed under the new key: @bob cannot read it from now on.').waitFor();
    await a.getByText('No one yet.').waitFor();
    await openTab(b, 'Profile');
    await b.getByLabel('Name of the comrade').fill('alice');
    await b.getByRole('button', { name: 'View profile' }).click();
    await b.getByText('@alice shows their profile only to those they trust, and does not trust you [FORBIDDEN].').waitFor();

    await openTab(a, 'World');
    await a.getByLabel('Who can read it').selectOption('trusted');
    await a.getByLabel('Post', { exact: true }).fill('the new place is the red door');
    await a.getByRole('button', { name: 'Post', exact: true }).click();
    await a.getByText('Posted to your trusted circle').waitFor();
    // The post is there: alice reads it in her own circle.
    await openTab(a, 'Trusted');
    await a.locator('.feed li.post', { hasText: 'the new place is the red door' }).waitFor();

    await openTab(b, 'Trusted');
    await refreshTrustedFeed(b);
    const feed = b.getByRole('region', { name: 'Trusted feed' });
    await feed.locator('li.post', { hasText: 'meeting moved to the bakery' }).waitFor();
    expect(await feed.locator('li.post', { hasText: 'the new place is the red door' }).count()).toBe(0);
  });

  it('refusals: a post for a circle not made yet is NO_CIRCLE, shown with its code; a bad visibility or audience is BAD_ARGUMENT', async () => {
    const b = apps.bob.page;
    await openTab(b, 'World');
    await b.getByLabel('Who can read it').selectOption('trusted');
    await b.getByLabel('Post', { exact: true }).fill('for my circle');
    await b.getByRole('button', { name: 'Post', exact: true }).click();
    await expect(b.getByRole('alert').textContent()).resolves.toMatch(/trust someone first \(in the Trusted tab\).*\[NO_CIRCLE\]$/);
    const answer = (path: string, body: unknown) =>
      b.evaluate(async ([p, j]) => {
        const r = await fetch(p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(j) });
        return { status: r.status, code: ((await r.json()) as { error?: { code: string } }).error?.code };
      }, [path, body] as const);
    await expect(answer('/api/post', { text: 'x', to: 'friends' })).resolves.toEqual({ status: 400, code: 'BAD_ARGUMENT' });
    await expect(answer('/api/profile', { display: 'B', visibility: 'friends' })).resolves.toEqual({ status: 400, code: 'BAD_ARGUMENT' });
    await expect(answer('/api/profile', { display: 'B', photo: 'not base64!' })).resolves.toEqual({ status: 400, code: 'BAD_ARGUMENT' });
    await expect(answer('/api/circle/untrust', { name: 'alice' })).resolves.toEqual({ status: 400, code: 'NOT_TRUSTED' });
    // Nothing was set: bob still has no profile.
    await openTab(b, 'Profile');
    await b.getByText('You have no profile yet').waitFor();
  });

  it('the pages never received a passphrase or a key', () => {
    for (const name of ['alice', 'bob'] as const) {
      const all = apps[name].bodies.join('\n');
      expect(all).toContain('/api/blob/');
      expect(all).not.toContain(passphraseOf(name));
      expect(all).not.toMatch(/[0-9a-f]{64}/);
    }
  });
});
