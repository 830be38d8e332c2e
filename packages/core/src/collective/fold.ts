/**
 * The fold of a collective's log (COL-6..COL-18): a pure function `(state, event) → state | error` and
 * its repetition over a whole log. Every member runs it over every event, with the keys of the registry,
 * and so reaches the same members, constitution, pending requests and proposals as every other member,
 * without trusting the Operator that stores the log. An event the fold rejects changes nothing (COL-8).
 *
 * States are immutable: each accepted event returns a new state that shares every collection it did not
 * change with the state before it.
 * @module
 */
import { ProtocolError, type ErrorCode } from '../errors.js';
import { bytesEqual, toHex } from '../bytes.js';
import type { PublicKey } from '../crypto/keys.js';
import { MAX_MEMBERS, quorum, type Constitution } from './constitution.js';
import { GENESIS_PREV, decodeEvent, verifyEvent, type CollectiveEvent, type DecodedEvent, type EventBody } from './event.js';

/** COL-15: the most requests pending at once; more would let strangers grow every member's state. */
export const MAX_PENDING_REQUESTS = 1024;
/** COL-15: the most proposals pending at once. */
export const MAX_PENDING_PROPOSALS = 64;

/** A candidate's pending request and the members who vouched for it. */
export interface PendingRequest {
  /** The `seq` of the `request` event. */
  readonly seq: number;
  /** What the candidate wrote, if anything. */
  readonly note?: string;
  /** Members who vouched since the request; always members (COL-18). */
  readonly vouches: ReadonlySet<string>;
}

/** A pending amendment and its votes. */
export interface Proposal {
  /** The `seq` of the `propose` event: the proposal's id in votes. */
  readonly seq: number;
  /** The member who proposed it. */
  readonly by: string;
  /** The constitution it would put in force. */
  readonly constitution: Constitution;
  /** Members who voted yes; always members (COL-18). */
  readonly yes: ReadonlySet<string>;
  /** Members who voted no; always members (COL-18). */
  readonly no: ReadonlySet<string>;
}

/** What a collective's log says, after the events accepted so far. */
export interface CollectiveState {
  /** The collective's name; events naming another are refused (COL-7). */
  readonly name: string;
  /** Events accepted so far: the `seq` the next event must carry (COL-6). */
  readonly seq: number;
  /** Id of the last accepted event ({@link GENESIS_PREV} before `found`): the next event's `prev`. */
  readonly head: Uint8Array;
  /** The constitution in force; undefined until the collective is founded. */
  readonly constitution: Constitution | undefined;
  /** Current members. */
  readonly members: ReadonlySet<string>;
  /** Pending requests by candidate name. */
  readonly requests: ReadonlyMap<string, PendingRequest>;
  /** Pending proposals by id (the `seq` of their `propose` event). */
  readonly proposals: ReadonlyMap<number, Proposal>;
  /** Pending expulsion votes: member named → members who voted to expel them (never empty). */
  readonly expulsions: ReadonlyMap<string, ReadonlySet<string>>;
  /** The message key's current epoch: the `seq` of the `key` event that opened it, 0 before any (COL-29). */
  readonly epoch: number;
  /** Members who hold the current epoch's key: its opener and every member a copy was sealed to (COL-29). */
  readonly holders: ReadonlySet<string>;
  /** Members at the epoch's opening who have no copy yet: the only ones a later `key` event may add (COL-29). */
  readonly owed: ReadonlySet<string>;
  /** Whether someone who held the current key has left or been expelled since (COL-29, COL-18). */
  readonly exposed: boolean;
}

/** The registry as the fold sees it: a comrade's public key by name, or undefined for an unknown name. */
export type KeysOf = (name: string) => PublicKey | undefined;

/** The result of applying one event: the new state, or why the event was refused (the state unchanged). */
export type FoldResult = { readonly ok: true; readonly state: CollectiveState; readonly event: CollectiveEvent } | { readonly ok: false; readonly error: ProtocolError };

/** One refused event of a log, by its index in the log. */
export interface Rejection {
  readonly index: number;
  readonly code: ErrorCode;
}

