/**
 * Profiles (PROF-1..PROF-9, PROF-12, CIR-9) at their exact edges: the clear header byte by byte, each
 * step of PROF-8 with the input that fails exactly it and the one that passes it, a profile sealed by
 * hand as the spec writes it, the argument checks of sealing and opening, the defaults `createProfile`
 * fills in, and each field check on its own. Written for a mutation run of `envelope/profile.ts`
 * (spec/notes/2026-11-29-mutation-testing.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ready, cellSeal, concatBytes, encode, sign, toHex, utf8, KeyPair, PublicKey, SymmetricKey } from '@comrad/core';
import {
  MAX_PROFILE_BYTES,
  MAX_SEALED_PROFILE_BYTES,
  MAX_SIGNED_PROFILE_BYTES,
  PROFILE_HEADER_BYTES,
  PROFILE_TTL_SECONDS,
  createProfile,
  decodeProfile,
  encodeProfile,
  openProfile,
  pad,
  profileHeader,
  sealProfile,
  sealTrustedProfile,
  type Profile,
  type ProfileAuthor,
} from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';
import { codeOf, msgpackMap } from '@comrad/test-kit/core/garbage';

let alice: Keymaker;
let byAlice: ProfileAuthor;
let worldKey: SymmetricKey;
let circleKey: SymmetricKey;
const at = 1_764_000_000;
const EPOCH = 0x01020304;
const JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2, 3);

beforeAll(async () => {
  await ready({ backend: 'wasm' });
  alice = Keymaker.generate('alice');
  byAlice = { name: 'alice', key: alice.publicKey };
  worldKey = SymmetricKey.generate();
  circleKey = SymmetricKey.generate();
});

const world = (over: Partial<Profile> = {}): Profile => ({ v: 1, name: 'alice', display: 'Alice', bio: '', vis: 'world', at, ...over });
const trusted = (over: Partial<Profile> = {}): Profile => world({ vis: 'trusted', ...over });

/** PROF-7's header, written byte by byte. */
function header(tag: number, epoch: number, time: number): Uint8Array {
  const h = new Uint8Array(PROFILE_HEADER_BYTES);
  h[0] = 1;
  h[1] = tag;
  new DataView(h.buffer).setUint32(2, epoch, false);
  new DataView(h.buffer).setUint32(6, time, false);
  return h;
}

/** A sealed profile made by hand as PROF-7 says, around any content (a signed profile or not). */
const sealRaw = (h: Uint8Array, content: Uint8Array, key: SymmetricKey) => concatBytes(h, cellSeal(key, pad(content), concatBytes(utf8('comrad/profile/v1'), h)));
const keyFor = (e: number) => (e === EPOCH ? worldKey : SymmetricKey.generate());
const open = (sealed: Uint8Array, now = at + 60, keys: SymmetricKey[] = [circleKey]) => openProfile(sealed, keyFor, byAlice, now, keys);

