/**
 * Test helpers for collectives (COL-*): a fixed cast of comrades with real Themis keys, a registry, and
 * a log builder that signs each event against the state the log has reached, as an author would.
 * @module
 */
import fc from 'fast-check';
import { KeyPair, PublicKey, SymmetricKey } from '@comrad/core';
import {
  applyEvent,
  emptyCollective,
  nextEvent,
  sealKeyCopy,
  signEvent,
  type CollectiveState,
  type Constitution,
  type EventBody,
  type FoldResult,
  type KeysOf,
  type Quorum,
} from '@comrad/core/collective';

/** The cast: registered comrades (keys made once per test file, after `ready()`). */
export const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'] as const;
/** A name no registry knows. */
export const STRANGER = 'nobody_here';

/** The cast's keys and the registry over them. */
export interface Cast {
  readonly keys: ReadonlyMap<string, KeyPair>;
  readonly keysOf: KeysOf;
}

/** Generates the cast's key pairs. Call after `ready()`. */
export function makeCast(): Cast {
  const keys = new Map(NAMES.map((n) => [n, KeyPair.generate()] as const));
  return { keys, keysOf: registryOf(keys) };
}

/** A registry over the cast built afresh from key bytes, as another member's client would hold it. */
export function registryOf(keys: ReadonlyMap<string, KeyPair>): KeysOf {
  const registry = new Map([...keys].map(([n, k]) => [n, PublicKey.from(k.publicKey.bytes())] as const));
  return (name) => registry.get(name);
}

/** A simple quorum rule. */
export const rule = (permille: number, min = 1, cap = 100): Quorum => ({ permille, min, cap });

/** A log as the Operator stores it (every appended event) and the state its fold reached. */
export class LogBuilder {
  readonly events: Uint8Array[] = [];
  state: CollectiveState;
  at = 1_764_000_000;

  constructor(
    readonly cast: Cast,
    readonly name = 'portland',
  ) {
    this.state = emptyCollective(name);
  }

  /** Signs `body` by `by` against the current state (or `on`), appends it, applies it; returns the result. */
  act(by: string, body: EventBody, opts: { signer?: string; on?: CollectiveState; col?: string } = {}): FoldResult {
    const signed = this.sign(by, body, opts);
    return this.append(signed);
  }

  /** The signed bytes `act` would append, without appending them. */
  sign(by: string, body: EventBody, opts: { signer?: string; on?: CollectiveState; col?: string } = {}): Uint8Array {
    const base = opts.on ?? this.state;
    const event = { ...nextEvent(base, by, this.at++, body), ...(opts.col ? { col: opts.col } : {}) };
    const key = this.cast.keys.get(opts.signer ?? by) ?? this.cast.keys.get('alice')!;
    return signEvent(event, key.privateKey);
  }

  /** Appends signed bytes as the Operator would and applies them. */
  append(signed: Uint8Array): FoldResult {
    this.events.push(signed);
    const r = applyEvent(this.state, signed, this.cast.keysOf);
    if (r.ok) this.state = r.state;
    return r;
  }

  /** Fails the test unless the last act was accepted. */
  ok(by: string, body: EventBody): CollectiveState {
    const r = this.act(by, body);
    if (!r.ok) throw new Error(`${by} ${body.kind} refused: ${r.error.code} ${r.error.message}`);
    return r.state;
  }

  /** Founds the collective and admits `members` one by one, each vouched for by every member so far. */
  static founded(cast: Cast, constitution: Constitution, members: readonly string[] = [], name = 'portland'): LogBuilder {
    const log = new LogBuilder(cast, name);
    log.ok(members[0] ?? 'alice', { kind: 'found', constitution });
    for (const m of members.slice(1)) {
      log.ok(m, { kind: 'request' });
      for (const v of [...log.state.members]) log.ok(v, { kind: 'vouch', who: m });
      log.ok(m, { kind: 'admit', who: m });
    }
    return log;
  }
}

/** Any constitution within small bounds (so quorums bite in logs of a few members). */
export const quorumArb: fc.Arbitrary<Quorum> = fc
  .record({ permille: fc.integer({ min: 0, max: 1000 }), min: fc.integer({ min: 1, max: 4 }), extra: fc.integer({ min: 0, max: 4 }) })
  .map(({ permille, min, extra }) => ({ permille, min, cap: min + extra }));

