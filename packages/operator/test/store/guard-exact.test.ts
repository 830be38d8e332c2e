/**
 * Every argument check of `_guard.ts`, the wrapper every backend shares, one at a time: for each argument of
 * each method, the values that only that check refuses (a `TypeError` whose text starts with the
 * argument's name, so a check that tested the wrong argument is caught) and the values at its bounds that
 * must pass. A refusal reaches no backend and stores nothing; a passing call hands the backend exactly the
 * checked fields. Then the ids that come from clients (garbage is ignored, never passed on), the
 * shortcuts that answer without the backend (`limit` 0, no prefixes, no posts), and the closed state
 * (calls after `close()` fail; `close()` waits for the calls in flight).
 *
 * The backend is a real memory store behind a recording pass-through, so a test can tell what reached it.
 */
import { describe, expect, it } from 'vitest';
import { ComradError, ProtocolError } from '@comrad/core';
import { openStore, type PutChanPostResult, type Store } from '../../src/store/index.js';
import { guardStore } from '../../src/store/_guard.js';
import { MAX_ID_TIME } from '../../src/policy/ids.js';
import { DAY, T0, idOf } from '@comrad/test-kit/operator/store-conformance';

/** One call the guard passed on to the backend. */
interface Call {
  readonly method: string;
  readonly args: unknown[];
}

interface Spied {
  /** The guarded store under test. */
  readonly store: Store;
  /** The real memory store behind it (read directly, so reading it records nothing). */
  readonly backend: Store;
  /** What reached the backend, in order. */
  readonly calls: Call[];
}

/** A guard over a real memory store whose every method call is recorded, then passed on untouched. */
async function spied(): Promise<Spied> {
  const backend = await openStore({ kind: 'memory' });
  const calls: Call[] = [];
  const recorder = new Proxy(backend, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(prop), args });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: guardStore(recorder), backend, calls };
}

type Method = Exclude<keyof Store, 'kind'>;

/** Calls `method` and fails the test if it throws synchronously: the guard turns every refusal into a rejection. */
function call(store: Store, method: Method, args: readonly unknown[]): Promise<unknown> {
  let p: Promise<unknown> | undefined;
  expect(() => {
    p = (store[method] as (...a: unknown[]) => Promise<unknown>)(...args);
  }).not.toThrow();
  expect(p).toBeInstanceOf(Promise);
  return p!;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (value) => {
      throw new Error(`expected a refusal, got ${String(value)}`);
    },
    (err: unknown) => err,
  );
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Asserts a refusal by the check of `field`: TypeError (or ProtocolError `code`) naming it, no backend call, nothing stored. */
async function expectRefused(method: Method, args: readonly unknown[], field: string, code?: string): Promise<void> {
  const { store, backend, calls } = await spied();
  const err = await failure(call(store, method, args));
  if (code === undefined) {
    expect(err).toBeInstanceOf(TypeError);
  } else {
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(code);
  }
  expect((err as Error).message).toMatch(new RegExp(`^${escape(field)} (must|is) `));
  expect(calls).toEqual([]);
  expect(await backend.dump()).toEqual([]);
  await store.close();
}

// Fixed values, so a call's arguments can be compared with what the backend received.
const NONCE = '0123456789ab';
const HEX64 = '0123456789abcdef'.repeat(4);
const HEX_B = 'fedcba9876543210'.repeat(4);
const PIN = '0123456789abcdef'.repeat(2);
/** A well-formed id no store minted. */
const NO_ID = `${'0'.repeat(14)}${NONCE}`;
const sealed = () => new Uint8Array([1, 2, 3]);
const key45 = () => new Uint8Array(45).fill(4);
const spend = () => ({ period: 1, nullifier: HEX64, action: HEX_B });
const mailArg = () => ({ sealed: sealed(), receivedAt: T0, expiresAt: T0 + DAY, key: 'k1', nonce: NONCE });
const postArg = () => ({ author: 'alice', sealed: sealed(), epoch: 1, postedAt: T0, expiresAt: T0 + DAY, key: 'k1', nonce: NONCE });
const chanPostArg = () => ({ sealed: sealed(), postedAt: T0, expiresAt: T0 + DAY, key: 'k1', nonce: NONCE });
const pinArg = () => ({ id: PIN, cell: 'u4pruyd', kind: 'hazard', note: 'x', createdAt: T0, expiresAt: T0 + DAY, confirms: 0, denies: 0 });
const ruleArg = () => ({ confirmMs: 1000, denyMs: 1000, maxLifeMs: DAY });
const voteArg = () => ({ post: NO_ID, voter: HEX64, choice: 1, expiresAt: T0 + DAY });

/** Values one kind of check refuses (each by one condition only) and values at its bounds it lets through. */
interface Kind {
  readonly bad: ReadonlyArray<readonly [what: string, value: unknown]>;
  readonly good: ReadonlyArray<readonly [what: string, value: unknown]>;
}

