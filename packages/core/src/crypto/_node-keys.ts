/**
 * Themis P-256 keys as node:crypto handles, for the `node` backend (KEY-1, KEY-2, CRY-12, CRY-15).
 *
 * Turning Themis key bytes into something OpenSSL can use costs far more than using it (point
 * decompression, OpenSSL's key decoders: ~80 µs against ~28 µs for a signature), so each typed key object
 * is parsed once, on first use, and its handles live in WeakMaps that die with the key object.
 *
 * - A private key gets an `ECDH` object (for key agreement) and a `KeyObject` (for signing), each made
 *   when first needed. No other copy of the scalar is kept.
 * - A public key gets its validated uncompressed point (key agreement takes the point as is) and a
 *   `KeyObject` (for verifying), made when first needed.
 * - The ECDH secret of a (private, public) key object pair is kept while both objects live (CRY-15):
 *   static pairs (the world key and a reader, an Operator and a client) reuse it, and an ephemeral key
 *   object dies with its letter, taking its entry with it. The cache holds at most one 32-byte secret per
 *   pair of live key objects that were used together, and nothing outlives either key.
 *
 * `KeyObject`s from `generateKeyPairSync` are never exported here: on Node 20 exporting one (JWK, DER)
 * can deadlock when the garbage collector finalises the generating job in the middle of the export (the
 * job's destructor takes the key's mutex that the export holds). Key pairs come from an `ECDH` object.
 * @internal
 */
import { createECDH, createPrivateKey, createPublicKey, ECDH, timingSafeEqual, type KeyObject } from 'node:crypto';
import {
  checkContainer,
  makeContainer,
  HEADER,
  PRIVATE_PADDED_LEN,
  PRIVATE_SHORT_LEN,
  PUBLIC_COMPRESSED_LEN,
  PUBLIC_UNCOMPRESSED_LEN,
  TAG_PRIVATE,
  TAG_PUBLIC,
} from './_container.js';
import type { PrivateKey, PublicKey } from './keys.js';

const CURVE = 'prime256v1';
const SCALAR = 32;
/** Order n of the P-256 group: a private scalar d must satisfy 1 ≤ d < n, as in Themis (CRY-12). */
const ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

/**
 * A key Themis accepts as a container but cannot use (scalar out of range, point not on the curve). The
 * backend reports it with the code of the operation that tried, as wasm-themis does (CRY-11).
 */
export class UnusableKey extends Error {
  override readonly name = 'UnusableKey';
}

interface PrivateHandles {
  ecdh?: ECDH;
  signer?: KeyObject;
}

interface PublicHandles {
  /** The uncompressed SEC 1 point, checked to be on the curve. */
  readonly point: Buffer;
  verifier?: KeyObject;
}

const privateHandles = new WeakMap<PrivateKey, PrivateHandles>();
const publicHandles = new WeakMap<PublicKey, PublicHandles>();
const secrets = new WeakMap<PrivateKey, WeakMap<PublicKey, Buffer>>();

/**
 * The key pair this module generated last, until its halves are first used: `KeyPair.generate()` turns
 * the bytes straight back into key objects, so the handles made while generating are adopted instead of
 * being made again from the bytes. The private half is matched against the scalar the `ECDH` object
 * holds, so no copy of the secret is kept here.
 */
let fresh: { ecdh: ECDH | undefined; publicKey: Uint8Array | undefined; point: Buffer } | undefined;

/**
 * A fresh P-256 key pair in the forms Themis emits: `REC2` of 45 bytes (the scalar left-padded to 33
 * bytes, byte 12 zero) and `UEC2` of 45 bytes (compressed point) (KEY-1, KEY-2, CRY-16).
 */
export function generateKeyPair(): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const ecdh = createECDH(CURVE);
  ecdh.generateKeys();
  const body = new Uint8Array(1 + SCALAR);
  const d = ecdh.getPrivateKey();
  body.set(d, body.length - d.length); // left-pad: OpenSSL may return fewer bytes when d has leading zeros
  d.fill(0);
  const privateKey = makeContainer(TAG_PRIVATE, body);
  body.fill(0);
  const publicKey = makeContainer(TAG_PUBLIC, ecdh.getPublicKey(null, 'compressed'));
  fresh = { ecdh, publicKey, point: ecdh.getPublicKey() };
  return { privateKey, publicKey: publicKey.slice() };
}

/**
 * The validated point of a public key, parsing it on first use.
 * @throws UnusableKey when the point is not on the curve (or not a point at all)
 */
export function publicPoint(key: PublicKey): Buffer {
  return publicHandlesOf(key).point;
}

/** The `KeyObject` that verifies with a public key. @throws UnusableKey */
export function verifierOf(key: PublicKey): KeyObject {
  const handles = publicHandlesOf(key);
  return (handles.verifier ??= createPublicKey({ key: jwkOf(handles.point), format: 'jwk' }));
}

