/**
 * The store conformance suite on the two local backends only, memory and LMDB, for mutation runs of the
 * store folder (`COMRAD_MUTATE=store COMRAD_MUTATE_STORES=local npm run test:mutation`, see
 * stryker.vitest.config.ts). `store.test.ts` runs the same suite on these and on Redis; its file-level hooks
 * start a redis-server and a three-master Redis Cluster each time the file runs, which a mutation run
 * would pay for every mutant. Not a `.test.ts` file, so `npm test` never runs it twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { storeConformance } from '@comrad/test-kit/operator/store-conformance';

storeConformance('memory', async () => {
  const store = await openStore({ kind: 'memory' });
  return { store, teardown: () => store.close() };
});

storeConformance('lmdb', async () => {
  const path = await mkdtemp(join(tmpdir(), 'comrad-lmdb-'));
  let current = await openStore({ kind: 'lmdb', path });
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await openStore({ kind: 'lmdb', path });
      return current;
    },
    teardown: async () => {
      try {
        await current.close();
      } finally {
        await rm(path, { recursive: true, force: true });
      }
    },
  };
});
