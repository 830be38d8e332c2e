/**
 * The keystore (KS-*): a keymaker's name and key pair, sealed under a passphrase. Pure bytes in and out,
 * so browsers can use it too; `@comrad/client-node` writes it to disk atomically.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { bytesEqual, utf8 } from '../bytes.js';
import { decode, encode } from '../codec/msgpack.js';
import { Fields } from '../codec/fields.js';
import { KeyPair, PrivateKey, PublicKey } from '../crypto/keys.js';
import { sign, signAsync, verify, verifyAsync } from '../crypto/operations.js';
import { checkName, NAME_MAX } from '../envelope/name.js';
import { Keymaker } from './keymaker.js';
import { openContainer, sealContainer } from './_passphrase-container.js';

/** KS-1: the first 8 bytes of every keystore, in ASCII. */
export const KEYSTORE_MAGIC = 'COMRADKS';

/** KS-1: the keystore format version this implementation writes and reads. */
export const KEYSTORE_VERSION = 1;

/** KS-1: a keystore is at most 4 KiB (one is about 250 bytes); anything larger is not one. */
export const MAX_KEYSTORE_BYTES = 4096;

const FORMAT = { magic: KEYSTORE_MAGIC, version: KEYSTORE_VERSION, maxBytes: MAX_KEYSTORE_BYTES, what: 'keystore' } as const;
const CONTENT_FIELDS = ['name', 'priv', 'pub'] as const;
const MAX_CONTENT_BYTES = 512;
const PROBE = utf8('comrad/keystore/v1/probe');

/**
 * Seals a keymaker under a passphrase (KS-2). Slow on purpose: Themis derives the key with PBKDF2
 * (about 0.2 s).
 * @param keymaker - the name and key pair to keep
 * @param passphrase - non-empty; normalised to Unicode NFC so every keyboard yields the same bytes (KS-2)
 * @returns `"COMRADKS" || 0x01 || SHA-256(cell) || cell`
 * @example `await writeFile(path, await encodeKeystore(alice, passphrase))`
 */
export async function encodeKeystore(keymaker: Keymaker, passphrase: string): Promise<Uint8Array> {
  const content = encodeKeymakerContent(keymaker);
  try {
    return await sealContainer(FORMAT, content, passphrase);
  } finally {
    content.fill(0);
  }
}

/**
 * Opens a keystore (KS-3, in that order). Damage is told apart from a wrong passphrase by the checksum
 * in the clear header; past it, a failing cell means the wrong passphrase.
 * @throws ProtocolError CORRUPT_KEYSTORE (not a keystore, damaged, a cell asking for more than
 *   `MAX_PASSPHRASE_ITERATIONS` PBKDF2 iterations, or inconsistent inside), UNSUPPORTED_VERSION,
 *   WRONG_PASSPHRASE
 * @example `const alice = await decodeKeystore(await readFile(path), passphrase)`
 */
export async function decodeKeystore(bytes: Uint8Array, passphrase: string): Promise<Keymaker> {
  const content = await openContainer(FORMAT, bytes, passphrase);
  try {
    // Asynchronous, so a keystore opens on every crypto backend, webcrypto included (CRY-18).
    const { name, priv, pub } = parseContent(content);
    try {
      await verifyAsync(pub, await signAsync(priv, PROBE));
    } catch (err) {
      throw asCorrupt(err);
    }
    return new Keymaker(name, new KeyPair(priv, pub));
  } finally {
    content.fill(0);
  }
}

/**
 * The keystore content of a keymaker (KS-2): the canonical map `{name, priv, pub}`, unsealed. For other
 * containers that keep an identity under a key of their own (a client home's `identity` file, HOME-5).
 * The caller zeroes it after sealing.
 * @param keymaker - the identity
 * @returns the canonical msgpack bytes
 */
export function encodeKeymakerContent(keymaker: Keymaker): Uint8Array {
  if (!(keymaker instanceof Keymaker)) throw new TypeError('keymaker must be a Keymaker');
  return encode({ name: keymaker.name, priv: keymaker.keys.privateKey.raw, pub: keymaker.keys.publicKey.raw });
}

/**
 * Reads keystore content (KS-2, KS-3 step 7) that another container has already authenticated.
 * @param content - bytes from {@link encodeKeymakerContent}
 * @returns the keymaker
 * @throws ProtocolError CORRUPT_KEYSTORE (not canonical, a field missing, unknown or invalid, or the
 *   halves of two key pairs)
 */
export function decodeKeymakerContent(content: Uint8Array): Keymaker {
  if (!(content instanceof Uint8Array)) throw new TypeError('content must be a Uint8Array');
  return readContent(content);
}

/** KS-3 step 7: the content is authentic, so anything wrong in it is a corrupt (or foreign-made) keystore. */
function readContent(content: Uint8Array): Keymaker {
  const { name, priv, pub } = parseContent(content);
  try {
    // KS-2: the two halves must belong together, or this identity would sign with a key nobody can check.
    verify(pub, sign(priv, PROBE));
  } catch (err) {
    throw asCorrupt(err);
  }
  return new Keymaker(name, new KeyPair(priv, pub));
}

/** KS-3 step 7 up to the probe: the fields, their forms, the canonical encoding. */
function parseContent(content: Uint8Array): { name: string; priv: PrivateKey; pub: PublicKey } {
  try {
    const f = Fields.of(decode(content, MAX_CONTENT_BYTES), 'keystore', CONTENT_FIELDS);
    const name = f.str('name', { max: NAME_MAX });
    checkName(name);
    const priv = PrivateKey.from(f.bytes('priv', { max: 45 }));
    const pub = PublicKey.from(f.bytes('pub', { max: 77 }));
    if (!bytesEqual(encode({ name, priv: priv.raw, pub: pub.raw }), content)) throw corrupt('keystore content is not canonical');
    return { name, priv, pub };
  } catch (err) {
    throw asCorrupt(err);
  }
}

function asCorrupt(err: unknown): unknown {
  if (ProtocolError.is(err, 'CORRUPT_KEYSTORE')) return err;
  if (ProtocolError.is(err)) return corrupt(`keystore content is invalid (${err.code})`);
  return err;
}

function corrupt(message: string): ProtocolError {
  return new ProtocolError('CORRUPT_KEYSTORE', message);
}
