import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // The bin runs straight from dist/cli.js; a shebang in index.js is harmless (Node skips it).
  banner: { js: '#!/usr/bin/env node' },
});