const EMPTY_SET: ReadonlySet<string> = new Set();
const EMPTY_REQUESTS: ReadonlyMap<string, PendingRequest> = new Map();
const EMPTY_PROPOSALS: ReadonlyMap<number, Proposal> = new Map();
const EMPTY_EXPULSIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map();

/**
 * The state of a collective before its first event.
 * @param name - the collective's name, as the caller asked the Operator for it: a log of another
 *   collective is then refused event by event (COL-7)
 * @example `const s0 = emptyCollective('portland')`
 */
export function emptyCollective(name: string): CollectiveState {
  return {
    name,
    seq: 0,
    head: GENESIS_PREV,
    constitution: undefined,
    members: EMPTY_SET,
    requests: EMPTY_REQUESTS,
    proposals: EMPTY_PROPOSALS,
    expulsions: EMPTY_EXPULSIONS,
    epoch: 0,
    holders: EMPTY_SET,
    owed: EMPTY_SET,
    exposed: false,
  };
}

/**
 * COL-31: whether the message key must be rotated before anything more is sealed under it: no epoch yet,
 * a holder of the current key has left or was expelled, or a member holds no copy (admitted since the
 * epoch opened, or still owed one).
 * @example `if (rotationDue(view.state)) await rotate()`
 */
export function rotationDue(s: CollectiveState): boolean {
  return s.epoch === 0 || s.exposed || s.holders.size < s.members.size;
}

/**
 * The next event an author would append to the log as it stands (COL-19): `seq` and `prev` from the
 * state. When the Operator refuses the append because the log grew meanwhile, the author folds the new
 * events, calls this again on the new state (if the act still makes sense) and signs again.
 * @param state - the author's view of the log
 * @param by - the author's name
 * @param at - seconds since the epoch (informative, COL-21)
 * @param body - what the event says
 * @example `signEvent(nextEvent(state, 'alice', 1764000000, { kind: 'vouch', who: 'bob' }), alice.privateKey)`
 */
export function nextEvent(state: CollectiveState, by: string, at: number, body: EventBody): CollectiveEvent {
  return { col: state.name, seq: state.seq, prev: state.head, by, at, ...body };
}

/**
 * Applies one signed event to a state (COL-7): decodes it, checks it continues the chain, checks its
 * signature against the author's registered key, then applies the rule of its kind. Never throws for bad
 * input: a refused event comes back as an error and the state is unchanged (COL-8).
 * @param state - the state after the events accepted so far
 * @param signed - the signed event bytes, as stored in the log
 * @param keysOf - the registry: the key of a comrade by name
 * @returns `{ok: true, state, event}` or `{ok: false, error}` with the code of the first check that failed
 * @example `const r = applyEvent(state, bytes, (n) => registry.get(n)); if (r.ok) state = r.state`
 */
export function applyEvent(state: CollectiveState, signed: Uint8Array, keysOf: KeysOf): FoldResult {
  let decoded: DecodedEvent;
  try {
    decoded = decodeEvent(signed);
  } catch (err) {
    if (err instanceof ProtocolError) return { ok: false, error: err };
    throw err;
  }
  return applyDecoded(state, decoded, keysOf);
}

/**
 * {@link applyEvent} for an event already read with `decodeEvent` (COL-7 steps 4–7). Not exported from the
 * package: a `DecodedEvent` made any other way could pair one event's fields with another's signature.
 * @internal
 */
function applyDecoded(state: CollectiveState, decoded: DecodedEvent, keysOf: KeysOf): FoldResult {
  try {
    const e = decoded.event;
    // COL-7 step 4: a log of one collective cannot be passed off as another's.
    if (e.col !== state.name) throw refuse('WRONG_COLLECTIVE', 'the event names another collective');
    // Step 5 (COL-6): the event continues exactly this chain, or it is replayed, reordered or stale.
    if (e.seq !== state.seq || !bytesEqual(e.prev, state.head)) throw refuse('OUT_OF_ORDER', 'the event does not continue the log');
    // Step 6: signed by the key the registry holds for its author.
    const key = keysOf(e.by);
    if (key === undefined) throw refuse('NOT_FOUND', 'the author is not a registered comrade');
    verifyEvent(decoded, key);
    // Step 7: the rule of its kind, against the state before it.
    const next = rule(state, e);
    return { ok: true, state: { ...next, seq: state.seq + 1, head: decoded.id }, event: e };
  } catch (err) {
    if (err instanceof ProtocolError) return { ok: false, error: err };
    throw err;
  }
}

