import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  // Type declarations take most of the build time and only a published package needs them: the CLI and
  // the tests run the JavaScript (scripts/build-if-stale.mjs sets COMRAD_BUILD_DTS=0).
  dts: process.env['COMRAD_BUILD_DTS'] === '0' ? false : { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // The spec's executable model (spec/model) is bundled in; the vectors travel as data beside the bundle,
  // so a published kit checks against the vectors of the spec version it was built from.
  async onSuccess() {
    mkdirSync('dist/vectors', { recursive: true });
    for (const f of readdirSync('../../spec/vectors')) if (f.endsWith('.json')) cpSync(`../../spec/vectors/${f}`, `dist/vectors/${f}`);
  },
});
