// Runs every benchmark in this directory (`*.bench.mjs`, in name order) in one process: what
// `npm run bench` runs after building. Each module exports `async function run({ json })`.
//
//   node bench/run.mjs [--json] [name…]
//   --json: JSON lines only (one object per figure, each with its "suite"), for machines
//   name…:  only these benches, by name (`crypto` is crypto.bench.mjs)
//   --tor:  also tor.bench.mjs (needs the Debian package tor, starts a private Tor network, ~40 s);
//           naming it (`node bench/run.mjs tor`) runs it too

import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.filter((a) => !a.startsWith('--'));
/** Benches that need more than Node and take long: run only with their flag or when named. */
const OPT_IN = { 'tor.bench.mjs': '--tor' };

const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.bench\.mjs$/, '')))
  .filter((f) => !OPT_IN[f] || args.includes(OPT_IN[f]) || only.length > 0)
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${only.join(', ')}`);
  process.exit(1);
}
for (const [i, file] of files.entries()) {
  const bench = await import(pathToFileURL(here + file).href);
  if (typeof bench.run !== 'function') throw new Error(`${file} does not export run({ json })`);
  if (!json) console.log(`${i === 0 ? '' : '\n'}== ${file}`);
  await bench.run({ json });
}
