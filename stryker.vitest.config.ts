import { defineConfig } from 'vitest/config';
import { alias } from './vitest.config.js';

// The tests Stryker runs against each mutant (`npm run test:mutation`, see stryker.config.mjs): per
// folder, the unit tests that own it (named after the spec documents it implements) and the vectors, in
// one project, so the Tor project and the tests that spawn built processes never run per mutant. A
// mutant only another folder's tests would kill counts as surviving here: the score says how well a
// folder's own tests guard it. `related` in stryker.config.mjs narrows the files further to those that
// import the mutated sources, and `perTest` coverage to the tests that reach each mutant.
const TESTS: Record<string, string[]> = {
  crypto: ['packages/core/test/crypto*.test.ts', 'packages/core/test/keystore.test.ts', 'spec/test/vectors.test.ts'],
  envelope: ['packages/core/test/envelope-*.test.ts', 'packages/core/test/garbage.test.ts', 'spec/test/vectors.test.ts'],
  codec: ['packages/core/test/encoding.test.ts', 'packages/core/test/wire*.test.ts', 'spec/test/vectors.test.ts', 'spec/test/wire-vectors.test.ts'],
  store: ['packages/operator/test/store/**/*.test.ts'],
  policy: ['packages/operator/test/policy*.test.ts', 'packages/operator/test/store/**/*.test.ts'],
};

// COMRAD_MUTATE (set for `npm run test:mutation` runs scoped by folder) reaches the runner processes.
const chosen = (process.env.COMRAD_MUTATE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const include = [...new Set((chosen.length > 0 ? chosen : Object.keys(TESTS)).flatMap((name) => TESTS[name] ?? []))];

export default defineConfig({
  resolve: { alias },
  test: {
    include,
    // Tests that assert a time ratio skip it here (timingIsMeaningful in the test kit).
    env: { COMRAD_MUTATION: '1' },
    setupFiles: ['scripts/stryker-vitest-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
