import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` starts with a `#!/usr/bin/env node` line, which esbuild keeps and tsup turns into an
  // executable file: that is the `comrad-op` bin.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // commander is CommonJS: bundled into ESM it breaks on its own require() calls, so it stays a runtime
  // import like every other dependency.
  external: ['commander'],
});