describe('PROF-7 the sealed profile, byte by byte', () => {
  it('PROF-7 the header is version, tag, big-endian epoch, big-endian at; a trusted one names epoch 0', () => {
    const atHex = at.toString(16).padStart(8, '0');
    expect(toHex(sealProfile(world(), alice.keys, worldKey, EPOCH).subarray(0, 10))).toBe(`010101020304${atHex}`);
    expect(toHex(sealTrustedProfile(trusted(), alice.keys, circleKey).subarray(0, 10))).toBe(`010200000000${atHex}`);
  });

  it('PROF-6 PROF-7 CIR-9 a profile sealed by hand as the spec writes it opens, world and trusted', async () => {
    const w = await open(sealRaw(header(1, EPOCH, at), sign(alice.keys.privateKey, encodeProfile(world())), worldKey));
    expect(w.profile).toEqual(world());
    const t = await open(sealRaw(header(2, 0, at), sign(alice.keys.privateKey, encodeProfile(trusted())), circleKey));
    expect(t.profile).toEqual(trusted());
  });

  it('PROF-7 sealProfile: epochs 0 and 2^32-1 are written; -1, 2^32, a fraction, NaN, a key pair or key of another type are TypeErrors', async () => {
    for (const e of [0, 0xffff_ffff]) expect(profileHeader(sealProfile(world(), alice.keys, worldKey, e))).toEqual({ visibility: 'world', epoch: e, at });
    for (const e of [-1, 0x1_0000_0000, 1.5, Number.NaN]) expect(() => sealProfile(world(), alice.keys, worldKey, e), String(e)).toThrow(TypeError);
    expect(() => sealProfile(world(), alice.keys.privateKey as unknown as KeyPair, worldKey, 1)).toThrow(TypeError);
    expect(() => sealProfile(world(), alice.keys, worldKey.bytes() as unknown as SymmetricKey, 1)).toThrow(TypeError);
    expect(() => sealTrustedProfile(trusted(), alice.keys.privateKey as unknown as KeyPair, circleKey)).toThrow(TypeError);
    expect(() => sealTrustedProfile(trusted(), alice.keys, circleKey.bytes() as unknown as SymmetricKey)).toThrow(TypeError);
    // The arguments are checked before the profile.
    const bad = world({ name: 'Alice' });
    expect(() => sealProfile(bad, alice.keys.privateKey as unknown as KeyPair, worldKey, 1)).toThrow(TypeError);
    expect(() => sealProfile(bad, alice.keys, worldKey.bytes() as unknown as SymmetricKey, 1)).toThrow(TypeError);
    expect(() => sealProfile(bad, alice.keys, worldKey, -1)).toThrow(TypeError);
    expect(() => sealTrustedProfile(bad, alice.keys.privateKey as unknown as KeyPair, circleKey)).toThrow(TypeError);
    expect(() => sealTrustedProfile(bad, alice.keys, circleKey.bytes() as unknown as SymmetricKey)).toThrow(TypeError);
    // PROF-12: each sealer takes its own visibility only.
    expect(await codeOf(() => sealProfile(trusted(), alice.keys, worldKey, 1))).toBe('MALFORMED');
    expect(await codeOf(() => sealTrustedProfile(world(), alice.keys, circleKey))).toBe('MALFORMED');
    // The profile is checked before its visibility: a bad profile gives its own code.
    expect(await codeOf(() => sealTrustedProfile(world({ name: 'Alice' }), alice.keys, circleKey))).toBe('INVALID_NAME');
    expect(await codeOf(() => sealProfile(trusted({ display: '' }), alice.keys, worldKey, 1))).toBe('MALFORMED');
  });
});

describe('PROF-8 steps 1-4: the clear header', () => {
  const h = (...bytes: number[]) => Uint8Array.from(bytes);

  it('PROF-8 each header check at its edge, with its code', async () => {
    for (const notBytes of [[1, 1], 'profile', null]) expect(await codeOf(() => profileHeader(notBytes as unknown as Uint8Array))).toBe('MALFORMED');
    expect(await codeOf(() => profileHeader(h()))).toBe('TRUNCATED');
    expect(await codeOf(() => profileHeader(h(2)))).toBe('UNSUPPORTED_VERSION');
    expect(await codeOf(() => profileHeader(h(0, 1, 0, 0, 0, 0, 0, 0, 0, 0)))).toBe('UNSUPPORTED_VERSION');
    expect(await codeOf(() => profileHeader(h(1)))).toBe('TRUNCATED');
    expect(await codeOf(() => profileHeader(h(1, 3)))).toBe('MALFORMED');
    expect(await codeOf(() => profileHeader(h(1, 0)))).toBe('MALFORMED');
    expect(await codeOf(() => profileHeader(h(1, 1)))).toBe('TRUNCATED');
    expect(await codeOf(() => profileHeader(h(1, 2)))).toBe('TRUNCATED');
    expect(await codeOf(() => profileHeader(header(1, 5, at).subarray(0, 9)))).toBe('TRUNCATED');
    // Exactly the 10 header bytes are a header (the cell is PROF-8 step 5's business).
    expect(profileHeader(header(1, EPOCH, at))).toEqual({ visibility: 'world', epoch: EPOCH, at });
    expect(profileHeader(header(2, 0, at))).toEqual({ visibility: 'trusted', at });
    expect(await codeOf(() => profileHeader(header(2, 0x0100_0000, at)))).toBe('MALFORMED');
    expect(await codeOf(() => profileHeader(header(2, 1, at)))).toBe('MALFORMED');
  });

  it('PROF-8 the size bound: MAX_SEALED_PROFILE_BYTES is read, one byte more is TOO_LARGE', async () => {
    const largest = new Uint8Array(MAX_SEALED_PROFILE_BYTES);
    largest.set(header(1, 7, at));
    expect(profileHeader(largest)).toEqual({ visibility: 'world', epoch: 7, at });
    const over = new Uint8Array(MAX_SEALED_PROFILE_BYTES + 1);
    over.set(header(1, 7, at));
    expect(await codeOf(() => profileHeader(over))).toBe('TOO_LARGE');
  });

  it('PROF-8 the header of a profile inside a larger buffer is read from its own bytes', () => {
    const inside = concatBytes(Uint8Array.of(9, 9, 9), header(1, EPOCH, at + 1)).subarray(3);
    expect(inside.byteOffset).toBe(3);
    expect(profileHeader(inside)).toEqual({ visibility: 'world', epoch: EPOCH, at: at + 1 });
  });
});

