/**
 * The `node` backend's own decisions, one input per branch (issue 12, mutation testing of
 * `_node-backend.ts` and `_node-keys.ts`): passphrase cells byte for byte and their refusals (CRY-9,
 * CRY-11, CRY-17), what Themis refuses that only a hand-made input reaches (an empty master key, a
 * non-zero pad byte, a hybrid point: CRY-11, CRY-12, KEY-1, KEY-2), the error wrapping (CRY-11), the
 * fixed-IV hooks (CRY-10), fresh IVs across the IV block (CRY-3) and the adoption of a just-generated key
 * pair's handles by its own halves and by nothing else (CRY-15, CRY-16). The differential tests
 * (crypto-differential.test.ts) stay the main guard; this file reaches what random damage does not.
 *
 * Key objects that `PrivateKey.from` / `PublicKey.from` would refuse are handed to the backends as plain
 * objects with the same `raw` and `bytes()`: the backends must refuse them on their own (CRY-11 says they
 * decide as wasm-themis does, whatever Comrad's stricter layer above them checks first).
 */
import { createCipheriv, createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendName, ComradError, concatBytes, passphraseOpen, passphraseSeal, PrivateKey, ProtocolError, PublicKey, ready, toHex, utf8 } from '@comrad/core';
import { loadNodeBackend as noNodeBackend, nativeSha256 as noNativeSha256 } from '../src/crypto/_no-node-backend.js';
import type { CryptoBackend } from '../src/crypto/_backend.js';
import { loadBackend } from '../src/crypto/backend.js';
import { nativeSha256, _testing } from '../src/crypto/_node-backend.js';
import { passphraseCell } from '../src/crypto/_wasm-backend.js';
import { makeContainer } from '../src/crypto/_container.js';
import { loadWebCryptoBackend } from '../src/crypto/_webcrypto-backend.js';
import { le32, looseKey, outcome, soterKey, thrown, throwingKey } from '@comrad/test-kit/core/backend-probes';
import { keyFormsOf, offCurveCompressed, ORDER, privateContainer, publicContainer, scalarBytes } from '@comrad/test-kit/core/themis-keys';

let node: CryptoBackend;
let wasm: CryptoBackend;
beforeAll(async () => {
  node = await loadBackend('node');
  wasm = await loadBackend('wasm');
});

const u32 = (bytes: Uint8Array, at: number) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);

function gcm(key: Uint8Array, iv: Uint8Array, message: Uint8Array, context: Uint8Array): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (context.length > 0) cipher.setAAD(context);
  const ciphertext = cipher.update(message);
  cipher.final();
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** A Secure Cell (CRY-3) built from the format's definition, under any master key (an empty one too). */
function cellByHand(master: Uint8Array, message: Uint8Array, context: Uint8Array): Uint8Array {
  const iv = randomBytes(12);
  const { ciphertext, tag } = gcm(soterKey(master, message.length, context, 32), iv, message, context);
  return concatBytes(le32(0x40010100), le32(12), le32(16), le32(message.length), iv, tag, ciphertext);
}

/** A passphrase cell (CRY-9) built from the format's definition: PBKDF2-HMAC-SHA256 of the UTF-8 passphrase, then CRY-3. */
function passphraseCellByHand(passphrase: string, message: Uint8Array, context: Uint8Array, salt: Uint8Array, iv: Uint8Array, iterations: number): Uint8Array {
  const master = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, 32, 'sha256');
  const { ciphertext, tag } = gcm(soterKey(master, message.length, context, 32), iv, message, context);
  const iterationsAndSalt = Buffer.alloc(22);
  iterationsAndSalt.writeUInt32LE(iterations, 0);
  iterationsAndSalt.writeUInt16LE(16, 4);
  iterationsAndSalt.set(salt, 6);
  return concatBytes(le32(0x41010100), le32(12), le32(16), le32(message.length), le32(22), iv, tag, iterationsAndSalt, ciphertext);
}

