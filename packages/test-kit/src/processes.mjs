// The built bins as real processes, for every test (and bench) that runs them: one place that knows
// where they are, that fails loudly when they are missing, and how `comrad-op` says it is listening.
// Plain ESM JavaScript so benches can import it without a build step.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built `comrad-op`. */
export const OPERATOR_BIN = fileURLToPath(new URL('../../operator/dist/cli.js', import.meta.url));
/** The built `comrad`. */
export const COMRAD_BIN = fileURLToPath(new URL('../../client-node/dist/cli.js', import.meta.url));

/** Fails loudly (never skips) when the build is missing. */
export function requireBuild() {
  for (const bin of [OPERATOR_BIN, COMRAD_BIN]) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first (the root \`npm test\` does)`);
  }
}

/**
 * Spawns `comrad-op ARGS` (the caller passes `--json`, so its first stdout line is the `listening` event).
 * Registration costs no proof of work here (`--limit registerPowBits=0` before ARGS), so that tests may
 * register many names fast; `defaultPow: true` keeps the Operator's default (REG-6), as a person runs it.
 * One process (`--workers 1`) unless ARGS say `--workers`: a test's checks on the process (its children,
 * its RSS, kill -9 of its pid) are then about the Operator itself, and a test starts one process, not one per core
 * (OP-8's workers have their own tests).
 * @param {string[]} args - Arguments after the bin.
 * @param {{ env?: Record<string, string>, timeoutMs?: number, defaultPow?: boolean }} [o] - Extra environment
 *   (the passphrase defaults to a test one), the start-up deadline (default 20 s), and whether to keep the
 *   default proof of work.
 * @returns {{ child: import('node:child_process').ChildProcess, started: Promise<any>, exited: Promise<{code: number | null, signal: NodeJS.Signals | null}>, stderr: () => string }}
 *   `started` resolves with the parsed start line, or rejects (with stderr) when the process exits first
 *   or the deadline passes; stopping the process is the caller's.
 */
export function spawnOperator(args, { env = {}, timeoutMs = 20_000, defaultPow = false } = {}) {
  const workers = args.includes('--workers') ? [] : ['--workers', '1'];
  const child = spawn(process.execPath, [OPERATOR_BIN, ...workers, ...(defaultPow ? [] : ['--limit', 'registerPowBits=0']), ...args], {
    env: { ...process.env, COMRAD_OPERATOR_PASSPHRASE: 'operator test passphrase', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`comrad-op did not start within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`comrad-op exited (${signal ?? code}) before listening:\n${stderr}`));
    });
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`comrad-op's first line is not JSON (was --json given?): ${line}`));
      }
    });
  });
  return { child, started, exited, stderr: () => stderr };
}
