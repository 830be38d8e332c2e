/**
 * Events for one comrade (EVT-*): host one (announced to the world feed, or only to those invited),
 * invite comrades with sealed `invite` letters, answer with a sealed `rsvp` letter to the host, and list
 * the events one hosts (with the answers), is invited to, or can see. Invitations and answers are letters
 * like any other (sealed sender, SEAL-*): the Operator learns neither who invites nor who answers. An
 * event is dropped once it has ended (EVT-8): the Operator's copies expire then, and so does this
 * client's record of it.
 * @module
 */
import { ComradError, KeyPair, PrivateKey, ProtocolError, PublicKey, SymmetricKey, fromHex, randomBytes, toHex } from '@comrad/core';
import {
  EVENT_ID_BYTES,
  WORLD_NAME,
  anonEventsKey,
  createLetter,
  decodeLetter,
  deriveChannel,
  normaliseName,
  openAnonEvent,
  openSealedLetter,
  proveHosting,
  checkHosting,
  sealAnonEvent,
  sealLetter,
  type EventBody,
  type EventLetter,
  type InviteLetter,
  type LetterContent,
  type RsvpAnswer,
  type RsvpLetter,
} from '@comrad/core/envelope';
import { decodeCollectiveKeys } from '@comrad/core/collective';
import type { Keymaker } from '@comrad/core/keymaker';
import { chanPowInput, epochOf, solvePowAsync } from '@comrad/core/wire';
import { lifeParams, type ChannelHost, type PostLife } from './channels.js';
import { UsageError } from '../errors.js';
import type { EventBook } from '../store/event-book.js';
import type { StoredLetter } from '../store/mail-store.js';

/** Shortest id prefix `event invite` and `event rsvp` take (4 bytes in hex). */
export const MIN_ID_PREFIX = 8;
const DAY_MS = 86_400_000;
/** MB-5: the shortest `ttl` a letter may ask for (ms). */
const MIN_TTL_MS = 60_000;
/** MB-5: the longest `ttl` (366 days, ms). */
const MAX_TTL_MS = 366 * DAY_MS;

/** Pages read per channel: a mailbox or a day of anonymous events beyond this is cut short. */
const MAX_CHANNEL_PAGES = 10;
/** EVT-10: how many days of the channel of anonymous events `events` reads back (today included). */
const ANON_DAYS = 7;

/** What the event code needs from the Comrade. */
export interface EventHost {
  readonly me: Keymaker;
  readonly operatorKey: PublicKey;
  /** Channels (CHAN-*): fresh connections never logged in, proof of work, our own statement. */
  readonly chan: ChannelHost;
  /** The world key of an epoch (FEED-2). */
  worldKey(epoch: number): Promise<SymmetricKey>;
  /**
   * TOK-12, EVT-15: the world key of an epoch for an anonymous action that follows: a login opened only
   * to fetch it is closed again before this resolves, so it is never open beside the action's connection.
   */
  worldKeyBeforeAnonymous(epoch: number): Promise<SymmetricKey>;
  /** EVT-15: files bytes in a channel paid with an unlinkable token, on a fresh connection that never logs in (TOK-10). */
  postPaid(cap: Uint8Array, post: Uint8Array, life: PostLife): Promise<void>;
  readonly book: EventBook;
  /** The Operator's `maxPostDays` (FEED-4). */
  readonly maxPostDays: number;
  /** The clock, ms. */
  now(): number;
  /** Seals `content` to `to` and sends it (SEAL-*), to be deleted by the Operator after `ttlMs` (MB-5). */
  sendLetter(to: string, content: LetterContent, ttlMs: number): Promise<void>;
  /** Posts an event letter to the world feed (FEED-3, EVT-7). */
  postWorld(letter: EventLetter, life: PostLife): Promise<{ id: string; expiresAt: number }>;
  /** Posts an event letter to our trusted circle, under its current key (EVT-16, CIR-7). */
  postTrusted(letter: EventLetter, life: PostLife): Promise<void>;
  /** The event letters in the trusted circles whose keys we hold, ours and others', verified (CIR-8). */
  trustedEvents(): Promise<{ circle: string; letter: EventLetter }[]>;
  /** Posts an event to a collective's members, as a message under its message key (EVT-14, COL-32). */
  postCollective(name: string, event: EventBody, life: PostLife): Promise<void>;
  /** The events in the feeds of the collectives this home is a member of (EVT-14), verified (COL-33). */
  collectiveEvents(): Promise<{ collective: string; author: string; event: EventBody }[]>;
  /** The event letters of the world feed, verified (POST-3, EVT-7). */
  worldEvents(): Promise<EventLetter[]>;
  /** The letters stored in this home, after fetching the waiting ones when `fetch`. */
  letters(fetch: boolean): Promise<StoredLetter[]>;
  /** Deletes a stored letter (an invitation to an event that has ended, EVT-8). */
  dropLetter(letter: StoredLetter): Promise<void>;
}

