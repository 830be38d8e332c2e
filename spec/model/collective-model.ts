/**
 * The executable model of a collective's log (spec/11-collectives.md, COL-*), written from the spec text
 * and independent of `@comrad/core/collective`: it keeps no running state at all. It keeps the list of
 * accepted events and answers every question (who is a member, which vouches count, which constitution
 * is in force) by reading that history again from the start. The property test
 * (`spec/test/collective-model.test.ts`) folds random logs with both and requires the same verdict for
 * every event and the same final state.
 *
 * It borrows only primitives from core: the generic msgpack codec, Themis `verify`, and SHA-256.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { decode, encode, toHex, verify, type PublicKey } from '@comrad/core';

/** A verdict on one event: `ok`, a fold code, or `UNDECODABLE` for any failure while reading the message (COL-7 step 3). */
export type ModelVerdict = string;

interface Rule {
  permille: number;
  min: number;
  cap: number;
}
interface Constitution {
  admit: Rule;
  amend: Rule;
  expel?: Rule;
}

/** An accepted event, with what it did where the spec says it depends on the state. */
interface Accepted {
  seq: number;
  by: string;
  kind: string;
  who?: string;
  note?: string;
  proposal?: number;
  yes?: boolean;
  constitution?: Constitution;
  /** A `key` event's epoch and the members its copies were sealed to (COL-28). */
  epoch?: number;
  keys?: string[];
  id: string;
  /** A vote that put its proposal in force (COL-14). */
  passed?: boolean;
  /** An expulsion vote that removed its target (COL-17). */
  expelled?: boolean;
  /** A leave by a member (true) or a withdrawal by a candidate (false) (COL-16). */
  wasMember?: boolean;
}

const NAME = /^[a-z0-9_]{3,32}$/;
const FIELD_ORDER: Record<string, string[]> = {
  found: ['constitution'],
  request: ['note'],
  vouch: ['who'],
  admit: ['who'],
  propose: ['constitution'],
  vote: ['proposal', 'yes'],
  leave: [],
  expel: ['who'],
  key: ['epoch', 'keys'],
};
const HEAD = ['v', 'ctx', 'col', 'seq', 'prev', 'by', 'at', 'kind'];

/** COL-5, as the spec writes it. */
export function modelQuorum(r: Rule, n: number): number {
  return Math.max(1, Math.min(n, r.cap, Math.max(r.min, Math.ceil((r.permille * n) / 1000))));
}

/**
 * Folds a log (COL-8): a verdict per event, and the final state in the shape of `stateToJson`.
 * @param name - the collective
 * @param events - the signed events in stored order
 * @param keyOf - the registry
 */
export function modelFold(name: string, events: readonly Uint8Array[], keyOf: (name: string) => PublicKey | undefined) {
  const h: Accepted[] = [];
  const verdicts: ModelVerdict[] = [];
  for (const bytes of events) {
    const v = judge(name, h, bytes, keyOf);
    if (typeof v === 'string') verdicts.push(v);
    else {
      h.push(v);
      verdicts.push('ok');
    }
  }
  return { verdicts, state: view(name, h) };
}

function judge(name: string, h: Accepted[], bytes: Uint8Array, keyOf: (name: string) => PublicKey | undefined): Accepted | string {
  // COL-7 steps 1–2: the size, then the Themis framing (CRY-5).
  if (bytes.length > 2048) return 'TOO_LARGE';
  if (bytes.length < 12) return 'TRUNCATED';
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== 0x26042620) return 'BAD_SIGNATURE';
  const n = dv.getUint32(4, true);
  const s = dv.getUint32(8, true);
  if (n === 0 || s === 0) return 'BAD_SIGNATURE';
  if (bytes.length < 12 + n + s) return 'TRUNCATED';
  if (bytes.length > 12 + n + s) return 'TRAILING_BYTES';
  // Step 3: the message.
  const e = readMessage(bytes.subarray(12, 12 + n));
  if (e === undefined) return 'UNDECODABLE';
  // Step 4: the collective; step 5: the chain.
  if (e.col !== name) return 'WRONG_COLLECTIVE';
  const head = h.length === 0 ? '00'.repeat(32) : h[h.length - 1]!.id;
  if (e.seq !== h.length || e.prev !== head) return 'OUT_OF_ORDER';
  // Step 6: the signature by the registered key of the author.
  const key = keyOf(e.by);
  if (key === undefined) return 'NOT_FOUND';
  try {
    verify(key, bytes);
  } catch {
    return 'BAD_SIGNATURE';
  }
  // Step 7: the rule of the kind, read off the history.
  return ruleOf(h, e);
}

