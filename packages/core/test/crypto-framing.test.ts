/**
 * Comrad's framing checks on Themis containers, one boundary at a time (spec/02-keys-and-crypto.md:
 * CRY-4..CRY-7, CRY-17, KEY-1..KEY-3). Each step of each ordered check list gets an input that passes every
 * earlier step and fails exactly this one, and the input one byte or one unit on the other side of each
 * bound: mutation testing (spec/notes/2026-11-29-mutation-testing.md) showed the round trips and bit
 * flips elsewhere leave these edges untested.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cellOpen,
  cellSeal,
  concatBytes,
  decryptFrom,
  encryptFor,
  KeyPair,
  passphraseCellIterations,
  passphraseOpen,
  passphraseSeal,
  PrivateKey,
  PublicKey,
  ready,
  sign,
  SymmetricKey,
  utf8,
  verify,
} from '@comrad/core';
import {
  CELL_ALG,
  CELL_TOKEN,
  checkCell,
  checkEncrypted,
  checkNonEmpty,
  checkPassphraseCell,
  checkSigned,
  MAX_PASSPHRASE_ITERATIONS,
  PASSPHRASE_CELL_ALG,
  PASSPHRASE_CELL_TOKEN,
  SM_ENCRYPTED,
  SM_SIGNED,
} from '../src/crypto/_framing.js';
import { checkContainer, makeContainer, TAG_PRIVATE, TAG_PUBLIC } from '../src/crypto/_container.js';
import { crc32c } from '../src/crypto/_crc32c.js';
import { keyFormsOf } from '@comrad/test-kit/core/themis-keys';
import { codeOf } from '@comrad/test-kit/core/garbage';

const le32 = (n: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
};
const le16 = (n: number) => Uint8Array.of(n & 0xff, n >>> 8);
const filled = (n: number, byte = 0xab) => new Uint8Array(n).fill(byte);

/** A signed-message header and body: `tag || u32le(n) || u32le(s) || n + s bytes` (CRY-2). */
function signedFrame(n: number, s: number, { tag = SM_SIGNED, extra = 0 } = {}): Uint8Array {
  return concatBytes(le32(tag), le32(n), le32(s), filled(n + s + extra));
}

/** A cell token and ciphertext: `alg || iv len || tag len || u32le(n) || IV || tag || n bytes` (CRY-3). */
function cellFrame(n: number, { alg = CELL_ALG, iv = 12, tag = 16, declared = n } = {}): Uint8Array {
  return concatBytes(le32(alg), le32(iv), le32(tag), le32(declared), filled(28, 0x11), filled(n, 0x22));
}

/** An encrypted message around a cell: `tag || u32le(total) || cell` (CRY-3). */
function encryptedFrame(cell: Uint8Array, { tag = SM_ENCRYPTED, total = 8 + cell.length } = {}): Uint8Array {
  return concatBytes(le32(tag), le32(total), cell);
}

/** A passphrase cell (CRY-9): token of 70 bytes with the KDF context, then `n` bytes. */
function passphraseFrame(
  n: number,
  { alg = PASSPHRASE_CELL_ALG, iv = 12, tag = 16, kdf = 22, iterations = 314_110, salt = 16, declared = n } = {},
): Uint8Array {
  return concatBytes(le32(alg), le32(iv), le32(tag), le32(declared), le32(kdf), filled(28, 0x33), le32(iterations), le16(salt), filled(16, 0x44), filled(n, 0x55));
}

