import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { ready, concatBytes, encode, passphraseCellIterations, passphraseOpen, passphraseSeal, toHex, utf8, KeyPair, MAX_PASSPHRASE_ITERATIONS } from '@comrad/core';
import { decodeKeystore, encodeKeystore, Keymaker, KEYSTORE_MAGIC, MAX_KEYSTORE_BYTES } from '@comrad/core/keymaker';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { timingIsMeaningful } from '@comrad/test-kit/core/adversarial';

const PASS = 'correct horse battery staple';
let alice: Keymaker;
let stored: Uint8Array;


/** A keystore around any content, made like KS-2 but without its checks. */
async function keystoreAround(content: Uint8Array, passphrase = PASS, context = concatBytes(utf8(KEYSTORE_MAGIC), Uint8Array.of(1))): Promise<Uint8Array> {
  const cell = await passphraseSeal(passphrase, content, context);
  return concatBytes(utf8(KEYSTORE_MAGIC), Uint8Array.of(1), sha256(cell), cell);
}

beforeAll(async () => {
  await ready({ backend: 'wasm' });
  alice = Keymaker.generate('alice');
  stored = await encodeKeystore(alice, PASS);
});

describe('keymakers', () => {
  it('a keymaker has a normalised name and never prints or serialises its private key', () => {
    expect(() => Keymaker.generate('Alice')).toThrow(expect.objectContaining({ code: 'INVALID_NAME' }));
    expect(Keymaker.generate('comrades').name).toBe('comrades');
    const secret = toHex(alice.keys.privateKey.bytes());
    expect(JSON.stringify(alice)).not.toContain(secret);
    expect(String(alice)).not.toContain(secret);
    expect(JSON.parse(JSON.stringify(alice))).toEqual({ name: 'alice', publicKey: alice.publicKey.toHex() });
  });
});

