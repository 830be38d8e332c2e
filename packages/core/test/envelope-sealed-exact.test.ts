/**
 * Signed and sealed letters at their exact edges (SIG-2, SIG-3, SEAL-1, SEAL-2, SEAL-5, CHAN-5, CRY-18):
 * each bound at its value and one past it, each step of the opening order with the input that fails
 * exactly it, the codes kept or turned into WRONG_AUTHOR / DECRYPT_FAILED (with their cause), the
 * asynchronous variants beside the synchronous ones, and the bytes an opened letter hands out.
 * Written from the survivors of a mutation run (spec/notes/2026-11-29-mutation-testing.md): each test
 * here says which decision it pins.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready, KeyPair, PublicKey, SymmetricKey, ProtocolError, cellSeal, concatBytes, encode, sign, utf8 } from '@comrad/core';
import {
  createLetter,
  deriveChannel,
  openChannelPost,
  openSealedLetter,
  openSigned,
  openSignedAsync,
  pad,
  sealChannelPost,
  sealLetter,
  sealLetterAsync,
  signLetter,
  signLetterAsync,
  type Letter,
  type RegistryStatement,
} from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';
import { MAX_SIGNED_LETTER_BYTES, MAX_STATEMENT_BYTES } from '../src/limits.js';
import { flip, sealedContent, sealRaw, testOperator } from '@comrad/test-kit/core/envelope';
import { codeOf } from '@comrad/test-kit/core/garbage';

let alice: Keymaker, bob: Keymaker, mallory: Keymaker;
let letter: Letter;
let operator: ReturnType<typeof testOperator>, rogue: ReturnType<typeof testOperator>;
let channelKey: SymmetricKey;
const AT = 1_764_000_000_000;

beforeAll(async () => {
  await ready({ backend: 'wasm' });
  [alice, bob, mallory] = ['alice', 'bob', 'mallory'].map((n) => Keymaker.generate(n)) as [Keymaker, Keymaker, Keymaker];
  operator = testOperator();
  rogue = testOperator();
  channelKey = SymmetricKey.generate();
  letter = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'the print shop opens at nine' } });
});

/** The error `run` throws (sync or async); fails when it returns. */
async function errorOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
}

/** The code of the error's cause, when it is a Comrad error. */
const causeCode = (err: unknown) => ((err as { cause?: unknown }).cause as ProtocolError | undefined)?.code;

/** Bytes signed by `key` (a Themis signed message) of exactly `size` bytes: ECDSA signatures vary in length. */
function signedOfSize(key: KeyPair, size: number): Uint8Array {
  for (let tries = 0; tries < 200; tries++) {
    const probe = sign(key.privateKey, new Uint8Array(1).fill(0x61));
    const message = new Uint8Array(size - (probe.length - 1)).fill(0x61);
    const out = sign(key.privateKey, message);
    if (out.length === size) return out;
  }
  throw new Error(`no signed message of ${size} bytes`);
}

/** The two envelopes whose content is `u16be(s) || statement || signed letter` (SEAL-1, CHAN-4). */
const envelopes = {
  // openSealedLetter runs the asynchronous steps (openContentAsync, openSignedByAsync).
  sealed: (content: Uint8Array, onSender?: (s: RegistryStatement) => void) =>
    openSealedLetter(sealRaw(pad(content), bob.publicKey), bob, operator.keys.publicKey, onSender),
  // openChannelPost runs the synchronous ones (openContent, openSignedBy).
  channel: (content: Uint8Array) =>
    openChannelPost(
      concatBytes(Uint8Array.of(1), cellSeal(channelKey, pad(content), concatBytes(utf8('comrad/chan/v1/post/'), deriveChannel(channelKey).id))),
      channelKey,
      operator.keys.publicKey,
    ),
};
const toBob = () => letter;
const toChannel = () => createLetter({ kind: 'post', from: 'alice', body: { text: 'for the circle' } });

