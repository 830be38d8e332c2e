/**
 * The one directory that holds everything a comrade keeps locally (HOME-1): keystore, contacts, known
 * Operators and received mail. It is private to its owner: the directory is 0700 and every file 0600
 * (HOME-2), because it holds the sealed identity key and the letters received.
 * @module
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { privateDir } from '@comrad/core/node';
import { UsageError } from '../errors.js';

/** The files and folders inside a comrad home. */
export interface HomePaths {
  /** The home directory itself. */
  root: string;
  /** The home key, sealed with the passphrase: the only file the passphrase opens (HOME-4). */
  homeKey: string;
  /** The identity (name and key pair), sealed under the home key (HOME-5). */
  identity: string;
  /** Pinned keys of other comrades, sealed under the home key (HOME-5). */
  contacts: string;
  /** Known Operators and their pinned keys, sealed under the home key (HOME-5). */
  operators: string;
  /** Received letters, one encrypted file per letter. */
  mail: string;
  /** Letters that failed verification, kept apart (never shown as genuine). */
  rejected: string;
  /** Files of homes made before sealing, migrated and removed on first unlock (HOME-7). */
  legacy: {
    /** The keystore (KS-*), sealed with the passphrase itself. */
    keystore: string;
    /** Plain `contacts.json`. */
    contacts: string;
    /** Plain `operators.json`. */
    operators: string;
  };
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
    homeKey: join(abs, 'home.key'),
    identity: join(abs, 'identity.sealed'),
    contacts: join(abs, 'contacts.sealed'),
    operators: join(abs, 'operators.sealed'),
    mail: join(abs, 'mail'),
    rejected: join(abs, 'rejected'),
    legacy: { keystore: join(abs, 'keystore.cks'), contacts: join(abs, 'contacts.json'), operators: join(abs, 'operators.json') },
  };
}

/**
 * Creates the home and its folders if missing, 0700, and tightens an existing home to 0700 (HOME-2).
 * Refuses a home that is a symbolic link, not a directory or owned by another user, so a planted link or
 * directory cannot redirect or expose the keystore.
 * @param root - the home directory
 * @returns its paths
 * @throws UsageError BAD_ARGUMENT when a folder cannot be made private
 */
export async function ensureHome(root: string): Promise<HomePaths> {
  const paths = homePaths(root);
  for (const dir of [paths.root, paths.mail, paths.rejected]) {
    try {
      await privateDir(dir);
    } catch (err) {
      throw new UsageError('BAD_ARGUMENT', (err as Error).message);
    }
  }
  return paths;
}
