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
    'client/index': 'src/client/index.ts',
    browser: 'src/browser.ts',
    'wasm/index': 'src/wasm/index.ts',
    'crypto/_wasm-import': 'src/crypto/_wasm-import.ts',
    'crypto/_no-wasm-import': 'src/crypto/_no-wasm-import.ts',
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
  // Resolved at run time through package.json "imports", so a browser bundle never sees node:crypto, nor
  // wasm-themis unless the page asks for it (@comrad/core/wasm).
  external: ['#node-backend', '#wasm-import'],
});
