import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { alias } from './vitest.config.js';

// The tests Stryker runs against each mutant (`npm run test:mutation`, see stryker.config.mjs): per
// folder, the unit tests that own it (named after the spec documents it implements) and the vectors, in
// one project, so the Tor project and the tests that spawn built processes never run per mutant. A
// mutant only another folder's tests would kill counts as surviving here: the score says how well a
// folder's own tests guard it. `related` in stryker.config.mjs narrows the files further to those that
// import the mutated sources, and `perTest` coverage to the tests that reach each mutant.
const STORE_TESTS = ['guard-exact', 'memory-exact', 'lmdb-exact', 'records', 'listeners', 'store', 'guard', 'lmdb', 'redis'].map((t) => `packages/operator/test/store/${t}.test.ts`);
// COMRAD_MUTATE_STORES=local: the memory and LMDB backends only (their conformance suite, without the
// redis-server and Redis Cluster that store.test.ts starts on every run). Mutants in redis.ts and its
// scripts then survive: mutate the other files (`-- --mutate`), and say that Redis was not measured.
const LOCAL_STORE_TESTS = [...['guard-exact', 'memory-exact', 'lmdb-exact', 'records', 'listeners'].map((t) => `packages/operator/test/store/${t}.test.ts`), 'packages/operator/test/store/local-backends.mutation.ts', ...['guard', 'lmdb'].map((t) => `packages/operator/test/store/${t}.test.ts`)];
// guard-exact, memory-exact and lmdb-exact first: most of _guard.ts's, memory.ts's and lmdb.ts's mutants die there in
// milliseconds, before the conformance suite starts.
const storeTests = process.env.COMRAD_MUTATE_STORES === 'local' ? LOCAL_STORE_TESTS : STORE_TESTS;
/**
 * Per folder, in the order they run: quick, focused files first, so a mutant is usually killed (and the
 * run stops, bail) before the slow property tests start. Only surviving mutants pay for every file.
 */
const TESTS: Record<string, string[]> = {
  // crypto-backends-exact: the backends' own branches (points, randomness, selection, wasm loading);
  // crypto-backends-node-exact and -webcrypto-exact: the node and webcrypto backends' own branches;
  // crypto-webcrypto-exact: what the webcrypto backend hands to Web Crypto (CRY-15) and Themis's own refusals;
  // keys-before-ready and crypto-webcrypto reach checkPoint before ready() and decompress (CRY-18).
  crypto: ['crypto-framing', 'crypto-backends-exact', 'crypto-backends-node-exact', 'crypto-backends-webcrypto-exact', 'crypto-webcrypto-exact', 'crypto', 'crypto-node', 'keys-before-ready', 'crypto-differential', 'crypto-webcrypto'].map((t) => `packages/core/test/${t}.test.ts`).concat('spec/test/vectors.test.ts'),
  envelope: ['envelope-name', 'envelope-statement', 'envelope-body', 'envelope-event-exact', 'envelope-profile-exact', 'envelope-channel-exact', 'envelope-sealed-exact', 'envelope-post-exact', 'envelope-letter-exact', 'envelope-post', 'envelope-letter', 'envelope-sealed', 'envelope-padding', 'envelope-profile', 'envelope-channel', 'envelope-event']
    .map((t) => `packages/core/test/${t}.test.ts`)
    .concat('spec/test/vectors.test.ts', 'spec/test/event-vectors.test.ts', 'spec/test/profile-vectors.test.ts', 'packages/core/test/garbage.test.ts'),
  codec: ['encoding-exact', 'encoding', 'wire-greeting', 'wire'].map((t) => `packages/core/test/${t}.test.ts`).concat('spec/test/vectors.test.ts', 'spec/test/wire-vectors.test.ts'),
  store: storeTests,
  policy: ['packages/operator/test/policy.test.ts', ...storeTests],
};

// COMRAD_MUTATE (set for `npm run test:mutation` runs scoped by folder) reaches the runner processes.
const chosen = (process.env.COMRAD_MUTATE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const include = [...new Set((chosen.length > 0 ? chosen : Object.keys(TESTS)).flatMap((name) => TESTS[name] ?? []))];
const root = fileURLToPath(new URL('.', import.meta.url));

/** Runs test files in the order of `include` (vitest's default runs the slowest first). */
class InIncludeOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => include.indexOf(relative(root, f.moduleId).split(sep).join('/'));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    include,
    // Tests that assert a time ratio skip it here (timingIsMeaningful in the test kit).
    env: { COMRAD_MUTATION: '1' },
    setupFiles: ['scripts/stryker-vitest-setup.ts'],
    sequence: { sequencer: InIncludeOrder },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
