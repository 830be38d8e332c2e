/**
 * `comrad app` under test: a real `comrad app` process on a home, and a headless Chromium page on its
 * secret link, driven like a person. Shared by the app's end-to-end test files (one per group of screens),
 * which start from homes a {@link startCast} registered and unlock them here, so only the first-run test
 * pays for creating and registering homes through the page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { COMRAD_BIN } from './processes.js';

/** Where every test run saves its screenshots (git-ignored). */
export const SCREENS_DIR = fileURLToPath(new URL('../../../../.app-screens/', import.meta.url));

/** One running `comrad app` and the page a person sees. */
export interface AppUnderTest {
  readonly name: string;
  readonly child: ChildProcess;
  /** The secret link it printed. */
  readonly url: string;
  readonly origin: string;
  /** ms from spawning `comrad app` to its link printed. */
  readonly linkMs: number;
  readonly startedAt: number;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every body the local API answered this page (to check that no secret ever reaches it). */
  readonly bodies: string[];
  /** Closes the page and stops the process (SIGTERM, waited for). */
  stop(): Promise<void>;
}

/**
 * Starts `comrad --home HOME app --no-open --poll 1` (plus `args`) and opens a Chromium context for it;
 * the page is not navigated yet.
 * @example `const app = await startApp(browser, join(cast.dir, 'alice'), 'alice'); await unlockApp(app, passphraseOf('alice'))`
 */
export async function startApp(browser: Browser, home: string, name: string, opts: { args?: string[]; env?: Record<string, string> } = {}): Promise<AppUnderTest> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [COMRAD_BIN, '--home', home, 'app', '--no-open', '--poll', '1', ...(opts.args ?? [])], { env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?s=[A-Za-z0-9_-]+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`comrad app exited ${code}: ${out}`)));
  });
  const linkMs = Date.now() - startedAt;
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  context.setDefaultTimeout(25_000);
  const page = await context.newPage();
  const bodies: string[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/') && !r.url().includes('/api/live') && !r.url().includes('/api/blob/')) void r.text().then((t) => bodies.push(t), () => undefined);
  });
  return {
    name,
    child,
    url,
    origin: new URL(url).origin,
    linkMs,
    startedAt,
    context,
    page,
    bodies,
    async stop() {
      await context.close().catch(() => undefined);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Opens the app's link and unlocks a home that is already registered; resolves when the tabs show. */
export async function unlockApp(app: AppUnderTest, passphrase: string): Promise<void> {
  const { page } = app;
  await page.goto(app.url);
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('tablist', { name: 'Sections' }).waitFor();
}

/** Opens a tab of the app by its label. */
export async function openTab(page: Page, tab: string): Promise<void> {
  await page.getByRole('tab', { name: tab, exact: true }).click();
}

/** Saves a full-page screenshot as `.app-screens/NAME.png`. */
export async function shot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENS_DIR, `${name}.png`), fullPage: true });
}

/** A raw request, with the headers a browser would never let a page choose (Host). */
export function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