describe('keystore (KS-*)', () => {
  it('KS-1 KS-2 KS-3 a keystore opens to the same name and keys', async () => {
    expect(toHex(stored.subarray(0, 9))).toBe(toHex(concatBytes(utf8('COMRADKS'), Uint8Array.of(1))));
    expect(toHex(stored.subarray(9, 41))).toBe(toHex(sha256(stored.subarray(41))));
    expect(stored.length).toBeLessThan(MAX_KEYSTORE_BYTES);
    const again = await decodeKeystore(stored, PASS);
    expect(again.name).toBe('alice');
    expect(again.publicKey.equals(alice.publicKey)).toBe(true);
    expect(toHex(again.keys.privateKey.bytes())).toBe(toHex(alice.keys.privateKey.bytes()));
  });

  it('KS-3 a wrong passphrase is WRONG_PASSPHRASE', async () => {
    expect(await codeOf(() => decodeKeystore(stored, PASS + '!'))).toBe('WRONG_PASSPHRASE');
  });

  it('KS-2 the passphrase is normalised to NFC: composed and decomposed accents open the same keystore', async () => {
    const bytes = await encodeKeystore(alice, 'caf\u00e9 rouge');
    expect((await decodeKeystore(bytes, 'cafe\u0301 rouge')).name).toBe('alice');
  });

  it('KS-3 damage anywhere is CORRUPT_KEYSTORE, told apart from a wrong passphrase by the checksum', async () => {
    for (let i = 0; i < stored.length; i++) {
      if (i === 8) continue; // the version byte, below
      const bad = stored.slice();
      bad[i]! ^= 0x10;
      expect(await codeOf(() => decodeKeystore(bad, PASS)), `byte ${i}`).toBe('CORRUPT_KEYSTORE');
    }
    for (let n = 0; n < stored.length; n++) expect(await codeOf(() => decodeKeystore(stored.subarray(0, n), PASS))).toBe('CORRUPT_KEYSTORE');
    expect(await codeOf(() => decodeKeystore(concatBytes(stored, Uint8Array.of(0)), PASS))).toBe('CORRUPT_KEYSTORE');
    expect(await codeOf(() => decodeKeystore(new Uint8Array(MAX_KEYSTORE_BYTES + 1), PASS))).toBe('CORRUPT_KEYSTORE');
    expect(await codeOf(() => decodeKeystore(utf8('{"name":"alice"}'), PASS))).toBe('CORRUPT_KEYSTORE');
  });

  it('KS-1 another version is UNSUPPORTED_VERSION', async () => {
    const v2 = stored.slice();
    v2[8] = 2;
    expect(await codeOf(() => decodeKeystore(v2, PASS))).toBe('UNSUPPORTED_VERSION');
  });

  it('KS-2 the cell is bound to the magic and version: a cell sealed under another context does not open', async () => {
    const content = encode({ name: 'alice', priv: alice.keys.privateKey.bytes(), pub: alice.publicKey.bytes() });
    expect(await codeOf(async () => decodeKeystore(await keystoreAround(content, PASS, new Uint8Array(0)), PASS))).toBe('WRONG_PASSPHRASE');
  });

  it('KS-3 step 7 authentic but inconsistent content is CORRUPT_KEYSTORE: halves of two key pairs, bad fields', async () => {
    const other = KeyPair.generate();
    const mixed = encode({ name: 'alice', priv: alice.keys.privateKey.bytes(), pub: other.publicKey.bytes() });
    const badName = encode({ name: 'Alice', priv: alice.keys.privateKey.bytes(), pub: alice.publicKey.bytes() });
    const extra = encode({ name: 'alice', priv: alice.keys.privateKey.bytes(), pub: alice.publicKey.bytes(), x: 1 });
    for (const content of [mixed, badName, extra]) {
      expect(await codeOf(async () => decodeKeystore(await keystoreAround(content), PASS))).toBe('CORRUPT_KEYSTORE');
    }
  });

  it('KS-3 step 5 CRY-17 a keystore asking for a huge PBKDF2 iteration count fails fast with CORRUPT_KEYSTORE, before any KDF work', async () => {
    // Whoever can write the file can recompute the clear checksum: only a bound on the count read from
    // the cell keeps a modified keystore from hanging the client (2^32 - 1 iterations: hours).
    const t0 = performance.now();
    await decodeKeystore(stored, PASS);
    const normal = performance.now() - t0;
    for (const iterations of [0xffffffff, MAX_PASSPHRASE_ITERATIONS + 1, 0]) {
      const hostile = withIterations(stored, iterations);
      const refusal = async () => {
        const t1 = performance.now();
        expect(await codeOf(() => decodeKeystore(hostile, PASS)), `${iterations}`).toBe('CORRUPT_KEYSTORE');
        return performance.now() - t1;
      };
      // A normal unlock runs 314 110 iterations; refusing must cost far less than one of them. One
      // refusal takes a millisecond: a busy spell of a shared machine (a pause of the process) can outlast
      // a quarter of an unlock, so one over the bound is timed again, twice at most, and the quickest
      // counts. A refusal that runs the derivation is over it every time.
      let ms = await refusal();
      for (let again = 0; again < 2 && ms >= normal / 4; again++) ms = Math.min(ms, await refusal());
      if (timingIsMeaningful) expect(ms, `${iterations}`).toBeLessThan(normal / 4);
    }
    // The bound itself is accepted (it only costs the derivation, and a wrong count is a wrong key).
    expect(await codeOf(() => decodeKeystore(withIterations(stored, 2), PASS))).toBe('WRONG_PASSPHRASE');
  });

  it('CRY-17 passphraseOpen refuses a cell above the bound itself, for any caller', async () => {
    const cell = await passphraseSeal(PASS, utf8('x'));
    expect(passphraseCellIterations(cell)).toBe(314_110);
    const hostile = cell.slice();
    new DataView(hostile.buffer).setUint32(48, 0xffffffff, true);
    expect(await codeOf(() => passphraseOpen(PASS, hostile))).toBe('TOO_LARGE');
  });
});

/** The keystore with its cell's iteration count (CRY-9, offset 48 of the cell) replaced, checksum redone. */
function withIterations(keystore: Uint8Array, iterations: number): Uint8Array {
  const cell = keystore.slice(41);
  new DataView(cell.buffer).setUint32(48, iterations, true);
  return concatBytes(keystore.subarray(0, 9), sha256(cell), cell);
}
