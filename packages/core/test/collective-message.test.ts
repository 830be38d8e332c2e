/**
 * Messages to a collective (COL-28..COL-35): the `key` event and its rule in the fold, the key copies,
 * the post codec and its order of checks, and — with real crypto over random membership histories — that
 * whoever left or was expelled cannot read what is posted after, while every member at the time can.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, encode, KeyPair, ready, sign, SymmetricKey, toHex } from '@comrad/core';
import {
  MAX_KEY_COPIES,
  MESSAGE_HEADER_BYTES,
  acceptedEvents,
  channelKey,
  createCollectivePost,
  decodeCollectivePost,
  encodeCollectivePost,
  epochKeys,
  foldLog,
  messageEpoch,
  newCollectiveKeys,
  nextKeyEvent,
  openKeyCopy,
  openMessage,
  rotationDue,
  sealKeyCopy,
  sealMessage,
  type CollectivePost,
  type EpochKeys,
  type KeysOf,
} from '@comrad/core/collective';
import { cellSeal, pad } from '@comrad/core';
import type { TextBody } from '@comrad/core/envelope';
import { codeOf, encodeAny } from '@comrad/test-kit/core/garbage';
import { LogBuilder, NAMES, makeCast, registryOf, rule, type Cast } from '@comrad/test-kit/core/collective';

let cast: Cast;
beforeAll(async () => {
  await ready();
  cast = makeCast();
});

const open = { admit: rule(0, 1, 1), amend: rule(500), expel: rule(0, 1, 1) };

/** Rotates the message key by `by` (COL-31): opens an epoch, then continues it until nobody is owed. */
function rotate(log: LogBuilder, by: string, keysOf: KeysOf = log.cast.keysOf): SymmetricKey {
  const key = SymmetricKey.generate();
  const author = { name: by, keys: log.cast.keys.get(by)! };
  log.ok(by, nextKeyEvent(log.state, author, key, keysOf, false)!);
  for (let body = nextKeyEvent(log.state, author, key, keysOf, true); body; body = nextKeyEvent(log.state, author, key, keysOf, true)) log.ok(by, body);
  return key;
}

/** What `who` knows of the epochs, from the log alone, opening only the copies sealed to them (COL-30). */
function viewOf(log: LogBuilder, who: string): Map<number, EpochKeys> {
  const { rejected } = foldLog(log.name, log.events, log.cast.keysOf);
  return epochKeys(acceptedEvents(log.events, rejected), { name: who, privateKey: log.cast.keys.get(who)!.privateKey }, log.cast.keysOf);
}

function post(log: LogBuilder, by: string, text: string): Uint8Array {
  const epoch = log.state.epoch;
  const key = viewOf(log, by).get(epoch)!.key!;
  return sealMessage(createCollectivePost({ col: log.name, epoch, by, body: { text }, at: 1_764_000_000 }), log.cast.keys.get(by)!, key);
}

function readBy(log: LogBuilder, who: string, bytes: Uint8Array): string {
  try {
    return (openMessage(bytes, log.name, viewOf(log, who), log.cast.keysOf).post.body as TextBody).text;
  } catch (err) {
    return `!${(err as { code?: string }).code}`;
  }
}

