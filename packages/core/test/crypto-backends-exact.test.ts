/**
 * The crypto backends' own checks, one input per branch (issue 12, mutation testing): the point code
 * (KEY-1, CRY-12, CRY-18), the CSPRNG wrapper and its scripting hook, backend selection (CRY-13, CRY-14)
 * and the wasm backend's error wrapping. The tests run in order and share this file's module state: no
 * backend is active and wasm-themis is not loaded until the tests below make it so.
 */
import { ECDH, createECDH } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ComradError, PrivateKey, PublicKey, toHex } from '@comrad/core';
import { checkPoint, decompress, hasPoint } from '../src/crypto/_point.js';
import { randomBytes, _scriptRandomForVectors } from '../src/crypto/random.js';
import { activeAsyncBackend, activeBackend, backendName, loadAsyncBackend, loadBackend, ready, _swapBackend } from '../src/crypto/backend.js';
import { isWasmLoaded, provideWasmThemis, type WasmThemis } from '../src/crypto/_wasm-themis.js';
import { passphraseCell } from '../src/crypto/_wasm-backend.js';
import { keyFormsOf, offCurveCompressed, scalarBytes } from '@comrad/test-kit/core/themis-keys';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const bytes32 = (v: bigint) => scalarBytes(v);
/** OpenSSL's uncompressed form of a compressed point, or undefined when it refuses it. */
const openssl = (point: Uint8Array): string | undefined => {
  try {
    return toHex(ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'uncompressed') as Buffer);
  } catch {
    return undefined;
  }
};
/** The smallest x ≥ 0 that is some point's x-coordinate: small enough that x + p still fits 32 bytes. */
const smallX = (() => {
  for (let x = 0n; ; x++) if (openssl(Uint8Array.of(0x02, ...bytes32(x)))) return x;
})();
const smallPoint = Uint8Array.from(Buffer.from(openssl(Uint8Array.of(0x02, ...bytes32(smallX)))!, 'hex'));
/** Some valid points, both parities of y among them. */
const points = [1n, 2n, 3n, 12345n, 0xdeadbeefn, 2n ** 200n + 7n].map((d) => {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(bytes32(d));
  return { compressed: new Uint8Array(ecdh.getPublicKey(null, 'compressed')), uncompressed: new Uint8Array(ecdh.getPublicKey()) };
});
/** The code and message of what `run` throws. */
async function failure(run: () => unknown): Promise<{ code: string; message: string; cause: unknown }> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ComradError) return { code: err.code, message: err.message, cause: (err as { cause?: unknown }).cause };
    throw err;
  }
  throw new Error('expected a failure');
}

describe('the point code (KEY-1, CRY-12, CRY-18)', () => {
  it('KEY-1 checkPoint takes 33 or 65 bytes only, and x or y of p or more never', () => {
    for (const { compressed, uncompressed } of points) {
      expect(() => checkPoint(compressed)).not.toThrow();
      expect(() => checkPoint(uncompressed)).not.toThrow();
      // A valid point with a byte after it would pass a check that reads the first 65 bytes only.
      expect(() => checkPoint(Uint8Array.of(...uncompressed, 0))).toThrow(/33 or 65 bytes/);
      expect(() => checkPoint(uncompressed.subarray(0, 64))).toThrow(/33 or 65 bytes/);
      expect(() => checkPoint(uncompressed.subarray(0, 64))).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
    }
    // x + p fits 32 bytes for this small x: the same point modulo p, refused as x ≥ p (y stays valid).
    const xPlusP = Uint8Array.of(0x04, ...bytes32(smallX + P), ...smallPoint.subarray(33));
    expect(() => checkPoint(xPlusP)).toThrow(/not on P-256/);
    expect(() => checkPoint(Uint8Array.of(0x02, ...bytes32(smallX + P)))).toThrow(/no point of P-256/);
    expect(hasPoint(bytes32(smallX))).toBe(true);
    expect(hasPoint(bytes32(smallX + P))).toBe(false);
    expect(hasPoint(new Uint8Array(32).fill(0xff))).toBe(false);
  });

  it('KEY-1 x equal to p is refused though x = 0 (its value mod p) may be a point', () => {
    expect(hasPoint(bytes32(P))).toBe(false);
    expect(decompress(Uint8Array.of(0x03, ...bytes32(P)))).toBeUndefined();
    const y = smallX === 0n ? smallPoint.subarray(33) : new Uint8Array(32).fill(1);
    expect(() => checkPoint(Uint8Array.of(0x04, ...bytes32(P), ...y))).toThrow(ComradError);
  });

  it('CRY-18 decompress gives OpenSSL\'s uncompressed point for both parities of y', () => {
    for (const { compressed } of points) {
      for (const prefix of [0x02, 0x03]) {
        const point = Uint8Array.of(prefix, ...compressed.subarray(1));
        expect(toHex(decompress(point)!)).toBe(openssl(point));
      }
    }
    expect(toHex(decompress(Uint8Array.of(0x03, ...bytes32(smallX)))!)).toBe(openssl(Uint8Array.of(0x03, ...bytes32(smallX))));
  });

  it('CRY-18 decompress refuses a wrong length, a wrong prefix, x ≥ p and an x with no point', () => {
    const x = points[3]!.compressed.subarray(1);
    for (const prefix of [0x00, 0x01, 0x04, 0x05, 0x06, 0x07]) expect(decompress(Uint8Array.of(prefix, ...x)), `prefix ${prefix}`).toBeUndefined();
    // One byte more or less, with a valid x still readable in it.
    expect(decompress(Uint8Array.of(0x02, 0x00, ...x))).toBeUndefined();
    expect(decompress(Uint8Array.of(0x03, 0x00, ...x))).toBeUndefined();
    expect(decompress(Uint8Array.of(0x02, ...x.subarray(1)))).toBeUndefined();
    expect(decompress(Uint8Array.of(0x02, ...bytes32(smallX + P)))).toBeUndefined();
    expect(decompress(offCurveCompressed(1).subarray(12))).toBeUndefined();
    expect(decompress(offCurveCompressed(1000).subarray(12))).toBeUndefined();
  });
});

