#!/usr/bin/env node
// The spec's rule ids, checked (issue 12, "one rule in one place"). A rule is defined by a bullet starting
// `- **ABC-N**` in one of the numbered documents `spec/NN-*.md`, and nowhere else. This script fails (exit 1)
// on an id defined twice (in one document or across two), on a definition outside a numbered document, and
// on an id that code, tests, docs or vectors cite but no document defines. It lists the ids no test names
// (a vector in spec/vectors/*.json that lists an id in its `rules` counts: every vector is run by a test),
// and apart from them the untested ids whose rule text says MUST: that list must shrink to empty.
//
//   node spec/scripts/check-ids.mjs [--json] [--root DIR]
//
// --root points the check at another tree (its own test runs it on a made-up tree to see it fail).

import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? process.argv[rootArg + 1] : fileURLToPath(new URL('../..', import.meta.url));
const SPEC_DIR = join(root, 'spec');
/** A numbered document: two digits, a dash, a name. */
const DOC = /^\d\d-[a-z0-9-]+\.md$/;
/** Folders whose files may cite rule ids; tests are the files under a `test` folder or named *.test.*. */
const SCAN = ['packages', 'spec', 'examples', 'test', 'bench', 'README.md'];
const SKIP = new Set(['node_modules', 'dist', 'vectors', '.git']);
const EXT = /\.(ts|mts|mjs|js|md|mmd)$/;
const DEFINITION = /^\s*- \*\*([A-Z]+-\d+)\*\*/;

const docs = (await readdir(SPEC_DIR)).filter((f) => DOC.test(f)).sort().map((f) => join(SPEC_DIR, f));
/** id → every place it is defined, `file:line`. */
const definitions = new Map();
/** id → the rule's text (its bullet, up to the next bullet, heading or blank line). */
const ruleText = new Map();
for (const doc of docs) {
  const lines = (await readFile(doc, 'utf8')).split('\n');
  for (const [i, line] of lines.entries()) {
    const m = DEFINITION.exec(line);
    if (!m) continue;
    definitions.set(m[1], [...(definitions.get(m[1]) ?? []), `${relative(root, doc)}:${i + 1}`]);
    let text = line;
    for (let j = i + 1; j < lines.length && lines[j].trim() !== '' && !/^\s*- \*\*|^#/.test(lines[j]); j++) text += `\n${lines[j]}`;
    ruleText.set(m[1], text);
  }
}
const prefixes = new Set([...definitions.keys()].map((id) => id.split('-')[0]));
const citeRe = new RegExp(`\\b(${[...prefixes].join('|')})-(\\d+)\\b`, 'g');

/** A rule citation in a code comment, `// ABC-N: why`, whatever its prefix. */
const commentCiteRe = /\/\/ ([A-Z]{2,6})-(\d+)\b/g;
/** id → file, for comment citations whose prefix no document defines (listed, not yet a failure). */
const unknownPrefix = new Map();
const docSet = new Set(docs);
const cited = new Map();
const testCited = new Set();
/** file:line → id, for a definition bullet outside the numbered documents. */
const stray = new Map();
for (const file of await files(SCAN.map((p) => join(root, p)))) {
  const text = await readFile(file, 'utf8');
  const rel = relative(root, file);
  if (!docSet.has(file) && file.endsWith('.md')) {
    for (const [i, line] of text.split('\n').entries()) {
      const m = DEFINITION.exec(line);
      if (m) stray.set(`${rel}:${i + 1}`, m[1]);
    }
  }
  const isTest = !docSet.has(file) && (/(^|\/)test\//.test(rel) || /\.test\./.test(file));
  for (const m of text.matchAll(commentCiteRe)) {
    if (!prefixes.has(m[1]) && !unknownPrefix.has(`${m[1]}-${m[2]}`)) unknownPrefix.set(`${m[1]}-${m[2]}`, rel);
  }
  for (const m of text.matchAll(citeRe)) {
    const id = `${m[1]}-${m[2]}`;
    if (!cited.has(id)) cited.set(id, rel);
    if (isTest) testCited.add(id);
  }
}

// Vectors: every `rules` array anywhere in spec/vectors/*.json names the ids its case checks.
const vectorCited = new Set();
const VECTORS = join(SPEC_DIR, 'vectors');
let vectorFiles = [];
try {
  vectorFiles = (await readdir(VECTORS)).filter((f) => f.endsWith('.json'));
} catch {
  // A tree without vectors names no id through them.
}
for (const name of vectorFiles) {
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'rules' && Array.isArray(x)) {
          for (const id of x) if (typeof id === 'string') vectorCited.add(id);
        } else walk(x);
      }
    }
  };
  walk(JSON.parse(await readFile(join(VECTORS, name), 'utf8')));
}
for (const id of vectorCited) {
  // "SEAL-*" or "AUTH-7..AUTH-10" name a group; only plain ids are checked for definition.
  if (/^[A-Z]+-\d+$/.test(id) && !cited.has(id)) cited.set(id, 'spec/vectors');
}

const duplicates = [...definitions].filter(([, places]) => places.length > 1);
const undefinedIds = [...cited].filter(([id]) => !definitions.has(id)).sort();
const untested = [...definitions.keys()].filter((id) => !testCited.has(id) && !vectorCited.has(id)).sort(byId);
const namedBy = {
  tests: [...definitions.keys()].filter((id) => testCited.has(id)).length,
  vectors: [...definitions.keys()].filter((id) => vectorCited.has(id)).length,
  vectorsOnly: [...definitions.keys()].filter((id) => vectorCited.has(id) && !testCited.has(id)).length,
};
const untestedMust = untested.filter((id) => /\bMUST\b/.test(ruleText.get(id)));

if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify({
      documents: docs.map((d) => relative(root, d)),
      defined: definitions.size,
      duplicates: Object.fromEntries(duplicates),
      undefined: Object.fromEntries(undefinedIds),
      stray: Object.fromEntries(stray),
      unknownPrefix: Object.fromEntries([...unknownPrefix].sort()),
      namedBy,
      untested,
      untestedMust,
    }),
  );
} else {
  console.log(
    `${definitions.size} rule ids defined in ${docs.length} documents (spec/NN-*.md); ${definitions.size - untested.length} named by a test ` +
      `(${namedBy.tests} by test files, ${namedBy.vectors} by vectors, ${namedBy.vectorsOnly} by vectors only).`,
  );
  for (const [id, places] of duplicates) console.log(`DUPLICATE ${id} defined at ${places.join(', ')}`);
  for (const [place, id] of stray) console.log(`OUTSIDE A NUMBERED DOCUMENT ${id} defined at ${place}`);
  for (const [id, file] of undefinedIds) console.log(`UNDEFINED ${id} cited in ${file}`);
  if (unknownPrefix.size) {
    const byPrefix = new Map();
    for (const [id, file] of unknownPrefix) byPrefix.set(id.split('-')[0], [...(byPrefix.get(id.split('-')[0]) ?? []), `${id} (${file})`]);
    for (const [prefix, ids] of byPrefix) console.log(`NO DOCUMENT DEFINES ${prefix}-*, cited as ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`);
  }
  if (untested.length) console.log(`no test names (${untested.length}): ${untested.join(' ')}`);
  if (untestedMust.length) console.log(`of which say MUST (${untestedMust.length}): ${untestedMust.join(' ')}`);
}
process.exit(duplicates.length || undefinedIds.length || stray.size ? 1 : 0);

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
      if (EXT.test(p)) {
        try {
          await readFile(p);
          out.push(p);
        } catch {
          // A path that is not there (no README.md in a made-up tree) cites nothing.
        }
      }
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
