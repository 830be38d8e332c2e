/**
 * Profiles and the trusted circle, for the Profile and Trusted screens: our own profile set for the world
 * or for those we trust (PROF-*, CIR-9), another comrade's profile read and verified, trust and untrust
 * (CIR-4, CIR-5), and the posts of the circles whose keys we hold (CIR-8). Every action is the Comrade's,
 * as the CLI's `profile`, `trust`, `untrust`, `trusted` and `feed` use it; the page gets names, texts and
 * images by URL, never a key.
 * @module
 */
import { normaliseName, PROFILE_VISIBILITIES, type ProfileVisibility } from '@comrad/core/envelope';
import type { ProfileView } from '../../comrade/comrade.js';
import { UsageError } from '../../errors.js';
import { imageOf, optStr, str, type Input } from '../input.js';
import type { Route, RouteContext } from './index.js';

/** The Profile and Trusted screens' routes. */
export function socialRoutes(ctx: RouteContext): Record<string, Route> {
  const profileJson = (p: ProfileView) => {
    const photo = p.photo ? ctx.blobUrl(p.photo) : undefined;
    return { name: p.name, display: p.display, bio: p.bio, visibility: p.visibility, at: p.at, validUntil: p.validUntil, expiresAt: p.expiresAt, ...(photo ? { photo } : {}) };
  };
  return {
    /** A comrade's profile, verified (PROF-8, PROF-9); ours when no name is given. */
    'GET /api/profile': async (i: Input) => {
      const c = ctx.ready();
      const name = normaliseName(optStr(i, 'name', 64) ?? c.identity!.name);
      const profile = await c.profile(name);
      ctx.touch();
      return profileJson(profile);
    },

    /** Publishes our profile: the photo re-encoded without metadata by the Comrade (PROF-13). */
    'POST /api/profile': async (i: Input) => {
      const visibility = optStr(i, 'visibility', 16) ?? 'world';
      if (!(PROFILE_VISIBILITIES as readonly string[]).includes(visibility)) throw new UsageError('BAD_ARGUMENT', `visibility is one of ${PROFILE_VISIBILITIES.join(', ')}`);
      const bio = optStr(i, 'bio', 2000);
      const photo = imageOf(i, 'photo');
      const { profile, expiresAt } = await ctx.serial(() =>
        ctx.ready().setProfile({ display: str(i, 'display', 256), ...(bio !== undefined ? { bio } : {}), ...(photo ? { photo } : {}), visibility: visibility as ProfileVisibility }),
      );
      ctx.touch();
      return { ...profileJson(profile), expiresAt };
    },

    /** Whom we trust, our key's generation, and who trusts us (the home alone). */
    'GET /api/circle': async () => ctx.ready().trusted(),

    // Trust and untrust run one at a time: each reads and rewrites the circle in the home.

    /** CIR-4: they get our circle's current key by sealed letter. */
    'POST /api/circle/trust': async (i: Input) => {
      const res = await ctx.serial(() => ctx.ready().trust(str(i, 'name', 64)));
      ctx.touch();
      return res;
    },

    /** CIR-5: a new key for everyone still trusted; the page says what became of the profile (PROF-14). */
    'POST /api/circle/untrust': async (i: Input) => {
      const res = await ctx.serial(() => ctx.ready().untrust(str(i, 'name', 64)));
      ctx.touch();
      return res;
    },

    /**
     * CIR-8: the posts of every circle whose key we hold (ours and those of who trusts us), newest first,
     * with their tallies; the Comrade remembers each shown post's channel, so `POST /api/post/vote` votes
     * on it there (VOTE-7).
     */
    'GET /api/circle/feed': async () => {
      // Each channel is read on a connection of its own (CHAN-6): nothing to serialise with the session.
      const { posts, rejected } = await ctx.ready().circleFeed({ limit: 50 });
      ctx.touch();
      return {
        // Other kinds posted to a circle (events) are the Events screen's.
        posts: posts
          .filter((p) => p.kind === 'post')
          .map((p) => {
            const image = p.image ? ctx.blobUrl(p.image) : undefined;
            return { id: p.id, circle: p.circle, gen: p.gen, author: p.author, text: p.text, at: p.at, expiresAt: p.expiresAt, up: p.up, down: p.down, ...(image ? { image } : {}) };
          }),
        rejected: rejected.map((r) => ({ circle: r.circle, code: r.code })),
      };
    },
  };
}
