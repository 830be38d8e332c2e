/**
 * Where the built kit is, for the tests that run it as a real process (`npm test` builds first).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package directory (adapters and test adapters are named relative to it). */
export const conformanceDir = fileURLToPath(new URL('..', import.meta.url));
/** The built `comrad-conformance`. */
export const CONFORMANCE_BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Fails loudly (never skips) when the build is missing. */
export function requireKit(): void {
  if (!existsSync(CONFORMANCE_BIN)) throw new Error(`${CONFORMANCE_BIN} is missing: run \`npm run build\` first (the root \`npm test\` does)`);
}
