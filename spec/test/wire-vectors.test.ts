/**
 * Checks `spec/vectors/operator.json` and `spec/vectors/names.json` against the code, once per crypto
 * backend, each case the way its file's description says; and that the generator, run again, makes
 * exactly the committed files (they are deterministic), so any change in the code that changes a byte of
 * the Operator protocol fails here until the vectors are regenerated and committed.
 */
import { checkAppend } from '@comrad/core/collective';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { ProtocolError, cellOpen, decode, decryptFrom, encode, fromHex, PrivateKey, PublicKey, ready, sign, SymmetricKey, toHex, utf8, verify, KeyPair } from '@comrad/core';
import { checkRegistrableName, decodeLetter, encodeLetter, normaliseName, openSigned, verifyStatement, type Letter } from '@comrad/core/envelope';
import {
  acceptGreeting,
  channelContext,
  checkAuthProof,
  checkPow,
  checkRegisterProof,
  decodeGreeting,
  decodeRequest,
  decodeResult,
  decodeServerFrame,
  encodeErr,
  encodeMailPush,
  encodeOk,
  encodeRequest,
  epochOf,
  leadingZeroBits,
  makeGreeting,
  registerPowInput,
  sendPowInput,
  LIMIT_KEYS,
  type Op,
} from '@comrad/core/wire';
import { _testing } from '@comrad/core/src/crypto/_node-backend.js';
import { announcedLimits, resolveLimits } from '@comrad/operator/src/limits.js';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { bytesOf, fromTagged, toTagged, type Tagged, type VectorBytes } from '../scripts/vector-format.js';
import { buildWireVectors } from '../scripts/wire-cases.js';
import { NAMES_VECTORS, OPERATOR_VECTORS } from '../scripts/wire-files.js';
import { scalarOf, Tape, withScriptedCrypto } from '../scripts/_scripted-crypto.js';

type Case = { kind: string; name: string; rules: string[]; error?: string } & Record<string, unknown>;
interface File {
  spec: string;
  description: string;
  generator: string;
  valid: Case[];
  invalid: Case[];
}
const load = (name: string): File => JSON.parse(readFileSync(fileURLToPath(new URL(`../vectors/${name}`, import.meta.url)), 'utf8')) as File;
const operator = load('operator.json');
const names = load('names.json');

interface KeyPairJson {
  privateKey: string;
  publicKey: string;
}
const pub = (h: unknown) => PublicKey.from(fromHex(h as string));
const pair = (k: unknown) => new KeyPair(PrivateKey.from(fromHex((k as KeyPairJson).privateKey)), pub((k as KeyPairJson).publicKey));
const hexOf = (b: Uint8Array) => toHex(b);

