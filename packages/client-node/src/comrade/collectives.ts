/**
 * Collectives for one comrade (COL-*): found one (its name registered with the collective's own key,
 * COL-25), invite a comrade (the keys in a sealed letter, COL-26), ask to join, vouch (admitting the
 * candidate when the vouch completes the quorum), propose and vote on amendments, leave. Every call reads
 * the whole log from the Operator on a fresh connection that is not logged in (COL-20), opens each entry
 * (COL-24) and folds it with `foldLog`, every event checked against the registry's key of its author
 * (COL-7, COL-27): nothing is taken from the Operator but the entries' order. An act is checked against the
 * folded state before it is sent — a refused act is a typed error and appends nothing — and sent with
 * compare-and-append at the end of the log read; when the log grew meanwhile, it is read again, the act
 * decided again and signed again on the new head (COL-19).
 * @module
 */
import { ComradError, ProtocolError, SymmetricKey, type KeyPair, type PublicKey } from '@comrad/core';
import {
  acceptedEvents,
  applyEvent,
  channelKey,
  createCollectivePost,
  decodeCollectiveKeys,
  decodeEvent,
  emptyCollective,
  encodeCollectiveKeys,
  epochKeys,
  foldLog,
  newCollectiveKeys,
  nextEvent,
  nextKeyEvent,
  openEntry,
  openMessage,
  quorum,
  rotationDue,
  sealEntry,
  sealMessage,
  signAppend,
  signEvent,
  type CollectiveEvent,
  type CollectiveKeys,
  type CollectiveState,
  type EpochKeys,
  type KeysOf,
  type Constitution,
  type EventBody,
  type Rejection,
} from '@comrad/core/collective';
import { checkRegistrableName, decodeLetter, deriveChannel, normaliseName, type EventBody as GatheringBody, type Image, type LetterContent, type TextBody } from '@comrad/core/envelope';
import type { Keymaker } from '@comrad/core/keymaker';
import type { CollectiveKeyring } from '../store/collective-keyring.js';
import type { StoredLetter } from '../store/mail-store.js';
import type { OperatorConnection } from '../transport/connection.js';
import { fileSealed, type PostLife } from './channels.js';

/** COL-19: how many times an act is rebuilt on a newer head before giving up (RATE_LIMITED). */
const MAX_ATTEMPTS = 8;

/** What the collective code needs from the Comrade: its identity, keys, registry and connections. */
export interface CollectiveHost {
  readonly me: Keymaker;
  readonly operatorKey: PublicKey;
  readonly keyring: CollectiveKeyring;
  now(): number;
  /** A fresh connection that is never logged in (CL-1), closed after `use`. */
  oneShot<T>(use: (conn: OperatorConnection) => Promise<T>): Promise<T>;
  /** The registry's keys of event authors, verified and pinned (a failure is that author's error). */
  authorKeys(names: string[]): Promise<Map<string, PublicKey | Error>>;
  /** The registry's key for a name, verified (REG-4), not pinned as a contact. */
  registryKey(name: string): Promise<PublicKey>;
  /** Registers `name` with `pair` (REG-3, REG-6). */
  register(name: string, pair: KeyPair): Promise<void>;
  /** Sends a letter (SEAL-*). */
  send(to: string, text: string): Promise<void>;
  /** Sends a letter of any kind (SEAL-*): an invitation is an `invite` letter (COL-26, EVT-5). */
  sendLetter(to: string, content: LetterContent): Promise<void>;
  /** The letters stored in this home, after fetching the waiting ones when `fetch`. */
  letters(fetch: boolean): Promise<StoredLetter[]>;
  /** The proof-of-work bits the Operator asks of a `send`, which a channel post costs too (CHAN-7). */
  powBits(conn: OperatorConnection): Promise<number>;
}

/** A message of a collective's feed, opened and verified (COL-33). */
export interface CollectiveMessage {
  /** The Operator's id for it in the collective's channel (pass as `before` to page on). */
  readonly id: string;
  /** Its author, who held the key of its epoch (COL-33 step 9). */
  readonly author: string;
  readonly text: string;
  readonly image?: Image;
  /** When the author wrote it (seconds, their claim). */
  readonly at: number;
  /** When the Operator stored it, and when it deletes it (ms). */
  readonly postedAt: number;
  readonly expiresAt: number;
  /** The epoch of the message key it was sealed under (COL-29). */
  readonly epoch: number;
  /** True when its author is no longer a member (COL-33: shown marked). */
  readonly former: boolean;
  /** VOTE-10: up votes held now. */
  readonly up: number;
  /** VOTE-10: down votes held now. */
  readonly down: number;
}

