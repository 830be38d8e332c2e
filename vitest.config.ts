import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the TypeScript sources; tests that start real processes use the built dist
// (`npm test` builds first). Exported for the mutation-testing config (stryker.vitest.config.ts).
export const alias = [
  // A package's internals, by name (spec tooling and test helpers that need an internal hook): never a
  // relative path into another package (scripts/check-imports.mjs).
  { find: /^@comrad\/(core|operator|client-node)\/src\/(.*)$/, replacement: src('./packages/$1/src/$2') },
  { find: /^@comrad\/spec\/model$/, replacement: src('./spec/model/operator-model.ts') },
  { find: /^@comrad\/core$/, replacement: src('./packages/core/src/index.ts') },
  { find: /^@comrad\/core\/(.*)$/, replacement: src('./packages/core/src/$1/index.ts') },
  { find: /^@comrad\/operator$/, replacement: src('./packages/operator/src/index.ts') },
  { find: /^@comrad\/client-node$/, replacement: src('./packages/client-node/src/index.ts') },
  { find: /^@comrad\/conformance$/, replacement: src('./packages/conformance/src/index.ts') },
  // The private test kit (packages/test-kit): its plain-JS helpers (.mjs, importable by benches without a
  // build) and its TypeScript helpers, without a build and without an install step in a fresh worktree.
  { find: /^@comrad\/test-kit\/(processes|adversarial-msgpack|redis-server|tornet|comrad-on-tor|chromium|browser-bundle)$/, replacement: src('./packages/test-kit/src/$1.mjs') },
  { find: /^@comrad\/test-kit\/(.*)$/, replacement: src('./packages/test-kit/src/$1.ts') },
  { find: /^#node-backend$/, replacement: src('./packages/core/src/crypto/_node-backend.ts') },
  { find: /^#wasm-import$/, replacement: src('./packages/core/src/crypto/_wasm-import.ts') },
];

// Three projects, told apart by these lists (not by file names, so nobody renames a file to move it):
// - unit: pure and in-process, against the TypeScript sources; it cannot start a process or open a socket
//   (packages/test-kit/src/unit-guard.ts makes both throw).
// - integration: tests that start processes (comrad-op, comrad, redis-server, node, npm) or open sockets
//   (an Operator in-process on a port counts). The built dist is rebuilt first if stale (globalSetup).
// - tor: the private Tor network (test/tornet), one file at a time, after the others.
// A new test that starts a process or listens goes into `integration` below; the guard says so if forgotten.
const integration = [
  'packages/client-node/test/cli*.test.ts',
  'packages/client-node/test/{active-relay,anonymity,comrade,comrade-channels,comrade-circles,comrade-collective,comrade-events,comrade-tokens,comrade-votes,comrade-network,cross-backend,pins-relay,quickstart,transport,transport-retry,unlinkability}.test.ts',
  'packages/operator/test/operator-{adversarial,auth,channels,cli,cli-store,cluster,collective,decode-stall,events,faults,feed,flow,lifecycle,limits,mail,metrics,onion-local,pins,privacy,profiles,store-bounds,tokens,workers}.test.ts',
  'packages/operator/test/store/{redis,store}.test.ts',
  'packages/conformance/test/**/*.test.ts',
  'spec/test/{conversation,ids,operator-model}.test.ts',
  // Records the conversation vectors against a real Operator on a port (only with MAKE_VECTORS=1).
  'spec/scripts/make-wire-vectors.test.ts',
  // esbuild runs as a child process: bundling the built core for the browser (BRW-4).
  'packages/core/test/browser-bundle.test.ts',
  'examples/**/*.test.ts',
  'scripts/{build-if-stale,docs,pack}.test.ts',
];
const tor = ['test/tornet/**/*.test.ts', 'packages/*/test/**/*.tor.test.ts'];
// Headless Chromium (Debian's, through playwright-core) against pages served on 127.0.0.1: the vectors and
// the example page in a real browser (spec/19-browser.md). `npm run test:browser` runs only these.
const browserTests = ['**/*.browser.test.ts'];
// Rebuilds packages/*/dist when a source changed, so `npx vitest run` never runs processes on a stale build.
const buildFirst = src('./scripts/build-if-stale.global-setup.mjs');

// How many test files run at once. Vitest's default is one less than the CPUs: ONE on a 2-core machine,
// so every file waited for the one before, though an integration file spends much of its time waiting on
// the processes it started. One per CPU; COMRAD_TEST_WORKERS=N overrides (1: one file at a time).
const workers = Number(process.env['COMRAD_TEST_WORKERS']) || availableParallelism();

export default defineConfig({
  resolve: { alias },
  test: {
    maxWorkers: workers,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'spec/**/*.test.ts', 'bench/**/*.test.ts', 'examples/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...integration, ...tor, ...browserTests],
          setupFiles: [src('./packages/test-kit/src/unit-guard.ts')],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: integration,
          exclude: [...configDefaults.exclude, ...browserTests],
          globalSetup: [buildFirst],
          // Room for files running side by side on a busy machine: a test that hangs still fails.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'browser',
          include: browserTests,
          exclude: [...configDefaults.exclude],
          globalSetup: [buildFirst],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'tor',
          include: tor,
          globalSetup: [buildFirst],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
