/**
 * Trusted circles for one comrade (CIR-*): whom we trust gets our circle's key in a sealed `circle-key`
 * letter (CIR-2, CIR-4); untrusting someone makes a new key, sent to those still trusted, so the one who
 * left cannot read what is posted after (CIR-5); circle posts are channel posts under the current key
 * (CIR-7); the keys others send us are kept, and their rotations noticed, by the inbox (CIR-6).
 * @module
 */
import { ComradError, SymmetricKey, type PublicKey } from '@comrad/core';
import { normaliseName, type CircleKeyBody } from '@comrad/core/envelope';
import type { Keymaker } from '@comrad/core/keymaker';
import { UsageError } from '../errors.js';
import { MAX_TRUSTED, type CircleGeneration, type CircleStore, type OwnCircle } from '../store/circles.js';
import type { ChannelEntry, ChannelPage, RejectedChannelPost } from './channels.js';

/** What the circle code needs from the Comrade. */
export interface CircleHost {
  readonly me: Keymaker;
  readonly operatorKey: PublicKey;
  readonly store: CircleStore;
  now(): number;
  /** The Operator's longest post lifetime (days): a replaced key's posts are all gone that long after. */
  maxPostDays(): number;
  /** Looks `name` up in the registry and pins its key (CT-1); NOT_FOUND for a name no one holds. */
  know(name: string): Promise<void>;
  /** Sends a `circle-key` letter from us, sealed to `to` (CIR-2, SEAL-*), on its own connection (CL-1). */
  sendKey(to: string, body: CircleKeyBody): Promise<void>;
  /** One page of the channel of `key` (CHAN-8), verified. */
  readChannel(key: SymmetricKey, limit: number | undefined): Promise<ChannelPage>;
  /**
   * PROF-14: seals the trusted profile the Operator holds for us, if any, again under `key` (our new
   * current circle key) and sets it; `none` when it holds none, or one for the world.
   */
  resealProfile(key: SymmetricKey): Promise<'resealed' | 'none'>;
}

/**
 * What an untrust did to our profile (PROF-14): sealed again under the new key, nothing to do (none held,
 * or one for the world), or failed with `code` — then the untrusted comrade can still read it until we set
 * it again (`comrad profile set … --visibility trusted`).
 */
export type ProfileReseal = { readonly status: 'resealed' | 'none' } | { readonly status: 'failed'; readonly code: string };

/** Someone a circle-key letter did not reach (their new key must be sent again: `trust NAME`). */
export interface Unreached {
  readonly name: string;
  readonly code: string;
}

/** A post of a trusted circle, as the merged feed shows it. */
export interface CircleEntry extends ChannelEntry {
  /** Whose circle it was posted to: ours (our own name) or the owner's who trusts us. */
  readonly circle: string;
  /** The key generation it was sealed under. */
  readonly gen: number;
}

/** The body of the circle-key letter of generation `g` (CIR-2). */
function keyBody(g: CircleGeneration): CircleKeyBody {
  return { gen: g.gen, key: g.key.bytes() };
}

/**
 * CIR-4: trusts `name`: looked up (and pinned) first, so an unknown name is NOT_FOUND with nothing kept;
 * then kept as trusted (the circle made, generation 1, on the first trust) before the current key is
 * sent. Trusting someone already trusted sends them the current key again (a letter that was lost).
 * @returns whether they were added now, and the key generation they got
 */
export async function trust(host: CircleHost, name: string): Promise<{ name: string; added: boolean; gen: number }> {
  const who = normaliseName(name);
  if (who === host.me.name) throw new UsageError('BAD_ARGUMENT', 'you are always in your own circle');
  await host.know(who);
  const own: OwnCircle = (await host.store.own(host.operatorKey)) ?? { trusted: [], gens: [{ gen: 1, key: SymmetricKey.generate(), since: host.now() }] };
  const added = !own.trusted.includes(who);
  if (added && own.trusted.length >= MAX_TRUSTED) throw new UsageError('BAD_ARGUMENT', `a circle trusts at most ${MAX_TRUSTED} comrades`);
  const next = added ? { ...own, trusted: [...own.trusted, who].sort() } : own;
  // Kept before the letter leaves: a crash in between leaves them trusted, and `trust` again re-sends.
  await host.store.putOwn(host.operatorKey, next);
  const current = next.gens[next.gens.length - 1]!;
  await host.sendKey(who, keyBody(current));
  return { name: who, added, gen: current.gen };
}

/**
 * CIR-5: untrusts `name`: a new key (the next generation) is made and kept, then our trusted profile is
 * sealed again under it (PROF-14), then it is sent to each comrade still trusted; the one untrusted never
 * gets it, so nothing posted or shown from now on is theirs to read.
 * @returns the new generation, what became of our profile, who got the key, and whom a letter did not
 *   reach (send them the key again with `trust NAME`)
 * @throws UsageError NOT_TRUSTED when `name` is not in the circle (nothing changes)
 */