/** An event posted to a collective's members (EVT-14), as its feed holds it. */
export interface CollectiveEventPost {
  readonly author: string;
  readonly event: GatheringBody;
  /** When the Operator deletes it (ms). */
  readonly expiresAt: number;
}

/** A page of a collective's feed. */
export interface CollectiveFeedPage {
  readonly messages: CollectiveMessage[];
  /** Events posted to the members (EVT-14): listed by `events`, not shown as messages. */
  readonly events?: CollectiveEventPost[];
  /**
   * Messages that did not open, by id and code: `NOT_FOUND` for one sealed under a key this member never
   * held (posted before they joined or after they left, COL-35), others for damage or forgery.
   */
  readonly unreadable: { readonly id: string; readonly code: string }[];
  /** Pass as `before` for the next page. */
  readonly next?: string;
}

/** A collective as its log folds now. */
export interface CollectiveView {
  readonly name: string;
  readonly state: CollectiveState;
  /** Entries in the log (the position the next append fills). */
  readonly length: number;
  /** Entries the fold refused, by position, with their codes (COL-8). */
  readonly rejected: readonly Rejection[];
  /** The events the fold accepted, in order (where the message keys are, COL-29). */
  readonly events: readonly CollectiveEvent[];
  /** The registry's keys of the log's authors, as the fold used them. */
  readonly keysOf: KeysOf;
}

/** A pending request, as `requests` shows it. */
export interface RequestView {
  readonly name: string;
  readonly note?: string;
  readonly vouches: string[];
  /** Vouches the constitution in force asks for now (COL-5, COL-12). */
  readonly needed: number;
}

/** A pending proposal, as `members` shows it. */
export interface ProposalView {
  /** Its id: the `seq` of its `propose` event (COL-13). */
  readonly id: number;
  readonly by: string;
  readonly constitution: Constitution;
  readonly yes: string[];
  readonly no: string[];
  /** Yes votes needed under the constitution in force (COL-14). */
  readonly needed: number;
}

/** Reads and folds a collective's log with `keys` (COL-7, COL-8, COL-24), on a connection of its own. */
export async function readCollective(host: CollectiveHost, keys: CollectiveKeys): Promise<CollectiveView> {
  return host.oneShot(async (conn) => foldEntries(host, keys, await readLog(conn, keys.name)));
}

/** Every entry of a log, page after page (COL-23). */
async function readLog(conn: OperatorConnection, name: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (;;) {
    const page = await conn.request('colRead', { col: name, from: out.length });
    out.push(...page.entries);
    if (out.length >= page.length) return out;
    if (page.entries.length === 0) throw new ProtocolError('MALFORMED', 'the Operator stopped short of the log it announced');
  }
}

/**
 * Opens and folds entries. Authors not pinned yet are looked up on a connection of their own (CL-1),
 * never on the one that reads the log.
 */
async function foldEntries(host: CollectiveHost, keys: CollectiveKeys, entries: readonly Uint8Array[]): Promise<CollectiveView> {
  // An entry that does not open stands as bytes the fold refuses, so positions and indexes agree.
  const events = entries.map((e) => {
    try {
      return openEntry(keys, e);
    } catch (err) {
      if (err instanceof ProtocolError) return new Uint8Array(0);
      throw err;
    }
  });
  const authors = new Set<string>();
  for (const signed of events) {
    try {
      authors.add(decodeEvent(signed).event.by);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
    }
  }
  const found = await host.authorKeys([...authors]);
  const keysOf = (name: string) => {
    const k = found.get(name);
    return k instanceof Error ? undefined : k;
  };
  const { state, rejected } = foldLog(keys.name, events, keysOf);
  return { name: keys.name, state, length: entries.length, rejected, events: acceptedEvents(events, rejected), keysOf };
}

/**
 * Decides an act on the log as it is, checks it against the fold and appends it at the end of what was
 * read, on the connection that read it; on OUT_OF_ORDER reads the log again and decides again (COL-19).
 * @param decide - the event to append given the folded state, or undefined when there is nothing to do
 * @returns the state after the act (or as read, when there was nothing to do) and the act's seq
 */