describe('CRY-5 a signed message, step by step', () => {
  it('CRY-5 (1) shorter than the 12-byte header is TRUNCATED; exactly 12 bytes goes on to the later steps', async () => {
    expect(await codeOf(() => checkSigned(signedFrame(0, 0).subarray(0, 11)))).toBe('TRUNCATED');
    // 12 bytes: the header is there, so the tag and the empty parts decide (BAD_SIGNATURE), not the length.
    expect(await codeOf(() => checkSigned(signedFrame(0, 0)))).toBe('BAD_SIGNATURE');
  });

  it('CRY-5 (2) the type tag comes before the declared lengths: a wrong tag with a huge n is BAD_SIGNATURE', async () => {
    const frame = concatBytes(le32(SM_ENCRYPTED), le32(0xffff), le32(70), filled(8));
    expect(frame.length).toBe(20);
    expect(await codeOf(() => checkSigned(frame))).toBe('BAD_SIGNATURE');
    for (let byte = 0; byte < 4; byte++) {
      const damaged = signedFrame(3, 70);
      damaged[byte]! ^= 0x01;
      expect(await codeOf(() => checkSigned(damaged)), `tag byte ${byte}`).toBe('BAD_SIGNATURE');
    }
  });

  it('CRY-5 (3) an empty message part or an empty signature part is BAD_SIGNATURE, each on its own', async () => {
    expect(await codeOf(() => checkSigned(signedFrame(0, 70)))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => checkSigned(signedFrame(3, 0)))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => checkSigned(signedFrame(1, 1)))).toBe('ok');
  });

  it('CRY-5 (4)(5) one byte short of 12 + n + s is TRUNCATED, one byte over is TRAILING_BYTES, exact passes', async () => {
    const exact = signedFrame(5, 70);
    expect(await codeOf(() => checkSigned(exact))).toBe('ok');
    expect(await codeOf(() => checkSigned(exact.subarray(0, exact.length - 1)))).toBe('TRUNCATED');
    expect(await codeOf(() => checkSigned(signedFrame(5, 70, { extra: 1 })))).toBe('TRAILING_BYTES');
    // n and s are read at [4, 8) and [8, 12), little-endian: a declared n of 256 needs 256 bytes.
    expect(await codeOf(() => checkSigned(concatBytes(le32(SM_SIGNED), le32(256), le32(1), filled(2))))).toBe('TRUNCATED');
  });

  it('CRY-5 through the API: verify gives the same codes, and only for a real signature returns the message', async () => {
    await ready();
    const alice = KeyPair.generate();
    const signed = sign(alice.privateKey, utf8('hello'));
    expect(verify(alice.publicKey, signed)).toEqual(utf8('hello'));
    expect(await codeOf(() => verify(alice.publicKey, signed.subarray(0, 11)))).toBe('TRUNCATED');
    expect(await codeOf(() => verify(alice.publicKey, concatBytes(signed, Uint8Array.of(0))))).toBe('TRAILING_BYTES');
    expect(await codeOf(() => verify(alice.publicKey, signed.subarray(0, signed.length - 1)))).toBe('TRUNCATED');
  });
});

describe('CRY-7 a Secure Cell, step by step', () => {
  it('CRY-7 (1) shorter than 45 bytes is TRUNCATED whatever its words say; 45 bytes with n = 1 passes', async () => {
    expect(CELL_TOKEN).toBe(44);
    expect(await codeOf(() => checkCell(cellFrame(1).subarray(0, 44)))).toBe('TRUNCATED');
    expect(await codeOf(() => checkCell(cellFrame(0, { alg: 0 })))).toBe('TRUNCATED');
    expect(await codeOf(() => checkCell(cellFrame(1)))).toBe('ok');
  });

  it('CRY-7 (2) each of the algorithm word, the IV length and the tag length on its own is DECRYPT_FAILED', async () => {
    expect(await codeOf(() => checkCell(cellFrame(4, { alg: 0x40010080 })))).toBe('DECRYPT_FAILED'); // AES 128-bit key (CRY-8)
    expect(await codeOf(() => checkCell(cellFrame(4, { iv: 16 })))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => checkCell(cellFrame(4, { tag: 12 })))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => checkCell(cellFrame(4, { iv: 11 })))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => checkCell(cellFrame(4, { tag: 17 })))).toBe('DECRYPT_FAILED');
  });

  it('CRY-7 (3)(4) n = 0 is DECRYPT_FAILED; one byte short of 44 + n is TRUNCATED, one over TRAILING_BYTES', async () => {
    expect(await codeOf(() => checkCell(concatBytes(cellFrame(0), filled(1))))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => checkCell(cellFrame(10, { declared: 11 })))).toBe('TRUNCATED');
    expect(await codeOf(() => checkCell(cellFrame(10, { declared: 9 })))).toBe('TRAILING_BYTES');
    expect(await codeOf(() => checkCell(cellFrame(10)))).toBe('ok');
  });

  it('CRY-7 through the API: cellOpen refuses with the same codes, and opens only the exact cell', async () => {
    await ready();
    const key = SymmetricKey.generate();
    const cell = cellSeal(key, utf8('post'), utf8('ctx'));
    expect(cell.length).toBe(44 + 4);
    expect(cellOpen(key, cell, utf8('ctx'))).toEqual(utf8('post'));
    expect(await codeOf(() => cellOpen(key, concatBytes(cell, Uint8Array.of(0)), utf8('ctx')))).toBe('TRAILING_BYTES');
    expect(await codeOf(() => cellOpen(key, cell.subarray(0, 44), utf8('ctx')))).toBe('TRUNCATED');
    // No context and an empty context are the same (CRY-3: the context is only authenticated when given).
    expect(cellOpen(key, cellSeal(key, utf8('x')), new Uint8Array(0))).toEqual(utf8('x'));
  });
});

