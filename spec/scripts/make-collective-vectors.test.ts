/**
 * Writes `spec/vectors/collectives.json` (spec/11-collectives.md). Skipped unless MAKE_VECTORS=1:
 *
 *     MAKE_VECTORS=1 npx vitest run spec/scripts/make-collective-vectors.test.ts
 *
 * The keys are fixed and the signatures RFC 6979, so the file comes out the same on every run;
 * `spec/test/collective-vectors.test.ts` checks each case and that the code still makes exactly this file.
 */
import { it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ready } from '@comrad/core';
import { buildCollectiveVectors } from './collective-cases.js';

it.skipIf(process.env.MAKE_VECTORS !== '1')('writes spec/vectors/collectives.json', async () => {
  await ready({ backend: 'node' });
  const file = fileURLToPath(new URL('../vectors/collectives.json', import.meta.url));
  await writeFile(file, `${JSON.stringify(buildCollectiveVectors(), null, 2)}\n`);
});