export async function act(host: CollectiveHost, keys: CollectiveKeys, decide: (view: CollectiveView) => EventBody | undefined): Promise<{ view: CollectiveView; seq?: number }> {
  return host.oneShot(async (conn) => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const view = await foldEntries(host, keys, await readLog(conn, keys.name));
      const body = decide(view);
      if (!body) return { view };
      const event = nextEvent(view.state, host.me.name, Math.floor(host.now() / 1000), body);
      const signed = signEvent(event, host.me.keys.privateKey);
      // COL-8: what the fold would refuse is refused here, typed, and nothing is appended.
      const checked = applyEvent(view.state, signed, (n) => (n === host.me.name ? host.me.publicKey : undefined));
      if (!checked.ok) throw checked.error;
      const entry = sealEntry(keys, signed);
      try {
        await conn.request('colAppend', { col: keys.name, pos: view.length, entry, sig: signAppend(keys, view.length, entry) });
      } catch (err) {
        if (ComradError.is(err) && err.code === 'OUT_OF_ORDER') continue; // COL-19: someone appended first
        throw err;
      }
      return { view: { ...view, state: checked.state, length: view.length + 1, events: [...view.events, checked.event] }, seq: event.seq };
    }
    throw new ProtocolError('RATE_LIMITED', 'the log kept growing while we appended: try again');
  });
}

/** The keys this home holds for `name`. @throws ProtocolError NOT_MEMBER when it holds none */
export async function keysFor(host: CollectiveHost, name: string): Promise<CollectiveKeys> {
  const kept = await host.keyring.get(host.operatorKey, normaliseName(name));
  if (!kept) throw new ProtocolError('NOT_MEMBER', `this home holds no keys for @${normaliseName(name)}: ask a member to invite you`);
  return kept.keys;
}

/**
 * COL-25: founds a collective: fresh keys, kept before the name is registered (a crash leaves keys, not
 * a name without keys), the name registered with the collective's key, then the `found` event at position 0.
 * @throws ProtocolError INVALID_NAME, NAME_TAKEN (a comrade or another collective has it)
 */
export async function found(host: CollectiveHost, name: string, constitution: Constitution): Promise<CollectiveView> {
  const normalised = checkRegistrableName(normaliseName(name));
  const keys = newCollectiveKeys(normalised);
  // The constitution is checked before anything is registered: a bad one costs no name.
  const empty = emptyCollective(normalised);
  const probe = signEvent(nextEvent(empty, host.me.name, 0, { kind: 'found', constitution }), host.me.keys.privateKey);
  const checked = applyEvent(empty, probe, () => host.me.publicKey);
  if (!checked.ok) throw checked.error;
  await host.keyring.put(host.operatorKey, { keys, from: host.me.name });
  try {
    await host.register(normalised, keys.identity);
  } catch (err) {
    await host.keyring.delete(host.operatorKey, normalised);
    throw err;
  }
  await act(host, keys, (v) => (v.state.constitution ? undefined : { kind: 'found', constitution }));
  // COL-31: the founder opens the first epoch of the message key.
  return rotate(host, keys);
}

/**
 * COL-26: invites `who`: an `invite` letter with the collective's keys (EVT-5). Only a member invites.
 * @throws ProtocolError NOT_MEMBER
 */
export async function invite(host: CollectiveHost, name: string, who: string): Promise<void> {
  const keys = await keysFor(host, name);
  const view = await readCollective(host, keys);
  if (!view.state.members.has(host.me.name)) throw new ProtocolError('NOT_MEMBER', `only a member of @${keys.name} invites`);
  await host.sendLetter(normaliseName(who), { kind: 'invite', body: { collective: encodeCollectiveKeys(keys) } });
}

/**
 * COL-10, COL-26: asks to join: with the keys this home holds, or else from the newest invitation letter
 * for `name` whose keys are the registry's for that name.
 * @throws ProtocolError NOT_FOUND (no invitation), DUPLICATE (a member, or already asked), QUOTA_EXCEEDED
 */
export async function request(host: CollectiveHost, name: string, note?: string): Promise<CollectiveView> {
  const normalised = normaliseName(name);
  let kept = await host.keyring.get(host.operatorKey, normalised);
  if (!kept) {
    kept = (await invitation(host, normalised, false)) ?? (await invitation(host, normalised, true));
    if (!kept) throw new ProtocolError('NOT_FOUND', `no invitation to @${normalised} in this home: ask a member to invite you`);
    await host.keyring.put(host.operatorKey, kept);
  }
  const body: EventBody = note ? { kind: 'request', note } : { kind: 'request' };
  return (await act(host, kept.keys, () => body)).view;
}