describe('SIG-2 the size bound and the argument checks, sync and async alike', () => {
  const openers = { openSigned, openSignedAsync };
  for (const [name, open] of Object.entries(openers)) {
    it(`SIG-2 LIM-5 ${name}: exactly MAX_SIGNED_LETTER_BYTES goes on to the framing, one byte more is TOO_LARGE`, async () => {
      expect(await codeOf(() => open(new Uint8Array(MAX_SIGNED_LETTER_BYTES), alice.publicKey))).not.toBe('TOO_LARGE');
      expect(await codeOf(() => open(new Uint8Array(MAX_SIGNED_LETTER_BYTES), alice.publicKey))).toBe('BAD_SIGNATURE');
      expect(await codeOf(() => open(new Uint8Array(MAX_SIGNED_LETTER_BYTES + 1), alice.publicKey))).toBe('TOO_LARGE');
    });

    it(`SIG-2 ${name}: what is not bytes is MALFORMED; a key that is not a PublicKey is a TypeError before any byte is read`, async () => {
      const signed = signLetter(letter, alice.keys.privateKey);
      expect(await codeOf(() => open([...signed] as unknown as Uint8Array, alice.publicKey))).toBe('MALFORMED');
      expect(await codeOf(() => open('signed' as unknown as Uint8Array, alice.publicKey))).toBe('MALFORMED');
      // Oversized bytes and no key: the argument error wins, not TOO_LARGE.
      const err = await errorOf(() => open(new Uint8Array(MAX_SIGNED_LETTER_BYTES + 1), alice.publicKey.bytes() as unknown as PublicKey));
      expect(err).toBeInstanceOf(TypeError);
    });

    it(`SIG-2 ${name}: the letter and its author, another key BAD_SIGNATURE, signed non-letters the letter's code`, async () => {
      const signed = signLetter(letter, alice.keys.privateKey);
      expect(await open(signed, alice.publicKey)).toEqual({ letter, author: 'alice' });
      expect(await codeOf(() => open(signed, mallory.publicKey))).toBe('BAD_SIGNATURE');
      expect(await codeOf(() => open(sign(alice.keys.privateKey, encode({ v: 1 })), alice.publicKey))).toBe('MALFORMED');
    });
  }

  it('SIG-1 CRY-18 signLetterAsync signs the same letter the same way: openSigned opens it, a bad letter is refused with its code', async () => {
    const signed = await signLetterAsync(letter, alice.keys.privateKey);
    expect(openSigned(signed, alice.publicKey)).toEqual({ letter, author: 'alice' });
    expect(await codeOf(() => openSigned(signed, mallory.publicKey))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => signLetterAsync({ ...letter, to: 'Bob' }, alice.keys.privateKey))).toBe('INVALID_NAME');
  });
});

describe('SEAL-2 sealing: the statement bounds and the arguments, sync and async alike', () => {
  const sealers = { sealLetter, sealLetterAsync };
  for (const [name, seal] of Object.entries(sealers)) {
    it(`SEAL-1 LIM-8 ${name}: a statement of exactly 12 and exactly ${MAX_STATEMENT_BYTES} bytes is sealed; 11 is a TypeError, ${MAX_STATEMENT_BYTES + 1} TOO_LARGE`, async () => {
      // Bytes of those lengths that no Operator signed: sealed all the same (sealing does not verify),
      // and refused on opening as a sender nobody vouched for.
      for (const size of [12, MAX_STATEMENT_BYTES]) {
        const sealed = await seal(letter, alice.keys, bob.publicKey, new Uint8Array(size).fill(7));
        expect(await codeOf(() => openSealedLetter(sealed, bob, operator.keys.publicKey)), `${size} bytes`).toBe('WRONG_AUTHOR');
      }
      expect(await errorOf(() => seal(letter, alice.keys, bob.publicKey, new Uint8Array(11)))).toBeInstanceOf(TypeError);
      expect(await errorOf(() => seal(letter, alice.keys, bob.publicKey, [...operator.statementOf('alice', alice.publicKey)] as unknown as Uint8Array))).toBeInstanceOf(TypeError);
      expect(await codeOf(() => seal(letter, alice.keys, bob.publicKey, new Uint8Array(MAX_STATEMENT_BYTES + 1)))).toBe('TOO_LARGE');
    });

    it(`SEAL-2 ${name}: an author that is not a KeyPair or a recipient key that is not a PublicKey is a TypeError`, async () => {
      const statement = operator.statementOf('alice', alice.publicKey);
      expect(await errorOf(() => seal(letter, alice.keys.privateKey as unknown as KeyPair, bob.publicKey, statement))).toBeInstanceOf(TypeError);
      expect(await errorOf(() => seal(letter, alice.keys, bob.keys as unknown as PublicKey, statement))).toBeInstanceOf(TypeError);
      // The argument errors come before the statement's own checks.
      expect(await errorOf(() => seal(letter, alice.keys, bob.keys as unknown as PublicKey, new Uint8Array(MAX_STATEMENT_BYTES + 1)))).toBeInstanceOf(TypeError);
      expect(await errorOf(() => seal(letter, alice.keys.privateKey as unknown as KeyPair, bob.publicKey, new Uint8Array(MAX_STATEMENT_BYTES + 1)))).toBeInstanceOf(TypeError);
    });

    it(`SEAL-2 SEAL-5 CRY-18 ${name}: bob opens it, and learns from the statement who wrote it and when the Operator vouched`, async () => {
      const statement = operator.statementOf('alice', alice.publicKey);
      const sealed = await seal(letter, alice.keys, bob.publicKey, statement);
      expect(sealed[0]).toBe(2);
      const opened = await openSealedLetter(sealed, bob, operator.keys.publicKey);
      expect(opened.letter).toEqual(letter);
      expect(opened.authorKey.equals(alice.publicKey)).toBe(true);
      expect(opened.statement).toEqual(statement);
      expect(opened.statementAt).toBe(AT);
      expect(openSigned(opened.signed, alice.publicKey).letter).toEqual(letter);
      // A letter that breaks a LET rule is refused with its code before anything is sealed.
      expect(await codeOf(() => seal({ ...letter, to: 'Bob' }, alice.keys, bob.publicKey, statement))).toBe('INVALID_NAME');
    });
  }
});