type Read = Omit<Accepted, 'passed' | 'expelled' | 'wasMember'> & { col: string; prev: string };

/** COL-2, COL-3, COL-4: the message, or undefined when anything about it is wrong. */
function readMessage(msg: Uint8Array): Read | undefined {
  if (msg.length > 1920) return undefined;
  let m: Record<string, unknown>;
  try {
    m = decode(msg) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m) || m instanceof Uint8Array) return undefined;
  const kind = m.kind;
  if (typeof kind !== 'string' || !(kind in FIELD_ORDER)) return undefined;
  const keys = Object.keys(m);
  const order = [...HEAD, ...FIELD_ORDER[kind]!];
  // Canonical: the fields are a subsequence of the listed order (only `note` is optional), shortest forms.
  if (keys.some((k) => !order.includes(k)) || keys.join() !== order.filter((k) => keys.includes(k)).join()) return undefined;
  if (!(kind === 'request' ? keys.length >= HEAD.length : keys.length === order.length)) return undefined;
  try {
    if (toHex(encode(m)) !== toHex(msg)) return undefined;
  } catch {
    return undefined;
  }
  const u32 = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
  const isName = (x: unknown): x is string => typeof x === 'string' && NAME.test(x);
  if (m.v !== 1 || m.ctx !== 'comrad/collective' || !isName(m.col) || !isName(m.by) || !u32(m.seq) || !u32(m.at)) return undefined;
  if (!(m.prev instanceof Uint8Array) || m.prev.length !== 32) return undefined;
  const seq = m.seq as number;
  const prev = toHex(m.prev);
  if ((kind === 'found') !== (seq === 0)) return undefined;
  if (kind === 'found' && prev !== '00'.repeat(32)) return undefined;
  const e: Read = { col: m.col, prev, seq, by: m.by, kind, id: toHex(sha256(msg)) };
  if (kind === 'found' || kind === 'propose') {
    const c = readConstitution(m.constitution);
    if (!c) return undefined;
    e.constitution = c;
  }
  if (kind === 'vouch' || kind === 'admit' || kind === 'expel') {
    if (!isName(m.who)) return undefined;
    e.who = m.who;
  }
  if (kind === 'request' && m.note !== undefined) {
    if (typeof m.note !== 'string' || [...m.note].length > 280) return undefined;
    e.note = m.note;
  }
  if (kind === 'vote') {
    if (!u32(m.proposal) || m.proposal === 0 || typeof m.yes !== 'boolean') return undefined;
    e.proposal = m.proposal as number;
    e.yes = m.yes;
  }
  if (kind === 'key') {
    // COL-28: an epoch opened at or before this event; 1..14 [name, sealed] pairs, names strictly increasing.
    if (!u32(m.epoch) || m.epoch === 0 || (m.epoch as number) > seq) return undefined;
    const list = m.keys;
    if (!Array.isArray(list) || list.length < 1 || list.length > 14) return undefined;
    const names: string[] = [];
    for (const pair of list) {
      if (!Array.isArray(pair) || pair.length !== 2 || !isName(pair[0]) || !(pair[1] instanceof Uint8Array)) return undefined;
      if (pair[1].length < 32 || pair[1].length > 128) return undefined;
      if (names.length > 0 && !(names[names.length - 1]! < pair[0])) return undefined;
      names.push(pair[0]);
    }
    e.epoch = m.epoch as number;
    e.keys = names;
  }
  return e;
}

function readConstitution(x: unknown): Constitution | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const c = x as Record<string, unknown>;
  const keys = Object.keys(c).join();
  if (keys !== 'admit,amend' && keys !== 'admit,amend,expel') return undefined;
  const admit = readRule(c.admit);
  const amend = readRule(c.amend);
  if (!admit || !amend) return undefined;
  if (keys === 'admit,amend') return { admit, amend };
  const expel = readRule(c.expel);
  return expel ? { admit, amend, expel } : undefined;
}

function readRule(x: unknown): Rule | undefined {
  if (typeof x !== 'object' || x === null || Object.keys(x).join() !== 'permille,min,cap') return undefined;
  const { permille, min, cap } = x as Record<string, unknown>;
  const int = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  if (!int(permille, 0, 1000) || !int(min, 1, 100_000) || !int(cap, min, 100_000)) return undefined;
  return { permille, min, cap };
}

// ---- Questions answered from the history alone

/** Index of the latest event by which `x` joined (found or admit), or -1. */
function joined(h: Accepted[], x: string): number {
  return lastIndex(h, (e) => (e.kind === 'found' && e.by === x) || (e.kind === 'admit' && e.who === x));
}

