/**
 * Writes `spec/vectors/profiles.json` (spec/12-profiles.md, PROF-*). Skipped unless MAKE_VECTORS=1:
 *
 *     MAKE_VECTORS=1 npx vitest run spec/scripts/make-profile-vectors.test.ts
 *
 * Keys and Secure Cell IVs are fresh on every run, so the bytes change; what each vector means does not.
 * `spec/test/profile-vectors.test.ts` checks the committed file against the code.
 */
import { it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { cellSeal, concatBytes, encode, fromHex, ready, sign, SymmetricKey, toHex, utf8 } from '@comrad/core';
import {
  MAX_BIO_CHARS,
  MAX_DISPLAY_CHARS,
  MAX_PROFILE_BYTES,
  MAX_PROFILE_PHOTO_BYTES,
  MAX_SEALED_PROFILE_BYTES,
  PROFILE_TTL_SECONDS,
  encodeProfile,
  pad,
  sealProfile,
  sealTrustedProfile,
  type Profile,
} from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';

import { flip } from '@comrad/test-kit/core/envelope';
import { rawMap } from './vector-format.js';

const GENERATOR = 'MAKE_VECTORS=1 npx vitest run spec/scripts/make-profile-vectors.test.ts';
const hex = toHex;
/** A 1×1 PNG (as in letters.json). */
const PNG = fromHex('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0e8c9b10000000049454e44ae426082');


function parts(p: Profile): [string, Uint8Array][] {
  return [
    ['v', encode(p.v)],
    ['name', encode(p.name)],
    ['display', encode(p.display)],
    ['bio', encode(p.bio)],
    ...(p.photo ? ([['photo', encode({ mime: p.photo.mime, data: p.photo.data })]] as [string, Uint8Array][]) : []),
    ['vis', encode(p.vis)],
    ['at', encode(p.at)],
  ];
}

/** The profile's map with `key` replaced (or dropped when `value` is undefined), and `extra` fields after. */
const withPart = (p: Profile, key: string, value: Uint8Array | undefined, extra: [string, Uint8Array][] = []) =>
  rawMap([...parts(p).flatMap(([k, v]): [string, Uint8Array][] => (k !== key ? [[k, v]] : value ? [[k, value]] : [])), ...extra]);

/** An unchecked string field (the encoder refuses what the vectors need to show). */
const str = (s: string) => encode(s);

it.skipIf(process.env.MAKE_VECTORS !== '1')('writes spec/vectors/profiles.json', async () => {
  await ready({ backend: 'wasm' });
  const [alice, mallory] = ['alice', 'mallory'].map((n) => Keymaker.generate(n)) as [Keymaker, Keymaker];
  const registry = { alice: hex(alice.publicKey.bytes()), mallory: hex(mallory.publicKey.bytes()) };
  const at = 1_764_000_000;
  const epoch = Math.floor(at / 86_400);
  const now = at + 3600;
  const epochKey = SymmetricKey.generate();
  const epochKeys = { [String(epoch)]: hex(epochKey.bytes()), [String(epoch + 1)]: hex(SymmetricKey.generate().bytes()) };
  const profile: Profile = { v: 1, name: 'alice', display: 'Alice ✊', bio: 'Tenant organiser.\nAsk me about the rent strike.', photo: { mime: 'image/png', data: PNG }, vis: 'world', at };
  const plain: Profile = { v: 1, name: 'alice', display: 'A', bio: '', vis: 'world', at };
  const sealed = sealProfile(profile, alice.keys, epochKey, epoch);
  const sealedPlain = sealProfile(plain, alice.keys, epochKey, epoch);
  const header = (e: number, a: number, tag = 1, version = 1) => {
    const h = new Uint8Array(10);
    h[0] = version;
    h[1] = tag;
    new DataView(h.buffer).setUint32(2, e, false);
    new DataView(h.buffer).setUint32(6, a, false);
    return h;
  };
  /** Seals any padded content under a header of our choosing, as any holder of the epoch key can. */
  const raw = (padded: Uint8Array, h = header(epoch, at)) => concatBytes(h, cellSeal(epochKey, padded, concatBytes(utf8('comrad/profile/v1'), h)));
  const signedBy = (k: Keymaker, bytes: Uint8Array) => pad(sign(k.keys.privateKey, bytes));
  const movedAt = sealed.slice();
  new DataView(movedAt.buffer).setUint32(6, at + 1, false);
  const movedEpoch = sealed.slice();
  new DataView(movedEpoch.buffer).setUint32(2, epoch + 1, false);

  const sealedInvalid: [string, string[], string, string | { hex: string; zeroFillTo: number }, Partial<{ author: string; now: number }>?][] = [
    ['a ciphertext byte changed', ['PROF-8'], 'DECRYPT_FAILED', hex(flip(sealed, sealed.length - 3))],
    ['the clear at changed (it is bound as the cell context)', ['PROF-7', 'PROF-8'], 'DECRYPT_FAILED', hex(movedAt)],
    ['moved to another epoch', ['PROF-7', 'PROF-8'], 'DECRYPT_FAILED', hex(movedEpoch)],
    ['version 2', ['PROF-7', 'PROF-8'], 'UNSUPPORTED_VERSION', hex(concatBytes(Uint8Array.of(2), sealed.subarray(1)))],
    ['visibility trusted with an epoch in the header (a trusted profile names none)', ['PROF-8', 'CIR-9'], 'MALFORMED', hex(concatBytes(Uint8Array.of(1, 2), sealed.subarray(2)))],
    ["a profile for alice's trusted circle, read by someone holding none of her circle keys", ['PROF-12', 'CIR-9'], 'FORBIDDEN', hex(sealTrustedProfile({ ...plain, vis: 'trusted' }, alice.keys, SymmetricKey.generate()))],
    ['an unknown visibility tag', ['PROF-7', 'PROF-8'], 'MALFORMED', hex(concatBytes(Uint8Array.of(1, 3), sealed.subarray(2)))],
    ['truncated inside the header', ['PROF-8'], 'TRUNCATED', hex(sealed.subarray(0, 6))],
    ['truncated by one byte', ['PROF-8', 'CRY-7'], 'TRUNCATED', hex(sealed.subarray(0, sealed.length - 1))],
    ['a trailing byte', ['PROF-8', 'CRY-7'], 'TRAILING_BYTES', hex(concatBytes(sealed, Uint8Array.of(0)))],
    ['larger than MAX_SEALED_PROFILE_BYTES', ['PROF-7', 'PROF-8'], 'TOO_LARGE', { hex: hex(sealed), zeroFillTo: MAX_SEALED_PROFILE_BYTES + 1 }],
    ['a non-zero padding byte', ['PROF-8', 'SEAL-4'], 'BAD_PADDING', hex(raw(flip(signedBy(alice, encodeProfile(plain)), 510)))],
    ["alice's profile signed by mallory (a forgery by an epoch key holder)", ['PROF-6', 'PROF-8'], 'WRONG_AUTHOR', hex(raw(signedBy(mallory, encodeProfile(plain))))],
    ["mallory's own profile, asked for as alice's", ['PROF-9'], 'WRONG_AUTHOR', hex(sealProfile({ ...plain, name: 'mallory' }, mallory.keys, epochKey, epoch))],
    ["alice's genuine profile, asked for as mallory's", ['PROF-8', 'PROF-9'], 'WRONG_AUTHOR', hex(sealedPlain), { author: 'mallory' }],
    ['bytes that are no profile, signed by alice (decoded only after the signature)', ['PROF-8'], 'MALFORMED', hex(raw(signedBy(alice, encode({ not: 'a profile' }))))],
    ['the clear at says a second later than the signed at', ['PROF-9'], 'MALFORMED', hex(raw(signedBy(alice, encodeProfile(plain)), header(epoch, at + 1)))],
    ['expired: read 30 days after its signed at', ['PROF-5'], 'EXPIRED', hex(sealedPlain), { now: at + PROFILE_TTL_SECONDS }],
  ];

  const zeros = MAX_PROFILE_PHOTO_BYTES + 1 - PNG.length;
  const big = rawMap([...parts(plain).slice(0, 4), ['photo', encode({ mime: 'image/png', data: concatBytes(PNG, new Uint8Array(zeros)) })]]);
  const bigPhoto = { hex: hex(big.subarray(0, big.length - zeros)), zeroFillTo: big.length };
  const profileInvalid: [string, string[], string, string | { hex: string; zeroFillTo: number }][] = [
    [`a bio of ${MAX_BIO_CHARS + 1} characters`, ['PROF-3'], 'TOO_LARGE', hex(withPart(plain, 'bio', str('b'.repeat(MAX_BIO_CHARS + 1))))],
    [`a display name of ${MAX_DISPLAY_CHARS + 1} characters`, ['PROF-3'], 'TOO_LARGE', hex(withPart(plain, 'display', str('d'.repeat(MAX_DISPLAY_CHARS + 1))))],
    ['an empty display name', ['PROF-3'], 'MALFORMED', hex(withPart(plain, 'display', str('')))],
    ['a blank display name', ['PROF-3'], 'MALFORMED', hex(withPart(plain, 'display', str('   ')))],
    ['a display name over two lines', ['PROF-3'], 'MALFORMED', hex(withPart(plain, 'display', str('Alice\nverified')))],
    ['a display name with a right-to-left override', ['PROF-3'], 'MALFORMED', hex(withPart(plain, 'display', str('Alice\u202e')))],
    ['a bio with an escape character', ['PROF-3'], 'MALFORMED', hex(withPart(plain, 'bio', str('hi\u001b[2J')))],
    ['a bio that is not UTF-8', ['PROF-3', 'ENC-2'], 'MALFORMED', hex(withPart(plain, 'bio', Uint8Array.of(0xa3, 0xed, 0xa0, 0x80)))],
    // The photo is the last field here, so its zero tail can be zero-filled: its bound is checked before `vis` is missed (PROF-8 step 5).
    [`a photo of ${MAX_PROFILE_PHOTO_BYTES + 1} bytes`, ['PROF-4', 'PROF-8'], 'TOO_LARGE', bigPhoto],
    ['a photo whose bytes are not its type', ['PROF-4'], 'MALFORMED', hex(rawMap([...parts(plain).slice(0, 4), ['photo', encode({ mime: 'image/jpeg', data: PNG })], ...parts(plain).slice(4)]))],
    ['a photo of type image/svg+xml', ['PROF-4'], 'MALFORMED', hex(rawMap([...parts(plain).slice(0, 4), ['photo', encode({ mime: 'image/svg+xml', data: utf8('<svg/>') })], ...parts(plain).slice(4)]))],
    ['photo: nil instead of absent', ['PROF-1', 'ENC-2'], 'MALFORMED', hex(rawMap([...parts(plain).slice(0, 4), ['photo', Uint8Array.of(0xc0)], ...parts(plain).slice(4)]))],
    ['fields out of order', ['PROF-1', 'ENC-2'], 'MALFORMED', hex(rawMap([parts(plain)[0]!, parts(plain)[2]!, parts(plain)[1]!, ...parts(plain).slice(3)]))],
    ['an unknown field', ['PROF-1', 'ENC-6'], 'MALFORMED', hex(withPart(plain, 'x', undefined, [['x', encode(1)]]))],
    ['version 2 with an unknown field (the version is read first)', ['PROF-1', 'PROF-8'], 'UNSUPPORTED_VERSION', hex(withPart(plain, 'v', encode(2), [['x', encode(1)]]))],
    ['version as a string', ['PROF-1'], 'MALFORMED', hex(withPart(plain, 'v', str('1')))],
    ['a name that is not a name', ['PROF-1', 'NAME-1'], 'INVALID_NAME', hex(withPart(plain, 'name', str('Alice!')))],
    ['visibility friends', ['PROF-2'], 'MALFORMED', hex(withPart(plain, 'vis', str('friends')))],
    ['at beyond 2^32-1', ['PROF-1'], 'MALFORMED', hex(withPart(plain, 'at', encode(2 ** 32)))],
    ['at as a float', ['PROF-1', 'ENC-1'], 'MALFORMED', hex(withPart(plain, 'at', concatBytes(Uint8Array.of(0xcb), new Uint8Array(new Float64Array([at]).buffer).reverse())))],
    ['at in a longer integer form than needed', ['PROF-1', 'ENC-2'], 'MALFORMED', hex(withPart(plain, 'at', concatBytes(Uint8Array.of(0xcf, 0, 0, 0, 0), encode(at).subarray(1))))],
    ['a trailing byte', ['PROF-8'], 'TRAILING_BYTES', hex(concatBytes(encodeProfile(plain), Uint8Array.of(0)))],
    ['not a map', ['PROF-1'], 'MALFORMED', hex(encode(['alice']))],
    ['larger than MAX_PROFILE_BYTES', ['PROF-1', 'PROF-8'], 'TOO_LARGE', { hex: hex(encodeProfile(plain)), zeroFillTo: MAX_PROFILE_BYTES + 1 }],
  ];

  const doc = {
    spec: 'PROF-*',
    description:
      'Profiles. valid: open `sealed` with epochKeys[epoch], asked for as `author` with registry[author], at time `now` (seconds), to `profile` (whose canonical encoding is `encoded`); the clear header reads as `header`. invalid: openProfile gives `error`. invalidProfiles: decodeProfile of `profile` gives `error`.',
    generator: GENERATOR,
    valid: [
      {
        name: 'a world profile with a photo',
        rules: ['PROF-1', 'PROF-6', 'PROF-7', 'PROF-8'],
        sealed: hex(sealed),
        header: { visibility: 'world', epoch, at },
        epochKeys,
        registry,
        author: 'alice',
        now,
        encoded: hex(encodeProfile(profile)),
        profile: { ...profile, photo: { mime: 'image/png', data: hex(PNG) } },
      },
      { name: 'the smallest profile', rules: ['PROF-1', 'PROF-3'], sealed: hex(sealedPlain), header: { visibility: 'world', epoch, at }, epochKeys, registry, author: 'alice', now, encoded: hex(encodeProfile(plain)), profile: plain },
    ],
    invalid: sealedInvalid.map(([name, rules, error, s, o = {}]) => ({ name, rules, error, sealed: s, epochKeys, registry, author: o.author ?? 'alice', now: o.now ?? now })),
    invalidProfiles: profileInvalid.map(([name, rules, error, p]) => ({ name, rules, error, profile: p })),
  };
  await writeFile(fileURLToPath(new URL('../vectors/profiles.json', import.meta.url)), `${JSON.stringify(doc, null, 2)}\n`);
});