async function invitation(host: CollectiveHost, name: string, fetch: boolean): Promise<{ keys: CollectiveKeys; from: string } | undefined> {
  const letters = (await host.letters(fetch)).slice().reverse();
  let registered: PublicKey | undefined;
  for (const l of letters) {
    const keys = invitationKeys(l);
    if (keys?.name !== name) continue;
    // COL-25: keys are the collective's only if the registry holds their public half under its name.
    registered ??= await host.registryKey(name);
    if (registered.equals(keys.identity.publicKey)) return { keys, from: l.from };
  }
  return undefined;
}

/** The collective keys an `invite` letter carries (COL-26), or undefined for any other letter. */
function invitationKeys(l: StoredLetter): CollectiveKeys | undefined {
  if (l.kind !== 'invite' || !l.letter) return undefined;
  try {
    const letter = decodeLetter(l.letter);
    if (letter.kind !== 'invite' || !('collective' in letter.body)) return undefined;
    return decodeCollectiveKeys(letter.body.collective);
  } catch (err) {
    if (err instanceof ProtocolError) return undefined;
    throw err;
  }
}

/** An invitation to a collective this home holds no keys for yet, as `invitations` lists it. */
export interface InvitationView {
  /** The collective. */
  readonly name: string;
  /** The member who sent the newest invitation to it. */
  readonly from: string;
  /** When they wrote it (seconds, their claim). */
  readonly at: number;
}

/**
 * COL-26: the invitations stored in this home to collectives it holds no keys for, newest first, one per
 * collective: only those whose keys are the registry's for the collective's name (COL-25), so a letter
 * carrying keys of a look-alike is never offered as an invitation.
 */
export async function invitations(host: CollectiveHost): Promise<InvitationView[]> {
  const out = new Map<string, InvitationView>();
  const checked = new Map<string, PublicKey | undefined>();
  for (const l of (await host.letters(false)).slice().sort((a, b) => b.at - a.at)) {
    const keys = invitationKeys(l);
    if (!keys || out.has(keys.name)) continue;
    if (await host.keyring.get(host.operatorKey, keys.name)) continue;
    if (!checked.has(keys.name)) {
      try {
        checked.set(keys.name, await host.registryKey(keys.name));
      } catch (err) {
        // A name the registry does not know invites to nothing; a failure to ask is the caller's to see.
        if (!ComradError.is(err, 'NOT_FOUND')) throw err;
        checked.set(keys.name, undefined);
      }
    }
    if (checked.get(keys.name)?.equals(keys.identity.publicKey)) out.set(keys.name, { name: keys.name, from: l.from, at: l.at });
  }
  return [...out.values()];
}

/**
 * COL-11, COL-12: vouches for `who`, and admits them when this vouch completes the quorum of the
 * constitution in force (the admission is its own event, by the same member).
 * @returns whether `who` is a member now
 * @throws ProtocolError NOT_MEMBER, NOT_FOUND (no such request), DUPLICATE
 */
export async function vouch(host: CollectiveHost, name: string, who: string): Promise<{ admitted: boolean; view: CollectiveView }> {
  const keys = await keysFor(host, name);
  const candidate = normaliseName(who);
  await act(host, keys, () => ({ kind: 'vouch', who: candidate }));
  const view = await admitIfMet(host, keys, candidate);
  return { admitted: view.state.members.has(candidate), view };
}

/**
 * COL-17, COL-31: votes to expel `who`; when this vote removes them, rotates the message key at once, so
 * nothing posted from now on is sealed under a key they hold.
 * @returns whether `who` is out now
 * @throws ProtocolError FORBIDDEN (the constitution allows no expulsion, or `who` is us), NOT_MEMBER,
 *   NOT_FOUND (not a member), DUPLICATE (voted already)
 */
export async function expel(host: CollectiveHost, name: string, who: string): Promise<{ expelled: boolean; view: CollectiveView }> {
  const keys = await keysFor(host, name);
  const target = normaliseName(who);
  const { view } = await act(host, keys, () => ({ kind: 'expel', who: target }));
  const expelled = !view.state.members.has(target);
  return { expelled, view: expelled ? await rotate(host, keys) : view };
}