// First in this file: no backend is active until a test below calls ready().
describe('before ready() (CRY-13)', () => {
  it('CRY-13 with no backend chosen yet, passphrase cells are sealed and opened by wasm-themis', async () => {
    expect(backendName()).toBeUndefined();
    const message = utf8('before ready');
    const sealed = await passphraseSeal('pw', message, utf8('ctx'));
    expect(u32(sealed, 48)).toBe(314_110);
    const light = await _testing.passphraseSealWith('pw', message, utf8('ctx'), new Uint8Array(16), new Uint8Array(12), 1000);
    expect(toHex(await passphraseOpen('pw', light, utf8('ctx')))).toBe(toHex(message));
    expect(toHex(await node.passphraseOpen!('pw', sealed, utf8('ctx')))).toBe(toHex(message));
    expect(backendName()).toBeUndefined();
  });

  it('CRY-13 outside Node (a browser bundle) the node backend is a stub: asking for it is INTERNAL, and there is no native SHA-256', async () => {
    const err = await thrown(() => noNodeBackend());
    expect(err).toBeInstanceOf(ComradError);
    expect((err as ComradError).code).toBe('INTERNAL');
    expect((err as Error).message).toMatch(/needs Node\.js/);
    expect(noNativeSha256).toBeUndefined();
  });
});

describe('node passphrase cells (CRY-9, CRY-11, CRY-17)', () => {
  const message = utf8('keystore content');
  const context = utf8('COMRADKS');
  const salt = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const iv = Uint8Array.from({ length: 12 }, (_, i) => 0x10 + i);

  it('CRY-9 a node passphrase cell is the exact bytes of the format, field by field, and wasm-themis opens it', async () => {
    const made = await _testing.passphraseSealWith('correct horse', message, context, salt, iv, 1000);
    expect(toHex(made)).toBe(toHex(passphraseCellByHand('correct horse', message, context, salt, iv, 1000)));
    expect(made.length).toBe(70 + message.length);
    expect([u32(made, 0), u32(made, 4), u32(made, 8), u32(made, 12), u32(made, 16), u32(made, 48)]).toEqual([0x41010100, 12, 16, message.length, 22, 1000]);
    expect(toHex(made.subarray(54, 70))).toBe(toHex(salt));
    expect(toHex(await (await passphraseCell()).open('correct horse', made, context))).toBe(toHex(message));
    expect(toHex(await node.passphraseOpen!('correct horse', made, context))).toBe(toHex(message));
    // Without a context too (no additional data at all, CRY-3).
    const bare = await _testing.passphraseSealWith('pw', message, new Uint8Array(0), salt, iv, 1000);
    expect(toHex(bare)).toBe(toHex(passphraseCellByHand('pw', message, new Uint8Array(0), salt, iv, 1000)));
  });

  it('CRY-9 a passphrase cell sealed by the node backend asks for Themis\' 314 110 iterations and opens', async () => {
    const made = await node.passphraseSeal!('pw', message, context);
    expect(u32(made, 48)).toBe(314_110);
    expect(new DataView(made.buffer, made.byteOffset).getUint16(52, true)).toBe(16);
    expect(u32(made, 16)).toBe(22);
    expect(toHex(await node.passphraseOpen!('pw', made, context))).toBe(toHex(message));
  });

  it('CRY-11 CRY-17 opening with a wrong passphrase, a wrong or missing context, or an empty passphrase is DECRYPT_FAILED, as in wasm-themis', async () => {
    const made = await _testing.passphraseSealWith('correct horse', message, context, salt, iv, 1000);
    const wasmCell = await passphraseCell();
    const cases: Array<[string, string, Uint8Array, Uint8Array]> = [
      ['wrong passphrase', 'wrong horse', made, context],
      ['other context', 'correct horse', made, utf8('COMRADKT')],
      ['no context', 'correct horse', made, new Uint8Array(0)],
      ['a tag bit flipped', 'correct horse', Uint8Array.from(made, (b, i) => (i === 40 ? b ^ 1 : b)), context],
      // Sealed under the empty passphrase by hand (neither backend seals one): the check itself refuses it.
      ['empty passphrase', '', passphraseCellByHand('', message, context, salt, iv, 1000), context],
    ];
    for (const [name, passphrase, sealed, ctx] of cases) {
      const viaNode = await outcome(() => node.passphraseOpen!(passphrase, sealed, ctx));
      expect(viaNode, name).toEqual({ ok: false, code: 'DECRYPT_FAILED' });
      expect(await outcome(() => wasmCell.open(passphrase, sealed, ctx)), name).toEqual(viaNode);
    }
  });

  it('CRY-11 sealing an empty passphrase or an empty message is refused by the backend itself, INTERNAL', async () => {
    expect(await outcome(() => node.passphraseSeal!('', message, context))).toEqual({ ok: false, code: 'INTERNAL' });
    expect(await outcome(() => node.passphraseSeal!('pw', new Uint8Array(0), context))).toEqual({ ok: false, code: 'INTERNAL' });
    expect(await outcome(() => _testing.passphraseSealWith('', message, context, salt, iv, 1000))).toEqual({ ok: false, code: 'INTERNAL' });
  });

  it('CRY-10 the fixed-salt hook takes 16 bytes of salt and 12 of IV, as a TypeError before any derivation', async () => {
    for (const badSalt of [salt.subarray(0, 15), concatBytes(salt, Uint8Array.of(0)), Array.from(salt) as unknown as Uint8Array]) {
      expect(() => _testing.passphraseSealWith('pw', message, context, badSalt, iv, 1000)).toThrow(TypeError);
    }
    expect(() => _testing.passphraseSealWith('pw', message, context, salt, iv.subarray(0, 11), 1000)).toThrow(TypeError);
  });
});