describe('PROF-8 steps 5-8 and PROF-9: opening', () => {
  it('PROF-8 the arguments are checked before the bytes: a reader without a function, an author without a string name and a PublicKey: TypeErrors', async () => {
    const junk = new Uint8Array(0);
    await expect(openProfile(junk, worldKey as unknown as () => SymmetricKey, byAlice)).rejects.toThrow(TypeError);
    await expect(openProfile(junk, keyFor, { name: 7 as unknown as string, key: alice.publicKey })).rejects.toThrow(TypeError);
    await expect(openProfile(junk, keyFor, { name: 'alice', key: alice.publicKey.bytes() as unknown as PublicKey })).rejects.toThrow(TypeError);
    await expect(openProfile(junk, keyFor, undefined as unknown as ProfileAuthor)).rejects.toThrow(TypeError);
  });

  it('PROF-8 step 5 the key of the header epoch is asked for, may come asynchronously, and must be a SymmetricKey', async () => {
    const sealed = sealProfile(world(), alice.keys, worldKey, EPOCH);
    const asked: number[] = [];
    const opened = await openProfile(sealed, async (e) => (asked.push(e), worldKey), byAlice, at + 60);
    expect(asked).toEqual([EPOCH]);
    expect(opened.epoch).toBe(EPOCH);
    await expect(openProfile(sealed, () => worldKey.bytes() as unknown as SymmetricKey, byAlice, at + 60)).rejects.toThrow(TypeError);
  });

  it('PROF-8 step 5 CIR-9 circle keys: tried in turn past those that do not open it; a cell that is no cell keeps its own code; a non-key is a TypeError', async () => {
    const sealed = sealTrustedProfile(trusted(), alice.keys, circleKey);
    const opened = await open(sealed, at + 60, [SymmetricKey.generate(), SymmetricKey.generate(), circleKey]);
    expect(opened.profile).toEqual(trusted());
    // CIR-9: a trusted profile names no epoch.
    expect(opened.epoch).toBe(0);
    await expect(open(sealed, at + 60, [circleKey.bytes() as unknown as SymmetricKey])).rejects.toThrow(TypeError);
    // A cell too short to be one is TRUNCATED whatever key tries it, not FORBIDDEN.
    const short = concatBytes(header(2, 0, at), new Uint8Array(20));
    expect(await codeOf(() => open(short, at + 60, [circleKey]))).toBe('TRUNCATED');
    expect(await codeOf(() => open(concatBytes(header(1, EPOCH, at), new Uint8Array(20))))).toBe('TRUNCATED');
  });

  it('PROF-8 step 6: a signed profile of MAX_SIGNED_PROFILE_BYTES goes on to the signature; one byte more is TOO_LARGE', async () => {
    const h = header(1, EPOCH, at);
    expect(await codeOf(() => open(sealRaw(h, new Uint8Array(MAX_SIGNED_PROFILE_BYTES), worldKey)))).toBe('BAD_SIGNATURE');
    expect(await codeOf(() => open(sealRaw(h, new Uint8Array(MAX_SIGNED_PROFILE_BYTES + 1), worldKey)))).toBe('TOO_LARGE');
  });

  it('PROF-8 step 7-8: signed bytes that are no profile are refused after the signature checks, with the profile code', async () => {
    const h = header(1, EPOCH, at);
    expect(await codeOf(() => open(sealRaw(h, sign(alice.keys.privateKey, encode({ not: 'a profile' })), worldKey)))).toBe('MALFORMED');
    expect(await codeOf(() => open(sealRaw(h, sign(alice.keys.privateKey, encode({ ...world(), v: 2 })), worldKey)))).toBe('UNSUPPORTED_VERSION');
  });

  it('PROF-9 the header and the signed profile must agree on the visibility and on at, each on its own', async () => {
    const signedWorld = sign(alice.keys.privateKey, encodeProfile(world()));
    const signedTrusted = sign(alice.keys.privateKey, encodeProfile(trusted()));
    expect(await codeOf(() => open(sealRaw(header(1, EPOCH, at + 1), signedWorld, worldKey)))).toBe('MALFORMED');
    expect(await codeOf(() => open(sealRaw(header(1, EPOCH, at), signedTrusted, worldKey)))).toBe('MALFORMED');
    expect(await codeOf(() => open(sealRaw(header(2, 0, at), signedWorld, circleKey)))).toBe('MALFORMED');
    expect(await codeOf(() => open(sealRaw(header(2, 0, at - 1), signedTrusted, circleKey)))).toBe('MALFORMED');
  });

  it('PROF-8 step 7 a signature by another key is WRONG_AUTHOR, and the error keeps the BAD_SIGNATURE it comes from', async () => {
    const forged = sealProfile(world(), KeyPair.generate(), worldKey, EPOCH);
    const err = await open(forged).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'WRONG_AUTHOR', cause: { code: 'BAD_SIGNATURE' } });
  });

  it('PROF-5 the reader\'s clock defaults to now: a profile signed a minute ago opens, one signed 30 days and a minute ago is EXPIRED', async () => {
    const now = Math.floor(Date.now() / 1000);
    const fresh = sealProfile(world({ at: now - 60 }), alice.keys, worldKey, EPOCH);
    const opened = await openProfile(fresh, keyFor, byAlice);
    expect(opened.expiresAt).toBe(now - 60 + PROFILE_TTL_SECONDS);
    const stale = sealProfile(world({ at: now - PROFILE_TTL_SECONDS - 60 }), alice.keys, worldKey, EPOCH);
    expect(await codeOf(() => openProfile(stale, keyFor, byAlice))).toBe('EXPIRED');
  });
});