describe('randomBytes and its scripting hook', () => {
  it('takes a non-negative safe integer, with a TypeError for anything else', () => {
    expect(randomBytes(0)).toEqual(new Uint8Array(0));
    expect(randomBytes(1).length).toBe(1);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => randomBytes(bad), String(bad)).toThrow(TypeError);
  });

  it('fills more than one 65536-byte call, to the last byte', () => {
    const out = randomBytes(3 * 65536 + 100);
    expect(out.length).toBe(3 * 65536 + 100);
    for (const start of [0, 65536, 2 * 65536, 3 * 65536]) expect(out.subarray(start, start + 100).some((b) => b !== 0), `at ${start}`).toBe(true);
  });

  it('a scripted source is used, copied, checked, exclusive, and restored', () => {
    const script = Uint8Array.of(1, 2, 3, 4);
    const restore = _scriptRandomForVectors((n) => script.subarray(0, n));
    try {
      const got = randomBytes(4);
      expect(got).toEqual(script);
      got[0] = 99;
      expect(script[0]).toBe(1);
      expect(() => _scriptRandomForVectors(() => new Uint8Array(0))).toThrow(/already scripted/);
    } finally {
      restore();
    }
    // The CSPRNG is back: a second script may start, and 32 random bytes are not the script's zeros.
    const zeros = _scriptRandomForVectors((n) => new Uint8Array(n));
    expect(randomBytes(3)).toEqual(new Uint8Array(3));
    zeros();
    expect(randomBytes(32).some((b) => b !== 0)).toBe(true);
    for (const source of [() => Uint8Array.of(1, 2), () => [1, 2, 3] as unknown as Uint8Array]) {
      const undo = _scriptRandomForVectors(source);
      try {
        expect(() => randomBytes(3)).toThrow(/scripted source gave/);
      } finally {
        undo();
      }
    }
  });
});

describe('backend selection (CRY-13, CRY-14)', () => {
  const envBefore = process.env.COMRAD_CRYPTO;
  afterAll(() => {
    if (envBefore === undefined) delete process.env.COMRAD_CRYPTO;
    else process.env.COMRAD_CRYPTO = envBefore;
  });

  it('before ready(): no backend, and asking for one is INTERNAL', async () => {
    expect(backendName()).toBeUndefined();
    expect(activeBackend(false)).toBeUndefined();
    expect(activeAsyncBackend(false)).toBeUndefined();
    for (const ask of [() => activeBackend(), () => activeAsyncBackend()]) {
      const f = await failure(ask);
      expect(f.code).toBe('INTERNAL');
      expect(f.message).toMatch(/await ready\(\) first/);
    }
  });

  it('CRY-14 COMRAD_CRYPTO names the backend; anything else is INTERNAL; unset, Node gets node', async () => {
    process.env.COMRAD_CRYPTO = 'bogus';
    const f = await failure(() => ready());
    expect(f.code).toBe('INTERNAL');
    expect(f.message).toMatch(/COMRAD_CRYPTO must be "node", "wasm" or "webcrypto", not "bogus"/);
    process.env.COMRAD_CRYPTO = 'webcrypto';
    expect(await ready()).toBe('webcrypto');
    expect((await loadAsyncBackend('webcrypto')).name).toBe('webcrypto');
    delete process.env.COMRAD_CRYPTO;
    expect(await ready()).toBe('node');
    // The default is loaded once, under its own name.
    expect(activeBackend()).toBe(await loadBackend('node'));
    expect(activeAsyncBackend()).toBe(await loadAsyncBackend('node'));
    expect(await loadBackend('node')).toBe(await loadBackend('node'));
    const asyncNode = await loadAsyncBackend('node');
    expect(asyncNode.name).toBe('node');
    expect(await loadAsyncBackend('node')).toBe(asyncNode);
  });

  it('a swapped-in backend stays until restored, ready() or not, with one asynchronous form', async () => {
    const node = await loadBackend('node');
    const other = { ...node, name: 'wasm' as const };
    const restore = _swapBackend(other);
    try {
      expect(await ready({ backend: 'node' })).toBe('wasm');
      expect(activeBackend()).toBe(other);
      const a = activeAsyncBackend();
      expect(a.name).toBe('wasm');
      expect(activeAsyncBackend()).toBe(a);
    } finally {
      restore();
    }
    expect(activeBackend()).toBe(node);
    expect(backendName()).toBe('node');
    expect(activeAsyncBackend().name).toBe('node');
  });
});

