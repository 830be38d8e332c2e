/**
 * Real processes, as a person runs them: the built `comrad-op` and the built `comrad` bin. These tests
 * need `npm run build` first (the root `npm test` does it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { COMRAD_BIN, spawnOperator } from '../processes.mjs';
import { freeLoopbackPorts } from '../tornet.mjs';

import { expect } from 'vitest';
export { COMRAD_BIN, OPERATOR_BIN, requireBuild } from '../processes.mjs';

/** A running `comrad-op` process. */
export interface OperatorProcess {
  url: string;
  port: number;
  /** The Operator key's fingerprint, from its start line. */
  fingerprint: string;
  /** The Operator key in hex. */
  operatorKey: string;
  /** The crypto backend the Operator runs on (CRY-14). */
  crypto: string;
  child: ChildProcess;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * A port for an Operator that a test stops and starts again at the same address (its comrades keep the
 * URL). Port 0 would do for one start, but the kernel hands ports of its ephemeral range to any server
 * started with port 0 (and to outgoing connections): while the Operator is down (seconds: the test's
 * steps, then the restart's keystore derivation), a test running alongside could be given that port, and
 * the restart would fail with EADDRINUSE. This one is drawn below the ephemeral range, where only tests
 * that choose ports at random (tornet's) look, among some 22 000.
 */
export async function restartablePort(): Promise<number> {
  const [port] = await freeLoopbackPorts(1);
  return port!;
}

/**
 * Starts `comrad-op --data DIR --port PORT --json` and waits for its `listening` line.
 * @param dataDir - the Operator's data directory
 * @param port - 0 for any free port; {@link restartablePort} for one the test starts the Operator on again
 * @param opts - `defaultPow`: keep the default proof of work for registration (else none, so tests register fast)
 */
export async function startOperatorProcess(
  dataDir: string,
  port = 0,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
  opts: { defaultPow?: boolean } = {},
): Promise<OperatorProcess> {
  const { child, started, exited } = spawnOperator(['--data', dataDir, '--port', String(port), '--json', '--log', `${dataDir}.log`, ...extraArgs], { env, ...opts });
  const start = await started.catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    ...start,
    port: Number(new URL(start.url).port),
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What one `comrad` run did. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * How long one `comrad` run may take before it is killed: a hung run must not outlive its test, but a
 * run that is only slow must not fail. At 25 s, runs on a machine loaded 25 deep (2 cores) were killed
 * mid-way (an anonymous answer, a registration); an integration test gives up after 60 s anyway.
 */
export const COMRAD_RUN_LIMIT_MS = 60_000;

/**
 * Runs the `comrad` bin once, like a person in a shell, and waits for it to exit.
 * @param args - the arguments after `comrad`
 * @param env - extra environment (e.g. COMRAD_PASSPHRASE, COMRAD_HOME)
 * @param cwd - the working directory (default: this process's)
 */
export function comrad(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<CliResult> {
  return startComrad(args, env, cwd).done;
}

/**
 * Starts the `comrad` bin without waiting: for tests that kill it mid-way. It is killed anyway after
 * {@link COMRAD_RUN_LIMIT_MS}.
 * @returns the child, and its result once it exited (by itself or by a signal)
 */
export function startComrad(args: string[], env: Record<string, string> = {}, cwd?: string): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [COMRAD_BIN, ...args], {
    ...(cwd === undefined ? {} : { cwd }),
    // No terminal: colours off, and the passphrase comes from the environment or a file.
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), COMRAD_RUN_LIMIT_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/**
 * Runs `comrad` as one comrade: `--home home(name)` and that comrade's passphrase in the environment.
 * @example `const as = comradAs((n) => join(root.dir, n), (n) => `${n} passphrase`); await as('alice')('whoami')`
 */
export function comradAs(home: (name: string) => string, pass: (name: string) => string) {
  return (name: string) =>
    (...args: string[]): Promise<CliResult> =>
      comrad(['--home', home(name), ...args], { COMRAD_PASSPHRASE: pass(name) });
}

/** The stdout of a run that exited 0 without an error line. */
export function ok(r: CliResult): string {
  expect(r.stderr, r.stderr).not.toMatch(/error/i);
  expect(r.code, r.signal ? `comrad was killed (${r.signal}): ran past ${COMRAD_RUN_LIMIT_MS / 1000} s or was stopped` : r.stderr).toBe(0);
  return r.stdout;
}
