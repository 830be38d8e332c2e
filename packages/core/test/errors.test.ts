/**
 * ERR-2 and ERR-3 over core: every error a decoder gives for outside input is one line, bounded and free of
 * secrets, whatever the input; and where a procedure lists its steps, an input that fails two of them gets
 * the code of the first. (The Operator's error frames and the CLI's error lines are checked in their own
 * packages: operator-adversarial.test.ts and cli.errors.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ComradError, concatBytes, decode, encode, KeyPair, MAX_SEALED_LETTER_BYTES, MAX_SIGNED_LETTER_BYTES, PrivateKey, ProtocolError, PublicKey, ready, sign, SymmetricKey, utf8 } from '@comrad/core';
import { createLetter, decodeLetter, encodeLetter, openPost, openSealedLetter, openSigned, pad, sealLetter, sealPost, unpad, verifyStatement, type PostAuthor } from '@comrad/core/envelope';
import { decodeHomeKey, decodeKeystore, encodeHomeKey, encodeKeystore, Keymaker } from '@comrad/core/keymaker';
import { decodeGreeting, decodeRequest, decodeServerFrame, encodeErr, encodeOk, encodeRequest, makeGreeting } from '@comrad/core/wire';
import { codeOf, garbageFrom, msgpackMap } from '@comrad/test-kit/core/garbage';
import { testOperator } from '@comrad/test-kit/core/envelope';
import { messageProblem, type Secret } from '@comrad/test-kit/core/messages';

const PASSPHRASE = 'correct horse battery staple';
const SECRET_TEXT = 'the secret meeting is at the old mill';

let alice: Keymaker, bob: Keymaker;
let operator: ReturnType<typeof testOperator>;
let secrets: Secret[];
let letters: Uint8Array[];

/** The message of the Comrad error `run` throws (undefined when it returns); anything else fails. */
async function messageOf(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (err) {
    if (err instanceof ComradError) return err.message;
    throw err;
  }
}

async function expectGoodMessage(run: () => unknown): Promise<void> {
  const message = await messageOf(run);
  if (message !== undefined) expect(messageProblem(message, secrets), message).toBeUndefined();
}

beforeAll(async () => {
  await ready({ backend: 'wasm' });
  alice = Keymaker.generate('alice');
  bob = Keymaker.generate('bob');
  operator = testOperator();
  letters = [
    createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: SECRET_TEXT } }),
    createLetter({ kind: 'post', from: 'alice', body: { text: SECRET_TEXT } }),
  ].map(encodeLetter);
  // What no message may show: private keys (raw scalar and container), the passphrase, a letter's text.
  secrets = [alice.keys.privateKey.bytes(), alice.keys.privateKey.bytes().subarray(13), bob.keys.privateKey.bytes(), PASSPHRASE, SECRET_TEXT];
});

/** Map keys and string values built to break a careless message: line breaks, control bytes, length. */
const hostileString = fc.oneof(
  fc.constantFrom('a\nb', 'x\r\ny', '\u2028', '\u0000', '\u001b[31mred', 'a'.repeat(5000), `${SECRET_TEXT}\n${PASSPHRASE}`),
  fc.string({ unit: 'binary', maxLength: 300 }),
);
const hostileMap = fc.dictionary(hostileString, fc.oneof(hostileString, fc.integer(), fc.uint8Array({ maxLength: 40 })), { minKeys: 1, maxKeys: 4 });

