/**
 * The `node` backend: Themis Secure Message and Secure Cell framing over node:crypto (OpenSSL), byte for
 * byte what wasm-themis emits and accepts (`THEMIS-FORMATS.md`, CRY-2, CRY-3, CRY-10). Every primitive —
 * ECDSA P-256/SHA-256, ECDH, AES-GCM, HMAC-SHA256 — is OpenSSL's; only the framing is written here.
 *
 * At this seam the backend follows Themis, not Comrad: it accepts what Themis accepts (a signed message
 * with bytes after the signature, AES-128/192 cells, longer IV and tag fields, junk after the cell token)
 * and fails with the code the wasm backend gives for the same input (CRY-11). Comrad's stricter framing
 * (`_framing.ts`, CRY-5..CRY-8) is applied above both backends.
 * @internal
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2, randomFillSync, sign as ecdsaSign, verify as ecdsaVerify } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { ProtocolError, type ErrorCode } from '../errors.js';
import type { CryptoBackend } from './_backend.js';
import { CELL_ALG, CELL_TOKEN, PASSPHRASE_CELL_ALG, PASSPHRASE_CELL_TOKEN, SM_ENCRYPTED, SM_SIGNED } from './_framing.js';
import { checkPrivateKey, generateKeyPair, publicPoint, sharedSecret, signerOf, verifierOf } from './_node-keys.js';
import type { PrivateKey, PublicKey } from './keys.js';

const SIGNED_HEADER = 12;
const ENCRYPTED_HEADER = 8;
const IV = 12;
const TAG = 16;
/** Secure Message type tags: the top 24 bits say "signed" / "encrypted"; the low byte the algorithm. */
const SM_KIND_MASK = 0xffffff00;
const SM_RSA_SIGNED = 0x26042610;
const EMPTY = new Uint8Array(0);

/** Soter KDF input before the context (CRY-3): counter 1, the label, a zero byte, then u32le(n). */
const KDF_HEAD = Buffer.concat([Buffer.of(0, 0, 0, 1), Buffer.from('Themis secure cell message key', 'latin1'), Buffer.of(0), Buffer.alloc(4)]);
const KDF_LENGTH_AT = KDF_HEAD.length - 4;

/** Secure Cell algorithm words Themis opens: AES-GCM with a 128, 192 or 256-bit key, no KDF bits. */
const CELL_CIPHERS = new Map<number, { name: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'; keyLength: number }>([
  [0x40010080, { name: 'aes-128-gcm', keyLength: 16 }],
  [0x400100c0, { name: 'aes-192-gcm', keyLength: 24 }],
  [CELL_ALG, { name: 'aes-256-gcm', keyLength: 32 }],
]);

/**
 * SHA-256 by OpenSSL, for the proof-of-work solver (POW-*): on the 100-byte inputs it hashes, `crypto.hash`
 * (Node ≥ 20.12) is about twice as fast as @noble/hashes, `createHash` a little faster; same bytes.
 * Looked up at run time: a named import of `hash` would fail to link on an older Node 20.
 */
export const nativeSha256: ((data: Uint8Array) => Uint8Array) | undefined = (() => {
  const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;
  if (typeof oneShot === 'function') return (data: Uint8Array) => oneShot('sha256', data, 'buffer');
  return (data: Uint8Array) => nodeCrypto.createHash('sha256').update(data).digest();
})();

/** Loads the node backend. Nothing to initialise: node:crypto is always there on Node. */
export async function loadNodeBackend(): Promise<CryptoBackend> {
  return backend;
}

const backend: CryptoBackend = {
  name: 'node',
  generateKeyPair: () => guard('INTERNAL', generateKeyPair),
  sign: (key, message) => guard('INVALID_KEY', () => signMessage(key, message)),
  verify: (key, signed) => guard('BAD_SIGNATURE', () => verifyMessage(key, signed)),
  encrypt: (own, peer, message) => guard('INVALID_KEY', () => encryptMessage(own, peer, message, randomIv())),
  decrypt: (own, peer, wrapped) => guard('DECRYPT_FAILED', () => decryptMessage(own, peer, wrapped)),
  cellSeal: (key, message, context) => guard('INTERNAL', () => sealCell(key, message, context, randomIv())),
  cellOpen: (key, sealed, context) => guard('DECRYPT_FAILED', () => openCell(key, sealed, context)),
  checkPublicKey: (key) => guard('INVALID_KEY', () => void publicPoint(key)),
  passphraseSeal: (passphrase, message, context) => guardAsync('INTERNAL', () => sealPassphrase(passphrase, message, context, randomFillSync(new Uint8Array(SALT)), randomIv())),
  passphraseOpen: (passphrase, sealed, context) => guardAsync('DECRYPT_FAILED', () => openPassphrase(passphrase, sealed, context)),
};