/**
 * COL-31: rotates the message key when a rotation is due and we are a member: a fresh key, an opening
 * `key` event with our own copy and the first members by name, then continuations until nobody is owed.
 * When someone else rotates meanwhile (our append is refused, the log read again), we stop if no rotation
 * is due any more.
 * @returns the collective after the rotation (or as read, when none was due)
 */
export async function rotate(host: CollectiveHost, keys: CollectiveKeys): Promise<CollectiveView> {
  const me = { name: host.me.name, keys: host.me.keys };
  const key = SymmetricKey.generate();
  let opened: number | undefined;
  try {
    for (;;) {
      const { view, seq } = await act(host, keys, (v) => {
        if (!v.state.members.has(me.name)) return undefined;
        if (opened === undefined) return rotationDue(v.state) ? nextKeyEvent(v.state, me, key, v.keysOf, false) : undefined;
        // Someone opened a newer epoch meanwhile: ours is over; theirs answers for the rotation.
        if (v.state.epoch !== opened) return undefined;
        return nextKeyEvent(v.state, me, key, v.keysOf, true);
      });
      if (seq === undefined) return view;
      opened ??= seq;
    }
  } finally {
    key.wipe();
  }
}

/**
 * COL-30: what this member knows of the message key's epochs: holders, and the key of each epoch a copy
 * was sealed to us in.
 */
export function epochsOf(host: CollectiveHost, view: CollectiveView): Map<number, EpochKeys> {
  return epochKeys(view.events, { name: host.me.name, privateKey: host.me.keys.privateKey }, view.keysOf);
}

/**
 * COL-12: admits `who` if their vouches meet the quorum now (by a member or the candidate), else nothing.
 * @returns the state after
 */
export async function admitIfMet(host: CollectiveHost, keys: CollectiveKeys, who: string): Promise<CollectiveView> {
  const { view, seq } = await act(host, keys, (v) => (neededFor(v.state, who) === 0 ? { kind: 'admit', who } : undefined));
  // COL-31: the member who appends the admission rotates the message key right after.
  return seq === undefined ? view : rotate(host, keys);
}

/** Vouches `who` still lacks (0 when the quorum is met), or undefined without a pending request. */
function neededFor(state: CollectiveState, who: string): number | undefined {
  const r = state.requests.get(who);
  if (!r || !state.constitution) return undefined;
  return Math.max(0, quorum(state.constitution.admit, state.members.size) - r.vouches.size);
}

