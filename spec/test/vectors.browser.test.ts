/**
 * The vectors in a real browser (CRY-18, BRW-4, BRW-5): headless Chromium (Debian's, through
 * playwright-core) loads a page bundled from the built `@comrad/core` for the browser, served from
 * 127.0.0.1, and runs every vector through the asynchronous API under `webcrypto` (Chromium's own Web
 * Crypto: BoringSSL) and under `wasm` (wasm-themis, opted in with `@comrad/core/wasm`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '@comrad/test-kit/chromium';
import { bundleForBrowser, servePage } from '@comrad/test-kit/browser-bundle';
import { ASYNC_VECTOR_FILES, type VectorReport } from '../scripts/async-vectors.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const wasmFile = join(dirname(createRequire(import.meta.url).resolve('wasm-themis/package.json')), 'dist-es6', 'libthemis.wasm');

// The page's script: the vectors as data, the runner, and wasm-themis opted in (BRW-5).
const entry = `
import { ready } from '@comrad/core';
import { useWasmThemis } from '@comrad/core/wasm';
import { checkVectorsAsync } from ${JSON.stringify(here('../scripts/async-vectors.ts'))};
${ASYNC_VECTOR_FILES.map((f, i) => `import v${i} from ${JSON.stringify(here(`../vectors/${f}.json`))};`).join('\n')}
const set = { ${ASYNC_VECTOR_FILES.map((f, i) => `${JSON.stringify(f)}: v${i}`).join(', ')} };
useWasmThemis();
globalThis.runVectors = async (backend, only) => ({ backend: await ready({ backend }), report: await checkVectorsAsync(set, only) });
document.title = 'ready';
`;

let browser: Browser;
let page: Page;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  const bundle = await bundleForBrowser({ contents: entry, resolveDir: here('.'), minify: false, allowNode: ['fs', 'path', 'crypto', 'util'] });
  expect(bundle.nodeImports.filter((i) => !/sjcl\/index\.js\)$/.test(i))).toEqual([]);
  server = await servePage({
    '/': { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="/app.js"></script>' },
    '/app.js': { type: 'text/javascript', body: bundle.code },
    '/libthemis.wasm': { type: 'application/wasm', body: readFileSync(wasmFile) },
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.title === 'ready');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** How many vectors the files hold: the page must check each one. */
const count = (files: readonly string[]) =>
  files.reduce((n, f) => {
    const v = JSON.parse(readFileSync(here(`../vectors/${f}.json`), 'utf8')) as { valid: unknown[]; invalid: unknown[] };
    return n + v.valid.length + v.invalid.length;
  }, 0);

const run = (backend: string, only: readonly string[]) =>
  page.evaluate(([b, o]) => (globalThis as unknown as { runVectors: (b: string, o: readonly string[]) => Promise<{ backend: string; report: VectorReport }> }).runVectors(b as string, o as string[]), [backend, only] as const);

describe('the vectors in headless Chromium', () => {
  it('CRY-18 BRW-4 every vector passes under webcrypto (Chromium’s Web Crypto), keystores and home keys included', async () => {
    expect(await page.evaluate(() => typeof crypto.subtle)).toBe('object');
    const { backend, report } = await run('webcrypto', ASYNC_VECTOR_FILES);
    expect(backend).toBe('webcrypto');
    expect(report.failures).toEqual([]);
    expect(report.checked).toBe(count(ASYNC_VECTOR_FILES));
  });

  it('BRW-5 every vector passes under wasm (wasm-themis opted in), but the passphrase ones (seconds of PBKDF2 in WebAssembly; vectors.test.ts has them)', async () => {
    const only = ASYNC_VECTOR_FILES.filter((f) => f !== 'keystore' && f !== 'home-key');
    const { backend, report } = await run('wasm', only);
    expect(backend).toBe('wasm');
    expect(report.failures).toEqual([]);
    expect(report.checked).toBe(count(only));
  });
});
