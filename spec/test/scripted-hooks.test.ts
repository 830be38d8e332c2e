/**
 * The hooks that script randomness for the recorded conversation (`_scriptRandomForVectors`,
 * `_swapBackend`, `_scriptIdsForVectors`) are safe only because no package exports them: this checks
 * every public entry point of every package (the `exports` of each package.json, as the sources the
 * packages are built from) and finds none of them, and that without a script `randomBytes` is random.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from '@comrad/core';

const HOOKS = ['_scriptRandomForVectors', '_swapBackend', '_scriptIdsForVectors'];
const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** The source module behind each public entry point: `./dist/x.js` is built from `./src/x.ts` (or `./src/x/index.ts`). */
function entries(pkg: string): string[] {
  const exportsMap = (JSON.parse(readFileSync(root(`packages/${pkg}/package.json`), 'utf8')) as { exports: Record<string, unknown> }).exports;
  return Object.keys(exportsMap)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? `@comrad/${pkg}` : `@comrad/${pkg}/${k.slice(2)}`));
}

describe('the scripted-randomness hooks are exported from no package entry point', () => {
  const specifiers = [...entries('core'), '@comrad/operator', '@comrad/client-node'];
  it.for(specifiers)('%s', async (specifier) => {
    const mod = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
    expect(Object.keys(mod).length).toBeGreaterThan(0);
    for (const hook of HOOKS) expect(Object.keys(mod)).not.toContain(hook);
    expect(Object.keys(mod).filter((k) => /^_(script|swap)/.test(k))).toEqual([]);
  });

  it('without a script, randomBytes gives fresh bytes every call', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    expect(a).not.toEqual(b);
    expect(a.some((x) => x !== 0)).toBe(true);
  });
});
