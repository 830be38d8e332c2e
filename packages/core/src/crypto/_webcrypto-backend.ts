/**
 * The `webcrypto` backend: Themis Secure Message and Secure Cell framing over the standard Web Crypto API
 * (`crypto.subtle`), byte for byte what wasm-themis emits and accepts (THEMIS-FORMATS.md, CRY-10, CRY-11,
 * CRY-18). Every primitive — ECDSA P-256/SHA-256, ECDH, AES-GCM, HMAC-SHA256, PBKDF2 — is the platform's;
 * only what Web Crypto lacks is written here: point decompression (`_point.ts`), the DER form of ECDSA
 * signatures (Web Crypto speaks r‖s), the PKCS #8 wrapping of a bare scalar, and the Themis framing.
 *
 * Web Crypto is asynchronous only, so this backend has no synchronous operations: the synchronous API
 * refuses with a clear INTERNAL error under it, and the `…Async` operations are the way in (CRY-18).
 *
 * Importing a key costs more than using it, so each typed key object keeps its imported `CryptoKey`s in a
 * `WeakMap` that dies with it, and each (private, public) pair its HMAC key derived from the ECDH secret
 * (CRY-15 as on the node backend: nothing keyed by bytes, nothing outliving a key object, no raw secret
 * kept: the ECDH secret goes straight into a non-extractable HMAC key).
 * @internal
 */
import { ComradError, ProtocolError, type ErrorCode } from '../errors.js';
import type { AsyncCryptoBackend, CryptoBackend } from './_backend.js';
import { checkContainer, HEADER, makeContainer, PRIVATE_PADDED_LEN, PRIVATE_SHORT_LEN, PUBLIC_COMPRESSED_LEN, PUBLIC_UNCOMPRESSED_LEN, TAG_PRIVATE, TAG_PUBLIC } from './_container.js';
import { CELL_ALG, CELL_TOKEN, PASSPHRASE_CELL_ALG, PASSPHRASE_CELL_TOKEN, SM_ENCRYPTED, SM_SIGNED } from './_framing.js';
import { checkPoint, decompress } from './_point.js';
import type { PrivateKey, PublicKey } from './keys.js';

const SIGNED_HEADER = 12;
const ENCRYPTED_HEADER = 8;
const IV = 12;
const TAG = 16;
const SCALAR = 32;
const SM_KIND_MASK = 0xffffff00;
const SM_RSA_SIGNED = 0x26042610;
const EMPTY = new Uint8Array(0);
/** Order n of the P-256 group, big-endian: a private scalar must be in [1, n) (CRY-12). */
const ORDER = Uint8Array.from([
  0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9,
  0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
]);
/**
 * PKCS #8 `PrivateKeyInfo` of a P-256 key holding only the scalar (RFC 5915 `ECPrivateKey` without the
 * optional public key): Web Crypto imports private EC keys as PKCS #8 or JWK only, and both OpenSSL and
 * BoringSSL compute the public point themselves when it is absent. The 32-byte scalar follows.
 */
const PKCS8_HEAD = Uint8Array.from([
  0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
  0x04, 0x27, 0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20,
]);
/** Soter KDF input before the context (CRY-3): counter 1, the label, a zero byte, then u32le(n). */
const KDF_LABEL = new TextEncoder().encode('Themis secure cell message key');
const KDF_HEAD_LENGTH = 4 + KDF_LABEL.length + 1 + 4;
/** Secure Cell algorithm words Themis opens: AES-GCM with a 128, 192 or 256-bit key, no KDF bits. */
const CELL_KEY_LENGTHS = new Map<number, number>([
  [0x40010080, 16],
  [0x400100c0, 24],
  [CELL_ALG, 32],
]);
/** What Themis writes into a passphrase cell (CRY-9). */
const PASSPHRASE_ITERATIONS = 314_110;
const SALT = 16;

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
const SIGN_PARAMS = { name: 'ECDSA', hash: 'SHA-256' } as const;
const HMAC = { name: 'HMAC', hash: 'SHA-256', length: 256 } as const;

/** A key Themis accepts as a container but cannot use; reported with the operation's code (CRY-11). */
class UnusableKey extends Error {
  override readonly name = 'UnusableKey';
}

