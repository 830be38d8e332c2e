/**
 * The cases of `spec/vectors/collectives.json` (spec/11-collectives.md), built with the real code from
 * fixed keys and RFC 6979 signatures, so the same code always makes the same file:
 * `make-collective-vectors.test.ts` writes it, and `spec/test/collective-vectors.test.ts` builds it again,
 * compares, and checks every case.
 *
 * The valid vectors are one story, each event applied to the state the ones before it left: a founding,
 * two admissions, an amendment passed by vote, a request, an expulsion and a departure, then the message
 * key: an epoch opened, an admission, and the next epoch opened and continued (COL-28..COL-31). The invalid ones
 * are either undecodable bytes (`after: null`) or well-formed events the fold refuses at a point of that
 * story (`after: k`, the state after valid event k).
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, encode, pad, PrivateKey, PublicKey, toHex, utf8 } from '@comrad/core';
import { _testing } from '@comrad/core/src/crypto/_node-backend.js';
import {
  applyEvent,
  emptyCollective,
  encodeCollectivePost,
  encodeEvent,
  nextEvent,
  stateToJson,
  type CollectivePost,
  type CollectiveEvent,
  type CollectiveState,
  type CollectiveStateJson,
  type Constitution,
  type EventBody,
} from '@comrad/core/collective';
import { keyPairOfScalar, signDeterministic } from './_scripted-crypto.js';

const hex = toHex;
const GENERATOR = 'MAKE_VECTORS=1 npx vitest run spec/scripts/make-collective-vectors.test.ts';
/** The collective of the story. */
export const COLLECTIVE = 'portland';
/** The first `at` of the story (seconds; 2025-11-24T16:00:00Z), one second more for each event. */
const AT = 1_764_000_000;

/** A valid vector: one event of the story and the state after it. */
export interface ValidCollectiveVector {
  name: string;
  rules: string[];
  event: unknown;
  /** The canonical message (COL-2). */
  message: string;
  /** SHA-256 of the message: the event id (COL-6). */
  id: string;
  /** The signed event (COL-1): what the log stores. */
  signed: string;
  state: CollectiveStateJson;
}

/** An invalid vector: bytes, and the point of the story where they are applied (null: to any state). */
export interface InvalidCollectiveVector {
  name: string;
  rules: string[];
  after: number | null;
  signed: string;
  error: string;
}

/** The key of a cast member: the scalar SHA-256("comrad/collective/vector/" + name), far below the group order. */
function keysOf(name: string): { privateKey: PrivateKey; publicKey: PublicKey; scalar: string } {
  const d = sha256(utf8(`comrad/collective/vector/${name}`));
  d[0] = 0x11; // keeps the scalar in 1..n-1 whatever the hash
  const k = keyPairOfScalar(d);
  return { privateKey: PrivateKey.from(k.privateKey), publicKey: PublicKey.from(k.publicKey), scalar: hex(d) };
}

const rule = (permille: number, min: number, cap: number) => ({ permille, min, cap });
/** The founding constitution: 30 % vouch (at least 1, at most 10), half amend, two thirds expel. */
export const FOUNDING: Constitution = { admit: rule(300, 1, 10), amend: rule(500, 1, 100), expel: rule(667, 1, 100) };
/** The amendment of the story: admissions need two vouches. */
export const AMENDED: Constitution = { admit: rule(300, 2, 10), amend: rule(500, 1, 100), expel: rule(667, 1, 100) };

