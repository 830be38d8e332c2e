/**
 * Writes `spec/vectors/operator.json` and `spec/vectors/names.json` (the Operator protocol's vectors).
 * Skipped unless MAKE_VECTORS=1:
 *
 *     MAKE_VECTORS=1 npx vitest run spec/scripts/make-wire-vectors.test.ts
 *
 * Unlike the other vector files, these come out the same on every run: every random value is drawn from
 * a seeded tape and every signature is RFC 6979 (`_scripted-crypto.ts`). `spec/test/wire-vectors.test.ts`
 * checks each case and that the code still makes exactly these files.
 */
import { it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ready } from '@comrad/core';
import { buildWireVectors } from './wire-cases.js';
import { OPERATOR_VECTORS, NAMES_VECTORS, buildConversationVectors } from './wire-files.js';

const out = (name: string) => fileURLToPath(new URL(`../vectors/${name}`, import.meta.url));

it.skipIf(process.env.MAKE_VECTORS !== '1')('writes spec/vectors/operator.json and names.json', async () => {
  await ready({ backend: 'node' });
  const v = await buildWireVectors();
  await writeFile(out('operator.json'), `${JSON.stringify(OPERATOR_VECTORS(v.operator), null, 2)}\n`);
  await writeFile(out('names.json'), `${JSON.stringify(NAMES_VECTORS(v.names), null, 2)}\n`);
}, 120_000);

// conversation.json is its own test, so it can be written alone:
//     MAKE_VECTORS=1 npx vitest run spec/scripts/make-wire-vectors.test.ts -t conversation
it.skipIf(process.env.MAKE_VECTORS !== '1')('writes spec/vectors/conversation.json', async () => {
  await ready({ backend: 'node' });
  const doc = await buildConversationVectors();
  await writeFile(out('conversation.json'), `${JSON.stringify(doc, null, 2)}\n`);
}, 120_000);
