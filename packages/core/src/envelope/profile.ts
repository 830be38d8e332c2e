/**
 * Profiles (PROF-*): a comrade's display name, bio and photo, signed by the comrade and sealed like a
 * world post under the world key of an epoch, so any registered comrade can read it and the Operator,
 * which holds every epoch key, can withhold or keep an older one but never forge one. A profile lives
 * {@link PROFILE_TTL_DAYS} days after its signed time unless its author signs a newer one. A clear header
 * carries the visibility, the epoch and the signed time, which is all the Operator needs to keep only the
 * latest profile per name. A profile seen only by trusted comrades (visibility `trusted`) is sealed under
 * its author's trusted circle key instead (CIR-9), and opened with the circle keys a reader holds.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { bytesEqual, concatBytes, utf8 } from '../bytes.js';
import { decode, encode } from '../codec/msgpack.js';
import { Fields } from '../codec/fields.js';
import { checkSigned } from '../crypto/_framing.js';
import { cellOpen, cellSeal, sign, verify } from '../crypto/operations.js';
import { KeyPair, PublicKey, SymmetricKey } from '../crypto/keys.js';
import { CELL_TOKEN } from '../crypto/_framing.js';
import { readImage, wellFormed, type Image } from './body.js';
import { normaliseName, readNameField } from './name.js';
import { bucketFor, pad, unpad } from './padding.js';

/** PROF-1: the version of the profile map, and of the sealed profile's first byte. */
export const PROFILE_VERSION = 1;

/** PROF-2: the visibilities a profile may have: `world`, and `trusted` (sealed under a circle key, CIR-9). */
export const PROFILE_VISIBILITIES = ['world', 'trusted'] as const;

/** A visibility from {@link PROFILE_VISIBILITIES}. */
export type ProfileVisibility = (typeof PROFILE_VISIBILITIES)[number];

/** PROF-3: a display name is 1 to 64 Unicode code points on one line. */
export const MAX_DISPLAY_CHARS = 64;

/** PROF-3: a bio is at most 280 Unicode code points. */
export const MAX_BIO_CHARS = 280;

/** PROF-4: a photo is at most 64 KiB after re-encoding (clients also bound it to 512 pixels a side, PROF-13). */
export const MAX_PROFILE_PHOTO_BYTES = 64 * 1024;

/** PROF-13: the longer side of a profile photo, in pixels, after the client re-encodes it. */
export const MAX_PROFILE_PHOTO_SIDE = 512;

/** PROF-5: a profile is valid for 30 days after its signed `at`, unless a newer one replaces it first. */
export const PROFILE_TTL_DAYS = 30;

/** PROF-5: {@link PROFILE_TTL_DAYS} in seconds, the unit of `at`. */
export const PROFILE_TTL_SECONDS = PROFILE_TTL_DAYS * 86_400;

/** PROF-1: the latest `at` (seconds; the largest msgpack uint32, as LET-7). */
export const MAX_PROFILE_AT = 0xffff_ffff;

/** PROF-1: an encoded profile is at most 66 KiB: the photo, the texts at 4 bytes a code point, the fields. */
export const MAX_PROFILE_BYTES = 66 * 1024;

/** PROF-6: a signed profile adds the Themis header and signature (1 KiB of headroom, as LIM-5). */
export const MAX_SIGNED_PROFILE_BYTES = MAX_PROFILE_BYTES + 1024;

/** PROF-7: the clear header of a sealed profile: version, visibility tag, u32be epoch, u32be at. */
export const PROFILE_HEADER_BYTES = 10;

/**
 * PROF-7: the largest sealed profile: header, Secure Cell token and the padding bucket of the largest
 * signed profile (88 KiB).
 */
export const MAX_SEALED_PROFILE_BYTES = PROFILE_HEADER_BYTES + CELL_TOKEN + bucketFor(MAX_SIGNED_PROFILE_BYTES);

/** PROF-7: the visibility tags of the sealed header. */
const TAG: Record<ProfileVisibility, number> = { world: 0x01, trusted: 0x02 };

