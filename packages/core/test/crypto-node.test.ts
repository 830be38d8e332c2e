/**
 * The `node` crypto backend on its own (spec/notes/crypto-backends.md, CRY-10..CRY-16): selection, the
 * wasm-free path, key forms and key checks, caches, generated keys. Agreement with wasm-themis is proven
 * in crypto-differential.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  backendName,
  cellOpen,
  cellSeal,
  decryptFrom,
  encryptFor,
  KeyPair,
  MAX_LETTER_BYTES,
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
import { isWasmLoaded } from '../src/crypto/_wasm-themis.js';
import { _testing } from '../src/crypto/_node-backend.js';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { keyFormsOf, offCurveCompressed, offCurveUncompressed, ORDER, privateContainer, scalarBytes } from '@comrad/test-kit/core/themis-keys';

/** Runs `fn` with COMRAD_CRYPTO set to `value` (or unset), restoring it afterwards. */
async function withEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.COMRAD_CRYPTO;
  if (value === undefined) delete process.env.COMRAD_CRYPTO;
  else process.env.COMRAD_CRYPTO = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.COMRAD_CRYPTO;
    else process.env.COMRAD_CRYPTO = saved;
  }
}

function roundTrip(size: number): void {
  const alice = KeyPair.generate();
  const bob = KeyPair.generate();
  const message = new Uint8Array(size).map((_, i) => i * 7);
  expect(verify(alice.publicKey, sign(alice.privateKey, message))).toEqual(message);
  expect(decryptFrom(bob.privateKey, alice.publicKey, encryptFor(alice.privateKey, bob.publicKey, message))).toEqual(message);
  const key = SymmetricKey.generate();
  expect(cellOpen(key, cellSeal(key, message, utf8('ctx')), utf8('ctx'))).toEqual(message);
}

