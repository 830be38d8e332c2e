/**
 * The signed greeting and the sealed channel (spec/05-operator.md AUTH-7..AUTH-10): what the greeting's
 * signature binds, and that a channel frame opens only once, in its place, in its direction.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyPair, ProtocolError, SymmetricKey, encode, ready, toHex } from '@comrad/core';
import { decode } from '@comrad/core/codec';
import { Channel, acceptGreeting, decodeGreeting, makeGreeting, readClientHello, withClientHello } from '@comrad/core/wire';

let op: KeyPair, world: KeyPair;
beforeAll(async () => {
  await ready();
  op = KeyPair.generate();
  world = KeyPair.generate();
});

const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
  return 'no error';
};

describe('AUTH-7 the client hello', () => {
  it('AUTH-7 rides in the upgrade URL, keeps other parameters, and is read back exactly', () => {
    const eph = KeyPair.generate();
    const url = withClientHello(new URL('wss://op.example/comrad?x=1'), eph.publicKey);
    expect(url.pathname).toBe('/comrad');
    expect(url.searchParams.get('x')).toBe('1');
    expect(readClientHello(url.pathname + url.search).equals(eph.publicKey)).toBe(true);
  });

  it('AUTH-7 no hello or another version → UNSUPPORTED_VERSION; a bad key → MALFORMED or INVALID_KEY', () => {
    const key = toHex(KeyPair.generate().publicKey.bytes());
    expect(code(() => readClientHello('/'))).toBe('UNSUPPORTED_VERSION');
    expect(code(() => readClientHello(`/?comrad=1&key=${key}`))).toBe('UNSUPPORTED_VERSION');
    expect(code(() => readClientHello('/?comrad=2'))).toBe('MALFORMED');
    expect(code(() => readClientHello(`/?comrad=2&key=${key.toUpperCase()}`))).toBe('MALFORMED');
    expect(code(() => readClientHello(`/?comrad=2&key=${'00'.repeat(45)}`))).toBe('INVALID_KEY');
  });
});

describe('AUTH-7 AUTH-8 the greeting', () => {
  it('AUTH-7 AUTH-8 opens for the client that sent the hello: challenge, world key, one session key both ends share', () => {
    const eph = KeyPair.generate();
    const made = makeGreeting(op, world.publicKey, eph.publicKey);
    const { hello, channel } = acceptGreeting(decodeGreeting(made.frame), op.publicKey, eph);
    expect(hello.operatorKey.equals(op.publicKey) && hello.worldKey.equals(world.publicKey)).toBe(true);
    expect(hello.challenge).toEqual(made.challenge);
    expect(made.channel.open(channel.seal(Uint8Array.of(1, 2, 3)))).toEqual(Uint8Array.of(1, 2, 3));
    expect(channel.open(made.channel.seal(Uint8Array.of(4)))).toEqual(Uint8Array.of(4));
  });

  it('AUTH-7 a greeting made for another client key (a replayed greeting) → BAD_SIGNATURE', () => {
    const made = makeGreeting(op, world.publicKey, KeyPair.generate().publicKey);
    expect(code(() => acceptGreeting(decodeGreeting(made.frame), op.publicKey, KeyPair.generate()))).toBe('BAD_SIGNATURE');
  });

  it('AUTH-7 AUTH-8 any signed field changed → BAD_SIGNATURE; signed by another key → BAD_SIGNATURE; naming another key → KEY_CHANGED', () => {
    const eph = KeyPair.generate();
    const made = makeGreeting(op, world.publicKey, eph.publicKey);
    const map = decode(made.frame, 4096) as Record<string, unknown>;
    const other = KeyPair.generate();
    const swaps: Record<string, unknown> = {
      world: other.publicKey.bytes(),
      challenge: new Uint8Array(32),
      ephemeral: other.publicKey.bytes(),
      // Another session key, wrapped to this very client: the relay would know it if it made it.
      key: (decode(makeGreeting(op, world.publicKey, eph.publicKey).frame, 4096) as { key: Uint8Array }).key,
    };
    for (const [field, value] of Object.entries(swaps)) {
      expect([field, code(() => acceptGreeting(decodeGreeting(encode({ ...map, [field]: value })), op.publicKey, eph))]).toEqual([field, 'BAD_SIGNATURE']);
    }
    const forged = makeGreeting(other, world.publicKey, eph.publicKey);
    // The relay names the real key but signs with its own.
    const relabelled = encode({ ...(decode(forged.frame, 4096) as object), operatorKey: op.publicKey.bytes() });
    expect(code(() => acceptGreeting(decodeGreeting(relabelled), op.publicKey, eph))).toBe('BAD_SIGNATURE');
    // Pinned to one key, a greeting that names another is a key change, even if it is self-consistent.
    expect(code(() => acceptGreeting(decodeGreeting(forged.frame), op.publicKey, eph))).toBe('KEY_CHANGED');
  });

  it('AUTH-7 the greeting decoder refuses other versions and extra fields', () => {
    const map = decode(makeGreeting(op, world.publicKey, KeyPair.generate().publicKey).frame, 4096) as Record<string, unknown>;
    expect(code(() => decodeGreeting(encode({ ...map, v: 1 })))).toBe('UNSUPPORTED_VERSION');
    expect(code(() => decodeGreeting(encode({ ...map, extra: 1 })))).toBe('MALFORMED');
    expect(code(() => decodeGreeting(encode({ push: 'mail' })))).toBe('MALFORMED');
  });
});

describe('AUTH-9 AUTH-10 the sealed channel', () => {
  const pair = () => {
    const k = SymmetricKey.generate();
    return { client: new Channel(SymmetricKey.from(k.bytes()), 'client'), operator: new Channel(SymmetricKey.from(k.bytes()), 'operator') };
  };
  const frame = (n: number) => encode({ id: n, op: 'info' });

  it('AUTH-9 frames open in order, in both directions', () => {
    const { client, operator } = pair();
    for (let i = 0; i < 5; i++) {
      expect(operator.open(client.seal(frame(i)))).toEqual(frame(i));
      expect(client.open(operator.seal(frame(100 + i)))).toEqual(frame(100 + i));
    }
  });

  it('AUTH-10 a replayed, reordered, reflected, altered or foreign frame → DECRYPT_FAILED, and the channel stays broken', () => {
    const cases: Record<string, (c: Channel, o: Channel) => Uint8Array> = {
      replayed: (c, o) => {
        const f = c.seal(frame(1));
        o.open(f);
        return f;
      },
      reordered: (c) => {
        c.seal(frame(1));
        return c.seal(frame(2));
      },
      reflected: (_c, o) => o.seal(frame(1)),
      altered: (c) => {
        const f = c.seal(frame(1));
        f[f.length - 1]! ^= 1;
        return f;
      },
      foreign: () => pair().client.seal(frame(1)),
      plain: () => frame(1),
    };
    for (const [name, make] of Object.entries(cases)) {
      const { client, operator } = pair();
      const bad = make(client, operator);
      expect([name, code(() => operator.open(bad))]).toEqual([name, 'DECRYPT_FAILED']);
      expect(operator.broken).toBe(true);
      // Even the honest next frame is refused now: the two ends no longer agree.
      expect(code(() => operator.open(client.seal(frame(9))))).toBe('DECRYPT_FAILED');
    }
  });
});