/** A profile (PROF-1). Immutable by convention; every field is checked on encode and decode. */
export interface Profile {
  /** Format version, always {@link PROFILE_VERSION}. */
  readonly v: 1;
  /** The author's comrade name, normalised (NAME-1): readers check it is the name they asked for (PROF-9). */
  readonly name: string;
  /** What the author wants to be called: 1–64 code points, no control or bidi characters (PROF-3). */
  readonly display: string;
  /** A short text, 0–280 code points (PROF-3). */
  readonly bio: string;
  /** A photo, re-encoded without metadata by the author's client (PROF-4, PROF-13). */
  readonly photo?: Image;
  /** Who may read it (PROF-2). */
  readonly vis: ProfileVisibility;
  /** When the author signed it: whole seconds since the epoch; it expires {@link PROFILE_TTL_SECONDS} later (PROF-5). */
  readonly at: number;
}

/** What {@link createProfile} needs; it fills in the rest. */
export interface ProfileInit {
  /** The author's name, as typed (normalised here). */
  readonly name: string;
  readonly display: string;
  /** Defaults to empty. */
  readonly bio?: string;
  readonly photo?: Image;
  /** Defaults to `world`. */
  readonly visibility?: ProfileVisibility;
  /** Seconds since the epoch; defaults to now. */
  readonly at?: number;
}

/** What the clear header of a sealed profile says (PROF-7): what the Operator files it by. */
export type ProfileHeader =
  | {
      readonly visibility: 'world';
      /** The world epoch whose key sealed it. */
      readonly epoch: number;
      /** The signed time of the profile inside (PROF-9 makes readers check they agree). */
      readonly at: number;
    }
  | {
      /** Sealed under its author's trusted circle key (CIR-9); the header names no generation. */
      readonly visibility: 'trusted';
      readonly at: number;
    };

/** An opened, verified profile. */
export interface OpenedProfile {
  readonly profile: Profile;
  /** The world epoch it was sealed under; 0 for a `trusted` profile (CIR-9). */
  readonly epoch: number;
  /** When it stops being valid (seconds): `at` + {@link PROFILE_TTL_SECONDS} (PROF-5). */
  readonly expiresAt: number;
  /** The key the signature was verified with. */
  readonly authorKey: PublicKey;
}

/** The author a reader expects, with the key the reader holds for that name (pinned or from a verified statement). */
export interface ProfileAuthor {
  readonly name: string;
  readonly key: PublicKey;
}

const PROFILE_FIELDS = ['v', 'name', 'display', 'bio', 'photo', 'vis', 'at'] as const;
// PROF-3: a display name is one line that shows as what it says: no C0/C1 controls, no line or paragraph
// separators, no bidi embeddings, overrides or isolates (which could make one name pass for another).
const DISPLAY_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// PROF-3: a bio may hold newlines and tabs, never other controls or bidi overrides.
const BIO_FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Makes a profile: the name normalised, the current time, visibility `world` unless given; then checks it
 * like a decoder would.
 * @throws ProtocolError INVALID_NAME, MALFORMED, TOO_LARGE when a field breaks a PROF rule
 * @example `const profile = createProfile({ name: 'alice', display: 'Alice', bio: 'Tenant organiser.' })`
 */
export function createProfile(init: ProfileInit): Profile {
  const profile: Profile = {
    v: PROFILE_VERSION,
    name: normaliseName(init.name),
    display: init.display,
    bio: init.bio ?? '',
    ...(init.photo ? { photo: init.photo } : {}),
    vis: init.visibility ?? 'world',
    at: init.at ?? Math.floor(Date.now() / 1000),
  };
  encodeProfile(profile);
  return profile;
}

/**
 * Encodes a profile canonically (PROF-1, ENC-2) after checking every field.
 * @returns the bytes that get signed
 * @throws ProtocolError INVALID_NAME, MALFORMED, TOO_LARGE, UNSUPPORTED_VERSION
 */
export function encodeProfile(profile: Profile): Uint8Array {
  const map = profileToMap(profile);
  readProfile(map);
  const bytes = encode(map);
  if (bytes.length > MAX_PROFILE_BYTES) throw new ProtocolError('TOO_LARGE', `a profile exceeds ${MAX_PROFILE_BYTES} bytes`);
  return bytes;
}

/**
 * Decodes a profile strictly, in the order of PROF-8: size, msgpack, version, fields, canonical form.
 * @throws ProtocolError TOO_LARGE, MALFORMED, TRAILING_BYTES, UNSUPPORTED_VERSION, INVALID_NAME
 */
