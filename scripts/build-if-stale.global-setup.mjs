// vitest globalSetup of the projects that run the built bins (integration, tor): runs
// scripts/build-if-stale.mjs first, so even a bare `npx vitest run` after a source change tests the new
// code, never a stale dist. Costs well under a second when nothing changed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./build-if-stale.mjs', import.meta.url));

/** Builds every package whose dist is older than its inputs; throws (with the build's output) on failure. */
export default function setup() {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`the build before the tests failed (node scripts/build-if-stale.mjs):\n${r.stdout}${r.stderr}${r.error?.message ?? ''}`);
}