/** An event to host. */
export interface EventInput {
  readonly title: string;
  /** Seconds since the epoch. */
  readonly start: number;
  /** Seconds since the epoch, after `start` (EVT-4). */
  readonly end: number;
  readonly where: string;
  readonly note?: string;
  /**
   * `world`: posted to the world feed; `collective`: to the members of {@link EventInput.collective}
   * (EVT-14); `invited` (default): only those `event invite` names see it.
   */
  readonly to?: 'world' | 'invited' | 'collective' | 'trusted';
  /** With `to: 'collective'`: the collective's name. */
  readonly collective?: string;
  /** When the world feed drops it (seconds), at most `end` (default `end`, EVT-8). */
  readonly expires?: number;
  /**
   * EVT-10: host it anonymously: signed by a one-time key, posted without login to the world's channel of
   * anonymous events, answers to a one-time mailbox. Implies the world; no invitations.
   */
  readonly anonymous?: boolean;
}

/** One answer to a hosted event. */
export interface RsvpView {
  readonly name: string;
  readonly answer: RsvpAnswer;
  /** When they answered (the letter's signed `at`, seconds). */
  readonly at: number;
}

/** An event as `events` lists it. */
export interface EventView {
  /** The event id (EVT-2), 32 hex digits; `event invite` and `event rsvp` take it or a prefix of it. */
  readonly id: string;
  readonly host: string;
  readonly title: string;
  /** Seconds since the epoch. */
  readonly start: number;
  readonly end: number;
  readonly where: string;
  readonly note: string;
  /** `host`: ours; `invited`: an invitation reached us; `seen`: in the world feed. */
  readonly role: 'host' | 'invited' | 'seen';
  /** EVT-10: hosted anonymously (then `host` is empty for everyone but the host). */
  readonly anonymous?: boolean;
  /** Ours only: where it was announced (`trusted`: to our trusted circle, EVT-16). */
  readonly to?: 'world' | 'invited' | 'collective' | 'trusted';
  /** Posted to the trusted circle of this comrade (EVT-16). */
  readonly circle?: string;
  /** Posted to this collective's members (EVT-14). */
  readonly collective?: string;
  /** Ours only: who was invited. */
  readonly invited?: readonly string[];
  /** Ours only: the latest answer of each comrade who answered (EVT-6). */
  readonly rsvps?: readonly RsvpView[];
  /** Not ours: the answer we gave, if any. */
  readonly answer?: RsvpAnswer;
  /**
   * EVT-17: an invitation that claims its sender hosts an anonymous event: `verified` when the proof checks
   * under the one-time key of the anonymous event seen with that id, `failed` otherwise (then the sender
   * is not shown as its host).
   */
  readonly hostProof?: 'verified' | 'failed';
}

/**
 * Hosts an event: checked whole before anything is sent or kept (a title too long is TOO_LARGE, an event
 * that has ended EXPIRED); posted to the world feed with `to: 'world'`, else kept for invitations.
 * @returns the event as listed
 * @throws ProtocolError TOO_LARGE, MALFORMED (EVT-3, EVT-4), EXPIRED (ended already); UsageError
 *   BAD_ARGUMENT (an expiry after the end, or beyond the Operator's longest post)
 */
