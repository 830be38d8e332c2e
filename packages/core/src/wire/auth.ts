/**
 * The handshake (AUTH-*): the Operator greets every connection with a fresh challenge; a comrade answers
 * with `auth`, a signature over the challenge, the Operator's key, its name and the time. Requests on that
 * connection then act as that comrade.
 * @module
 */
import { bytesEqual } from '../bytes.js';
import { encode, type Fields } from '../codec/index.js';
import { sign, signAsync, verify, type PrivateKey, type PublicKey } from '../crypto/index.js';
import { ComradError } from '../errors.js';
import { SIGNED_BOUNDS, TIME_BOUNDS, mapOf, readName } from './_bounds.js';

/** AUTH-1: the challenge is 32 random bytes, fresh per connection. */
export const CHALLENGE_BYTES = 32;
/** AUTH-4: the Operator accepts an `at` within ±5 minutes of its clock. */
export const AUTH_MAX_SKEW_MS = 5 * 60_000;

/** Parameters of `auth`. */
export interface AuthParams {
  /** The comrade's registered name. */
  readonly name: string;
  /** The client's clock when it signed (ms). */
  readonly at: number;
  /** {@link makeAuthProof}. */
  readonly sig: Uint8Array;
}

/** Result of `auth`: the name the connection now acts as. */
export interface AuthResult {
  readonly name: string;
}

/** What an auth proof binds (AUTH-2). */
export interface AuthClaim {
  /** The challenge of the `hello` push on this connection. */
  readonly challenge: Uint8Array;
  /** The pinned Operator key. */
  readonly operatorKey: PublicKey;
  readonly name: string;
  readonly at: number;
}

function authMessage(c: AuthClaim): Uint8Array {
  return encode({ ctx: 'comrad/auth/v1', challenge: c.challenge, operator: c.operatorKey.bytes(), name: c.name, at: c.at });
}

/**
 * Signs the handshake (AUTH-2).
 * @param privateKey - the comrade's private key
 * @param claim - the challenge from `hello`, the pinned Operator key, the name and the current time
 * @returns the `sig` field of `auth`
 * @example `const sig = makeAuthProof(me.privateKey, { challenge: hello.challenge, operatorKey, name: 'alice', at: Date.now() })`
 */
export function makeAuthProof(privateKey: PrivateKey, claim: AuthClaim): Uint8Array {
  return sign(privateKey, authMessage(claim));
}

/**
 * {@link makeAuthProof}, asynchronously, on every crypto backend (CRY-18).
 * @returns the `sig` field of `auth`
 */
export async function makeAuthProofAsync(privateKey: PrivateKey, claim: AuthClaim): Promise<Uint8Array> {
  return signAsync(privateKey, authMessage(claim));
}

/**
 * Checks a handshake signature against the registered key (AUTH-2). Returns a boolean, never a reason:
 * every failure must look the same to the client (AUTH-5).
 * @param sig - the `sig` of `auth`
 * @param publicKey - the key registered under `claim.name`
 * @param claim - what the Operator expects to be signed
 */
export function checkAuthProof(sig: Uint8Array, publicKey: PublicKey, claim: AuthClaim): boolean {
  try {
    return bytesEqual(verify(publicKey, sig), authMessage(claim));
  } catch (err) {
    if (err instanceof ComradError) return false;
    throw err;
  }
}

/** @internal */
export const authCodec = {
  keys: ['name', 'at', 'sig'] as const,
  encodeParams: (p: AuthParams) => ({ name: p.name, at: p.at, sig: p.sig }),
  decodeParams: (f: Fields): AuthParams => ({
    name: readName(f, 'name'),
    at: f.int('at', TIME_BOUNDS),
    sig: f.bytes('sig', SIGNED_BOUNDS),
  }),
  encodeResult: (r: AuthResult) => ({ name: r.name }),
  decodeResult: (value: unknown): AuthResult => ({ name: readName(mapOf(value, 'auth result', ['name']), 'name') }),
};
