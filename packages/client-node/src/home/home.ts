/**
 * The one directory that holds everything a comrade keeps locally (HOME-1): keystore, contacts, known
 * Operators and received mail. It is private to its owner: the directory is 0700 and every file 0600
 * (HOME-2), because it holds the sealed identity key and the letters received.
 * @module
 */
import { chmod, lstat, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** The files and folders inside a comrad home. */
export interface HomePaths {
  /** The home directory itself. */
  root: string;
  /** The identity key, sealed with the passphrase. */
  keystore: string;
  /** Pinned keys of other comrades (`contacts.json`). */
  contacts: string;
  /** Known Operators and their pinned keys (`operators.json`). */
  operators: string;
  /** Received letters, one encrypted file per letter. */
  mail: string;
  /** Letters that failed verification, kept apart (never shown as genuine). */
  rejected: string;
}

/**
 * The home directory to use: `COMRAD_HOME` when set, else `~/.comrad`.
 * @param env - the environment to read (defaults to `process.env`)
 * @returns an absolute path
 */
export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['COMRAD_HOME'];
  return resolve(fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), '.comrad'));
}

/**
 * The paths inside a home, without touching the disk.
 * @param root - the home directory
 */
export function homePaths(root: string): HomePaths {
  const abs = resolve(root);
  return {
    root: abs,
    keystore: join(abs, 'keystore.cks'),
    contacts: join(abs, 'contacts.json'),
    operators: join(abs, 'operators.json'),
    mail: join(abs, 'mail'),
    rejected: join(abs, 'rejected'),
  };
}

/**
 * Creates the home and its folders if missing, 0700, and tightens an existing home to 0700 (HOME-2).
 * Refuses a home that is a symbolic link or not a directory, so a planted link cannot redirect the
 * keystore somewhere else.
 * @param root - the home directory
 * @returns its paths
 * @throws UsageError BAD_ARGUMENT when the path exists and is not a plain directory
 */
export async function ensureHome(root: string): Promise<HomePaths> {
  const paths = homePaths(root);
  for (const dir of [paths.root, paths.mail, paths.rejected]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const st = await lstat(dir);
    if (!st.isDirectory() || st.isSymbolicLink()) {
      throw new UsageError('BAD_ARGUMENT', `${dir} must be a directory, not a link or a file`);
    }
    if ((st.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
  }
  return paths;
}