export async function createEvent(host: EventHost, input: EventInput): Promise<EventView> {
  const nowS = Math.floor(host.now() / 1000);
  const body: EventBody = {
    eid: randomBytes(EVENT_ID_BYTES),
    title: input.title,
    start: input.start,
    end: input.end,
    where: input.where,
    note: input.note ?? '',
  };
  const letter = createLetter({ kind: 'event', from: host.me.name, body, at: nowS });
  // EVT-8: an event is dropped at its end; one that has ended is not created.
  if (letter.body.end <= nowS) throw new ProtocolError('EXPIRED', 'the event has ended already: give a time to come');
  const to = input.anonymous ? 'world' : (input.to ?? 'invited');
  const id = toHex(letter.body.eid);
  if (to === 'world') {
    const life = eventLife(host, input.expires ?? letter.body.end, letter.body.end);
    if (input.anonymous) {
      // EVT-10, EVT-11: a key made for this event only, and a mailbox only its answers use; kept before
      // the post leaves, so a crash cannot leave an event whose answers nobody can open.
      const oneTime = KeyPair.generate();
      const box = SymmetricKey.generate();
      const anon = { key: oneTime.privateKey.bytes(), pub: oneTime.publicKey.bytes(), box: box.bytes() };
      await host.book.putHosted(host.operatorKey, id, { letter, to, invited: [], anon });
      const channelKey = anonEventsKey(await host.worldKeyBeforeAnonymous(epochOf(host.now())));
      // EVT-15: paid with a token, not with work: the Operator learns that some comrade posted it.
      await host.postPaid(deriveChannel(channelKey).cap, sealAnonEvent(letter.body, oneTime, box, channelKey), life);
      return view(letter, 'host', { to, invited: [], rsvps: [], anonymous: true });
    }
    await host.postWorld(letter, life);
  }
  if (to === 'trusted') {
    await host.postTrusted(letter, eventLife(host, letter.body.end, letter.body.end));
    await host.book.putHosted(host.operatorKey, id, { letter, to, invited: [] });
    return view(letter, 'host', { to, invited: [], rsvps: [] });
  }
  if (to === 'collective') {
    if (!input.collective) throw new UsageError('BAD_ARGUMENT', 'which collective? --to collective NAME');
    const collective = normaliseName(input.collective);
    await host.postCollective(collective, letter.body, eventLife(host, letter.body.end, letter.body.end));
    await host.book.putHosted(host.operatorKey, id, { letter, to, collective, invited: [] });
    return view(letter, 'host', { to, collective, invited: [], rsvps: [] });
  }
  await host.book.putHosted(host.operatorKey, id, { letter, to, invited: [] });
  return view(letter, 'host', { to, invited: [], rsvps: [] });
}

/**
 * EVT-8: how long the Operator keeps an event's post: until `expires` (seconds, at most the event's end),
 * as a `ttl` (FEED-4, CHAN-7), so its copy goes at that moment and not up to a day later as whole days
 * alone would make it; at least the shortest `ttl` (one minute), the only grace. The days only bound it.
 */
function eventLife(host: EventHost, expires: number, end: number): PostLife {
  const now = host.now();
  if (expires > end) throw new UsageError('BAD_ARGUMENT', 'an event is deleted when it ends: --expires cannot be later than its end');
  if (expires * 1000 <= now) throw new UsageError('BAD_ARGUMENT', '--expires must be in the future');
  const ttl = Math.max(MIN_TTL_MS, expires * 1000 - now);
  const expiresInDays = Math.max(1, Math.ceil(ttl / DAY_MS));
  if (expiresInDays > host.maxPostDays) throw new UsageError('BAD_ARGUMENT', `this Operator keeps posts ${host.maxPostDays} days at most: announce the event closer to its date`);
  return { expiresInDays, ttl };
}

/**
 * Invites comrades to an event this home hosts: one sealed `invite` letter each (EVT-5), deleted by the
 * Operator at the event's end if not fetched by then.
 * @param id - the event id or a prefix of it (at least {@link MIN_ID_PREFIX} hex digits)
 * @returns the names invited now, normalised
 * @throws ProtocolError NOT_FOUND (no such event hosted here), EXPIRED (it has ended), INVALID_NAME, the
 *   send's codes
 */
