#!/usr/bin/env node
// Bundles the page: `node examples/browser/build.mjs [OUTDIR]` (default examples/browser/dist), which is
//   esbuild examples/browser/src/app.ts --bundle --format=esm --platform=browser --minify --outfile=OUTDIR/app.js
// plus index.html copied next to it. Serve OUTDIR from https, http://localhost or an onion address.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Builds the page into `outdir`.
 * @param {string} outdir
 * @returns {Promise<{ js: string, html: string }>} the paths written
 */
export async function buildPage(outdir = join(here, 'dist')) {
  await mkdir(outdir, { recursive: true });
  const js = join(outdir, 'app.js');
  await build({ entryPoints: [join(here, 'src', 'app.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, outfile: js, logLevel: 'warning' });
  const html = join(outdir, 'index.html');
  await copyFile(join(here, 'index.html'), html);
  return { js, html };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { js } = await buildPage(process.argv[2]);
  console.log(`built ${js}`);
}