/**
 * Fixed-IV variants for the differential tests, which must show byte-identical output to wasm-themis for
 * the same IV (CRY-10). Never reachable from the public API: a repeated IV under one key breaks GCM.
 * @internal
 */
export const _testing = {
  cellSealWithIv(key: Uint8Array, message: Uint8Array, context: Uint8Array, iv: Uint8Array): Uint8Array {
    const fixed = fixedIv(iv);
    return guard('INTERNAL', () => sealCell(key, message, context, fixed));
  },
  encryptWithIv(own: PrivateKey, peer: PublicKey, message: Uint8Array, iv: Uint8Array): Uint8Array {
    const fixed = fixedIv(iv);
    return guard('INVALID_KEY', () => encryptMessage(own, peer, message, fixed));
  },
  passphraseSealWith(passphrase: string, message: Uint8Array, context: Uint8Array, salt: Uint8Array, iv: Uint8Array, iterations: number): Promise<Uint8Array> {
    const fixed = fixedIv(iv);
    if (!(salt instanceof Uint8Array) || salt.length !== SALT) throw new TypeError(`salt must be ${SALT} bytes`);
    return guardAsync('INTERNAL', () => sealPassphrase(passphrase, message, context, salt, fixed, iterations));
  },
};

/** Passphrase cells (CRY-9): the salt Themis draws, and the PBKDF2 iterations it writes. */
const SALT = 16;
const THEMIS_ITERATIONS = 314_110;

/**
 * PBKDF2-HMAC-SHA256 of the UTF-8 passphrase (CRY-9) on libuv's thread pool, so two derivations (the
 * Operator's two keystores) run on two cores at once and the event loop stays free.
 */
function deriveFromPassphrase(passphrase: string, salt: Uint8Array, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => pbkdf2(Buffer.from(passphrase, 'utf8'), salt, iterations, 32, 'sha256', (err, key) => (err ? reject(err) : resolve(key))));
}

/** Secure Cell, seal mode, passphrase (CRY-9): the 70-byte token (with iterations and salt), then the ciphertext. */
async function sealPassphrase(passphrase: string, message: Uint8Array, context: Uint8Array, salt: Uint8Array, iv: Uint8Array, iterations = THEMIS_ITERATIONS): Promise<Uint8Array> {
  if (passphrase.length === 0 || message.length === 0) throw new Error('empty passphrase or message');
  const master = await deriveFromPassphrase(passphrase, salt, iterations);
  try {
    const { ciphertext, tag } = gcmSeal(master, message, context, iv);
    const out = output(PASSPHRASE_CELL_TOKEN + message.length);
    const view = viewOf(out);
    view.setUint32(0, PASSPHRASE_CELL_ALG, true);
    view.setUint32(4, IV, true);
    view.setUint32(8, TAG, true);
    view.setUint32(12, message.length, true);
    view.setUint32(16, 4 + 2 + SALT, true);
    out.set(iv, 20);
    out.set(tag, 20 + IV);
    view.setUint32(48, iterations, true);
    view.setUint16(52, SALT, true);
    out.set(salt, 54);
    out.set(ciphertext, PASSPHRASE_CELL_TOKEN);
    return out;
  } finally {
    master.fill(0);
  }
}

/**
 * Opens a passphrase cell whose framing and iteration count `checkPassphraseCell` has already checked
 * (CRY-17): the layout is then exactly CRY-9's.
 */
async function openPassphrase(passphrase: string, sealed: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
  if (passphrase.length === 0) throw new Error('empty passphrase');
  const view = viewOf(sealed);
  const n = view.getUint32(12, true);
  const master = await deriveFromPassphrase(passphrase, sealed.subarray(54, 54 + SALT), view.getUint32(48, true));
  try {
    const key = messageKey(master, n, context, 32);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(20, 20 + IV));
    key.fill(0);
    decipher.setAuthTag(sealed.subarray(20 + IV, 20 + IV + TAG));
    if (context.length > 0) decipher.setAAD(context);
    const plaintext = decipher.update(sealed.subarray(PASSPHRASE_CELL_TOKEN, PASSPHRASE_CELL_TOKEN + n));
    decipher.final(); // throws when the tag does not authenticate
    return owned(plaintext);
  } finally {
    master.fill(0);
  }
}

/** Secure Message, sign mode (CRY-2): header, the message, then the DER ECDSA signature of it. */
function signMessage(key: PrivateKey, message: Uint8Array): Uint8Array {
  if (message.length === 0) throw new Error('empty message');
  const signature = ecdsaSign('sha256', message, signerOf(key));
  const out = output(SIGNED_HEADER + message.length + signature.length);
  const view = viewOf(out);
  view.setUint32(0, SM_SIGNED, true);
  view.setUint32(4, message.length, true);
  view.setUint32(8, signature.length, true);
  out.set(message, SIGNED_HEADER);
  out.set(signature, SIGNED_HEADER + message.length);
  return out;
}