/** `crypto.subtle`, or a clear error where it is missing (a page served from `file:` or plain http to a host other than localhost). */
function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new ComradError('INTERNAL', 'crypto.subtle is not available here (Web Crypto needs a secure context: https, or http://localhost)');
  return s;
}

/** Loads the webcrypto backend: checks that Web Crypto is there, nothing else to initialise. */
export async function loadWebCryptoBackend(): Promise<{ sync: CryptoBackend; async: AsyncCryptoBackend }> {
  subtle();
  return { sync: syncFace, async: backend };
}

/** The synchronous face: only the point check, which needs no Web Crypto call (CRY-12, CRY-18). */
const syncFace: CryptoBackend = {
  name: 'webcrypto',
  generateKeyPair: () => asyncOnly('KeyPair.generateAsync()'),
  sign: () => asyncOnly('signAsync'),
  verify: () => asyncOnly('verifyAsync'),
  encrypt: () => asyncOnly('encryptForAsync'),
  decrypt: () => asyncOnly('decryptFromAsync'),
  cellSeal: () => asyncOnly('cellSealAsync'),
  cellOpen: () => asyncOnly('cellOpenAsync'),
  // KEY-1, CRY-12: as on the wasm backend, the curve equation decides, for both forms; a public key the
  // platform has just generated (KeyPair.generateAsync) is on the curve by construction.
  checkPublicKey: (k) => {
    if (freshPublic && sameBytes(freshPublic, k.raw)) {
      freshPublic = undefined;
      return;
    }
    checkPoint(k.raw.subarray(HEADER));
  },
};

function asyncOnly(instead: string): never {
  throw new ComradError('INTERNAL', `the webcrypto backend is asynchronous: use ${instead} (or ready({ backend: "wasm" }) for the synchronous API)`);
}

const backend: AsyncCryptoBackend = {
  name: 'webcrypto',
  generateKeyPair: () => guard('INTERNAL', generateKeyPair),
  sign: (key, message) => guard('INVALID_KEY', () => signMessage(key, message)),
  verify: (key, signed) => guard('BAD_SIGNATURE', () => verifyMessage(key, signed)),
  encrypt: (own, peer, message) => guard('INVALID_KEY', () => encryptMessage(own, peer, message, randomIv())),
  decrypt: (own, peer, wrapped) => guard('DECRYPT_FAILED', () => decryptMessage(own, peer, wrapped)),
  cellSeal: (key, message, context) => guard('INTERNAL', () => sealCell(key, message, context, randomIv())),
  cellOpen: (key, sealed, context) => guard('DECRYPT_FAILED', () => openCell(key, sealed, context)),
  passphraseSeal: (passphrase, message, context) => guard('INTERNAL', () => sealPassphrase(passphrase, message, context, randomIv(), random(SALT), PASSPHRASE_ITERATIONS)),
  passphraseOpen: (passphrase, sealed, context) => guard('DECRYPT_FAILED', () => openPassphrase(passphrase, sealed, context)),
};

/**
 * Fixed-IV variants for the differential tests, which must show byte-identical output to wasm-themis for
 * the same IV (CRY-10). Never reachable from the public API: a repeated IV under one key breaks GCM.
 * @internal
 */
export const _testing = {
  cellSealWithIv: (key: Uint8Array, message: Uint8Array, context: Uint8Array, iv: Uint8Array) => guard('INTERNAL', () => sealCell(key, message, context, fixedIv(iv))),
  encryptWithIv: (own: PrivateKey, peer: PublicKey, message: Uint8Array, iv: Uint8Array) => guard('INVALID_KEY', () => encryptMessage(own, peer, message, fixedIv(iv))),
  passphraseSealWith: (passphrase: string, message: Uint8Array, context: Uint8Array, iv: Uint8Array, salt: Uint8Array, iterations: number) =>
    guard('INTERNAL', () => sealPassphrase(passphrase, message, context, fixedIv(iv), salt, iterations)),
  derFromRaw: (raw: Uint8Array) => derFromRaw(raw),
  rawFromDer: (der: Uint8Array) => rawFromDer(der),
};

// ---------------------------------------------------------------------------------------------------
// Keys