describe('SEAL-5 opening: the arguments before the bytes', () => {
  it('SEAL-5 a recipient without a string name or a KeyPair, or an Operator key that is not a PublicKey, is a TypeError before any check of the bytes', async () => {
    const op = operator.keys.publicKey;
    const sealed = sealLetter(letter, alice.keys, bob.publicKey, operator.statementOf('alice', alice.publicKey));
    const huge = new Uint8Array(300_000).fill(2);
    // A name that is no string: the letter would otherwise be opened and refused as WRONG_RECIPIENT.
    expect(await errorOf(() => openSealedLetter(sealed, { name: 42 as unknown as string, keys: bob.keys }, op))).toBeInstanceOf(TypeError);
    expect(await errorOf(() => openSealedLetter(huge, { name: 'bob', keys: bob.keys.privateKey as unknown as KeyPair }, op))).toBeInstanceOf(TypeError);
    expect(await errorOf(() => openSealedLetter(huge, undefined as unknown as { name: string; keys: KeyPair }, op))).toBeInstanceOf(TypeError);
    expect(await errorOf(() => openSealedLetter(huge, bob, op.bytes() as unknown as PublicKey))).toBeInstanceOf(TypeError);
    expect(await errorOf(() => openSealedLetter(sealed, bob, op.bytes() as unknown as PublicKey))).toBeInstanceOf(TypeError);
  });
});

describe('SEAL-5 steps 3-4: the ephemeral key and the decryption', () => {
  it('SEAL-5 step 3 a damaged ephemeral key is DECRYPT_FAILED caused by INVALID_KEY; other decryption errors keep their code', async () => {
    const sealed = sealLetter(letter, alice.keys, bob.publicKey, operator.statementOf('alice', alice.publicKey));
    const op = operator.keys.publicKey;
    // Byte 1 starts the key's container ("UEC2"): the container check fails, not the decryption.
    const err = await errorOf(() => openSealedLetter(flip(sealed, 1), bob, op));
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe('DECRYPT_FAILED');
    expect(causeCode(err)).toBe('INVALID_KEY');
    // The key taken from exactly bytes 1..46: the last key byte damaged is a key error too.
    expect(causeCode(await errorOf(() => openSealedLetter(flip(sealed, 45), bob, op)))).toBe('INVALID_KEY');
    // A tampered ciphertext is DECRYPT_FAILED from the decryption itself, with no key error behind it.
    const tampered = await errorOf(() => openSealedLetter(flip(sealed, sealed.length - 3), bob, op));
    expect((tampered as ProtocolError).code).toBe('DECRYPT_FAILED');
    expect(causeCode(tampered)).not.toBe('INVALID_KEY');
    // A ciphertext cut short is TRUNCATED, not turned into DECRYPT_FAILED.
    expect(await codeOf(() => openSealedLetter(sealed.subarray(0, 60), bob, op))).toBe('TRUNCATED');
    expect(await codeOf(() => openSealedLetter(concatBytes(sealed, Uint8Array.of(0)), bob, op))).toBe('TRAILING_BYTES');
  });
});

