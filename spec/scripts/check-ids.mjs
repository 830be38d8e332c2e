#!/usr/bin/env node
// The spec's rule ids, checked (issue "one rule in one place"): every id is defined once in
// spec/PROTOCOL.md (a bullet starting `- **ABC-N**`), every id that code, tests or docs cite is defined,
// and the ids no test names are listed. Exit 1 on a duplicate or an undefined citation.
//
//   node spec/scripts/check-ids.mjs [--json]

import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SPEC = join(root, 'spec/PROTOCOL.md');
/** Folders whose files may cite rule ids; tests are the files under a `test` folder or named *.test.*. */
const SCAN = ['packages', 'spec', 'examples', 'test', 'bench', 'README.md'];
const SKIP = new Set(['node_modules', 'dist', 'vectors', '.git']);
const EXT = /\.(ts|mts|mjs|js|md|mmd)$/;

const spec = await readFile(SPEC, 'utf8');
const definitions = new Map();
for (const [i, line] of spec.split('\n').entries()) {
  const m = /^\s*- \*\*([A-Z]+-\d+)\*\*/.exec(line);
  if (m) definitions.set(m[1], [...(definitions.get(m[1]) ?? []), i + 1]);
}
const prefixes = new Set([...definitions.keys()].map((id) => id.split('-')[0]));
const citeRe = new RegExp(`\\b(${[...prefixes].join('|')})-(\\d+)\\b`, 'g');

const cited = new Map();
const testCited = new Set();
for (const file of await files(SCAN.map((p) => join(root, p)))) {
  if (file === SPEC) continue;
  const text = await readFile(file, 'utf8');
  const isTest = /(^|\/)test\//.test(relative(root, file)) || /\.test\./.test(file);
  for (const m of text.matchAll(citeRe)) {
    const id = `${m[1]}-${m[2]}`;
    if (!cited.has(id)) cited.set(id, relative(root, file));
    if (isTest) testCited.add(id);
  }
}
// Ids cited inside the spec itself must be defined too.
for (const m of spec.matchAll(citeRe)) if (!cited.has(`${m[1]}-${m[2]}`)) cited.set(`${m[1]}-${m[2]}`, 'spec/PROTOCOL.md');

const duplicates = [...definitions].filter(([, lines]) => lines.length > 1);
const undefinedIds = [...cited].filter(([id]) => !definitions.has(id)).sort();
const untested = [...definitions.keys()].filter((id) => !testCited.has(id)).sort(byId);

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ defined: definitions.size, duplicates: Object.fromEntries(duplicates), undefined: Object.fromEntries(undefinedIds), untested }));
} else {
  console.log(`${definitions.size} rule ids defined in spec/PROTOCOL.md; ${definitions.size - untested.length} named by a test.`);
  for (const [id, lines] of duplicates) console.log(`DUPLICATE ${id} defined on lines ${lines.join(', ')}`);
  for (const [id, file] of undefinedIds) console.log(`UNDEFINED ${id} cited in ${file}`);
  if (untested.length) console.log(`no test names: ${untested.join(' ')}`);
}
process.exit(duplicates.length || undefinedIds.length ? 1 : 0);

function byId(a, b) {
  const [pa, na] = a.split('-');
  const [pb, nb] = b.split('-');
  return pa.localeCompare(pb) || Number(na) - Number(nb);
}

async function files(paths) {
  const out = [];
  for (const p of paths) {
    let entries;
    try {
      entries = await readdir(p, { withFileTypes: true });
    } catch {
      if (EXT.test(p)) out.push(p);
      continue;
    }
    for (const e of entries) {
      if (SKIP.has(e.name)) continue;
      const full = join(p, e.name);
      if (e.isDirectory()) out.push(...(await files([full])));
      else if (EXT.test(e.name)) out.push(full);
    }
  }
  return out;
}