describe('wasm-themis loading and the wasm backend', () => {
  it('CRY-13 a failed load is INTERNAL, is not cached, and leaves fetch and process handlers as they were', async () => {
    expect(isWasmLoaded()).toBe(false);
    const mine = () => undefined;
    const fetchBefore = globalThis.fetch;
    process.on('uncaughtException', mine);
    process.on('unhandledRejection', mine);
    try {
      provideWasmThemis(() => Promise.reject(new Error('no such wasm')));
      delete (globalThis as { fetch?: unknown }).fetch;
      const f = await failure(() => loadBackend('wasm'));
      expect(f.code).toBe('INTERNAL');
      expect(f.message).toBe('could not initialise wasm-themis: no such wasm');
      expect((f.cause as Error).message).toBe('no such wasm');
      expect(isWasmLoaded()).toBe(false);
      expect('fetch' in globalThis).toBe(false);
      globalThis.fetch = fetchBefore;
      provideWasmThemis(() => import('wasm-themis') as Promise<WasmThemis>);
      const wasm = await loadBackend('wasm');
      expect(wasm.name).toBe('wasm');
      expect(isWasmLoaded()).toBe(true);
      expect(globalThis.fetch).toBe(fetchBefore);
      expect(process.listeners('uncaughtException')).toContain(mine);
      expect(process.listeners('unhandledRejection')).toContain(mine);
    } finally {
      globalThis.fetch = fetchBefore;
      process.off('uncaughtException', mine);
      process.off('unhandledRejection', mine);
    }
  });

  it('CRY-12 every operation of the wasm backend reaches wasm-themis, and its point check refuses off-curve keys', async () => {
    const wasm = await loadBackend('wasm');
    const a = keyFormsOf(scalarBytes(1111n));
    const b = keyFormsOf(scalarBytes(2222n));
    const [aPriv, aPub, bPriv, bPub] = [PrivateKey.from(a.private45), PublicKey.from(a.public45), PrivateKey.from(b.private45), PublicKey.from(b.public45)];
    const message = Uint8Array.of(1, 2, 3);
    expect(wasm.verify(aPub, wasm.sign(aPriv, message))).toEqual(message);
    expect(wasm.decrypt(bPriv, aPub, wasm.encrypt(aPriv, bPub, message))).toEqual(message);
    const key = randomBytes(32);
    expect(wasm.cellOpen(key, wasm.cellSeal(key, message, message), message)).toEqual(message);
    expect(() => wasm.checkPublicKey!(aPub)).not.toThrow();
    const off = { raw: offCurveCompressed(1) } as unknown as PublicKey;
    expect((await failure(() => wasm.checkPublicKey!(off))).code).toBe('INVALID_KEY');
    const signed = wasm.sign(aPriv, message);
    signed[signed.length - 1]! ^= 1;
    const bad = await failure(() => wasm.verify(aPub, signed));
    expect(bad.code).toBe('BAD_SIGNATURE');
    expect(bad.cause).toBeInstanceOf(Error);
    expect(bad.message).toBe(`Themis: ${(bad.cause as Error).message}`);
  });

  it('a Themis failure is the operation\'s code, with a short message kept and anything else replaced', async () => {
    const wasm = await loadBackend('wasm');
    const signed = wasm.sign(PrivateKey.from(keyFormsOf(scalarBytes(7n)).private45), Uint8Array.of(1));
    const throwing = (thrown: unknown) => ({ bytes: () => { throw thrown; } }) as unknown as PublicKey;
    const cases: [unknown, string][] = [
      [new Error('x'.repeat(299)), `Themis: ${'x'.repeat(299)}`],
      [new Error('x'.repeat(300)), 'Themis rejected the input'],
      ['not an Error', 'Themis rejected the input'],
      [null, 'Themis rejected the input'],
    ];
    for (const [thrown, message] of cases) {
      // pub() runs inside verify's wrap: its own code, INVALID_KEY, is the one that comes out.
      const f = await failure(() => wasm.verify(throwing(thrown), signed));
      expect(f.code, String(thrown)).toBe('INVALID_KEY');
      expect(f.message).toBe(message);
      expect(f.cause).toBe(thrown);
    }
    const cell = await passphraseCell();
    expect((await failure(() => cell.seal('pw', new Uint8Array(0), new Uint8Array(0)))).code).toBe('INTERNAL');
  });
});
