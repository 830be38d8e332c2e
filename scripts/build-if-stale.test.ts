/**
 * scripts/build-if-stale.mjs, run on a copy of the packages in a temporary root (rebuilding the real dist
 * would pull it from under the tests that run the built CLIs at the same time): it builds what is missing,
 * skips what is up to date, rebuilds a package when any of its inputs changed or an output is gone, stays
 * quiet unless a build fails, and never leaves a stamp over a failed build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import config from '../vitest.config.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const packages = ['core', 'operator', 'client-node', 'conformance'] as const;
let root = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'comrad-build-'));
  cpSync(join(repo, 'scripts', 'build-if-stale.mjs'), join(root, 'scripts', 'build-if-stale.mjs'));
  cpSync(join(repo, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
  // The conformance kit bundles the spec's model and ships its vectors: inputs outside its directory.
  for (const d of ['spec/model', 'spec/vectors']) cpSync(join(repo, d), join(root, d), { recursive: true });
  for (const p of packages) {
    for (const f of ['src', 'package.json', 'tsup.config.ts', 'tsconfig.json']) {
      if (existsSync(join(repo, 'packages', p, f))) cpSync(join(repo, 'packages', p, f), join(root, 'packages', p, f), { recursive: true });
    }
  }
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function build(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-if-stale.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}
/** When each package's current build started, from its stamp (undefined: no stamp). */
function stamps(): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const p of packages) {
    const f = join(root, 'packages', p, 'dist', '.build-stamp.json');
    out[p] = existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { startedAt: number }).startedAt : undefined;
  }
  return out;
}
/** Marks a file changed now, after the last build started (a time in the future would stay stale). */
const touch = (f: string) => utimesSync(f, new Date(), new Date());

describe('scripts/build-if-stale.mjs', () => {
  it('builds every package the first time, quietly, then skips them all while nothing changed', { timeout: 120_000 }, () => {
    const first = build();
    expect(first).toEqual({ code: 0, output: '' });
    const built = stamps();
    for (const p of packages) {
      expect(built[p], p).toBeTypeOf('number');
      expect(existsSync(join(root, 'packages', p, 'dist', 'index.js')), p).toBe(true);
      // The JavaScript-only build leaves the declarations to publishing.
      expect(existsSync(join(root, 'packages', p, 'dist', 'index.d.ts')), p).toBe(false);
    }
    expect(build()).toEqual({ code: 0, output: '' });
    expect(stamps()).toEqual(built);
  });

  it('rebuilds exactly the package whose deep source file or bundler config changed', { timeout: 120_000 }, () => {
    const before = stamps();
    // A file two directories down, changed after the build: only the operator is stale.
    const deep = join(root, 'packages', 'operator', 'src', 'store', 'index.ts');
    touch(deep);
    expect(build()).toEqual({ code: 0, output: '' });
    const after = stamps();
    expect(after.operator).toBeGreaterThan(before.operator!);
    expect(after.core).toBe(before.core);
    expect(after['client-node']).toBe(before['client-node']);
    // The bundler's config counts as a source too.
    touch(join(root, 'packages', 'core', 'tsup.config.ts'));
    expect(build().code).toBe(0);
    const third = stamps();
    expect(third.core).toBeGreaterThan(after.core!);
    expect(third.operator).toBe(after.operator);
  });

  it('rebuilds the conformance kit, and only it, when a spec vector or the spec model changed', { timeout: 120_000 }, () => {
    const before = stamps();
    touch(join(root, 'spec', 'vectors', 'padding.json'));
    expect(build()).toEqual({ code: 0, output: '' });
    const after = stamps();
    expect(after.conformance).toBeGreaterThan(before.conformance!);
    for (const p of ['core', 'operator', 'client-node'] as const) expect(after[p], p).toBe(before[p]);
    expect(existsSync(join(root, 'packages', 'conformance', 'dist', 'vectors', 'padding.json'))).toBe(true);
    touch(join(root, 'spec', 'model', 'operator-model.ts'));
    expect(build().code).toBe(0);
    expect(stamps().conformance).toBeGreaterThan(after.conformance!);
  });

  it('rebuilds a package one of whose promised outputs is missing, even with a fresh stamp', { timeout: 120_000 }, () => {
    const before = stamps();
    unlinkSync(join(root, 'packages', 'client-node', 'dist', 'index.js'));
    expect(build()).toEqual({ code: 0, output: '' });
    expect(existsSync(join(root, 'packages', 'client-node', 'dist', 'index.js'))).toBe(true);
    expect(stamps()['client-node']).toBeGreaterThan(before['client-node']!);
  });

  it('fails loudly on a broken source, names the package, and leaves no stamp to trust', { timeout: 120_000 }, () => {
    const file = join(root, 'packages', 'client-node', 'src', 'index.ts');
    const good = readFileSync(file, 'utf8');
    appendFileSync(file, '\nexport const broken = ;\n');
    const r = build();
    expect(r.code).toBe(1);
    expect(r.output).toContain('building packages/client-node failed');
    expect(stamps()['client-node']).toBeUndefined();
    // Fixed: the next run builds it again.
    writeFileSync(file, good);
    expect(build()).toEqual({ code: 0, output: '' });
    expect(stamps()['client-node']).toBeTypeOf('number');
  });

  it('the vitest globalSetup of the process tests rebuilds a stale dist, and stops the run on a broken build', { timeout: 120_000 }, async () => {
    cpSync(join(repo, 'scripts', 'build-if-stale.global-setup.mjs'), join(root, 'scripts', 'build-if-stale.global-setup.mjs'));
    const { default: setup } = (await import(pathToFileURL(join(root, 'scripts', 'build-if-stale.global-setup.mjs')).href)) as { default: () => void };
    const file = join(root, 'packages', 'core', 'src', 'index.ts');
    const good = readFileSync(file, 'utf8');
    appendFileSync(file, "\nexport const staleProbe = 'rebuilt before the tests';\n");
    setup();
    expect(coreDistText()).toContain('rebuilt before the tests');
    appendFileSync(file, '\nexport const broken = ;\n');
    expect(() => setup()).toThrow(/the build before the tests failed[^]*building packages\/core failed/);
    writeFileSync(file, good);
    setup();
    expect(coreDistText()).not.toContain('rebuilt before the tests');
  });

  /** Every JavaScript file of core's dist: the index re-exports from shared chunks (one per set of entries), so a new export may live in any of them. */
  function coreDistText(): string {
    const dist = join(root, 'packages', 'core', 'dist');
    return readdirSync(dist, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(dist, f), 'utf8'))
      .join('\n');
  }
});

describe('vitest.config.ts', () => {
  it('runs that globalSetup before every project that runs the built bins (integration, tor), and not before unit', () => {
    const projects = (config.test?.projects ?? []) as { test: { name: string; globalSetup?: string[] } }[];
    const setupOf = (name: string) => projects.find((p) => p.test.name === name)?.test.globalSetup ?? [];
    const ours = join(repo, 'scripts', 'build-if-stale.global-setup.mjs');
    expect(setupOf('integration')).toContain(ours);
    expect(setupOf('tor')).toContain(ours);
    expect(setupOf('unit')).not.toContain(ours);
  });
});
