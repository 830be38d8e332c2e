// Mutation testing (issue 12, "tests that catch bugs, measured"): `npm run test:mutation`.
// Not part of `npm test` or .ci/run: a full run takes a long time. Scope a run with
//   npm run test:mutation -- --mutate 'packages/core/src/codec/**/*.ts'
// How to read the results and the mutants judged equivalent: spec/notes/2026-11-29-mutation-testing.md.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'stryker.vitest.config.ts', related: true },
  plugins: ['@stryker-mutator/vitest-runner', './scripts/stryker-ignorers.mjs'],
  ignorers: ['error-messages'],
  mutate: [
    'packages/core/src/crypto/**/*.ts',
    'packages/core/src/envelope/**/*.ts',
    'packages/core/src/codec/**/*.ts',
    'packages/operator/src/store/**/*.ts',
    'packages/operator/src/policy*.ts',
    'packages/operator/src/policy/**/*.ts',
    // Re-export barrels and type-only files hold no behaviour to mutate.
    '!packages/*/src/**/index.ts',
    '!packages/operator/src/store/types.ts',
    '!packages/core/src/crypto/_backend.ts',
  ],
  // Each mutant runs only the tests that reached it.
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants and tables) run every test each: on this shared machine a
  // third of the mutants would take three quarters of the time. Most are killed by the vectors anyway;
  // `npm run test:mutation -- --ignoreStatic false` measures them too, when there is time.
  ignoreStatic: true,
  // The machine is shared (2 cores, several engineers); the npm script also runs under `nice -n 10`.
  concurrency: 1,
  timeoutMS: 20_000,
  timeoutFactor: 2,
  // Reruns only test mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['dist', 'coverage', 'docs/api', 'data', '.tornet', '.tmp', 'reports', '*.log'],
  thresholds: { high: 90, low: 75, break: null },
};
