/**
 * Writes `spec/vectors/*.json` (spec/README.md, "Vectors"). Skipped unless MAKE_VECTORS=1:
 *
 *     MAKE_VECTORS=1 npx vitest run spec/scripts/make-vectors.test.ts
 *
 * Keys, ephemeral keys and IVs are fresh on every run, so the bytes change; what each vector means does
 * not. `spec/test/vectors.test.ts` checks the committed files against the code.
 */
import { it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { ECDH } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { ready, cellSeal, concatBytes, encode, encryptFor, fromHex, KeyPair, passphraseSeal, sign, SymmetricKey, toHex, utf8, PublicKey } from '@comrad/core';
import { encodeLetter, openSealedLetter, pad, postContext, sealLetter, sealPost, signLetter, signStatement, type CircleKeyLetter, type Letter, type TextLetter } from '@comrad/core/envelope';
import { encodeKeystore, Keymaker } from '@comrad/core/keymaker';
import { makeContainer } from '@comrad/core/src/crypto/_container.js';
import { MAX_LETTER_BYTES, MAX_SEALED_LETTER_BYTES, MAX_SIGNED_LETTER_BYTES, MAX_TEXT_CHARS } from '@comrad/core';
import { flip } from '@comrad/test-kit/core/envelope';
import { letterToJson, rawMap, type VectorBytes } from './vector-format.js';

const GENERATOR = 'MAKE_VECTORS=1 npx vitest run spec/scripts/make-vectors.test.ts';
/** A text body's canonical map (an absent image is omitted). */
const textMap = (b: { text: string; image?: { mime: string; data: Uint8Array } }) => (b.image ? { text: b.text, image: { mime: b.image.mime, data: b.image.data } } : { text: b.text });

const out = (name: string) => fileURLToPath(new URL(`../vectors/${name}`, import.meta.url));
const hex = toHex;

async function write(name: string, spec: string, description: string, valid: unknown[], invalid: unknown[]): Promise<void> {
  const doc = { spec, description, generator: GENERATOR, valid, invalid };
  await writeFile(out(name), `${JSON.stringify(doc, null, 2)}\n`);
}


function letterParts(l: TextLetter | CircleKeyLetter): [string, Uint8Array][] {
  return [
    ['v', encode(l.v)],
    ['kind', encode(l.kind)],
    ['from', encode(l.from)],
    ['to', encode(l.to)],
    ['at', encode(l.at)],
    ['id', encode(l.id)],
    ['body', encode(l.kind === 'circle-key' ? { gen: l.body.gen, key: l.body.key } : textMap(l.body))],
  ];
}

const withPart = (l: TextLetter | CircleKeyLetter, key: string, value: Uint8Array | undefined, extra: [string, Uint8Array][] = []) =>
  rawMap([...letterParts(l).flatMap(([k, v]): [string, Uint8Array][] => (k !== key ? [[k, v]] : value ? [[k, value]] : [])), ...extra]);

function float64(n: number): Uint8Array {
  const b = new Uint8Array(9);
  b[0] = 0xcb;
  new DataView(b.buffer).setFloat64(1, n, false);
  return b;
}

const PNG = fromHex('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0e8c9b10000000049454e44ae426082');

it.skipIf(process.env.MAKE_VECTORS !== '1')('writes spec/vectors/*.json', async () => {
  await ready({ backend: 'wasm' });
  const [alice, bob, carol, mallory] = ['alice', 'bob', 'carol', 'mallory'].map((n) => Keymaker.generate(n)) as [Keymaker, Keymaker, Keymaker, Keymaker];
  const registry = Object.fromEntries([alice, bob, carol, mallory].map((k) => [k.name, hex(k.publicKey.bytes())]));
  const id = (n: number) => fromHex(n.toString(16).padStart(2, '0').repeat(16));

  // ---- letters.json (LET-*, ENC-2)
  const dm: Letter = { v: 1, kind: 'dm', from: 'alice', to: 'bob', at: 1_764_000_000, id: id(1), body: { text: 'meet at the library, 6pm' } };
  const dmImage: Letter = { ...dm, id: id(2), body: { text: '', image: { mime: 'image/png', data: PNG } } };
  const post: Letter = { v: 1, kind: 'post', from: 'alice', to: 'comrades', at: 1_764_000_100, id: id(3), body: { text: 'general assembly on friday ✊' } };
  const astral: Letter = { ...dm, id: id(4), at: 0, body: { text: '😀'.repeat(MAX_TEXT_CHARS) } };
  const maxAt: Letter = { ...dm, id: id(5), at: 0xffffffff, from: 'a_1', to: 'z'.repeat(32), body: { text: 'x' } };
  const circleKey: Letter = { v: 1, kind: 'circle-key', from: 'alice', to: 'bob', at: 1_764_000_200, id: id(6), body: { gen: 3, key: new Uint8Array(32).fill(0x6b) } };
  const validLetters = [
    ['a circle key (generation 3)', circleKey, ['LET-4', 'CIR-2']],
    ['a direct message', dm, ['LET-1', 'LET-9']],
    ['a direct message with only an image', dmImage, ['LET-9', 'LET-10']],
    ['a world post', post, ['LET-6']],
    ['1000 astral code points, at = 0', astral, ['LET-7', 'LET-9', 'LIM-1']],
    ['the largest at, shortest and longest names', maxAt, ['LET-5', 'LET-7']],
  ] as const;
  const letterInvalid: [string, string[], string, VectorBytes][] = [
    ['version 2', ['LET-2'], 'UNSUPPORTED_VERSION', hex(withPart(dm, 'v', encode(2)))],
    ['version 2 with fields version 1 does not know', ['LET-2'], 'UNSUPPORTED_VERSION', hex(withPart(dm, 'v', encode(2), [['x', encode(1)]]))],
    ['no version', ['LET-2'], 'MALFORMED', hex(withPart(dm, 'v', undefined))],
    ['version as a string', ['LET-2'], 'MALFORMED', hex(withPart(dm, 'v', encode('1')))],
    ['not a map', ['LET-1'], 'MALFORMED', hex(encode([1, 'dm']))],
    ['reserved kind vote', ['LET-4'], 'UNSUPPORTED_KIND', hex(withPart(dm, 'kind', encode('vote')))],
    ['unknown kind poll', ['LET-4'], 'UNSUPPORTED_KIND', hex(withPart(dm, 'kind', encode('poll')))],
    ['kind that is not a kind name', ['LET-3'], 'MALFORMED', hex(withPart(dm, 'kind', encode('DM!')))],
    ['a circle key of generation 0', ['CIR-2'], 'MALFORMED', hex(withPart(circleKey, 'body', encode({ gen: 0, key: new Uint8Array(32) })))],
    ['a circle key of generation 2^32', ['CIR-2'], 'MALFORMED', hex(withPart(circleKey, 'body', encode({ gen: 2 ** 32, key: new Uint8Array(32) })))],
    ['a circle key of 31 bytes', ['CIR-2'], 'MALFORMED', hex(withPart(circleKey, 'body', encode({ gen: 1, key: new Uint8Array(31) })))],
    ['a circle key of 33 bytes', ['CIR-2'], 'TOO_LARGE', hex(withPart(circleKey, 'body', encode({ gen: 1, key: new Uint8Array(33) })))],
    ['a circle key body with text', ['CIR-2', 'ENC-6'], 'MALFORMED', hex(withPart(circleKey, 'body', encode({ text: 'hi' })))],
    ['a circle key body with fields out of order', ['CIR-2', 'ENC-2'], 'MALFORMED', hex(withPart(circleKey, 'body', rawMap([['key', encode(new Uint8Array(32))], ['gen', encode(1)]])))],
    ['a circle key addressed to comrades', ['CIR-2'], 'MALFORMED', hex(withPart(circleKey, 'to', encode('comrades')))],
    ['a direct message with a circle key body', ['LET-9'], 'MALFORMED', hex(withPart(dm, 'body', encode({ gen: 1, key: new Uint8Array(32) })))],
    ['from not normalised', ['LET-5'], 'INVALID_NAME', hex(withPart(dm, 'from', encode('Alice')))],
    ['to too short', ['LET-5'], 'INVALID_NAME', hex(withPart(dm, 'to', encode('bo')))],
    ['a post not addressed to comrades', ['LET-6'], 'MALFORMED', hex(withPart(post, 'to', encode('bob')))],
    ['at negative', ['LET-7'], 'MALFORMED', hex(withPart(dm, 'at', encode(-1)))],
    ['at beyond uint32', ['LET-7'], 'MALFORMED', hex(withPart(dm, 'at', fromHex('cf0000000100000000')))],
    ['at in a uint64 form (not the shortest)', ['ENC-2', 'LET-7'], 'MALFORMED', hex(withPart(dm, 'at', fromHex('cf0000000069248100')))],
    ['at as a float', ['ENC-2', 'LET-7'], 'MALFORMED', hex(withPart(dm, 'at', float64(dm.at)))],
    ['id of 15 bytes', ['LET-8'], 'MALFORMED', hex(withPart(dm, 'id', encode(new Uint8Array(15))))],
    ['id of 17 bytes', ['LET-8'], 'TOO_LARGE', hex(withPart(dm, 'id', encode(new Uint8Array(17))))],
    ['text of 1001 characters', ['LET-9', 'LIM-1'], 'TOO_LARGE', hex(withPart(dm, 'body', encode({ text: 'a'.repeat(MAX_TEXT_CHARS + 1) })))],
    ['empty body', ['LET-9'], 'MALFORMED', hex(withPart(dm, 'body', encode({ text: '' })))],
    ['text not valid UTF-8', ['LET-9', 'ENC-2'], 'MALFORMED', hex(withPart(dm, 'body', concatBytes(Uint8Array.of(0x81), encode('text'), Uint8Array.of(0xa2, 0xc3, 0x28))))],
    ['image type gif', ['LET-10'], 'MALFORMED', hex(withPart(dm, 'body', encode({ text: '', image: { mime: 'image/gif', data: utf8('GIF89a') } })))],
    ['png bytes labelled jpeg', ['LET-10'], 'MALFORMED', hex(withPart(dm, 'body', encode({ text: '', image: { mime: 'image/jpeg', data: PNG } })))],
    ['image nil instead of absent', ['ENC-2', 'LET-10'], 'MALFORMED', hex(withPart(dm, 'body', encode({ text: 'x', image: null })))],
    ['unknown field', ['ENC-6'], 'MALFORMED', hex(withPart(dm, 'x', undefined, [['x', encode(1)]]))],
    ['duplicate body field', ['ENC-2'], 'MALFORMED', hex(rawMap([...letterParts(dm), ['body', encode({ text: 'other' })]]))],
    ['fields out of order', ['ENC-2', 'LET-1'], 'MALFORMED', hex(rawMap([letterParts(dm)[1]!, letterParts(dm)[0]!, ...letterParts(dm).slice(2)]))],
    ['trailing byte', ['ENC-3'], 'TRAILING_BYTES', hex(concatBytes(encodeLetter(dm), Uint8Array.of(0xc0)))],
    ['larger than MAX_LETTER_BYTES', ['LET-11', 'LIM-4'], 'TOO_LARGE', { hex: hex(encodeLetter(dm)), zeroFillTo: MAX_LETTER_BYTES + 1 }],
  ];
  await write(
    'letters.json',
    'LET-*, ENC-*',
    'Letters: canonical msgpack bytes and the letter they decode to; invalid bytes and the error code decoding gives.',
    validLetters.map(([name, l, rules]) => ({ name, rules, hex: hex(encodeLetter(l)), letter: letterToJson(l) })),
    letterInvalid.map(([name, rules, error, bytes]) => ({ name, rules, error, hex: bytes })),
  );

  // ---- signed.json (SIG-*)
  const signedDm = signLetter(dm, alice.keys.privateKey);
  await write(
    'signed.json',
    'SIG-*',
    'Signed letters: open with authorKey to the letter; invalid ones give the error code.',
    [
      { name: 'a signed direct message', rules: ['SIG-1', 'SIG-2'], signed: hex(signedDm), authorKey: registry.alice, letter: letterToJson(dm) },
      { name: 'a signed post', rules: ['SIG-1', 'SIG-2'], signed: hex(signLetter(post, alice.keys.privateKey)), authorKey: registry.alice, letter: letterToJson(post) },
    ],
    [
      { name: 'verified with another key', rules: ['SIG-2'], error: 'BAD_SIGNATURE', signed: hex(signedDm), authorKey: registry.mallory },
      { name: 'letter byte changed', rules: ['SIG-2'], error: 'BAD_SIGNATURE', signed: hex(flip(signedDm, 30)), authorKey: registry.alice },
      { name: 'signature byte changed', rules: ['SIG-2'], error: 'BAD_SIGNATURE', signed: hex(flip(signedDm, signedDm.length - 4)), authorKey: registry.alice },
      { name: 'truncated', rules: ['SIG-2', 'CRY-5'], error: 'TRUNCATED', signed: hex(signedDm.subarray(0, signedDm.length - 1)), authorKey: registry.alice },
      { name: 'trailing byte', rules: ['SIG-2', 'CRY-5'], error: 'TRAILING_BYTES', signed: hex(concatBytes(signedDm, Uint8Array.of(0))), authorKey: registry.alice },
      { name: 'a valid signature over bytes that are not a letter', rules: ['SIG-2', 'LET-1'], error: 'MALFORMED', signed: hex(sign(alice.keys.privateKey, encode({ hello: 'world' }))), authorKey: registry.alice },
      { name: 'larger than MAX_SIGNED_LETTER_BYTES', rules: ['SIG-2', 'LIM-5'], error: 'TOO_LARGE', signed: { hex: hex(signedDm), zeroFillTo: MAX_SIGNED_LETTER_BYTES + 1 }, authorKey: registry.alice },
    ],
  );

  // ---- padding.json (SEAL-3, SEAL-4)
  const content = utf8('content');
  const padded = pad(content);
  const overPadded = new Uint8Array(1024);
  overPadded.set(padded);
  const prefixTooLong = padded.slice();
  new DataView(prefixTooLong.buffer).setUint32(0, 509, false);
  await write(
    'padding.json',
    'SEAL-3, SEAL-4',
    'Padding: content and its canonical padding; invalid paddings and the error code unpadding gives.',
    [
      { name: 'short content, first bucket', rules: ['SEAL-3'], content: hex(content), padded: hex(padded) },
      { name: 'content that exactly fills 512 bytes with its prefix', rules: ['SEAL-3'], content: hex(new Uint8Array(508).fill(0xab)), padded: hex(pad(new Uint8Array(508).fill(0xab))) },
      { name: 'one byte more goes to the next bucket', rules: ['SEAL-3'], content: hex(new Uint8Array(509).fill(0xab)), padded: hex(pad(new Uint8Array(509).fill(0xab))) },
    ],
    [
      { name: 'a non-zero padding byte', rules: ['SEAL-4'], error: 'BAD_PADDING', padded: hex(flip(padded, 300)) },
      { name: 'a zero length prefix', rules: ['SEAL-4'], error: 'BAD_PADDING', padded: hex(new Uint8Array(512)) },
      { name: 'a length prefix beyond the bucket', rules: ['SEAL-4'], error: 'BAD_PADDING', padded: hex(prefixTooLong) },
      { name: 'padded to a larger bucket than needed', rules: ['SEAL-4'], error: 'BAD_PADDING', padded: hex(overPadded) },
      { name: 'a size that is not a bucket', rules: ['SEAL-4'], error: 'BAD_PADDING', padded: hex(padded.subarray(0, 500)) },
    ],
  );

  // ---- sealed.json (SEAL-*)
  const operator = KeyPair.generate();
  const rogueOperator = KeyPair.generate();
  const operatorKey = hex(operator.publicKey.bytes());
  const statementOf = (k: Keymaker, by: KeyPair = operator) => signStatement(by.privateKey, k.name, k.publicKey, 1_764_000_000_000);
  const recipient = (k: Keymaker, name = k.name) => ({ name, privateKey: hex(k.keys.privateKey.bytes()), publicKey: hex(k.publicKey.bytes()) });
  const raw = (p: Uint8Array, to: PublicKey, version = 2) => {
    const e = KeyPair.generate();
    return concatBytes(Uint8Array.of(version), e.publicKey.bytes(), encryptFor(e.privateKey, to, p));
  };
  /** SEAL-1 content: u16be(s) || statement || signed, without sealLetter's checks. */
  const sealedContent = (statement: Uint8Array, signed: Uint8Array) => {
    const n = new Uint8Array(2);
    new DataView(n.buffer).setUint16(0, statement.length, false);
    return concatBytes(n, statement, signed);
  };
  const aliceStatement = statementOf(alice);
  const sealedDm = sealLetter(dm, alice.keys, bob.publicKey, aliceStatement);
  // ECDSA signatures are randomised: the signed letter and statement of a valid vector are the ones inside its seal.
  const sealedVector = async (name: string, rules: string[], sealed: Uint8Array, to: Keymaker) => {
    const opened = await openSealedLetter(sealed, to, operator.publicKey);
    return {
      name,
      rules,
      sealed: hex(sealed),
      recipient: recipient(to),
      operatorKey,
      author: opened.letter.from,
      authorKey: hex(opened.authorKey.bytes()),
      statement: hex(opened.statement),
      letter: letterToJson(opened.letter),
      signed: hex(opened.signed),
    };
  };
  const forCarol: Letter = { ...dm, to: 'carol', id: id(6) };
  const sealedInvalid: [string, string[], string, VectorBytes, ReturnType<typeof recipient>][] = [
    ['a ciphertext byte changed', ['SEAL-5'], 'DECRYPT_FAILED', hex(flip(sealedDm, sealedDm.length - 10)), recipient(bob)],
    ['opened with the key of someone else', ['SEAL-5'], 'DECRYPT_FAILED', hex(sealedDm), recipient(carol, 'bob')],
    ['ephemeral key damaged', ['SEAL-5'], 'DECRYPT_FAILED', hex(flip(sealedDm, 20)), recipient(bob)],
    ['addressed to carol, sealed to bob', ['SEAL-5'], 'WRONG_RECIPIENT', hex(sealLetter(forCarol, alice.keys, bob.publicKey, aliceStatement)), recipient(bob)],
    ['from alice with her statement, but signed by mallory', ['SEAL-5', 'SEAL-6'], 'WRONG_AUTHOR', hex(sealLetter(dm, mallory.keys, bob.publicKey, aliceStatement)), recipient(bob)],
    ['signed by mallory with her own statement, but from alice', ['SEAL-5', 'SEAL-6'], 'WRONG_AUTHOR', hex(sealLetter(dm, mallory.keys, bob.publicKey, statementOf(mallory))), recipient(bob)],
    ['a statement signed by another Operator', ['SEAL-5', 'SEAL-6'], 'WRONG_AUTHOR', hex(sealLetter(dm, alice.keys, bob.publicKey, statementOf(alice, rogueOperator))), recipient(bob)],
    ['a damaged statement', ['SEAL-5'], 'WRONG_AUTHOR', hex(raw(pad(sealedContent(flip(aliceStatement, 40), signedDm)), bob.publicKey)), recipient(bob)],
    ['bytes that are no letter, signed by mallory, under alice\'s statement (signature before decoding)', ['SEAL-5', 'SIG-3'], 'WRONG_AUTHOR', hex(raw(pad(sealedContent(aliceStatement, sign(mallory.keys.privateKey, encode({ not: 'a letter' })))), bob.publicKey)), recipient(bob)],
    ['a statement length below any statement', ['SEAL-1', 'SEAL-5'], 'MALFORMED', hex(raw(pad(sealedContent(new Uint8Array(5), signedDm)), bob.publicKey)), recipient(bob)],
    ['content that ends with the statement', ['SEAL-1', 'SEAL-5'], 'TRUNCATED', hex(raw(pad(sealedContent(aliceStatement, new Uint8Array(0))), bob.publicKey)), recipient(bob)],
    ['truncated by one byte', ['SEAL-5', 'CRY-6'], 'TRUNCATED', hex(sealedDm.subarray(0, sealedDm.length - 1)), recipient(bob)],
    ['truncated inside the header', ['SEAL-5'], 'TRUNCATED', hex(sealedDm.subarray(0, 30)), recipient(bob)],
    ['trailing byte', ['SEAL-5', 'CRY-6'], 'TRAILING_BYTES', hex(concatBytes(sealedDm, Uint8Array.of(0))), recipient(bob)],
    ['version 1 (a signed letter without its statement)', ['SEAL-1', 'SEAL-5'], 'UNSUPPORTED_VERSION', hex(raw(pad(signedDm), bob.publicKey, 1)), recipient(bob)],
    ['version 3', ['SEAL-1', 'SEAL-5'], 'UNSUPPORTED_VERSION', hex(concatBytes(Uint8Array.of(3), sealedDm.subarray(1))), recipient(bob)],
    ['larger than MAX_SEALED_LETTER_BYTES', ['SEAL-5', 'LIM-6'], 'TOO_LARGE', { hex: hex(sealedDm), zeroFillTo: MAX_SEALED_LETTER_BYTES + 1 }, recipient(bob)],
    ['a non-zero padding byte', ['SEAL-4'], 'BAD_PADDING', hex(raw(flip(pad(sealedContent(aliceStatement, signedDm)), 511), bob.publicKey)), recipient(bob)],
    ['padded to a larger bucket than needed', ['SEAL-4'], 'BAD_PADDING', hex(raw(concatBytes(pad(sealedContent(aliceStatement, signedDm)), new Uint8Array(512)), bob.publicKey)), recipient(bob)],
    ['a signed container that is not a letter', ['SEAL-5', 'LET-1'], 'MALFORMED', hex(raw(pad(sealedContent(aliceStatement, sign(alice.keys.privateKey, encode([1])))), bob.publicKey)), recipient(bob)],
    ['bytes that are not signed after the statement', ['SEAL-5', 'CRY-5'], 'BAD_SIGNATURE', hex(raw(pad(sealedContent(aliceStatement, utf8('plain bytes, no signature here'))), bob.publicKey)), recipient(bob)],
  ];
  await write(
    'sealed.json',
    'SEAL-*',
    'Sealed letters: recipient opens sealed, verifying the statement inside with operatorKey, and gets letter (signed by author with authorKey) and statement; invalid ones give the error code.',
    [
      await sealedVector('a direct message', ['SEAL-1', 'SEAL-2', 'SEAL-5', 'SEAL-6'], sealedDm, bob),
      await sealedVector('an image letter, carol to alice', ['SEAL-2', 'SEAL-5'], sealLetter({ ...dmImage, from: 'carol', to: 'alice' }, carol.keys, alice.publicKey, statementOf(carol)), alice),
    ],
    sealedInvalid.map(([name, rules, error, sealed, r]) => ({ name, rules, error, sealed, recipient: r, operatorKey })),
  );

  // ---- posts.json (POST-*)
  const epoch = 20_417;
  const epochKey = SymmetricKey.generate();
  const epochKeys = { [String(epoch)]: hex(epochKey.bytes()), [String(epoch + 1)]: hex(SymmetricKey.generate().bytes()) };
  const sealedPost = sealPost(post, alice.keys, epochKey, epoch);
  const rawPost = (p: Uint8Array, e = epoch) => {
    const h = new Uint8Array(5);
    h[0] = 1;
    new DataView(h.buffer).setUint32(1, e, false);
    return concatBytes(h, cellSeal(epochKey, p, postContext(e)));
  };
  const moved = sealedPost.slice();
  new DataView(moved.buffer).setUint32(1, epoch + 1, false);
  const postInvalid: [string, string[], string, VectorBytes, string?][] = [
    ['a ciphertext byte changed', ['POST-3'], 'DECRYPT_FAILED', hex(flip(sealedPost, sealedPost.length - 3))],
    ['moved to another epoch', ['POST-2', 'POST-3'], 'DECRYPT_FAILED', hex(moved)],
    ['from alice but signed by mallory (a forgery by an epoch key holder)', ['POST-3'], 'WRONG_AUTHOR', hex(rawPost(pad(signLetter(post, mallory.keys.privateKey))))],
    ["mallory's own post, filed under alice", ['POST-3', 'FEED-7'], 'WRONG_AUTHOR', hex(sealPost({ ...post, from: 'mallory' }, mallory.keys, epochKey, epoch)), 'alice'],
    ["mallory's post claiming to be alice's, filed under mallory", ['POST-3', 'FEED-7'], 'WRONG_AUTHOR', hex(rawPost(pad(signLetter(post, mallory.keys.privateKey)))), 'mallory'],
    ['bytes that are no letter, signed by mallory (signature before decoding)', ['POST-3', 'SIG-3'], 'WRONG_AUTHOR', hex(rawPost(pad(sign(mallory.keys.privateKey, encode({ not: 'a letter' })))))],
    ['a direct message inside', ['POST-3'], 'MALFORMED', hex(rawPost(pad(signedDm)))],
    ['truncated by one byte', ['POST-3', 'CRY-7'], 'TRUNCATED', hex(sealedPost.subarray(0, sealedPost.length - 1))],
    ['truncated inside the header', ['POST-3'], 'TRUNCATED', hex(sealedPost.subarray(0, 3))],
    ['trailing byte', ['POST-3', 'CRY-7'], 'TRAILING_BYTES', hex(concatBytes(sealedPost, Uint8Array.of(0)))],
    ['version 2', ['POST-1', 'POST-3'], 'UNSUPPORTED_VERSION', hex(concatBytes(Uint8Array.of(2), sealedPost.subarray(1)))],
    ['a non-zero padding byte', ['POST-3', 'SEAL-4'], 'BAD_PADDING', hex(rawPost(flip(pad(signLetter(post, alice.keys.privateKey)), 510)))],
    ['larger than MAX_POST_BYTES', ['POST-3', 'LIM-6'], 'TOO_LARGE', { hex: hex(sealedPost), zeroFillTo: MAX_SEALED_LETTER_BYTES + 1 }],
  ];
  await write(
    'posts.json',
    'POST-*',
    'World posts: open post, filed under author, with epochKeys[epoch] and the key registry[author] to letter; invalid ones give the error code.',
    [{ name: 'a world post', rules: ['POST-1', 'POST-2', 'POST-3'], post: hex(sealedPost), epoch, epochKeys, registry, author: 'alice', letter: letterToJson(post) }],
    postInvalid.map(([name, rules, error, p, author = 'alice']) => ({ name, rules, error, post: p, epochKeys, registry, author })),
  );

  // ---- keys.json (KEY-*)
  const pub = alice.publicKey.bytes();
  const uncompressedPoint = ECDH.convertKey(Buffer.from(pub.subarray(12)), 'prime256v1', undefined, undefined, 'uncompressed') as Buffer;
  const uncompressed = makeContainer('UEC2', new Uint8Array(uncompressedPoint));
  const priv = alice.keys.privateKey.bytes();
  const short = makeContainer('REC2', priv.subarray(13));
  const badCrc = flip(pub, 10);
  const badSize = pub.slice();
  new DataView(badSize.buffer).setUint32(4, 46, false);
  const keyInvalid: [string, string[], string, string][] = [
    ['public key checksum wrong', ['KEY-1'], 'public', hex(badCrc)],
    ['public key size field wrong', ['KEY-1'], 'public', hex(badSize)],
    ['public key with a private key tag', ['KEY-1'], 'public', hex(makeContainer('REC2', pub.subarray(12)))],
    ['compressed point starting with 04', ['KEY-1'], 'public', hex(makeContainer('UEC2', concatBytes(Uint8Array.of(4), pub.subarray(13))))],
    ['public key of 46 bytes', ['KEY-1'], 'public', hex(makeContainer('UEC2', concatBytes(pub.subarray(12), Uint8Array.of(0))))],
    ['P-384 tag', ['KEY-1'], 'public', hex(makeContainer('UEC3', pub.subarray(12)))],
    ['private key of 45 bytes with a non-zero first scalar byte', ['KEY-2'], 'private', hex(makeContainer('REC2', concatBytes(Uint8Array.of(1), priv.subarray(13))))],
    ['private key checksum wrong', ['KEY-2'], 'private', hex(flip(priv, 9))],
    ['symmetric key of 31 bytes', ['KEY-3'], 'symmetric', hex(new Uint8Array(31).fill(7))],
  ];
  await write(
    'keys.json',
    'KEY-*',
    'Keys: public keys and their canonical (compressed) form and fingerprint; private keys with the public key they sign for; invalid keys give INVALID_KEY.',
    [
      { name: 'a compressed public key', rules: ['KEY-1', 'KEY-4'], publicKey: hex(pub), canonical: hex(pub), fingerprint: alice.publicKey.fingerprint() },
      { name: 'the same key uncompressed', rules: ['KEY-1', 'KEY-4'], publicKey: hex(uncompressed), canonical: hex(pub), fingerprint: alice.publicKey.fingerprint() },
      { name: 'a 45-byte private key', rules: ['KEY-2'], privateKey: hex(priv), publicKey: hex(pub) },
      { name: 'the same private key in 44 bytes', rules: ['KEY-2'], privateKey: hex(short), publicKey: hex(pub) },
      { name: 'fingerprint of a fixed key', rules: ['KEY-4'], publicKey: hex(bob.publicKey.bytes()), canonical: hex(bob.publicKey.bytes()), fingerprint: bob.publicKey.fingerprint() },
    ],
    keyInvalid.map(([name, rules, kind, key]) => ({ name, rules, error: 'INVALID_KEY', kind, key })),
  );

  // ---- keystore.json (KS-*)
  const PASS = 'café rouge 7'; // NFC é
  const stored = await encodeKeystore(carol, PASS);
  const prefix = concatBytes(utf8('COMRADKS'), Uint8Array.of(1));
  const around = async (c: Uint8Array, ctx = prefix) => {
    const cell = await passphraseSeal(PASS, c, ctx);
    return concatBytes(prefix, sha256(cell), cell);
  };
  const v2 = stored.slice();
  v2[8] = 2;
  // CRY-17: the iteration count sits at offset 48 of the cell; the checksum is redone, as an attacker would.
  const withIterations = (n: number) => {
    const cell = stored.slice(41);
    new DataView(cell.buffer).setUint32(48, n, true);
    return concatBytes(prefix, sha256(cell), cell);
  };
  await write(
    'keystore.json',
    'KS-*',
    'Keystores: open keystore with passphrase to keymaker (name and publicKey); invalid ones give the error code.',
    [
      { name: 'a keystore', rules: ['KS-1', 'KS-2', 'KS-3'], keystore: hex(stored), passphrase: PASS, keymaker: { name: 'carol', publicKey: hex(carol.publicKey.bytes()) } },
      { name: 'the same keystore, passphrase typed decomposed (NFD)', rules: ['KS-2'], keystore: hex(stored), passphrase: PASS.normalize('NFD'), keymaker: { name: 'carol', publicKey: hex(carol.publicKey.bytes()) } },
    ],
    [
      { name: 'wrong passphrase', rules: ['KS-3'], error: 'WRONG_PASSPHRASE', keystore: hex(stored), passphrase: 'cafe rouge 7' },
      { name: 'a cell byte changed (caught by the checksum)', rules: ['KS-3'], error: 'CORRUPT_KEYSTORE', keystore: hex(flip(stored, stored.length - 5)), passphrase: PASS },
      { name: 'checksum byte changed', rules: ['KS-3'], error: 'CORRUPT_KEYSTORE', keystore: hex(flip(stored, 12)), passphrase: PASS },
      { name: 'magic changed', rules: ['KS-1'], error: 'CORRUPT_KEYSTORE', keystore: hex(flip(stored, 0, 0x20)), passphrase: PASS },
      { name: 'truncated', rules: ['KS-3'], error: 'CORRUPT_KEYSTORE', keystore: hex(stored.subarray(0, stored.length - 1)), passphrase: PASS },
      { name: 'version 2', rules: ['KS-1'], error: 'UNSUPPORTED_VERSION', keystore: hex(v2), passphrase: PASS },
      { name: 'the cell sealed without the magic and version as context', rules: ['KS-2'], error: 'WRONG_PASSPHRASE', keystore: hex(await around(encode({ name: 'carol', priv: carol.keys.privateKey.bytes(), pub: carol.publicKey.bytes() }), new Uint8Array(0))), passphrase: PASS },
      { name: 'halves of two different key pairs', rules: ['KS-3'], error: 'CORRUPT_KEYSTORE', keystore: hex(await around(encode({ name: 'carol', priv: carol.keys.privateKey.bytes(), pub: alice.publicKey.bytes() }))), passphrase: PASS },
      { name: 'larger than MAX_KEYSTORE_BYTES', rules: ['KS-3'], error: 'CORRUPT_KEYSTORE', keystore: { hex: hex(stored), zeroFillTo: 4097 }, passphrase: PASS },
      { name: 'the cell asks for 2^32 - 1 PBKDF2 iterations (checksum redone)', rules: ['KS-3', 'CRY-17'], error: 'CORRUPT_KEYSTORE', keystore: hex(withIterations(0xffffffff)), passphrase: PASS },
      { name: 'the cell asks for one iteration more than the bound', rules: ['KS-3', 'CRY-17'], error: 'CORRUPT_KEYSTORE', keystore: hex(withIterations(1_000_001)), passphrase: PASS },
      { name: 'the cell asks for zero iterations', rules: ['KS-3', 'CRY-17'], error: 'CORRUPT_KEYSTORE', keystore: hex(withIterations(0)), passphrase: PASS },
    ],
  );
}, 120_000);

// home-key.json is its own test, so it can be written alone:
//     MAKE_VECTORS=1 npx vitest run spec/scripts/make-vectors.test.ts -t home-key
it.skipIf(process.env.MAKE_VECTORS !== '1')('writes spec/vectors/home-key.json', async () => {
  await ready({ backend: 'wasm' });
  // ---- home-key.json (HOME-4): built from the primitives, not with encodeHomeKey.
  const PASS = 'plaster orbit wander seventeen';
  const key = SymmetricKey.generate();
  const prefix = concatBytes(utf8('COMRADHK'), Uint8Array.of(1));
  const around = async (content: Uint8Array, head = prefix, ctx = prefix) => {
    const cell = await passphraseSeal(PASS, content, ctx);
    return concatBytes(head, sha256(cell), cell);
  };
  const stored = await around(key.bytes());
  const withIterations = (n: number) => {
    const cell = stored.slice(41);
    new DataView(cell.buffer).setUint32(48, n, true);
    return concatBytes(prefix, sha256(cell), cell);
  };
  const v2 = concatBytes(utf8('COMRADHK'), Uint8Array.of(2));
  const ks = concatBytes(utf8('COMRADKS'), Uint8Array.of(1));
  await write(
    'home-key.json',
    'HOME-4',
    "A client home's key: open homeKey with passphrase to key (32 bytes, hex); invalid ones give the error code.",
    [{ name: 'a home key', rules: ['HOME-4'], homeKey: hex(stored), passphrase: PASS, key: hex(key.bytes()) }],
    [
      { name: 'wrong passphrase', rules: ['HOME-4'], error: 'WRONG_PASSPHRASE', homeKey: hex(stored), passphrase: 'plaster orbit wander eighteen' },
      { name: 'a cell byte changed (caught by the checksum)', rules: ['HOME-4'], error: 'CORRUPT_KEYSTORE', homeKey: hex(flip(stored, stored.length - 3)), passphrase: PASS },
      { name: 'a keystore is not a home key (magic)', rules: ['HOME-4'], error: 'CORRUPT_KEYSTORE', homeKey: hex(await around(key.bytes(), ks, ks)), passphrase: PASS },
      { name: 'version 2', rules: ['HOME-4'], error: 'UNSUPPORTED_VERSION', homeKey: hex(await around(key.bytes(), v2, v2)), passphrase: PASS },
      { name: 'the cell sealed without the magic and version as context', rules: ['HOME-4'], error: 'WRONG_PASSPHRASE', homeKey: hex(await around(key.bytes(), prefix, new Uint8Array(0))), passphrase: PASS },
      { name: 'a 31-byte key inside', rules: ['HOME-4'], error: 'CORRUPT_KEYSTORE', homeKey: hex(await around(key.bytes().subarray(1))), passphrase: PASS },
      { name: 'larger than MAX_HOME_KEY_BYTES', rules: ['HOME-4'], error: 'CORRUPT_KEYSTORE', homeKey: { hex: hex(stored), zeroFillTo: 513 }, passphrase: PASS },
      { name: 'the cell asks for 2^32 - 1 PBKDF2 iterations (checksum redone)', rules: ['HOME-4', 'CRY-17'], error: 'CORRUPT_KEYSTORE', homeKey: hex(withIterations(0xffffffff)), passphrase: PASS },
    ],
  );
}, 60_000);

// handshake.json is its own test, so it can be written alone:
//     MAKE_VECTORS=1 npx vitest run spec/scripts/make-vectors.test.ts -t handshake
it.skipIf(process.env.MAKE_VECTORS !== '1')('writes spec/vectors/handshake.json', async () => {
  await ready({ backend: 'wasm' });
  // ---- handshake.json (AUTH-7..AUTH-10), built here from the primitives, not with makeGreeting: a second
  // reading of the spec's byte formats.
  const operator = KeyPair.generate();
  const world = KeyPair.generate();
  const client = KeyPair.generate();
  const session = SymmetricKey.generate();
  const challenge = fromHex('c4'.repeat(32));
  const greetingOf = (o: { signer?: KeyPair; named?: PublicKey; clientKey?: PublicKey; world?: PublicKey; v?: number; signedWorld?: PublicKey }) => {
    const eph = KeyPair.generate();
    const wrapped = encryptFor(eph.privateKey, client.publicKey, session.bytes());
    const named = o.named ?? operator.publicKey;
    const signedWorld = o.signedWorld ?? world.publicKey;
    const sig = sign((o.signer ?? operator).privateKey, encode({ ctx: 'comrad/hello/v2', client: (o.clientKey ?? client.publicKey).bytes(), operator: named.bytes(), challenge, world: signedWorld.bytes(), ephemeral: eph.publicKey.bytes(), key: wrapped }));
    return encode({ push: 'hello', v: o.v ?? 2, operatorKey: named.bytes(), challenge, world: (o.world ?? signedWorld).bytes(), ephemeral: eph.publicKey.bytes(), key: wrapped, sig });
  };
  const context = (dir: 1 | 2, n: number) => {
    const tail = new Uint8Array(9);
    tail[0] = dir;
    new DataView(tail.buffer).setBigUint64(1, BigInt(n));
    return concatBytes(utf8('comrad/channel/v1'), tail);
  };
  const frame = (to: 'operator' | 'client', n: number, plain: Uint8Array) => ({ to, n, context: hex(context(to === 'operator' ? 1 : 2, n)), plain: hex(plain), sealed: hex(cellSeal(session, plain, context(to === 'operator' ? 1 : 2, n))) });
  const frames = [
    // OP-7: `id` first, then `op`, then the parameters; ENC-9: `at` (ms, above 2^32 - 1) as uint 64, never a float.
    frame('operator', 0, encode({ id: 1, op: 'auth', name: 'alice', at: 1_764_000_000_000, sig: fromHex('00'.repeat(12)) })),
    frame('client', 0, encode({ id: 1, ok: { name: 'alice' } })),
    frame('operator', 1, encode({ id: 2, op: 'fetch' })),
    frame('client', 1, encode({ push: 'mail' })),
  ];
  const keyPair = (k: KeyPair) => ({ privateKey: hex(k.privateKey.bytes()), publicKey: hex(k.publicKey.bytes()) });
  const greeting = greetingOf({});
  const other = KeyPair.generate();
  const base = { clientKey: keyPair(client), operatorKey: hex(operator.publicKey.bytes()) };
  const bad = (name: string, rules: string[], error: string, g: Uint8Array) => ({ name, rules, error, kind: 'greeting', ...base, greeting: hex(g) });
  const badFrames = (name: string, rules: string[], sealed: string[]) => ({ name, rules, error: 'DECRYPT_FAILED', kind: 'frames', sessionKey: hex(session.bytes()), to: 'operator', frames: sealed });
  const f0 = frames[0]!.sealed;
  await write(
    'handshake.json',
    'AUTH-7..AUTH-10',
    'The client hello, the signed greeting and the sealed channel. A valid vector: `clientHello` is the upgrade path and query for `clientKey`; `greeting`, checked against the pinned `operatorKey` with `clientKey`, gives `challenge`, `worldKey` and the session key `sessionKey`; each of `frames` in order, sealed under it with `context`, opens to `plain` at the receiving end (`to`). Invalid: kind `greeting` (check the greeting), `frames` (open the sealed frames in order at `to`: the last one fails), `clientHello` (read `url`).',
    [
      {
        name: 'a greeting and the first frames of a connection',
        rules: ['AUTH-7', 'AUTH-8', 'AUTH-9'],
        clientHello: `/?comrad=2&key=${hex(client.publicKey.bytes())}`,
        ...base,
        greeting: hex(greeting),
        challenge: hex(challenge),
        worldKey: hex(world.publicKey.bytes()),
        sessionKey: hex(session.bytes()),
        frames,
      },
    ],
    [
      bad('a greeting signed for another client key (replayed)', ['AUTH-7'], 'BAD_SIGNATURE', greetingOf({ clientKey: other.publicKey })),
      bad('the world key swapped after signing', ['AUTH-7', 'AUTH-8'], 'BAD_SIGNATURE', greetingOf({ world: other.publicKey })),
      bad('signed by another key that names the pinned one', ['AUTH-7'], 'BAD_SIGNATURE', greetingOf({ signer: other })),
      bad('another key, self-signed, while a key is pinned', ['AUTH-1'], 'KEY_CHANGED', greetingOf({ signer: other, named: other.publicKey })),
      bad('version 1', ['AUTH-7'], 'UNSUPPORTED_VERSION', greetingOf({ v: 1 })),
      badFrames('a replayed frame', ['AUTH-10'], [f0, f0]),
      badFrames('a frame in the wrong place (skipped one)', ['AUTH-10'], [frames[2]!.sealed]),
      badFrames('a frame for the other direction (reflected)', ['AUTH-10'], [frames[1]!.sealed]),
      badFrames('a frame with one bit changed', ['AUTH-10'], [hex(flip(fromHex(f0), fromHex(f0).length - 1))]),
      badFrames('an unsealed frame', ['AUTH-10'], [frames[0]!.plain]),
      { name: 'no client hello', rules: ['AUTH-7'], error: 'UNSUPPORTED_VERSION', kind: 'clientHello', url: '/' },
      { name: 'a client hello of another version', rules: ['AUTH-7'], error: 'UNSUPPORTED_VERSION', kind: 'clientHello', url: `/?comrad=1&key=${hex(client.publicKey.bytes())}` },
      { name: 'a client hello key in uppercase hex', rules: ['AUTH-7'], error: 'MALFORMED', kind: 'clientHello', url: `/?comrad=2&key=${hex(client.publicKey.bytes()).toUpperCase()}` },
    ],
  );
}, 60_000);
