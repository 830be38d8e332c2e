// Mutation testing (issue 12, "tests that catch bugs, measured"): `npm run test:mutation`.
// Not part of `npm test` or .ci/run: a full run takes hours on a shared machine. Scope a run by folder,
//   COMRAD_MUTATE=crypto npm run test:mutation          (crypto, envelope, codec, store, policy; commas)
// or by glob,
//   npm run test:mutation -- --mutate 'packages/core/src/codec/msgpack.ts'
// Reports go to reports/mutation/<scope>/ (git-ignored). How to read them, the scores and the mutants
// judged equivalent: spec/notes/2026-11-29-mutation-testing.md.

/** The folders measured, each with its own report and incremental file. */
const FOLDERS = {
  // index.ts of core's folders only re-exports; _backend.ts is an interface.
  crypto: ['packages/core/src/crypto/**/*.ts', '!packages/core/src/crypto/_backend.ts', '!packages/core/src/crypto/index.ts'],
  envelope: ['packages/core/src/envelope/**/*.ts', '!packages/core/src/envelope/index.ts'],
  codec: ['packages/core/src/codec/**/*.ts', '!packages/core/src/codec/index.ts'],
  store: ['packages/operator/src/store/**/*.ts', '!packages/operator/src/store/types.ts'],
  policy: ['packages/operator/src/policy/**/*.ts'],
};

const chosen = (process.env.COMRAD_MUTATE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
for (const name of chosen) {
  if (!(name in FOLDERS)) throw new Error(`COMRAD_MUTATE: unknown folder "${name}" (one of ${Object.keys(FOLDERS).join(', ')})`);
}
const scope = chosen.length > 0 ? chosen : Object.keys(FOLDERS);
// COMRAD_MUTATE_REPORT=<name>: another report and incremental file for the same folder, so two runs on
// different files of one folder can go at the same time without overwriting each other's results.
const reportDir = `reports/mutation/${chosen.length > 0 ? chosen.join('+') : 'all'}${process.env.COMRAD_MUTATE_REPORT ? `-${process.env.COMRAD_MUTATE_REPORT}` : ''}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'stryker.vitest.config.ts', related: true },
  plugins: ['@stryker-mutator/vitest-runner', './scripts/stryker-ignorers.mjs'],
  ignorers: ['error-messages'],
  mutate: scope.flatMap((name) => FOLDERS[name]),
  // Each mutant runs only the tests that reached it.
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants and tables) run every test each: on this shared machine a
  // third of the mutants would take three quarters of the time. Most are killed by the vectors anyway;
  // `npm run test:mutation -- --ignoreStatic false` measures them too, when there is time.
  ignoreStatic: true,
  // The machine is shared (2 cores, several engineers); the npm script also runs under `nice -n 10`.
  // `-- --concurrency 2` when it is quiet.
  concurrency: 1,
  timeoutMS: 10_000,
  dryRunTimeoutMinutes: 30,
  timeoutFactor: 2,
  // Reruns only the mutants whose code or covering tests changed since the last run of this scope.
  incremental: true,
  incrementalFile: `${reportDir}/stryker-incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reportDir}/index.html` },
  jsonReporter: { fileName: `${reportDir}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['.stryker-tmp*', 'dist', 'coverage', 'docs/api', 'data', '.tornet', '.tmp', 'reports', '*.log'],
  thresholds: { high: 90, low: 75, break: null },
};
