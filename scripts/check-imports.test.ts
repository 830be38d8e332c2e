// The check that keeps shared test helpers in @comrad/test-kit: no relative import climbs into another
// package (scripts/check-imports.mjs, also run by `npm test` before vitest).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { crossPackageImports } from './check-imports.mjs';

type Found = { file: string; line: number; specifier: string; into: string };
const check = crossPackageImports as (root: string) => Found[];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const temp = await mkdtemp(join(tmpdir(), 'comrad-imports-'));
afterAll(() => rm(temp, { recursive: true, force: true }));

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(temp, 'repo-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const q = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).map(([p, t]) => [p, t.replaceAll('%', "'")]));

it('this repository: no test or helper imports another package by a relative path', () => {
  expect(check(root)).toEqual([]);
});

it('finds every form of a relative import into another package, and only those', async () => {
  // Quotes are written % here so that this file itself holds no such import.
  const dir = await tree(q({
    'packages/operator/test/a.test.ts': [
      "import { garbage } from %../../core/test/_garbage.js%;",
      "import type { X } from %../../../test/helpers/processes.mjs%;",
      "export { y } from %../../client-node/src/index.js%;",
      "const m = await import(%../../core/src/limits.js%);",
      "import %./_local.js%;",
      "import { ok } from %../src/server.js%;",
      "import { fine } from %@comrad/test-kit/core/garbage%;",
    ].join('\n'),
    'spec/test/b.test.ts': "import { f } from %../../packages/operator/test/_fixtures.js%;\nimport { v } from %../vectors/x.js%;",
    'bench/c.bench.mjs': "import { r } from %../test/tornet/tornet.mjs%;\nimport config from %../vitest.config.js%;\nimport { up } from %../../elsewhere.js%;",
  }));
  const found = check(dir).map((f) => `${f.file}:${f.line} ${f.into}`);
  expect(found.sort()).toEqual(
    [
      'bench/c.bench.mjs:1 test',
      'bench/c.bench.mjs:3 ..',
      'packages/operator/test/a.test.ts:1 packages/core',
      'packages/operator/test/a.test.ts:2 test',
      'packages/operator/test/a.test.ts:3 packages/client-node',
      'packages/operator/test/a.test.ts:4 packages/core',
      'spec/test/b.test.ts:1 packages/operator',
    ].sort(),
  );
});
