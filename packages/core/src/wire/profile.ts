/**
 * Profiles on the wire (PROF-10, PROF-11): `profileSet` hands the Operator the author's sealed profile,
 * kept only if it is newer than the one held, on the author's logged-in connection (the session's name is
 * the profile's); `profileGet` asks for the latest profile of a name, on any connection, logged in or not:
 * readers ask on a connection that does not name them (as for `lookup`, CL-1), and only registered
 * comrades hold the world key that opens what it answers.
 * @module
 */
import type { Fields } from '../codec/index.js';
import { MAX_SEALED_PROFILE_BYTES } from '../envelope/profile.js';
import { TIME_BOUNDS, mapOf, readName } from './_bounds.js';

const PROFILE_BOUNDS = { min: 1, max: MAX_SEALED_PROFILE_BYTES } as const;

/** Parameters of `profileSet`. */
export interface ProfileSetParams {
  /** The sealed profile (`sealProfile`): its header's `at` must be newer than the profile held (PROF-10). */
  readonly profile: Uint8Array;
}

/** Result of `profileSet`. */
export interface ProfileSetResult {
  /** When the Operator deletes it unless replaced (ms, PROF-10). */
  readonly expiresAt: number;
}

/** Parameters of `profileGet`. */
export interface ProfileGetParams {
  /** Whose profile. */
  readonly name: string;
}

/** Result of `profileGet`: the latest profile held for the name. */
export interface ProfileGetResult {
  /** The sealed profile, exactly as its author put it. */
  readonly profile: Uint8Array;
  /** When the Operator deletes it unless replaced (ms). */
  readonly expiresAt: number;
}

/** @internal */
export const profileSetCodec = {
  keys: ['profile'] as const,
  encodeParams: (p: ProfileSetParams) => ({ profile: p.profile }),
  decodeParams: (f: Fields): ProfileSetParams => ({ profile: f.bytes('profile', PROFILE_BOUNDS) }),
  encodeResult: (r: ProfileSetResult) => ({ expiresAt: r.expiresAt }),
  decodeResult: (value: unknown): ProfileSetResult => ({ expiresAt: mapOf(value, 'profileSet result', ['expiresAt']).int('expiresAt', TIME_BOUNDS) }),
};

/** @internal */
export const profileGetCodec = {
  keys: ['name'] as const,
  encodeParams: (p: ProfileGetParams) => ({ name: p.name }),
  decodeParams: (f: Fields): ProfileGetParams => ({ name: readName(f, 'name') }),
  encodeResult: (r: ProfileGetResult) => ({ profile: r.profile, expiresAt: r.expiresAt }),
  decodeResult: (value: unknown): ProfileGetResult => {
    const f = mapOf(value, 'profileGet result', ['profile', 'expiresAt']);
    return { profile: f.bytes('profile', PROFILE_BOUNDS), expiresAt: f.int('expiresAt', TIME_BOUNDS) };
  },
};