export function decodeProfile(bytes: Uint8Array): Profile {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'a profile must be bytes');
  if (bytes.length > MAX_PROFILE_BYTES) throw new ProtocolError('TOO_LARGE', `a profile exceeds ${MAX_PROFILE_BYTES} bytes`);
  const profile = readProfile(decode(bytes, MAX_PROFILE_BYTES));
  // ENC-2: one profile, one encoding, so no two readers see the same signed bytes as two profiles.
  if (!bytesEqual(encode(profileToMap(profile)), bytes)) throw new ProtocolError('MALFORMED', 'profile is not in canonical form');
  return profile;
}

/**
 * Signs a profile and seals it under the world key of `epoch` (PROF-6, PROF-7).
 * @param profile - a profile whose `name` is the author's
 * @param author - the author's key pair
 * @param epochKey - the world key of `epoch` (FEED-2)
 * @param epoch - the world epoch, 0 to 2³²−1
 * @returns `0x01 || 0x01 || u32be(epoch) || u32be(at) || Secure Cell of pad(signed profile)`
 * @throws ProtocolError UNSUPPORTED_KIND (visibility `trusted`, pending trusted circles: PROF-12), and the
 *   profile's codes
 * @example `const sealed = sealProfile(profile, alice.keys, worldKey, epochOf(Date.now()))`
 */
export function sealProfile(profile: Profile, author: KeyPair, epochKey: SymmetricKey, epoch: number): Uint8Array {
  if (!(author instanceof KeyPair)) throw new TypeError('author must be a KeyPair');
  if (!(epochKey instanceof SymmetricKey)) throw new TypeError('epochKey must be a SymmetricKey');
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > 0xffff_ffff) throw new TypeError('epoch must be an integer from 0 to 2^32-1');
  const encoded = encodeProfile(profile);
  if (profile.vis !== 'world') throw new ProtocolError('MALFORMED', 'a profile for trusted comrades is sealed under the circle key (sealTrustedProfile)');
  return sealUnder(encoded, profile, author, epochKey, TAG.world, epoch);
}

/**
 * Signs a profile of visibility `trusted` and seals it under its author's current trusted circle key
 * (CIR-9): the header's tag is `0x02` and its 4-byte field after the tag 0, so the Operator learns
 * neither the circle's key nor how often it changed.
 * @param profile - a profile of visibility `trusted` whose `name` is the author's
 * @param author - the author's key pair
 * @param circleKey - the author's current circle key (CIR-1)
 * @returns `0x01 || 0x02 || u32be(0) || u32be(at) || Secure Cell of pad(signed profile)`
 * @throws ProtocolError MALFORMED (a `world` profile), and the profile's codes
 * @example `const sealed = sealTrustedProfile(createProfile({ name: 'alice', display: 'Alice', visibility: 'trusted' }), alice.keys, circleKey)`
 */
export function sealTrustedProfile(profile: Profile, author: KeyPair, circleKey: SymmetricKey): Uint8Array {
  if (!(author instanceof KeyPair)) throw new TypeError('author must be a KeyPair');
  if (!(circleKey instanceof SymmetricKey)) throw new TypeError('circleKey must be a SymmetricKey');
  const encoded = encodeProfile(profile);
  if (profile.vis !== 'trusted') throw new ProtocolError('MALFORMED', 'a profile for the world is sealed under a world key (sealProfile)');
  return sealUnder(encoded, profile, author, circleKey, TAG.trusted, 0);
}