describe('SEAL-5 step 6 CHAN-5: splitting the content, at each bound', () => {
  for (const [kind, open] of Object.entries(envelopes)) {
    it(`SEAL-5 step 6 ${kind}: 1 byte TRUNCATED; 2 bytes reach the statement length (MALFORMED); s = 11 and ${MAX_STATEMENT_BYTES + 1} MALFORMED, 12 and ${MAX_STATEMENT_BYTES} go on`, async () => {
      const statement = operator.statementOf('alice', alice.publicKey);
      const signed = signLetter(kind === 'sealed' ? toBob() : toChannel(), alice.keys.privateKey);
      expect(await codeOf(() => open(Uint8Array.of(0)))).toBe('TRUNCATED');
      expect(await codeOf(() => open(Uint8Array.of(0, 0)))).toBe('MALFORMED');
      expect(await codeOf(() => open(Uint8Array.of(0, 12)))).toBe('TRUNCATED');
      // s = 11: below any statement. s = 12: the statement's first 12 bytes, cut short: a statement
      // that does not verify (TRUNCATED), so a sender nobody vouched for.
      expect(await codeOf(() => open(sealedContent(statement.subarray(0, 11), signed)))).toBe('MALFORMED');
      expect(await codeOf(() => open(sealedContent(statement.subarray(0, 12), signed)))).toBe('WRONG_AUTHOR');
      // s = 1024: a message another key signed, exactly 1024 bytes: in range, so verified, and refused
      // as unvouched; one byte more is out of range.
      const big = signedOfSize(rogue.keys, MAX_STATEMENT_BYTES);
      expect(await codeOf(() => open(sealedContent(big, signed)))).toBe('WRONG_AUTHOR');
      const bigger = signedOfSize(rogue.keys, MAX_STATEMENT_BYTES + 1);
      expect(await codeOf(() => open(sealedContent(bigger, signed)))).toBe('MALFORMED');
    });
  }

  it('SEAL-5 step 6 content that ends right after the statement is TRUNCATED before the statement is verified', async () => {
    const statement = operator.statementOf('alice', alice.publicKey);
    const told: RegistryStatement[] = [];
    expect(await codeOf(() => envelopes.sealed(sealedContent(statement, new Uint8Array(0)), (s) => told.push(s)))).toBe('TRUNCATED');
    expect(told).toEqual([]);
    // One byte after it: the statement is verified (the sender is told), then the signed letter is cut short.
    expect(await codeOf(() => envelopes.sealed(sealedContent(statement, Uint8Array.of(0x20)), (s) => told.push(s)))).toBe('TRUNCATED');
    expect(told.map((s) => s.name)).toEqual(['alice']);
  });
});

