/**
 * Registry statements (spec/05-operator.md REG-4, spec/02-keys-and-crypto.md LIM-8): the Operator's
 * signature over `name → key`, verified with the pinned Operator key before its content is read, and
 * refused when it is about another comrade than the one asked for. Mutation testing
 * (spec/notes/2026-11-29-mutation-testing.md) found these rules checked only along the happy path.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encode, KeyPair, MAX_STATEMENT_BYTES, ready, sign } from '@comrad/core';
import { signStatement, STATEMENT_CONTEXT, verifyStatement } from '@comrad/core/envelope';
import { codeOf } from '@comrad/test-kit/core/garbage';

/** The latest `at` a statement may carry: the year 10000 in ms, like every wire time. */
const MAX_AT = 253_402_300_800_000;

let operator: KeyPair;
let alice: KeyPair;
let bob: KeyPair;

beforeAll(async () => {
  await ready();
  [operator, alice, bob] = [KeyPair.generate(), KeyPair.generate(), KeyPair.generate()];
});

/** A map the Operator signs, with fields changed or added as a test needs. */
function signed(fields: Record<string, unknown>, by = operator): Uint8Array {
  return sign(by.privateKey, encode({ ctx: STATEMENT_CONTEXT, name: 'alice', key: alice.publicKey.bytes(), at: 1_764_000_000_000, ...fields }));
}

describe('REG-4 registry statements', () => {
  it('REG-4 a statement verifies with the Operator key and says name, key and time', () => {
    const statement = signStatement(operator.privateKey, 'alice', alice.publicKey, 1_764_000_000_123);
    const read = verifyStatement(statement, operator.publicKey);
    expect(read.name).toBe('alice');
    expect(read.key.equals(alice.publicKey)).toBe(true);
    expect(read.at).toBe(1_764_000_000_123);
  });

  it('REG-4 the map signed is exactly {ctx, name, key, at} in that order', () => {
    const statement = signStatement(operator.privateKey, 'alice', alice.publicKey, 7);
    const expected = encode({ ctx: 'comrad/lookup/v1', name: 'alice', key: alice.publicKey.bytes(), at: 7 });
    // Secure Message sign mode carries the message in clear at [12, 12 + n) (CRY-2).
    const n = new DataView(statement.buffer, statement.byteOffset).getUint32(4, true);
    expect(statement.subarray(12, 12 + n)).toEqual(expected);
  });

  it('REG-4 a statement signed by another key than the pinned Operator key is BAD_SIGNATURE', async () => {
    const forged = signStatement(bob.privateKey, 'alice', alice.publicKey, 7);
    expect(await codeOf(() => verifyStatement(forged, operator.publicKey))).toBe('BAD_SIGNATURE');
  });

  it('REG-4 a statement about another name or another key than the one asked for is BAD_SIGNATURE', async () => {
    const statement = signStatement(operator.privateKey, 'alice', alice.publicKey, 7);
    expect(verifyStatement(statement, operator.publicKey, 'alice').name).toBe('alice');
    expect(verifyStatement(statement, operator.publicKey, { key: alice.publicKey }).name).toBe('alice');
    expect(verifyStatement(statement, operator.publicKey, { name: 'alice', key: alice.publicKey }).name).toBe('alice');
    expect(verifyStatement(statement, operator.publicKey, {}).name).toBe('alice');
    expect(await codeOf(() => verifyStatement(statement, operator.publicKey, 'bob'))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => verifyStatement(statement, operator.publicKey, { name: 'bob' }))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => verifyStatement(statement, operator.publicKey, { key: bob.publicKey }))).toBe('BAD_SIGNATURE');
    // Either half wrong is enough.
    expect(await codeOf(() => verifyStatement(statement, operator.publicKey, { name: 'alice', key: bob.publicKey }))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => verifyStatement(statement, operator.publicKey, { name: 'bob', key: alice.publicKey }))).toBe('BAD_SIGNATURE');
  });

  it('REG-4 another Operator signature is no statement: a wrong ctx, a missing or unknown field is MALFORMED', async () => {
    expect(await codeOf(() => verifyStatement(signed({ ctx: 'comrad/lookup/v2' }), operator.publicKey))).toBe('MALFORMED');
    // The field bound (32 characters) is checked before the value is compared.
    expect(await codeOf(() => verifyStatement(signed({ ctx: 'c'.repeat(33) }), operator.publicKey))).toBe('TOO_LARGE');
    expect(await codeOf(() => verifyStatement(signed({ extra: 1 }), operator.publicKey))).toBe('MALFORMED');
    expect(await codeOf(() => verifyStatement(sign(operator.privateKey, encode({ ctx: STATEMENT_CONTEXT, name: 'alice', at: 1 })), operator.publicKey))).toBe('MALFORMED');
    expect(await codeOf(() => verifyStatement(signed({}), operator.publicKey))).toBe('ok');
  });

  it('REG-4 at is 0 to the year 10000 in ms; the key field is 45 to 77 bytes', async () => {
    expect(verifyStatement(signed({ at: 0 }), operator.publicKey).at).toBe(0);
    expect(verifyStatement(signed({ at: MAX_AT }), operator.publicKey).at).toBe(MAX_AT);
    expect(await codeOf(() => verifyStatement(signed({ at: MAX_AT + 1 }), operator.publicKey))).toBe('MALFORMED');
    expect(await codeOf(() => verifyStatement(signed({ at: -1 }), operator.publicKey))).toBe('MALFORMED');
    expect(await codeOf(() => verifyStatement(signed({ key: alice.publicKey.bytes().subarray(0, 44) }), operator.publicKey))).toBe('MALFORMED');
    expect(await codeOf(() => verifyStatement(signed({ key: new Uint8Array(78) }), operator.publicKey))).toBe('TOO_LARGE');
  });

  it('LIM-8 a statement above MAX_STATEMENT_BYTES is TOO_LARGE before its signature is checked; not bytes is MALFORMED', async () => {
    expect(MAX_STATEMENT_BYTES).toBe(1024);
    // Garbage that is not a signed message: the size decides first, then the framing (CRY-5).
    expect(await codeOf(() => verifyStatement(new Uint8Array(1025), operator.publicKey))).toBe('TOO_LARGE');
    expect(await codeOf(() => verifyStatement(new Uint8Array(1024), operator.publicKey))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => verifyStatement('statement' as unknown as Uint8Array, operator.publicKey))).toBe('MALFORMED');
    expect(() => verifyStatement(signed({}), operator.publicKey.bytes() as never)).toThrow(TypeError);
  });
});