interface PrivateHandles {
  ecdsa?: Promise<CryptoKey>;
  ecdh?: Promise<CryptoKey>;
}
interface PublicHandles {
  ecdsa?: Promise<CryptoKey>;
  ecdh?: Promise<CryptoKey>;
}
const privateHandles = new WeakMap<PrivateKey, PrivateHandles>();
const publicHandles = new WeakMap<PublicKey, PublicHandles>();
/** CRY-15: per (private, public) key object pair, the HMAC key made from their ECDH secret. */
const pairKeys = new WeakMap<PrivateKey, WeakMap<PublicKey, Promise<CryptoKey>>>();
/** A key pair just generated: its CryptoKeys, adopted by the key objects made from its bytes. */
let fresh: { privateKey: Uint8Array; ecdh: CryptoKey } | undefined;
/** The public key just generated, whose point needs no check when it is parsed right after. */
let freshPublic: Uint8Array | undefined;

function privateHandlesOf(key: PrivateKey): PrivateHandles {
  const raw = key.raw;
  let handles = privateHandles.get(key);
  // `raw` changes only through wipe(), which zeroes it: checking the tag's first byte is exact and cheap.
  if (handles && raw[0] === TAG_PRIVATE.charCodeAt(0)) return handles;
  privateHandles.delete(key);
  pairKeys.delete(key);
  checkContainer(raw, TAG_PRIVATE, [PRIVATE_PADDED_LEN, PRIVATE_SHORT_LEN]);
  handles = {};
  if (fresh && sameBytes(fresh.privateKey, raw)) {
    handles.ecdh = Promise.resolve(fresh.ecdh);
    fresh = undefined;
  }
  privateHandles.set(key, handles);
  return handles;
}

function importPrivate(key: PrivateKey, algorithm: typeof ECDSA | typeof ECDH): Promise<CryptoKey> {
  const pkcs8 = new Uint8Array(PKCS8_HEAD.length + SCALAR);
  pkcs8.set(PKCS8_HEAD);
  pkcs8.set(scalarOf(key.raw), PKCS8_HEAD.length);
  const usages: KeyUsage[] = algorithm === ECDSA ? ['sign'] : ['deriveBits', 'deriveKey'];
  return subtle()
    .importKey('pkcs8', pkcs8, algorithm, false, usages)
    .finally(() => pkcs8.fill(0));
}

function signerOf(key: PrivateKey): Promise<CryptoKey> {
  const h = privateHandlesOf(key);
  return (h.ecdsa ??= importPrivate(key, ECDSA));
}

/** Themis reads every byte after the header as the scalar; it must be in [1, n) (CRY-12). */
function scalarOf(raw: Uint8Array): Uint8Array {
  if (raw.length === PRIVATE_PADDED_LEN && raw[HEADER] !== 0) throw new UnusableKey('private scalar out of range');
  const d = raw.subarray(raw.length - SCALAR);
  if (d.every((b) => b === 0) || compare(d, ORDER) >= 0) throw new UnusableKey('private scalar out of range');
  return d;
}

function publicHandlesOf(key: PublicKey): PublicHandles {
  let handles = publicHandles.get(key);
  if (!handles) publicHandles.set(key, (handles = {}));
  return handles;
}

/** The uncompressed point: Web Crypto imports only that form, so a compressed one is decompressed here. */
function pointOf(raw: Uint8Array): Uint8Array {
  const encoded = raw.subarray(HEADER);
  const prefix = encoded[0];
  if (raw.length === PUBLIC_UNCOMPRESSED_LEN && prefix === 0x04) return encoded;
  if (raw.length === PUBLIC_COMPRESSED_LEN && (prefix === 0x02 || prefix === 0x03)) {
    const point = decompress(encoded);
    if (!point) throw new UnusableKey('public key is not a point on P-256');
    return point;
  }
  throw new UnusableKey('not a P-256 point in SEC 1 form');
}

async function importPublic(key: PublicKey, algorithm: typeof ECDSA | typeof ECDH): Promise<CryptoKey> {
  const usages: KeyUsage[] = algorithm === ECDSA ? ['verify'] : [];
  // Where the platform imports compressed points itself (Chromium, BoringSSL), that is several times
  // cheaper than decompressing in BigInt arithmetic; elsewhere (Firefox, Node) core decompresses. Either
  // way Web Crypto checks the point is on the curve (KEY-1), and a refusal is the operation's failure.
  if (key.raw.length === PUBLIC_COMPRESSED_LEN && (await compressedImport())) {
    return subtle().importKey('raw', bs(key.raw.subarray(HEADER)), algorithm, false, usages);
  }
  return subtle().importKey('raw', bs(pointOf(key.raw)), algorithm, false, usages);
}