describe('node Secure Cell and Secure Message edges only a hand-made input reaches (CRY-3, CRY-11)', () => {
  it('CRY-11 a cell sealed under an empty master key (Themis never seals one) is refused by node as by wasm-themis', async () => {
    const message = utf8('under no key');
    for (const context of [new Uint8Array(0), utf8('ctx')]) {
      const cell = cellByHand(new Uint8Array(0), message, context);
      // The hand-made cell is well formed: under a one-byte key the same construction opens in both.
      const one = Uint8Array.of(7);
      expect(toHex(node.cellOpen(one, cellByHand(one, message, context), context))).toBe(toHex(message));
      const viaNode = await outcome(() => node.cellOpen(new Uint8Array(0), cell, context));
      expect(viaNode).toEqual({ ok: false, code: 'DECRYPT_FAILED' });
      expect(await outcome(() => wasm.cellOpen(new Uint8Array(0), cell, context))).toEqual(viaNode);
    }
  });

  it('CRY-11 a cell declaring an empty message, with a valid tag over nothing, is refused as wasm-themis refuses it', async () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const { tag } = gcm(soterKey(key, 0, new Uint8Array(0), 32), iv, new Uint8Array(0), new Uint8Array(0));
    const cell = concatBytes(le32(0x40010100), le32(12), le32(16), le32(0), iv, tag);
    const viaNode = await outcome(() => node.cellOpen(key, cell, new Uint8Array(0)));
    expect(viaNode).toEqual({ ok: false, code: 'DECRYPT_FAILED' });
    expect(await outcome(() => wasm.cellOpen(key, cell, new Uint8Array(0)))).toEqual(viaNode);
  });

  it('CRY-10 the fixed-IV hooks fail with their operation\'s code: INTERNAL to seal, INVALID_KEY to encrypt with an unusable key', async () => {
    const iv = new Uint8Array(12);
    expect(await outcome(() => _testing.cellSealWithIv(new Uint8Array(0), utf8('m'), new Uint8Array(0), iv))).toEqual({ ok: false, code: 'INTERNAL' });
    const zero = looseKey<PrivateKey>(privateContainer(scalarBytes(0n), 45));
    expect(await outcome(() => _testing.encryptWithIv(zero, PublicKey.from(keyFormsOf(scalarBytes(9n)).public45), utf8('m'), iv))).toEqual({ ok: false, code: 'INVALID_KEY' });
  });

  it('CRY-10 the fixed-IV hooks refuse an IV that is not a 12-byte Uint8Array with a TypeError, not a protocol error', () => {
    const pair = { priv: PrivateKey.from(keyFormsOf(scalarBytes(3n)).private45), pub: PublicKey.from(keyFormsOf(scalarBytes(4n)).public45) };
    const key = randomBytes(32);
    // A plain array of 12 numbers would otherwise reach OpenSSL, which refuses it as an argument.
    for (const iv of [Array.from({ length: 12 }, () => 1) as unknown as Uint8Array, new Uint8Array(11), new Uint8Array(13)]) {
      for (const run of [() => _testing.cellSealWithIv(key, utf8('m'), utf8('c'), iv), () => _testing.encryptWithIv(pair.priv, pair.pub, utf8('m'), iv)]) {
        let err: unknown;
        try {
          run();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TypeError);
        expect(err).not.toBeInstanceOf(ComradError);
      }
    }
  });

  it('CRY-3 IVs stay fresh across the refill of the IV block: 600 seals, 600 different IVs, none zero', () => {
    const key = randomBytes(32);
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const cell = node.cellSeal(key, Uint8Array.of(i & 0xff), new Uint8Array(0));
      const iv = toHex(cell.subarray(16, 28));
      expect(iv).not.toBe('00'.repeat(12));
      seen.add(iv);
      if (i % 97 === 0) expect(toHex(node.cellOpen(key, cell, new Uint8Array(0)))).toBe(toHex(Uint8Array.of(i & 0xff)));
    }
    expect(seen.size).toBe(600);
  });
});