/** The pending requests, with their vouches and the quorum they need (COL-5). */
export function requestsOf(state: CollectiveState): RequestView[] {
  const needed = state.constitution ? quorum(state.constitution.admit, state.members.size) : 0;
  return [...state.requests]
    .map(([name, r]) => ({ name, ...(r.note ? { note: r.note } : {}), vouches: [...r.vouches].sort(), needed }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** A pending vote to expel a member, as `overview` shows it. */
export interface ExpulsionView {
  /** The member named. */
  readonly who: string;
  /** The members who voted to expel them. */
  readonly votes: string[];
  /** Votes the `expel` rule in force asks for now, over the members but `who` (COL-5, COL-17). */
  readonly needed: number;
}

/** The pending votes to expel, with the quorum each needs (COL-17); none when expulsion is not allowed. */
export function expulsionsOf(state: CollectiveState): ExpulsionView[] {
  const rule = state.constitution?.expel;
  if (!rule) return [];
  const needed = quorum(rule, Math.max(0, state.members.size - 1));
  return [...state.expulsions].map(([who, votes]) => ({ who, votes: [...votes].sort(), needed })).sort((a, b) => (a.who < b.who ? -1 : 1));
}

/** Where a comrade stands in a collective: a member, a candidate with a pending request, or outside. */
export function statusOf(state: CollectiveState, me: string): 'member' | 'candidate' | 'outside' {
  return state.members.has(me) ? 'member' : state.requests.has(me) ? 'candidate' : 'outside';
}

/** A collective whole, from one read of its log: what a screen shows of it. */
export interface CollectiveOverview {
  readonly name: string;
  /** Where we stand in it. */
  readonly status: 'member' | 'candidate' | 'outside';
  /** The members, by name. */
  readonly members: string[];
  /** The constitution in force (undefined before the founding is read). */
  readonly constitution: Constitution | undefined;
  readonly requests: RequestView[];
  readonly proposals: ProposalView[];
  readonly expulsions: ExpulsionView[];
  /** Entries in the log, and how many of them the fold refused (COL-8). */
  readonly length: number;
  readonly rejected: number;
}

/** Everything `overview` shows of a folded collective, as `me` sees it. */
export function overviewOf(view: CollectiveView, me: string): CollectiveOverview {
  const { state } = view;
  return {
    name: view.name,
    status: statusOf(state, me),
    members: [...state.members].sort(),
    constitution: state.constitution,
    requests: requestsOf(state),
    proposals: proposalsOf(state),
    expulsions: expulsionsOf(state),
    length: view.length,
    rejected: view.rejected.length,
  };
}

/** The pending proposals with their votes and the yes votes they need (COL-14). */
export function proposalsOf(state: CollectiveState): ProposalView[] {
  const needed = state.constitution ? quorum(state.constitution.amend, state.members.size) : 0;
  return [...state.proposals.values()].map((p) => ({ id: p.seq, by: p.by, constitution: p.constitution, yes: [...p.yes].sort(), no: [...p.no].sort(), needed }));
}

/**
 * COL-31, COL-32, COL-34: posts a message to a collective we are a member of: rotates the message key
 * first when a rotation is due (someone left, or a rotation stopped midway), seals the post once under
 * the key of the current epoch, and files it in the collective's channel on a fresh connection that never
 * logs in, with the proof of work a letter costs.
 * @throws ProtocolError NOT_MEMBER; whatever `chanPost` answers (QUOTA_EXCEEDED, RATE_LIMITED…)
 */
export async function post(host: CollectiveHost, name: string, body: TextBody | { readonly event: GatheringBody }, life: PostLife): Promise<{ id: string; expiresAt: number; epoch: number }> {
  const keys = await keysFor(host, name);
  let view = await readCollective(host, keys);
  if (!view.state.members.has(host.me.name)) throw new ProtocolError('NOT_MEMBER', `only a member posts to @${keys.name}`);
  // COL-31: never seal under a key someone who left holds, nor one a member lacks.
  if (rotationDue(view.state)) view = await rotate(host, keys);
  const epoch = view.state.epoch;
  const key = epochsOf(host, view).get(epoch)?.key;
  if (rotationDue(view.state) || key === undefined) throw new ProtocolError('RATE_LIMITED', 'the message key could not be rotated just now: try again');
  const sealed = sealMessage(createCollectivePost({ col: keys.name, epoch, by: host.me.name, body, at: Math.floor(host.now() / 1000) }), host.me.keys, key);
  const filed = await fileSealed(host, deriveChannel(channelKey(keys)).cap, sealed, life);
  return { ...filed, epoch };
}

/**
 * COL-33, COL-34: a page of a collective's messages, newest first: the log read and folded for the keys
 * of the epochs we held (COL-30), the channel read on a connection of its own (CL-1), each message
 * opened and verified. What does not open is listed apart, never shown.
 */
export async function feed(host: CollectiveHost, name: string, opts: { before?: string; limit?: number } = {}): Promise<CollectiveFeedPage> {
  const keys = await keysFor(host, name);
  const view = await readCollective(host, keys);
  const epochs = epochsOf(host, view);
  const { id: chan } = deriveChannel(channelKey(keys));
  const page = await host.oneShot((conn) => conn.request('chanFeed', { chan, ...opts }));
  const messages: CollectiveMessage[] = [];
  const events: CollectiveEventPost[] = [];
  const unreadable: { id: string; code: string }[] = [];
  for (const p of page.posts) {
    try {
      const { post } = openMessage(p.post, keys.name, epochs, view.keysOf);
      if ('event' in post.body) {
        events.push({ author: post.by, event: post.body.event, expiresAt: p.expiresAt });
        continue;
      }
      const { text, image } = post.body;
      messages.push({ id: p.id, author: post.by, text, ...(image ? { image } : {}), at: post.at, postedAt: p.postedAt, expiresAt: p.expiresAt, epoch: post.epoch, former: !view.state.members.has(post.by), up: p.up ?? 0, down: p.down ?? 0 });
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      unreadable.push({ id: p.id, code: err.code });
    }
  }
  return { messages, ...(events.length > 0 ? { events } : {}), unreadable, ...(page.next !== undefined ? { next: page.next } : {}) };
}
