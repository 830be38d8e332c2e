import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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
  // The private test kit (packages/test-kit): its plain-JS helpers (.mjs, importable by benches without a
  // build) and its TypeScript helpers, without a build and without an install step in a fresh worktree.
  { find: /^@comrad\/test-kit\/(processes|adversarial-msgpack|redis-server|tornet|comrad-on-tor)$/, replacement: src('./packages/test-kit/src/$1.mjs') },
  { find: /^@comrad\/test-kit\/(.*)$/, replacement: src('./packages/test-kit/src/$1.ts') },
  { find: /^#node-backend$/, replacement: src('./packages/core/src/crypto/_node-backend.ts') },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'spec/**/*.test.ts', 'bench/**/*.test.ts', 'examples/**/*.test.ts', 'scripts/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'tor',
          include: ['test/tornet/**/*.test.ts', 'packages/*/test/**/*.tor.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