/** A point of P-256 in compressed form (the generator), to ask the platform once whether it imports that form. */
const COMPRESSED_G = Uint8Array.from([
  0x03, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4,
  0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
]);
let compressedSupport: Promise<boolean> | undefined;

/** Whether this platform's Web Crypto imports compressed P-256 points (asked once). */
function compressedImport(): Promise<boolean> {
  compressedSupport ??= subtle()
    .importKey('raw', COMPRESSED_G, ECDSA, false, ['verify'])
    .then(
      () => true,
      () => false,
    );
  return compressedSupport;
}

function verifierOf(key: PublicKey): Promise<CryptoKey> {
  const h = publicHandlesOf(key);
  return (h.ecdsa ??= importPublic(key, ECDSA));
}

/** CRY-3, CRY-15: HMAC-SHA256 keyed by the ECDH secret of the pair, computed once per pair of key objects. */
function pairKeyOf(own: PrivateKey, peer: PublicKey): Promise<CryptoKey> {
  const ownHandles = privateHandlesOf(own); // checks the container first (a wiped key is INVALID_KEY)
  let byPeer = pairKeys.get(own);
  if (!byPeer) pairKeys.set(own, (byPeer = new WeakMap()));
  let key = byPeer.get(peer);
  if (!key) {
    const peerHandles = publicHandlesOf(peer);
    key = (async () => {
      const [priv, pub] = await Promise.all([(ownHandles.ecdh ??= importPrivate(own, ECDH)), (peerHandles.ecdh ??= importPublic(peer, ECDH))]);
      // The shared secret is the raw X coordinate (THEMIS-FORMATS.md): ECDH straight into a
      // non-extractable HMAC key, so no copy of it ever reaches JavaScript.
      return subtle().deriveKey({ name: 'ECDH', public: pub }, priv, HMAC, false, ['sign']);
    })();
    byPeer.set(peer, key);
  }
  return key;
}