describe('CRY-6 an encrypted message, step by step', () => {
  it('CRY-6 (1) shorter than 8 + 44 + 1 = 53 bytes is TRUNCATED; 53 bytes go on to the later steps', async () => {
    const smallest = encryptedFrame(cellFrame(1));
    expect(smallest.length).toBe(53);
    expect(await codeOf(() => checkEncrypted(smallest))).toBe('ok');
    expect(await codeOf(() => checkEncrypted(encryptedFrame(cellFrame(1), { tag: 0 }).subarray(0, 52)))).toBe('TRUNCATED');
  });

  it('CRY-6 (2) a wrong type tag is DECRYPT_FAILED', async () => {
    expect(await codeOf(() => checkEncrypted(encryptedFrame(cellFrame(4), { tag: SM_SIGNED })))).toBe('DECRYPT_FAILED');
  });

  it('CRY-6 (3) the total-length field: larger than the input is TRUNCATED, smaller TRAILING_BYTES', async () => {
    const cell = cellFrame(4);
    expect(await codeOf(() => checkEncrypted(encryptedFrame(cell, { total: 8 + cell.length + 1 })))).toBe('TRUNCATED');
    expect(await codeOf(() => checkEncrypted(encryptedFrame(cell, { total: 8 + cell.length - 1 })))).toBe('TRAILING_BYTES');
  });

  it('CRY-6 (4) the cell starts at byte 8 and is checked by CRY-7', async () => {
    expect(await codeOf(() => checkEncrypted(encryptedFrame(cellFrame(4, { iv: 16 }))))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => checkEncrypted(encryptedFrame(cellFrame(4, { declared: 0 }))))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => checkEncrypted(encryptedFrame(cellFrame(4, { declared: 3 }))))).toBe('TRAILING_BYTES');
  });

  it('CRY-6 through the API: decryptFrom refuses with the same codes', async () => {
    await ready();
    const [alice, bob] = [KeyPair.generate(), KeyPair.generate()];
    const box = encryptFor(alice.privateKey, bob.publicKey, utf8('secret'));
    expect(decryptFrom(bob.privateKey, alice.publicKey, box)).toEqual(utf8('secret'));
    expect(await codeOf(() => decryptFrom(bob.privateKey, alice.publicKey, box.subarray(0, 52)))).toBe('TRUNCATED');
    expect(await codeOf(() => decryptFrom(bob.privateKey, alice.publicKey, concatBytes(box, Uint8Array.of(0))))).toBe('TRAILING_BYTES');
  });
});

