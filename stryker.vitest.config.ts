import { defineConfig } from 'vitest/config';
import { alias } from './vitest.config.js';

// The tests Stryker runs against each mutant (`npm run test:mutation`, see stryker.config.mjs): only the
// unit tests that exercise the mutated folders, in one project, so that the Tor project and the tests
// that spawn built processes never run per mutant. `related` in stryker.config.mjs narrows it further
// to the files that import the mutated sources.
export default defineConfig({
  resolve: { alias },
  test: {
    include: [
      'packages/core/test/**/*.test.ts',
      'spec/test/vectors.test.ts',
      'spec/test/wire-vectors.test.ts',
      'packages/operator/test/store/**/*.test.ts',
      'packages/operator/test/policy*.test.ts',
    ],
    // Tests that assert a time ratio skip it here (timingIsMeaningful in the test kit).
    env: { COMRAD_MUTATION: '1' },
    setupFiles: ['scripts/stryker-vitest-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
