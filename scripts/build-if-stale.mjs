#!/usr/bin/env node
// Builds each package only when its dist is older than its sources, so `npm start`, `npm run demo` and
// `npm test` cost nothing to build on a second run.
//
//   node scripts/build-if-stale.mjs          JavaScript only: what the CLIs, the demo and the tests run
//   node scripts/build-if-stale.mjs --dts    also the type declarations: what a published package needs
//   --force                                  build every package whatever its stamp says
//
// After a successful build the script writes dist/.build-stamp.json. A package is up to date when that
// stamp exists, every file its package.json exports exists, and no input (every file under src/, the tsup
// config, package.json, the tsconfigs, this script) changed since the build started; with --dts, the stamp
// must also say declarations were built, after those of the workspace packages it depends on. Quiet unless
// a build fails: then tsup's output is printed and the exit code is 1.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = new Set(process.argv.slice(2));
for (const a of args) if (a !== '--dts' && a !== '--force') fail(`unknown option ${a} (use --dts, --force)`);
const wantDts = args.has('--dts');
const force = args.has('--force');

// In dependency order: a package's declarations are built from those of the packages before it.
const packages = ['core', 'operator', 'client-node', 'conformance'];
// Inputs outside a package's own directory: the conformance kit bundles the spec's executable model and
// ships the spec's vectors beside its bundle.
const extraInputs = { conformance: ['spec/model', 'spec/vectors'] };
const STAMP = join('dist', '.build-stamp.json');
const tsup = join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js');

/** The newest modification time (ms) of a file, or of every file under a directory. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs; // a deleted or renamed source changes its directory's time
  for (const e of readdirSync(path)) max = Math.max(max, newest(join(path, e)));
  return max;
}

/** The files a package.json promises under dist/ (its `exports` and `imports` targets). */
function promised(pkg, dts) {
  const out = [];
  const walk = (v, key) => {
    if (typeof v === 'string') {
      if (v.startsWith('./dist/') && (dts || key !== 'types')) out.push(v);
    } else if (v && typeof v === 'object') for (const [k, w] of Object.entries(v)) walk(w, k);
  };
  walk(pkg.exports, '');
  walk(pkg.imports, '');
  return out;
}

function readStamp(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, STAMP), 'utf8'));
  } catch {
    return undefined;
  }
}

function fail(message) {
  process.stderr.write(`build-if-stale: ${message}\n`);
  process.exit(1);
}

const builtAt = new Map(); // package dir name -> the start time of its current build (ms)
for (const name of packages) {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const inputs = Math.max(
    ...['src', 'tsup.config.ts', 'package.json', 'tsconfig.json'].map((p) => newest(join(dir, p))),
    newest(join(root, 'tsconfig.base.json')),
    ...(extraInputs[name] ?? []).map((p) => newest(join(root, p))),
    newest(fileURLToPath(import.meta.url)),
  );
  // Declarations are built from those of the workspace packages this one depends on.
  const deps = packages.filter((d) => d !== name && pkg.dependencies?.[`@comrad/${d}`]);
  const stamp = readStamp(dir);
  const upToDate =
    !force &&
    stamp !== undefined &&
    typeof stamp.startedAt === 'number' &&
    inputs < stamp.startedAt &&
    promised(pkg, wantDts).every((f) => existsSync(join(dir, f))) &&
    (!wantDts || (stamp.dts === true && deps.every((d) => (builtAt.get(d) ?? 0) < stamp.startedAt)));
  if (upToDate) {
    builtAt.set(name, stamp.startedAt);
    continue;
  }
  // No stamp while the dist is being rewritten: a failed or interrupted build must not look finished.
  rmSync(join(dir, STAMP), { force: true });
  const startedAt = Date.now();
  const r = spawnSync(process.execPath, [tsup], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, COMRAD_BUILD_DTS: wantDts ? '1' : '0' },
  });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    fail(`building packages/${name} failed${r.error ? `: ${r.error.message}` : ''}`);
  }
  const missing = promised(pkg, wantDts).filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) fail(`packages/${name}: the build did not produce ${missing.join(', ')}`);
  writeFileSync(join(dir, STAMP), `${JSON.stringify({ startedAt, dts: wantDts })}\n`);
  builtAt.set(name, startedAt);
}