/** Builds every case of the file. */
export function buildCollectiveVectors() {
  const cast = ['alice', 'bob', 'carol', 'dave'] as const;
  const keys = new Map(cast.map((n) => [n, keysOf(n)] as const));
  const keyOf = (n: string) => keys.get(n as (typeof cast)[number])?.publicKey;
  const signAs = (signer: string, e: CollectiveEvent) => signDeterministic(keys.get(signer as 'alice')!.privateKey, encodeEvent(e));
  const signRaw = (signer: string, message: Uint8Array) => signDeterministic(keys.get(signer as 'alice')!.privateKey, message);

  const states: CollectiveState[] = [];
  const valid: ValidCollectiveVector[] = [];
  let state = emptyCollective(COLLECTIVE);
  let at = AT;
  const story: [string, string[], string, EventBody][] = [
    ['alice founds @portland', ['COL-1', 'COL-2', 'COL-4', 'COL-9'], 'alice', { kind: 'found', constitution: FOUNDING }],
    ['bob asks to join, with a note', ['COL-3', 'COL-10'], 'bob', { kind: 'request', note: 'from the tenants union ✊' }],
    ['alice vouches for bob', ['COL-11'], 'alice', { kind: 'vouch', who: 'bob' }],
    ['bob records his admission: 1 vouch of 1 needed (30 % of 1 member)', ['COL-5', 'COL-12'], 'bob', { kind: 'admit', who: 'bob' }],
    ['carol asks to join', ['COL-10'], 'carol', { kind: 'request' }],
    ['bob vouches for carol', ['COL-11'], 'bob', { kind: 'vouch', who: 'carol' }],
    ['alice admits carol: 1 vouch of 1 needed (30 % of 2 members)', ['COL-5', 'COL-12'], 'alice', { kind: 'admit', who: 'carol' }],
    ['bob proposes that admissions need two vouches', ['COL-13'], 'bob', { kind: 'propose', constitution: AMENDED }],
    ['alice votes yes: 1 of 2 needed (half of 3 members)', ['COL-14'], 'alice', { kind: 'vote', proposal: 7, yes: true }],
    ['carol votes yes: 2 of 2, the amendment is in force', ['COL-5', 'COL-14'], 'carol', { kind: 'vote', proposal: 7, yes: true }],
    ['dave asks to join', ['COL-10'], 'dave', { kind: 'request' }],
    ['carol vouches for dave', ['COL-11'], 'carol', { kind: 'vouch', who: 'dave' }],
    ['alice votes to expel carol: 1 of 2 needed (two thirds of the 2 others)', ['COL-17'], 'alice', { kind: 'expel', who: 'carol' }],
    ['bob votes to expel carol: 2 of 2, carol is out and her vouch for dave lapses', ['COL-17', 'COL-18'], 'bob', { kind: 'expel', who: 'carol' }],
    ['bob leaves', ['COL-16'], 'bob', { kind: 'leave' }],
    ['dave withdraws his request', ['COL-16'], 'dave', { kind: 'leave' }],
    ['alice, alone, opens the first epoch of the message key with her own copy', ['COL-28', 'COL-29', 'COL-30', 'COL-31'], 'alice', keyEvent(16, 'alice', ['alice'])],
    ['dave asks again', ['COL-10'], 'dave', { kind: 'request' }],
    ['alice vouches for dave', ['COL-11'], 'alice', { kind: 'vouch', who: 'dave' }],
    ['alice admits dave: 1 vouch of 1 (the floor of 2 is capped by the 1 member); a rotation is due', ['COL-5', 'COL-12', 'COL-29', 'COL-31'], 'alice', { kind: 'admit', who: 'dave' }],
    ['alice opens epoch 20 with her own copy only: dave is owed one', ['COL-28', 'COL-29', 'COL-31'], 'alice', keyEvent(20, 'alice', ['alice'])],
    ['alice continues epoch 20 with a copy for dave: nobody is owed, no rotation is due', ['COL-28', 'COL-29', 'COL-30'], 'alice', keyEvent(20, 'alice', ['dave'])],
  ];
  for (const [name, rules, by, body] of story) {
    const event = nextEvent(state, by, at++, body);
    const signed = signAs(by, event);
    const r = applyEvent(state, signed, keyOf);
    if (!r.ok) throw new Error(`story event "${name}" refused: ${r.error.code}`);
    states.push((state = r.state));
    const message = encodeEvent(event);
    valid.push({ name, rules, event: eventJson(event), message: hex(message), id: hex(sha256(message)), signed: hex(signed), state: stateToJson(state) });
  }

  const invalid: InvalidCollectiveVector[] = [];
  /** A refused event built on the state after story event `after`. */
  const refused = (name: string, rules: string[], after: number, by: string, body: EventBody, error: string, opts: { signer?: string; on?: number; col?: string } = {}) => {
    const base = opts.on === undefined ? states[after]! : states[opts.on]!;
    const event = { ...nextEvent(base, by, AT + 100, body), ...(opts.col ? { col: opts.col } : {}) };
    invalid.push({ name, rules, after, signed: hex(signAs(opts.signer ?? by, event)), error });
  };
  refused('an event of another collective', ['COL-7'], 4, 'bob', { kind: 'vouch', who: 'carol' }, 'WRONG_COLLECTIVE', { col: 'seattle' });
  invalid.push({ name: "a replay of alice's vouch for bob", rules: ['COL-6', 'COL-7'], after: 4, signed: valid[2]!.signed, error: 'OUT_OF_ORDER' });
  refused('a vouch built on a stale head (after event 3, appended after event 4)', ['COL-6', 'COL-19'], 4, 'alice', { kind: 'vouch', who: 'carol' }, 'OUT_OF_ORDER', { on: 3 });
  refused('an author no registry knows', ['COL-7'], 4, 'mallory', { kind: 'request' }, 'NOT_FOUND', { signer: 'dave' });
  refused("bob's vouch signed with carol's key", ['COL-7'], 4, 'bob', { kind: 'vouch', who: 'carol' }, 'BAD_SIGNATURE', { signer: 'carol' });
  refused('a vouch by a candidate', ['COL-11'], 4, 'carol', { kind: 'vouch', who: 'carol' }, 'NOT_MEMBER');
  refused('a vouch for someone who did not ask', ['COL-11'], 4, 'alice', { kind: 'vouch', who: 'dave' }, 'NOT_FOUND');
  refused('a second vouch by the same member', ['COL-11'], 5, 'bob', { kind: 'vouch', who: 'carol' }, 'DUPLICATE');
  refused('a request by a member', ['COL-10'], 4, 'bob', { kind: 'request' }, 'DUPLICATE');
  refused('an admission without vouches', ['COL-12'], 4, 'carol', { kind: 'admit', who: 'carol' }, 'QUORUM_NOT_MET');
  refused('an admission recorded by a third party', ['COL-12'], 5, 'dave', { kind: 'admit', who: 'carol' }, 'NOT_MEMBER');
  refused('an admission with 1 vouch once the amendment asks 2', ['COL-5', 'COL-12', 'COL-14'], 11, 'dave', { kind: 'admit', who: 'dave' }, 'QUORUM_NOT_MET');
  refused('a proposal by a candidate', ['COL-13'], 4, 'carol', { kind: 'propose', constitution: AMENDED }, 'NOT_MEMBER');
  refused('a vote on a proposal that does not exist', ['COL-14'], 7, 'alice', { kind: 'vote', proposal: 6, yes: true }, 'NOT_FOUND');
  refused('a second vote by the same member', ['COL-14'], 8, 'alice', { kind: 'vote', proposal: 7, yes: false }, 'DUPLICATE');
  refused('a vote on a proposal already in force', ['COL-14'], 9, 'bob', { kind: 'vote', proposal: 7, yes: true }, 'NOT_FOUND');
  refused('a member expelling themself', ['COL-17'], 11, 'alice', { kind: 'expel', who: 'alice' }, 'FORBIDDEN');
  refused('an expulsion vote against a non-member', ['COL-17'], 11, 'alice', { kind: 'expel', who: 'dave' }, 'NOT_FOUND');
  refused('a second expulsion vote by the same member', ['COL-17'], 12, 'alice', { kind: 'expel', who: 'carol' }, 'DUPLICATE');
  refused('a leave by someone neither member nor candidate', ['COL-16'], 4, 'dave', { kind: 'leave' }, 'NOT_MEMBER');
  refused('a key event by an expelled member', ['COL-29'], 15, 'carol', keyEvent(16, 'carol', ['alice']), 'NOT_MEMBER');
  refused('an epoch opened with a copy for a non-member', ['COL-29'], 21, 'alice', keyEvent(22, 'alice', ['alice', 'bob']), 'NOT_MEMBER');
  refused('a key event continuing an epoch that is no longer current', ['COL-29'], 21, 'alice', keyEvent(16, 'alice', ['dave']), 'OUT_OF_ORDER');
  refused('a continuation by a member who does not hold the key', ['COL-29'], 20, 'dave', keyEvent(20, 'dave', ['dave']), 'FORBIDDEN');
  refused('a second copy of the current key for the same member', ['COL-29'], 21, 'alice', keyEvent(20, 'alice', ['dave']), 'DUPLICATE');

  // Undecodable bytes (COL-7 steps 1–3), all signed by alice so the signature is never the reason.
  const base = { v: 1, ctx: 'comrad/collective', col: COLLECTIVE, seq: 3, prev: new Uint8Array(32).fill(7), by: 'alice', at: AT, kind: 'vouch', who: 'bob' } as Record<string, unknown>;
  const msg = (over: Record<string, unknown>) => {
    const m = { ...base };
    for (const [k, v] of Object.entries(over)) {
      if (v === undefined) delete m[k];
      else m[k] = v;
    }
    return encode(m);
  };
  const bad = (name: string, rules: string[], error: string, bytes: Uint8Array) => invalid.push({ name, rules, after: null, signed: hex(bytes), error });
  const c = (over: Record<string, unknown>) => ({ admit: rule(0, 1, 1), amend: rule(0, 1, 1), ...over });
  bad('more than 2048 bytes', ['COL-1'], 'TOO_LARGE', new Uint8Array(2049));
  bad('shorter than the Themis header', ['COL-1'], 'TRUNCATED', new Uint8Array(8));
  bad('not a Themis signed message', ['COL-1'], 'BAD_SIGNATURE', new Uint8Array(64));
  bad('a byte after the signature', ['COL-1'], 'TRAILING_BYTES', concatBytes(signRaw('alice', msg({})), Uint8Array.of(0)));
  // A message of exactly 1921 bytes: its signed form stays within 2048, so the message bound decides.
  let long = msg({ kind: 'request', who: undefined, note: '' });
  long = msg({ kind: 'request', who: undefined, note: 'x'.repeat(1921 - long.length - 2) });
  bad('a message of 1921 bytes (the signed event is within 2048)', ['COL-1'], 'TOO_LARGE', signRaw('alice', long));
  bad('a message that is not msgpack', ['COL-1'], 'MALFORMED', signRaw('alice', Uint8Array.of(0xc1)));
  bad('version 2', ['COL-2'], 'UNSUPPORTED_VERSION', signRaw('alice', msg({ v: 2 })));
  bad('another context', ['COL-2'], 'MALFORMED', signRaw('alice', msg({ ctx: 'comrad/auth/v1' })));
  bad('an unknown field', ['COL-2'], 'MALFORMED', signRaw('alice', msg({ extra: 1 })));
  bad('a collective name in capitals', ['COL-2'], 'INVALID_NAME', signRaw('alice', msg({ col: 'Portland' })));
  bad('prev of 31 bytes', ['COL-2'], 'MALFORMED', signRaw('alice', msg({ prev: new Uint8Array(31) })));
  bad('seq above 2^32-1', ['COL-2'], 'MALFORMED', signRaw('alice', msg({ seq: 2 ** 32 })));
  bad('an unknown kind', ['COL-3'], 'UNSUPPORTED_KIND', signRaw('alice', msg({ kind: 'bless' })));
  bad('an unknown kind of 40 characters', ['COL-3'], 'UNSUPPORTED_KIND', signRaw('alice', msg({ kind: 'x'.repeat(40) })));
  bad('a field of another kind', ['COL-3'], 'MALFORMED', signRaw('alice', msg({ proposal: 1 })));
  bad('seq 0 that is not found', ['COL-3'], 'MALFORMED', signRaw('alice', msg({ seq: 0 })));
  bad('found after seq 0', ['COL-3'], 'MALFORMED', signRaw('alice', msg({ kind: 'found', who: undefined, constitution: c({}) })));
  bad('a note of 281 characters', ['COL-3'], 'TOO_LARGE', signRaw('alice', msg({ kind: 'request', who: undefined, note: 'x'.repeat(281) })));
  bad('a vote on proposal 0', ['COL-3'], 'MALFORMED', signRaw('alice', msg({ kind: 'vote', who: undefined, proposal: 0, yes: true })));
  bad('permille 1001', ['COL-4'], 'MALFORMED', signRaw('alice', msg({ kind: 'propose', who: undefined, constitution: c({ admit: rule(1001, 1, 1) }) })));
  bad('a quorum floor of 0', ['COL-4'], 'MALFORMED', signRaw('alice', msg({ kind: 'propose', who: undefined, constitution: c({ admit: rule(0, 0, 1) }) })));
  bad('a cap below the floor', ['COL-4'], 'MALFORMED', signRaw('alice', msg({ kind: 'propose', who: undefined, constitution: c({ admit: rule(0, 3, 2) }) })));
  bad('expel as nil', ['COL-4'], 'MALFORMED', signRaw('alice', msg({ kind: 'propose', who: undefined, constitution: c({ expel: null }) })));
  const copy = (who: string) => [who, new Uint8Array(84).fill(who.length)];
  bad('a key event without copies', ['COL-28'], 'MALFORMED', signRaw('alice', msg({ kind: 'key', who: undefined, epoch: 1, keys: [] })));
  bad('a key event of 15 copies', ['COL-28'], 'TOO_LARGE', signRaw('alice', msg({ kind: 'key', who: undefined, epoch: 1, keys: Array.from({ length: 15 }, (_, i) => copy(`member${10 + i}`)) })));
  bad('a key event for an epoch after its own seq', ['COL-28'], 'MALFORMED', signRaw('alice', msg({ kind: 'key', who: undefined, epoch: 4, keys: [copy('bob')] })));
  bad('key copies out of name order', ['COL-28'], 'MALFORMED', signRaw('alice', msg({ kind: 'key', who: undefined, epoch: 1, keys: [copy('carol'), copy('bob')] })));
  bad('a key copy of 129 bytes', ['COL-28'], 'TOO_LARGE', signRaw('alice', msg({ kind: 'key', who: undefined, epoch: 1, keys: [['bob', new Uint8Array(129)]] })));
  bad('seq and col swapped (not canonical)', ['COL-2'], 'MALFORMED', signRaw('alice', (() => {
    const { v, ctx, col, seq, ...rest } = base;
    return encode({ v, ctx, seq, col, ...rest });
  })()));

  const messages = buildMessages(states, keys);

  return {
    spec: '11-collectives.md (COL-*)',
    description:
      'Collective log events. `cast` gives each comrade\'s P-256 scalar and Themis public key (the registry). `valid` is one log: apply each `signed` in order to the state the ones before it left, starting from the empty state of "portland"; each must decode to `event` (bytes as {bin: hex}), with canonical `message` and id `id` = SHA-256(message), and leave `state`. `invalid`: with `after` null, decoding `signed` fails with `error`; with `after` = k, applying `signed` to the state after valid event k fails with `error` and changes nothing. `messages` (COL-32, COL-33): after the whole story, `reader` (private key `readerKey`, a Themis key container) opens his copies of the message keys from the key events; each valid `message` then opens to `post` (signed as `signed`) under the epoch key `key`, and each invalid one fails with `error`. Signatures are RFC 6979 and IVs fixed, so the file is the same on every run.',
    generator: GENERATOR,
    collective: COLLECTIVE,
    cast: Object.fromEntries([...keys].map(([n, k]) => [n, { scalar: k.scalar, publicKey: hex(k.publicKey.bytes()) }])),
    valid,
    invalid,
    messages,
  };

  /**
   * A `key` event's body with deterministic copies: the key of an epoch is SHA-256 of
   * "comrad/collective/vector/epoch/" and its number, and each copy's IV is 12 bytes of the epoch.
   */
  function keyEvent(epoch: number, by: string, whos: string[]): EventBody {
    const author = keysOf(by).privateKey;
    const copies = whos.map((who) => ({ who, sealed: _testing.encryptWithIv(author, keysOf(who).publicKey, epochKeyOf(epoch), new Uint8Array(12).fill(epoch)) }));
    return { kind: 'key', epoch, keys: copies };
  }
}

