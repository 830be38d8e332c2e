/**
 * A home unlocked with its passphrase (HOME-4..HOME-7): the home key opened from `home.key`, and through
 * it the sealed identity, contacts and known Operators. A seized home shows no name, no key and no
 * Operator address: only `home.key` (the home key under the passphrase), cells and mail cells.
 *
 * Changing the passphrase replaces `home.key` and nothing else, atomically (HOME-6): a crash at any
 * moment leaves a home that opens with the old passphrase or with the new one.
 * @module
 */
import { constants } from 'node:fs';
import { access, link, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ComradError, ProtocolError, SymmetricKey, cellOpen, cellSeal, utf8 } from '@comrad/core';
import { MAX_HOME_KEY_BYTES, decodeHomeKey, decodeKeymakerContent, encodeHomeKey, encodeKeymakerContent, type Keymaker } from '@comrad/core/keymaker';
import { atomicWrite, tempPathFor } from '@comrad/core/node';
import { UsageError } from '../errors.js';
import { loadKeystore } from '../files/keystore-file.js';
import { ContactBook } from '../store/contacts.js';
import { plainJsonFile, sealedJsonFile, type JsonStore } from '../store/json-file.js';
import { OperatorBook } from '../store/operators.js';
import { deriveHomeKey, type HomeKeyPurpose } from './home-key.js';
import { ensureHome, homePaths, type HomePaths } from './home.js';

/** What a home holds before it is unlocked, to decide how to ask for the passphrase. */
export interface HomeState {
  /** `home.key` exists: the home is sealed (HOME-4). */
  readonly sealed: boolean;
  /** A keystore made before sealing is waiting to be migrated (HOME-7). */
  readonly legacyKeystore: boolean;
  /** Plain `contacts.json` or `operators.json` wait to be migrated (HOME-7). */
  readonly legacyPlain: boolean;
  /**
   * Nothing checks a passphrase yet (no `home.key`, no keystore): unlocking now sets it, so ask for a new
   * one (twice, and its strength).
   */
  readonly newPassphrase: boolean;
}

const IDENTITY_CONTEXT = utf8('comrad/home/v1/identity');
/** A sealed identity is about 200 bytes; bounded before reading. */
const MAX_IDENTITY_BYTES = 1024;

/** A home whose home key is unlocked. */
export class SealedHome {
  readonly #key: SymmetricKey;
  readonly #derived = new Map<HomeKeyPurpose, SymmetricKey>();
  #wiped = false;

  private constructor(
    /** The home's paths. */
    readonly paths: HomePaths,
    key: SymmetricKey,
  ) {
    this.#key = key;
  }

  /**
   * What the home at `root` holds, without a passphrase. Creates nothing: a command that then refuses
   * (no home here, a weak new passphrase) leaves the disk as it was.
   * @param root - the home directory
   */
  static async state(root: string): Promise<HomeState> {
    const paths = homePaths(root);
    const sealed = await exists(paths.homeKey);
    const legacyKeystore = await exists(paths.legacy.keystore);
    const legacyPlain = (await exists(paths.legacy.contacts)) || (await exists(paths.legacy.operators));
    return { sealed, legacyKeystore, legacyPlain, newPassphrase: !sealed && !legacyKeystore };
  }

  /**
   * Unlocks the home at `root` with `passphrase`, creating it (with a new home key sealed under
   * `passphrase`) when nothing in it checks a passphrase yet, and finishing any migration of files made
   * before sealing (HOME-7).
   * @param root - the home directory (created 0700 if missing, HOME-2)
   * @param passphrase - the home's passphrase (or the new one, for a new home)
   * @returns the unlocked home
   * @throws ProtocolError WRONG_PASSPHRASE (nothing changed), CORRUPT_KEYSTORE, UNSUPPORTED_VERSION,
   *   MALFORMED (a damaged file); UsageError BAD_ARGUMENT (a home that cannot be made private)
   * @example `const home = await SealedHome.unlock(defaultHome(), passphrase)`
   */
  static async unlock(root: string, passphrase: string): Promise<SealedHome> {
    const paths = await ensureHome(root);
    let legacy: Keymaker | undefined;
    if (!(await exists(paths.homeKey)) && (await exists(paths.legacy.keystore))) {
      // HOME-7: the old keystore checks the passphrase before anything is written, so a wrong one
      // changes nothing (and never becomes the passphrase of a new home key).
      legacy = await loadKeystore(paths.legacy.keystore, passphrase);
    }
    const key = (await readHomeKey(paths, passphrase)) ?? (await createHomeKey(paths, passphrase));
    const home = new SealedHome(paths, key);
    try {
      await home.#migrate(passphrase, legacy);
    } catch (err) {
      home.wipe();
      throw err;
    } finally {
      legacy?.wipe();
    }
    return home;
  }