export async function invite(host: EventHost, id: string, names: readonly string[]): Promise<{ id: string; invited: string[] }> {
  const nowS = Math.floor(host.now() / 1000);
  const { hosted } = await host.book.read(host.operatorKey, nowS);
  const eid = resolve(id, [...hosted.keys()], 'you host no event');
  const event = hosted.get(eid)!;
  // EVT-13: an invitation is signed by its sender: it would name the host of an anonymous event.
  if (event.anon) throw new UsageError('BAD_ARGUMENT', 'an anonymous event has no invitations: they would be signed by you');
  const who = names.map((n) => normaliseName(n));
  const ttl = ttlUntil(event.letter.body.end, host.now());
  const done: string[] = [];
  try {
    for (const name of who) {
      await host.sendLetter(name, { kind: 'invite', body: { event: event.letter.body } }, ttl);
      done.push(name);
    }
  } finally {
    if (done.length > 0) await host.book.putHosted(host.operatorKey, eid, { ...event, invited: [...new Set([...event.invited, ...done])] });
  }
  return { id: eid, invited: done };
}

/**
 * EVT-17: proves to one comrade that we host an anonymous event: an invitation from us carrying a
 * signature by the event's one-time key over the event, our name and theirs. It names us to them only.
 * @throws ProtocolError NOT_FOUND (no anonymous event hosted here with that id), the send's codes
 */
export async function proveHost(host: EventHost, id: string, name: string): Promise<{ id: string; to: string }> {
  const { hosted } = await host.book.read(host.operatorKey, Math.floor(host.now() / 1000));
  const anonymous = [...hosted].filter(([, h]) => h.anon).map(([eid]) => eid);
  const eid = resolve(id, anonymous, 'you host no anonymous event');
  const event = hosted.get(eid)!;
  const to = normaliseName(name);
  const oneTime = new KeyPair(PrivateKey.from(event.anon!.key), PublicKey.from(event.anon!.pub));
  const proof = proveHosting(oneTime, event.letter.body.eid, host.me.name, to);
  await host.sendLetter(to, { kind: 'invite', body: { event: event.letter.body, proof } }, ttlUntil(event.letter.body.end, host.now()));
  return { id: eid, to };
}

/**
 * Answers an event: a sealed `rsvp` letter to its host (EVT-6). Only an event this home knows of (invited,
 * or seen in the world feed) can be answered; nothing is sent otherwise.
 * @param id - the event id or a prefix of it
 * @throws ProtocolError NOT_FOUND (no such event known here), EXPIRED (it has ended); UsageError
 *   BAD_ARGUMENT (our own event, or a prefix that fits several)
 */
export async function rsvp(host: EventHost, id: string, answer: RsvpAnswer): Promise<{ id: string; host: string; answer: RsvpAnswer }> {
  const { views: known, anon } = await collect(host);
  const others = known.filter((e) => e.role !== 'host');
  const eid = resolve(id, others.map((e) => e.id), known.some((e) => e.role === 'host' && e.id.startsWith(id.toLowerCase())) ? 'that is your own event; you know of no other' : 'you know of no event');
  const event = others.find((e) => e.id === eid)!;
  const content: LetterContent = { kind: 'rsvp', body: { eid: fromHex(eid), answer } };
  const oneTime = anon.get(eid);
  if (oneTime) {
    // EVT-12: to the one-time mailbox, sealed to the one-time key, on a connection that never logs in.
    const letter = createLetter({ ...content, from: host.me.name, to: WORLD_NAME, at: Math.floor(host.now() / 1000) });
    const sealed = sealLetter(letter, host.me.keys, oneTime.key, await host.chan.statement());
    await postRaw(host.chan, oneTime.box, sealed, eventLife(host, event.end, event.end));
  } else {
    await host.sendLetter(event.host, content, ttlUntil(event.end, host.now()));
  }
  await host.book.putAnswer(host.operatorKey, eid, { answer, end: event.end });
  return { id: eid, host: event.host, answer };
}

/**
 * Every event this home knows of and that has not ended (EVT-8): those it hosts, with the latest answer
 * of each comrade who answered; those it was invited to; those in the world feed. Fetches waiting letters
 * first (left unseen for `inbox`). Invitations to events that have ended are deleted from the home.
 * @returns hosted first, then the others, each by start time
 */
export async function listEvents(host: EventHost): Promise<EventView[]> {
  return (await collect(host)).views;
}

