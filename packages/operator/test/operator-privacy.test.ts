/**
 * Privacy (MB-1, LOG-1) on every store: after a run of letters, what a seized store shows names no
 * sender, and the Operator's logs name nobody, hold no client address or port, and no content.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SymmetricKey, decryptFrom, toHex } from '@comrad/core';
import { createLetter, sealLetter, sealPost, signStatement } from '@comrad/core/envelope';
import { createLogger } from '../src/log.js';
import { openTestStore, startTestOperator, type StoreKind } from '@comrad/test-kit/operator/fixtures';
import { useRedisServer } from '@comrad/test-kit/operator/redis';

const redis = useRedisServer();
const kinds: StoreKind[] = ['memory', 'lmdb', 'redis'];

/** Every entry of a dump as one searchable buffer (key and value). */
const entries = (dump: Array<[string, Uint8Array | string]>) => dump.map(([k, v]) => ({ key: k, all: Buffer.concat([Buffer.from(k), Buffer.from(v)]) }));

describe.each(kinds)('privacy on the %s store', (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('MB-1 LOG-1 letters leave no trace of their senders in the store, and nothing personal in the logs', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
    const { store, cleanup } = await openTestStore(kind, () => redis.url);
    cleanups.push(cleanup);
    const t = await startTestOperator({ store, logger });
    cleanups.push(() => t.close());

    const senders = [await t.register('alice_sender'), await t.register('carol_sender')];
    const bob = await t.register('bob_recipient');
    const dave = await t.register('dave_author');
    const senderTokens = senders.flatMap((s) => [Buffer.from(s.name), Buffer.from(s.publicKey.bytes()), Buffer.from(s.publicKey.toHex())]);
    const mentionsSender = (e: { all: Buffer }) => senderTokens.some((tok) => e.all.includes(tok));
    // Registration is the one permanent record: those entries may name them, and nothing else may.
    const registryEntries = entries(await store.dump()).filter(mentionsSender).map((e) => e.key).sort();
    expect(registryEntries.length).toBeGreaterThan(0);

    const bobConn = await t.connect();
    await bobConn.auth(bob, t.clock.now());
    const sealedLetters: Uint8Array[] = [];
    const clients = [bobConn];
    for (const [i, s] of [...senders, ...senders].entries()) {
      const anon = await t.connect();
      clients.push(anon);
      const sealed = sealLetter(createLetter({ kind: 'dm', from: s.name, to: 'bob_recipient', body: { text: `secret plan ${i}` } }), s.keys, bob.publicKey, signStatement(t.keys.operator.privateKey, s.name, s.publicKey, t.clock.now()));
      sealedLetters.push(sealed);
      await anon.request('send', { to: 'bob_recipient', letter: sealed });
    }
    const fetched = await bobConn.request('fetch', {});
    expect(fetched.items).toHaveLength(4);
    await bobConn.request('ack', { ids: [fetched.items[0]!.id] });

    const daveConn = await t.connect();
    clients.push(daveConn);
    await daveConn.auth(dave, t.clock.now());
    const wk = await daveConn.request('worldKey', {});
    const epochKey = SymmetricKey.from(decryptFrom(dave.keys.privateKey, t.keys.world.publicKey, wk.sealed));
    await daveConn.request('post', { post: sealPost(createLetter({ kind: 'post', from: 'dave_author', body: { text: 'public words' } }), dave.keys, epochKey, wk.epoch), expiresInDays: 1 });
    await t.op.sweep();

    const after = entries(await store.dump());
    expect(after.filter(mentionsSender).map((e) => e.key).sort()).toEqual(registryEntries);
    expect(after.some((e) => e.all.includes('127.0.0.1'))).toBe(false);
    expect(after.filter((e) => sealedLetters.some((l) => e.all.includes(Buffer.from(l)))).length).toBe(3);

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(2);
    expect(log).toContain('"send":4');
    const forbidden = [
      'alice_sender',
      'carol_sender',
      'bob_recipient',
      'dave_author',
      'secret plan',
      'public words',
      '127.0.0.1',
      ...sealedLetters.map((l) => toHex(l.subarray(0, 12))),
      ...sealedLetters.map((l) => Buffer.from(l.subarray(0, 12)).toString('base64')),
      ...senders.map((s) => s.publicKey.toHex()),
    ];
    for (const word of forbidden) expect(log, word).not.toContain(word);
    // Ports as whole numbers (a port's digits may well occur inside a longer number, like a limit).
    for (const port of [t.op.port, ...clients.map((c) => c.localPort)]) expect(log).not.toMatch(new RegExp(`(?<![0-9])${port}(?![0-9])`));
  });
});
