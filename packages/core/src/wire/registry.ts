/**
 * `register` and `lookup` (REG-*): the Operator's one permanent record, name ↔ public key, and the
 * Operator-signed statements that let a client trust an answer without trusting the connection.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { bytesEqual } from '../bytes.js';
import { encode, type Fields } from '../codec/index.js';
import { sign, signAsync, verify, type PrivateKey, type PublicKey } from '../crypto/index.js';
import { checkName } from '../envelope/name.js';
import { signStatement, verifyStatement, verifyStatementAsync, type RegistryStatement } from '../envelope/statement.js';
import { NONCE_BOUNDS, SIGNED_BOUNDS, mapOf, must, readKey, readName } from './_bounds.js';

/** Parameters of `register` (REG-1..REG-6). */
export interface RegisterParams {
  /** The normalised name to claim (NAME-1, NAME-3). */
  readonly name: string;
  /** The comrade's public key. */
  readonly key: PublicKey;
  /** {@link makeRegisterProof}: possession of the private key, bound to this Operator (REG-3). */
  readonly proof: Uint8Array;
  /** Proof-of-work nonce when the Operator asks for one (REG-6). */
  readonly pow?: Uint8Array;
}

/** Parameters of `lookup`: exactly one of name or key (REG-4). */
export type LookupParams = { readonly name: string; readonly key?: undefined } | { readonly key: PublicKey; readonly name?: undefined };

/** Result of `register` and `lookup`: a signed {@link LookupStatement}. */
export interface StatementResult {
  /** `sign(operatorKey, encode({ctx:'comrad/lookup/v1', name, key, at}))` (REG-4). */
  readonly statement: Uint8Array;
}

/** What a verified statement says: `name` is registered with `key`, as of `at` (see {@link RegistryStatement}). */
export type LookupStatement = RegistryStatement;

const REGISTER_CTX = 'comrad/register/v1';

/** The bytes a registrant signs (REG-3). */
function registerMessage(name: string, key: PublicKey, operatorKey: PublicKey): Uint8Array {
  return encode({ ctx: REGISTER_CTX, name, key: key.bytes(), operator: operatorKey.bytes() });
}

/**
 * Proves possession of `privateKey` for a registration at one Operator (REG-3).
 * @param privateKey - the comrade's private key
 * @param name - the normalised name to register
 * @param key - the matching public key
 * @param operatorKey - the pinned Operator key, so the proof cannot be replayed at another Operator
 * @returns the `proof` field of `register`
 * @example `const proof = makeRegisterProof(me.privateKey, 'alice', me.publicKey, operatorKey)`
 */
export function makeRegisterProof(privateKey: PrivateKey, name: string, key: PublicKey, operatorKey: PublicKey): Uint8Array {
  return sign(privateKey, registerMessage(checkName(name), key, operatorKey));
}

/**
 * {@link makeRegisterProof}, asynchronously, on every crypto backend (CRY-18).
 * @returns the `proof` field of `register`
 */
export async function makeRegisterProofAsync(privateKey: PrivateKey, name: string, key: PublicKey, operatorKey: PublicKey): Promise<Uint8Array> {
  return signAsync(privateKey, registerMessage(checkName(name), key, operatorKey));
}

/**
 * Checks a registration proof (REG-3).
 * @throws ProtocolError BAD_SIGNATURE (wrong key, wrong name, other Operator, tampered), TRUNCATED, TRAILING_BYTES
 */
export function checkRegisterProof(proof: Uint8Array, name: string, key: PublicKey, operatorKey: PublicKey): void {
  const signed = verify(key, proof);
  if (!bytesEqual(signed, registerMessage(name, key, operatorKey)) ) {
    throw new ProtocolError('BAD_SIGNATURE', 'the registration proof does not sign this name, key and Operator');
  }
}

/**
 * The Operator signs that `name` is registered with `key` (REG-4); the format lives with the letters that
 * carry it (`signStatement`, SEAL-1).
 * @param operatorKey - the Operator's private key
 * @param at - the time of signing (ms)
 */
export function signLookup(operatorKey: PrivateKey, name: string, key: PublicKey, at: number): Uint8Array {
  return signStatement(operatorKey, name, key, at);
}

/**
 * Verifies a lookup statement against the pinned Operator key (REG-4) and, when given, that it is about
 * the expected name or key (`verifyStatement`).
 * @param statement - the `statement` of a `register` or `lookup` result
 * @param operatorKey - the pinned Operator key
 * @param expected - the name (or `{name?, key?}`) the client asked about
 * @returns the verified statement
 * @throws ProtocolError BAD_SIGNATURE (not signed by this Operator, or about another name/key), MALFORMED
 * @example `const { key } = verifyLookup(res.statement, pinnedOperatorKey, 'bob')`
 */
export function verifyLookup(
  statement: Uint8Array,
  operatorKey: PublicKey,
  expected?: string | { readonly name?: string; readonly key?: PublicKey },
): LookupStatement {
  return verifyStatement(statement, operatorKey, expected);
}

/**
 * {@link verifyLookup}, asynchronously, on every crypto backend (CRY-18).
 * @throws ProtocolError as {@link verifyLookup}
 */
export async function verifyLookupAsync(
  statement: Uint8Array,
  operatorKey: PublicKey,
  expected?: string | { readonly name?: string; readonly key?: PublicKey },
): Promise<LookupStatement> {
  return verifyStatementAsync(statement, operatorKey, expected);
}

/** @internal */
export const registerCodec = {
  keys: ['name', 'key', 'proof', 'pow'] as const,
  encodeParams: (p: RegisterParams) => ({
    name: p.name,
    key: p.key.bytes(),
    proof: p.proof,
    ...(p.pow ? { pow: p.pow } : {}),
  }),
  decodeParams: (f: Fields): RegisterParams => {
    const name = readName(f, 'name');
    const key = readKey(f, 'key');
    const proof = f.bytes('proof', SIGNED_BOUNDS);
    const pow = f.optBytes('pow', NONCE_BOUNDS);
    return pow ? { name, key, proof, pow } : { name, key, proof };
  },
  encodeResult: (r: StatementResult) => ({ statement: r.statement }),
  decodeResult: decodeStatementResult,
};

/** @internal */
export const lookupCodec = {
  keys: ['name', 'key'] as const,
  encodeParams: (p: LookupParams) => (p.name !== undefined ? { name: p.name } : { key: p.key.bytes() }),
  decodeParams: (f: Fields): LookupParams => {
    must(f.has('name') !== f.has('key'), 'lookup takes exactly one of name or key');
    return f.has('name') ? { name: readName(f, 'name') } : { key: readKey(f, 'key') };
  },
  encodeResult: (r: StatementResult) => ({ statement: r.statement }),
  decodeResult: decodeStatementResult,
};

function decodeStatementResult(value: unknown): StatementResult {
  return { statement: mapOf(value, 'statement result', ['statement']).bytes('statement', SIGNED_BOUNDS) };
}
