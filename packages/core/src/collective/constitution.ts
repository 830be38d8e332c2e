/**
 * A collective's constitution (COL-*): how many members must vouch to admit a candidate, how many must
 * vote yes to amend the constitution, and whether (and by how many) a member can be expelled. Every rule
 * is a {@link Quorum}: a fraction of the eligible members in parts per thousand (integers only: the
 * codec has no floats, ENC-1), raised to a floor and capped.
 * @module
 */
import { ProtocolError } from '../errors.js';
import { Fields } from '../codec/fields.js';

/** The most members a collective holds (COL-15): bounds every quorum and the fold's state. */
export const MAX_MEMBERS = 100_000;

/** A quorum rule: `max(min, ceil(permille × n / 1000))`, at most `cap`, at most `n`, at least 1. */
export interface Quorum {
  /** Fraction of the eligible members, in parts per thousand (0–1000): 300 means 30 %. */
  readonly permille: number;
  /** The floor: never fewer than this many (1–{@link MAX_MEMBERS}). */
  readonly min: number;
  /** The ceiling: never more than this many (`min`–{@link MAX_MEMBERS}). */
  readonly cap: number;
}

/** The rules a collective lives by. */
export interface Constitution {
  /** Vouches by members needed to admit a candidate; eligible: the members. */
  readonly admit: Quorum;
  /** Yes votes by members needed to amend the constitution; eligible: the members. */
  readonly amend: Quorum;
  /** Votes by members needed to expel one; eligible: the members but the one expelled. Absent: no expulsion. */
  readonly expel?: Quorum;
}

const QUORUM_FIELDS = ['permille', 'min', 'cap'] as const;
const CONSTITUTION_FIELDS = ['admit', 'amend', 'expel'] as const;

/**
 * The number a quorum rule asks of `eligible` members (COL-5):
 * `max(1, min(eligible, cap, max(min, ceil(permille × eligible / 1000))))`, in integers.
 * @param rule - the rule in force
 * @param eligible - how many members may take part (never negative)
 * @returns how many must take part; at least 1, so nothing ever happens by nobody's act
 * @example `quorum({ permille: 300, min: 1, cap: 10 }, 20) // 6`
 */
export function quorum(rule: Quorum, eligible: number): number {
  // ceil(p·n/1000) in integers: p·n ≤ 1000 · MAX_MEMBERS, far inside the safe range.
  const share = Math.floor((rule.permille * eligible + 999) / 1000);
  return Math.max(1, Math.min(eligible, rule.cap, Math.max(rule.min, share)));
}

/**
 * Reads a constitution from a decoded msgpack value (COL-4).
 * @throws ProtocolError MALFORMED (wrong structure, a bound broken, `min` above `cap`)
 */
export function readConstitution(value: unknown, what = 'constitution'): Constitution {
  const f = Fields.of(value, what, CONSTITUTION_FIELDS);
  const admit = readQuorum(f.raw('admit'), `${what}.admit`);
  const amend = readQuorum(f.raw('amend'), `${what}.amend`);
  // COL-4: an absent rule is omitted, never nil (ENC-2); the canonical check refuses nil.
  return f.has('expel') ? { admit, amend, expel: readQuorum(f.raw('expel'), `${what}.expel`) } : { admit, amend };
}

/** The canonical map of a constitution: fields in COL-4 order, an absent `expel` left out. */
export function constitutionToMap(c: Constitution): Record<string, unknown> {
  if (typeof c !== 'object' || c === null) throw new TypeError('constitution must be an object');
  const map: Record<string, unknown> = { admit: quorumToMap(c.admit), amend: quorumToMap(c.amend) };
  if (c.expel !== undefined) map.expel = quorumToMap(c.expel);
  return map;
}

function readQuorum(value: unknown, what: string): Quorum {
  const f = Fields.of(value, what, QUORUM_FIELDS);
  const permille = f.int('permille', { min: 0, max: 1000 });
  const min = f.int('min', { min: 1, max: MAX_MEMBERS });
  const cap = f.int('cap', { min: 1, max: MAX_MEMBERS });
  // COL-4: a cap below the floor would make one of the two meaningless; one rule, one reading.
  if (cap < min) throw new ProtocolError('MALFORMED', `${what}.cap is below its min`);
  return { permille, min, cap };
}

function quorumToMap(q: Quorum): Record<string, unknown> {
  if (typeof q !== 'object' || q === null) throw new TypeError('a quorum must be an object');
  return { permille: q.permille, min: q.min, cap: q.cap };
}
