// The app (`comrad app`, issue 16): how soon a person has a usable screen, and what the app process costs
// in memory with 1,000 letters and 1,000 posts loaded. Real processes throughout: one comrad-op, the app
// of a registered home, headless Chromium (Debian's, through playwright-core) driving the page like a
// person. The BUILT packages run (`npm run build` first).
//
//   node bench/app.bench.mjs [--json]
//   --json: one line per figure: {"suite":"app","op","value","unit"}
//   COMRAD_BENCH_APP_N=1000: letters and posts to load (each)
//
// Start: spawn `comrad app` → its link printed; the link opened → the first screen usable (the unlock
// form); unlock → the tabs shown. Baseline in the same run: `node -e 0`, spawn to exit.
// Memory: the app process's RSS and live heap (after a full collection, read in the process by
// bench/_mem-probe.mjs), idle (unlocked, nothing loaded), then with N letters received into the home and
// shown on the Letters screen, and N world posts read through the World feed's pages. Baseline: the
// idle app, and a bare `node -e 0`'s RSS and heap.
// Seeding is a second comrade (bob) in this process through the Comrade API: N letters to the app's
// comrade, N posts to the world (the Operator's hourly post limit and mailbox size raised for the run).

import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Comrade } from '@comrad/client-node';
import { COMRAD_BIN, requireBuild, spawnOperator } from '@comrad/test-kit/processes';
import { launchChromium } from '@comrad/test-kit/chromium';

const N = Number(process.env.COMRAD_BENCH_APP_N ?? 1000);
const PROBE = fileURLToPath(new URL('./_mem-probe.mjs', import.meta.url));
const PASS = { alice: "alice's long passphrase for the bench", bob: "bob's long passphrase for the bench" };
const LIMITS = ['--limit', `postsPerHour=${N + 100}`, '--limit', `mailboxItems=${N + 100}`, '--limit', 'requestsPerSecond=100000', '--limit', `feedItems=100`];
const STARTS = 3;

/**
 * Runs the app benchmark and prints a table, or JSON lines with `json`.
 * @param {{ json?: boolean }} options
 */
export async function run({ json = false } = {}) {
  requireBuild();
  const rows = [];
  const add = (op, value, unit) => rows.push({ suite: 'app', op, value: Math.round(value * 10) / 10, unit });
  const dir = await mkdtemp(join(tmpdir(), 'comrad-app-bench-'));
  const op = spawnOperator(['--data', join(dir, 'operator'), '--port', '0', '--json', '--log', join(dir, 'operator.log'), ...LIMITS]);
  let browser;
  const apps = [];
  try {
    const { url, fingerprint } = await op.started;
    const cli = (name, ...args) => execFileSync(process.execPath, [COMRAD_BIN, '--home', join(dir, name), ...args], { env: { ...process.env, COMRAD_PASSPHRASE: PASS[name], NO_COLOR: '1' }, stdio: 'pipe' });
    for (const name of ['alice', 'bob']) {
      cli(name, 'operator', 'add', url, '--key', fingerprint);
      cli(name, 'register', name);
    }
    browser = await launchChromium();

    // Baseline: a bare node, spawn to exit, and its memory.
    const nodeMs = best(STARTS, () => timed(() => execFileSync(process.execPath, ['-e', '0'])));
    const bare = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', 'gc(); process.stdout.write(JSON.stringify(process.memoryUsage()))']).toString());
    add('node -e 0', nodeMs, 'ms');
    add('node rss', bare.rss / 2 ** 20, 'MiB');
    add('node heap', bare.heapUsed / 2 ** 20, 'MiB');

    // Start, best of a few: link printed, first screen usable, unlocked.
    const starts = [];
    for (let i = 0; i < STARTS; i++) {
      const app = await startApp(browser, join(dir, 'alice'), join(dir, `mem-${i}.json`));
      apps.push(app);
      const opened = performance.now();
      await app.page.goto(app.url);
      await app.page.getByRole('button', { name: 'Unlock' }).waitFor();
      const firstScreen = performance.now() - app.started;
      const screenAfterLink = performance.now() - opened;
      await app.page.getByLabel('Passphrase').fill(PASS.alice);
      const unlocking = performance.now();
      await app.page.getByRole('button', { name: 'Unlock' }).click();
      await app.page.getByRole('tablist', { name: 'Sections' }).waitFor();
      starts.push({ link: app.linkMs, firstScreen, screenAfterLink, unlock: performance.now() - unlocking });
      if (i < STARTS - 1) await app.stop();
    }
    const pick = (k) => Math.min(...starts.map((s) => s[k]));
    add('link printed', pick('link'), 'ms');
    add('first screen', pick('firstScreen'), 'ms');
    add('first screen after the link', pick('screenAfterLink'), 'ms');
    add('unlock to tabs', pick('unlock'), 'ms');

    const app = apps[apps.length - 1];
    const idle = await memoryOf(app);
    add('idle rss', idle.rss / 2 ** 20, 'MiB');
    add('idle heap', idle.heapUsed / 2 ** 20, 'MiB');

    // Seed: bob writes N letters to alice and posts N times to the world.
    const seeding = performance.now();
    const bob = await Comrade.connect({ home: join(dir, 'bob'), passphrase: PASS.bob });
    try {
      await inBatches(N, 16, (i) => bob.send('alice', `letter ${i}: ${'the meeting moved to the library, bring the banners '.repeat(2)}`));
      await inBatches(N, 16, (i) => bob.post(`post ${i}: ${'the square is calm tonight, the north gate is closed '.repeat(2)}`));
    } finally {
      await bob.close();
    }
    add('seed letters+posts', performance.now() - seeding, 'ms');

    // Load: the app takes the letters in (the Operator's mail push); the Letters screen shows them; the
    // World screen's pages are read to the end.
    const { page } = app;
    const loading = performance.now();
    await page.waitForFunction(async (n) => (await (await fetch('/api/letters')).json()).letters.length >= n, N, { polling: 500, timeout: 120_000 });
    add(`${N} letters in`, performance.now() - loading, 'ms');
    await page.getByRole('tab', { name: 'Letters' }).click();
    await page.getByRole('button', { name: '@bob' }).click();
    const shown = await page.locator('.messages li').count();
    const reading = performance.now();
    const posts = await page.evaluate(async () => {
      let total = 0;
      let before;
      for (;;) {
        const r = await (await fetch(`/api/feed${before ? `?before=${encodeURIComponent(before)}` : ''}`)).json();
        total += r.posts.length;
        if (!r.next || r.posts.length === 0) return total;
        before = r.next;
      }
    });
    add(`${N} posts read`, performance.now() - reading, 'ms');
    await page.getByRole('tab', { name: 'World' }).click();
    await page.locator('.posts li').first().waitFor();
    const loaded = await memoryOf(app);
    add('loaded rss', loaded.rss / 2 ** 20, 'MiB');
    add('loaded heap', loaded.heapUsed / 2 ** 20, 'MiB');
    add('letters shown', shown, 'letters');
    add('posts read', posts, 'posts');

    if (json) for (const row of rows) console.log(JSON.stringify(row));
    else print(rows, N);
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await browser?.close();
    op.child.kill('SIGTERM');
    await op.exited;
    await rm(dir, { recursive: true, force: true });
  }
}

