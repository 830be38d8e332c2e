/**
 * Typed keys. Above the crypto layer keys are never raw bytes: a `PublicKey` can only be made from bytes
 * that pass the Themis container checks, so every later use can trust its shape.
 * @module
 */
import { ProtocolError } from '../errors.js';
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
import { activeAsyncBackend, activeBackend } from './backend.js';
import { checkPoint } from './_point.js';
import { fingerprintOf } from './fingerprint.js';
import { randomBytes } from './random.js';
import { bytesEqual, toHex } from '../bytes.js';

const guard = Symbol('comrad.key');

/** A P-256 public key in Themis form (`UEC2` container, always stored compressed: KEY-1). */
export class PublicKey {
  readonly #bytes: Uint8Array;
  #fingerprint: string | undefined;

  /** @internal use {@link PublicKey.from} */
  constructor(token: typeof guard, bytes: Uint8Array) {
    if (token !== guard) throw new TypeError('use PublicKey.from(bytes)');
    this.#bytes = bytes;
  }

  /**
   * Parses a Themis public key: 45 bytes (compressed, what Themis emits) or 77 bytes (uncompressed,
   * accepted since Themis 0.15). The uncompressed form is stored compressed, so one point has one
   * encoding (KEY-1).
   * @throws ProtocolError INVALID_KEY
   * @example `const key = PublicKey.from(bytesFromTheRegistry)`
   */
  static from(bytes: Uint8Array): PublicKey {
    checkContainer(bytes, TAG_PUBLIC, [PUBLIC_COMPRESSED_LEN, PUBLIC_UNCOMPRESSED_LEN]);
    const point = bytes.subarray(HEADER);
    let compressed: Uint8Array;
    if (bytes.length === PUBLIC_COMPRESSED_LEN) {
      if (point[0] !== 0x02 && point[0] !== 0x03) throw new ProtocolError('INVALID_KEY', 'compressed point must start with 02 or 03');
      compressed = bytes.slice();
    } else {
      if (point[0] !== 0x04) throw new ProtocolError('INVALID_KEY', 'uncompressed point must start with 04');
      const body = new Uint8Array(33);
      body[0] = (point[64]! & 1) === 1 ? 0x03 : 0x02;
      body.set(point.subarray(1, 33), 1);
      compressed = makeContainer(TAG_PUBLIC, body);
    }
    const key = new PublicKey(guard, compressed);
    // KEY-1, CRY-12: the point is checked at parse time, always: by the active backend's own check, or,
    // before ready() (no backend yet), by the curve equation in core. The uncompressed form is checked
    // before compression, or an off-curve y would be silently "repaired".
    const backendCheck = activeBackend(false)?.checkPublicKey;
    if (backendCheck) backendCheck(bytes.length === PUBLIC_UNCOMPRESSED_LEN ? new PublicKey(guard, bytes.slice()) : key);
    else checkPoint(point);
    return key;
  }

  /** The key's canonical bytes (45-byte compressed container); a copy. */
  bytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** The canonical bytes without copying. @internal */
  get raw(): Uint8Array {
    return this.#bytes;
  }

