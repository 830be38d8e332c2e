import { beforeAll, describe, expect, it } from 'vitest';
import { checkName, checkRegistrableName, encode, KeyPair, normaliseName, ProtocolError, ready, sign } from '@comrad/core';
import { decodeLetter, STATEMENT_CONTEXT, verifyStatement } from '@comrad/core/envelope';
import { decodeRequest, decodeResult } from '@comrad/core/wire';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return ProtocolError.is(err) ? err.code : 'untyped';
  }
  return 'ok';
};

describe('names', () => {
  it('NAME-2 normalises what a person types: trim, one @, ASCII lowercase', () => {
    expect(normaliseName(' @Alice_01 ')).toBe('alice_01');
    expect(normaliseName('BOB')).toBe('bob');
  });
  it('NAME-2 folds no Unicode look-alike into a name (KELVIN SIGN stays invalid)', () => {
    expect(code(() => normaliseName('\u212Aarl'))).toBe('INVALID_NAME');
    expect(code(() => normaliseName('ALİCE'))).toBe('INVALID_NAME');
  });
  it('NAME-1 accepts 3–32 of [a-z0-9_] and nothing else', () => {
    expect(checkName('abc')).toBe('abc');
    expect(checkName('a'.repeat(32))).toBe('a'.repeat(32));
    for (const bad of ['ab', 'a'.repeat(33), 'Alice', 'al ice', 'al-ice', '@alice', '']) {
      expect(code(() => checkName(bad))).toBe('INVALID_NAME');
    }
  });
  it('NAME-1 OP-2 every string that is not a name is INVALID_NAME wherever a name is due, however long', async () => {
    await ready();
    const operator = KeyPair.generate();
    const letter = (from: string) =>
      encode({ v: 1, kind: 'dm', from, to: 'bob', at: 1, id: new Uint8Array(16), body: { text: 'hi' } });
    const statement = (name: string) => sign(operator.privateKey, encode({ ctx: STATEMENT_CONTEXT, name, key: operator.publicKey.bytes(), at: 1 }));
    for (const bad of ['ab', 'a'.repeat(33), 'a'.repeat(200), 'x'.repeat(4000), 'Alice', 'é'.repeat(20)]) {
      expect(code(() => decodeRequest(encode({ id: 1, op: 'lookup', name: bad }))), `lookup ${bad.length}`).toBe('INVALID_NAME');
      expect(code(() => decodeRequest(encode({ id: 1, op: 'auth', name: bad, at: 1, sig: new Uint8Array(12) }))), `auth ${bad.length}`).toBe('INVALID_NAME');
      expect(code(() => decodeRequest(encode({ id: 1, op: 'send', to: bad, letter: Uint8Array.of(1) }))), `send ${bad.length}`).toBe('INVALID_NAME');
      expect(code(() => decodeResult('auth', { name: bad })), `auth result ${bad.length}`).toBe('INVALID_NAME');
      expect(code(() => decodeLetter(letter(bad))), `letter ${bad.length}`).toBe('INVALID_NAME');
      // A statement is bounded first (LIM-8): one over 1024 bytes is TOO_LARGE before it is read.
      if (bad.length < 900) expect(code(() => verifyStatement(statement(bad), operator.publicKey)), `statement ${bad.length}`).toBe('INVALID_NAME');
    }
    // Not a string at all is a wrong type (ENC-5), not a name.
    expect(code(() => decodeRequest(encode({ id: 1, op: 'lookup', name: 7 })))).toBe('MALFORMED');
  });
  it('NAME-2 only A–Z are lowered, each to its own letter; one @ is dropped, a second is not; a non-string is INVALID_NAME', () => {
    expect(normaliseName('ABCDEFGHIJKLMNOPQRSTUVWXYZ')).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(normaliseName('@Zed_9')).toBe('zed_9');
    // The characters just outside A–Z ('@' and '[') are not shifted into names.
    expect(code(() => normaliseName('al[ce'))).toBe('INVALID_NAME');
    expect(code(() => normaliseName('@@alice'))).toBe('INVALID_NAME');
    expect(code(() => normaliseName('ali@ce'))).toBe('INVALID_NAME');
    expect(normaliseName('\t alice\n')).toBe('alice');
    for (const bad of [12345, null, undefined, ['alice']]) expect(code(() => normaliseName(bad as unknown as string)), String(bad)).toBe('INVALID_NAME');
  });
  it('NAME-1 checkName refuses what is not a string, even one whose text would be a name', () => {
    for (const bad of [12345, ['alice'], { toString: () => 'alice' }]) expect(code(() => checkName(bad as unknown as string)), String(bad)).toBe('INVALID_NAME');
  });
  it('NAME-3 reserved names cannot be registered', () => {
    expect(code(() => checkRegistrableName('operator'))).toBe('INVALID_NAME');
    expect(code(() => checkRegistrableName('comrades'))).toBe('INVALID_NAME');
    expect(checkRegistrableName('alice')).toBe('alice');
    // A name that is no name is refused as such, reserved or not.
    for (const bad of ['ab', 'Operator', 12345 as unknown as string]) expect(code(() => checkRegistrableName(bad))).toBe('INVALID_NAME');
  });
});
