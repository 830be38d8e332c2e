/**
 * Registry statements (REG-4): the Operator's signature over `name → key`. The answer to `register` and
 * `lookup`, and since sealed letters v2 also what a letter carries about its sender (SEAL-1), so the
 * recipient verifies the sender with the pinned Operator key and never has to ask about them.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { decode, encode } from '../codec/msgpack.js';
import { Fields } from '../codec/fields.js';
import { sign, verify, verifyAsync } from '../crypto/operations.js';
import { PublicKey, type PrivateKey } from '../crypto/keys.js';
import { MAX_STATEMENT_BYTES } from '../limits.js';
import { bytesEqual } from '../bytes.js';
import { checkName, readNameField } from './name.js';

/** REG-4: the context string inside every statement, so no other Operator signature passes for one. */
export const STATEMENT_CONTEXT = 'comrad/lookup/v1';

/** LIM-8: bytes of a statement; a Themis signature over a small map is far below the upper bound. */
export const STATEMENT_BYTES = { min: 12, max: MAX_STATEMENT_BYTES } as const;

/** What a verified statement says: `name` is registered with `key`, as of `at`. */
export interface RegistryStatement {
  readonly name: string;
  readonly key: PublicKey;
  /** When the Operator signed it (ms). Registrations are permanent, so an old statement stays true. */
  readonly at: number;
}

/** The latest `at` a statement may carry (ms; the year 10000, like every wire time). */
const MAX_AT = 253_402_300_800_000;
const KEY_BOUNDS = { min: 45, max: 77 } as const;

/**
 * The Operator signs that `name` is registered with `key` (REG-4).
 * @param operatorKey - the Operator's private key
 * @param name - a normalised name
 * @param key - the key registered under it
 * @param at - the time of signing (ms)
 * @returns `sign(operatorKey, encode({ctx: 'comrad/lookup/v1', name, key, at}))`
 * @example `const statement = signStatement(operator.privateKey, 'alice', alice.publicKey, Date.now())`
 */
export function signStatement(operatorKey: PrivateKey, name: string, key: PublicKey, at: number): Uint8Array {
  return sign(operatorKey, encode({ ctx: STATEMENT_CONTEXT, name: checkName(name), key: key.bytes(), at }));
}

/**
 * Verifies a statement with the pinned Operator key, then reads it (REG-4: the signature before the
 * content), and, when given, checks that it is about the expected name or key.
 * @param statement - the statement bytes
 * @param operatorKey - the pinned Operator key
 * @param expected - the name (or `{name?, key?}`) it must be about
 * @returns the verified statement
 * @throws ProtocolError TOO_LARGE, BAD_SIGNATURE (not signed by this Operator, or about another name or
 *   key), MALFORMED (also when not in canonical form, ENC-2), INVALID_NAME, INVALID_KEY (only from an
 *   Operator that signs nonsense)
 * @example `const { key } = verifyStatement(res.statement, pinnedOperatorKey, 'bob')`
 */
export function verifyStatement(
  statement: Uint8Array,
  operatorKey: PublicKey,
  expected?: string | { readonly name?: string; readonly key?: PublicKey },
): RegistryStatement {
  checkStatementInput(statement, operatorKey);
  return readStatement(verify(operatorKey, statement), expected);
}

/**
 * {@link verifyStatement}, asynchronously: the same checks in the same order, on every crypto backend
 * (`webcrypto` included, CRY-18).
 * @throws ProtocolError as {@link verifyStatement}
 */
export async function verifyStatementAsync(
  statement: Uint8Array,
  operatorKey: PublicKey,
  expected?: string | { readonly name?: string; readonly key?: PublicKey },
): Promise<RegistryStatement> {
  checkStatementInput(statement, operatorKey);
  return readStatement(await verifyAsync(operatorKey, statement), expected);
}

function checkStatementInput(statement: Uint8Array, operatorKey: PublicKey): void {
  if (!(statement instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'a statement must be bytes');
  if (!(operatorKey instanceof PublicKey)) throw new TypeError('operatorKey must be a PublicKey');
  if (statement.length > STATEMENT_BYTES.max) throw new ProtocolError('TOO_LARGE', `a statement exceeds ${STATEMENT_BYTES.max} bytes`);
}

/** REG-4 after the signature: the content, its canonical form, and whom it is about. */
function readStatement(message: Uint8Array, expected: string | { readonly name?: string; readonly key?: PublicKey } | undefined): RegistryStatement {
  const f = Fields.of(decode(message, STATEMENT_BYTES.max), 'statement', ['ctx', 'name', 'key', 'at']);
  if (f.str('ctx', { max: 32 }) !== STATEMENT_CONTEXT) throw new ProtocolError('MALFORMED', 'not a registry statement');
  const out: RegistryStatement = {
    name: readNameField(f, 'name'),
    key: PublicKey.from(f.bytes('key', KEY_BOUNDS)),
    at: f.int('at', { min: 0, max: MAX_AT }),
  };
  // REG-4, ENC-2: one statement has one encoding, checked last, as for letters: the bytes signed must be
  // exactly what signStatement writes for what was read (field order, shortest forms, the 45-byte key),
  // so no two readers can take one signed statement for two different ones.
  if (!bytesEqual(encode({ ctx: STATEMENT_CONTEXT, name: out.name, key: out.key.bytes(), at: out.at }), message)) {
    throw new ProtocolError('MALFORMED', 'the statement is not in canonical form');
  }
  const want = typeof expected === 'string' ? { name: expected } : (expected ?? {});
  // A validly signed statement about someone else is as useless as a forged one: one code for both.
  if ((want.name !== undefined && want.name !== out.name) || (want.key !== undefined && !want.key.equals(out.key))) {
    throw new ProtocolError('BAD_SIGNATURE', 'the statement is about another comrade');
  }
  return out;
}
