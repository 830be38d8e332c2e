import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` starts with a `#!/usr/bin/env node` line, which esbuild keeps and tsup turns into an
  // executable file: that is the `comrad-op` bin.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  // Type declarations take most of the build time and only a published package needs them: the CLIs,
  // the demo and the tests run the JavaScript (scripts/build-if-stale.mjs sets COMRAD_BUILD_DTS=0).
  dts: process.env['COMRAD_BUILD_DTS'] === '0' ? false : { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // commander is CommonJS: bundled into ESM it breaks on its own require() calls, so it stays a runtime
  // import like every other dependency.
  external: ['commander'],
});
