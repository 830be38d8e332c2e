import { describe, expect, it } from 'vitest';
import { ready, KeyPair, sign, verify, encryptFor, decryptFrom, cellSeal, cellOpen, SymmetricKey, passphraseSeal, passphraseOpen, utf8, ProtocolError, ComradError, PublicKey } from '@comrad/core';

describe('crypto (wasm backend)', () => {
  it('CRY-1 ready() is idempotent and removes the emscripten process handlers', async () => {
    const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    expect(await ready({ backend: 'wasm' })).toBe('wasm');
    expect(await ready({ backend: 'wasm' })).toBe('wasm');
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(before);
    expect(typeof globalThis.fetch).toBe('function');
  });
  it('signs, verifies, encrypts, seals', async () => {
    await ready({ backend: 'wasm' });
    const a = KeyPair.generate();
    const b = KeyPair.generate();
    const s = sign(a.privateKey, utf8('hello'));
    expect(new TextDecoder().decode(verify(a.publicKey, s))).toBe('hello');
    expect(() => verify(b.publicKey, s)).toThrow(ProtocolError);
    const box = encryptFor(a.privateKey, b.publicKey, utf8('secret'));
    expect(new TextDecoder().decode(decryptFrom(b.privateKey, a.publicKey, box))).toBe('secret');
    const k = SymmetricKey.generate();
    const c = cellSeal(k, utf8('x'), utf8('ctx'));
    expect(cellOpen(k, c, utf8('ctx'))).toEqual(utf8('x'));
    try { cellOpen(k, c, utf8('other')); expect.fail(); } catch (e) { expect(ComradError.is(e, 'DECRYPT_FAILED')).toBe(true); }
    const p = await passphraseSeal('pw', utf8('y'));
    expect(await passphraseOpen('pw', p)).toEqual(utf8('y'));
    await expect(passphraseOpen('nope', p)).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(PublicKey.from(a.publicKey.bytes()).fingerprint()).toMatch(/^([0-9a-z]{4}-){7}[0-9a-z]{4}$/);
  });
});

describe('CRY-3 Secure Cell never reuses a nonce (a mutant sealing with a constant IV survived)', () => {
  it('CRY-3 two seals of one message under one key and context differ in their IV and ciphertext, on both backends', async () => {
    for (const backend of ['wasm', 'node'] as const) {
      await ready({ backend });
      const key = SymmetricKey.generate();
      const message = utf8('the same post, sealed twice in one epoch');
      const context = utf8('comrad/world/epoch/1');
      const a = cellSeal(key, message, context);
      const b = cellSeal(key, message, context);
      // Bytes 16..28 of the cell are its IV (CRY-3): AES-GCM under one key must never see one twice.
      expect(Buffer.from(a.subarray(16, 28)).equals(Buffer.from(b.subarray(16, 28))), backend).toBe(false);
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
      expect(new TextDecoder().decode(cellOpen(key, b, context))).toBe('the same post, sealed twice in one epoch');
    }
  });
});
