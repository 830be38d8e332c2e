/**
 * BRW-4: `@comrad/core` bundles for a browser with nothing from Node. The built package is bundled as a
 * web developer's bundler would (esbuild, platform "browser", so the `browser` conditions of `exports`
 * and `imports` apply), every public entry at once; any Node built-in reached fails the test, with the
 * module that imported it. wasm-themis stays out unless the page opts in (BRW-5).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleForBrowser } from '@comrad/test-kit/browser-bundle';

const resolveDir = fileURLToPath(new URL('.', import.meta.url));
const EVERY_ENTRY = `
export * from '@comrad/core';
export * as client from '@comrad/core/client';
export * as envelope from '@comrad/core/envelope';
export * as wire from '@comrad/core/wire';
export * as keymaker from '@comrad/core/keymaker';
export * as codec from '@comrad/core/codec';
export * as collective from '@comrad/core/collective';
export * as crypto from '@comrad/core/crypto';
`;

describe('the browser entry of @comrad/core', () => {
  it('BRW-4 every public entry bundles for the browser without one Node built-in, and without wasm-themis', async () => {
    const bundle = await bundleForBrowser({ contents: EVERY_ENTRY, resolveDir });
    // The one exception, by importer: sjcl (inside the Privacy Pass libraries, TOK-*) tries
    // `require('crypto')` in a try/catch and falls back to the platform's getRandomValues; in a bundle
    // the require throws and the fallback is taken.
    const guardedFallback = /^crypto \(imported by .*node_modules\/@cloudflare\/(blindrsa-ts|voprf-ts)\/lib\/.*sjcl\/index\.js\)$/;
    expect(bundle.nodeImports.filter((i) => !guardedFallback.test(i))).toEqual([]);
    // (Bundles are megabytes of one line: the matches are reported, never the code.)
    expect(bundle.code.match(/libthemis|node:crypto|createECDH/g)).toBeNull();
    // The browser condition of "." is the browser entry: the client session comes with the core.
    expect(bundle.code.includes('webSocketOf') || bundle.code.includes('the connection to the Operator was tampered with')).toBe(true);
  });

  it('BRW-4 the check finds a Node built-in, naming its importer', async () => {
    const bundle = await bundleForBrowser({ contents: `import { createHash } from 'node:crypto'; export const h = createHash;`, resolveDir });
    expect(bundle.nodeImports).toEqual([expect.stringMatching(/^node:crypto \(imported by /)]);
  });

  it('BRW-5 with @comrad/core/wasm the page carries wasm-themis, whose only Node built-ins are in its Node-only branches', async () => {
    const bundle = await bundleForBrowser({
      contents: `export * from '@comrad/core'; export { useWasmThemis } from '@comrad/core/wasm';`,
      resolveDir,
      allowNode: ['fs', 'path', 'crypto', 'util'],
    });
    expect(bundle.nodeImports).toEqual([]);
    expect(bundle.code.includes('libthemis.wasm')).toBe(true);
  });
});