/**
 * Folds a whole log, in its stored order (COL-8): each event is applied to the state the events
 * accepted before it left; a refused event changes nothing and is reported. Deterministic: the same log
 * and registry give the same state at every member.
 * @param name - the collective the log must belong to
 * @param events - the signed events, in the Operator's order
 * @param keysOf - the registry
 * @returns the final state and the refused events with their codes
 * @example `const { state, rejected } = foldLog('portland', log, (n) => registry.get(n))`
 */
export function foldLog(name: string, events: Iterable<Uint8Array>, keysOf: KeysOf): { state: CollectiveState; rejected: Rejection[] } {
  let state = emptyCollective(name);
  const rejected: Rejection[] = [];
  let index = 0;
  for (const signed of events) {
    const r = applyEvent(state, signed, keysOf);
    if (r.ok) state = r.state;
    else rejected.push({ index, code: r.error.code });
    index++;
  }
  return { state, rejected };
}

/** The parts of a state a rule may change. */
type Parts = Omit<CollectiveState, 'seq' | 'head'>;

function refuse(code: ErrorCode, message: string): ProtocolError {
  return new ProtocolError(code, message);
}

/** COL-9..COL-17: the rule of each kind, checks in the order the spec lists them. */
function rule(s: CollectiveState, e: CollectiveEvent): Parts {
  switch (e.kind) {
    case 'found':
      // COL-9: the chain check already placed it first (seq 0 is found and only found, COL-3).
      return { ...s, constitution: e.constitution, members: new Set([e.by]) };
    case 'request': {
      // COL-10
      if (s.members.has(e.by)) throw refuse('DUPLICATE', 'a member does not ask to join');
      if (s.requests.has(e.by)) throw refuse('DUPLICATE', 'the request is already pending');
      if (s.requests.size >= MAX_PENDING_REQUESTS) throw refuse('QUOTA_EXCEEDED', 'too many pending requests');
      const req: PendingRequest = e.note === undefined ? { seq: e.seq, vouches: EMPTY_SET } : { seq: e.seq, note: e.note, vouches: EMPTY_SET };
      return { ...s, requests: withEntry(s.requests, e.by, req) };
    }
    case 'vouch': {
      // COL-11
      member(s, e.by);
      const req = s.requests.get(e.who);
      if (req === undefined) throw refuse('NOT_FOUND', 'no pending request by this candidate');
      if (req.vouches.has(e.by)) throw refuse('DUPLICATE', 'already vouched');
      return { ...s, requests: withEntry(s.requests, e.who, { ...req, vouches: withItem(req.vouches, e.by) }) };
    }
    case 'admit': {
      // COL-12: a member, or the candidate themself, records the admission once the vouches suffice.
      if (!s.members.has(e.by) && e.by !== e.who) throw refuse('NOT_MEMBER', 'only a member or the candidate records an admission');
      const req = s.requests.get(e.who);
      if (req === undefined) throw refuse('NOT_FOUND', 'no pending request by this candidate');
      // The constitution in force and the members at this very event decide, not those of the vouches.
      if (req.vouches.size < quorum(s.constitution!.admit, s.members.size)) throw refuse('QUORUM_NOT_MET', 'not enough vouches');
      if (s.members.size >= MAX_MEMBERS) throw refuse('QUOTA_EXCEEDED', 'the collective is full');
      return { ...s, members: withItem(s.members, e.who), requests: withoutEntry(s.requests, e.who) };
    }
    case 'propose':
      // COL-13
      member(s, e.by);
      if (s.proposals.size >= MAX_PENDING_PROPOSALS) throw refuse('QUOTA_EXCEEDED', 'too many pending proposals');
      return { ...s, proposals: withEntry(s.proposals, e.seq, { seq: e.seq, by: e.by, constitution: e.constitution, yes: EMPTY_SET, no: EMPTY_SET }) };
    case 'vote': {
      // COL-14
      member(s, e.by);
      const p = s.proposals.get(e.proposal);
      if (p === undefined) throw refuse('NOT_FOUND', 'no such pending proposal');
      if (p.yes.has(e.by) || p.no.has(e.by)) throw refuse('DUPLICATE', 'already voted');
      if (!e.yes) return { ...s, proposals: withEntry(s.proposals, p.seq, { ...p, no: withItem(p.no, e.by) }) };
      const yes = withItem(p.yes, e.by);
      // The threshold is the amendment rule of the constitution in force, counted over the members now.
      if (yes.size >= quorum(s.constitution!.amend, s.members.size)) {
        // Every other pending proposal was made against the constitution just replaced: it lapses.
        return { ...s, constitution: p.constitution, proposals: EMPTY_PROPOSALS };
      }
      return { ...s, proposals: withEntry(s.proposals, p.seq, { ...p, yes }) };
    }
    case 'leave':
      // COL-16: a member leaves; a candidate withdraws.
      if (s.members.has(e.by)) return depart(s, e.by);
      if (s.requests.has(e.by)) return { ...s, requests: withoutEntry(s.requests, e.by) };
      throw refuse('NOT_MEMBER', 'neither a member nor a candidate');
    case 'expel': {
      // COL-17
      const rule = s.constitution!.expel;
      if (rule === undefined) throw refuse('FORBIDDEN', 'the constitution does not allow expulsion');
      member(s, e.by);
      if (e.who === e.by) throw refuse('FORBIDDEN', 'a member leaves rather than expels themself');
      if (!s.members.has(e.who)) throw refuse('NOT_FOUND', 'not a member');
      const votes = s.expulsions.get(e.who) ?? EMPTY_SET;
      if (votes.has(e.by)) throw refuse('DUPLICATE', 'already voted to expel');
      const next = withItem(votes, e.by);
      // Eligible: every member but the one named.
      if (next.size >= quorum(rule, s.members.size - 1)) return depart(s, e.who);
      return { ...s, expulsions: withEntry(s.expulsions, e.who, next) };
    }
    case 'key': {
      // COL-29
      member(s, e.by);
      const opens = e.epoch === e.seq;
      if (!opens && (s.epoch === 0 || e.epoch !== s.epoch)) throw refuse('OUT_OF_ORDER', 'the key event continues an epoch that is not the current one');
      // Only a holder knows the key it continues to hand out.
      if (!opens && !s.holders.has(e.by)) throw refuse('FORBIDDEN', 'only a holder of the epoch key hands it on');
      for (const { who } of e.keys) {
        if (!s.members.has(who)) throw refuse('NOT_MEMBER', 'a key copy for someone who is not a member');
        if (opens) continue;
        if (s.holders.has(who)) throw refuse('DUPLICATE', 'this member holds the key of the epoch already');
        // A member admitted after the epoch opened waits for the next key: the one in force may seal
        // messages from before they joined.
        if (!s.owed.has(who)) throw refuse('FORBIDDEN', 'this member joined after the epoch opened');
      }
      const given = e.keys.map((k) => k.who);
      if (opens) {
        const holders = new Set([e.by, ...given]);
        return { ...s, epoch: e.seq, holders, owed: new Set([...s.members].filter((m) => !holders.has(m))), exposed: false };
      }
      let owed = s.owed;
      for (const who of given) owed = withoutItem(owed, who);
      return { ...s, holders: new Set([...s.holders, ...given]), owed };
    }
  }
}