/** The `KeyObject` that signs with a private key. @throws ProtocolError INVALID_KEY (wiped), UnusableKey */
export function signerOf(key: PrivateKey): KeyObject {
  const handles = privateHandlesOf(key);
  if (!handles.signer) {
    const ecdh = ecdhOf(key, handles);
    handles.signer = createPrivateKey({ key: { ...jwkOf(ecdh.getPublicKey()), d: padScalar(ecdh.getPrivateKey()).toString('base64url') }, format: 'jwk' });
  }
  return handles.signer;
}

/**
 * The raw ECDH secret (the 32-byte x-coordinate, CRY-3) of a private and a public key, computed once
 * per pair of live key objects (CRY-15).
 * @throws ProtocolError INVALID_KEY (wiped private key), UnusableKey
 */
export function sharedSecret(privateKey: PrivateKey, publicKey: PublicKey): Buffer {
  const handles = privateHandlesOf(privateKey);
  let perPeer = secrets.get(privateKey);
  const known = perPeer?.get(publicKey);
  if (known) return known;
  const secret = ecdhOf(privateKey, handles).computeSecret(publicPoint(publicKey));
  if (!perPeer) secrets.set(privateKey, (perPeer = new WeakMap()));
  perPeer.set(publicKey, secret);
  return secret;
}

/**
 * CRY-11: reads the private key's container, as wasm-themis does before it looks at a message, so a wiped
 * key is INVALID_KEY whatever the message.
 * @throws ProtocolError INVALID_KEY (wiped), UnusableKey
 */
export function checkPrivateKey(key: PrivateKey): void {
  privateHandlesOf(key);
}

/**
 * The private key's handles. A wiped key (all zeros) is no longer a container: INVALID_KEY, as wasm-themis
 * reports for the same bytes, and everything derived from it is dropped.
 */
function privateHandlesOf(key: PrivateKey): PrivateHandles {
  const raw = key.raw;
  let handles = privateHandles.get(key);
  // `raw` changes only through wipe(), which zeroes it: checking the tag's first byte is exact and cheap.
  if (handles && raw[0] === TAG_PRIVATE.charCodeAt(0)) return handles;
  privateHandles.delete(key);
  secrets.delete(key);
  checkContainer(raw, TAG_PRIVATE, [PRIVATE_PADDED_LEN, PRIVATE_SHORT_LEN]);
  handles = {};
  privateHandles.set(key, handles);
  return handles;
}

function ecdhOf(key: PrivateKey, handles: PrivateHandles): ECDH {
  if (handles.ecdh) return handles.ecdh;
  const d = scalarOf(key.raw);
  const adopted = fresh?.ecdh;
  if (adopted && timingSafeEqual(padScalar(adopted.getPrivateKey()), d)) {
    fresh!.ecdh = undefined;
    return (handles.ecdh = adopted);
  }
  const ecdh = createECDH(CURVE);
  ecdh.setPrivateKey(d);
  return (handles.ecdh = ecdh);
}

/** Themis reads every byte after the header as the scalar (BN_bin2bn); it must be in [1, n). */
function scalarOf(raw: Uint8Array): Buffer {
  // A 45-byte key's first scalar byte is the left pad: non-zero makes d ≥ 2^256 > n.
  if (raw.length === PRIVATE_PADDED_LEN && raw[HEADER] !== 0) throw new UnusableKey('private scalar out of range');
  const d = Buffer.from(raw.buffer, raw.byteOffset + raw.length - SCALAR, SCALAR);
  if (d.every((b) => b === 0) || Buffer.compare(d, ORDER) >= 0) throw new UnusableKey('private scalar out of range');
  return d;
}

function padScalar(d: Buffer): Buffer {
  if (d.length === SCALAR) return d;
  const out = Buffer.alloc(SCALAR);
  d.copy(out, SCALAR - d.length);
  return out;
}

function publicHandlesOf(key: PublicKey): PublicHandles {
  let handles = publicHandles.get(key);
  if (!handles) {
    handles = { point: pointOf(key.raw) };
    publicHandles.set(key, handles);
  }
  return handles;
}

function pointOf(raw: Uint8Array): Buffer {
  if (fresh?.publicKey && Buffer.compare(raw, fresh.publicKey) === 0) {
    // Made by generateKeyPair() from the ECDH object: on the curve by construction.
    fresh.publicKey = undefined;
    return fresh.point;
  }
  const encoded = raw.subarray(HEADER);
  const prefix = encoded[0];
  const formOk =
    (raw.length === PUBLIC_COMPRESSED_LEN && (prefix === 0x02 || prefix === 0x03)) || (raw.length === PUBLIC_UNCOMPRESSED_LEN && prefix === 0x04);
  if (!formOk) throw new UnusableKey('not a P-256 point in SEC 1 form');
  try {
    // OpenSSL's EC_POINT_oct2point: rejects coordinates ≥ p and points not on the curve (KEY-1).
    return ECDH.convertKey(encoded, CURVE, undefined, undefined, 'uncompressed') as Buffer;
  } catch (err) {
    throw new UnusableKey('public key is not a point on P-256', { cause: err });
  }
}

function jwkOf(point: Buffer): { kty: 'EC'; crv: 'P-256'; x: string; y: string } {
  return { kty: 'EC', crv: 'P-256', x: point.toString('base64url', 1, 33), y: point.toString('base64url', 33, 65) };
}