/**
 * Secure Message verify, as Themis does it: any "signed" type tag but RSA's, an EC key; the declared parts
 * must fit (bytes after them are allowed); the message must be non-empty; DER signature checked by OpenSSL.
 */
function verifyMessage(key: PublicKey, signed: Uint8Array): Uint8Array {
  if (signed.length < SIGNED_HEADER) throw new Error('shorter than the header');
  const view = viewOf(signed);
  const type = view.getUint32(0, true);
  if ((type & SM_KIND_MASK) >>> 0 !== (SM_SIGNED & SM_KIND_MASK) >>> 0 || type === SM_RSA_SIGNED) throw new Error('not an EC signed message');
  const n = view.getUint32(4, true);
  const s = view.getUint32(8, true);
  if (n === 0 || SIGNED_HEADER + n + s > signed.length) throw new Error('parts do not fit');
  const message = signed.subarray(SIGNED_HEADER, SIGNED_HEADER + n);
  const signature = signed.subarray(SIGNED_HEADER + n, SIGNED_HEADER + n + s);
  if (!ecdsaVerify('sha256', message, verifierOf(key), signature)) throw new ProtocolError('BAD_SIGNATURE', 'signature does not verify');
  return new Uint8Array(message); // a copy, never a view of the caller's bytes
}

/** Secure Message, encrypt mode (CRY-3): header, then a Secure Cell under the ECDH secret, no context. */
function encryptMessage(own: PrivateKey, peer: PublicKey, message: Uint8Array, iv: Uint8Array): Uint8Array {
  if (message.length === 0) throw new Error('empty message');
  const out = output(ENCRYPTED_HEADER + CELL_TOKEN + message.length);
  const view = viewOf(out);
  view.setUint32(0, SM_ENCRYPTED, true);
  view.setUint32(4, out.length, true);
  sealInto(out, ENCRYPTED_HEADER, sharedSecret(own, peer), message, EMPTY, iv);
  return out;
}

/** Secure Message decrypt, as Themis does it: exact type tag, total length equal to the declared one. */
function decryptMessage(own: PrivateKey, peer: PublicKey, wrapped: Uint8Array): Uint8Array {
  // CRY-11: the key container first, as wasm-themis reads it, or a bad header would answer DECRYPT_FAILED.
  checkPrivateKey(own);
  if (wrapped.length <= ENCRYPTED_HEADER) throw new Error('shorter than the header');
  const view = viewOf(wrapped);
  if (view.getUint32(0, true) !== SM_ENCRYPTED || view.getUint32(4, true) !== wrapped.length) throw new Error('not an EC encrypted message');
  return openCell(sharedSecret(own, peer), wrapped.subarray(ENCRYPTED_HEADER), EMPTY);
}

/** Secure Cell, seal mode (CRY-3): the 44-byte token, then the ciphertext. */
function sealCell(key: Uint8Array, message: Uint8Array, context: Uint8Array, iv: Uint8Array): Uint8Array {
  if (key.length === 0 || message.length === 0) throw new Error('empty key or message');
  const out = output(CELL_TOKEN + message.length);
  sealInto(out, 0, key, message, context, iv);
  return out;
}

/** CRY-3's AES-256-GCM under the Soter KDF's message key, the context as additional data (also CRY-9's). */
function gcmSeal(master: Uint8Array, message: Uint8Array, context: Uint8Array, iv: Uint8Array): { ciphertext: Buffer; tag: Buffer } {
  const key = messageKey(master, message.length, context, 32);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  key.fill(0);
  if (context.length > 0) cipher.setAAD(context);
  const ciphertext = cipher.update(message);
  cipher.final();
  return { ciphertext, tag: cipher.getAuthTag() };
}

function sealInto(out: Uint8Array, at: number, master: Uint8Array, message: Uint8Array, context: Uint8Array, iv: Uint8Array): void {
  const { ciphertext, tag } = gcmSeal(master, message, context, iv);
  const view = new DataView(out.buffer, out.byteOffset + at, CELL_TOKEN);
  view.setUint32(0, CELL_ALG, true);
  view.setUint32(4, IV, true);
  view.setUint32(8, TAG, true);
  view.setUint32(12, message.length, true);
  out.set(iv, at + 16);
  out.set(tag, at + 16 + IV);
  out.set(ciphertext, at + CELL_TOKEN);
}

/**
 * Secure Cell open, as Themis does it (`themis_secure_cell_decrypt_seal`): the ciphertext is the last
 * `message_length` bytes, the token everything before it; the token's IV and tag fields may be longer than
 * 12 and 16 bytes (their first 12 and 16 bytes are used) and may be followed by unused bytes.
 */
