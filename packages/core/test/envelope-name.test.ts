import { describe, expect, it } from 'vitest';
import { checkName, checkRegistrableName, normaliseName, ProtocolError } from '@comrad/core';

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
  it('NAME-3 reserved names cannot be registered', () => {
    expect(code(() => checkRegistrableName('operator'))).toBe('INVALID_NAME');
    expect(code(() => checkRegistrableName('comrades'))).toBe('INVALID_NAME');
    expect(checkRegistrableName('alice')).toBe('alice');
  });
});
