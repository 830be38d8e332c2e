/**
 * The differential test of the two crypto backends (spec/notes/crypto-backends.md, CRY-10..CRY-12,
 * CRY-16): wasm-themis is the reference, the node backend must emit the same bytes and make the same
 * decision with the same code on every input. Backends are called directly (below Comrad's stricter
 * framing, so no difference hides behind it) and through the public API under each backend.
 */
import { createCipheriv, createHmac, createPrivateKey, ECDH, randomBytes, sign as ecdsaSign } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cellOpen,
  ComradError,
  concatBytes,
  decryptFrom,
  MAX_LETTER_BYTES,
  PrivateKey,
  PublicKey,
  ready,
  SymmetricKey,
  toHex,
  utf8,
  verify,
  type BackendName,
} from '@comrad/core';
import type { CryptoBackend } from '../src/crypto/_backend.js';
import { loadBackend, _swapBackend } from '../src/crypto/backend.js';
import { _testing } from '../src/crypto/_node-backend.js';
import { keyFormsArb, keyFormsOf, offCurveCompressed, ORDER, privateContainer, publicContainer, scalarBytes, type KeyForms } from '@comrad/test-kit/core/themis-keys';

let node: CryptoBackend;
let wasm: CryptoBackend;
beforeAll(async () => {
  node = await loadBackend('node');
  wasm = await loadBackend('wasm');
});

type Outcome = { ok: true; hex: string } | { ok: false; code: string };

/** What an operation did: its output, or its error code. Anything but a ComradError fails the test. */
/** The x coordinate of a public key's point (hex): after the 12-byte container header, the point's prefix byte, then x. */
function pointX(pub: PublicKey): string {
  return toHex(pub.bytes().subarray(13, 45));
}

function outcome(run: () => Uint8Array): Outcome {
  try {
    return { ok: true, hex: toHex(run()) };
  } catch (err) {
    if (err instanceof ComradError) return { ok: false, code: err.code };
    throw err;
  }
}

/** The same call through the public API under each backend. */
async function underEach(run: () => Uint8Array): Promise<Record<Exclude<BackendName, 'webcrypto'>, Outcome>> {
  await ready({ backend: 'node' });
  const viaNode = outcome(run);
  await ready({ backend: 'wasm' });
  return { node: viaNode, wasm: outcome(run) };
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

/** Cheap pseudo-random bytes of any length (fast-check draws the length and the seed). */
function filled(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

/** Messages from 1 byte to MAX_LETTER_BYTES: mostly small, some medium, a few large (LIM-4). */
const messageArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 12, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }) },
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 301, max: 16 * 1024 }), fc.integer()).map(([n, s]) => filled(n, s)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 16 * 1024, max: MAX_LETTER_BYTES }), fc.integer()).map(([n, s]) => filled(n, s)) },
  { weight: 1, arbitrary: fc.integer().map((s) => filled(MAX_LETTER_BYTES, s)) },
);
const smallMessageArb = fc.uint8Array({ minLength: 1, maxLength: 200 });
/** Themis accepts any non-empty master key; Comrad's are 32 bytes. */
const masterKeyArb = fc.oneof({ weight: 3, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 80 }) });
const contextArb = fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 64 }));
const backendArb = fc.constantFrom<'node' | 'wasm'>('node', 'wasm');

/** Typed keys of one pair, in the forms fast-check picked (44/45-byte private, 45/77-byte public). */
function typed(forms: KeyForms, shortPrivate: boolean, uncompressedPublic: boolean): { priv: PrivateKey; pub: PublicKey } {
  return {
    priv: PrivateKey.from(shortPrivate ? forms.private44 : forms.private45),
    pub: PublicKey.from(uncompressedPublic ? forms.public77 : forms.public45),
  };
}
const pairArb = fc.tuple(keyFormsArb, fc.boolean(), fc.boolean()).map(([forms, s, u]) => typed(forms, s, u));