/** The events of {@link listEvents}, and the one-time key and mailbox of each anonymous one seen. */
async function collect(host: EventHost): Promise<{ views: EventView[]; anon: Map<string, { key: PublicKey; box: SymmetricKey }> }> {
  const nowS = Math.floor(host.now() / 1000);
  const letters = await host.letters(true);
  const { hosted, answers } = await host.book.read(host.operatorKey, nowS);
  const rsvps = new Map<string, Map<string, RsvpView>>();
  const invited = new Map<string, EventView>();
  const claims = new Map<string, { from: string; proof: Uint8Array; event: EventBody }>();
  for (const stored of letters) {
    if (stored.kind === undefined || !stored.letter) continue;
    let letter: InviteLetter | RsvpLetter;
    try {
      const decoded = decodeLetter(stored.letter);
      if (decoded.kind !== 'invite' && decoded.kind !== 'rsvp') continue;
      letter = decoded;
    } catch (err) {
      if (err instanceof ProtocolError) continue;
      throw err;
    }
    if (letter.kind === 'rsvp') {
      const eid = toHex(letter.body.eid);
      if (!hosted.has(eid)) continue;
      const byName = rsvps.get(eid) ?? new Map<string, RsvpView>();
      const held = byName.get(letter.from);
      // EVT-6: a comrade's latest answer counts (by its signed time; the same second: the one read last).
      if (!held || held.at <= letter.at) byName.set(letter.from, { name: letter.from, answer: letter.body.answer, at: letter.at });
      rsvps.set(eid, byName);
      continue;
    }
    if (!('event' in letter.body)) continue;
    const event = letter.body.event;
    if (event.end <= nowS) {
      await host.dropLetter(stored); // EVT-8
      continue;
    }
    const eid = toHex(event.eid);
    if (hosted.has(eid)) continue;
    if ('proof' in letter.body && letter.body.proof) {
      claims.set(eid, { from: letter.from, proof: letter.body.proof, event });
      continue;
    }
    const answer = answers.get(eid)?.answer;
    invited.set(eid, view({ from: letter.from, body: event }, 'invited', answer ? { answer } : {}));
  }
  const seen = new Map<string, EventView>();
  for (const letter of await host.worldEvents()) {
    const eid = toHex(letter.body.eid);
    if (letter.body.end <= nowS || hosted.has(eid) || invited.has(eid) || seen.has(eid)) continue;
    const answer = answers.get(eid)?.answer;
    seen.set(eid, view(letter, 'seen', answer ? { answer } : {}));
  }
  // EVT-16: the events posted to the trusted circles we are in.
  for (const { circle, letter } of await host.trustedEvents()) {
    const eid = toHex(letter.body.eid);
    if (letter.body.end <= nowS || letter.from === host.me.name || hosted.has(eid) || invited.has(eid) || seen.has(eid)) continue;
    const answer = answers.get(eid)?.answer;
    seen.set(eid, view(letter, 'seen', { circle, ...(answer ? { answer } : {}) }));
  }
  // EVT-14: the events posted to the members of the collectives we belong to.
  for (const { collective, author, event } of await host.collectiveEvents()) {
    const eid = toHex(event.eid);
    if (event.end <= nowS || author === host.me.name || hosted.has(eid) || invited.has(eid) || seen.has(eid)) continue;
    const answer = answers.get(eid)?.answer;
    seen.set(eid, view({ from: author, body: event }, 'seen', { collective, ...(answer ? { answer } : {}) }));
  }
  // EVT-10: the anonymous events of the last days, each verified under the one-time key it carries.
  const anon = new Map<string, { key: PublicKey; box: SymmetricKey }>();
  for (const post of await anonPosts(host, nowS)) {
    const eid = toHex(post.event.eid);
    const claim = claims.get(eid);
    if (claim && post.event.end > nowS && !invited.has(eid)) {
      // EVT-17: the one-time key of the event itself signed that this sender hosts it, for us.
      claims.delete(eid);
      const proven = checkHosting(claim.proof, post.key, post.event.eid, claim.from, host.me.name);
      const answer = answers.get(eid)?.answer;
      anon.set(eid, { key: post.key, box: post.box });
      if (proven) {
        invited.set(eid, view({ from: claim.from, body: post.event }, 'invited', { anonymous: true, hostProof: 'verified', ...(answer ? { answer } : {}) }));
        continue;
      }
      seen.set(eid, view({ from: '', body: post.event }, 'seen', { anonymous: true, hostProof: 'failed', ...(answer ? { answer } : {}) }));
      continue;
    }
    if (post.event.end <= nowS || hosted.has(eid) || invited.has(eid) || seen.has(eid)) continue;
    anon.set(eid, { key: post.key, box: post.box });
    const answer = answers.get(eid)?.answer;
    seen.set(eid, view({ from: '', body: post.event }, 'seen', { anonymous: true, ...(answer ? { answer } : {}) }));
  }
  // EVT-17: a claim for an anonymous event we do not see is an invitation whose host is not proven.
  for (const [eid, c] of claims) {
    if (invited.has(eid) || seen.has(eid)) continue;
    const answer = answers.get(eid)?.answer;
    invited.set(eid, view({ from: c.from, body: c.event }, 'invited', { hostProof: 'failed', ...(answer ? { answer } : {}) }));
  }
  // EVT-12: the answers to our anonymous events wait in their mailboxes, sealed to their one-time keys.
  for (const [eid, h] of hosted) {
    if (!h.anon) continue;
    const byName = rsvps.get(eid) ?? new Map<string, RsvpView>();
    for (const letter of await mailbox(host, h.anon, eid)) {
      const held = byName.get(letter.from);
      if (!held || held.at <= letter.at) byName.set(letter.from, { name: letter.from, answer: letter.body.answer, at: letter.at });
    }
    rsvps.set(eid, byName);
  }
  const mine = [...hosted].map(([eid, h]) =>
    view(h.letter, 'host', { to: h.to, ...(h.collective ? { collective: h.collective } : {}), invited: h.invited, rsvps: [...(rsvps.get(eid)?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1)), ...(h.anon ? { anonymous: true } : {}) }),
  );
  const byStart = (a: EventView, b: EventView) => a.start - b.start || (a.id < b.id ? -1 : 1);
  return { views: [...mine.sort(byStart), ...[...invited.values(), ...seen.values()].sort(byStart)], anon };
}

