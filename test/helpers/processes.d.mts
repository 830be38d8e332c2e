import type { ChildProcess } from 'node:child_process';

/** The built `comrad-op`. */
export const OPERATOR_BIN: string;
/** The built `comrad`. */
export const COMRAD_BIN: string;
/** Fails loudly (never skips) when the build is missing. */
export function requireBuild(): void;
/** Spawns `comrad-op ARGS`; `started` resolves with its parsed `--json` start line. */
export function spawnOperator(
  args: string[],
  o?: { env?: Record<string, string>; timeoutMs?: number },
): {
  child: ChildProcess;
  started: Promise<{ event: string; url: string; operatorKey: string; fingerprint: string; crypto: string; onionUrl?: string }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
};