// Test order matters in this file: the first test must run before anything loads wasm-themis.
describe('node crypto backend', () => {
  it('CRY-13 on the node backend nothing loads wasm-themis, passphrase cells included (OpenSSL derives their key)', async () => {
    expect(await withEnv(undefined, () => ready())).toBe('node');
    roundTrip(100);
    expect(isWasmLoaded()).toBe(false);
    const sealed = await passphraseSeal('correct horse', utf8('keystore'));
    expect(await passphraseOpen('correct horse', sealed)).toEqual(utf8('keystore'));
    expect(isWasmLoaded()).toBe(false);
    expect(backendName()).toBe('node');
  });

  it('CRY-14 node is the default on Node; COMRAD_CRYPTO and ready({ backend }) choose another', async () => {
    expect(await withEnv('wasm', () => ready())).toBe('wasm');
    expect(await withEnv('node', () => ready())).toBe('node');
    expect(await withEnv('node', () => ready({ backend: 'wasm' }))).toBe('wasm');
    expect(await withEnv('', () => ready())).toBe('node');
    expect(await codeOf(() => withEnv('openssl', () => ready()))).toBe('INTERNAL');
    expect(await withEnv(undefined, () => ready())).toBe('node');
  });

  it('CRY-10 sign, encrypt and seal round trips from 1 byte to MAX_LETTER_BYTES', async () => {
    await ready({ backend: 'node' });
    for (const size of [1, 17, 1024, 16 * 1024, MAX_LETTER_BYTES]) roundTrip(size);
  });

  it('CRY-12 44- and 45-byte private keys are the same key; 77-byte public keys are stored as 45', async () => {
    await ready({ backend: 'node' });
    const forms = keyFormsOf(scalarBytes(0x1234567890abcdefn));
    const compressed = PublicKey.from(forms.public45);
    const uncompressed = PublicKey.from(forms.public77);
    expect(uncompressed.bytes()).toEqual(forms.public45);
    expect(uncompressed.equals(compressed)).toBe(true);
    const message = utf8('one key, two forms');
    for (const priv of [forms.private44, forms.private45]) {
      expect(verify(uncompressed, sign(PrivateKey.from(priv), message))).toEqual(message);
    }
    // The ECDH secret does not depend on the form either.
    const other = KeyPair.generate();
    const box = encryptFor(PrivateKey.from(forms.private44), other.publicKey, message);
    expect(decryptFrom(other.privateKey, uncompressed, box)).toEqual(message);
  });

  it('CRY-12 a point not on the curve is refused by PublicKey.from with INVALID_KEY', async () => {
    await ready({ backend: 'node' });
    const forms = keyFormsOf(scalarBytes(42n));
    expect(await codeOf(() => PublicKey.from(offCurveCompressed()))).toBe('INVALID_KEY');
    // Checked before compression: with y's parity kept, compressing would silently give the real key back.
    expect(await codeOf(() => PublicKey.from(offCurveUncompressed(forms, true)))).toBe('INVALID_KEY');
    expect(await codeOf(() => PublicKey.from(offCurveUncompressed(forms, false)))).toBe('INVALID_KEY');
    expect(await codeOf(() => PublicKey.from(forms.public77))).toBe('ok');
  });

  it('KEY-1 under wasm too, an uncompressed key with an off-curve y is refused, never "repaired" by compression', async () => {
    await ready({ backend: 'wasm' });
    try {
      const forms = keyFormsOf(scalarBytes(42n));
      expect(await codeOf(() => PublicKey.from(offCurveUncompressed(forms, true)))).toBe('INVALID_KEY');
      expect(await codeOf(() => PublicKey.from(offCurveUncompressed(forms, false)))).toBe('INVALID_KEY');
      expect(await codeOf(() => PublicKey.from(forms.public77))).toBe('ok');
    } finally {
      await ready({ backend: 'node' });
    }
  });

  it('CRY-12 a scalar of 0 or ≥ n fails with the code wasm-themis gives: INVALID_KEY, or DECRYPT_FAILED to decrypt', async () => {
    await ready({ backend: 'node' });
    const peer = KeyPair.generate();
    const box = encryptFor(peer.privateKey, peer.publicKey, utf8('x'));
    for (const d of [0n, ORDER, ORDER + 1n, 2n ** 256n - 1n]) {
      for (const length of [44, 45] as const) {
        const key = PrivateKey.from(privateContainer(scalarBytes(d), length));
        expect(await codeOf(() => sign(key, utf8('x')))).toBe('INVALID_KEY');
        expect(await codeOf(() => encryptFor(key, peer.publicKey, utf8('x')))).toBe('INVALID_KEY');
        expect(await codeOf(() => decryptFrom(key, peer.publicKey, box))).toBe('DECRYPT_FAILED');
      }
    }
    const largest = PrivateKey.from(privateContainer(scalarBytes(ORDER - 1n), 45));
    expect(await codeOf(() => sign(largest, utf8('x')))).toBe('ok');
  });

  it('CRY-15 a wiped private key fails with INVALID_KEY even after its handles and secrets were cached', async () => {
    await ready({ backend: 'node' });
    const alice = KeyPair.generate();
    const bob = KeyPair.generate();
    const box = encryptFor(bob.privateKey, alice.publicKey, utf8('cached'));
    sign(alice.privateKey, utf8('warm the signer'));
    expect(decryptFrom(alice.privateKey, bob.publicKey, box)).toEqual(utf8('cached'));
    alice.privateKey.wipe();
    expect(await codeOf(() => sign(alice.privateKey, utf8('x')))).toBe('INVALID_KEY');
    expect(await codeOf(() => encryptFor(alice.privateKey, bob.publicKey, utf8('x')))).toBe('INVALID_KEY');
    expect(await codeOf(() => decryptFrom(alice.privateKey, bob.publicKey, box))).toBe('INVALID_KEY');
  });

  it('CRY-15 a cached ECDH secret serves only its own key pair', async () => {
    await ready({ backend: 'node' });
    const [a, b, c] = [KeyPair.generate(), KeyPair.generate(), KeyPair.generate()];
    const message = utf8('static keys');
    const first = encryptFor(a.privateKey, b.publicKey, message);
    const second = encryptFor(a.privateKey, b.publicKey, message);
    expect(first).not.toEqual(second); // a fresh IV every time, cached secret or not
    for (const box of [first, second]) {
      expect(decryptFrom(b.privateKey, a.publicKey, box)).toEqual(message);
      expect(decryptFrom(a.privateKey, b.publicKey, box)).toEqual(message); // the secret is symmetric (CRY-3)
      expect(await codeOf(() => decryptFrom(c.privateKey, a.publicKey, box))).toBe('DECRYPT_FAILED');
      expect(await codeOf(() => decryptFrom(a.privateKey, c.publicKey, box))).toBe('DECRYPT_FAILED');
    }
    // Another object holding the same key bytes finds no cache entry, and agrees.
    expect(decryptFrom(PrivateKey.from(b.privateKey.bytes()), PublicKey.from(a.publicKey.bytes()), first)).toEqual(message);
  });

  it('CRY-16 generated key pairs are in the forms Themis emits and belong together', async () => {
    await ready({ backend: 'node' });
    for (let i = 0; i < 64; i++) {
      const pair = KeyPair.generate();
      const priv = pair.privateKey.bytes();
      const pub = pair.publicKey.bytes();
      expect(priv.length).toBe(45);
      expect(new TextDecoder().decode(priv.subarray(0, 4))).toBe('REC2');
      expect(priv[12]).toBe(0);
      expect(pub.length).toBe(45);
      expect([0x02, 0x03]).toContain(pub[12]);
      expect(keyFormsOf(priv.subarray(13)).public45).toEqual(pub);
    }
  });

  it('CRY-10 the fixed-IV hooks are deterministic and refuse an IV of the wrong length', async () => {
    await ready({ backend: 'node' });
    const key = SymmetricKey.generate().bytes();
    const iv = new Uint8Array(12).fill(7);
    const message = utf8('same in, same out');
    expect(_testing.cellSealWithIv(key, message, utf8('c'), iv)).toEqual(_testing.cellSealWithIv(key, message, utf8('c'), iv));
    const a = KeyPair.generate();
    const b = KeyPair.generate();
    const box = _testing.encryptWithIv(a.privateKey, b.publicKey, message, iv);
    expect(box).toEqual(_testing.encryptWithIv(a.privateKey, b.publicKey, message, iv));
    expect(decryptFrom(b.privateKey, a.publicKey, box)).toEqual(message);
    expect(() => _testing.cellSealWithIv(key, message, utf8('c'), new Uint8Array(16))).toThrow(TypeError);
  });

  it('outputs are plain Uint8Arrays that own their memory (never views of a shared Buffer pool)', async () => {
    await ready({ backend: 'node' });
    const pair = KeyPair.generate();
    const key = SymmetricKey.generate();
    const message = utf8('small');
    const outputs = [
      verify(pair.publicKey, sign(pair.privateKey, message)),
      decryptFrom(pair.privateKey, pair.publicKey, encryptFor(pair.privateKey, pair.publicKey, message)),
      cellOpen(key, cellSeal(key, message)),
    ];
    for (const out of outputs) {
      expect(out.constructor).toBe(Uint8Array);
      expect(out.buffer.byteLength).toBe(out.length);
      expect(out).toEqual(message);
    }
    // Containers are written into fresh, exactly sized buffers that are filled completely.
    for (const out of [sign(pair.privateKey, message), encryptFor(pair.privateKey, pair.publicKey, message), cellSeal(key, message)]) {
      expect(out.constructor).toBe(Uint8Array);
      expect(out.byteOffset).toBe(0);
      expect(out.buffer.byteLength).toBe(out.length);
    }
  });
});