describe('the key event in the fold (COL-28, COL-29, COL-31)', () => {
  it('COL-29 COL-31 the founder opens the first epoch; an admission, a departure and an expulsion each make a rotation due', () => {
    const log = LogBuilder.founded(cast, open);
    expect(rotationDue(log.state)).toBe(true);
    rotate(log, 'alice');
    expect(log.state.epoch).toBe(1);
    expect([...log.state.holders]).toEqual(['alice']);
    expect(rotationDue(log.state)).toBe(false);
    log.ok('bob', { kind: 'request' });
    log.ok('alice', { kind: 'vouch', who: 'bob' });
    log.ok('alice', { kind: 'admit', who: 'bob' });
    expect(rotationDue(log.state)).toBe(true); // bob holds no key
    rotate(log, 'alice');
    expect(rotationDue(log.state)).toBe(false);
    expect([...log.state.holders].sort()).toEqual(['alice', 'bob']);
    log.ok('carol', { kind: 'request' });
    log.ok('bob', { kind: 'vouch', who: 'carol' });
    log.ok('bob', { kind: 'admit', who: 'carol' });
    rotate(log, 'bob');
    log.ok('carol', { kind: 'leave' });
    expect(log.state.exposed).toBe(true); // carol took the key with her
    expect(rotationDue(log.state)).toBe(true);
    rotate(log, 'alice');
    expect(log.state.exposed).toBe(false);
    log.ok('alice', { kind: 'expel', who: 'bob' });
    expect(rotationDue(log.state)).toBe(true);
  });

  it('COL-29 every check of a key event, in order, each refusal changing nothing (COL-8)', () => {
    const log = LogBuilder.founded(cast, open, ['alice', 'bob', 'carol']);
    const key = rotate(log, 'alice');
    const k = (who: string) => ({ who, sealed: sealKeyCopy(cast.keys.get('alice')!.privateKey, cast.keys.get(who)!.publicKey, key) });
    const refused = (by: string, body: Parameters<LogBuilder['act']>[1], code: string) => {
      const before = log.state;
      const r = log.act(by, body);
      expect(r.ok ? 'ok' : r.error.code, `${by} ${JSON.stringify(body, (_, v) => (v instanceof Uint8Array ? v.length : v))}`).toBe(code);
      expect(log.state).toBe(before);
    };
    // The author must be a member.
    refused('dave', { kind: 'key', epoch: log.state.seq, keys: [k('alice')] }, 'NOT_MEMBER');
    // Every copy is for a member.
    refused('alice', { kind: 'key', epoch: log.state.seq, keys: [k('dave')] }, 'NOT_MEMBER');
    // An epoch that is neither this event's own seq nor the current one.
    refused('alice', { kind: 'key', epoch: log.state.epoch - 1, keys: [k('bob')] }, 'OUT_OF_ORDER');
    // Continuing: to someone who holds it already.
    refused('alice', { kind: 'key', epoch: log.state.epoch, keys: [k('bob')] }, 'DUPLICATE');
    // A partial opening: only bob gets a copy; carol is owed one.
    const partial = SymmetricKey.generate();
    const kp = (by: string, who: string) => ({ who, sealed: sealKeyCopy(cast.keys.get(by)!.privateKey, cast.keys.get(who)!.publicKey, partial) });
    log.ok('alice', { kind: 'key', epoch: log.state.seq, keys: [kp('alice', 'bob')] });
    expect([...log.state.owed]).toEqual(['carol']);
    expect(rotationDue(log.state)).toBe(true);
    // Only a holder hands the key on.
    refused('carol', { kind: 'key', epoch: log.state.epoch, keys: [kp('carol', 'carol')] }, 'FORBIDDEN');
    // A newcomer admitted since the epoch opened is not owed its key.
    log.ok('dave', { kind: 'request' });
    log.ok('alice', { kind: 'vouch', who: 'dave' });
    log.ok('alice', { kind: 'admit', who: 'dave' });
    refused('bob', { kind: 'key', epoch: log.state.epoch, keys: [kp('bob', 'dave')] }, 'FORBIDDEN');
    log.ok('bob', { kind: 'key', epoch: log.state.epoch, keys: [kp('bob', 'carol')] });
    expect(log.state.owed.size).toBe(0);
    expect(rotationDue(log.state)).toBe(true); // dave still holds no key
  });

  it(`COL-28 COL-31 a rotation for more members than one event holds spans several, ${MAX_KEY_COPIES} copies each`, () => {
    const names = Array.from({ length: MAX_KEY_COPIES + 3 }, (_, i) => `member${String(i).padStart(2, '0')}`);
    const keys = new Map(names.map((n) => [n, KeyPair.generate()] as const));
    const big: Cast = { keys, keysOf: registryOf(keys) };
    // Founded by one, the others admitted on one vouch each.
    const log = LogBuilder.founded(big, open, names.slice(0, 1));
    for (const n of names.slice(1)) {
      log.ok(n, { kind: 'request' });
      log.ok(names[0]!, { kind: 'vouch', who: n });
      log.ok(n, { kind: 'admit', who: n });
    }
    const before = log.state.seq;
    rotate(log, 'member07');
    expect(log.state.seq - before).toBe(2);
    expect(log.state.holders.size).toBe(names.length);
    expect(rotationDue(log.state)).toBe(false);
    // Members of the first event and of the second open their own copies, and all get the same key.
    const seen = new Set(['member00', 'member07', 'member15', 'member16'].map((n) => toHex(viewOf(log, n).get(log.state.epoch)!.key!.bytes())));
    expect(seen.size).toBe(1);
  });

  it('COL-30 a key copy opens only for its member, and only as from its author', () => {
    const key = SymmetricKey.generate();
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => cast.keys.get(n)!);
    const copy = sealKeyCopy(alice!.privateKey, bob!.publicKey, key);
    expect(copy.length).toBe(84);
    expect(toHex(openKeyCopy(bob!.privateKey, alice!.publicKey, copy).bytes())).toBe(toHex(key.bytes()));
    expect(() => openKeyCopy(carol!.privateKey, alice!.publicKey, copy)).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
    expect(() => openKeyCopy(bob!.privateKey, carol!.publicKey, copy)).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
  });

  it('COL-34 the channel key is keyed by the log key and the name: the same for every member, another for another key', () => {
    const a = newCollectiveKeys('portland');
    const b = newCollectiveKeys('portland');
    expect(channelKey(a).bytes().length).toBe(32);
    expect(toHex(channelKey({ ...a }).bytes())).toBe(toHex(channelKey(a).bytes()));
    expect(toHex(channelKey(b).bytes())).not.toBe(toHex(channelKey(a).bytes()));
    expect(toHex(channelKey({ ...a, name: 'seattle' }).bytes())).not.toBe(toHex(channelKey(a).bytes()));
    expect(toHex(channelKey(a).bytes())).not.toBe(toHex(a.logKey.bytes()));
  });
});