  /** The sealed contacts file (HOME-5). */
  get contactsFile(): JsonStore {
    return sealedJsonFile(this.paths.contacts, this.#keyFor('contacts'), 'contacts');
  }

  /** The sealed Operators file (HOME-5). */
  get operatorsFile(): JsonStore {
    return sealedJsonFile(this.paths.operators, this.#keyFor('operators'), 'operators');
  }

  /** The pinned contacts. @throws ProtocolError MALFORMED (damaged) */
  async contacts(): Promise<ContactBook> {
    return ContactBook.load(this.contactsFile);
  }

  /** The known Operators. @throws ProtocolError MALFORMED (damaged) */
  async operators(): Promise<OperatorBook> {
    return OperatorBook.load(this.operatorsFile);
  }

  /** Whether an identity is kept in this home. */
  hasIdentity(): Promise<boolean> {
    return exists(this.paths.identity);
  }

  /**
   * The identity kept in this home (HOME-5).
   * @returns the keymaker (wipe it when done)
   * @throws UsageError NO_KEYSTORE (none yet); ProtocolError CORRUPT_KEYSTORE (damaged)
   */
  async identity(): Promise<Keymaker> {
    let bytes: Buffer;
    try {
      if ((await stat(this.paths.identity)).size > MAX_IDENTITY_BYTES) throw corrupt('the identity file is too large');
      bytes = await readFile(this.paths.identity);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError('NO_KEYSTORE', 'no identity in this home yet: run `comrad register NAME` first');
      throw err;
    }
    let content: Uint8Array;
    try {
      content = cellOpen(this.#keyFor('identity'), new Uint8Array(bytes), IDENTITY_CONTEXT);
    } catch (err) {
      if (ProtocolError.is(err)) throw corrupt('the identity file does not open under this home key (damaged or swapped)');
      throw err;
    }
    try {
      return decodeKeymakerContent(content);
    } finally {
      content.fill(0);
    }
  }

  /**
   * Keeps `keymaker` as this home's identity (HOME-5), replacing none.
   * @throws UsageError KEYSTORE_EXISTS (an identity is already kept here)
   */
  async saveIdentity(keymaker: Keymaker): Promise<void> {
    if (await this.hasIdentity()) throw new UsageError('KEYSTORE_EXISTS', `this home already holds an identity (${this.paths.identity}); use another --home`);
    await this.#writeIdentity(keymaker);
  }

  /**
   * Changes the passphrase (HOME-6): only `home.key` is rewritten, atomically, under the new passphrase;
   * the home key itself, and so every sealed file, stays the same.
   * @param passphrase - the new passphrase
   */
  async changePassphrase(passphrase: string): Promise<void> {
    await atomicWrite(this.paths.homeKey, await encodeHomeKey(this.#liveKey(), passphrase));
  }

  /** Overwrites the home key and the keys derived from it in memory; the home is locked afterwards. */
  wipe(): void {
    this.#wiped = true;
    this.#key.wipe();
    for (const k of this.#derived.values()) k.wipe();
    this.#derived.clear();
  }

  async #writeIdentity(keymaker: Keymaker): Promise<void> {
    const content = encodeKeymakerContent(keymaker);
    try {
      await atomicWrite(this.paths.identity, cellSeal(this.#keyFor('identity'), content, IDENTITY_CONTEXT));
    } finally {
      content.fill(0);
    }
  }

  /**
   * HOME-7, idempotent, each step safe to repeat after a crash: the sealed copy is written before the
   * plain one is removed, and a sealed file present is newer than any plain one left beside it.
   */
  async #migrate(passphrase: string, opened: Keymaker | undefined): Promise<void> {
    const { legacy } = this.paths;
    if (await exists(legacy.keystore)) {
      const old = opened ?? (await loadKeystore(legacy.keystore, passphrase));
      try {
        if (!(await this.hasIdentity())) await this.#writeIdentity(old);
        else if (!(await this.identity()).publicKey.equals(old.publicKey)) {
          throw new UsageError('KEYSTORE_EXISTS', `${legacy.keystore} holds another identity than this home's: move one of them away`);
        }
      } finally {
        if (old !== opened) old.wipe();
      }
      // The keystore is sealed under the passphrase: removing it is enough.
      await unlink(legacy.keystore);
    }
    for (const [plain, sealed, load] of [
      [legacy.contacts, this.contactsFile, ContactBook.load],
      [legacy.operators, this.operatorsFile, OperatorBook.load],
    ] as const) {
      if (!(await exists(plain))) continue;
      if (!(await exists(sealed.path))) await (await load(plainJsonFile(plain))).moveTo(sealed);
      await scrub(plain);
    }
    // A crash during an old atomic write could leave a plain temporary copy behind.
    for (const name of await readdir(this.paths.root)) {
      if (/^(contacts|operators)\.json\.tmp-[0-9a-f]+$/.test(name)) await scrub(join(this.paths.root, name));
    }
  }

  #liveKey(): SymmetricKey {
    if (this.#wiped) throw new UsageError('NOT_LOGGED_IN', 'the home was locked');
    return this.#key;
  }

  #keyFor(purpose: HomeKeyPurpose): SymmetricKey {
    let key = this.#derived.get(purpose);
    if (!key) this.#derived.set(purpose, (key = deriveHomeKey(this.#liveKey(), purpose)));
    else this.#liveKey();
    return key;
  }
}

async function readHomeKey(paths: HomePaths, passphrase: string): Promise<SymmetricKey | undefined> {
  let bytes: Buffer;
  try {
    if ((await stat(paths.homeKey)).size > MAX_HOME_KEY_BYTES) throw corrupt('not a home key: too large');
    bytes = await readFile(paths.homeKey);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return decodeHomeKey(new Uint8Array(bytes), passphrase);
}

/**
 * Creates `home.key` with a fresh key, never replacing one: two processes unlocking a new home at once
 * must not each seal their files under a key of their own. The loser opens the winner's.
 */
async function createHomeKey(paths: HomePaths, passphrase: string): Promise<SymmetricKey> {
  const key = SymmetricKey.generate();
  const temp = tempPathFor(paths.homeKey);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(await encodeHomeKey(key, passphrase));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // link() fails if home.key exists: an atomic "create unless present", unlike rename.
    await link(temp, paths.homeKey);
  } catch (err) {
    key.wipe();
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const theirs = await readHomeKey(paths, passphrase);
    if (!theirs) throw err;
    return theirs;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDir(dirname(paths.homeKey));
  return key;
}

/**
 * Overwrites a plain file with zeros, then removes it (HOME-7). Best effort: a journaling file system or
 * an SSD may keep old blocks, which is why the README says to keep the home on an encrypted disk.
 */
async function scrub(path: string): Promise<void> {
  try {
    // O_NOFOLLOW: never write through a link planted where the plain file was (HOME-2).
    const handle = await open(path, constants.O_WRONLY | constants.O_NOFOLLOW);
    try {
      const { size } = await handle.stat();
      await handle.write(new Uint8Array(size), 0, size, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'ELOOP') throw err;
  }
  await unlink(path);
  await syncDir(dirname(path));
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function corrupt(message: string): ComradError {
  return new ProtocolError('CORRUPT_KEYSTORE', message);
}