describe('CRY-17 a passphrase cell, step by step, before any key derivation', () => {
  it('CRY-17 (1) shorter than 71 bytes is TRUNCATED; 71 bytes with n = 1 passes and says its iterations', async () => {
    expect(PASSPHRASE_CELL_TOKEN).toBe(70);
    expect(await codeOf(() => checkPassphraseCell(passphraseFrame(1).subarray(0, 70)))).toBe('TRUNCATED');
    // 70 bytes declaring n = 0: the length decides (step 1) before the empty message would (step 3).
    expect(await codeOf(() => checkPassphraseCell(passphraseFrame(0)))).toBe('TRUNCATED');
    expect(await codeOf(() => checkPassphraseCell(new Uint8Array(10)))).toBe('TRUNCATED');
    expect(checkPassphraseCell(passphraseFrame(1))).toBe(314_110);
  });

  it('CRY-17 (2) each parameter on its own is DECRYPT_FAILED: algorithm, IV, tag, KDF context and salt lengths', async () => {
    for (const bad of [{ alg: CELL_ALG }, { iv: 16 }, { tag: 12 }, { kdf: 21 }, { salt: 32 }]) {
      expect(await codeOf(() => checkPassphraseCell(passphraseFrame(4, bad))), JSON.stringify(bad)).toBe('DECRYPT_FAILED');
    }
  });

  it('CRY-17 (3)(4) n = 0 is DECRYPT_FAILED; one byte short of 70 + n is TRUNCATED, one over TRAILING_BYTES', async () => {
    expect(await codeOf(() => checkPassphraseCell(concatBytes(passphraseFrame(0), filled(1))))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => checkPassphraseCell(passphraseFrame(10, { declared: 11 })))).toBe('TRUNCATED');
    expect(await codeOf(() => checkPassphraseCell(passphraseFrame(10, { declared: 9 })))).toBe('TRAILING_BYTES');
  });

  it('CRY-17 (5) the iteration count: 0 and 1 000 001 are TOO_LARGE, 1 and 1 000 000 pass, read at [48, 52) LE', async () => {
    expect(MAX_PASSPHRASE_ITERATIONS).toBe(1_000_000);
    expect(await codeOf(() => checkPassphraseCell(passphraseFrame(4, { iterations: 0 })))).toBe('TOO_LARGE');
    expect(await codeOf(() => checkPassphraseCell(passphraseFrame(4, { iterations: 1_000_001 })))).toBe('TOO_LARGE');
    expect(await codeOf(() => checkPassphraseCell(passphraseFrame(4, { iterations: 0xffffffff })))).toBe('TOO_LARGE');
    expect(checkPassphraseCell(passphraseFrame(4, { iterations: 1 }))).toBe(1);
    expect(checkPassphraseCell(passphraseFrame(4, { iterations: 1_000_000 }))).toBe(1_000_000);
    expect(checkPassphraseCell(passphraseFrame(4, { iterations: 0x0002_0304 }))).toBe(0x0002_0304);
  });
});

