#!/usr/bin/env node
// Tests a maintainer can trust import other packages the way their users do: by package name
// (`@comrad/core`, `@comrad/test-kit/…`), never by a relative path that climbs into another package
// (`../../core/test/_garbage.js`, `../../../test/helpers/…`). Such paths break silently when a file moves,
// and hide which helpers are shared. A package's internals, where spec tooling or a helper needs one, are
// imported by name as well: `@comrad/core/src/crypto/_container.js` (an alias in vitest.config.ts and
// tsconfig.json), so every reach into another package's internals is one grep away. This check fails on any relative import whose target lies in another
// package: each `packages/<name>` is one, and so is each top-level folder (spec, bench, examples, test,
// scripts). Run by `npm test`; `node scripts/check-imports.mjs [ROOT]` prints each offending import.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = /\.(?:[cm]?[jt]s|tsx?)$/;
const SKIP = new Set(['node_modules', 'dist', '.git', 'coverage', 'reports']);
// Static imports and re-exports (`from '…'`), side-effect imports (`import '…'`), dynamic `import('…')`,
// `vi.mock('…')` and `require('…')`; the specifier must be relative to count.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\bmock\s*\(\s*|\brequire\s*\(\s*)(['"`])(\.{1,2}\/[^'"`]*)\1/g;

/** The package a repository path belongs to: `packages/<name>`, or its top-level folder. */
export function unitOf(path) {
  const parts = path.split(sep);
  return parts[0] === 'packages' && parts.length > 2 ? `packages/${parts[1]}` : parts.length > 1 ? parts[0] : '.';
}

function* sourceFiles(root, dir = root) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(root, path);
    else if (SOURCE.test(entry.name)) yield path;
  }
}

/**
 * Every relative import under ROOT that leaves its package.
 * @param {string} root - the repository root
 * @returns {{ file: string, line: number, specifier: string, into: string }[]}
 */
export function crossPackageImports(root) {
  const found = [];
  for (const path of sourceFiles(root)) {
    const file = relative(root, path);
    const unit = unitOf(file);
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(SPECIFIER)) {
      const target = relative(root, resolve(dirname(path), m[2]));
      const into = unitOf(target);
      // The repository's own top-level files (vitest.config.ts) belong to no package: any test may read them.
      if (target.startsWith('..') || (into !== unit && into !== '.')) {
        found.push({ file, line: text.slice(0, m.index).split('\n').length, specifier: m[2], into });
      }
    }
  }
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const found = crossPackageImports(root);
  for (const f of found) {
    console.error(`${f.file}:${f.line}: '${f.specifier}' reaches into ${f.into}: import it by name: @comrad/test-kit/… for shared test helpers, @comrad/<package>/src/… for an internal`);
  }
  if (found.length > 0) process.exit(1);
}