function openCell(key: Uint8Array, sealed: Uint8Array, context: Uint8Array): Uint8Array {
  if (key.length === 0 || sealed.length < 16) throw new Error('empty key or short cell');
  const view = viewOf(sealed);
  const n = view.getUint32(12, true);
  const tokenLength = sealed.length - n;
  if (n === 0 || tokenLength < 16) throw new Error('lengths do not fit');
  const alg = view.getUint32(0, true);
  const ivLength = view.getUint32(4, true);
  const tagLength = view.getUint32(8, true);
  const cipherSpec = CELL_CIPHERS.get(alg);
  if (!cipherSpec || ivLength < IV || tagLength < TAG || 16 + ivLength + tagLength > tokenLength) throw new Error('token not usable');
  const decryptKey = messageKey(key, n, context, cipherSpec.keyLength);
  const decipher = createDecipheriv(cipherSpec.name, decryptKey, sealed.subarray(16, 16 + IV));
  decryptKey.fill(0);
  decipher.setAuthTag(sealed.subarray(16 + ivLength, 16 + ivLength + TAG));
  if (context.length > 0) decipher.setAAD(context);
  const plaintext = decipher.update(sealed.subarray(tokenLength));
  decipher.final(); // throws when the tag does not authenticate
  return owned(plaintext);
}

/** Soter KDF (CRY-3): HMAC-SHA256(master, 00000001 || label || 00 || u32le(n) || context), truncated. */
function messageKey(master: Uint8Array, messageLength: number, context: Uint8Array, length: number): Buffer {
  // HMAC.update copies its input at once, so one shared head buffer is safe (JavaScript runs one call at a time).
  KDF_HEAD.writeUInt32LE(messageLength, KDF_LENGTH_AT);
  const hmac = createHmac('sha256', master).update(KDF_HEAD);
  if (context.length > 0) hmac.update(context);
  const key = hmac.digest();
  if (length === key.length) return key;
  const truncated = Buffer.alloc(length); // not from the shared pool, so zeroing it later is complete
  key.copy(truncated, 0, 0, length);
  key.fill(0);
  return truncated;
}

/**
 * IVs are cut from a block of CSPRNG output, refilled when used up: randomFillSync's fixed cost per call
 * (a crypto job object and a trip into OpenSSL) is most of the cost of 12 bytes, and the sealed channel
 * seals an IV's worth for every answer (a few percent of the Operator's CPU per request, measured). Each
 * IV is copied out once and its bytes in the block zeroed, so no IV is handed out twice or left behind.
 * Processes share nothing here: workers are spawned, never forked with a copy of this block.
 */
const IV_BLOCK = Buffer.alloc(IV * 256);
let ivAt = IV_BLOCK.length;

function randomIv(): Uint8Array {
  if (ivAt === IV_BLOCK.length) {
    randomFillSync(IV_BLOCK);
    ivAt = 0;
  }
  const iv = new Uint8Array(IV_BLOCK.subarray(ivAt, ivAt + IV));
  IV_BLOCK.fill(0, ivAt, ivAt + IV);
  ivAt += IV;
  return iv;
}

function fixedIv(iv: Uint8Array): Uint8Array {
  if (!(iv instanceof Uint8Array) || iv.length !== IV) throw new TypeError(`iv must be ${IV} bytes`);
  return iv;
}

/**
 * A Buffer's bytes as a Uint8Array that owns its memory: small Buffers may be slices of a shared pool,
 * whose `.buffer` would expose other data to a caller.
 */
function owned(buf: Buffer): Uint8Array {
  if (buf.byteOffset === 0 && buf.buffer.byteLength === buf.length) return new Uint8Array(buf.buffer, 0, buf.length);
  return new Uint8Array(buf);
}

/**
 * An output buffer of `length` bytes that the caller fills completely: not zero-filled (the cost shows at
 * 16 KiB) and not from the shared pool, returned as a plain Uint8Array owning its memory.
 */
function output(length: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** {@link guard} for the asynchronous operations. */
async function guardAsync<T>(code: ErrorCode, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return guard(code, () => {
      throw err;
    });
  }
}

/** Any failure below becomes the operation's code, exactly as the wasm backend reports it (CRY-11). */
function guard<T>(code: ErrorCode, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ProtocolError && (err.code === 'INVALID_KEY' || err.code === code)) throw err;
    // The reasons are fixed strings from this module or OpenSSL's: never key or message bytes.
    const reason = (err as Error)?.message;
    throw new ProtocolError(code, `node crypto: ${typeof reason === 'string' && reason.length < 200 ? reason : 'rejected'}`, { cause: err });
  }
}