/** PROF-7: the header, then the signed, padded profile in a Secure Cell bound to the header. */
function sealUnder(encoded: Uint8Array, profile: Profile, author: KeyPair, key: SymmetricKey, tag: number, epoch: number): Uint8Array {
  const header = new Uint8Array(PROFILE_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header[0] = PROFILE_VERSION;
  header[1] = tag;
  view.setUint32(2, epoch, false);
  view.setUint32(6, profile.at, false);
  const padded = pad(sign(author.privateKey, encoded));
  try {
    return concatBytes(header, cellSeal(key, padded, profileContext(header)));
  } finally {
    padded.fill(0);
  }
}

/**
 * Reads the clear header of a sealed profile without opening it (PROF-8 steps 1–4): what the Operator
 * checks and files it by, and what a reader needs to pick the key.
 * @throws ProtocolError MALFORMED (not bytes, unknown visibility tag, a `trusted` header naming an epoch),
 *   TOO_LARGE, TRUNCATED, UNSUPPORTED_VERSION
 */
export function profileHeader(bytes: Uint8Array): ProfileHeader {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'a sealed profile must be bytes');
  if (bytes.length > MAX_SEALED_PROFILE_BYTES) throw new ProtocolError('TOO_LARGE', `a sealed profile exceeds ${MAX_SEALED_PROFILE_BYTES} bytes`);
  if (bytes.length < 1) throw new ProtocolError('TRUNCATED', 'empty sealed profile');
  if (bytes[0] !== PROFILE_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `sealed profile version ${bytes[0]} is not supported`);
  if (bytes.length < 2) throw new ProtocolError('TRUNCATED', 'sealed profile shorter than its header');
  if (bytes[1] !== TAG.world && bytes[1] !== TAG.trusted) throw new ProtocolError('MALFORMED', `unknown profile visibility tag ${bytes[1]}`);
  if (bytes.length < PROFILE_HEADER_BYTES) throw new ProtocolError('TRUNCATED', 'sealed profile shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = view.getUint32(6, false);
  if (bytes[1] === TAG.world) return { visibility: 'world', epoch: view.getUint32(2, false), at };
  // CIR-9: a trusted profile's header names no generation (the Operator would learn how often the circle changed).
  if (view.getUint32(2, false) !== 0) throw new ProtocolError('MALFORMED', 'a profile for trusted comrades names no epoch');
  return { visibility: 'trusted', at };
}

/**
 * Opens a sealed profile and verifies it against the author the reader asked for, in the order of PROF-8:
 * header, key, cell, padding, signature (before a byte of the profile is decoded), profile, then the
 * cross-checks of PROF-9 and the expiry of PROF-5.
 * @param bytes - the sealed profile
 * @param epochKeyFor - the world key of an epoch
 * @param author - the name asked for and the reader's key for it
 * @param now - the reader's clock, seconds since the epoch (defaults to now)
 * @param circleKeys - for a `trusted` profile (CIR-9): the author's circle keys the reader holds, newest
 *   first; each is tried in turn
 * @throws ProtocolError the header's codes, DECRYPT_FAILED, TRUNCATED, TRAILING_BYTES, BAD_PADDING,
 *   BAD_SIGNATURE (framing), WRONG_AUTHOR, the profile's codes, MALFORMED (header and profile disagree),
 *   EXPIRED, FORBIDDEN (a `trusted` profile no circle key given opens), and whatever `epochKeyFor` throws
 * @example `const { profile } = await openProfile(sealed, (e) => keys.get(e)!, { name: 'alice', key: aliceKey })`
 */
export async function openProfile(
  bytes: Uint8Array,
  epochKeyFor: (epoch: number) => SymmetricKey | Promise<SymmetricKey>,
  author: ProfileAuthor,
  now: number = Math.floor(Date.now() / 1000),
  circleKeys: readonly SymmetricKey[] = [],
): Promise<OpenedProfile> {
  if (typeof epochKeyFor !== 'function') throw new TypeError('epochKeyFor must be a function');
  if (typeof author?.name !== 'string' || !(author.key instanceof PublicKey)) throw new TypeError('author must be { name, key: PublicKey }');
  const header = profileHeader(bytes);
  const cell = bytes.subarray(PROFILE_HEADER_BYTES);
  const context = profileContext(bytes.subarray(0, PROFILE_HEADER_BYTES));
  let signed: Uint8Array;
  if (header.visibility === 'world') {
    const key = await epochKeyFor(header.epoch);
    if (!(key instanceof SymmetricKey)) throw new TypeError('epochKeyFor must return a SymmetricKey');
    signed = unpad(cellOpen(key, cell, context));
  } else {
    signed = unpad(openWithAny(circleKeys, cell, context));
  }
  if (signed.length > MAX_SIGNED_PROFILE_BYTES) throw new ProtocolError('TOO_LARGE', `a signed profile exceeds ${MAX_SIGNED_PROFILE_BYTES} bytes`);
  // PROF-8 step 7: every holder of the epoch key can make a cell that opens; only the author's signature,
  // checked before anything inside is decoded, makes it the author's profile.
  checkSigned(signed);
  let message: Uint8Array;
  try {
    message = verify(author.key, signed);
  } catch (err) {
    if (ProtocolError.is(err, 'BAD_SIGNATURE')) throw new ProtocolError('WRONG_AUTHOR', 'the profile is not signed by the key held for its author', { cause: err });
    throw err;
  }
  const profile = decodeProfile(message);
  // PROF-9: the signed profile names the author asked for, and says what the clear header says.
  if (profile.name !== author.name) throw new ProtocolError('WRONG_AUTHOR', 'the profile is the profile of another name');
  if (profile.vis !== header.visibility || profile.at !== header.at) throw new ProtocolError('MALFORMED', 'the sealed header and the signed profile disagree');
  const expiresAt = profile.at + PROFILE_TTL_SECONDS;
  // PROF-5: an old profile kept or replayed by anyone is not shown as current.
  if (expiresAt <= now) throw new ProtocolError('EXPIRED', 'the profile has expired');
  return { profile, epoch: header.visibility === 'world' ? header.epoch : 0, expiresAt, authorKey: author.key };
}

/**
 * CIR-9: opens a trusted profile's cell with the first of `keys` that opens it (newest generation first).
 * @throws ProtocolError FORBIDDEN when none does: the reader is not (or no longer) trusted by the author
 */
function openWithAny(keys: readonly SymmetricKey[], cell: Uint8Array, context: Uint8Array): Uint8Array {
  for (const key of keys) {
    if (!(key instanceof SymmetricKey)) throw new TypeError('circleKeys must be SymmetricKeys');
    try {
      return cellOpen(key, cell, context);
    } catch (err) {
      if (!ProtocolError.is(err, 'DECRYPT_FAILED')) throw err;
    }
  }
  throw new ProtocolError('FORBIDDEN', 'this profile is only for the comrades its author trusts');
}

/** PROF-7: the Secure Cell context: `comrad/profile/v1` then the 10 header bytes, so no header byte can change. */
function profileContext(header: Uint8Array): Uint8Array {
  return concatBytes(utf8('comrad/profile/v1'), header);
}

/** PROF-8 steps over a decoded value. */
function readProfile(value: unknown): Profile {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolError('MALFORMED', 'profile must be a map');
  }
  // PROF-1: the version before anything else, so a newer profile is refused as such, not as malformed.
  const v = (value as Record<string, unknown>).v;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ProtocolError('MALFORMED', 'profile.v must be an integer');
  if (v !== PROFILE_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', `profile version ${v} is not supported`);
  const f = Fields.of(value, 'profile', PROFILE_FIELDS);
  const name = readNameField(f, 'name');
  const display = f.str('display', { min: 1, max: MAX_DISPLAY_CHARS });
  if (!wellFormed(display) || DISPLAY_FORBIDDEN.test(display)) throw new ProtocolError('MALFORMED', 'profile.display has characters that are not allowed');
  if (display.trim().length === 0) throw new ProtocolError('MALFORMED', 'profile.display is blank');
  const bio = f.str('bio', { max: MAX_BIO_CHARS });
  if (!wellFormed(bio) || BIO_FORBIDDEN.test(bio)) throw new ProtocolError('MALFORMED', 'profile.bio has characters that are not allowed');
  const photo = f.has('photo') ? readImage(f.raw('photo'), 'profile.photo', MAX_PROFILE_PHOTO_BYTES) : undefined;
  const vis = f.oneOf('vis', PROFILE_VISIBILITIES);
  const at = f.int('at', { min: 0, max: MAX_PROFILE_AT });
  return { v: PROFILE_VERSION, name, display, bio, ...(photo ? { photo } : {}), vis, at };
}

/** The canonical map of a profile: fields in PROF-1 order, an absent photo omitted. Values are not checked here. */
function profileToMap(p: Profile): Record<string, unknown> {
  if (typeof p !== 'object' || p === null) throw new TypeError('profile must be an object');
  const photo = p.photo === undefined || p.photo === null ? undefined : typeof p.photo === 'object' ? { mime: p.photo.mime, data: p.photo.data } : p.photo;
  return { v: p.v, name: p.name, display: p.display, bio: p.bio, ...(photo !== undefined ? { photo } : {}), vis: p.vis, at: p.at };
}