/** COL-30: the message key of an epoch in the vectors (fixed, so the file is the same on every run). */
function epochKeyOf(epoch: number): Uint8Array {
  return sha256(utf8(`comrad/collective/vector/epoch/${epoch}`));
}

/** A valid message vector: what dave reads with the key of the epoch. */
export interface ValidMessageVector {
  name: string;
  rules: string[];
  /** The message as the channel holds it (COL-32). */
  message: string;
  epoch: number;
  /** The epoch's key, as dave opens it from his copy (COL-30). */
  key: string;
  post: unknown;
  /** The signed post inside (COL-32). */
  signed: string;
}

/** An invalid message vector: dave, after the whole story, opens `message` and gets `error` (COL-33). */
export interface InvalidMessageVector {
  name: string;
  rules: string[];
  message: string;
  error: string;
}

/**
 * COL-32, COL-33: alice's messages to portland under epoch 20, which dave reads after the story, and bytes
 * that fail each step of COL-33. Cells are sealed with a fixed IV and posts signed with RFC 6979.
 */
function buildMessages(_states: CollectiveState[], keys: ReadonlyMap<string, { privateKey: PrivateKey }>) {
  const alice = keys.get('alice')!.privateKey;
  const post = (over: Partial<CollectivePost> = {}): CollectivePost => ({
    col: COLLECTIVE,
    epoch: 20,
    by: 'alice',
    at: AT + 30,
    id: new Uint8Array(16).fill(0x20),
    body: { text: 'General assembly on Thursday, 7pm, at the union hall ✊' },
    ...over,
  });
  const seal = (signed: Uint8Array, epoch = 20, col = COLLECTIVE, header = epoch) => {
    const h = new Uint8Array(5);
    h[0] = 1;
    new DataView(h.buffer).setUint32(1, header, false);
    return concatBytes(h, _testing.cellSealWithIv(epochKeyOf(epoch), pad(signed), encode({ ctx: 'comrad/collective/message', col, epoch }), new Uint8Array(12).fill(0x33)));
  };
  const signedPost = signDeterministic(alice, encodeCollectivePost(post()));
  const good = seal(signedPost);
  const valid: ValidMessageVector[] = [
    { name: 'alice to portland under epoch 20', rules: ['COL-32', 'COL-33'], message: hex(good), epoch: 20, key: hex(epochKeyOf(20)), post: JSON.parse(JSON.stringify(post(), (_k, v: unknown) => (v instanceof Uint8Array ? { bin: hex(v) } : v))), signed: hex(signedPost) },
  ];
  const invalid: InvalidMessageVector[] = [];
  const bad = (name: string, rules: string[], error: string, bytes: Uint8Array) => invalid.push({ name, rules, message: hex(bytes), error });
  const flipped = good.slice();
  flipped[flipped.length - 1]! ^= 1;
  bad('empty', ['COL-33'], 'TRUNCATED', new Uint8Array(0));
  bad('version 2', ['COL-32', 'COL-33'], 'UNSUPPORTED_VERSION', concatBytes(Uint8Array.of(2), good.subarray(1)));
  bad('shorter than its header', ['COL-33'], 'TRUNCATED', good.subarray(0, 4));
  bad('sealed under epoch 16, before dave joined: he holds no key of it', ['COL-33', 'COL-35'], 'NOT_FOUND', seal(signDeterministic(alice, encodeCollectivePost(post({ epoch: 16 }))), 16));
  bad('a cell changed in its last byte', ['COL-33'], 'DECRYPT_FAILED', flipped);
  bad("another collective's message moved into this channel", ['COL-32', 'COL-33'], 'DECRYPT_FAILED', seal(signDeterministic(alice, encodeCollectivePost(post({ col: 'seattle' }))), 20, 'seattle'));
  bad('not a signed message inside', ['COL-33'], 'BAD_SIGNATURE', seal(new Uint8Array(40)));
  bad('a post of version 2', ['COL-32', 'COL-33'], 'UNSUPPORTED_VERSION', seal(signDeterministic(alice, encode({ v: 2 }))));
  bad('a post naming another collective', ['COL-33'], 'WRONG_COLLECTIVE', seal(signDeterministic(alice, encodeCollectivePost(post({ col: 'seattle' })))));
  bad('a post naming another epoch than its header', ['COL-33'], 'MALFORMED', seal(signDeterministic(alice, encodeCollectivePost(post({ epoch: 19 })))));
  bad('a post by a name no registry knows', ['COL-33'], 'NOT_FOUND', seal(signDeterministic(alice, encodeCollectivePost(post({ by: 'mallory' })))));
  bad("alice's post signed with dave's key", ['COL-33'], 'BAD_SIGNATURE', seal(signDeterministic(keys.get('dave')!.privateKey, encodeCollectivePost(post()))));
  bad('a post by bob, who never held the key of epoch 20', ['COL-33'], 'NOT_MEMBER', seal(signDeterministic(keys.get('bob')!.privateKey, encodeCollectivePost(post({ by: 'bob' })))));
  // The reader's private key (a Themis key container, KEY-2), so a library can open his copies as he does.
  return { reader: 'dave', readerKey: hex(keys.get('dave')!.privateKey.bytes()), valid, invalid };
}

function eventJson(e: CollectiveEvent): unknown {
  return JSON.parse(JSON.stringify(e, (_k, v: unknown) => (v instanceof Uint8Array ? { bin: hex(v) } : v)));
}