/** Index of the latest event by which `x` stopped being a member (leave as a member, or expelled), or -1. */
function departed(h: Accepted[], x: string): number {
  return lastIndex(h, (e) => (e.kind === 'leave' && e.by === x && e.wasMember === true) || (e.kind === 'expel' && e.who === x && e.expelled === true));
}

function isMember(h: Accepted[], x: string): boolean {
  const j = joined(h, x);
  return j >= 0 && j > departed(h, x);
}

function members(h: Accepted[]): string[] {
  const names = new Set(h.flatMap((e) => [e.by, e.who ?? e.by]));
  return [...names].filter((x) => isMember(h, x)).sort();
}

/** A vote or vouch at index i by v still counts: v is a member now, and has been since before i (COL-18). */
function counts(h: Accepted[], v: string, i: number): boolean {
  return isMember(h, v) && joined(h, v) < i;
}

/** Index of x's pending request, or -1: a request after x's latest admission or withdrawal. */
function pendingRequest(h: Accepted[], x: string): number {
  const r = lastIndex(h, (e) => e.kind === 'request' && e.by === x);
  const closed = lastIndex(h, (e) => (e.kind === 'admit' && e.who === x) || (e.kind === 'leave' && e.by === x && e.wasMember === false));
  return r > closed ? r : -1;
}

function vouches(h: Accepted[], x: string): string[] {
  const r = pendingRequest(h, x);
  return unique(h.flatMap((e, i) => (i > r && e.kind === 'vouch' && e.who === x && counts(h, e.by, i) ? [e.by] : [])));
}

/** The constitution in force: the found event's, or that of the latest proposal put in force. */
function constitution(h: Accepted[]): Constitution | undefined {
  const i = lastAmendment(h);
  if (i < 0) return undefined;
  const e = h[i]!;
  return e.kind === 'found' ? e.constitution : h[e.proposal!]!.constitution;
}

function lastAmendment(h: Accepted[]): number {
  return lastIndex(h, (e) => e.kind === 'found' || (e.kind === 'vote' && e.passed === true));
}

/** Proposals made since the last amendment: every one of them is still pending (COL-14). */
function pendingProposals(h: Accepted[]): number[] {
  const since = lastAmendment(h);
  return h.flatMap((e, i) => (i > since && e.kind === 'propose' ? [i] : []));
}

function votes(h: Accepted[], p: number, yes: boolean): string[] {
  return unique(h.flatMap((e, i) => (e.kind === 'vote' && e.proposal === p && e.yes === yes && counts(h, e.by, i) ? [e.by] : [])));
}

function expelVotes(h: Accepted[], t: string): string[] {
  const since = joined(h, t);
  return unique(h.flatMap((e, i) => (i > since && e.kind === 'expel' && e.who === t && counts(h, e.by, i) ? [e.by] : [])));
}

function ruleOf(h: Accepted[], e: Read): Accepted | string {
  const a: Accepted = { seq: e.seq, by: e.by, kind: e.kind, id: e.id };
  if (e.who !== undefined) a.who = e.who;
  if (e.note !== undefined) a.note = e.note;
  if (e.proposal !== undefined) a.proposal = e.proposal;
  if (e.yes !== undefined) a.yes = e.yes;
  if (e.constitution !== undefined) a.constitution = e.constitution;
  if (e.epoch !== undefined) a.epoch = e.epoch;
  if (e.keys !== undefined) a.keys = e.keys;
  if (e.kind === 'found') return a;
  const c = constitution(h)!;
  const n = members(h).length;
  const member = isMember(h, e.by);
  switch (e.kind) {
    case 'request':
      if (member || pendingRequest(h, e.by) >= 0) return 'DUPLICATE';
      if (requesters(h).length >= 1024) return 'QUOTA_EXCEEDED';
      return a;
    case 'vouch':
      if (!member) return 'NOT_MEMBER';
      if (pendingRequest(h, e.who!) < 0) return 'NOT_FOUND';
      if (vouches(h, e.who!).includes(e.by)) return 'DUPLICATE';
      return a;
    case 'admit':
      if (!member && e.by !== e.who) return 'NOT_MEMBER';
      if (pendingRequest(h, e.who!) < 0) return 'NOT_FOUND';
      if (vouches(h, e.who!).length < modelQuorum(c.admit, n)) return 'QUORUM_NOT_MET';
      if (n >= 100_000) return 'QUOTA_EXCEEDED';
      return a;
    case 'propose':
      if (!member) return 'NOT_MEMBER';
      if (pendingProposals(h).length >= 64) return 'QUOTA_EXCEEDED';
      return a;
    case 'vote': {
      if (!member) return 'NOT_MEMBER';
      if (!pendingProposals(h).includes(e.proposal!)) return 'NOT_FOUND';
      if (votes(h, e.proposal!, true).includes(e.by) || votes(h, e.proposal!, false).includes(e.by)) return 'DUPLICATE';
      a.passed = e.yes === true && votes(h, e.proposal!, true).length + 1 >= modelQuorum(c.amend, n);
      return a;
    }
    case 'leave':
      if (member) a.wasMember = true;
      else if (pendingRequest(h, e.by) >= 0) a.wasMember = false;
      else return 'NOT_MEMBER';
      return a;
    case 'expel': {
      if (c.expel === undefined) return 'FORBIDDEN';
      if (!member) return 'NOT_MEMBER';
      if (e.who === e.by) return 'FORBIDDEN';
      if (!isMember(h, e.who!)) return 'NOT_FOUND';
      const v = expelVotes(h, e.who!);
      if (v.includes(e.by)) return 'DUPLICATE';
      a.expelled = v.length + 1 >= modelQuorum(c.expel, n - 1);
      return a;
    }
    case 'key': {
      // COL-29
      if (!member) return 'NOT_MEMBER';
      const opens = e.epoch === e.seq;
      const current = currentEpoch(h);
      if (!opens && (current === 0 || e.epoch !== current)) return 'OUT_OF_ORDER';
      const held = holders(h);
      if (!opens && !held.includes(e.by)) return 'FORBIDDEN';
      const due = owed(h);
      for (const who of e.keys!) {
        if (!isMember(h, who)) return 'NOT_MEMBER';
        if (opens) continue;
        if (held.includes(who)) return 'DUPLICATE';
        if (!due.includes(who)) return 'FORBIDDEN';
      }
      return a;
    }
  }
  return 'UNDECODABLE';
}