describe('collective posts (COL-32, COL-33)', () => {
  const base: CollectivePost = { col: 'portland', epoch: 3, by: 'alice', at: 1_764_000_000, id: new Uint8Array(16).fill(1), body: { text: 'assembly on thursday' } };
  const map = (over: Record<string, unknown>) => {
    const m: Record<string, unknown> = { v: 1, ctx: 'comrad/collective/post', col: 'portland', epoch: 3, by: 'alice', at: 1_764_000_000, id: new Uint8Array(16).fill(1), body: { text: 'assembly on thursday' } };
    for (const [k, v] of Object.entries(over)) {
      if (v === undefined) delete m[k];
      else m[k] = v;
    }
    return encodeAny(m);
  };

  it('COL-32 ENC-2 decode(encode(p)) = p; the fields in order', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 1000, unit: 'grapheme' }), fc.integer({ min: 1, max: 0xffff_ffff }), (text, epoch) => {
        const p = { ...base, epoch, body: { text } };
        expect(decodeCollectivePost(encodeCollectivePost(p))).toEqual(p);
      }),
      { numRuns: 100 },
    );
    expect(toHex(encodeCollectivePost(base))).toBe(toHex(map({})));
  });

  const invalid: [string, string, () => Uint8Array][] = [
    ['COL-32 not msgpack', 'MALFORMED', () => Uint8Array.of(0xc1)],
    ['COL-32 version 2 (read first)', 'UNSUPPORTED_VERSION', () => map({ v: 2, extra: 1 })],
    ['COL-32 ENC-6 an unknown field', 'MALFORMED', () => map({ extra: 1 })],
    ['COL-32 another context', 'MALFORMED', () => map({ ctx: 'comrad/collective' })],
    ['COL-32 NAME-1 a collective in capitals', 'INVALID_NAME', () => map({ col: 'Portland' })],
    ['COL-32 epoch 0', 'MALFORMED', () => map({ epoch: 0 })],
    ['COL-32 NAME-1 an author too short', 'INVALID_NAME', () => map({ by: 'al' })],
    ['COL-32 an id of 15 bytes', 'MALFORMED', () => map({ id: new Uint8Array(15) })],
    ['COL-32 an id of 17 bytes', 'TOO_LARGE', () => map({ id: new Uint8Array(17) })],
    ['COL-32 LET-9 an empty body', 'MALFORMED', () => map({ body: { text: '' } })],
    ['COL-32 LET-9 text above 1000 characters', 'TOO_LARGE', () => map({ body: { text: 'x'.repeat(1001) } })],
    ['COL-32 LET-10 an image that is not what it says', 'MALFORMED', () => map({ body: { text: '', image: { mime: 'image/png', data: Uint8Array.of(1, 2, 3) } } })],
    ['COL-32 ENC-2 an integer in a longer form', 'MALFORMED', () => concatBytes(map({}).subarray(0, 0), longEpoch())],
  ];
  function longEpoch(): Uint8Array {
    // epoch 3 written as uint32 (ce 00 00 00 03) rather than a fixint.
    const good = map({});
    const at = toHex(good).indexOf('a565706f636803') / 2 + 6;
    return concatBytes(good.subarray(0, at), Uint8Array.of(0xce, 0, 0, 0, 3), good.subarray(at + 1));
  }
  for (const [name, want, make] of invalid) {
    it(`${name}: ${want}`, async () => {
      expect(await codeOf(() => decodeCollectivePost(make()))).toBe(want);
    });
  }

  it('COL-33 opening checks, in order: header, key, cell, padding, framing, post, collective, epoch, author, holder', async () => {
    const log = LogBuilder.founded(cast, open, ['alice', 'bob']);
    const key = rotate(log, 'alice');
    const epoch = log.state.epoch;
    const epochs = viewOf(log, 'bob');
    const alice = cast.keys.get('alice')!;
    const good = post(log, 'alice', 'hello');
    const seal = (signed: Uint8Array, e = epoch, col = 'portland') => {
      const h = new Uint8Array(MESSAGE_HEADER_BYTES);
      h[0] = 1;
      new DataView(h.buffer).setUint32(1, e);
      return concatBytes(h, cellSeal(key, pad(signed), encode({ ctx: 'comrad/collective/message', col, epoch: e })));
    };
    const postBytes = (over: Partial<CollectivePost>) => encodeCollectivePost({ ...base, epoch, ...over });
    const opened = (b: Uint8Array, col = 'portland', eps = epochs) => codeOf(() => openMessage(b, col, eps, cast.keysOf));
    expect((openMessage(good, 'portland', epochs, cast.keysOf).post.body as TextBody).text).toBe('hello');
    expect(messageEpoch(good)).toBe(epoch);
    expect(await opened(new Uint8Array(0))).toBe('TRUNCATED');
    expect(await opened(concatBytes(Uint8Array.of(2), good.subarray(1)))).toBe('UNSUPPORTED_VERSION');
    expect(await opened(good.subarray(0, 4))).toBe('TRUNCATED');
    expect(await opened(new Uint8Array(288 * 1024 + 1))).toBe('TOO_LARGE');
    // An epoch this reader holds no key of.
    const other = concatBytes(Uint8Array.of(1, 0, 0, 0, 99), good.subarray(5));
    expect(await opened(other)).toBe('NOT_FOUND');
    // The cell: damaged, or moved to another collective's channel.
    const flipped = good.slice();
    flipped[flipped.length - 1]! ^= 1;
    expect(await opened(flipped)).toBe('DECRYPT_FAILED');
    // Not a signed message inside; a post of another collective or epoch; a forged author; not a holder.
    expect(await opened(seal(new Uint8Array(40)))).toBe('BAD_SIGNATURE');
    expect(await opened(seal(sign(alice.privateKey, Uint8Array.of(0xc1))))).toBe('MALFORMED');
    expect(await opened(seal(sign(alice.privateKey, postBytes({ col: 'elsewhere' }))))).toBe('WRONG_COLLECTIVE');
    expect(await opened(seal(sign(alice.privateKey, postBytes({ epoch: epoch - 1 }))))).toBe('MALFORMED');
    expect(await opened(seal(sign(alice.privateKey, postBytes({ by: 'nobody_here' }))))).toBe('NOT_FOUND');
    expect(await opened(seal(sign(cast.keys.get('carol')!.privateKey, postBytes({ by: 'alice' }))))).toBe('BAD_SIGNATURE');
    expect(await opened(seal(sign(cast.keys.get('carol')!.privateKey, postBytes({ by: 'carol' }))))).toBe('NOT_MEMBER');
  });
});