describe('node errors: the operation\'s code, as wasm-themis reports it (CRY-11)', () => {
  const message = utf8('m');
  it('CRY-11 a failure that is not Comrad\'s becomes the operation\'s code, its cause kept, a short reason quoted and anything else replaced', async () => {
    const cases: Array<[unknown, string]> = [
      [new Error('x'.repeat(199)), `node crypto: ${'x'.repeat(199)}`],
      [new Error('x'.repeat(200)), 'node crypto: rejected'],
      ['not an Error', 'node crypto: rejected'],
      [null, 'node crypto: rejected'],
      [undefined, 'node crypto: rejected'],
    ];
    for (const [value, text] of cases) {
      const err = await thrown(() => node.sign(throwingKey(value), message));
      expect(err, String(value)).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe('INVALID_KEY');
      expect((err as ProtocolError).message).toBe(text);
      expect((err as { cause?: unknown }).cause).toBe(value);
    }
    // Each operation its own code: a peer key that cannot be read fails decrypt as DECRYPT_FAILED, verify as BAD_SIGNATURE.
    const pair = keyFormsOf(scalarBytes(77n));
    const box = node.encrypt(PrivateKey.from(pair.private45), PublicKey.from(pair.public45), message);
    expect(await outcome(() => node.decrypt(PrivateKey.from(pair.private45), throwingKey(new Error('no')), box))).toEqual({ ok: false, code: 'DECRYPT_FAILED' });
    expect(await outcome(() => node.verify(throwingKey(new Error('no')), node.sign(PrivateKey.from(pair.private45), message)))).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
    expect(await outcome(() => node.checkPublicKey!(throwingKey(new Error('no'))) as unknown as Uint8Array)).toEqual({ ok: false, code: 'INVALID_KEY' });
  });

  it('CRY-11 a ProtocolError of the operation\'s own code or INVALID_KEY goes through unchanged; one of any other code becomes the operation\'s', async () => {
    const pair = keyFormsOf(scalarBytes(78n));
    const box = node.encrypt(PrivateKey.from(pair.private45), PublicKey.from(pair.public45), message);
    const bad = await thrown(() => node.verify(PublicKey.from(keyFormsOf(scalarBytes(79n)).public45), node.sign(PrivateKey.from(pair.private45), message)));
    expect(bad).toBeInstanceOf(ProtocolError);
    expect((bad as ProtocolError).code).toBe('BAD_SIGNATURE');
    expect((bad as ProtocolError).message).toBe('signature does not verify');
    expect((bad as { cause?: unknown }).cause).toBeUndefined();
    const invalid = new ProtocolError('INVALID_KEY', 'from below');
    expect(await thrown(() => node.decrypt(throwingKey(invalid), PublicKey.from(pair.public45), box))).toBe(invalid);
    const foreign = new ProtocolError('DECRYPT_FAILED', 'from below');
    const converted = await thrown(() => node.sign(throwingKey(foreign), message));
    expect((converted as ProtocolError).code).toBe('INVALID_KEY');
    expect((converted as { cause?: unknown }).cause).toBe(foreign);
  });

  it('CRY-11 the asynchronous operations wrap the same way: a failure below is DECRYPT_FAILED with its cause', async () => {
    const made = await _testing.passphraseSealWith('pw', message, new Uint8Array(0), new Uint8Array(16), new Uint8Array(12), 1000);
    const err = await thrown(() => node.passphraseOpen!('other', made, new Uint8Array(0)));
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe('DECRYPT_FAILED');
    expect((err as { cause?: unknown }).cause).toBeInstanceOf(Error);
  });
});