describe('PROF-1..PROF-4 the profile itself', () => {
  it('PROF-1 PROF-2 createProfile fills in an empty bio, no photo, visibility world and the current time; what is given is kept', () => {
    const before = Math.floor(Date.now() / 1000);
    const p = createProfile({ name: '@Alice', display: 'Alice' });
    const after = Math.floor(Date.now() / 1000);
    expect(p.bio).toBe('');
    expect('photo' in p).toBe(false);
    expect(p.vis).toBe('world');
    expect(p.at).toBeGreaterThanOrEqual(before);
    expect(p.at).toBeLessThanOrEqual(after);
    const photo = { mime: 'image/jpeg' as const, data: JPEG };
    const given = createProfile({ name: 'alice', display: 'A', bio: 'b', photo, visibility: 'trusted', at: 0 });
    expect(given).toEqual({ v: 1, name: 'alice', display: 'A', bio: 'b', photo, vis: 'trusted', at: 0 });
  });

  it('PROF-8 decodeProfile: not bytes MALFORMED; MAX_PROFILE_BYTES is parsed, one more TOO_LARGE; not a map MALFORMED', async () => {
    for (const notBytes of [[0x80], 'profile', null]) expect(await codeOf(() => decodeProfile(notBytes as unknown as Uint8Array))).toBe('MALFORMED');
    expect(await codeOf(() => decodeProfile(new Uint8Array(MAX_PROFILE_BYTES).fill(0xc1)))).toBe('MALFORMED');
    expect(await codeOf(() => decodeProfile(new Uint8Array(MAX_PROFILE_BYTES + 1).fill(0xc1)))).toBe('TOO_LARGE');
    for (const value of [null, 5, 'alice', [1], new Uint8Array(3)]) expect(await codeOf(() => decodeProfile(encode(value))), String(value)).toBe('MALFORMED');
    // The largest profile the field bounds allow is well under the byte bound.
    const photo = { mime: 'image/jpeg' as const, data: new Uint8Array(64 * 1024).fill(0xff) };
    photo.data.set(JPEG.subarray(0, 3));
    expect(encodeProfile(world({ display: '😀'.repeat(64), bio: '😀'.repeat(280), photo })).length).toBeLessThan(MAX_PROFILE_BYTES);
  });

  it('PROF-1 the version: missing or not an integer MALFORMED, another integer UNSUPPORTED_VERSION before any unknown field', async () => {
    const code = (over: Record<string, unknown>) => codeOf(() => decodeProfile(encode({ ...world(), ...over })));
    expect(await code({ v: '1' })).toBe('MALFORMED');
    expect(await code({ v: undefined })).toBe('MALFORMED');
    expect(await code({ v: 0 })).toBe('UNSUPPORTED_VERSION');
    // No msgpack bytes hold a fraction (ENC-8), but a profile object handed to the encoder can.
    for (const v of [1.5, Number.NaN, 2 ** 53]) expect(await codeOf(() => encodeProfile(world({ v } as unknown as Partial<Profile>))), String(v)).toBe('MALFORMED');
    expect(await code({ v: 2, extra: true })).toBe('UNSUPPORTED_VERSION');
    expect(await code({ extra: true })).toBe('MALFORMED');
  });

  it('PROF-3 the display name: 1 code point is enough; empty, blank, a lone surrogate, a control, a bidi override each MALFORMED', async () => {
    const code = (display: string) => codeOf(() => encodeProfile(world({ display })));
    expect(await code('A')).toBe('ok');
    expect(await code('😀'.repeat(64))).toBe('ok');
    expect(await code('d'.repeat(65))).toBe('TOO_LARGE');
    for (const bad of ['', '   ', '\u3000', 'Al\ud800ice', '\udc00', 'tab\t', '\u202eecila', 'a\u2066b']) expect(await code(bad), JSON.stringify(bad)).toBe('MALFORMED');
  });

  it('PROF-3 the bio: empty, newlines and tabs are fine; a lone surrogate alone, a control alone, a bidi override alone MALFORMED', async () => {
    const code = (bio: string) => codeOf(() => encodeProfile(world({ bio })));
    expect(await code('')).toBe('ok');
    expect(await code('one\ntwo\tthree')).toBe('ok');
    expect(await code('😀'.repeat(280))).toBe('ok');
    expect(await code('b'.repeat(281))).toBe('TOO_LARGE');
    for (const bad of ['half \ud83d', 'bell \u0007', '\u202e', 'x\u2029y']) expect(await code(bad), JSON.stringify(bad)).toBe('MALFORMED');
  });

  it('PROF-1 PROF-2 the visibility and at: world and trusted, 0 and 2^32-1 are read; another word, -1 and 2^32 MALFORMED', async () => {
    const code = (over: Partial<Record<keyof Profile, unknown>>) => codeOf(() => decodeProfile(encode({ ...world(), ...over })));
    expect(await code({ vis: 'trusted' })).toBe('ok');
    expect(await code({ vis: 'friends' })).toBe('MALFORMED');
    expect(await code({ at: 0 })).toBe('ok');
    expect(await code({ at: 0xffff_ffff })).toBe('ok');
    expect(await code({ at: -1 })).toBe('MALFORMED');
    expect(await code({ at: 0x1_0000_0000 })).toBe('MALFORMED');
  });

  it('PROF-1 PROF-4 the photo: written mime then data whatever the object order, a null photo is no photo, a decoded profile without one has no photo field', () => {
    const withPhoto = encodeProfile(world({ photo: { mime: 'image/jpeg', data: JPEG } }));
    expect(toHex(encodeProfile(world({ photo: { data: JPEG, mime: 'image/jpeg' } as Profile['photo'] })))).toBe(toHex(withPhoto));
    expect(toHex(encodeProfile(world({ photo: null as unknown as Profile['photo'] })))).toBe(toHex(encodeProfile(world())));
    expect('photo' in decodeProfile(encodeProfile(world()))).toBe(false);
    expect(decodeProfile(withPhoto).photo).toEqual({ mime: 'image/jpeg', data: JPEG });
  });

  it('PROF-1 ENC-2 what is not a profile object is a TypeError for the encoder; a longer integer form is not canonical', async () => {
    expect(() => encodeProfile(null as unknown as Profile)).toThrow(TypeError);
    expect(() => encodeProfile('alice' as unknown as Profile)).toThrow(TypeError);
    const parts = (time: Uint8Array): [string, Uint8Array][] => [
      ['v', encode(1)],
      ['name', encode('alice')],
      ['display', encode('Alice')],
      ['bio', encode('')],
      ['vis', encode('world')],
      ['at', time],
    ];
    expect(await codeOf(() => decodeProfile(msgpackMap(parts(encode(7)))))).toBe('ok');
    expect(await codeOf(() => decodeProfile(msgpackMap(parts(Uint8Array.of(0xcd, 0, 7)))))).toBe('MALFORMED');
  });
});
