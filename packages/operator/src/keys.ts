/**
 * The Operator's keys on disk (KEYS-*): the Operator key pair (signs registry statements) and the world
 * account key pair (`@comrades`, seals epoch keys), each in a passphrase-sealed keystore, and their public
 * halves in a plain `operator.json` so `comrad-op key` needs no passphrase.
 *
 * Layout of the data directory (0700):
 * - `operator.keystore`, `world.keystore` — `@comrad/core/keymaker` keystores (0600)
 * - `operator.json` — `{v, operatorKey, worldKey, fingerprint, worldFingerprint}` (hex keys; 0600)
 * - `operator.passphrase` — only when the passphrase was generated on first start (0600): the keys are
 *   then only as safe as this directory (KEYS-4)
 * @module
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PublicKey, SymmetricKey, fromHex, type KeyPair } from '@comrad/core';
import { OPERATOR_NAME, WORLD_NAME } from '@comrad/core/envelope';
import { Keymaker, decodeKeystore, encodeKeystore } from '@comrad/core/keymaker';
import { atomicWrite, privateDir } from '@comrad/core/node';
import type { OperatorKeys } from './handlers.js';

/** The environment variable holding the passphrase for unattended starts (KEYS-3). */
export const PASSPHRASE_ENV = 'COMRAD_OPERATOR_PASSPHRASE';

/** File names inside the data directory. */
export const KEY_FILES = {
  operator: 'operator.keystore',
  world: 'world.keystore',
  public: 'operator.json',
  passphrase: 'operator.passphrase',
} as const;

/** The Operator's public identity, as `operator.json` and `comrad-op key` show it. */
export interface OperatorPublicInfo {
  readonly operatorKey: PublicKey;
  readonly worldKey: PublicKey;
  /** Fingerprint of the Operator key (KEY-4): what people compare before pinning. */
  readonly fingerprint: string;
  readonly worldFingerprint: string;
}

/** Where the passphrase came from. */
export type PassphraseSource = 'file' | 'env' | 'data-dir' | 'generated';

/** Options of {@link loadOrCreateKeys}. */
export interface LoadKeysOptions {
  /** The data directory; created 0700 if missing. */
  dataDir: string;
  /** A file holding the passphrase (first line); wins over the environment. */
  passphraseFile?: string;
  /** The environment to read {@link PASSPHRASE_ENV} from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Told when the passphrase had to be generated into the data directory (KEYS-4). */
  onGeneratedPassphrase?: (path: string) => void;
}

/** What {@link loadOrCreateKeys} found or made. */
export interface LoadedKeys {
  readonly keys: OperatorKeys;
  readonly publicInfo: OperatorPublicInfo;
  /** True on the first start, when the keys were just made. */
  readonly created: boolean;
  readonly passphraseSource: PassphraseSource;
}

/**
 * Opens the Operator's keys in `dataDir`, creating them on the first start (KEYS-1..KEYS-4).
 * @throws Error when the keystores exist but no passphrase was given; ProtocolError WRONG_PASSPHRASE,
 *   CORRUPT_KEYSTORE (also when `operator.json` does not match the keystores)
 * @example `const { keys } = await loadOrCreateKeys({ dataDir: './data' })`
 */
