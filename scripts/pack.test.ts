/**
 * What `npm pack` would publish for each package: its built dist (with every file its package.json
 * exports), its bin launchers, its own README and package.json, and nothing else (no sources, no tests, no
 * build stamp). Runs `npm pack --dry-run --json` with scripts off: `prepack` would rebuild the dist with
 * type declarations under the tests that run it, and what a publish adds (the declarations) is not what
 * this test is about.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));

interface PackageJson {
  name: string;
  bin?: Record<string, string>;
  exports: unknown;
}

/** The JavaScript files a package.json's `exports` promise (declarations come with `prepack`). */
function exported(v: unknown, key = ''): string[] {
  if (typeof v === 'string') return v.startsWith('./dist/') && key !== 'types' ? [v.slice(2)] : [];
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, w]) => exported(w, k));
  return [];
}

describe('npm pack', () => {
  // Files a package publishes besides dist, bin, README.md and package.json.
  const extra: Record<string, string[]> = { conformance: ['ADAPTER.md', 'adapters/reference.mjs'] };
  for (const name of ['core', 'operator', 'client-node', 'conformance']) {
    it(`packages/${name} packs dist, bin, README.md and package.json, and nothing else`, { timeout: 60_000 }, () => {
      const dir = join(repo, 'packages', name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      const promised = exported(pkg.exports);
      for (const f of promised) if (!existsSync(join(dir, f))) throw new Error(`${dir}/${f} is missing: run \`npm run build\` first (the root \`npm test\` does)`);
      const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', timeout: 50_000 });
      expect(r.status, r.stderr).toBe(0);
      const [packed] = JSON.parse(r.stdout) as [{ name: string; files: { path: string }[] }];
      expect(packed.name).toBe(pkg.name);
      const paths = packed.files.map((f) => f.path);
      const bins = Object.values(pkg.bin ?? {}).map((b) => b.replace(/^\.\//, ''));
      const own = extra[name] ?? [];
      const stray = paths.filter((p) => p !== 'package.json' && p !== 'README.md' && !bins.includes(p) && !own.includes(p) && !(p.startsWith('dist/') && p !== 'dist/.build-stamp.json'));
      expect(stray).toEqual([]);
      expect(paths).toContain('README.md');
      expect(paths).toContain('package.json');
      for (const f of [...promised, ...bins, ...own]) expect(paths).toContain(f);
    });
  }
});