describe('node keys: what Themis refuses in a well-framed container (KEY-1, KEY-2, CRY-12)', () => {
  const message = utf8('m');
  it('KEY-2 CRY-12 a 45-byte private key whose pad byte is not zero is a scalar ≥ 2²⁵⁶: every operation refuses it, as in wasm-themis', async () => {
    const peer = keyFormsOf(scalarBytes(99n));
    const peerPub = PublicKey.from(peer.public45);
    const box = node.encrypt(PrivateKey.from(peer.private45), peerPub, message);
    for (const pad of [0x01, 0x80, 0xff]) {
      // A valid scalar after the pad byte, the CRC redone: only the pad byte is wrong.
      const key = looseKey<PrivateKey>(makeContainer('REC2', Uint8Array.of(pad, ...scalarBytes(5n))));
      const runs: Array<(b: CryptoBackend) => Uint8Array> = [(b) => b.sign(key, message), (b) => b.encrypt(key, peerPub, message), (b) => b.decrypt(key, peerPub, box)];
      for (const run of runs) {
        const viaNode = await outcome(() => run(node));
        expect(viaNode.ok, `pad ${pad}`).toBe(false);
        expect(await outcome(() => run(wasm)), `pad ${pad}`).toEqual(viaNode);
      }
      expect(await outcome(() => node.sign(key, message))).toEqual({ ok: false, code: 'INVALID_KEY' });
    }
    // A scalar of 0 or n is refused here, before OpenSSL sees it: the cause says so.
    for (const raw of [privateContainer(scalarBytes(0n), 45), privateContainer(scalarBytes(ORDER), 44), makeContainer('REC2', Uint8Array.of(1, ...scalarBytes(5n)))]) {
      const err = await thrown(() => node.sign(looseKey<PrivateKey>(raw), message));
      expect((err as ProtocolError).code).toBe('INVALID_KEY');
      expect(((err as { cause?: Error }).cause as Error).name, toHex(raw)).toBe('UnusableKey');
    }
  });

  it('KEY-2 a 44-byte private key is read whole, whatever its first byte (no pad byte to check)', async () => {
    for (const d of [0xff00n << 240n, 0x80n << 248n, 1n << 248n]) {
      const forms = keyFormsOf(scalarBytes(d));
      expect(forms.private44[12]).not.toBe(0);
      const signed = node.sign(PrivateKey.from(forms.private44), message);
      expect(toHex(wasm.verify(PublicKey.from(forms.public45), signed))).toBe(toHex(message));
    }
  });

  it('KEY-1 CRY-11 a 77-byte public key in hybrid form (06/07), which OpenSSL would read, is refused by node as by wasm-themis', async () => {
    const forms = keyFormsOf(scalarBytes(1234n));
    const signed = node.sign(PrivateKey.from(forms.private45), message);
    const point = forms.public77.subarray(12);
    const parity = point[64]! & 1;
    for (const prefix of [0x06 | parity, 0x06 | (parity ^ 1), 0x02, 0x03, 0x00, 0x05]) {
      const key = looseKey<PublicKey>(publicContainer(Uint8Array.of(prefix, ...point.subarray(1))));
      const viaNode = await outcome(() => node.verify(key, signed));
      expect(viaNode, `prefix ${prefix}`).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
      expect(await outcome(() => wasm.verify(key, signed)), `prefix ${prefix}`).toEqual(viaNode);
      expect(await outcome(() => (node.checkPublicKey!(key), new Uint8Array(0))), `prefix ${prefix}`).toEqual({ ok: false, code: 'INVALID_KEY' });
    }
    // A 45-byte key must be compressed (02/03): the uncompressed prefix on 33 bytes is refused too.
    for (const prefix of [0x04, 0x06, 0x00]) {
      const key = looseKey<PublicKey>(publicContainer(Uint8Array.of(prefix, ...forms.public45.subarray(13))));
      expect(await outcome(() => node.verify(key, signed)), `prefix ${prefix}`).toEqual(await outcome(() => wasm.verify(key, signed)));
    }
    // The refusal's cause says why (the wrapping keeps it).
    const err = await thrown(() => node.checkPublicKey!(looseKey<PublicKey>(publicContainer(Uint8Array.of(0x06 | parity, ...point.subarray(1))))));
    expect(((err as { cause?: Error }).cause as Error).name).toBe('UnusableKey');
    // An x with no point: OpenSSL's refusal is kept under it.
    const off = await thrown(() => node.checkPublicKey!(looseKey<PublicKey>(offCurveCompressed(1))));
    expect(((off as { cause?: Error }).cause as Error).name).toBe('UnusableKey');
    expect((((off as { cause?: Error }).cause as Error).cause as Error)).toBeInstanceOf(Error);
  });
});

