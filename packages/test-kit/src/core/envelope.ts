/**
 * Fixtures for the envelope tests: letter arbitraries, images with the right signatures, and raw
 * sealing of arbitrary payloads (to reach the checks behind the encryption).
 * @module
 */
import fc from 'fast-check';
import { ProtocolError, concatBytes, encryptFor, fromHex, KeyPair, MAX_TEXT_CHARS, PublicKey, cellSeal, SymmetricKey } from '@comrad/core';
import { IMAGE_MIMES, MAX_LETTER_AT, postContext, SEALED_VERSION, signStatement, WORLD_NAME, type Image, type ImageMime, type Letter, type TextLetter } from '@comrad/core/envelope';

/** The smallest byte prefix each image type must start with (LET-10). */
/** A plain text letter from alice to bob: the fixture the letter tests vary one field of (spread it, never change it). */
export const dmLetter: TextLetter = {
  v: 1,
  kind: 'dm',
  from: 'alice',
  to: 'bob',
  at: 1_764_000_000,
  id: fromHex('00112233445566778899aabbccddeeff'),
  body: { text: 'hello' },
};

export const IMAGE_SIGNATURE: Record<ImageMime, Uint8Array> = {
  'image/jpeg': Uint8Array.of(0xff, 0xd8, 0xff, 0xe0),
  'image/png': Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
  'image/webp': Uint8Array.of(0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50),
};

/** An image of `mime` with `size` bytes (its signature, then filler). */
export function image(mime: ImageMime, size = 64): Image {
  const data = new Uint8Array(size).fill(0x5a);
  data.set(IMAGE_SIGNATURE[mime].subarray(0, Math.min(size, IMAGE_SIGNATURE[mime].length)));
  return { mime, data };
}

/** A normalised name (NAME-1). */
export const nameArb = fc.stringMatching(/^[a-z0-9_]{3,32}$/);

const imageArb: fc.Arbitrary<Image> = fc
  .tuple(fc.constantFrom(...IMAGE_MIMES), fc.uint8Array({ maxLength: 200 }))
  .map(([mime, tail]) => ({ mime, data: concatBytes(IMAGE_SIGNATURE[mime], tail) }));

/** Any valid letter (LET-1..LET-10). */
export const letterArb: fc.Arbitrary<Letter> = fc
  .record({
    kind: fc.constantFrom('dm' as const, 'post' as const),
    from: nameArb,
    to: nameArb,
    at: fc.integer({ min: 0, max: MAX_LETTER_AT }),
    id: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    text: fc.string({ unit: 'binary', maxLength: MAX_TEXT_CHARS }),
    image: fc.option(imageArb, { nil: undefined }),
  })
  .filter((r) => r.text.length > 0 || r.image !== undefined)
  .map(({ kind, from, to, at, id, text, image }) => ({
    v: 1 as const,
    kind,
    from,
    to: kind === 'post' ? WORLD_NAME : to,
    at,
    id,
    body: image === undefined ? { text } : { text, image },
  }));

/** A sealed letter around any `padded` payload, made like SEAL-2 but without its checks. */
export function sealRaw(padded: Uint8Array, recipientKey: PublicKey, version = SEALED_VERSION): Uint8Array {
  const ephemeral = KeyPair.generate();
  return concatBytes(Uint8Array.of(version), ephemeral.publicKey.bytes(), encryptFor(ephemeral.privateKey, recipientKey, padded));
}

/** SEAL-1: the content a sealed letter pads, `u16be(s) || statement || signed letter`, without checks. */
export function sealedContent(statement: Uint8Array, signed: Uint8Array): Uint8Array {
  const length = new Uint8Array(2);
  new DataView(length.buffer).setUint16(0, statement.length, false);
  return concatBytes(length, statement, signed);
}

/** An Operator for envelope tests: its key pair and the statements (REG-4) it signs for comrades. */
export function testOperator(): { keys: KeyPair; statementOf(name: string, key: PublicKey): Uint8Array } {
  const keys = KeyPair.generate();
  return { keys, statementOf: (name, key) => signStatement(keys.privateKey, name, key, 1_764_000_000_000) };
}

/** A world post around any `padded` payload, made like POST-2 but without its checks. */
export function postRaw(padded: Uint8Array, key: SymmetricKey, epoch: number): Uint8Array {
  const header = new Uint8Array(5);
  header[0] = 1;
  new DataView(header.buffer).setUint32(1, epoch, false);
  return concatBytes(header, cellSeal(key, padded, postContext(epoch)));
}

/** A copy of `bytes` with byte `i` xor-ed with `mask`. */
export function flip(bytes: Uint8Array, i: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[i]! ^= mask;
  return out;
}

/** A registry lookup over a fixed table; unknown names throw a ProtocolError NOT_FOUND, as the Operator's answer would. */
export function registry(entries: Record<string, PublicKey>): (name: string) => PublicKey {
  return (name) => {
    const key = entries[name];
    if (!key) throw new ProtocolError('NOT_FOUND', 'no such name');
    return key;
  };
}