/** One damage to a valid container: a single bit flip, a truncation, or bytes appended. */
type Damage = { kind: 'flip'; at: number } | { kind: 'cut'; at: number } | { kind: 'append'; bytes: Uint8Array };
const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((at) => ({ kind: 'flip' as const, at })) },
  // Half the flips land in the first 52 bytes, where every header and token field lives.
  { weight: 3, arbitrary: fc.nat(52 * 8 - 1).map((at) => ({ kind: 'flip' as const, at })) },
  { weight: 2, arbitrary: fc.nat().map((at) => ({ kind: 'cut' as const, at })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => ({ kind: 'append' as const, bytes })) },
);
function damage(bytes: Uint8Array, d: Damage): Uint8Array {
  if (d.kind === 'append') return concatBytes(bytes, d.bytes);
  if (d.kind === 'cut') return bytes.slice(0, d.at % bytes.length);
  const out = bytes.slice();
  const bit = d.at % (bytes.length * 8);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/**
 * A Secure Cell with another AES-GCM key size, which Themis opens but never emits, built here from the
 * format's definition (CRY-3) so that wasm-themis can judge it.
 */
function foreignCell(alg: number, keyLength: 16 | 24 | 32, master: Uint8Array, message: Uint8Array, context: Uint8Array): Uint8Array {
  const iv = randomBytes(12);
  const kdf = createHmac('sha256', master)
    .update(Buffer.concat([Buffer.of(0, 0, 0, 1), Buffer.from('Themis secure cell message key'), Buffer.of(0), le32(message.length), context]))
    .digest()
    .subarray(0, keyLength);
  const cipher = createCipheriv(`aes-${keyLength * 8}-gcm` as 'aes-256-gcm', kdf, iv);
  if (context.length > 0) cipher.setAAD(context);
  const ciphertext = cipher.update(message);
  cipher.final();
  return concatBytes(le32(alg), le32(12), le32(16), le32(message.length), iv, cipher.getAuthTag(), ciphertext);
}

/** The JWK of the private key with scalar `d` (to sign what Themis would refuse to sign). */
function jwkOf(d: bigint): { kty: 'EC'; crv: 'P-256'; d: string; x: string; y: string } {
  const point = ECDH.convertKey(keyFormsOf(scalarBytes(d)).public45.subarray(12), 'prime256v1', undefined, undefined, 'uncompressed') as Buffer;
  return { kty: 'EC', crv: 'P-256', d: Buffer.from(scalarBytes(d)).toString('base64url'), x: point.toString('base64url', 1, 33), y: point.toString('base64url', 33) };
}

describe('crypto backends, node against wasm-themis', () => {
  it('CRY-10 signed messages made by either backend verify in both; the framing is the same', () => {
    fc.assert(
      fc.property(pairArb, messageArb, ({ priv, pub }, message) => {
        const signed = { node: node.sign(priv, message), wasm: wasm.sign(priv, message) };
        for (const made of [signed.node, signed.wasm]) {
          expect(same(made.subarray(4, 8), le32(message.length))).toBe(true);
          expect(same(made.subarray(12, 12 + message.length), message)).toBe(true);
          for (const checker of [node, wasm]) expect(same(checker.verify(pub, made), message)).toBe(true);
        }
        // ECDSA is randomised, so only the header may be compared byte for byte (s is 70–72 bytes).
        expect(toHex(signed.node.subarray(0, 4))).toBe(toHex(signed.wasm.subarray(0, 4)));
      }),
      { numRuns: 30 },
    );
  });

  it('CRY-10 encrypted messages open in both backends, and node with wasm-themis’ IV gives its exact bytes', () => {
    fc.assert(
      fc.property(pairArb, pairArb, messageArb, (a, b, message) => {
        const fromWasm = wasm.encrypt(a.priv, b.pub, message);
        const fromNode = node.encrypt(a.priv, b.pub, message);
        for (const box of [fromWasm, fromNode]) {
          for (const opener of [node, wasm]) expect(same(opener.decrypt(b.priv, a.pub, box), message)).toBe(true);
        }
        // Byte-identical: wasm-themis cannot fix its IV, so node re-encrypts with the IV wasm drew.
        const iv = fromWasm.subarray(8 + 16, 8 + 28);
        expect(same(_testing.encryptWithIv(a.priv, b.pub, message, iv), fromWasm)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('CRY-10 Secure Cells (any master key length, with and without context) open in both and match byte for byte', () => {
    fc.assert(
      fc.property(masterKeyArb, messageArb, contextArb, (key, message, context) => {
        const fromWasm = wasm.cellSeal(key, message, context);
        const fromNode = node.cellSeal(key, message, context);
        for (const cell of [fromWasm, fromNode]) {
          for (const opener of [node, wasm]) expect(same(opener.cellOpen(key, cell, context), message)).toBe(true);
        }
        expect(same(_testing.cellSealWithIv(key, message, context, fromWasm.subarray(16, 28)), fromWasm)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('CRY-11 every bit flip, cut or addition of a signed message gets the same decision in both, directly and through the API', async () => {
    await fc.assert(
      fc.asyncProperty(pairArb, smallMessageArb, backendArb, damageArb, async ({ priv, pub }, message, maker, d) => {
        const damaged = damage((maker === 'node' ? node : wasm).sign(priv, message), d);
        expect(outcome(() => node.verify(pub, damaged))).toEqual(outcome(() => wasm.verify(pub, damaged)));
        const api = await underEach(() => verify(pub, damaged));
        expect(api.node).toEqual(api.wasm);
      }),
      { numRuns: 250 },
    );
  });

  it('CRY-11 every bit flip, cut or addition of an encrypted message gets the same decision in both, directly and through the API', async () => {
    await fc.assert(
      fc.asyncProperty(pairArb, pairArb, smallMessageArb, backendArb, damageArb, async (a, b, message, maker, d) => {
        const damaged = damage((maker === 'node' ? node : wasm).encrypt(a.priv, b.pub, message), d);
        const direct = outcome(() => node.decrypt(b.priv, a.pub, damaged));
        expect(direct).toEqual(outcome(() => wasm.decrypt(b.priv, a.pub, damaged)));
        const api = await underEach(() => decryptFrom(b.priv, a.pub, damaged));
        expect(api.node).toEqual(api.wasm);
      }),
      { numRuns: 200 },
    );
  });

  it('CRY-11 every bit flip, cut or addition of a Secure Cell gets the same decision in both, directly and through the API', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), smallMessageArb, contextArb, backendArb, damageArb, async (key, message, context, maker, d) => {
        const damaged = damage((maker === 'node' ? node : wasm).cellSeal(key, message, context), d);
        expect(outcome(() => node.cellOpen(key, damaged, context))).toEqual(outcome(() => wasm.cellOpen(key, damaged, context)));
        const api = await underEach(() => cellOpen(SymmetricKey.from(key), damaged, context));
        expect(api.node).toEqual(api.wasm);
      }),
      { numRuns: 300 },
    );
  });

  it('CRY-11 a wrong key or context is refused by both with the same code', () => {
    fc.assert(
      fc.property(pairArb, pairArb, smallMessageArb, contextArb, (a, b, message, context) => {
        // ECDH keeps only the x coordinate of the shared point, so a letter sealed to B also opens with
        // the peer key −B (both backends agree, as Themis does). The key arbitrary favours edge scalars,
        // k and ORDER − k among them: about one case in 850 drew b = −a, and this test failed once in 40
        // runs of 20. A wrong key here is one with another x.
        fc.pre(pointX(a.pub) !== pointX(b.pub));
        const signed = wasm.sign(a.priv, message);
        const box = node.encrypt(a.priv, b.pub, message);
        const key = randomBytes(32);
        const otherKey = randomBytes(32);
        const cell = node.cellSeal(key, message, context);
        const checks: Array<(backend: CryptoBackend) => Uint8Array> = [
          (backend) => backend.verify(b.pub, signed),
          (backend) => backend.decrypt(a.priv, a.pub, box),
          (backend) => backend.cellOpen(otherKey, cell, context),
          (backend) => backend.cellOpen(key, cell, concatBytes(context, Uint8Array.of(1))),
        ];
        for (const check of checks) {
          const viaNode = outcome(() => check(node));
          expect(viaNode.ok).toBe(false);
          expect(viaNode).toEqual(outcome(() => check(wasm)));
        }
      }),
      { numRuns: 20 },
    );
  });

  it('CRY-11 what Themis tolerates both backends accept, and Comrad refuses it under both with one code (CRY-8)', async () => {
    const pair = typed(keyFormsOf(scalarBytes(7n)), false, false);
    const message = utf8('tolerated');
    const key = randomBytes(32);
    const context = utf8('ctx');
    const signed = wasm.sign(pair.priv, message);
    const cell = wasm.cellSeal(key, message, context);
    const token = cell.subarray(0, 44);
    const body = cell.subarray(44);
    const withField = (bytes: Uint8Array, at: number, value: number) => {
      const out = bytes.slice();
      new DataView(out.buffer).setUint32(at, value, true);
      return out;
    };
    const tolerated: Array<[string, (b: CryptoBackend) => Uint8Array, () => Uint8Array]> = [
      ['signed message with 2 trailing bytes', (b) => b.verify(pair.pub, concatBytes(signed, Uint8Array.of(0, 0))), () => verify(pair.pub, concatBytes(signed, Uint8Array.of(0, 0)))],
      ['signed message with another EC type byte', (b) => b.verify(pair.pub, withField(signed, 0, 0x26042621)), () => verify(pair.pub, withField(signed, 0, 0x26042621))],
      ...(
        [
          ['cell with a 16-byte IV field', concatBytes(withField(token, 4, 16).subarray(0, 28), new Uint8Array(4), token.subarray(28), body)],
          ['cell with a 20-byte tag field', concatBytes(withField(token, 8, 20), new Uint8Array(4), body)],
          ['cell with 3 bytes between token and ciphertext', concatBytes(token, Uint8Array.of(1, 2, 3), body)],
          ['AES-128-GCM cell', foreignCell(0x40010080, 16, key, message, context)],
          ['AES-192-GCM cell', foreignCell(0x400100c0, 24, key, message, context)],
        ] as Array<[string, Uint8Array]>
      ).map(([name, sealed]): [string, (b: CryptoBackend) => Uint8Array, () => Uint8Array] => [
        name,
        (b) => b.cellOpen(key, sealed, context),
        () => cellOpen(SymmetricKey.from(key), sealed, context),
      ]),
    ];
    for (const [name, direct, api] of tolerated) {
      for (const backend of [node, wasm]) expect(outcome(() => direct(backend)), `${backend.name}: ${name}`).toEqual({ ok: true, hex: toHex(message) });
      const viaApi = await underEach(api);
      expect(viaApi.node.ok, name).toBe(false);
      expect(viaApi.node, name).toEqual(viaApi.wasm);
    }
    // A master key of one byte is fine for Themis (Comrad's SymmetricKey insists on 32, KEY-3).
    const tiny = Uint8Array.of(9);
    expect(same(node.cellOpen(tiny, wasm.cellSeal(tiny, message, context), context), message)).toBe(true);
    expect(same(wasm.cellOpen(tiny, node.cellSeal(tiny, message, context), context), message)).toBe(true);
  });

  it('CRY-12 key pairs generated by either backend work in the other, in all four container forms', () => {
    for (const maker of [node, wasm]) {
      for (let i = 0; i < 6; i++) {
        const made = maker.generateKeyPair();
        expect(made.privateKey.length).toBe(45);
        expect(made.privateKey[12]).toBe(0);
        expect(made.publicKey.length).toBe(45);
        const forms: KeyForms = {
          private45: made.privateKey,
          private44: privateContainer(made.privateKey.subarray(13), 44),
          public45: made.publicKey,
          public77: publicContainer(ECDH.convertKey(made.publicKey.subarray(12), 'prime256v1', undefined, undefined, 'uncompressed') as Buffer),
        };
        const peer = typed(keyFormsOf(scalarBytes(0xc0ffeen + BigInt(i))), false, false);
        for (const [shortPrivate, uncompressedPublic] of [[false, false], [true, true], [true, false], [false, true]] as const) {
          const { priv, pub } = typed(forms, shortPrivate, uncompressedPublic);
          const message = utf8(`${maker.name} key ${i}`);
          for (const [a, b] of [[node, wasm], [wasm, node]] as const) {
            expect(same(b.verify(pub, a.sign(priv, message)), message)).toBe(true);
            expect(same(b.decrypt(peer.priv, pub, a.encrypt(priv, peer.pub, message)), message)).toBe(true);
          }
        }
      }
    }
  });

  it('CRY-12 unusable keys in valid containers fail every operation with the same code in both backends', () => {
    const peer = typed(keyFormsOf(scalarBytes(99n)), false, false);
    const signed = node.sign(peer.priv, utf8('m'));
    const box = node.encrypt(peer.priv, peer.pub, utf8('m'));
    const message = utf8('m');
    // Made under a backend whose point check passes everything, so both backends' operations see them.
    const restore = _swapBackend({ ...wasm, checkPublicKey: () => {} });
    const badPublic = [PublicKey.from(offCurveCompressed(1)), PublicKey.from(offCurveCompressed(1000))];
    restore();
    const badPrivate = [0n, ORDER, ORDER + 5n, 2n ** 256n - 1n].flatMap((d) => [44, 45].map((n) => PrivateKey.from(privateContainer(scalarBytes(d), n as 44 | 45))));
    // A wiped key, after node has cached its handles: no longer a container at all (INVALID_KEY in both).
    const wiped = PrivateKey.from(keyFormsOf(scalarBytes(1234n)).private45);
    node.sign(wiped, message);
    node.decrypt(wiped, peer.pub, node.encrypt(peer.priv, PublicKey.from(keyFormsOf(scalarBytes(1234n)).public45), message));
    wiped.wipe();
    badPrivate.push(wiped);
    const runs: Array<(b: CryptoBackend) => Uint8Array> = [
      ...badPublic.flatMap((pub) => [(b: CryptoBackend) => b.verify(pub, signed), (b: CryptoBackend) => b.encrypt(peer.priv, pub, message), (b: CryptoBackend) => b.decrypt(peer.priv, pub, box)]),
      ...badPrivate.flatMap((priv) => [(b: CryptoBackend) => b.sign(priv, message), (b: CryptoBackend) => b.encrypt(priv, peer.pub, message), (b: CryptoBackend) => b.decrypt(priv, peer.pub, box)]),
    ];
    for (const run of runs) {
      const n = outcome(() => run(node));
      expect(n.ok).toBe(false);
      expect(n).toEqual(outcome(() => run(wasm)));
    }
    // CRY-12: both backends also tell at parse time (PublicKey.from calls this), with INVALID_KEY.
    for (const b of [node, wasm]) {
      for (const pub of badPublic) expect(outcome(() => (b.checkPublicKey!(pub), new Uint8Array(1)))).toEqual({ ok: false, code: 'INVALID_KEY' });
      expect(outcome(() => (b.checkPublicKey!(peer.pub), new Uint8Array(1))).ok).toBe(true);
    }
  });

  it('CRY-11 every single-bit flip of every header and token field, and every truncation, gets the same decision in both', () => {
    const pair = typed(keyFormsOf(scalarBytes(0xabcdefn)), false, false);
    const key = randomBytes(32);
    const context = utf8('context');
    const message = utf8('exhaustive');
    const samples: Array<[string, Uint8Array, (b: CryptoBackend, bytes: Uint8Array) => Uint8Array]> = [
      ['signed', wasm.sign(pair.priv, message), (b, bytes) => b.verify(pair.pub, bytes)],
      ['encrypted', wasm.encrypt(pair.priv, pair.pub, message), (b, bytes) => b.decrypt(pair.priv, pair.pub, bytes)],
      ['cell', wasm.cellSeal(key, message, context), (b, bytes) => b.cellOpen(key, bytes, context)],
    ];
    for (const [name, sample, open] of samples) {
      const damaged = [
        ...Array.from({ length: Math.min(sample.length, 52) * 8 }, (_, at) => damage(sample, { kind: 'flip', at })),
        ...Array.from({ length: sample.length }, (_, at) => sample.slice(0, at)),
      ];
      for (const bytes of damaged) {
        expect(outcome(() => open(node, bytes)), `${name} ${toHex(bytes)}`).toEqual(outcome(() => open(wasm, bytes)));
      }
    }
  });

  it('CRY-11 header values a single flip cannot reach get the same decision in both', () => {
    const pair = typed(keyFormsOf(scalarBytes(0x5eedn)), false, false);
    const message = utf8('headers');
    const key = randomBytes(32);
    const signed = wasm.sign(pair.priv, message);
    const box = wasm.encrypt(pair.priv, pair.pub, message);
    const cell = wasm.cellSeal(key, message, new Uint8Array(0));
    const signature = ecdsaSign('sha256', new Uint8Array(0), createPrivateKey({ key: jwkOf(0x5eedn), format: 'jwk' }));
    const signedEmpty = concatBytes(le32(0x26042620), le32(0), le32(signature.length), signature);
    const withField = (bytes: Uint8Array, at: number, value: number) => {
      const out = bytes.slice();
      new DataView(out.buffer).setUint32(at, value, true);
      return out;
    };
    const cases: Array<[string, (b: CryptoBackend) => Uint8Array]> = [
      ...[0x26042610, 0x26042630, 0x260426ff, 0x26042720, 0x26042520, 0].map(
        (type): [string, (b: CryptoBackend) => Uint8Array] => [`signed type ${type.toString(16)}`, (b) => b.verify(pair.pub, withField(signed, 0, type))],
      ),
      ['signed, empty message part', (b) => b.verify(pair.pub, withField(signed, 4, 0))],
      // A real signature of the empty message: Themis still refuses an empty message part.
      ['signed, empty message with a valid signature', (b) => b.verify(pair.pub, signedEmpty)],
      ['signed, empty signature part', (b) => b.verify(pair.pub, withField(signed, 8, 0).subarray(0, 12 + message.length))],
      ['signed, lengths overflowing 32 bits', (b) => b.verify(pair.pub, withField(withField(signed, 4, 0xffffffff), 8, 0xffffffff))],
      ...[0x26042710, 0x26042721, 0x26042620].map(
        (type): [string, (b: CryptoBackend) => Uint8Array] => [`encrypted type ${type.toString(16)}`, (b) => b.decrypt(pair.priv, pair.pub, withField(box, 0, type))],
      ),
      ['encrypted, declared length + 1', (b) => b.decrypt(pair.priv, pair.pub, withField(box, 4, box.length + 1))],
      ['encrypted, header only', (b) => b.decrypt(pair.priv, pair.pub, box.subarray(0, 8))],
      ...[0x40010000, 0x40010101, 0x41010100, 0x40110100, 0x40011100, 0x40000100, 0x30010100, 0x40010200].map(
        (alg): [string, (b: CryptoBackend) => Uint8Array] => [`cell alg ${alg.toString(16)}`, (b) => b.cellOpen(key, withField(cell, 0, alg), new Uint8Array(0))],
      ),
      ...[0, 11, 0xffffffff].map((iv): [string, (b: CryptoBackend) => Uint8Array] => [`cell iv length ${iv}`, (b) => b.cellOpen(key, withField(cell, 4, iv), new Uint8Array(0))]),
      ...[0, 15, 0xffffffff].map((tag): [string, (b: CryptoBackend) => Uint8Array] => [`cell tag length ${tag}`, (b) => b.cellOpen(key, withField(cell, 8, tag), new Uint8Array(0))]),
      ...[0, 0xffffffff, cell.length - 15, cell.length].map(
        (n): [string, (b: CryptoBackend) => Uint8Array] => [`cell message length ${n}`, (b) => b.cellOpen(key, withField(cell, 12, n), new Uint8Array(0))],
      ),
    ];
    for (const [name, run] of cases) expect(outcome(() => run(node)), name).toEqual(outcome(() => run(wasm)));
  });

  it('CRY-11 empty inputs get the same codes from both backends', () => {
    const pair = typed(keyFormsOf(scalarBytes(5n)), false, false);
    const empty = new Uint8Array(0);
    const key = randomBytes(32);
    const runs: Array<(b: CryptoBackend) => Uint8Array> = [
      (b) => b.sign(pair.priv, empty),
      (b) => b.verify(pair.pub, empty),
      (b) => b.encrypt(pair.priv, pair.pub, empty),
      (b) => b.decrypt(pair.priv, pair.pub, empty),
      (b) => b.cellSeal(key, empty, empty),
      (b) => b.cellSeal(empty, utf8('m'), empty),
      (b) => b.cellOpen(key, empty, empty),
      (b) => b.cellOpen(empty, b.cellSeal(key, utf8('m'), empty), empty),
    ];
    for (const run of runs) {
      const n = outcome(() => run(node));
      expect(n.ok).toBe(false);
      expect(n).toEqual(outcome(() => run(wasm)));
    }
  });
});