describe('who reads what (COL-35), with real crypto', () => {
  it('COL-35 COL-18 over random histories, a message is read by exactly the members when it was posted: never by one who left or was expelled before, nor one admitted after', () => {
    type Move = { t: 'join' | 'leave' | 'expel' | 'post'; who: number; by: number };
    const moveArb: fc.Arbitrary<Move> = fc.record({ t: fc.constantFrom<Move['t']>('join', 'join', 'leave', 'expel', 'post', 'post'), who: fc.nat({ max: NAMES.length - 1 }), by: fc.nat({ max: NAMES.length - 1 }) });
    let checked = { readers: 0, shut: 0 };
    fc.assert(
      fc.property(fc.array(moveArb, { minLength: 4, maxLength: 14 }), (moves) => {
        const log = LogBuilder.founded(cast, open);
        const sent: { bytes: Uint8Array; text: string; members: string[] }[] = [];
        for (const [i, m] of moves.entries()) {
          const members = [...log.state.members].sort();
          const outsiders = NAMES.filter((n) => !log.state.members.has(n));
          const who = m.t === 'join' ? outsiders[m.who % Math.max(1, outsiders.length)] : members[m.who % members.length];
          const by = members[m.by % members.length]!;
          if (who === undefined) continue;
          if (m.t === 'join') {
            log.ok(who, { kind: 'request' });
            log.ok(by, { kind: 'vouch', who });
            log.ok(by, { kind: 'admit', who });
            rotate(log, by); // COL-31: the member whose act changed the membership rotates
          } else if (m.t === 'leave' && members.length > 1) {
            log.ok(who, { kind: 'leave' }); // the one who left cannot rotate: the next to post does
          } else if (m.t === 'expel' && members.length > 1 && who !== by) {
            log.ok(by, { kind: 'expel', who });
            rotate(log, by);
          } else if (m.t === 'post') {
            if (rotationDue(log.state)) rotate(log, by);
            const text = `message ${i}`;
            sent.push({ bytes: post(log, by, text), text, members });
          }
        }
        // Every comrade reads the whole log now, with only its own key, and tries every message.
        for (const name of NAMES) {
          for (const s of sent) {
            const got = readBy(log, name, s.bytes);
            if (s.members.includes(name)) {
              expect(got, `${name} was a member when "${s.text}" was posted`).toBe(s.text);
              checked.readers++;
            } else {
              expect(got, `${name} was not a member when "${s.text}" was posted`).toBe('!NOT_FOUND');
              checked.shut++;
            }
          }
        }
      }),
      { numRuns: 25 },
    );
    expect(checked.readers).toBeGreaterThan(20);
    expect(checked.shut).toBeGreaterThan(20);
  });
});
