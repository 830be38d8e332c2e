// Setup of the mutation-testing runs (stryker.vitest.config.ts): property tests draw from one fixed seed,
// so the run before mutation and every mutant run see the same inputs. A test that draws its inputs at
// random could otherwise kill a mutant by luck, or fail the initial run (Stryker then refuses to start).
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.COMRAD_MUTATION_SEED ?? 20261129) });
