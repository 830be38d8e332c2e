import type { ChildProcess } from 'node:child_process';

/** The built `comrad-op`. */
export const OPERATOR_BIN: string;
/** The built `comrad`. */
export const COMRAD_BIN: string;
/** Fails loudly (never skips) when the build is missing. */
export function requireBuild(): void;
/**
 * Spawns `comrad-op ARGS`; `started` resolves with its parsed `--json` start line. Registration costs no
 * proof of work unless `defaultPow` keeps the Operator's default (REG-6).
 */
export function spawnOperator(
  args: string[],
  o?: { env?: Record<string, string>; timeoutMs?: number; defaultPow?: boolean },
): {
  child: ChildProcess;
  started: Promise<{ event: string; url: string; operatorKey: string; fingerprint: string; crypto: string; onionUrl?: string; metricsUrl?: string }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
};