/** The check of each kind of case, as each file's description states it. */
const checks: Record<string, { valid?: (c: Case) => void | Promise<void>; invalid?: (c: Case) => Promise<string> }> = {
  request: {
    valid: (c) => {
      const bytes = fromHex(c.hex as string);
      expect(hexOf(encode(fromTagged(c.frame as Tagged)))).toBe(c.hex);
      expect(toTagged(decode(bytes))).toEqual(c.frame);
      const req = decodeRequest(bytes);
      expect(req.op).toBe(c.op);
      expect(hexOf(encodeRequest(req.id, req.op, req.params as never))).toBe(c.hex);
    },
    invalid: (c) => codeOf(() => decodeRequest(bytesOf(c.hex as VectorBytes))),
  },
  response: {
    valid: (c) => {
      const bytes = fromHex(c.hex as string);
      expect(hexOf(encode(fromTagged(c.frame as Tagged)))).toBe(c.hex);
      const f = decodeServerFrame(bytes);
      if (f.type === 'ok') expect(hexOf(encodeOk(f.id, c.op as Op, decodeResult(c.op as Op, f.value) as never))).toBe(c.hex);
      else if (f.type === 'err') expect(hexOf(encodeErr(f.id, f.code, f.message))).toBe(c.hex);
      else expect(hexOf(encodeMailPush())).toBe(c.hex);
    },
    invalid: (c) =>
      codeOf(() => {
        const f = decodeServerFrame(fromHex(c.hex as string));
        if (f.type === 'ok') decodeResult(c.op as Op, f.value);
      }),
  },
  info: {
    valid: (c) => {
      expect(c.limitKeys).toEqual([...LIMIT_KEYS]);
      expect(announcedLimits(resolveLimits())).toEqual(c.limits);
    },
  },
  signed: {
    valid: (c) => {
      const m = fromTagged(c.message as Tagged) as Record<string, unknown>;
      expect(hexOf(encode(m))).toBe(c.messageHex);
      const key = pub(c.signerKey);
      const signed = fromHex(c.signed as string);
      expect(hexOf(verify(key, signed))).toBe(c.messageHex);
      if (c.what === 'auth') {
        expect(checkAuthProof(signed, key, { challenge: m.challenge as Uint8Array, operatorKey: PublicKey.from(m.operator as Uint8Array), name: m.name as string, at: m.at as number })).toBe(true);
      } else if (c.what === 'register') {
        checkRegisterProof(signed, m.name as string, key, PublicKey.from(m.operator as Uint8Array));
      } else if (c.what === 'append') {
        expect(checkAppend(signed, key, m.col as string, m.pos as number, fromHex(c.entry as string))).toBe(true);
      } else if (c.what === 'statement') {
        const s = verifyStatement(signed, key, m.name as string);
        expect(s.key.toHex()).toBe(hexOf(m.key as Uint8Array));
        expect(s.at).toBe(m.at);
      }
    },
    invalid: (c) =>
      codeOf(() => {
        const m = fromTagged(c.message as Tagged) as Record<string, unknown>;
        const key = pub(c.signerKey);
        const signed = fromHex(c.signed as string);
        if (c.what === 'auth') {
          const ok = checkAuthProof(signed, key, { challenge: m.challenge as Uint8Array, operatorKey: PublicKey.from(m.operator as Uint8Array), name: m.name as string, at: m.at as number });
          // AUTH-5: the Operator answers every failed proof with one code.
          if (!ok) throw new ProtocolError('AUTH_FAILED', 'authentication failed');
        }
        if (c.what === 'register') checkRegisterProof(signed, m.name as string, PublicKey.from(m.key as Uint8Array), PublicKey.from(m.operator as Uint8Array));
        if (c.what === 'statement') verifyStatement(signed, key, m.name as string);
        // COL-23: the Operator answers every failed append signature with one code.
        if (c.what === 'append' && !checkAppend(signed, key, m.col as string, m.pos as number, fromHex(c.entry as string))) throw new ProtocolError('BAD_SIGNATURE', 'not signed by the collective');
      }),
  },
  greeting: {
    valid: async (c) => {
      const client = pair(c.client);
      const g = decodeGreeting(fromHex(c.hex as string));
      expect(toTagged(decode(fromHex(c.hex as string)))).toEqual(c.frame);
      const { hello } = acceptGreeting(g, pub((c.operator as KeyPairJson).publicKey), client);
      expect(hexOf(hello.challenge)).toBe(c.challenge);
      expect(hello.worldKey.toHex()).toBe(c.worldKey);
      expect(g.ephemeral.toHex()).toBe((c.ephemeral as KeyPairJson).publicKey);
      expect(hexOf(decryptFrom(client.privateKey, g.ephemeral, g.wrappedKey))).toBe(c.sessionKey);
      // Made again from the recorded randomness, in the order makeGreeting draws it.
      const tape = new Tape(
        [
          { kind: 'bytes', hex: c.challenge as string },
          { kind: 'bytes', hex: c.sessionKey as string },
          { kind: 'keyPair', hex: hexOf(scalarOf(PrivateKey.from(fromHex((c.ephemeral as KeyPairJson).privateKey)))) },
          { kind: 'iv', hex: c.wrapIv as string },
        ],
        'greeting',
      );
      const again = await withScriptedCrypto(tape, async () => makeGreeting(pair(c.operator), pub(c.worldKey), client.publicKey).frame);
      expect(hexOf(again)).toBe(c.hex);
      expect(tape.used).toBe(4);
    },
  },
  pow: {
    valid: (c) => checkPowCase(c, true),
    invalid: async (c) => {
      checkPowCase(c, false);
      return 'POW_REQUIRED';
    },
  },
  worldKey: {
    valid: (c) => {
      const world = pair(c.world);
      const reader = pair(c.reader);
      expect(epochOf(c.at as number)).toBe(c.epoch);
      expect(hexOf(decryptFrom(reader.privateKey, world.publicKey, fromHex(c.sealed as string)))).toBe(c.epochKey);
      expect(hexOf(_testing.encryptWithIv(world.privateKey, reader.publicKey, fromHex(c.epochKey as string), fromHex(c.iv as string)))).toBe(c.sealed);
    },
  },
  channel: {
    valid: async (c) => {
      const key = SymmetricKey.from(fromHex(c.sessionKey as string));
      const dir = c.to === 'operator' ? 1 : 2;
      expect(hexOf(channelContext(dir, c.n as number))).toBe(c.context);
      const sealed = fromHex(c.sealed as string);
      expect(hexOf(cellOpen(key, sealed, fromHex(c.context as string)))).toBe(c.plain);
      expect(hexOf(_testing.cellSealWithIv(key.raw, fromHex(c.plain as string), fromHex(c.context as string), fromHex(c.iv as string)))).toBe(c.sealed);
      expect(await codeOf(() => cellOpen(key, sealed, channelContext(dir === 1 ? 2 : 1, c.n as number)))).toBe('DECRYPT_FAILED');
      expect(await codeOf(() => cellOpen(key, sealed, channelContext(dir, (c.n as number) + 1)))).toBe('DECRYPT_FAILED');
    },
  },
  name: {
    valid: async (c) => {
      expect(normaliseName(c.input as string)).toBe(c.normalised);
      expect((await codeOf(() => checkRegistrableName(c.normalised as string))) === 'ok').toBe(c.registrable);
      if (!c.registrable) expect(await codeOf(() => checkRegistrableName(c.normalised as string))).toBe('INVALID_NAME');
    },
    invalid: (c) => codeOf(() => normaliseName(c.input as string)),
  },
  registerName: {
    invalid: (c) =>
      codeOf(() => {
        expect(normaliseName(c.input as string)).toBe(c.normalised);
        checkRegistrableName(c.normalised as string);
      }),
  },
  publicKey: {
    invalid: (c) =>
      codeOf(() => {
        const key = PublicKey.from(fromHex(c.key as string));
        verify(key, sign(KeyPair.generate().privateKey, utf8('use')));
      }),
  },
  privateKey: {
    valid: (c) => {
      const message = utf8('vector');
      expect(verify(pub(c.publicKey), sign(PrivateKey.from(fromHex(c.key as string)), message))).toEqual(message);
    },
    invalid: (c) => codeOf(() => sign(PrivateKey.from(fromHex(c.key as string)), utf8('use'))),
  },
  letter: {
    valid: (c) => {
      const bytes = encodeLetter(letterOf(c.letter));
      expect(bytes.length).toBe(c.encodedBytes);
      expect(hexOf(sha256(bytes))).toBe(c.sha256);
      expect(hexOf(encodeLetter(decodeLetter(bytes)))).toBe(hexOf(bytes));
    },
    invalid: (c) => codeOf(() => decodeLetter(encode(letterOf(c.letter)))),
  },
  signedLetter: {
    invalid: (c) => codeOf(() => openSigned(bytesOf(c.signed as VectorBytes), pub(c.authorKey))),
  },
};

