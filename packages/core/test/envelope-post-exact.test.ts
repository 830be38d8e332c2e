/**
 * World posts (POST-1..POST-3, CRY-18) at their exact edges: the epoch bounds, the argument checks of
 * sealing and opening, the asynchronous sealer beside the synchronous one, the epoch read from a view
 * into a larger buffer, and the bytes an opened post hands out. Written from the survivors of a mutation
 * run of `envelope/post.ts` (spec/notes/2026-11-29-mutation-testing.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready, concatBytes, KeyPair, PublicKey, SymmetricKey } from '@comrad/core';
import { createLetter, MAX_EPOCH, openPost, openSigned, openWorldLetter, pad, postEpoch, sealPost, sealPostAsync, signLetter, type PostAuthor, type TextLetter } from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { postRaw } from '@comrad/test-kit/core/envelope';

let alice: Keymaker;
let byAlice: PostAuthor;
let post: TextLetter;
let key: SymmetricKey;

beforeAll(async () => {
  await ready({ backend: 'wasm' });
  alice = Keymaker.generate('alice');
  byAlice = { name: 'alice', key: alice.publicKey };
  key = SymmetricKey.generate();
  post = createLetter({ kind: 'post', from: 'alice', body: { text: 'banner painting, sunday' } });
});

async function errorOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
}

describe('POST-2 sealing, sync and async alike', () => {
  const sealers = { sealPost, sealPostAsync };
  for (const [name, seal] of Object.entries(sealers)) {
    it(`POST-1 POST-2 ${name}: epochs 0 and 2^32-1 are sealed and read back; -1, 2^32, a fraction and NaN are TypeErrors`, async () => {
      for (const epoch of [0, MAX_EPOCH]) {
        const sealed = await seal(post, alice.keys, key, epoch);
        expect(postEpoch(sealed)).toBe(epoch);
        const opened = await openPost(sealed, (e) => (e === epoch ? key : SymmetricKey.generate()), byAlice);
        expect(opened.letter).toEqual(post);
        expect(opened.epoch).toBe(epoch);
      }
      for (const epoch of [-1, MAX_EPOCH + 1, 1.5, Number.NaN]) expect(await errorOf(() => seal(post, alice.keys, key, epoch)), String(epoch)).toBeInstanceOf(TypeError);
    });

    it(`POST-2 ${name}: a letter that is neither a post nor an event, an author that is not a KeyPair, a key that is not a SymmetricKey: TypeErrors`, async () => {
      const dm = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'psst' } });
      expect(await errorOf(() => seal(dm, alice.keys, key, 1))).toBeInstanceOf(TypeError);
      expect(await errorOf(() => seal(undefined as unknown as TextLetter, alice.keys, key, 1))).toBeInstanceOf(TypeError);
      expect(await errorOf(() => seal(post, alice.keys.privateKey as unknown as KeyPair, key, 1))).toBeInstanceOf(TypeError);
      expect(await errorOf(() => seal(post, alice.keys, key.bytes() as unknown as SymmetricKey, 1))).toBeInstanceOf(TypeError);
      // A post that breaks a LET rule is refused with its code.
      expect(await codeOf(() => seal({ ...post, from: 'Alice' }, alice.keys, key, 1))).toBe('INVALID_NAME');
    });
  }

  it('POST-2 CRY-18 sealPostAsync writes the layout sealPost writes: same length, same header', async () => {
    const a = sealPost(post, alice.keys, key, 77);
    const b = await sealPostAsync(post, alice.keys, key, 77);
    expect(b.length).toBe(a.length);
    expect(b.subarray(0, 5)).toEqual(a.subarray(0, 5));
    expect(b.subarray(0, 5)).toEqual(Uint8Array.of(1, 0, 0, 0, 77));
  });
});

describe('POST-3 opening', () => {
  it('POST-1 postEpoch reads the epoch of a post that sits inside a larger buffer', () => {
    const sealed = sealPost(post, alice.keys, key, 0x01020304);
    const inside = concatBytes(Uint8Array.of(9, 9, 9), sealed).subarray(3);
    expect(inside.byteOffset).toBe(3);
    expect(postEpoch(inside)).toBe(0x01020304);
  });

  it('POST-3 the arguments are checked before the bytes: a reader without a function, or an author without a string name and a PublicKey, is a TypeError', async () => {
    const notAPost = new Uint8Array(0);
    expect(await errorOf(() => openPost(notAPost, key as unknown as () => SymmetricKey, byAlice))).toBeInstanceOf(TypeError);
    expect(await errorOf(() => openPost(notAPost, () => key, { name: 7 as unknown as string, key: alice.publicKey }))).toBeInstanceOf(TypeError);
    expect(await errorOf(() => openPost(notAPost, () => key, { name: 'alice', key: alice.publicKey.bytes() as unknown as PublicKey }))).toBeInstanceOf(TypeError);
    expect(await errorOf(() => openPost(notAPost, () => key, undefined as unknown as PostAuthor))).toBeInstanceOf(TypeError);
  });

  it('POST-3 the epoch key may come asynchronously; what is not a SymmetricKey is a TypeError', async () => {
    const sealed = sealPost(post, alice.keys, key, 5);
    expect((await openPost(sealed, async () => key, byAlice)).letter).toEqual(post);
    expect(await errorOf(() => openPost(sealed, () => key.bytes() as unknown as SymmetricKey, byAlice))).toBeInstanceOf(TypeError);
  });

  it('POST-3 step 9 EVT-7 openWorldLetter takes a post or an event and nothing else: a dm or an invitation in a world post is MALFORMED', async () => {
    const dm = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'psst' } });
    const invite = createLetter({ kind: 'invite', from: 'alice', to: 'bob', body: { event: { eid: new Uint8Array(16).fill(1), title: 'Assembly', start: 1000, end: 2000, where: 'Hall', note: '' } } });
    for (const letter of [dm, invite]) {
      const sealed = postRaw(pad(signLetter(letter, alice.keys.privateKey)), key, 5);
      expect(await codeOf(() => openWorldLetter(sealed, () => key, byAlice)), letter.kind).toBe('MALFORMED');
    }
  });

  it('POST-3 an opened post hands out its signed letter as its own bytes, which anyone with the author key can check (SIG-2)', async () => {
    const opened = await openWorldLetter(sealPost(post, alice.keys, key, 5), () => key, byAlice);
    expect(openSigned(opened.signed, alice.publicKey).letter).toEqual(post);
    expect(opened.signed.byteOffset).toBe(0);
    expect(opened.signed.buffer.byteLength).toBe(opened.signed.length);
    expect(opened.authorKey.equals(alice.publicKey)).toBe(true);
  });
});
