/**
 * Checks the code against every vector in `spec/vectors/` (spec/README.md, "Vectors"), once per crypto
 * backend: a valid vector must give exactly the expected values, an invalid one exactly its error code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ready, fromHex, toHex, ComradError, KeyPair, PrivateKey, PublicKey, SymmetricKey, sign, verify, utf8 } from '@comrad/core';
import { decodeLetter, encodeLetter, openPost, openSealedLetter, openSigned, pad, postEpoch, unpad } from '@comrad/core/envelope';
import { decodeHomeKey, decodeKeystore, Keymaker } from '@comrad/core/keymaker';
import { Channel, acceptGreeting, channelContext, decodeGreeting, decodeRequest, decodeServerFrame, encodeRequest, peekRequestId, readClientHello } from '@comrad/core/wire';
import { bytesOf, letterFromJson, letterToJson, type InvalidCase, type LetterJson, type VectorBytes, type VectorFile } from '../scripts/vector-format.js';
import { codeOf } from '@comrad/test-kit/core/garbage';

const backends = ['wasm', 'node'] as const;

function load<V, I>(name: string): VectorFile<V, I> {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../vectors/${name}`, import.meta.url)), 'utf8')) as VectorFile<V, I>;
}

interface RecipientJson {
  name: string;
  privateKey: string;
  publicKey: string;
}
type Registry = Record<string, string>;

const letters = load<{ name: string; hex: string; letter: LetterJson }, InvalidCase & { hex: VectorBytes }>('letters.json');
const signed = load<{ name: string; signed: string; authorKey: string; letter: LetterJson }, InvalidCase & { signed: VectorBytes; authorKey: string }>('signed.json');
const padding = load<{ name: string; content: string; padded: string }, InvalidCase & { padded: string }>('padding.json');
const sealed = load<
  { name: string; sealed: string; recipient: RecipientJson; operatorKey: string; author: string; authorKey: string; statement: string; letter: LetterJson; signed: string },
  InvalidCase & { sealed: VectorBytes; recipient: RecipientJson; operatorKey: string }
>('sealed.json');
const posts = load<
  { name: string; post: string; epoch: number; epochKeys: Registry; registry: Registry; author: string; letter: LetterJson },
  InvalidCase & { post: VectorBytes; epochKeys: Registry; registry: Registry; author: string }
>('posts.json');
const keys = load<
  { name: string; publicKey: string; canonical?: string; fingerprint?: string; privateKey?: string },
  InvalidCase & { kind: 'public' | 'private' | 'symmetric'; key: string }
>('keys.json');
const keystores = load<
  { name: string; keystore: string; passphrase: string; keymaker: { name: string; publicKey: string } },
  InvalidCase & { keystore: VectorBytes; passphrase: string }
>('keystore.json');
const homeKeys = load<{ name: string; homeKey: string; passphrase: string; key: string }, InvalidCase & { homeKey: VectorBytes; passphrase: string }>('home-key.json');
interface KeyPairJson {
  privateKey: string;
  publicKey: string;
}
interface FrameJson {
  to: 'operator' | 'client';
  n: number;
  context: string;
  plain: string;
  sealed: string;
}
const handshake = load<
  { name: string; clientHello: string; clientKey: KeyPairJson; operatorKey: string; greeting: string; challenge: string; worldKey: string; sessionKey: string; frames: FrameJson[] },
  InvalidCase &
    (
      | { kind: 'greeting'; clientKey: KeyPairJson; operatorKey: string; greeting: string }
      | { kind: 'frames'; sessionKey: string; to: 'operator' | 'client'; frames: string[] }
      | { kind: 'clientHello'; url: string }
    )
>('handshake.json');
const keyPairOf = (k: KeyPairJson) => new KeyPair(PrivateKey.from(fromHex(k.privateKey)), PublicKey.from(fromHex(k.publicKey)));
const channelAt = (sessionKey: string, to: 'operator' | 'client') => new Channel(SymmetricKey.from(fromHex(sessionKey)), to);

const lookup = (registry: Registry) => (name: string) => {
  const key = registry[name];
  if (key === undefined) throw new ComradError('NOT_FOUND', 'no such name');
  return PublicKey.from(fromHex(key));
};
const epochKeys = (table: Registry) => (epoch: number) => {
  const key = table[String(epoch)];
  if (key === undefined) throw new ComradError('NOT_FOUND', 'no key for this epoch');
  return SymmetricKey.from(fromHex(key));
};
const recipientOf = (r: RecipientJson) => new Keymaker(r.name, new KeyPair(PrivateKey.from(fromHex(r.privateKey)), PublicKey.from(fromHex(r.publicKey))));

describe.each(backends)('vectors, %s backend', (backend) => {
  let available = true;
  beforeAll(async () => {
    try {
      await ready({ backend });
    } catch (err) {
      // The node backend is built separately: only its half of the run may be skipped, and only when
      // ready() refuses it. The wasm backend is the reference and must always run.
      if (backend === 'wasm') throw err;
      available = false;
    }
  });

  describe('letters.json (LET-*, ENC-*)', () => {
    it.for(letters.valid)('valid: $name', (v, ctx) => {
      if (!available) ctx.skip();
      const letter = decodeLetter(fromHex(v.hex));
      expect(letterToJson(letter)).toEqual(v.letter);
      expect(toHex(encodeLetter(letterFromJson(v.letter)))).toBe(v.hex);
    });
    it.for(letters.invalid)('invalid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      expect(await codeOf(() => decodeLetter(bytesOf(v.hex)))).toBe(v.error);
    });
  });

  describe('signed.json (SIG-*)', () => {
    it.for(signed.valid)('valid: $name', (v, ctx) => {
      if (!available) ctx.skip();
      const opened = openSigned(fromHex(v.signed), PublicKey.from(fromHex(v.authorKey)));
      expect(letterToJson(opened.letter)).toEqual(v.letter);
      expect(opened.author).toBe(v.letter.from);
    });
    it.for(signed.invalid)('invalid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      expect(await codeOf(() => openSigned(bytesOf(v.signed), PublicKey.from(fromHex(v.authorKey))))).toBe(v.error);
    });
  });

  describe('padding.json (SEAL-3, SEAL-4)', () => {
    it.for(padding.valid)('valid: $name', (v, ctx) => {
      if (!available) ctx.skip();
      expect(toHex(pad(fromHex(v.content)))).toBe(v.padded);
      expect(toHex(unpad(fromHex(v.padded)))).toBe(v.content);
    });
    it.for(padding.invalid)('invalid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      expect(await codeOf(() => unpad(fromHex(v.padded)))).toBe(v.error);
    });
  });

  describe('sealed.json (SEAL-*)', () => {
    it.for(sealed.valid)('valid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      const opened = await openSealedLetter(fromHex(v.sealed), recipientOf(v.recipient), PublicKey.from(fromHex(v.operatorKey)));
      expect(letterToJson(opened.letter)).toEqual(v.letter);
      expect(opened.letter.from).toBe(v.author);
      expect(opened.authorKey.toHex()).toBe(v.authorKey);
      expect(toHex(opened.statement)).toBe(v.statement);
      expect(toHex(opened.signed)).toBe(v.signed);
    });
    it.for(sealed.invalid)('invalid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      expect(await codeOf(() => openSealedLetter(bytesOf(v.sealed), recipientOf(v.recipient), PublicKey.from(fromHex(v.operatorKey))))).toBe(v.error);
    });
  });

  describe('posts.json (POST-*)', () => {
    it.for(posts.valid)('valid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      expect(postEpoch(fromHex(v.post))).toBe(v.epoch);
      const opened = await openPost(fromHex(v.post), epochKeys(v.epochKeys), { name: v.author, key: lookup(v.registry)(v.author) });
      expect(letterToJson(opened.letter)).toEqual(v.letter);
      expect(opened.epoch).toBe(v.epoch);
      expect(opened.letter.from).toBe(v.author);
    });
    it.for(posts.invalid)('invalid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      expect(await codeOf(() => openPost(bytesOf(v.post), epochKeys(v.epochKeys), { name: v.author, key: lookup(v.registry)(v.author) }))).toBe(v.error);
    });
  });

  describe('keys.json (KEY-*)', () => {
    it.for(keys.valid)('valid: $name', (v, ctx) => {
      if (!available) ctx.skip();
      const pub = PublicKey.from(fromHex(v.publicKey));
      if (v.canonical !== undefined) expect(pub.toHex()).toBe(v.canonical);
      if (v.fingerprint !== undefined) expect(pub.fingerprint()).toBe(v.fingerprint);
      if (v.privateKey !== undefined) {
        const message = utf8('vector');
        expect(verify(pub, sign(PrivateKey.from(fromHex(v.privateKey)), message))).toEqual(message);
      }
    });
    it.for(keys.invalid)('invalid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      const from = { public: PublicKey.from, private: PrivateKey.from, symmetric: SymmetricKey.from }[v.kind];
      expect(await codeOf(() => from(fromHex(v.key)))).toBe(v.error);
    });
  });

  describe('keystore.json (KS-*)', () => {
    it.for(keystores.valid)('valid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      const keymaker = await decodeKeystore(fromHex(v.keystore), v.passphrase);
      expect(keymaker.name).toBe(v.keymaker.name);
      expect(keymaker.publicKey.toHex()).toBe(v.keymaker.publicKey);
    });
    it.for(keystores.invalid)('invalid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      expect(await codeOf(() => decodeKeystore(bytesOf(v.keystore), v.passphrase))).toBe(v.error);
    });
  });

  describe('home-key.json (HOME-4)', () => {
    it.for(homeKeys.valid)('valid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      expect(toHex((await decodeHomeKey(fromHex(v.homeKey), v.passphrase)).bytes())).toBe(v.key);
    });
    it.for(homeKeys.invalid)('invalid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      expect(await codeOf(() => decodeHomeKey(bytesOf(v.homeKey), v.passphrase))).toBe(v.error);
    });
  });

  describe('handshake.json (AUTH-7..AUTH-10)', () => {
    it.for(handshake.valid)('valid: $name', (v, ctx) => {
      if (!available) ctx.skip();
      const client = keyPairOf(v.clientKey);
      expect(readClientHello(v.clientHello).equals(client.publicKey)).toBe(true);
      const { hello, channel } = acceptGreeting(decodeGreeting(fromHex(v.greeting)), PublicKey.from(fromHex(v.operatorKey)), client);
      expect(toHex(hello.challenge)).toBe(v.challenge);
      expect(hello.worldKey.toHex()).toBe(v.worldKey);
      // The client's channel opens what the Operator sealed; an Operator-side channel under the vector's
      // session key opens what the client sealed, and the client's own sealing round-trips there too.
      const operator = channelAt(v.sessionKey, 'operator');
      for (const f of v.frames) {
        expect(toHex(channelContext(f.to === 'operator' ? 1 : 2, f.n))).toBe(f.context);
        const opened = f.to === 'operator' ? operator.open(fromHex(f.sealed)) : channel.open(fromHex(f.sealed));
        expect(toHex(opened)).toBe(f.plain);
        // Each plaintext is a frame as an Operator or a client reads it, in the one encoding every encoder
        // writes: a request starts with its id (OP-7), and every value is in its shortest form, times as
        // uint 64, never a float (ENC-9), so re-encoding it gives the same bytes.
        if (f.to === 'operator') {
          const req = decodeRequest(opened);
          expect(peekRequestId(opened)).toBe(req.id);
          expect(toHex(encodeRequest(req.id, req.op, req.params as never))).toBe(f.plain);
        } else {
          expect(() => decodeServerFrame(opened)).not.toThrow();
        }
      }
    });
    it.for(handshake.invalid)('invalid: $name', async (v, ctx) => {
      if (!available) ctx.skip();
      if (v.kind === 'clientHello') {
        expect(await codeOf(() => readClientHello(v.url))).toBe(v.error);
      } else if (v.kind === 'greeting') {
        expect(await codeOf(() => acceptGreeting(decodeGreeting(fromHex(v.greeting)), PublicKey.from(fromHex(v.operatorKey)), keyPairOf(v.clientKey)))).toBe(v.error);
      } else {
        const ch = channelAt(v.sessionKey, v.to);
        const last = v.frames.length - 1;
        v.frames.slice(0, last).forEach((f) => ch.open(fromHex(f)));
        expect(await codeOf(() => ch.open(fromHex(v.frames[last]!)))).toBe(v.error);
      }
    });
  });
});