function checkPowCase(c: Case, valid: boolean): void {
  const f = fromTagged(c.fields as Tagged) as Record<string, unknown>;
  const input =
    c.what === 'register'
      ? registerPowInput(f.challenge as Uint8Array, f.name as string, PublicKey.from(f.key as Uint8Array), f.nonce as Uint8Array)
      : // The send input hashes the letter's SHA-256: rebuild it from the fields, the letter itself is not needed.
        encode({ ctx: f.ctx, challenge: f.challenge, to: f.to, letter: f.letter, nonce: f.nonce });
  expect(hexOf(input)).toBe(c.inputHex);
  expect(hexOf(encode(f))).toBe(c.inputHex);
  expect(hexOf(sha256(input))).toBe(c.digest);
  expect(leadingZeroBits(sha256(input))).toBe(c.zeroBits);
  expect(checkPow(input, c.bits as number)).toBe(valid);
}

/** A letter from its JSON, with the image bytes as VectorBytes. */
function letterOf(j: unknown): Letter {
  const l = j as { v: 1; kind: 'dm'; from: string; to: string; at: number; id: string; body: { text: string; image?: { mime: 'image/png'; data: VectorBytes } } };
  const body = l.body.image ? { text: l.body.text, image: { mime: l.body.image.mime, data: bytesOf(l.body.image.data) } } : { text: l.body.text };
  return { v: l.v, kind: l.kind, from: l.from, to: l.to, at: l.at, id: fromHex(l.id), body };
}

describe('the Operator protocol vector files are what the code makes', () => {
  it('operator.json and names.json come out of the generator byte for byte (OP-1, AUTH-7, REG-3)', async () => {
    await ready({ backend: 'node' });
    const v = await buildWireVectors();
    expect(JSON.parse(JSON.stringify(OPERATOR_VECTORS(v.operator)))).toEqual(operator);
    expect(JSON.parse(JSON.stringify(NAMES_VECTORS(v.names)))).toEqual(names);
  }, 60_000);

  it('sendPowInput hashes the letter: the send pow fields carry its SHA-256 (MB-9)', () => {
    const c = operator.valid.find((x) => x.kind === 'pow' && x.what === 'send')!;
    const f = fromTagged(c.fields as Tagged) as Record<string, Uint8Array>;
    const sendFrame = operator.valid.find((x) => x.kind === 'request' && x.op === 'send')!;
    const letter = (decode(fromHex(sendFrame.hex as string)) as { letter: Uint8Array }).letter;
    expect(hexOf(sendPowInput(f.challenge!, 'bob', letter, f.nonce!))).toBe(c.inputHex);
  });
});

for (const backend of ['wasm', 'node'] as const) {
  describe.each([
    ['operator.json', operator],
    ['names.json', names],
  ] as const)(`%s, ${backend} backend`, (_file, file) => {
    beforeAll(async () => {
      await ready({ backend });
    });
    it.for(file.valid)('valid $kind: $name ($rules)', async (c) => {
      const check = checks[c.kind]?.valid;
      if (!check) throw new Error(`no check for valid ${c.kind}`);
      await check(c);
    });
    it.for(file.invalid)('invalid $kind: $name ($rules)', async (c) => {
      const check = checks[c.kind]?.invalid;
      if (!check) throw new Error(`no check for invalid ${c.kind}`);
      expect(await check(c)).toBe(c.error);
    });
  });
}

