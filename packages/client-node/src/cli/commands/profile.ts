/**
 * `comrad profile set`, `comrad profile NAME`, and the profile `whois` shows (PROF-*): who a comrade says
 * they are, signed by them and verified here before anything of it is shown.
 * @module
 */
import { ComradError, ProtocolError } from '@comrad/core';
import type { ProfileVisibility } from '@comrad/core/envelope';
import type { Comrade, ProfileView } from '../../comrade/comrade.js';
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import { unixSeconds } from '../output.js';
import { imageJson, readImageFile, saveImage, utcMinute } from './mail.js';

/** `comrad profile set --name NAME [--bio TEXT] [--photo FILE] [--visibility world|trusted]`. */
export async function profileSet(ctx: Context, opts: { name?: string; bio?: string; photo?: string; visibility?: string }): Promise<void> {
  if (opts.name === undefined) throw new UsageError('USAGE', 'profile set needs --name, the name to be shown (see comrad profile set --help)');
  const photo = opts.photo !== undefined ? await readImageFile(opts.photo) : undefined;
  const visibility = (opts.visibility ?? 'world') as ProfileVisibility;
  await ctx.withComrade(true, async (c) => {
    const { profile, expiresAt } = await c.setProfile({ display: opts.name!, ...(opts.bio !== undefined ? { bio: opts.bio } : {}), ...(photo ? { photo } : {}), visibility });
    const audience = profile.visibility === 'trusted' ? 'the comrades you trust' : 'the world';
    ctx.out.line(`Profile of ${ctx.out.bold(`@${profile.name}`)} set for ${audience}`, `, kept until ${new Date(expiresAt).toISOString().slice(0, 10)} unless you set it again`);
    ctx.out.result({ ...profileJson(profile, undefined), expiresAt: unixSeconds(expiresAt) });
  });
}

/** `comrad profile NAME [--save-photo DIR]`: the profile verified against NAME's key (PROF-8, PROF-9). */
export async function profileShow(ctx: Context, name: string, opts: { savePhoto?: string }): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    let profile: ProfileView;
    try {
      profile = await c.profile(name);
    } catch (err) {
      throw noProfile(err, name);
    }
    const path = await showProfile(ctx, profile, opts.savePhoto);
    ctx.out.result(profileJson(profile, path));
  });
}

/**
 * The profile part of `whois` (needs an identity to read profiles): shown when there is one; none is
 * said plainly; a profile that fails verification is a warning, never shown.
 * @returns the profile for `--json`, or null
 */
export async function whoisProfile(ctx: Context, c: Comrade, name: string): Promise<unknown> {
  if (!c.identity) return null;
  try {
    const profile = await c.profile(name);
    await showProfile(ctx, profile, undefined);
    return profileJson(profile, undefined);
  } catch (err) {
    if (ComradError.is(err, 'NOT_FOUND')) {
      ctx.out.line(ctx.out.dim('no profile'));
      return null;
    }
    if (ComradError.is(err, 'FORBIDDEN')) {
      ctx.out.line(ctx.out.dim('a profile for the comrades they trust only'));
      return null;
    }
    if (!ComradError.is(err) || err.code === 'TIMEOUT' || err.code === 'CONNECTION_CLOSED' || err.code === 'KEY_CHANGED') throw err;
    ctx.out.warn(`the profile of @${name.replace(/^@/, '').toLowerCase()} failed verification (${err.code}): not shown`);
    return null;
  }
}

/** Shows a verified profile; its photo saved into `dir` when asked. All remote text goes through terminalSafe (CLI-4). */
async function showProfile(ctx: Context, p: ProfileView, dir: string | undefined): Promise<string | undefined> {
  const path = p.photo && dir ? await saveImage(dir, { id: `profile-${p.name}`, image: p.photo }) : undefined;
  const photo = p.photo ? [[`[photo ${p.photo.mime}, ${(p.photo.data.length / 1024).toFixed(1)} KiB${path ? ` → ${path}` : ''}]`]] : [];
  ctx.out.block([ctx.out.bold(p.display), ` @${p.name} · ${p.visibility} · signed ${utcMinute(p.at)} UTC`], p.bio, photo);
  if (p.photo && !path && dir === undefined && !ctx.out.json) ctx.out.hint('add `--save-photo DIR` to write the photo into DIR');
  return path;
}

/** A profile for machines (CLI-9: times in seconds). */
function profileJson(p: ProfileView, path: string | undefined) {
  return {
    name: p.name,
    display: p.display,
    bio: p.bio,
    visibility: p.visibility,
    at: p.at,
    validUntil: p.validUntil,
    ...(p.expiresAt ? { expiresAt: unixSeconds(p.expiresAt) } : {}),
    ...(p.photo ? { photo: imageJson(p.photo, path) } : {}),
  };
}

/** NOT_FOUND said plainly: no such comrade, or no profile (the Operator gives one answer for both, PROF-11). */
function noProfile(err: unknown, name: string): unknown {
  // CIR-9: a profile for someone's trusted circle, and we are not in it.
  if (ComradError.is(err, 'FORBIDDEN')) return new ProtocolError('FORBIDDEN', `@${name.replace(/^@/, '').toLowerCase()} shows their profile only to the comrades they trust`);
  if (!ComradError.is(err, 'NOT_FOUND')) return err;
  return new ProtocolError('NOT_FOUND', `@${name.replace(/^@/, '').toLowerCase()} has no profile at this Operator (or is not registered)`);
}
