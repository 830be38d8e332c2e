import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';
import { defineConfig } from 'tsup';

/**
 * The interface of `comrad app` (src/app/ui): bundled by esbuild into dist/app, beside the CLI that
 * serves it, so the package ships it built. One script file and one stylesheet: the page's
 * Content-Security-Policy allows no inline script or style.
 */
async function buildAppUi(): Promise<void> {
  mkdirSync('dist/app', { recursive: true });
  await build({
    entryPoints: ['src/app/ui/main.ts'],
    outfile: 'dist/app/app.js',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'error',
  });
  copyFileSync('src/app/ui/index.html', 'dist/app/index.html');
  copyFileSync('src/app/ui/app.css', 'dist/app/app.css');
}

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  // Type declarations take most of the build time and only a published package needs them: the CLIs,
  // the demo and the tests run the JavaScript (scripts/build-if-stale.mjs sets COMRAD_BUILD_DTS=0).
  dts: process.env['COMRAD_BUILD_DTS'] === '0' ? false : { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // The bin runs straight from dist/cli.js; a shebang in index.js is harmless (Node skips it).
  banner: { js: '#!/usr/bin/env node' },
  onSuccess: buildAppUi,
});