function member(s: CollectiveState, name: string): void {
  if (!s.members.has(name)) throw refuse('NOT_MEMBER', 'only members may do this');
}

/**
 * COL-18: a member who leaves or is expelled takes their vouches and votes with them, and votes to
 * expel them lapse; so every vouch or vote in the state is by a current member.
 */
function depart(s: CollectiveState, who: string): Parts {
  let requests = s.requests;
  for (const [c, r] of s.requests) {
    if (r.vouches.has(who)) requests = withEntry(requests, c, { ...r, vouches: withoutItem(r.vouches, who) });
  }
  let proposals = s.proposals;
  for (const [id, p] of s.proposals) {
    if (p.yes.has(who) || p.no.has(who)) proposals = withEntry(proposals, id, { ...p, yes: withoutItem(p.yes, who), no: withoutItem(p.no, who) });
  }
  let expulsions = withoutEntry(s.expulsions, who);
  for (const [t, voters] of expulsions) {
    if (!voters.has(who)) continue;
    const left = withoutItem(voters, who);
    expulsions = left.size === 0 ? withoutEntry(expulsions, t) : withEntry(expulsions, t, left);
  }
  // COL-29: a departing holder takes the key with them; whatever is sealed under it from now on, they read.
  const exposed = s.exposed || s.holders.has(who);
  return { ...s, members: withoutItem(s.members, who), requests, proposals, expulsions, holders: withoutItem(s.holders, who), owed: withoutItem(s.owed, who), exposed };
}