// ---- The message key (COL-29), from the history alone

/** The current epoch: the seq (= index) of the last `key` event that opened one, or 0. */
function currentEpoch(h: Accepted[]): number {
  const i = lastIndex(h, (e) => e.kind === 'key' && e.epoch === e.seq);
  return i < 0 ? 0 : i;
}

/** Who got the current epoch's key, at which index: the opener and each copy's member. */
function copies(h: Accepted[]): Array<[string, number]> {
  const ep = currentEpoch(h);
  if (ep === 0) return [];
  return h.flatMap((e, i) => (e.kind === 'key' && e.epoch === ep ? [...(e.seq === ep ? [[e.by, i] as [string, number]] : []), ...e.keys!.map((w) => [w, i] as [string, number])] : []));
}

/** Holders now: got the key and have been a member without a break since. */
function holders(h: Accepted[]): string[] {
  return unique(copies(h).filter(([x, i]) => isMember(h, x) && joined(h, x) < i).map(([x]) => x)).sort();
}

/** Owed: members since before the epoch opened who hold no copy. */
function owed(h: Accepted[]): string[] {
  const ep = currentEpoch(h);
  if (ep === 0) return [];
  const held = holders(h);
  return members(h).filter((x) => joined(h, x) < ep && !held.includes(x));
}

/** Whether someone who got the current key left or was expelled after getting it. */
function exposed(h: Accepted[]): boolean {
  return copies(h).some(([x, i]) => departed(h, x) > i);
}

function requesters(h: Accepted[]): string[] {
  return unique(h.filter((e) => e.kind === 'request').map((e) => e.by)).filter((x) => pendingRequest(h, x) >= 0);
}

/** The final state, in the shape of `stateToJson` (sorted names). */
function view(name: string, h: Accepted[]) {
  const c = constitution(h);
  const ms = members(h);
  return {
    name,
    seq: h.length,
    head: h.length === 0 ? '00'.repeat(32) : h[h.length - 1]!.id,
    constitution: c === undefined ? null : c,
    members: ms,
    requests: requesters(h)
      .sort()
      .map((x) => {
        const r = h[pendingRequest(h, x)]!;
        return r.note === undefined ? { candidate: x, seq: r.seq, vouches: vouches(h, x).sort() } : { candidate: x, seq: r.seq, note: r.note, vouches: vouches(h, x).sort() };
      }),
    proposals: pendingProposals(h).map((i) => ({ id: i, by: h[i]!.by, constitution: h[i]!.constitution!, yes: votes(h, i, true).sort(), no: votes(h, i, false).sort() })),
    expulsions: ms.map((t) => ({ who: t, votes: expelVotes(h, t).sort() })).filter((x) => x.votes.length > 0),
    key: { epoch: currentEpoch(h), holders: holders(h), owed: owed(h), exposed: exposed(h) },
  };
}

function lastIndex<T>(xs: readonly T[], p: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (p(xs[i]!)) return i;
  return -1;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