describe('SEAL-5 step 7 CHAN-5: a statement that does not verify is WRONG_AUTHOR; one that verifies keeps its code', () => {
  for (const [kind, open] of Object.entries(envelopes)) {
    it(`SEAL-5 step 7 ${kind}: TRUNCATED, TRAILING_BYTES and BAD_SIGNATURE become WRONG_AUTHOR, with the cause kept`, async () => {
      const statement = operator.statementOf('alice', alice.publicKey);
      const signed = signLetter(kind === 'sealed' ? toBob() : toChannel(), alice.keys.privateKey);
      const cases: Array<[string, Uint8Array, string]> = [
        // The statement's length field one short: its last byte is read as the signed letter's first.
        ['TRUNCATED', sealedContent(statement.subarray(0, statement.length - 1), concatBytes(statement.subarray(statement.length - 1), signed)), 'cut short'],
        ['TRAILING_BYTES', sealedContent(concatBytes(statement, signed.subarray(0, 1)), signed.subarray(1)), 'one byte too long'],
        ['BAD_SIGNATURE', sealedContent(rogue.statementOf('alice', alice.publicKey), signed), "another Operator's"],
      ];
      for (const [cause, content, what] of cases) {
        const err = await errorOf(() => open(content));
        expect((err as ProtocolError).code, what).toBe('WRONG_AUTHOR');
        expect(causeCode(err), what).toBe(cause);
      }
    });

    it(`SEAL-5 step 7 ${kind}: bytes the pinned Operator signed that are no statement keep MALFORMED (that Operator signs nonsense)`, async () => {
      const signed = signLetter(kind === 'sealed' ? toBob() : toChannel(), alice.keys.privateKey);
      const notStatement = sign(operator.keys.privateKey, encode({ ctx: 'comrad/other/v1', name: 'alice' }));
      expect(await codeOf(() => open(sealedContent(notStatement, signed)))).toBe('MALFORMED');
    });

    it(`SEAL-5 steps 8-10 SIG-3 ${kind}: the signed letter is checked under the stated key: framing codes kept, a bad signature WRONG_AUTHOR with its cause`, async () => {
      const statement = operator.statementOf('alice', alice.publicKey);
      const l = kind === 'sealed' ? toBob() : toChannel();
      const signed = signLetter(l, alice.keys.privateKey);
      // Framing (SIG-2 step 2) keeps its own codes: not a forgery, a broken container.
      expect(await codeOf(() => open(sealedContent(statement, utf8('not a signed letter, only text'))))).toBe('BAD_SIGNATURE');
      expect(await codeOf(() => open(sealedContent(statement, signed.subarray(0, signed.length - 1))))).toBe('TRUNCATED');
      expect(await codeOf(() => open(sealedContent(statement, concatBytes(signed, Uint8Array.of(0)))))).toBe('TRAILING_BYTES');
      // The size bound comes first: a signed letter one byte over is TOO_LARGE, at the bound it is framing.
      expect(await codeOf(() => open(sealedContent(statement, new Uint8Array(MAX_SIGNED_LETTER_BYTES + 1))))).toBe('TOO_LARGE');
      expect(await codeOf(() => open(sealedContent(statement, new Uint8Array(MAX_SIGNED_LETTER_BYTES))))).toBe('BAD_SIGNATURE');
      // Well framed, signed by mallory: a forgery, and the signature failure is its cause.
      const forged = await errorOf(() => open(sealedContent(statement, signLetter(l, mallory.keys.privateKey))));
      expect((forged as ProtocolError).code).toBe('WRONG_AUTHOR');
      expect(causeCode(forged)).toBe('BAD_SIGNATURE');
      // Signed by the stated key, from another name: WRONG_AUTHOR with no signature failure behind it.
      const otherName = await errorOf(() => open(sealedContent(operator.statementOf('mallory', mallory.publicKey), signLetter(l, mallory.keys.privateKey))));
      expect((otherName as ProtocolError).code).toBe('WRONG_AUTHOR');
      expect(causeCode(otherName)).toBeUndefined();
    });

    it(`SEAL-5 CHAN-5 ${kind}: the signed letter and the statement handed out own their bytes (no view into the decrypted content)`, async () => {
      const statement = operator.statementOf('alice', alice.publicKey);
      const opened = await open(sealedContent(statement, signLetter(kind === 'sealed' ? toBob() : toChannel(), alice.keys.privateKey)));
      expect(opened.statement).toEqual(statement);
      expect(opened.statementAt).toBe(AT);
      for (const part of [opened.statement, opened.signed]) {
        expect(part.byteOffset).toBe(0);
        expect(part.buffer.byteLength).toBe(part.length);
      }
    });
  }

  it('SEAL-5 step 7 the sender is told as soon as the statement verifies, before the signature fails', async () => {
    const told: RegistryStatement[] = [];
    const statement = operator.statementOf('alice', alice.publicKey);
    expect(await codeOf(() => envelopes.sealed(sealedContent(statement, signLetter(letter, mallory.keys.privateKey)), (s) => told.push(s)))).toBe('WRONG_AUTHOR');
    expect(told).toHaveLength(1);
    expect(told[0]!.name).toBe('alice');
    expect(told[0]!.key.equals(alice.publicKey)).toBe(true);
    expect(told[0]!.at).toBe(AT);
    // A statement that does not verify names nobody.
    expect(await codeOf(() => envelopes.sealed(sealedContent(rogue.statementOf('alice', alice.publicKey), signLetter(letter, alice.keys.privateKey)), (s) => told.push(s)))).toBe('WRONG_AUTHOR');
    expect(told).toHaveLength(1);
  });
});

describe('CHAN-4 sealing a channel post checks the statement like a sealed letter', () => {
  it('CHAN-4 LIM-8 a statement of 12 and 1024 bytes is sealed, 11 is a TypeError, 1025 TOO_LARGE', async () => {
    const post = toChannel();
    for (const size of [12, MAX_STATEMENT_BYTES]) {
      const sealed = sealChannelPost(post, alice.keys, new Uint8Array(size).fill(7), channelKey);
      expect(await codeOf(() => openChannelPost(sealed, channelKey, operator.keys.publicKey))).toBe('WRONG_AUTHOR');
    }
    expect(() => sealChannelPost(post, alice.keys, new Uint8Array(11), channelKey)).toThrow(TypeError);
    expect(await codeOf(() => sealChannelPost(post, alice.keys, new Uint8Array(MAX_STATEMENT_BYTES + 1), channelKey))).toBe('TOO_LARGE');
  });
});