/** EVT-10: the opened posts of the channels of anonymous events of the last {@link ANON_DAYS} epochs. */
async function anonPosts(host: EventHost, nowS: number): Promise<ReturnType<typeof openAnonEvent>[]> {
  const today = epochOf(nowS * 1000);
  const keys: SymmetricKey[] = [];
  for (let e = today; e > today - ANON_DAYS && e >= 0; e--) {
    try {
      keys.push(anonEventsKey(await host.worldKey(e)));
    } catch (err) {
      // An epoch the Operator no longer keeps (or not yet) has no channel to read.
      if (!ComradError.is(err) || err.code === 'TIMEOUT' || err.code === 'CONNECTION_CLOSED') throw err;
    }
  }
  const out = [];
  for (const [i, posts] of (await readRaw(host.chan, keys)).entries()) {
    for (const bytes of posts) {
      try {
        out.push(openAnonEvent(bytes, keys[i]!));
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
      }
    }
  }
  return out;
}

/** EVT-12: the answers in an anonymous event's mailbox that open with its one-time key and answer it. */
async function mailbox(host: EventHost, anon: { key: Uint8Array; pub: Uint8Array; box: Uint8Array }, eid: string): Promise<RsvpLetter[]> {
  const recipient = { name: WORLD_NAME, keys: new KeyPair(PrivateKey.from(anon.key), PublicKey.from(anon.pub)) };
  const out: RsvpLetter[] = [];
  for (const bytes of (await readRaw(host.chan, [SymmetricKey.from(anon.box)]))[0]!) {
    try {
      const { letter } = await openSealedLetter(bytes, recipient, host.operatorKey);
      if (letter.kind === 'rsvp' && toHex(letter.body.eid) === eid) out.push(letter);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
    }
  }
  return out;
}