export async function loadOrCreateKeys(options: LoadKeysOptions): Promise<LoadedKeys> {
  const dir = options.dataDir;
  await privateDir(dir);
  const existing = await readOptional(join(dir, KEY_FILES.operator));
  const given = await givenPassphrase(options);
  if (existing) {
    const found = given ?? (await readPassphraseFile(join(dir, KEY_FILES.passphrase)));
    if (!found) throw new Error(`the Operator keys in ${dir} are sealed: set ${PASSPHRASE_ENV} or pass --passphrase-file`);
    const source: PassphraseSource = given ? (options.passphraseFile ? 'file' : 'env') : 'data-dir';
    const operator = await decodeKeystore(existing, found);
    const world = await decodeKeystore(await readFile(join(dir, KEY_FILES.world)), found);
    const publicInfo = await readPublicInfo(dir);
    if (!publicInfo.operatorKey.equals(operator.publicKey) || !publicInfo.worldKey.equals(world.publicKey)) {
      throw new Error(`${KEY_FILES.public} does not match the keystores in ${dir}`);
    }
    return { keys: operatorKeys(operator.keys, world.keys), publicInfo, created: false, passphraseSource: source };
  }
  let passphrase = given;
  let source: PassphraseSource = options.passphraseFile ? 'file' : 'env';
  if (!passphrase) {
    // KEYS-4: unattended first start without a passphrase: generate one and keep it next to the keys.
    passphrase = randomBytes(32).toString('base64url');
    source = 'generated';
    const path = join(dir, KEY_FILES.passphrase);
    await atomicWrite(path, `${passphrase}\n`);
    options.onGeneratedPassphrase?.(path);
  }
  const operator = Keymaker.generate(OPERATOR_NAME);
  const world = Keymaker.generate(WORLD_NAME);
  const publicInfo = publicInfoOf(operator.publicKey, world.publicKey);
  // operator.keystore is written last: its presence is what marks the key files as complete, so a crash
  // half-way through the first start leaves a directory the next start simply fills again.
  await atomicWrite(join(dir, KEY_FILES.world), await encodeKeystore(world, passphrase));
  await atomicWrite(join(dir, KEY_FILES.public), publicJson(publicInfo));
  await atomicWrite(join(dir, KEY_FILES.operator), await encodeKeystore(operator, passphrase));
  return { keys: operatorKeys(operator.keys, world.keys), publicInfo, created: true, passphraseSource: source };
}

/**
 * Reads the public keys from `operator.json` (no passphrase needed).
 * @throws Error when the file is missing or not an Operator's public file
 */
export async function readPublicInfo(dataDir: string): Promise<OperatorPublicInfo> {
  const path = join(dataDir, KEY_FILES.public);
  const text = await readFile(path, 'utf8');
  const json = JSON.parse(text) as { v?: unknown; operatorKey?: unknown; worldKey?: unknown };
  if (json.v !== 1 || typeof json.operatorKey !== 'string' || typeof json.worldKey !== 'string') throw new Error(`${path} is not an Operator public file`);
  return publicInfoOf(PublicKey.from(fromHex(json.operatorKey)), PublicKey.from(fromHex(json.worldKey)));
}

/**
 * The at-rest key (FEED-2): HKDF-SHA256 of the world private key, salted with the Operator's public key.
 * Derived, not stored, so it is exactly as protected as the world keystore.
 */
export function deriveAtRestKey(world: KeyPair, operatorKey: PublicKey): SymmetricKey {
  const bytes = new Uint8Array(hkdfSync('sha256', world.privateKey.raw, operatorKey.raw, 'comrad/operator/at-rest/v1', 32));
  try {
    return SymmetricKey.from(bytes);
  } finally {
    bytes.fill(0);
  }
}

/** The keys `startOperator` takes, from the two key pairs. */
export function operatorKeys(operator: KeyPair, world: KeyPair): OperatorKeys {
  return { operator, world, atRestKey: deriveAtRestKey(world, operator.publicKey) };
}

function publicJson(p: OperatorPublicInfo): string {
  const json = { v: 1, operatorKey: p.operatorKey.toHex(), worldKey: p.worldKey.toHex(), fingerprint: p.fingerprint, worldFingerprint: p.worldFingerprint };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function publicInfoOf(operatorKey: PublicKey, worldKey: PublicKey): OperatorPublicInfo {
  return { operatorKey, worldKey, fingerprint: operatorKey.fingerprint(), worldFingerprint: worldKey.fingerprint() };
}

async function givenPassphrase(options: LoadKeysOptions): Promise<string | undefined> {
  if (options.passphraseFile) {
    const p = await readPassphraseFile(options.passphraseFile);
    if (!p) throw new Error(`${options.passphraseFile} holds no passphrase`);
    return p;
  }
  const env = (options.env ?? process.env)[PASSPHRASE_ENV];
  return env ? env : undefined;
}

/** The first line of a passphrase file, or undefined when there is no such file. */
async function readPassphraseFile(path: string): Promise<string | undefined> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  const line = text?.split(/\r?\n/)[0];
  return line ? line : undefined;
}

async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