export const constitutionArb: fc.Arbitrary<Constitution> = fc
  .record({ admit: quorumArb, amend: quorumArb, expel: fc.option(quorumArb, { nil: undefined }) })
  .map(({ admit, amend, expel }) => (expel === undefined ? { admit, amend } : { admit, amend, expel }));

/**
 * One step of a random log: what an author means to do. Most are built on the current state; some are
 * attacks (a forged signature, a stranger, a replay, an event built on a stale head, another collective).
 */
export type Step =
  | { t: 'act'; plausible: boolean; by: number; kind: EventBody['kind']; who: number; proposal: number; yes: boolean; constitution: Constitution; note: boolean; share: number }
  | { t: 'forge'; by: number; signer: number; who: number }
  | { t: 'stranger' }
  | { t: 'replay'; pick: number }
  | { t: 'stale'; back: number; by: number; who: number }
  | { t: 'foreign'; by: number };

const idx = fc.integer({ min: 0, max: NAMES.length - 1 });
const actArb: fc.Arbitrary<Step> = fc.record({
  t: fc.constant('act' as const),
  // Mostly an author and a target the state makes sensible, so logs grow; else anyone, to be refused.
  plausible: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
  by: idx,
  // Weighted towards the acts that make logs grow: requests, vouches and admissions.
  kind: fc.constantFrom<EventBody['kind']>(...(['request', 'request', 'request', 'vouch', 'vouch', 'vouch', 'vouch', 'vouch', 'admit', 'admit', 'admit', 'propose', 'vote', 'vote', 'vote', 'leave', 'expel', 'expel', 'key', 'key'] as const)),
  who: idx,
  proposal: fc.nat({ max: 8 }),
  yes: fc.boolean(),
  constitution: constitutionArb,
  note: fc.boolean(),
  // For a `key` event: a bit mask over the names, which copies it carries (COL-28).
  share: fc.nat({ max: 255 }),
});

/** A random log's steps, founded first by a random founder under a random constitution. */
export const stepsArb: fc.Arbitrary<{ founder: number; constitution: Constitution; steps: Step[] }> = fc.record({
  founder: idx,
  constitution: constitutionArb,
  steps: fc.array(
    fc.oneof(
      { arbitrary: actArb, weight: 20 },
      { arbitrary: fc.record({ t: fc.constant('forge' as const), by: idx, signer: idx, who: idx }), weight: 1 },
      { arbitrary: fc.constant({ t: 'stranger' as const }), weight: 1 },
      { arbitrary: fc.record({ t: fc.constant('replay' as const), pick: fc.nat() }), weight: 1 },
      { arbitrary: fc.record({ t: fc.constant('stale' as const), back: fc.integer({ min: 1, max: 4 }), by: idx, who: idx }), weight: 1 },
      { arbitrary: fc.record({ t: fc.constant('foreign' as const), by: idx }), weight: 1 },
    ),
    { maxLength: 40, size: 'max' },
  ),
});

/**
 * Builds the stored log of a random run: each step signed against the state reached so far (or an attack
 * on it). Returns the log builder, whose `events` is what the Operator would hold.
 */
export function buildLog(cast: Cast, run: { founder: number; constitution: Constitution; steps: Step[] }): LogBuilder {
  const log = new LogBuilder(cast);
  const history: CollectiveState[] = [log.state];
  log.act(NAMES[run.founder]!, { kind: 'found', constitution: run.constitution });
  history.push(log.state);
  for (const s of run.steps) {
    switch (s.t) {
      case 'act': {
        // With nobody to vouch for, a plausible author would first have someone ask.
        const asks = s.plausible && (s.kind === 'vouch' || s.kind === 'admit') && log.state.requests.size === 0;
        const act = asks ? { ...s, kind: 'request' as const } : s;
        const { by, who } = pick(act, log.state);
        log.act(by, bodyOf(act, who, log.state, by, cast));
        break;
      }
      case 'forge':
        log.act(NAMES[s.by]!, { kind: 'vouch', who: NAMES[s.who]! }, { signer: NAMES[s.signer === s.by ? (s.by + 1) % NAMES.length : s.signer]! });
        break;
      case 'stranger':
        log.act(STRANGER, { kind: 'request' });
        break;
      case 'replay':
        if (log.events.length > 0) log.append(log.events[s.pick % log.events.length]!);
        break;
      case 'stale': {
        const on = history[Math.max(1, history.length - 1 - s.back)]!;
        if (on.seq !== log.state.seq) log.act(NAMES[s.by]!, { kind: 'vouch', who: NAMES[s.who]! }, { on });
        break;
      }
      case 'foreign':
        log.act(NAMES[s.by]!, { kind: 'request' }, { col: 'elsewhere' });
        break;
    }
    if (history[history.length - 1] !== log.state) history.push(log.state);
  }
  return log;
}