  /** True when both keys are the same point. */
  equals(other: PublicKey): boolean {
    return bytesEqual(this.#bytes, other.raw);
  }

  /** The human-comparable fingerprint of this key (see {@link fingerprintOf}). */
  fingerprint(): string {
    return (this.#fingerprint ??= fingerprintOf(this.#bytes));
  }

  /** Hex of the canonical bytes: keys are public, so printing them is safe. */
  toHex(): string {
    return toHex(this.#bytes);
  }

  toString(): string {
    return `PublicKey(${this.fingerprint()})`;
  }
}

/** A P-256 private key in Themis form (`REC2` container, 45 or 44 bytes: KEY-2). */
export class PrivateKey {
  readonly #bytes: Uint8Array;

  /** @internal use {@link PrivateKey.from} */
  constructor(token: typeof guard, bytes: Uint8Array) {
    if (token !== guard) throw new TypeError('use PrivateKey.from(bytes)');
    this.#bytes = bytes;
  }

  /**
   * Parses a Themis private key (45 bytes, or 44 for the unpadded scalar).
   * @throws ProtocolError INVALID_KEY
   */
  static from(bytes: Uint8Array): PrivateKey {
    checkContainer(bytes, TAG_PRIVATE, [PRIVATE_PADDED_LEN, PRIVATE_SHORT_LEN]);
    if (bytes.length === PRIVATE_PADDED_LEN && bytes[HEADER] !== 0) {
      throw new ProtocolError('INVALID_KEY', 'a 45-byte private key must have a zero first scalar byte');
    }
    return new PrivateKey(guard, bytes.slice());
  }

  /** The key's bytes; a copy. Handle with care: this is the secret. */
  bytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** The bytes without copying. @internal */
  get raw(): Uint8Array {
    return this.#bytes;
  }

  /** Overwrites the secret in memory; the key is unusable afterwards. */
  wipe(): void {
    this.#bytes.fill(0);
  }

  /** Never prints the secret. */
  toString(): string {
    return 'PrivateKey(…)';
  }

  toJSON(): string {
    return 'PrivateKey(…)';
  }
}

/** A private key with its public key. */
export class KeyPair {
  /**
   * @param privateKey - the secret half
   * @param publicKey - the matching public half
   */
  constructor(readonly privateKey: PrivateKey, readonly publicKey: PublicKey) {}

  /**
   * A fresh random key pair from the active backend.
   * @example `const alice = KeyPair.generate()`
   */
  static generate(): KeyPair {
    const { privateKey, publicKey } = activeBackend().generateKeyPair();
    return new KeyPair(PrivateKey.from(privateKey), PublicKey.from(publicKey));
  }

  /**
   * A fresh random key pair from the active backend, asynchronously: the form that works on every
   * backend, `webcrypto` included (CRY-18).
   * @example `const alice = await KeyPair.generateAsync()`
   */
  static async generateAsync(): Promise<KeyPair> {
    const { privateKey, publicKey } = await activeAsyncBackend().generateKeyPair();
    return new KeyPair(PrivateKey.from(privateKey), PublicKey.from(publicKey));
  }
}

/** Symmetric key length Comrad generates: 32 bytes, for AES-256-GCM (KEY-3). */
export const SYMMETRIC_KEY_LENGTH = 32;

/** A symmetric Secure Cell master key. */
export class SymmetricKey {
  readonly #bytes: Uint8Array;

  /** @internal use {@link SymmetricKey.from} or {@link SymmetricKey.generate} */
  constructor(token: typeof guard, bytes: Uint8Array) {
    if (token !== guard) throw new TypeError('use SymmetricKey.from(bytes)');
    this.#bytes = bytes;
  }

  /** A fresh random 32-byte key. */
  static generate(): SymmetricKey {
    return new SymmetricKey(guard, randomBytes(SYMMETRIC_KEY_LENGTH));
  }

  /**
   * Wraps existing key bytes; Comrad keys are exactly 32 bytes (KEY-3).
   * @throws ProtocolError INVALID_KEY
   */
  static from(bytes: Uint8Array): SymmetricKey {
    if (!(bytes instanceof Uint8Array) || bytes.length !== SYMMETRIC_KEY_LENGTH) {
      throw new ProtocolError('INVALID_KEY', `symmetric key must be ${SYMMETRIC_KEY_LENGTH} bytes`);
    }
    return new SymmetricKey(guard, bytes.slice());
  }

  /** The key's bytes; a copy. */
  bytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** The bytes without copying. @internal */
  get raw(): Uint8Array {
    return this.#bytes;
  }

  /** Overwrites the key in memory. */
  wipe(): void {
    this.#bytes.fill(0);
  }

  toString(): string {
    return 'SymmetricKey(…)';
  }

  toJSON(): string {
    return 'SymmetricKey(…)';
  }
}
