/**
 * The cast of the CLI's end-to-end tests: one `comrad-op` process on LMDB and one registered `comrad` home
 * per person, each run as that person types it; and the README section a test checks its commands against.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempHome } from './operator.js';
import { comrad, ok, requireBuild, startOperatorProcess, type CliResult, type OperatorProcess } from './processes.js';

/** One `comrad` run as a person: the arguments after `comrad --home <their home>`. */
export type Run = (...args: string[]) => Promise<CliResult>;

/** A running Operator and its registered comrades. */
export interface Cast {
  readonly op: OperatorProcess;
  /** The scratch directory holding the Operator's data and every home (`<dir>/<name>`). */
  readonly dir: string;
  /** Runs `comrad` as `name`: their home, their passphrase (`passphraseOf`). */
  as(name: string): Run;
  /** Stops the Operator and removes the directory. */
  stop(): Promise<void>;
}

/** The passphrase each cast member's home is sealed with. */
export const passphraseOf = (name: string): string => `${name}'s long passphrase for the test`;

/**
 * Starts `comrad-op` (with `operatorArgs`, on `port`: 0 for any, `restartablePort()` for an Operator the
 * test restarts at the same address) and, for each name, adds it (pinned by fingerprint) and registers
 * the name, as the README's quickstart does.
 * @example `const cast = await startCast('comrad-events-', ['alice', 'bob']); ok(await cast.as('alice')('whoami'))`
 */
export async function startCast(prefix: string, names: readonly string[], operatorArgs: string[] = [], port = 0): Promise<Cast> {
  requireBuild();
  const root = await tempHome(prefix);
  const op = await startOperatorProcess(join(root.dir, 'operator'), port, operatorArgs);
  const as = (name: string): Run => (...args) => comrad(['--home', join(root.dir, name), ...args], { COMRAD_PASSPHRASE: passphraseOf(name) });
  const stop = async () => {
    await op.stop();
    await root.remove();
  };
  // Each home is its own: the comrades join side by side.
  const joined = await Promise.allSettled(
    names.map(async (name) => {
      ok(await as(name)('operator', 'add', op.url, '--key', op.fingerprint));
      ok(await as(name)('register', name));
    }),
  );
  const failed = joined.find((r) => r.status === 'rejected');
  if (failed) {
    // The caller never gets the cast to stop: leave no Operator running behind a failed set-up.
    await stop();
    throw failed.reason;
  }
  return { op, dir: root.dir, as, stop };
}

/** The README's `## <heading>` section, up to the next second-level heading; throws when there is none. */
export async function readmeSection(heading: string): Promise<string> {
  const readme = await readFile(fileURLToPath(new URL('../../../../README.md', import.meta.url)), 'utf8');
  const start = readme.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}
