/**
 * examples/browser in headless Chromium against a real `comrad-op` (BRW-1, BRW-4, BRW-6, CRY-18): the
 * page, built by its own bundling command (build.mjs) and served from 127.0.0.1, registers two comrades,
 * sends a letter and reads it, posts and reads the feed, all on the webcrypto backend; its identities are
 * kept in IndexedDB only as passphrase-sealed keystores.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bytesEqual, decodeKeystore, ready } from '@comrad/core';
import { launchChromium } from '@comrad/test-kit/chromium';
import { servePage } from '@comrad/test-kit/browser-bundle';
import { requireBuild, spawnOperator } from '@comrad/test-kit/processes';
import { buildPage } from './build.mjs';

type Api = {
  connect(url: string, key?: string): Promise<{ backend: string; fingerprint: string }>;
  register(name: string, passphrase: string): Promise<{ name: string; fingerprint: string }>;
  unlock(name: string, passphrase: string): Promise<void>;
  lock(): void;
  send(to: string, text: string): Promise<void>;
  inbox(): Promise<Array<{ from: string; text: string }>>;
  post(text: string): Promise<{ id: string }>;
  feed(): Promise<Array<{ author: string; text: string }>>;
};
/** Calls `window.comrad[method](...args)` in `page`; a rejection comes back as `{ error }`. */
async function call<K extends keyof Api>(page: Page, method: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>> | { error: string }> {
  return page.evaluate(
    async ([m, a]) => {
      try {
        return await (globalThis as unknown as { comrad: Record<string, (...x: unknown[]) => unknown> }).comrad[m as string]!(...(a as unknown[]));
      } catch (err) {
        return { error: `${(err as { code?: string }).code ?? ''} ${(err as Error).message}` };
      }
    },
    [method, args] as const,
  ) as never;
}

const cleanup: Array<() => Promise<unknown>> = [];
let browser: Browser;
let alice: Page;
let bob: Page;
let operator: { url: string; operatorKey: string };

beforeAll(async () => {
  requireBuild();
  const dir = await mkdtemp(join(tmpdir(), 'comrad-page-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const op = spawnOperator(['--data', join(dir, 'op'), '--port', '0', '--store', 'memory', '--json', '--log', join(dir, 'op.log')]);
  cleanup.push(async () => {
    op.child.kill('SIGTERM');
    await op.exited;
  });
  operator = await op.started;
  const built = await buildPage(join(dir, 'page'));
  const server = await servePage({
    '/': { type: 'text/html', body: await readFile(built.html) },
    '/app.js': { type: 'text/javascript', body: await readFile(built.js) },
  });
  cleanup.push(() => server.close());
  browser = await launchChromium();
  cleanup.push(() => browser.close());
  // Two tabs of one browser profile: one origin, one IndexedDB, two comrades.
  const context = await browser.newContext();
  alice = await context.newPage();
  bob = await context.newPage();
  for (const page of [alice, bob]) {
    await page.goto(server.url);
    await page.waitForFunction(() => document.title === 'comrad');
  }
}, 90_000);

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

describe('examples/browser in headless Chromium, against comrad-op', () => {
  it('CRY-18 BRW-1 two comrades register; a letter is sent and read once; a post is read in the feed', async () => {
    for (const page of [alice, bob]) expect(await call(page, 'connect', operator.url, operator.operatorKey)).toMatchObject({ backend: 'webcrypto' });
    expect(await call(alice, 'register', 'Alice', 'alice passphrase')).toMatchObject({ name: 'alice' });
    expect(await call(bob, 'register', 'bob', 'bob passphrase')).toMatchObject({ name: 'bob' });
    expect(await call(alice, 'send', 'bob', 'meet at the library, 6pm')).toBeUndefined();
    expect(await call(bob, 'inbox')).toEqual([expect.objectContaining({ from: 'alice', text: 'meet at the library, 6pm' })]);
    expect(await call(bob, 'inbox')).toEqual([]); // acknowledged: gone from the Operator (MB-3)
    expect(await call(alice, 'post', 'solidarity with the strikers')).toMatchObject({ id: expect.any(String) });
    expect(await call(bob, 'feed')).toEqual([{ author: 'alice', text: 'solidarity with the strikers' }]);
  });

  it('BRW-6 identities are kept in IndexedDB only as keystores sealed under the passphrase; a wrong one opens nothing', async () => {
    const kept = await alice.evaluate(
      () =>
        new Promise<number[][]>((resolve, reject) => {
          const req = indexedDB.open('comrad');
          req.onsuccess = () => {
            const all = req.result.transaction('keystores').objectStore('keystores').getAll();
            all.onsuccess = () => resolve((all.result as Array<{ keystore: Uint8Array }>).map((e) => [...e.keystore]));
            all.onerror = () => reject(all.error);
          };
          req.onerror = () => reject(req.error);
        }),
    );
    expect(kept).toHaveLength(2);
    await ready({ backend: 'node' });
    const opened: string[] = [];
    for (const bytes of kept) {
      const keystore = Uint8Array.from(bytes);
      expect(new TextDecoder().decode(keystore.subarray(0, 8))).toBe('COMRADKS'); // KS-1
      // Exactly one of the two passphrases opens it.
      const tries = await Promise.all(['alice passphrase', 'bob passphrase'].map((p) => decodeKeystore(keystore, p).catch(() => undefined)));
      const keymakers = tries.filter((k) => k !== undefined);
      expect(keymakers).toHaveLength(1);
      opened.push(keymakers[0]!.name);
      const scalar = keymakers[0]!.keys.privateKey.raw.subarray(13);
      // The private key is nowhere in the clear.
      expect(keystore.some((_, i) => bytesEqual(keystore.subarray(i, i + 32), scalar))).toBe(false);
    }
    expect(opened.sort()).toEqual(['alice', 'bob']);
    await call(alice, 'lock');
    expect(await call(alice, 'unlock', 'alice', 'not the passphrase')).toEqual({ error: expect.stringMatching(/^WRONG_PASSPHRASE /) });
    expect(await call(alice, 'send', 'bob', 'locked')).toEqual({ error: expect.stringMatching(/^UNAUTHENTICATED /) });
    expect(await call(alice, 'unlock', 'alice', 'alice passphrase')).toBeUndefined();
    expect(await call(alice, 'send', 'bob', 'unlocked again')).toBeUndefined();
    expect(await call(bob, 'inbox')).toEqual([expect.objectContaining({ from: 'alice', text: 'unlocked again' })]);
  });
});