describe('CRY-9 CRY-17 the passphrase functions check their inputs before any key derivation', () => {
  it('CRY-17 passphraseCellIterations reads the count of a well-framed cell and refuses what is not one', async () => {
    expect(passphraseCellIterations(passphraseFrame(4, { iterations: 314_110 }))).toBe(314_110);
    expect(await codeOf(() => passphraseCellIterations(passphraseFrame(4, { iterations: 0 })))).toBe('TOO_LARGE');
    expect(() => passphraseCellIterations([1, 2, 3] as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('CRY-9 an empty passphrase, an empty message or an empty cell is refused at once', async () => {
    await expect(passphraseSeal('', utf8('x'))).rejects.toThrow(TypeError);
    await expect(passphraseSeal(42 as unknown as string, utf8('x'))).rejects.toThrow(TypeError);
    await expect(passphraseSeal('pw', new Uint8Array(0))).rejects.toMatchObject({ code: 'MALFORMED' });
    await expect(passphraseOpen('', passphraseFrame(4))).rejects.toThrow(TypeError);
    await expect(passphraseOpen(42 as unknown as string, passphraseFrame(4))).rejects.toThrow(TypeError);
    await expect(passphraseOpen('pw', new Uint8Array(0))).rejects.toThrow(TypeError);
    await expect(passphraseOpen('pw', 'cell' as unknown as Uint8Array)).rejects.toThrow(TypeError);
  });

  it('CRY-17 passphraseOpen refuses a hostile count with TOO_LARGE and a damaged frame with its code, deriving nothing', async () => {
    // Either would take hours of PBKDF2 if the bound came after the derivation; the test timeout says it did not.
    await expect(passphraseOpen('pw', passphraseFrame(4, { iterations: 0xffffffff }))).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(passphraseOpen('pw', passphraseFrame(4, { declared: 5 }))).rejects.toMatchObject({ code: 'TRUNCATED' });
    await expect(passphraseOpen('pw', passphraseFrame(4, { kdf: 0 }))).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });
});

describe('CRY-4 no primitive on an empty message', () => {
  it('CRY-4 sign, encryptFor and cellSeal refuse an empty message with MALFORMED; not bytes is a TypeError', async () => {
    await ready();
    const alice = KeyPair.generate();
    const empty = new Uint8Array(0);
    expect(await codeOf(() => sign(alice.privateKey, empty))).toBe('MALFORMED');
    expect(await codeOf(() => encryptFor(alice.privateKey, alice.publicKey, empty))).toBe('MALFORMED');
    expect(await codeOf(() => cellSeal(SymmetricKey.generate(), empty))).toBe('MALFORMED');
    expect(() => checkNonEmpty('text' as unknown as Uint8Array, 'message')).toThrow(TypeError);
    expect(() => checkNonEmpty(Uint8Array.of(1), 'message')).not.toThrow();
  });
});

describe('KEY-1 KEY-2 key containers', () => {
  let alice: KeyPair;
  beforeAll(async () => {
    await ready();
    alice = KeyPair.generate();
  });

  it('KEY-1 KEY-2 a container made by makeContainer passes checkContainer; every header byte is checked', async () => {
    const body = alice.publicKey.bytes().subarray(12);
    const made = makeContainer(TAG_PUBLIC, body);
    expect(made).toEqual(alice.publicKey.bytes());
    expect(await codeOf(() => checkContainer(made, TAG_PUBLIC, [45, 77]))).toBe('ok');
    for (let at = 0; at < 12; at++) {
      const damaged = made.slice();
      damaged[at]! ^= 0x01;
      expect(await codeOf(() => checkContainer(damaged, TAG_PUBLIC, [45, 77])), `header byte ${at}`).toBe('INVALID_KEY');
    }
    expect(await codeOf(() => checkContainer(made, TAG_PRIVATE, [45, 44]))).toBe('INVALID_KEY');
    expect(await codeOf(() => checkContainer(made.subarray(0, 44), TAG_PUBLIC, [45, 77]))).toBe('INVALID_KEY');
    expect(await codeOf(() => checkContainer('UEC2' as unknown as Uint8Array, TAG_PUBLIC, [4]))).toBe('INVALID_KEY');
  });

  it('KEY-1 KEY-2 each container check on its own: bytes, an allowed length, the size field (checksum redone)', async () => {
    const made = alice.publicKey.bytes();
    // The right bytes in a plain array are still not bytes.
    expect(await codeOf(() => checkContainer(Array.from(made) as unknown as Uint8Array, TAG_PUBLIC, [45, 77]))).toBe('INVALID_KEY');
    // A consistent container (size field and checksum right) of a length the caller does not allow.
    const short = makeContainer(TAG_PUBLIC, made.subarray(12, 44));
    expect(short.length).toBe(44);
    expect(await codeOf(() => checkContainer(short, TAG_PUBLIC, [45, 77]))).toBe('INVALID_KEY');
    expect(await codeOf(() => checkContainer(short, TAG_PUBLIC, [44]))).toBe('ok');
    // A size field that lies, with the checksum recomputed over it as a forger would.
    const lying = made.slice();
    new DataView(lying.buffer).setUint32(4, 77, false);
    lying.fill(0, 8, 12);
    new DataView(lying.buffer).setUint32(8, crc32c(lying), true);
    expect(await codeOf(() => checkContainer(lying, TAG_PUBLIC, [45, 77]))).toBe('INVALID_KEY');
  });

  it('KEY-1 KEY-2 KEY-3 keys are made only through from() and generate(), and own their bytes', () => {
    const pub = alice.publicKey.bytes();
    const priv = alice.privateKey.bytes();
    // The constructors are public to TypeScript's eye only: without the module's token they refuse.
    for (const Key of [PublicKey, PrivateKey, SymmetricKey] as unknown as (new (token: symbol, bytes: Uint8Array) => unknown)[]) {
      expect(() => new Key(Symbol('comrad.key'), pub), Key.name).toThrow(TypeError);
    }
    // from() copies its input; bytes() hands out a copy: neither lets a caller change a key afterwards.
    const input = priv.slice();
    const key = PrivateKey.from(input);
    input.fill(0);
    expect(key.bytes()).toEqual(priv);
    key.bytes().fill(0);
    expect(key.bytes()).toEqual(priv);
    const sym = SymmetricKey.generate();
    const symBytes = sym.bytes().slice();
    sym.bytes().fill(0);
    expect(sym.bytes()).toEqual(symBytes);
  });

  it('KEY-1 a compressed point must start with 02 or 03, an uncompressed one with 04', async () => {
    const point = alice.publicKey.bytes().subarray(12);
    for (const prefix of [0x00, 0x01, 0x04, 0x05]) {
      const body = point.slice();
      body[0] = prefix;
      expect(await codeOf(() => PublicKey.from(makeContainer(TAG_PUBLIC, body))), `prefix ${prefix}`).toBe('INVALID_KEY');
    }
    const uncompressed = new Uint8Array(65);
    uncompressed[0] = 0x02;
    expect(await codeOf(() => PublicKey.from(makeContainer(TAG_PUBLIC, uncompressed)))).toBe('INVALID_KEY');
    // A real point in 65 bytes under any other prefix (SEC 1's hybrid 06/07 included) is no key either.
    const real = keyFormsOf(alice.privateKey.bytes().subarray(13)).public77;
    expect(PublicKey.from(real).equals(alice.publicKey)).toBe(true);
    for (const prefix of [0x02, 0x03, 0x06, 0x07]) {
      const body = real.slice(12);
      body[0] = prefix;
      expect(await codeOf(() => PublicKey.from(makeContainer(TAG_PUBLIC, body))), `prefix ${prefix}`).toBe('INVALID_KEY');
    }
  });

  it('KEY-2 a 45-byte private key with a non-zero first scalar byte is INVALID_KEY; a 44-byte one is the same key', async () => {
    const padded = alice.privateKey.bytes();
    expect(padded.length).toBe(45);
    expect(padded[12]).toBe(0);
    const withByte = padded.subarray(12).slice();
    withByte[0] = 1;
    expect(await codeOf(() => PrivateKey.from(makeContainer(TAG_PRIVATE, withByte)))).toBe('INVALID_KEY');
    const short = PrivateKey.from(makeContainer(TAG_PRIVATE, padded.subarray(13)));
    expect(verify(alice.publicKey, sign(short, utf8('same key')))).toEqual(utf8('same key'));
  });

  it('KEY-1 keys are compared by point; bytes() is a copy that cannot change the key', () => {
    const again = PublicKey.from(alice.publicKey.bytes());
    expect(again.equals(alice.publicKey)).toBe(true);
    expect(again.equals(KeyPair.generate().publicKey)).toBe(false);
    const copy = again.bytes();
    copy[20]! ^= 0xff;
    expect(again.equals(alice.publicKey)).toBe(true);
    expect(again.toHex()).toBe(Buffer.from(alice.publicKey.bytes()).toString('hex'));
    expect(String(again)).toBe(`PublicKey(${alice.publicKey.fingerprint()})`);
  });

  it('KEY-2 KEY-3 secrets never print, and wipe() zeroes them', () => {
    const secret = alice.privateKey.bytes();
    const hex = Buffer.from(secret.subarray(12)).toString('hex');
    const key = PrivateKey.from(secret);
    expect(String(key)).toBe('PrivateKey(…)');
    expect(JSON.stringify({ key })).toBe('{"key":"PrivateKey(…)"}');
    expect(JSON.stringify({ key }) + String(key)).not.toContain(hex.slice(0, 16));
    key.wipe();
    expect(key.bytes().every((b) => b === 0)).toBe(true);
    const sym = SymmetricKey.generate();
    expect(String(sym)).toBe('SymmetricKey(…)');
    expect(JSON.stringify(sym)).toBe('"SymmetricKey(…)"');
    sym.wipe();
    expect(sym.bytes()).toEqual(new Uint8Array(32));
  });

  it('KEY-3 a symmetric key is exactly 32 bytes; generated ones differ; from() copies', async () => {
    expect(SymmetricKey.generate().bytes().length).toBe(32);
    expect(SymmetricKey.generate().bytes()).not.toEqual(SymmetricKey.generate().bytes());
    for (const n of [0, 16, 31, 33]) expect(await codeOf(() => SymmetricKey.from(new Uint8Array(n))), `${n}`).toBe('INVALID_KEY');
    expect(await codeOf(() => SymmetricKey.from([1, 2] as unknown as Uint8Array))).toBe('INVALID_KEY');
    const raw = filled(32, 7);
    const key = SymmetricKey.from(raw);
    raw.fill(0);
    expect(key.bytes()).toEqual(filled(32, 7));
  });
});
