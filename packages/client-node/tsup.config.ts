import { defineConfig } from 'tsup';

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
});