async function generateKeyPair(): Promise<{ privateKey: Uint8Array; publicKey: Uint8Array }> {
  const pair = (await subtle().generateKey(ECDH, true, ['deriveBits', 'deriveKey'])) as CryptoKeyPair;
  const jwk = await subtle().exportKey('jwk', pair.privateKey);
  const d = fromBase64Url(jwk.d!);
  const x = fromBase64Url(jwk.x!);
  const y = fromBase64Url(jwk.y!);
  try {
    // CRY-16: emitted as Themis does, a 45-byte REC2 whose first scalar byte is the zero pad, and a
    // compressed 45-byte UEC2.
    const body = new Uint8Array(1 + SCALAR);
    body.set(d, 1 + SCALAR - d.length);
    const privateKey = makeContainer(TAG_PRIVATE, body);
    body.fill(0);
    const point = new Uint8Array(33);
    point[0] = (y[y.length - 1]! & 1) === 1 ? 0x03 : 0x02;
    point.set(x, 33 - x.length);
    const publicKey = makeContainer(TAG_PUBLIC, point);
    // The exported key is extractable; the handle kept is a non-extractable re-import when first used
    // for signing, and this ECDH key for agreement (an ephemeral key is used for exactly one agreement).
    fresh = { privateKey, ecdh: pair.privateKey };
    freshPublic = publicKey;
    return { privateKey, publicKey };
  } finally {
    d.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------------
// Secure Message

/** Secure Message, sign mode (CRY-2): header, the message, then the DER ECDSA signature of it. */
async function signMessage(key: PrivateKey, message: Uint8Array): Promise<Uint8Array> {
  if (message.length === 0) throw new Error('empty message');
  const raw = new Uint8Array(await subtle().sign(SIGN_PARAMS, await signerOf(key), bs(message)));
  const signature = derFromRaw(raw);
  const out = new Uint8Array(SIGNED_HEADER + message.length + signature.length);
  const view = viewOf(out);
  view.setUint32(0, SM_SIGNED, true);
  view.setUint32(4, message.length, true);
  view.setUint32(8, signature.length, true);
  out.set(message, SIGNED_HEADER);
  out.set(signature, SIGNED_HEADER + message.length);
  return out;
}

/** Secure Message verify, as Themis does it (CRY-11): see the node backend for the same rules. */
async function verifyMessage(key: PublicKey, signed: Uint8Array): Promise<Uint8Array> {
  if (signed.length < SIGNED_HEADER) throw new Error('shorter than the header');
  const view = viewOf(signed);
  const type = view.getUint32(0, true);
  if ((type & SM_KIND_MASK) >>> 0 !== (SM_SIGNED & SM_KIND_MASK) >>> 0 || type === SM_RSA_SIGNED) throw new Error('not an EC signed message');
  const n = view.getUint32(4, true);
  const s = view.getUint32(8, true);
  if (n === 0 || SIGNED_HEADER + n + s > signed.length) throw new Error('parts do not fit');
  const message = signed.slice(SIGNED_HEADER, SIGNED_HEADER + n);
  const raw = rawFromDer(signed.subarray(SIGNED_HEADER + n, SIGNED_HEADER + n + s));
  const verifier = await verifierOf(key);
  if (!raw || !(await subtle().verify(SIGN_PARAMS, verifier, bs(raw), bs(message)))) throw new ProtocolError('BAD_SIGNATURE', 'signature does not verify');
  return message;
}

/** Secure Message, encrypt mode (CRY-3): header, then a Secure Cell under the ECDH secret, no context. */
async function encryptMessage(own: PrivateKey, peer: PublicKey, message: Uint8Array, iv: Uint8Array): Promise<Uint8Array> {
  if (message.length === 0) throw new Error('empty message');
  const mac = await pairKeyOf(own, peer);
  const out = new Uint8Array(ENCRYPTED_HEADER + CELL_TOKEN + message.length);
  const view = viewOf(out);
  view.setUint32(0, SM_ENCRYPTED, true);
  view.setUint32(4, out.length, true);
  await sealInto(out, ENCRYPTED_HEADER, mac, message, EMPTY, iv);
  return out;
}

/** Secure Message decrypt, as Themis does it: exact type tag, total length equal to the declared one. */
async function decryptMessage(own: PrivateKey, peer: PublicKey, wrapped: Uint8Array): Promise<Uint8Array> {
  // CRY-11: wasm-themis reads the key container before the message, so a wiped key is INVALID_KEY
  // whatever the message; checked first here too, or a bad header would answer DECRYPT_FAILED.
  privateHandlesOf(own);
  if (wrapped.length <= ENCRYPTED_HEADER) throw new Error('shorter than the header');
  const view = viewOf(wrapped);
  if (view.getUint32(0, true) !== SM_ENCRYPTED || view.getUint32(4, true) !== wrapped.length) throw new Error('not an EC encrypted message');
  const mac = await pairKeyOf(own, peer);
  return openCellWith(mac, wrapped.subarray(ENCRYPTED_HEADER), EMPTY);
}

// ---------------------------------------------------------------------------------------------------
// Secure Cell

/**
 * CRY-3: the HMAC key of a symmetric master key. Cached per master-key array (a `SymmetricKey`'s own
 * bytes: one import per channel or epoch key, not per frame), with a copy to notice a wipe: a changed
 * array is imported again and the old copy zeroed.
 */
const macKeys = new WeakMap<Uint8Array, { copy: Uint8Array; key: Promise<CryptoKey> }>();

function macKeyOf(master: Uint8Array): Promise<CryptoKey> {
  const cached = macKeys.get(master);
  if (cached && sameBytes(cached.copy, master)) return cached.key;
  cached?.copy.fill(0);
  const copy = master.slice();
  const key = subtle().importKey('raw', copy, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  macKeys.set(master, { copy, key });
  return key;
}

/** Secure Cell, seal mode (CRY-3): the 44-byte token, then the ciphertext. */
async function sealCell(master: Uint8Array, message: Uint8Array, context: Uint8Array, iv: Uint8Array): Promise<Uint8Array> {
  if (master.length === 0 || message.length === 0) throw new Error('empty key or message');
  const out = new Uint8Array(CELL_TOKEN + message.length);
  await sealInto(out, 0, await macKeyOf(master), message, context, iv);
  return out;
}

async function sealInto(out: Uint8Array, at: number, mac: CryptoKey, message: Uint8Array, context: Uint8Array, iv: Uint8Array): Promise<void> {
  const aes = await messageKey(mac, message.length, context, 32, ['encrypt']);
  const sealed = new Uint8Array(await subtle().encrypt(gcm(iv, context), aes, bs(message)));
  // Web Crypto appends the tag to the ciphertext; Themis puts it in the token, before the ciphertext.
  const view = new DataView(out.buffer, out.byteOffset + at, CELL_TOKEN);
  view.setUint32(0, CELL_ALG, true);
  view.setUint32(4, IV, true);
  view.setUint32(8, TAG, true);
  view.setUint32(12, message.length, true);
  out.set(iv, at + 16);
  out.set(sealed.subarray(message.length), at + 16 + IV);
  out.set(sealed.subarray(0, message.length), at + CELL_TOKEN);
}

/** Secure Cell open, as Themis does it (CRY-11): the ciphertext is the last `n` bytes, the token the rest. */
async function openCell(master: Uint8Array, sealed: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
  if (master.length === 0 || sealed.length < 16) throw new Error('empty key or short cell');
  return openCellWith(await macKeyOf(master), sealed, context);
}

async function openCellWith(mac: CryptoKey, sealed: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
  if (sealed.length < 16) throw new Error('short cell');
  const view = viewOf(sealed);
  const n = view.getUint32(12, true);
  const tokenLength = sealed.length - n;
  if (n === 0 || tokenLength < 16) throw new Error('lengths do not fit');
  const keyLength = CELL_KEY_LENGTHS.get(view.getUint32(0, true));
  const ivLength = view.getUint32(4, true);
  const tagLength = view.getUint32(8, true);
  if (!keyLength || ivLength < IV || tagLength < TAG || 16 + ivLength + tagLength > tokenLength) throw new Error('token not usable');
  const aes = await messageKey(mac, n, context, keyLength, ['decrypt']);
  const body = new Uint8Array(n + TAG);
  body.set(sealed.subarray(tokenLength));
  body.set(sealed.subarray(16 + ivLength, 16 + ivLength + TAG), n);
  // Rejects when the tag does not authenticate.
  return new Uint8Array(await subtle().decrypt(gcm(sealed.slice(16, 16 + IV), context), aes, body));
}

/** Soter KDF (CRY-3): HMAC-SHA256(master, 00000001 || label || 00 || u32le(n) || context), truncated. */
async function messageKey(mac: CryptoKey, messageLength: number, context: Uint8Array, length: number, usages: KeyUsage[]): Promise<CryptoKey> {
  const input = new Uint8Array(KDF_HEAD_LENGTH + context.length);
  input[3] = 1;
  input.set(KDF_LABEL, 4);
  viewOf(input).setUint32(KDF_HEAD_LENGTH - 4, messageLength, true);
  input.set(context, KDF_HEAD_LENGTH);
  const digest = new Uint8Array(await subtle().sign('HMAC', mac, input));
  try {
    return await subtle().importKey('raw', digest.subarray(0, length), 'AES-GCM', false, usages);
  } finally {
    digest.fill(0);
  }
}

function gcm(iv: Uint8Array, context: Uint8Array): AesGcmParams {
  return context.length > 0 ? { name: 'AES-GCM', iv: bs(iv), additionalData: bs(context), tagLength: 128 } : { name: 'AES-GCM', iv: bs(iv), tagLength: 128 };
}

// ---------------------------------------------------------------------------------------------------
// Passphrase cells (CRY-9)

/** The PBKDF2 master key of a passphrase cell, as an HMAC key for the Soter KDF. */
async function passphraseMac(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const secret = new TextEncoder().encode(passphrase);
  try {
    const base = await subtle().importKey('raw', secret, 'PBKDF2', false, ['deriveKey']);
    return await subtle().deriveKey({ name: 'PBKDF2', salt: bs(salt), iterations, hash: 'SHA-256' }, base, HMAC, false, ['sign']);
  } finally {
    secret.fill(0);
  }
}

async function sealPassphrase(passphrase: string, message: Uint8Array, context: Uint8Array, iv: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  if (passphrase.length === 0 || message.length === 0) throw new Error('empty passphrase or message');
  const mac = await passphraseMac(passphrase, salt, iterations);
  const aes = await messageKey(mac, message.length, context, 32, ['encrypt']);
  const sealed = new Uint8Array(await subtle().encrypt(gcm(iv, context), aes, bs(message)));
  const out = new Uint8Array(PASSPHRASE_CELL_TOKEN + message.length);
  const view = viewOf(out);
  view.setUint32(0, PASSPHRASE_CELL_ALG, true);
  view.setUint32(4, IV, true);
  view.setUint32(8, TAG, true);
  view.setUint32(12, message.length, true);
  view.setUint32(16, 22, true);
  out.set(iv, 20);
  out.set(sealed.subarray(message.length), 32);
  view.setUint32(48, iterations, true);
  view.setUint16(52, SALT, true);
  out.set(salt, 54);
  out.set(sealed.subarray(0, message.length), PASSPHRASE_CELL_TOKEN);
  return out;
}

/** Opens a passphrase cell whose framing and iteration bound the crypto layer checked (CRY-17). */
async function openPassphrase(passphrase: string, sealed: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
  const view = viewOf(sealed);
  const n = view.getUint32(12, true);
  const mac = await passphraseMac(passphrase, sealed.slice(54, 54 + SALT), view.getUint32(48, true));
  const aes = await messageKey(mac, n, context, 32, ['decrypt']);
  const body = new Uint8Array(n + TAG);
  body.set(sealed.subarray(PASSPHRASE_CELL_TOKEN, PASSPHRASE_CELL_TOKEN + n));
  body.set(sealed.subarray(32, 48), n);
  return new Uint8Array(await subtle().decrypt(gcm(sealed.slice(20, 32), context), aes, body));
}

// ---------------------------------------------------------------------------------------------------
// ECDSA signatures: Web Crypto's r‖s and Themis's DER

/** `SEQUENCE { INTEGER r, INTEGER s }`, minimal, from 64 bytes r‖s. */
function derFromRaw(raw: Uint8Array): Uint8Array {
  const r = derInteger(raw.subarray(0, 32));
  const s = derInteger(raw.subarray(32, 64));
  const out = new Uint8Array(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

function derInteger(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const pad = v[i]! & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + v.length - i);
  out[0] = 0x02;
  out[1] = pad + v.length - i;
  out.set(v.subarray(i), 2 + pad);
  return out;
}

/**
 * r‖s from a DER signature, or undefined when it is not one as OpenSSL and BoringSSL read it: strict
 * DER (short-form lengths, minimal non-negative integers, nothing after the sequence), each integer at
 * most 32 bytes. Whether 0 < r, s < n is Web Crypto's check.
 */
function rawFromDer(der: Uint8Array): Uint8Array | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const out = new Uint8Array(64);
  let at = 2;
  for (const offset of [0, 32]) {
    if (der[at] !== 0x02) return undefined;
    const len = der[at + 1]!;
    if (len === 0 || len & 0x80 || at + 2 + len > der.length) return undefined;
    const v = der.subarray(at + 2, at + 2 + len);
    if (v[0]! & 0x80) return undefined; // negative
    if (len > 1 && v[0] === 0 && !(v[1]! & 0x80)) return undefined; // not minimal
    const digits = v[0] === 0 && len > 1 ? v.subarray(1) : v;
    if (digits.length > 32) return undefined;
    out.set(digits, offset + 32 - digits.length);
    at += 2 + len;
  }
  return at === der.length ? out : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function random(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

function randomIv(): Uint8Array {
  return random(IV);
}

function fixedIv(iv: Uint8Array): Uint8Array {
  if (!(iv instanceof Uint8Array) || iv.length !== IV) throw new TypeError(`iv must be ${IV} bytes`);
  return iv;
}

/** Bytes as Web Crypto's `BufferSource` type (Comrad never hands it a view of shared memory). */
function bs(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Big-endian comparison of two equal-length byte strings. */
function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function fromBase64Url(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Any failure below becomes the operation's code, exactly as the wasm backend reports it (CRY-11). */
async function guard<T>(code: ErrorCode, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProtocolError && (err.code === 'INVALID_KEY' || err.code === code)) throw err;
    if (err instanceof ComradError && err.code === 'INTERNAL' && !(err instanceof ProtocolError)) throw err; // no Web Crypto at all
    // The reasons are fixed strings from this module or the platform's: never key or message bytes.
    const reason = (err as Error)?.message;
    throw new ProtocolError(code, `web crypto: ${typeof reason === 'string' && reason.length < 200 ? reason : 'rejected'}`, { cause: err });
  }
}