function withItem<T>(set: ReadonlySet<T>, item: T): ReadonlySet<T> {
  const out = new Set(set);
  out.add(item);
  return out;
}

function withoutItem<T>(set: ReadonlySet<T>, item: T): ReadonlySet<T> {
  if (!set.has(item)) return set;
  const out = new Set(set);
  out.delete(item);
  return out;
}

function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  const out = new Map(map);
  out.set(key, value);
  return out;
}

function withoutEntry<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (!map.has(key)) return map;
  const out = new Map(map);
  out.delete(key);
  return out;
}

/** A state as plain JSON, every collection sorted: what two members compare, and what the vectors hold. */
export interface CollectiveStateJson {
  name: string;
  seq: number;
  /** Hex of the head id. */
  head: string;
  constitution: Constitution | null;
  members: string[];
  requests: { candidate: string; seq: number; note?: string; vouches: string[] }[];
  proposals: { id: number; by: string; constitution: Constitution; yes: string[]; no: string[] }[];
  expulsions: { who: string; votes: string[] }[];
  /** The message key (COL-29): its epoch, who holds it, who is owed a copy, whether a holder left. */
  key: { epoch: number; holders: string[]; owed: string[]; exposed: boolean };
}

/**
 * A state as plain, sorted JSON: equal states give equal JSON whatever order their collections grew in.
 * @example `expect(stateToJson(a)).toEqual(stateToJson(b))`
 */
export function stateToJson(s: CollectiveState): CollectiveStateJson {
  const sorted = (xs: Iterable<string>) => [...xs].sort(byCodeUnit);
  return {
    name: s.name,
    seq: s.seq,
    head: toHex(s.head),
    constitution: s.constitution === undefined ? null : constitutionJson(s.constitution),
    members: sorted(s.members),
    requests: [...s.requests]
      .sort(([a], [b]) => byCodeUnit(a, b))
      .map(([candidate, r]) => (r.note === undefined ? { candidate, seq: r.seq, vouches: sorted(r.vouches) } : { candidate, seq: r.seq, note: r.note, vouches: sorted(r.vouches) })),
    proposals: [...s.proposals.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((p) => ({ id: p.seq, by: p.by, constitution: constitutionJson(p.constitution), yes: sorted(p.yes), no: sorted(p.no) })),
    expulsions: [...s.expulsions].sort(([a], [b]) => byCodeUnit(a, b)).map(([who, votes]) => ({ who, votes: sorted(votes) })),
    key: { epoch: s.epoch, holders: sorted(s.holders), owed: sorted(s.owed), exposed: s.exposed },
  };
}

function constitutionJson(c: Constitution): Constitution {
  const q = (r: Constitution['admit']) => ({ permille: r.permille, min: r.min, cap: r.cap });
  return c.expel === undefined ? { admit: q(c.admit), amend: q(c.amend) } : { admit: q(c.admit), amend: q(c.amend), expel: q(c.expel) };
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
