import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'crypto/index': 'src/crypto/index.ts',
    'codec/index': 'src/codec/index.ts',
    'envelope/index': 'src/envelope/index.ts',
    'keymaker/index': 'src/keymaker/index.ts',
    'wire/index': 'src/wire/index.ts',
    'tokens/index': 'src/tokens/index.ts',
    'collective/index': 'src/collective/index.ts',
    'pins/index': 'src/pins/index.ts',
    'node/index': 'src/node/index.ts',
    'crypto/_no-node-backend': 'src/crypto/_no-node-backend.ts',
    'crypto/_node-backend': 'src/crypto/_node-backend.ts',
  },
  format: ['esm'],
  // Type declarations take most of the build time and only a published package needs them: the CLIs,
  // the demo and the tests run the JavaScript (scripts/build-if-stale.mjs sets COMRAD_BUILD_DTS=0).
  dts: process.env['COMRAD_BUILD_DTS'] !== '0',
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Resolved at run time through package.json "imports", so a browser bundle never sees node:crypto.
  external: ['#node-backend'],
});