export async function untrust(host: CircleHost, name: string): Promise<{ name: string; gen: number; profile: ProfileReseal; sentTo: string[]; unreached: Unreached[] }> {
  const who = normaliseName(name);
  const own = await host.store.own(host.operatorKey);
  if (!own?.trusted.includes(who)) throw new UsageError('NOT_TRUSTED', `@${who} is not in your trusted circle: nothing changed`);
  const now = host.now();
  const previous = own.gens[own.gens.length - 1]!;
  const fresh: CircleGeneration = { gen: previous.gen + 1, key: SymmetricKey.generate(), since: now };
  const trusted = own.trusted.filter((n) => n !== who);
  // CIR-5: the new key is ours (and posts go under it) before any letter leaves.
  await host.store.putOwn(host.operatorKey, { trusted, gens: [...own.gens.slice(0, -1), { ...previous, replacedAt: now }, fresh] });
  // PROF-14: the profile moves to the new key before the key reaches anyone, so the window in which the
  // one untrusted can still read the profile as it stands is one request, not the whole fan-out; those
  // still trusted read it again once their letter arrives.
  let profile: ProfileReseal;
  try {
    profile = { status: await host.resealProfile(fresh.key) };
  } catch (err) {
    if (!ComradError.is(err)) throw err;
    profile = { status: 'failed', code: err.code };
  }
  const sentTo: string[] = [];
  const unreached: Unreached[] = [];
  for (const to of trusted) {
    try {
      await host.sendKey(to, keyBody(fresh));
      sentTo.push(to);
    } catch (err) {
      if (!ComradError.is(err)) throw err;
      unreached.push({ name: to, code: err.code });
    }
  }
  return { name: who, gen: fresh.gen, profile, sentTo, unreached };
}

/** CIR-7: the current key of our own circle; UsageError NO_CIRCLE while we trust no one and never did. */
export async function currentKey(host: CircleHost): Promise<{ key: SymmetricKey; gen: number }> {
  const own = await host.store.own(host.operatorKey);
  const current = own?.gens[own.gens.length - 1];
  if (!current) throw new UsageError('NO_CIRCLE', 'you have no trusted circle yet: trust someone first (comrad trust NAME)');
  return { key: current.key, gen: current.gen };
}

/** CIR-9: every circle key we hold for `owner`'s circle (ours when `owner` is us), newest generation first. */
export async function keysOf(host: CircleHost, owner: string): Promise<SymmetricKey[]> {
  const gens = owner === host.me.name ? (await host.store.own(host.operatorKey))?.gens : (await host.store.held(host.operatorKey)).find((c) => c.owner === owner)?.gens;
  return [...(gens ?? [])].reverse().map((g) => g.key);
}

/** The key of generation `gen` of `owner`'s circle (ours when `owner` is us), if we hold it. */
export async function keyOf(host: CircleHost, owner: string, gen: number): Promise<SymmetricKey | undefined> {
  const gens = owner === host.me.name ? (await host.store.own(host.operatorKey))?.gens : (await host.store.held(host.operatorKey)).find((c) => c.owner === owner)?.gens;
  return gens?.find((g) => g.gen === gen)?.key;
}

/** Whom we trust, and the circles we are in. */
export async function circles(host: CircleHost): Promise<{ trusted: string[]; gen?: number; trustedBy: { owner: string; gen: number }[] }> {
  return circlesOf(host.store, host.operatorKey);
}

/** {@link circles} from the home's circle store alone (no connection: `comrad trusted`). */
export async function circlesOf(store: CircleStore, operatorKey: PublicKey): Promise<{ trusted: string[]; gen?: number; trustedBy: { owner: string; gen: number }[] }> {
  const own = await store.own(operatorKey);
  const held = await store.held(operatorKey);
  const gen = own?.gens[own.gens.length - 1]?.gen;
  return { trusted: [...(own?.trusted ?? [])], ...(gen !== undefined ? { gen } : {}), trustedBy: held.map((c) => ({ owner: c.owner, gen: c.gens[c.gens.length - 1]!.gen })) };
}

/**
 * CIR-8: the posts of every circle whose key we hold — ours and those of whoever trusts us — from every
 * key generation that can still have live posts (a key replaced more than `maxPostDays` ago cannot),
 * each generation's channel on its own connection (CHAN-6), newest first.
 */
export async function circleFeed(host: CircleHost, limit: number | undefined): Promise<{ posts: CircleEntry[]; rejected: (RejectedChannelPost & { circle: string })[] }> {
  const own = await host.store.own(host.operatorKey);
  const sources = [...(own ? [{ owner: host.me.name, gens: own.gens }] : []), ...(await host.store.held(host.operatorKey))];
  const oldest = host.now() - (host.maxPostDays() + 1) * 86_400_000;
  const posts: CircleEntry[] = [];
  const rejected: (RejectedChannelPost & { circle: string })[] = [];
  for (const { owner, gens } of sources) {
    for (const g of gens) {
      if (g.replacedAt !== undefined && g.replacedAt < oldest) continue;
      const page = await host.readChannel(g.key, limit);
      posts.push(...page.posts.map((p) => ({ ...p, circle: owner, gen: g.gen })));
      rejected.push(...page.rejected.map((r) => ({ ...r, circle: owner })));
    }
  }
  posts.sort((a, b) => b.postedAt - a.postedAt || (a.id < b.id ? 1 : -1));
  return { posts: limit !== undefined ? posts.slice(0, limit) : posts, rejected };
}