/** CHAN-6, CHAN-7: files opaque bytes in the channel of `key`, on a fresh connection that never logs in. */
async function postRaw(chan: ChannelHost, key: SymmetricKey, post: Uint8Array, life: PostLife): Promise<void> {
  const { cap } = deriveChannel(key);
  await chan.oneShot(async (conn) => {
    const bits = await chan.powBits(conn);
    const pow = bits > 0 ? await solvePowAsync((n) => chanPowInput(conn.hello.challenge, cap, post, n), bits) : undefined;
    await conn.request('chanPost', { cap, post, ...lifeParams(life), ...(pow ? { pow } : {}) });
  });
}

/** CHAN-8: every post of each channel (newest first), all on one fresh connection that never logs in. */
async function readRaw(chan: ChannelHost, keys: readonly SymmetricKey[]): Promise<Uint8Array[][]> {
  if (keys.length === 0) return [];
  return chan.oneShot(async (conn) => {
    const out: Uint8Array[][] = [];
    for (const key of keys) {
      const posts: Uint8Array[] = [];
      let before: string | undefined;
      for (let page = 0; page < MAX_CHANNEL_PAGES; page++) {
        const res = await conn.request('chanFeed', { chan: deriveChannel(key).id, ...(before !== undefined ? { before } : {}) });
        posts.push(...res.posts.map((p) => p.post));
        if (res.next === undefined) break;
        before = res.next;
      }
      out.push(posts);
    }
    return out;
  });
}

/**
 * What an `invite` or `rsvp` letter says, in words, for the inbox (EVT-5, EVT-6).
 * @internal
 */
export function describeLetter(letter: InviteLetter | RsvpLetter): string {
  if (letter.kind === 'rsvp') {
    return `answers ${letter.body.answer} to your event ${toHex(letter.body.eid).slice(0, MIN_ID_PREFIX)} (see: comrad events)`;
  }
  if ('collective' in letter.body) {
    let name: string;
    try {
      name = decodeCollectiveKeys(letter.body.collective).name;
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return `@${letter.from} sent an invitation to a collective that does not open (${err.code})`;
    }
    return `@${letter.from} invites you to the collective @${name}. To ask to join: comrad collective request ${name}`;
  }
  const e = letter.body.event;
  const id = toHex(e.eid).slice(0, MIN_ID_PREFIX);
  return `@${letter.from} invites you to "${e.title}", ${formatWhen(e.start, e.end)}, at ${e.where}.${e.note ? `\n${e.note}` : ''}\nTo answer: comrad event rsvp ${id} yes|no|maybe`;
}

/**
 * `2026-12-01 18:00–20:00 UTC`, or with both dates when it spans days.
 * @param start - seconds
 * @param end - seconds
 */
export function formatWhen(start: number, end: number): string {
  const iso = (s: number) => new Date(s * 1000).toISOString().slice(0, 16).replace('T', ' ');
  const a = iso(start);
  const b = iso(end);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a}–${b.slice(11)} UTC` : `${a} – ${b} UTC`;
}

function view(letter: Pick<EventLetter, 'from' | 'body'>, role: EventView['role'], extra: Partial<EventView>): EventView {
  const e = letter.body;
  return { id: toHex(e.eid), host: letter.from, title: e.title, start: e.start, end: e.end, where: e.where, note: e.note, role, ...extra };
}

/** The one id among `ids` that `given` is, or starts with. */
function resolve(given: string, ids: readonly string[], none: string): string {
  const id = String(given).trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(id) || id.length > EVENT_ID_BYTES * 2) throw new UsageError('BAD_ARGUMENT', `an event id is hex digits, as comrad events shows it`);
  const hits = ids.filter((x) => x.startsWith(id));
  if (hits.length === 0 || (hits.length === 1 && id.length < MIN_ID_PREFIX && hits[0] !== id)) {
    throw new ProtocolError('NOT_FOUND', `${none} ${id}${id.length < MIN_ID_PREFIX ? ` (give at least ${MIN_ID_PREFIX} digits)` : ''}: see comrad events`);
  }
  if (hits.length > 1) throw new UsageError('BAD_ARGUMENT', `${id} fits ${hits.length} events: give more digits`);
  return hits[0]!;
}

/** MB-5: a letter about an event is deleted by the Operator when the event ends, if not fetched before. */
function ttlUntil(endS: number, nowMs: number): number {
  return Math.min(MAX_TTL_MS, Math.max(MIN_TTL_MS, endS * 1000 - nowMs));
}
