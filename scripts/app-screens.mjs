#!/usr/bin/env node
// Refreshes the README's pictures of `comrad app` from the screenshots the app's end-to-end tests took:
// `.app-screens/N-name.png` (git-ignored, written by `shot()` of @comrad/test-kit/client-node/app) becomes
// `docs/app-name.png`, for each picture the README shows (`--all`: every screenshot). Run the app tests
// first, then `npm run screens`, and commit what changed.
//
//   node scripts/app-screens.mjs [--all] [--check]
//   --all:   copy every screenshot, not only those the README shows
//   --check: copy nothing; exit 1 when a picture the README shows has no screenshot to come from
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const shots = join(root, '.app-screens');
const docs = join(root, 'docs');

/** `.app-screens/7-map.png` → `app-map.png`: the order prefix goes, the name stays. */
export const docName = (file) => `app-${file.replace(/^\d+-/, '')}`;

const found = existsSync(shots) ? readdirSync(shots).filter((f) => f.endsWith('.png')) : [];
const shown = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/\(docs\/(app-[a-z0-9-]+\.png)\)/g)].map((m) => m[1]);
const missing = shown.filter((d) => !found.some((f) => docName(f) === d));
if (process.argv.includes('--check')) {
  if (missing.length > 0) {
    console.error(`no screenshot in .app-screens/ for ${missing.join(', ')}: run the app tests (npx vitest run --project integration packages/client-node/test/cli.app*.test.ts)`);
    process.exit(1);
  }
  process.exit(0);
}
if (found.length === 0) {
  console.error('.app-screens/ holds no screenshot: run the app tests first (npx vitest run --project integration packages/client-node/test/cli.app*.test.ts)');
  process.exit(1);
}
const all = process.argv.includes('--all');
for (const f of found.sort().filter((f) => all || shown.includes(docName(f)))) {
  copyFileSync(join(shots, f), join(docs, docName(f)));
  console.log(`docs/${docName(f)} ← .app-screens/${f} (${new Date(statSync(join(shots, f)).mtimeMs).toISOString()})`);
}
if (missing.length > 0) console.warn(`the README shows pictures no test took: ${missing.join(', ')}`);