describe('ERR-2 messages are one line, bounded, and free of secrets', () => {
  it('ERR-2 decoders of letters, frames, greetings and statements, on garbage and on hostile maps', async () => {
    const signedStatement = operator.statementOf('alice', alice.publicKey);
    const decoders: Array<[string, (b: Uint8Array) => unknown, Uint8Array[]]> = [
      ['decode', (b) => decode(b), letters],
      ['decodeLetter', decodeLetter, letters],
      ['decodeRequest', decodeRequest, [encodeRequest(1, 'send', { to: 'bob', letter: letters[0]! }), encodeRequest(2, 'lookup', { name: 'alice' })]],
      ['decodeServerFrame', decodeServerFrame, [encodeErr(3, 'NOT_FOUND', 'no such name'), encodeOk(4, 'auth', { name: 'alice' })]],
      ['decodeGreeting', decodeGreeting, [makeGreeting(operator.keys, bob.publicKey, alice.publicKey).frame]],
      ['verifyStatement', (b) => verifyStatement(b, operator.keys.publicKey, 'alice'), [signedStatement]],
      ['PublicKey.from', (b) => PublicKey.from(b), [alice.publicKey.bytes()]],
      ['PrivateKey.from', (b) => PrivateKey.from(b), [alice.keys.privateKey.bytes()]],
      ['openSigned', (b) => openSigned(b, alice.publicKey), letters.map((l) => sign(alice.keys.privateKey, l))],
      ['unpad', unpad, [pad(letters[0]!)]],
    ];
    for (const [name, decoder, seeds] of decoders) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(garbageFrom(seeds, { maxRandomLength: 300 }), hostileMap.map((m) => encode(m))), async (bytes) => {
          const message = await messageOf(() => decoder(bytes));
          if (message !== undefined) expect(messageProblem(message, secrets), `${name}: ${message}`).toBeUndefined();
        }),
        { numRuns: 150 },
      );
    }
  });

  it('ERR-2 an unknown field whose name holds a line break, a secret or 5000 characters is not quoted as is', async () => {
    for (const key of ['a\nb', `x\r\n${PASSPHRASE}`, '\u2028', 'k'.repeat(5000), SECRET_TEXT]) {
      await expectGoodMessage(() => decodeLetter(msgpackMap([['v', encode(1)], [key, encode(1)]])));
      await expectGoodMessage(() => decodeRequest(encode({ id: 1, op: 'fetch', [key]: 1 })));
      await expectGoodMessage(() => decodeRequest(encode({ id: 1, op: key })));
      await expectGoodMessage(() => decodeServerFrame(encode({ id: 1, err: { code: key, message: 'x' } })));
    }
  });

  it('ERR-2 sealed letters, posts and keystores: wrong keys, wrong passphrases and damage say nothing of the secret', async () => {
    const statement = operator.statementOf('alice', alice.publicKey);
    const sealed = sealLetter(decodeLetter(letters[0]!), alice.keys, bob.publicKey, statement);
    const epochKey = SymmetricKey.generate();
    const post = sealPost(decodeLetter(letters[1]!), alice.keys, epochKey, 3);
    const byAlice: PostAuthor = { name: 'alice', key: alice.publicKey };
    const stored = await encodeKeystore(alice, PASSPHRASE);
    const home = await encodeHomeKey(SymmetricKey.generate(), PASSPHRASE);
    await expectGoodMessage(() => openSealedLetter(sealed, alice, operator.keys.publicKey));
    await expectGoodMessage(() => openSealedLetter(sealed, bob, bob.publicKey));
    await expectGoodMessage(() => openPost(post, () => SymmetricKey.generate(), byAlice));
    await expectGoodMessage(() => openPost(post, () => epochKey, { name: 'bob', key: bob.publicKey }));
    await expectGoodMessage(() => decodeKeystore(stored, `${PASSPHRASE}!`));
    await expectGoodMessage(() => decodeHomeKey(home, 'wrong'));
    await fc.assert(
      fc.asyncProperty(garbageFrom([sealed], { maxRandomLength: 200 }), async (b) => expectGoodMessage(() => openSealedLetter(b, bob, operator.keys.publicKey))),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(garbageFrom([stored], { maxRandomLength: 200 }), async (b) => expectGoodMessage(() => decodeKeystore(b, PASSPHRASE))),
      { numRuns: 40 },
    );
    // A key that is used, not only parsed: an operation's error does not echo the key.
    await expectGoodMessage(() => KeyPair.generate() && sign(PrivateKey.from(concatBytes(alice.keys.privateKey.bytes().subarray(0, 13), new Uint8Array(32))), utf8('m')));
  });
});

describe('ERR-2 by construction', () => {
  it('ERR-2 a Comrad error is one line whatever its maker passed', () => {
    expect(new ComradError('INTERNAL', 'a\nb\r\nc\u2028d\u0000e').message).toBe('a b c d e');
    expect(messageProblem(new ProtocolError('MALFORMED', `x\n${'y'.repeat(10)}\r\n`).message)).toBeUndefined();
  });
});

describe('ERR-3 the first step that fails decides the code', () => {
  it('ERR-3 inputs that fail two steps of one procedure get the code of the earlier step', async () => {
    const other = KeyPair.generate();
    const badLetter = encode({ v: 1, kind: 'dm', from: 'A', to: 'bob', at: 1, id: new Uint8Array(16), body: { text: 'x' } });
    const header = (tag: number, n: number, sLen: number) => {
      const b = new Uint8Array(20);
      const v = new DataView(b.buffer);
      v.setUint32(0, tag, true);
      v.setUint32(4, n, true);
      v.setUint32(8, sLen, true);
      return b;
    };
    const cases: Array<[string, () => unknown, string]> = [
      // SIG-2: size (1) before framing (2), framing before the signature (3), the signature before the letter (4).
      ['SIG-2 (1) before (2)', () => openSigned(new Uint8Array(MAX_SIGNED_LETTER_BYTES + 1), alice.publicKey), 'TOO_LARGE'],
      ['CRY-5 (2) tag before (4) declared lengths', () => openSigned(header(0x11111111, 5000, 70), alice.publicKey), 'BAD_SIGNATURE'],
      ['CRY-5 (4) truncated before (6) the signature', () => openSigned(header(0x26042620, 5000, 70), alice.publicKey), 'TRUNCATED'],
      ['SIG-2 (3) another key before (4) a broken letter', () => openSigned(sign(other.privateKey, badLetter), alice.publicKey), 'BAD_SIGNATURE'],
      ['SIG-2 (4) the letter once the signature holds', () => openSigned(sign(alice.keys.privateKey, badLetter), alice.publicKey), 'INVALID_NAME'],
      // SEAL-5: size (1) before the version byte (2).
      ['SEAL-5 (1) before (2)', () => openSealedLetter(new Uint8Array(MAX_SEALED_LETTER_BYTES + 1).fill(7), bob, operator.keys.publicKey), 'TOO_LARGE'],
      ['SEAL-5 (2) version before length', () => openSealedLetter(Uint8Array.of(9, 9), bob, operator.keys.publicKey), 'UNSUPPORTED_VERSION'],
      // Frames (05-operator, order of checks): the envelope (4) before the op (5), the op before its fields.
      ['frame envelope before op', () => decodeRequest(encode({ op: 'shout' })), 'MALFORMED'],
      ['frame op before its fields', () => decodeRequest(encode({ id: 1, op: 'shout', name: 'A' })), 'UNKNOWN_OP'],
    ];
    for (const [name, run, code] of cases) expect(await codeOf(run), name).toBe(code);
  });
});