const NAME: Kind = {
  // A list of one string has a length in bounds: only the type check refuses it.
  bad: [['a list', ['abc']], ['empty', ''], ['257 characters', 'n'.repeat(257)]],
  good: [['1 character', 'n'], ['256 characters', 'n'.repeat(256)]],
};
const KEY_BYTES: Kind = {
  bad: [['a plain array', Array.from(key45())], ['empty', new Uint8Array(0)], ['1025 bytes', new Uint8Array(1025).fill(1)]],
  good: [['1 byte', new Uint8Array([9])], ['1024 bytes', new Uint8Array(1024).fill(1)]],
};
const BYTES: Kind = {
  bad: [['a plain array', [1, 2, 3]], ['empty', new Uint8Array(0)]],
  good: [['1 byte', new Uint8Array([9])], ['a Buffer', Buffer.from([1, 2])]],
};
const TIME: Kind = {
  // A numeric string: Number.isFinite does not convert, so the type check is not the only one to refuse it.
  bad: [['a numeric string', '5'], ['NaN', Number.NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['negative', -1], ['just below 0', -0.5], ['past MAX_ID_TIME', MAX_ID_TIME + 1]],
  good: [['0', 0], ['MAX_ID_TIME', MAX_ID_TIME]],
};
const COUNT: Kind = {
  bad: [['a numeric string', '1'], ['a fraction', 1.5], ['negative', -1], ['NaN', Number.NaN], ['past the safe integers', 2 ** 53]],
  good: [['0', 0], ['the largest safe integer', Number.MAX_SAFE_INTEGER]],
};
const EPOCH: Kind = {
  bad: [['a numeric string', '1'], ['a fraction', 1.5], ['negative', -1], ['2^32', 2 ** 32], ['NaN', Number.NaN]],
  good: [['0', 0], ['0xffffffff', 0xffff_ffff]],
};
/** 16 to 128 lowercase hex digits. */
const HEX: Kind = {
  // A list of one hex string reads as that string to RegExp.test: only the type check refuses it.
  bad: [['a list', [HEX64]], ['15 digits', 'a'.repeat(15)], ['129 digits', 'a'.repeat(129)], ['upper case', 'A'.repeat(64)], ['a g', 'g'.repeat(64)], ['a stray first character', `x${HEX64}`], ['a stray last character', `${HEX64}x`]],
  good: [['16 digits, every digit class bound', '0123456789abcdef'], ['128 digits', 'f'.repeat(128)]],
};
const CHANNEL: Kind = {
  bad: [['a list', [HEX64]], ['63 digits', HEX64.slice(1)], ['65 digits', `${HEX64}0`], ['upper case', HEX64.toUpperCase()], ['a g', 'g'.repeat(64)], ['a stray first character', `x${HEX64}`], ['a stray last character', `${HEX64}x`]],
  good: [['64 digits', HEX64], ['64 digits, other order', HEX_B]],
};
const PIN_ID: Kind = {
  bad: [['a list', [PIN]], ['31 digits', PIN.slice(1)], ['33 digits', `${PIN}0`], ['upper case', PIN.toUpperCase()], ['a g', 'g'.repeat(32)], ['a stray first character', `x${PIN}`], ['a stray last character', `${PIN}x`]],
  good: [['32 digits', PIN], ['32 digits, other order', 'fedcba9876543210'.repeat(2)]],
};
/** Geohash characters: 0-9 b-h j k m n p-z (no a, i, l, o). */
const CELL7: Kind = {
  bad: [['a list', ['u4pruyd']], ['6 characters', 'u4pruy'], ['8 characters', 'u4pruydq'], ['an a', 'u4pruya'], ['an i', 'u4pruyi'], ['an l', 'u4pruyl'], ['an o', 'u4pruyo'], ['upper case', 'U4PRUYD'], ['a stray first character', 'au4pruy']],
  good: [['0 9 b h j k m', '09bhjkm'], ['n p z', 'npz0000']],
};
const PREFIX: Kind = {
  bad: [['a list', ['u4']], ['empty', ''], ['8 characters', 'u4pruydq'], ['an a', 'u4a'], ['an o', 'o'], ['a stray first character', 'au4']],
  good: [['1 character', 'z'], ['7 characters', 'u4pruyd']],
};
const KIND_WORD: Kind = {
  bad: [['a list', ['hazard']], ['empty', ''], ['17 letters', 'a'.repeat(17)], ['upper case', 'Hazard'], ['a digit', 'hazard1'], ['a stray first character', '1hazard']],
  good: [['1 letter', 'a'], ['16 letters', 'z'.repeat(16)]],
};
const NOTE: Kind = {
  bad: [['a list', ['x']], ['281 units', 'x'.repeat(281)]],
  good: [['empty', ''], ['280 units', 'x'.repeat(280)]],
};
const DEDUPE_KEY: Kind = {
  bad: [['a list', ['k']], ['empty', ''], ['129 characters', 'k'.repeat(129)]],
  good: [['1 character', 'k'], ['128 characters', 'k'.repeat(128)]],
};
const RANDOM_PART: Kind = {
  bad: [['a list', [NONCE]], ['11 digits', NONCE.slice(1)], ['upper case', 'ABCDEF012345']],
  good: [['12 digits', 'fedcba987654']],
};
/** Any number, NaN excepted (expiry bounds). */
const NUMBER: Kind = {
  bad: [['NaN', Number.NaN], ['a numeric string', '1']],
  good: [['negative', -5], ['0', 0]],
};
/** An object argument: null and a number are refused by its own check, not by a field's. */
const OBJECT: Kind = { bad: [['null', null], ['a number', 5]], good: [] };

/** Where an argument sits: its position, and for a field of an object argument, the field's name. */
type Path = readonly [number] | readonly [number, string];

interface Field {
  /** What the error text starts with. */
  readonly name: string;
  readonly at: Path;
  readonly kind: Kind;
  /** Passing values that answer without the backend (limit 0). */
  readonly zeroSkips?: boolean;
}

interface MethodCase {
  readonly title: string;
  readonly method: Method;
  /** Arguments every check passes. */
  readonly args: () => unknown[];
  /** What the backend must receive for `args()`, when not `args()` itself. */
  readonly passed?: () => unknown[];
  readonly fields: readonly Field[];
}

const f = (name: string, at: Path, kind: Kind, zeroSkips?: boolean): Field => ({ name, at, kind, ...(zeroSkips ? { zeroSkips } : {}) });
const spendFields = (at: number): Field[] => [f('spend', [at], OBJECT), f('period', [at, 'period'], EPOCH), f('nullifier', [at, 'nullifier'], HEX), f('action', [at, 'action'], HEX)];

const CASES: readonly MethodCase[] = [
  { title: 'putPairIfAbsent', method: 'putPairIfAbsent', args: () => ['alice', key45(), T0], fields: [f('name', [0], NAME), f('publicKey', [1], KEY_BYTES), f('registeredAt', [2], TIME)] },
  { title: 'keyOf', method: 'keyOf', args: () => ['alice'], fields: [f('name', [0], NAME)] },
  { title: 'nameOf', method: 'nameOf', args: () => [key45()], fields: [f('publicKey', [0], KEY_BYTES)] },
  ...['unpaid', 'paid'].map((how): MethodCase => ({
    title: `appendMail (${how})`,
    method: 'appendMail',
    args: () => ['bob', mailArg(), { maxItems: 10, maxBytes: 1000, storageBytes: 1000 }, ...(how === 'paid' ? [spend()] : [])],
    fields: [
      f('to', [0], NAME),
      f('mail', [1], OBJECT),
      f('sealed', [1, 'sealed'], BYTES),
      f('receivedAt', [1, 'receivedAt'], TIME),
      f('expiresAt', [1, 'expiresAt'], TIME),
      f('key', [1, 'key'], DEDUPE_KEY),
      f('nonce', [1, 'nonce'], RANDOM_PART),
      f('quota', [2], OBJECT),
      f('quota.maxItems', [2, 'maxItems'], COUNT),
      f('quota.maxBytes', [2, 'maxBytes'], COUNT),
      f('quota.storageBytes', [2, 'storageBytes'], COUNT),
      ...(how === 'paid' ? spendFields(3) : []),
    ],
  })),
  { title: 'listMail', method: 'listMail', args: () => ['bob', T0, 10], fields: [f('to', [0], NAME), f('now', [1], TIME), f('limit', [2], COUNT, true)] },
  { title: 'deleteMail', method: 'deleteMail', args: () => ['bob', [NO_ID]], fields: [f('to', [0], NAME), f('ids', [1], { bad: [['a string', NO_ID], ['an object', { 0: NO_ID, length: 1 }]], good: [] })] },
  {
    title: 'appendPost (no quota)',
    method: 'appendPost',
    args: () => [postArg()],
    fields: [f('post', [0], OBJECT), f('author', [0, 'author'], NAME), f('sealed', [0, 'sealed'], BYTES), f('epoch', [0, 'epoch'], EPOCH), f('postedAt', [0, 'postedAt'], TIME), f('expiresAt', [0, 'expiresAt'], TIME), f('key', [0, 'key'], DEDUPE_KEY), f('nonce', [0, 'nonce'], RANDOM_PART)],
  },
  {
    title: 'appendPost (with a quota)',
    method: 'appendPost',
    args: () => [postArg(), { maxPosts: 10, since: T0 - DAY, storageBytes: 1000 }],
    fields: [f('quota', [1], OBJECT), f('quota.maxPosts', [1, 'maxPosts'], COUNT), f('quota.since', [1, 'since'], TIME), f('quota.storageBytes', [1, 'storageBytes'], COUNT)],
  },
  { title: 'listPosts', method: 'listPosts', args: () => [T0, 10], passed: () => [T0, 10, undefined], fields: [f('now', [0], TIME), f('limit', [1], COUNT, true)] },
  { title: 'listPosts (before)', method: 'listPosts', args: () => [T0, 10, NO_ID], fields: [] },
  { title: 'getPost', method: 'getPost', args: () => [NO_ID, T0], fields: [f('now', [1], TIME)] },
  { title: 'deletePostIfAuthor', method: 'deletePostIfAuthor', args: () => [NO_ID, 'alice'], fields: [f('author', [1], NAME)] },
  { title: 'countPostsSince', method: 'countPostsSince', args: () => ['alice', T0], fields: [f('author', [0], NAME), f('since', [1], TIME)] },
  {
    title: 'appendEntry',
    method: 'appendEntry',
    args: () => ['log', 0, sealed(), { maxEntries: 10, storageBytes: 1000 }],
    fields: [f('log', [0], NAME), f('position', [1], COUNT), f('entry', [2], BYTES), f('quota', [3], OBJECT), f('quota.maxEntries', [3, 'maxEntries'], COUNT), f('quota.storageBytes', [3, 'storageBytes'], COUNT)],
  },
  { title: 'readEntries', method: 'readEntries', args: () => ['log', 0, 10], fields: [f('log', [0], NAME), f('position', [1], COUNT), f('limit', [2], COUNT)] },
  {
    title: 'putProfileIfNewer',
    method: 'putProfileIfNewer',
    args: () => ['alice', { sealed: sealed(), at: 1, receivedAt: T0, expiresAt: T0 + DAY }, T0, 1000],
    fields: [f('name', [0], NAME), f('profile', [1], OBJECT), f('sealed', [1, 'sealed'], BYTES), f('at', [1, 'at'], EPOCH), f('receivedAt', [1, 'receivedAt'], TIME), f('expiresAt', [1, 'expiresAt'], TIME), f('now', [2], TIME), f('quota.storageBytes', [3], COUNT)],
  },
  { title: 'putProfileIfNewer (no budget)', method: 'putProfileIfNewer', args: () => ['alice', { sealed: sealed(), at: 1, receivedAt: T0, expiresAt: T0 + DAY }, T0], passed: () => ['alice', { sealed: sealed(), at: 1, receivedAt: T0, expiresAt: T0 + DAY }, T0, undefined], fields: [] },
  { title: 'getProfile', method: 'getProfile', args: () => ['alice', T0], fields: [f('name', [0], NAME), f('now', [1], TIME)] },
  { title: 'expireProfiles', method: 'expireProfiles', args: () => [T0], fields: [f('now', [0], TIME)] },
  ...['unpaid', 'paid'].map((how): MethodCase => ({
    title: `appendChanPost (${how})`,
    method: 'appendChanPost',
    args: () => [HEX64, chanPostArg(), { maxPosts: 10, maxRecent: 10, since: T0 - DAY, storageBytes: 1000 }, ...(how === 'paid' ? [spend()] : [])],
    fields: [
      f('chan', [0], CHANNEL),
      f('post', [1], OBJECT),
      f('sealed', [1, 'sealed'], BYTES),
      f('postedAt', [1, 'postedAt'], TIME),
      f('expiresAt', [1, 'expiresAt'], TIME),
      f('key', [1, 'key'], DEDUPE_KEY),
      f('nonce', [1, 'nonce'], RANDOM_PART),
      f('quota', [2], OBJECT),
      f('quota.maxPosts', [2, 'maxPosts'], COUNT),
      f('quota.maxRecent', [2, 'maxRecent'], COUNT),
      f('quota.since', [2, 'since'], TIME),
      f('quota.storageBytes', [2, 'storageBytes'], COUNT),
      ...(how === 'paid' ? spendFields(3) : []),
    ],
  })),
  { title: 'listChanPosts', method: 'listChanPosts', args: () => [HEX64, T0, 10], passed: () => [HEX64, T0, 10, undefined], fields: [f('chan', [0], CHANNEL), f('now', [1], TIME), f('limit', [2], COUNT, true)] },
  { title: 'listChanPosts (before)', method: 'listChanPosts', args: () => [HEX64, T0, 10, NO_ID], fields: [] },
  { title: 'getChanPost', method: 'getChanPost', args: () => [HEX64, NO_ID, T0], fields: [f('chan', [0], CHANNEL), f('now', [2], TIME)] },
  { title: 'expireChanPosts', method: 'expireChanPosts', args: () => [T0], fields: [f('now', [0], TIME)] },
  ...['unpaid', 'paid'].map((how): MethodCase => ({
    title: `putPin (${how})`,
    method: 'putPin',
    args: () => [pinArg(), 10, ...(how === 'paid' ? [spend()] : [])],
    fields: [
      f('pin', [0], OBJECT),
      f('id', [0, 'id'], PIN_ID),
      f('cell', [0, 'cell'], CELL7),
      f('kind', [0, 'kind'], KIND_WORD),
      f('note', [0, 'note'], NOTE),
      f('createdAt', [0, 'createdAt'], TIME),
      f('expiresAt', [0, 'expiresAt'], TIME),
      f('confirms', [0, 'confirms'], COUNT),
      f('denies', [0, 'denies'], COUNT),
      f('maxPins', [1], COUNT),
      ...(how === 'paid' ? spendFields(2) : []),
    ],
  })),
  { title: 'getPin', method: 'getPin', args: () => [PIN], fields: [] },
  {
    title: 'listPins',
    method: 'listPins',
    args: () => [['u4p', 'u4q'], T0, 10],
    fields: [f('prefixes[0]', [0], { bad: PREFIX.bad.map(([w, v]) => [w, [v, 'u4q']] as const), good: PREFIX.good.map(([w, v]) => [w, [v, 'u4q']] as const) }), f('prefixes[1]', [0], { bad: PREFIX.bad.map(([w, v]) => [w, ['u4p', v]] as const), good: [] }), f('now', [1], TIME), f('limit', [2], COUNT, true)],
  },
  ...['unpaid', 'paid'].map((how): MethodCase => ({
    title: `votePin (${how})`,
    method: 'votePin',
    args: () => [PIN, HEX64, 'confirm', T0, ruleArg(), ...(how === 'paid' ? [spend()] : [])],
    fields: [
      f('nullifier', [1], { bad: [['a list', [HEX64]], ['63 digits', HEX64.slice(1)], ['65 digits', `${HEX64}0`], ['upper case', HEX64.toUpperCase()], ['a stray first character', `x${HEX64}`], ['a stray last character', `${HEX64}x`]], good: [['64 digits, other order', HEX_B]] }),
      f('vote', [2], { bad: [['another word', 'maybe'], ['empty', '']], good: [['deny', 'deny']] }),
      f('now', [3], TIME),
      f('rule', [4], OBJECT),
      f('rule.confirmMs', [4, 'confirmMs'], COUNT),
      f('rule.denyMs', [4, 'denyMs'], COUNT),
      f('rule.maxLifeMs', [4, 'maxLifeMs'], COUNT),
      ...(how === 'paid' ? spendFields(5) : []),
    ],
  })),
  { title: 'expirePins', method: 'expirePins', args: () => [T0], fields: [f('now', [0], TIME)] },
  { title: 'storedBytes', method: 'storedBytes', args: () => [], fields: [] },
  { title: 'takeTokens', method: 'takeTokens', args: () => [1, 'alice', 2, 5], fields: [f('period', [0], EPOCH), f('name', [1], NAME), f('want', [2], COUNT), f('max', [3], COUNT)] },
  { title: 'spendToken', method: 'spendToken', args: () => [1, HEX64, HEX_B], fields: [f('period', [0], EPOCH), f('nullifier', [1], HEX), f('action', [2], HEX)] },
  { title: 'expireTokens', method: 'expireTokens', args: () => [1], fields: [f('keepPeriodsFrom', [0], NUMBER)] },
  {
    title: 'castVote',
    method: 'castVote',
    args: () => [voteArg(), spend()],
    fields: [
      f('vote', [0], OBJECT),
      f('spend', [1], { bad: [...OBJECT.bad, ['absent', undefined]], good: [] }),
      f('voter', [0, 'voter'], HEX),
      f('choice', [0, 'choice'], { bad: [['2', 2], ['a numeric string', '1'], ['absent', undefined]], good: [['-1', -1], ['0', 0]] }),
      f('expiresAt', [0, 'expiresAt'], TIME),
      f('period', [1, 'period'], EPOCH),
      f('nullifier', [1, 'nullifier'], HEX),
      f('action', [1, 'action'], HEX),
      // A post id the store could not have minted is a caller's mistake here, not a client's garbage.
      f('post', [0, 'post'], { bad: [['not an id', 'abc'], ['upper case', NO_ID.toUpperCase()], ['a list', [NO_ID]]], good: [] }),
    ],
  },
  { title: 'castVote (in a channel)', method: 'castVote', args: () => [{ ...voteArg(), chan: HEX64 }, spend()], fields: [f('chan', [0, 'chan'], CHANNEL)] },
  { title: 'tallies', method: 'tallies', args: () => [[NO_ID]], passed: () => [[NO_ID], undefined], fields: [f('posts', [0], { bad: [['a string', NO_ID], ['an object', { 0: NO_ID, length: 1 }]], good: [] })] },
  { title: 'tallies (in a channel)', method: 'tallies', args: () => [[NO_ID], HEX64], fields: [f('chan', [1], CHANNEL)] },
  { title: 'expireVotes', method: 'expireVotes', args: () => [T0], fields: [f('now', [0], TIME)] },
  { title: 'expire', method: 'expire', args: () => [T0], passed: () => [T0, undefined], fields: [f('now', [0], TIME)] },
  { title: 'expire (an epoch bound)', method: 'expire', args: () => [T0, 3], fields: [f('keepEpochsFrom', [1], NUMBER)] },
  { title: 'dump', method: 'dump', args: () => [], fields: [] },
];

/** `args` with the value at `path` replaced (objects copied, so cases never share one). */
function withValue(args: unknown[], path: Path, value: unknown): unknown[] {
  const out = [...args];
  if (path.length === 1) out[path[0]] = value;
  else out[path[0]] = { ...(out[path[0]] as object), [path[1]]: value };
  return out;
}

/** Every plain-object argument with one field more, which the backend must not see. */
function withExtras(args: unknown[]): unknown[] {
  return args.map((a) => (a !== null && typeof a === 'object' && !Array.isArray(a) && !(a instanceof Uint8Array) ? { ...a, extra: 'not for the backend' } : a));
}

describe('_guard: every argument check, alone', () => {
  for (const c of CASES) {
    describe(c.title, () => {
      it('passes exactly the checked arguments on to the backend, as copies, and answers what the backend answers', async () => {
        const { store, calls } = await spied();
        const args = withExtras(c.args());
        const answer = await call(store, c.method, args);
        const reached = calls.filter((x) => x.method === c.method);
        expect(reached).toHaveLength(1);
        expect(reached[0]!.args).toStrictEqual((c.passed ?? c.args)());
        reached[0]!.args.forEach((a, i) => {
          if (a !== null && typeof a === 'object' && !(a instanceof Uint8Array)) expect(a).not.toBe(args[i]);
        });
        // The same call on a fresh store gives the same answer as the guarded one (minted ids aside).
        const again = await openStore({ kind: 'memory' });
        const direct = await (again[c.method] as (...a: unknown[]) => Promise<unknown>)(...c.args());
        if (typeof direct === 'object' && direct !== null && 'id' in direct) expect(answer).toMatchObject({ id: expect.any(String) });
        else expect(answer).toStrictEqual(direct);
        await again.close();
        await store.close();
      });
      for (const field of c.fields) {
        for (const [what, value] of field.kind.bad) {
          it(`refuses ${field.name}: ${what}`, async () => {
            await expectRefused(c.method, withValue(c.args(), field.at, value), field.name);
          });
        }
        for (const [what, value] of field.kind.good) {
          it(`passes ${field.name}: ${what}`, async () => {
            const { store, calls } = await spied();
            const args = withValue(c.args(), field.at, value);
            await call(store, c.method, args);
            const reached = calls.filter((x) => x.method === c.method);
            if (field.zeroSkips && value === 0) {
              expect(reached).toEqual([]);
            } else {
              expect(reached).toHaveLength(1);
              const sent = reached[0]!.args;
              const got = field.at.length === 1 ? sent[field.at[0]] : (sent[field.at[0]] as Record<string, unknown>)[field.at[1]];
              expect(got).toStrictEqual(field.at.length === 1 ? args[field.at[0]] : (args[field.at[0]] as Record<string, unknown>)[field.at[1]]);
            }
            await store.close();
          });
        }
      }
    });
  }

  it('listPosts and listChanPosts: a before that is not a post id is MALFORMED, and reaches no backend', async () => {
    for (const before of ['abc', NO_ID.toUpperCase(), `${NO_ID}0`, 5]) {
      await expectRefused('listPosts', [T0, 10, before], 'before', 'MALFORMED');
      await expectRefused('listChanPosts', [HEX64, T0, 10, before], 'before', 'MALFORMED');
    }
  });

  it('appendMail, appendChanPost, putPin, votePin: without a spend the backend gets no spend argument at all', async () => {
    const { store, calls } = await spied();
    await store.appendMail('bob', mailArg(), { maxItems: 10, maxBytes: 1000 });
    await store.appendChanPost(HEX64, chanPostArg(), { maxPosts: 10, maxRecent: 10, since: 0 });
    await store.putPin(pinArg(), 10);
    await store.votePin(PIN, HEX64, 'confirm', T0, ruleArg());
    expect(calls.map((x) => [x.method, x.args.length])).toEqual([
      ['appendMail', 3],
      ['appendChanPost', 3],
      ['putPin', 2],
      ['votePin', 5],
    ]);
    // And a quota without a budget is passed on without one.
    expect(calls[0]!.args[2]).toStrictEqual({ maxItems: 10, maxBytes: 1000 });
    expect(calls[1]!.args[2]).toStrictEqual({ maxPosts: 10, maxRecent: 10, since: 0 });
    await store.close();
  });

  it('appendPost without a quota calls the backend without one; appendEntry passes a quota without a budget as it is', async () => {
    const { store, calls } = await spied();
    await store.appendPost(postArg());
    await store.appendEntry('log', 0, sealed(), { maxEntries: 3 });
    expect(calls[0]!.args).toHaveLength(1);
    expect(calls[1]!.args[3]).toStrictEqual({ maxEntries: 3 });
    await store.close();
  });

  it('STORE-2 a budget given is enforced (it reaches the backend): a put past it is storage-full and stores nothing', async () => {
    const { store, backend } = await spied();
    const big = new Uint8Array(10).fill(7);
    expect(await store.appendMail('bob', { ...mailArg(), sealed: big }, { maxItems: 10, maxBytes: 1000, storageBytes: 9 })).toBe('storage-full');
    expect(await store.appendPost({ ...postArg(), sealed: big }, { maxPosts: 10, since: 0, storageBytes: 9 })).toBe('storage-full');
    expect(await store.appendChanPost(HEX64, { ...chanPostArg(), sealed: big }, { maxPosts: 10, maxRecent: 10, since: 0, storageBytes: 9 })).toBe('storage-full');
    expect(await store.appendEntry('log', 0, big, { maxEntries: 3, storageBytes: 9 })).toBe('storage-full');
    expect(await store.putProfileIfNewer('alice', { sealed: big, at: 1, receivedAt: T0, expiresAt: T0 + DAY }, T0, 9)).toBe('storage-full');
    expect(await backend.dump()).toEqual([]);
    await store.close();
  });

  it('castVote passes no chan key when the vote has none, and the chan when it has one', async () => {
    const { store, calls } = await spied();
    await store.castVote(voteArg() as never, spend());
    await store.castVote({ ...voteArg(), chan: HEX64 } as never, { ...spend(), nullifier: HEX_B });
    expect(calls[0]!.args[0]).toStrictEqual(voteArg());
    expect(Object.keys(calls[0]!.args[0] as object)).not.toContain('chan');
    expect(calls[1]!.args[0]).toStrictEqual({ ...voteArg(), chan: HEX64 });
    await store.close();
  });
});

describe('_guard: ids from clients are filtered, never passed on', () => {
  const GARBAGE: unknown[] = ['', 'abc', NO_ID.toUpperCase(), `${NO_ID}0`, NO_ID.slice(1), 5, null, undefined, { id: NO_ID }];

  it('MB-3 deleteMail ignores garbage and repeated ids, passes each valid id once, and skips the backend when none is left', async () => {
    const { store, calls } = await spied();
    const a = idOf(await store.appendMail('bob', mailArg(), { maxItems: 10, maxBytes: 1000 }));
    const b = idOf(await store.appendMail('bob', { ...mailArg(), sealed: new Uint8Array([5]), key: 'k2' }, { maxItems: 10, maxBytes: 1000 }));
    calls.length = 0;
    expect(await store.deleteMail('bob', GARBAGE as string[])).toBe(0);
    expect(await store.deleteMail('bob', [])).toBe(0);
    expect(calls).toEqual([]);
    expect(await store.deleteMail('bob', [...(GARBAGE as string[]), a, a, NO_ID])).toBe(1);
    expect(calls).toEqual([{ method: 'deleteMail', args: ['bob', [a, NO_ID]] }]);
    expect((await store.listMail('bob', T0, 10)).map((m) => m.id)).toEqual([b]);
    await store.close();
  });

  it('getPost, deletePostIfAuthor, getChanPost, getPin: an id no store could mint is not there, and the backend is not asked', async () => {
    const { store, calls } = await spied();
    const post = idOf(await store.appendPost(postArg()));
    const chanPost = idOf((await store.appendChanPost(HEX64, chanPostArg(), { maxPosts: 10, maxRecent: 10, since: 0 })) as Exclude<PutChanPostResult, 'full'>);
    expect(await store.putPin(pinArg(), 10)).toBe('ok');
    calls.length = 0;
    for (const id of GARBAGE) {
      expect(await store.getPost(id as string, T0)).toBeUndefined();
      expect(await store.deletePostIfAuthor(id as string, 'alice')).toBe(false);
      expect(await store.getChanPost(HEX64, id as string, T0)).toBeUndefined();
    }
    for (const id of ['', PIN.toUpperCase(), PIN.slice(1), `${PIN}0`, `x${PIN}`, `${PIN}x`, 'g'.repeat(32), [PIN], 5, null]) {
      expect(await store.getPin(id as string)).toBeUndefined();
    }
    expect(calls).toEqual([]);
    // The same calls with the real ids reach the backend and find the items.
    expect((await store.getPost(post, T0))?.id).toBe(post);
    expect((await store.getChanPost(HEX64, chanPost, T0))?.id).toBe(chanPost);
    expect((await store.getPin(PIN))?.id).toBe(PIN);
    expect(await store.deletePostIfAuthor(post, 'alice')).toBe(true);
    expect(calls.map((x) => x.method)).toEqual(['getPost', 'getChanPost', 'getPin', 'deletePostIfAuthor']);
    await store.close();
  });

  it('PIN-5 votePin on an id no store could hold is not-found without the backend, after every other check', async () => {
    const { store, calls, backend } = await spied();
    for (const id of ['', PIN.toUpperCase(), PIN.slice(1), `${PIN}0`, `x${PIN}`, `${PIN}x`, 'g'.repeat(32), [PIN], 5]) {
      expect(await store.votePin(id as string, HEX64, 'confirm', T0, ruleArg())).toBe('not-found');
      expect(await store.votePin(id as string, HEX64, 'deny', T0, ruleArg(), spend())).toBe('not-found');
      await expect(store.votePin(id as string, 'nope', 'confirm', T0, ruleArg())).rejects.toThrow(/^nullifier must /);
    }
    expect(calls).toEqual([]);
    expect(await backend.dump()).toEqual([]);
    await store.close();
  });

  it('VOTE tallies: garbage ids answer no votes in their place, only valid ids reach the backend, none at all when none is valid', async () => {
    const { store, calls } = await spied();
    const post = idOf(await store.appendPost(postArg()));
    expect(await store.castVote({ post, voter: HEX64, choice: 1, expiresAt: T0 + DAY }, spend())).toMatchObject({ up: 1, down: 0 });
    expect(await store.castVote({ post, voter: HEX_B, choice: -1, expiresAt: T0 + DAY }, { ...spend(), nullifier: HEX_B })).toMatchObject({ up: 1, down: 1 });
    calls.length = 0;
    expect(await store.tallies([])).toEqual([]);
    expect(await store.tallies(GARBAGE as string[])).toEqual(GARBAGE.map(() => ({ up: 0, down: 0 })));
    expect(calls).toEqual([]);
    expect(await store.tallies(['abc', post, 'def', NO_ID, post])).toEqual([
      { up: 0, down: 0 },
      { up: 1, down: 1 },
      { up: 0, down: 0 },
      { up: 0, down: 0 },
      { up: 1, down: 1 },
    ]);
    expect(calls).toEqual([{ method: 'tallies', args: [[post, NO_ID, post], undefined] }]);
    await store.close();
  });

  it('listPins: no prefixes or limit 0 answer [] without the backend; repeated prefixes are passed once; 64 prefixes pass, 65 do not', async () => {
    const { store, calls } = await spied();
    expect(await store.putPin(pinArg(), 10)).toBe('ok');
    calls.length = 0;
    expect(await store.listPins([], T0, 10)).toEqual([]);
    expect(await store.listPins(['u4'], T0, 0)).toEqual([]);
    expect(calls).toEqual([]);
    expect((await store.listPins(['u4', 'u4', 'zz'], T0, 10)).map((p) => p.id)).toEqual([PIN]);
    expect(calls).toEqual([{ method: 'listPins', args: [['u4', 'zz'], T0, 10] }]);
    const cells = Array.from({ length: 64 }, (_, i) => `u${'0123456789bcdefghjkmnpqrstuvwxyz'[i % 32]}${i < 32 ? '' : 'z'}`);
    expect(await store.listPins(cells, T0, 10)).toHaveLength(1);
    await expectRefused('listPins', [[...cells, 'zzz'], T0, 10], 'prefixes');
    await expectRefused('listPins', ['u4', T0, 10], 'prefixes');
    await store.close();
  });

  it('MB-3 FEED-3 CHAN-5 listMail, listPosts, listChanPosts: limit 0 answers [] without the backend, even when items are held', async () => {
    const { store, calls } = await spied();
    await store.appendMail('bob', mailArg(), { maxItems: 10, maxBytes: 1000 });
    await store.appendPost(postArg());
    await store.appendChanPost(HEX64, chanPostArg(), { maxPosts: 10, maxRecent: 10, since: 0 });
    calls.length = 0;
    expect(await store.listMail('bob', T0, 0)).toEqual([]);
    expect(await store.listPosts(T0, 0)).toEqual([]);
    expect(await store.listChanPosts(HEX64, T0, 0)).toEqual([]);
    expect(calls).toEqual([]);
    expect(await store.listMail('bob', T0, 1)).toHaveLength(1);
    expect(await store.listPosts(T0, 1)).toHaveLength(1);
    expect(await store.listChanPosts(HEX64, T0, 1)).toHaveLength(1);
    await store.close();
  });
});

describe('_guard: created keys, listeners', () => {
  it('worldKey: create must be a function; what it creates must be bytes, else nothing is stored; the first key stays', async () => {
    for (const epoch of [0, 0xffff_ffff]) {
      const { store, backend } = await spied();
      await expectRefused('worldKey', [epoch, 'not a function'], 'create');
      await expect(store.worldKey(epoch, () => 'key' as unknown as Uint8Array)).rejects.toThrow(/^the created world key must /);
      await expect(store.worldKey(epoch, () => new Uint8Array(0))).rejects.toThrow(TypeError);
      expect(await backend.dump()).toEqual([]);
      let made = 0;
      const first = await store.worldKey(epoch, () => (made++, new Uint8Array(32).fill(1)));
      expect(first).toEqual(new Uint8Array(32).fill(1));
      expect(await store.worldKey(epoch, () => (made++, new Uint8Array(32).fill(2)))).toEqual(first);
      expect(made).toBe(1);
      await store.close();
    }
    for (const [what, epoch] of EPOCH.bad) await expectRefused('worldKey', [epoch, () => new Uint8Array(32)], 'epoch').catch((e: Error) => Promise.reject(new Error(`${what}: ${e.message}`)));
  });

  it('TOK-1 issuerKey: without create it only reads; create must be a function; what it creates must be bytes, else nothing is stored', async () => {
    for (const period of [0, 0xffff_ffff]) {
      const { store, backend, calls } = await spied();
      expect(await store.issuerKey(period)).toBeUndefined();
      expect(calls).toEqual([{ method: 'issuerKey', args: [period] }]);
      await expectRefused('issuerKey', [period, 'not a function'], 'create');
      await expect(store.issuerKey(period, async () => 'key' as unknown as Uint8Array)).rejects.toThrow(/^the created issuer key must /);
      expect(await backend.dump()).toEqual([]);
      const key = await store.issuerKey(period, async () => new Uint8Array(64).fill(3));
      expect(key).toEqual(new Uint8Array(64).fill(3));
      expect(await store.issuerKey(period)).toEqual(key);
      await store.close();
    }
    for (const [what, period] of EPOCH.bad) {
      await expectRefused('issuerKey', [period], 'period').catch((e: Error) => Promise.reject(new Error(`${what}: ${e.message}`)));
      await expectRefused('issuerKey', [period, async () => new Uint8Array(64)], 'period');
    }
  });

  it('MB-6 onMail: the listener must be a function; it hears appends until it is removed', async () => {
    const { store, calls } = await spied();
    expect(() => store.onMail('x' as unknown as () => void)).toThrow(/^listener must /);
    expect(calls).toEqual([]);
    const heard: string[] = [];
    const off = store.onMail((to) => heard.push(to));
    await store.appendMail('bob', mailArg(), { maxItems: 10, maxBytes: 1000 });
    await new Promise((r) => setTimeout(r, 0));
    expect(heard).toEqual(['bob']);
    off();
    await store.appendMail('carol', mailArg(), { maxItems: 10, maxBytes: 1000 });
    await new Promise((r) => setTimeout(r, 0));
    expect(heard).toEqual(['bob']);
    await store.close();
  });
});

/** A call of every method with arguments every check passes. */
const EVERY_CALL: ReadonlyArray<readonly [Method, () => unknown[]]> = [
  ...CASES.map((c) => [c.method, c.args] as const),
  ['worldKey', () => [1, () => new Uint8Array(32)]],
  ['issuerKey', () => [1]],
  ['issuerKey', () => [1, async () => new Uint8Array(32)]],
];

describe('_guard: the closed state', () => {
  it('every call after close() is refused with INTERNAL as a rejection, and reaches no backend; onMail throws', async () => {
    const { store, calls } = await spied();
    await store.close();
    expect(calls.map((x) => x.method)).toEqual(['close']);
    for (const [method, args] of EVERY_CALL) {
      const err = await failure(call(store, method, args()));
      expect(err, method).toBeInstanceOf(ComradError);
      expect((err as ComradError).code, method).toBe('INTERNAL');
    }
    expect(() => store.onMail(() => undefined)).toThrow(ComradError);
    expect(() => store.onMail('x' as unknown as () => void)).toThrow(ComradError);
    expect(calls.map((x) => x.method)).toEqual(['close']);
    // Closing again is a no-op: the backend is closed once.
    await store.close();
    expect(calls.map((x) => x.method)).toEqual(['close']);
  });

  it('close() waits for the calls in flight (fulfilled or refused) before it closes the backend, and refuses new ones meanwhile', async () => {
    const { store, calls } = await spied();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inFlight = store.issuerKey(7, async () => (await gate, new Uint8Array(32).fill(5)));
    inFlight.then(() => events.push('issuerKey settled'));
    const refused = store.worldKey(8, () => {
      throw new TypeError('create failed');
    });
    refused.catch(() => events.push('worldKey refused'));
    const refusedLater = store.issuerKey(9, async () => (await gate, 'no bytes' as unknown as Uint8Array));
    refusedLater.catch(() => events.push('issuerKey refused'));
    const closing = store.close().then(() => events.push('closed'));
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['worldKey refused']);
    expect(calls.map((x) => x.method)).not.toContain('close');
    const late = await failure(call(store, 'storedBytes', []));
    expect((late as ComradError).code).toBe('INTERNAL');
    release();
    await closing;
    expect(await inFlight).toEqual(new Uint8Array(32).fill(5));
    expect(events[0]).toBe('worldKey refused');
    expect(events.slice(1, 3).sort()).toEqual(['issuerKey refused', 'issuerKey settled']);
    expect(events[3]).toBe('closed');
    expect(calls.map((x) => x.method)).toEqual(['issuerKey', 'worldKey', 'issuerKey', 'close']);
  });

  it('the guarded store names its backend\'s kind', async () => {
    const { store } = await spied();
    expect(store.kind).toBe('memory');
    await store.close();
  });

  it('a call that has settled is forgotten: a long-running Operator does not keep every promise it ever made', async () => {
    const { store } = await spied();
    // The set of calls in flight is private; its size is the only way to see a promise kept after it settled.
    const pending = (store as unknown as { pending: Set<Promise<unknown>> }).pending;
    expect(pending).toBeInstanceOf(Set);
    const calls = [store.storedBytes(), store.keyOf('alice'), store.appendPost(postArg()), store.getPost('garbage', T0)];
    expect(pending.size).toBe(calls.length);
    await Promise.all(calls);
    await store.keyOf('').catch(() => undefined); // refused before it is tracked
    expect(pending.size).toBe(0);
    await store.close();
  });

  it('a call that has settled no longer holds close() up', async () => {
    const { store, calls } = await spied();
    await store.storedBytes();
    await expect(store.keyOf('')).rejects.toThrow(TypeError);
    await store.close();
    expect(calls.map((x) => x.method)).toEqual(['storedBytes', 'close']);
  });
});