/** The author and target of an act: for a plausible one, drawn from those the state makes sensible. */
function pick(s: Extract<Step, { t: 'act' }>, state: CollectiveState): { by: string; who: string } {
  const raw = { by: NAMES[s.by]!, who: NAMES[s.who]! };
  if (!s.plausible) return raw;
  const members = [...state.members].sort();
  const candidates = [...state.requests.keys()].sort();
  const outsiders = NAMES.filter((n) => !state.members.has(n));
  const from = (xs: readonly string[], i: number, fallback: string) => (xs.length > 0 ? xs[i % xs.length]! : fallback);
  switch (s.kind) {
    case 'request':
      return { by: from(outsiders, s.by, raw.by), who: raw.who };
    case 'vouch':
      return { by: from(members, s.by, raw.by), who: from(candidates, s.who, raw.who) };
    case 'admit': {
      const who = from(candidates, s.who, raw.who);
      return { by: s.by % 2 === 0 ? who : from(members, s.by, raw.by), who };
    }
    case 'expel':
      return { by: from(members, s.by, raw.by), who: from(members, s.who, raw.who) };
    case 'key': {
      // Continuing an epoch is for a holder while someone is owed the key; else a member opens one.
      const holders = [...state.holders].sort();
      // Now and then a member who does not hold the key tries to hand it on (FORBIDDEN).
      return { by: state.owed.size > 0 && s.share % 2 === 0 && !(s.share & 128) ? from(holders, s.by, raw.by) : from(members, s.by, raw.by), who: raw.who };
    }
    case 'leave':
      // The last member leaving ends every story: a candidate withdraws instead.
      return { by: members.length > 1 ? from(members, s.by, raw.by) : from(candidates, s.by, raw.by), who: raw.who };
    default:
      return { by: from(members, s.by, raw.by), who: raw.who };
  }
}

function bodyOf(s: Extract<Step, { t: 'act' }>, who: string, state: CollectiveState, by: string, cast: Cast): EventBody {
  switch (s.kind) {
    case 'found':
    case 'propose':
      return { kind: s.kind, constitution: s.constitution };
    case 'request':
      return s.note ? { kind: 'request', note: 'from the tenants union' } : { kind: 'request' };
    case 'vouch':
    case 'admit':
    case 'expel':
      return { kind: s.kind, who };
    case 'vote': {
      // Mostly a pending proposal, sometimes one that does not exist.
      const ids = [...state.proposals.keys()];
      return { kind: 'vote', proposal: ids.length > 0 && s.proposal < 6 ? ids[s.proposal % ids.length]! : s.proposal + 1, yes: s.yes };
    }
    case 'leave':
      return { kind: 'leave' };
    case 'key':
      return keyBody(s, state, by, cast);
  }
}

/**
 * A `key` event (COL-28) with real sealed copies: a plausible one opens an epoch for the author and the
 * members `share` picks, or continues the current one for owed members; else the copies go to anyone.
 */
function keyBody(s: Extract<Step, { t: 'act' }>, state: CollectiveState, by: string, cast: Cast): EventBody {
  const continuing = (state.owed.size > 0 && s.share % 2 === 0) || (!s.plausible && s.share % 3 === 0 && state.epoch > 0);
  // Now and then a continuation names every member, holders and latecomers too (DUPLICATE, FORBIDDEN).
  const pool = !s.plausible ? [...NAMES] : continuing && !(s.share & 64) ? [...state.owed] : [...state.members];
  const chosen = pool.filter((_, i) => (s.share >> (i % 8)) & 1);
  const names = [...new Set(chosen.length > 0 ? chosen : pool.slice(0, 1).concat(continuing ? [] : [by]))].sort();
  const key = SymmetricKey.generate();
  const author = cast.keys.get(by) ?? cast.keys.get('alice')!;
  const keys = names.map((who) => ({ who, sealed: sealKeyCopy(author.privateKey, (cast.keys.get(who) ?? author).publicKey, key) }));
  const epoch = continuing ? state.epoch : state.seq;
  return { kind: 'key', epoch: Math.max(1, epoch), keys };
}