describe('node key handles: a just-generated pair lends its handles to its own halves only (CRY-15, CRY-16)', () => {
  const message = utf8('whose key?');

  it('CRY-15 another private key used right after a generation signs and agrees with its own scalar, not the fresh one', async () => {
    const other = keyFormsOf(scalarBytes(0x5151n));
    const peer = keyFormsOf(scalarBytes(0x6262n));
    for (const use of ['sign', 'encrypt'] as const) {
      const made = node.generateKeyPair();
      const priv = PrivateKey.from(other.private45);
      if (use === 'sign') {
        expect(toHex(wasm.verify(PublicKey.from(other.public45), node.sign(priv, message)))).toBe(toHex(message));
      } else {
        const box = node.encrypt(priv, PublicKey.from(peer.public45), message);
        expect(toHex(wasm.decrypt(PrivateKey.from(peer.private45), PublicKey.from(other.public45), box))).toBe(toHex(message));
      }
      // The fresh pair, used after, is still itself.
      const freshPriv = PrivateKey.from(made.privateKey);
      expect(toHex(wasm.verify(PublicKey.from(made.publicKey), node.sign(freshPriv, message)))).toBe(toHex(message));
    }
  });

  it('CRY-15 another public key parsed right after a generation gets its own point, not the fresh one', async () => {
    const other = keyFormsOf(scalarBytes(0x7373n));
    const peer = keyFormsOf(scalarBytes(0x8484n));
    await ready({ backend: 'node' });
    node.generateKeyPair();
    const pub = PublicKey.from(other.public45); // the backend's point check parses it here
    expect(toHex(node.verify(pub, wasm.sign(PrivateKey.from(other.private45), message)))).toBe(toHex(message));
    node.generateKeyPair();
    const pub2 = PublicKey.from(other.public45);
    const box = node.encrypt(PrivateKey.from(peer.private45), pub2, message);
    expect(toHex(wasm.decrypt(PrivateKey.from(other.private45), PublicKey.from(peer.public45), box))).toBe(toHex(message));
  });

  it('CRY-15 the public key bytes handed out by a generation are the caller\'s: reusing that array for another key parses the other key', async () => {
    const other = keyFormsOf(scalarBytes(0xa1a1n));
    await ready({ backend: 'node' });
    const made = node.generateKeyPair();
    made.publicKey.set(other.public45); // the caller reuses its buffer before parsing
    const pub = PublicKey.from(made.publicKey);
    expect(toHex(node.verify(pub, wasm.sign(PrivateKey.from(other.private45), message)))).toBe(toHex(message));
  });

  it('CRY-16 a generated pair whose scalar starts with a zero byte is padded, adopted and works in both backends', async () => {
    let made: { privateKey: Uint8Array; publicKey: Uint8Array } | undefined;
    for (let i = 0; i < 8192 && !made; i++) {
      const pair = node.generateKeyPair();
      if (pair.privateKey[13] === 0) made = pair;
    }
    expect(made).toBeDefined();
    const { privateKey, publicKey } = made!;
    expect(privateKey.length).toBe(45);
    expect(privateKey[12]).toBe(0);
    expect(toHex(keyFormsOf(privateKey.subarray(13)).public45)).toBe(toHex(publicKey));
    const priv = PrivateKey.from(privateKey);
    const pub = PublicKey.from(publicKey);
    expect(toHex(wasm.verify(pub, node.sign(priv, message)))).toBe(toHex(message));
    const peer = keyFormsOf(scalarBytes(0x9595n));
    const box = node.encrypt(priv, PublicKey.from(peer.public45), message);
    expect(toHex(wasm.decrypt(PrivateKey.from(peer.private45), pub, box))).toBe(toHex(message));
  });

  it('CRY-12 a private key with a short scalar (leading zero bytes) signs as the key it is', () => {
    for (const d of [1n, 0x42n, 0xabcdefn]) {
      const forms = keyFormsOf(scalarBytes(d));
      for (const raw of [forms.private44, forms.private45]) {
        expect(toHex(wasm.verify(PublicKey.from(forms.public45), node.sign(PrivateKey.from(raw), message)))).toBe(toHex(message));
      }
    }
  });
});