/** `comrad app` with the memory probe loaded, and a Chromium page for it. */
async function startApp(browser, home, memFile) {
  // The browser is ready before the spawn, as a person's is: the time is the app's, not Chromium's start.
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const started = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', '--import', PROBE, COMRAD_BIN, '--home', home, 'app', '--no-open', '--poll', '3600'], {
    env: { ...process.env, NO_COLOR: '1', COMRAD_BENCH_MEM_FILE: memFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?s=[A-Za-z0-9_-]+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.stderr.on('data', (d) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`comrad app exited ${code}: ${out}`)));
  });
  const linkMs = performance.now() - started;
  return {
    child,
    url,
    page,
    started,
    linkMs,
    memFile,
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

/** The app process's memory after a full collection (its probe writes it on SIGUSR2). */
async function memoryOf(app) {
  await rm(app.memFile, { force: true });
  app.child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const text = await readFile(app.memFile, 'utf8').catch(() => '');
    if (text) return JSON.parse(text);
  }
  throw new Error('the app process did not report its memory');
}

async function inBatches(n, width, one) {
  for (let i = 0; i < n; i += width) await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, k) => one(i + k)));
}

function timed(fn) {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function best(times, fn) {
  return Math.min(...Array.from({ length: times }, fn));
}

function print(rows, n) {
  const get = (op) => rows.find((r) => r.op === op)?.value;
  const ratio = (a, b) => `${(get(a) / get(b)).toFixed(1)}×`;
  console.log(`app: start — best of ${STARTS}; baseline node -e 0 (spawn to exit) in the same run`);
  table(
    ['step', 'ms', '× node -e 0'],
    [
      ['node -e 0', get('node -e 0'), ''],
      ['comrad app: link printed', get('link printed'), ratio('link printed', 'node -e 0')],
      ['first screen usable (from spawn)', get('first screen'), ratio('first screen', 'node -e 0')],
      ['  of which: link opened → first screen', get('first screen after the link'), ''],
      ['unlock → tabs shown', get('unlock to tabs'), ''],
    ],
  );
  console.log(`app: memory — the app process after a full collection; loaded = ${get('letters shown')} letters shown on the Letters screen, ${get('posts read')} posts read through the World feed (${n} each seeded in ${Math.round(get('seed letters+posts') / 1000)} s; letters in: ${Math.round(get(`${n} letters in`))} ms, posts read: ${Math.round(get(`${n} posts read`))} ms)`);
  table(
    ['process', 'RSS MiB', 'heap MiB', 'RSS × idle app', 'RSS × node'],
    [
      ['node -e 0', get('node rss'), get('node heap'), '', ''],
      ['comrad app, idle (unlocked)', get('idle rss'), get('idle heap'), '', ratio('idle rss', 'node rss')],
      [`comrad app, ${n} letters + ${n} posts`, get('loaded rss'), get('loaded heap'), ratio('loaded rss', 'idle rss'), ratio('loaded rss', 'node rss')],
    ],
  );
}

function table(head, body) {
  const cells = [head, ...body.map((r) => r.map((c) => (typeof c === 'number' ? (c >= 100 ? String(Math.round(c)) : c.toFixed(1)) : String(c))))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  for (const [j, r] of cells.entries()) {
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
    if (j === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run({ json: process.argv.includes('--json') });
}
