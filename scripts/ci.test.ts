// CI runs what the README tells a person to run, and that command checks everything: the build, the
// types, the spec's rule ids, the import rule, and every vitest project.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');

it('.ci/run ends with exactly the README test command', () => {
  const readme = read('README.md');
  const block = /## The two commands\s+```sh\n([^]*?)```/.exec(readme)?.[1] ?? '';
  const readmeTest = block
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .find((l) => /\bnpm test$/.test(l));
  expect(readmeTest, 'the README names its test command').toBe('npm ci && npm test');
  const ciCommands = read('.ci/run')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  expect(ciCommands.at(-1)).toBe(readmeTest);
});

it('npm test builds, typechecks, checks rule ids and imports, then runs every vitest project', () => {
  const test = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['test'] ?? '';
  const steps = test.split('&&').map((s) => s.trim());
  for (const step of ['node scripts/build-if-stale.mjs', 'tsc -p tsconfig.json --noEmit', 'node spec/scripts/check-ids.mjs', 'node scripts/check-imports.mjs']) {
    expect(steps, step).toContain(step);
  }
  // Last, and without --project: unit, integration and tor all run.
  expect(steps.at(-1)).toBe('vitest run');
});