describe('the webcrypto backend where the platform imports compressed points itself (Node, Chromium) (KEY-1, CRY-18)', () => {
  const message = utf8('hybrid');
  it('KEY-1 CRY-11 a 77-byte key in hybrid form is refused by core before the platform, which would read it, as wasm-themis refuses it', async () => {
    // Here, unlike crypto-backends-webcrypto-exact.test.ts, Node's Web Crypto is as it is: it imports
    // compressed and hybrid points, so only core's own form check stands between a hybrid key and it.
    const { async: web } = await loadWebCryptoBackend();
    const forms = keyFormsOf(scalarBytes(0xc1c1n));
    const priv = PrivateKey.from(forms.private45);
    const signed = await web.sign(priv, message);
    expect(toHex(await web.verify(PublicKey.from(forms.public45), signed))).toBe(toHex(message));
    const point = forms.public77.subarray(12);
    const hybrid = looseKey<PublicKey>(publicContainer(Uint8Array.of(0x06 | (point[64]! & 1), ...point.subarray(1))));
    const viaWeb = await outcome(() => web.verify(hybrid, signed));
    expect(viaWeb).toEqual({ ok: false, code: 'BAD_SIGNATURE' });
    expect(await outcome(() => wasm.verify(hybrid, signed))).toEqual(viaWeb);
    expect(await outcome(() => web.encrypt(priv, hybrid, message))).toEqual(await outcome(() => wasm.encrypt(priv, hybrid, message)));
  });
});

describe('nativeSha256, the proof-of-work hash (REG-6, MB-9)', () => {
  it('REG-6 MB-9 the proof-of-work hash is SHA-256, byte for byte, on the node backend', () => {
    expect(nativeSha256).toBeDefined();
    expect(toHex(nativeSha256!(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(nativeSha256!(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const data = randomBytes(100);
    expect(toHex(nativeSha256!(data))).toBe(createHash('sha256').update(data).digest('hex'));
  });
});

describe('CRY-11 the order of a decryption\'s refusals', () => {
  it('CRY-11 a wiped private key is INVALID_KEY whatever the message, as under wasm-themis: also one too short, of another type or of another length', async () => {
    const pair = wasm.generateKeyPair();
    const pub = PublicKey.from(pair.publicKey);
    const box = wasm.encrypt(PrivateKey.from(pair.privateKey), pub, utf8('the square at noon'));
    const wiped = PrivateKey.from(pair.privateKey);
    // Used once before the wipe, so the backend holds handles for it.
    expect(await outcome(() => node.decrypt(wiped, pub, box))).toEqual({ ok: true, hex: toHex(utf8('the square at noon')) });
    wiped.wipe();
    const header = (type: number, length: number) => concatBytes(le32(type), le32(length));
    const inputs = [box, header(0x26042720, 8), header(0x26042720, 8).subarray(0, 7), new Uint8Array(0), concatBytes(header(0x26042620, 9), Uint8Array.of(1)), concatBytes(header(0x26042720, 10), Uint8Array.of(1))];
    for (const wrapped of inputs) {
      const r = await outcome(() => wasm.decrypt(wiped, pub, wrapped));
      expect(r, toHex(wrapped)).toEqual({ ok: false, code: 'INVALID_KEY' });
      expect(await outcome(() => node.decrypt(wiped, pub, wrapped)), toHex(wrapped)).toEqual(r);
    }
  });
});
