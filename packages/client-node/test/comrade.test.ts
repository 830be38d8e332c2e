import { describe, expect, it } from 'vitest';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ComradError, KeyPair, bytesEqual } from '@comrad/core';
import { createLetter, openSigned, sealLetter, type TextLetter } from '@comrad/core/envelope';
import { signLookup, verifyLookup } from '@comrad/core/wire';
import { Comrade } from '../src/comrade/comrade.js';
import { OperatorConnection } from '../src/transport/connection.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { testScope } from '@comrad/test-kit/client-node/scope';

const PASS = 'correct horse battery staple';
const scope = testScope();

const operator = scope.operator;

async function comrade(op: { url: string }, opts: { home?: string; beforeAck?: (ids: readonly string[]) => void } = {}): Promise<Comrade> {
  const home = opts.home ?? (await tempHome()).dir;
  const c = await Comrade.connect({ home, operator: { name: 'test', url: op.url }, ...(opts.beforeAck ? { beforeAck: opts.beforeAck } : {}) });
  scope.defer(() => c.close());
  return c;
}

async function registered(op: { url: string }, name: string, opts: { home?: string; beforeAck?: (ids: readonly string[]) => void } = {}): Promise<Comrade> {
  const c = await comrade(op, opts);
  await c.register(name, PASS);
  return c;
}

describe('Comrade: register, look up, write, read (REG-*, CT-*, MB-*)', () => {
  it('REG-3 registers a name, saves the keystore 0600 in a 0700 home, and logs in again with the passphrase', async () => {
    const op = await operator();
    const { dir } = await tempHome();
    const alice = await registered(op, '@Alice', { home: dir });
    expect(alice.identity?.name).toBe('alice');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(alice.paths.identity)).mode & 0o777).toBe(0o600);
    expect((await stat(alice.paths.homeKey)).mode & 0o777).toBe(0o600);
    const fingerprint = alice.identity!.fingerprint;
    await alice.close();
    const again = await comrade(op, { home: dir });
    expect((await again.login(PASS)).fingerprint).toBe(fingerprint);
    const wrong = await comrade(op, { home: dir });
    expect(ComradError.is(await wrong.login('not it').catch((e: unknown) => e), 'WRONG_PASSPHRASE')).toBe(true);
  });

  it('REG-1 a taken name is refused and leaves no keystore behind', async () => {
    const op = await operator();
    await registered(op, 'alice');
    const other = await comrade(op);
    expect(ComradError.is(await other.register('alice', PASS).catch((e: unknown) => e), 'NAME_TAKEN')).toBe(true);
    expect(await readdir(other.paths.root)).not.toContain('identity.sealed');
  });

  it('MB-1 SEAL-6 a letter arrives, decrypted and verified against the sender, and is stored encrypted', async () => {
    const op = await operator();
    const alice = await registered(op, 'alice');
    const bob = await registered(op, 'bob');
    const { id } = await alice.send('@Bob', 'meet at the library at noon');
    const report = await bob.inbox();
    expect(report.received).toHaveLength(1);
    expect(report.received[0]).toMatchObject({ id, from: 'alice', to: 'bob', text: 'meet at the library at noon', authorFingerprint: alice.identity!.fingerprint });
    expect((await bob.letters()).map((l) => l.text)).toEqual(['meet at the library at noon']);
    // MAIL-1: nothing on disk shows the text.
    const files = await readdir(bob.paths.mail);
    expect(files).toHaveLength(1);
    const { readFile } = await import('node:fs/promises');
    const raw = await readFile(`${bob.paths.mail}/${files[0]}`);
    expect(raw.includes(Buffer.from('library'))).toBe(false);
    // MB-3: acknowledged, so gone from the Operator.
    expect((await bob.inbox()).received).toHaveLength(0);
  });

  it('REG-6 MB-9 POW-1 with proof of work asked for both, register and send solve it over the challenge of their own connection', async () => {
    const op = await operator({ limits: { registerPowBits: 10, sendPowBits: 8, handshakeMs: 60_000 } });
    const work: unknown[] = [];
    const alice = await Comrade.connect({ home: (await tempHome()).dir, operator: { name: 'test', url: op.url }, onWork: (w) => work.push(w) });
    scope.defer(() => alice.close());
    await alice.register('alice', PASS);
    const bob = await registered(op, 'bob');
    const { id } = await alice.send('bob', 'paid for');
    expect((await bob.inbox()).received.map((r) => r.id)).toEqual([id]);
    expect(work).toEqual([
      { op: 'register', bits: 10 },
      { op: 'send', bits: 8 },
    ]);
  });

  it('CL-1 send uses a connection that never authenticates, and only the letter names the recipient', async () => {
    const op = await operator();
    const alice = await registered(op, 'alice');
    await registered(op, 'bob');
    // Count connections: the public and private sessions are open; a send adds one more, then closes it.
    const before = op.server.connections();
    await alice.send('bob', 'hi');
    await waitFor(() => op.server.connections() === before);
    expect(op.server.connections()).toBe(before);
  });

  it('MB-6 the Operator pushes "mail" to a logged-in comrade', async () => {
    const op = await operator();
    const alice = await registered(op, 'alice');
    const bob = await registered(op, 'bob');
    await bob.login(PASS); // pushes come on the private session, which only a login (or an inbox) opens
    const pushed = new Promise<void>((resolve) => bob.once('mail', resolve));
    await alice.send('bob', 'ping');
    await pushed;
  });

  it('MB-3 MAIL-2 a client that dies between storing and acking gets the letter again and stores it once', async () => {
    const op = await operator();
    const alice = await registered(op, 'alice');
    const { dir } = await tempHome();
    const crashing = await registered(op, 'bob', {
      home: dir,
      beforeAck: () => {
        throw new Error('simulated crash before ack');
      },
    });
    await alice.send('bob', 'do not lose me');
    await expect(crashing.inbox()).rejects.toThrow('simulated crash before ack');
    await crashing.close();
    const bob = await comrade(op, { home: dir });
    await bob.login(PASS);
    const report = await bob.inbox();
    // Listed again (the crashed run never showed it), stored once.
    expect(report.received.map((l) => l.text)).toEqual(['do not lose me']);
    expect(report.duplicates).toBe(1);
    expect((await bob.letters()).map((l) => l.text)).toEqual(['do not lose me']);
    expect(await readdir(bob.paths.mail)).toHaveLength(1);
    expect((await bob.inbox()).duplicates).toBe(0);
  });

  it('MAIL-3 a letter signed by someone else than its claimed sender is reported FORGED, kept apart, and acked', async () => {
    const op = await operator();
    const alice = await registered(op, 'alice');
    const bob = await registered(op, 'bob');
    // Mallory writes "from alice" with alice's genuine registry statement (anyone can look it up),
    // signs with her own key, seals to bob, and sends like any client.
    const mallory = KeyPair.generate();
    const conn = await OperatorConnection.open({ url: op.url });
    const { statement } = await conn.request('lookup', { name: 'alice' });
    const forged = sealLetter(createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'send me your passphrase' } }), mallory, bob.identity!.publicKey, statement);
    await conn.request('send', { to: 'bob', letter: forged });
    await conn.closed();
    await alice.send('bob', 'the real one');
    const report = await bob.inbox();
    expect(report.received.map((l) => l.text)).toEqual(['the real one']);
    expect(report.rejected).toEqual([expect.objectContaining({ reason: 'FORGED', claimedFrom: 'alice', code: 'WRONG_AUTHOR' })]);
    expect((await bob.letters()).map((l) => l.text)).toEqual(['the real one']);
    expect((await bob.rejectedLetters()).map((r) => r.reason)).toEqual(['FORGED']);
    expect((await bob.inbox()).rejected).toHaveLength(0);
  });
});

describe('Comrade: pinned keys (CT-1..CT-3, OPS-1, OPS-2)', () => {
  it('CT-2 CT-3 CT-4 a contact whose key the Operator changes is refused with KEY_CHANGED, the evidence kept, until its full new fingerprint is accepted', async () => {
    const first = await operator();
    const alice = await registered(first, 'alice');
    const bob = await registered(first, 'bob');
    const oldFingerprint = bob.identity!.fingerprint;
    expect((await alice.lookup('bob')).status).toBe('new');
    expect((await alice.lookup('bob')).status).toBe('same');
    // The same Operator (same key, same address) now answers with another key for bob: what a
    // compromised Operator or a key-swapping attacker would do.
    const port = first.port;
    await first.stop();
    const second = await operator({ keys: first.keys, port });
    const aliceAgain = await comrade(second, { home: alice.paths.root });
    await aliceAgain.login(PASS).catch(() => undefined); // alice is not registered on the new store
    const impostor = await registered(second, 'bob');
    const err = await aliceAgain.lookup('bob').catch((e: unknown) => e);
    expect(ComradError.is(err, 'KEY_CHANGED')).toBe(true);
    expect((err as Error).message).toContain(oldFingerprint);
    expect((err as Error).message).toContain(impostor.identity!.fingerprint);
    expect((err as Error).message).toMatch(/man-in-the-middle/);
    // CT-4: both Operator-signed statements are kept as evidence, and anyone can check them.
    const evidence = aliceAgain.contacts().find((c) => c.name === 'bob')!.changes;
    expect(evidence).toHaveLength(1);
    expect(verifyLookup(evidence[0]!.pinnedStatement!, first.keys.operator.publicKey, 'bob').key.fingerprint()).toBe(oldFingerprint);
    expect(verifyLookup(evidence[0]!.offeredStatement!, first.keys.operator.publicKey, 'bob').key.fingerprint()).toBe(impostor.identity!.fingerprint);
    // CT-3: no acceptance without the new key's full fingerprint.
    for (const typed of [oldFingerprint, impostor.identity!.fingerprint.slice(0, 20), '']) {
      expect(await aliceAgain.acceptKeyChange('bob', typed).catch((e: unknown) => e)).toMatchObject({ code: 'BAD_ARGUMENT' });
    }
    expect(aliceAgain.contacts().find((c) => c.name === 'bob')!.key.fingerprint()).toBe(oldFingerprint);
    const { previous, contact } = await aliceAgain.acceptKeyChange('bob', impostor.identity!.fingerprint);
    expect(contact.changes[0]!.acceptedAt).toBeTypeOf('number');
    expect(previous?.key.fingerprint()).toBe(oldFingerprint);
    expect(contact.key.fingerprint()).toBe(impostor.identity!.fingerprint);
    expect((await aliceAgain.lookup('bob')).status).toBe('same');
  });

  it('OPS-2 an Operator whose key changed is refused with KEY_CHANGED', async () => {
    const first = await operator();
    const { dir } = await tempHome();
    const pinned = await Comrade.connect({ home: dir, operator: { name: 'x', url: first.url, key: first.keys.operator.publicKey } });
    await pinned.close();
    const port = first.port;
    await first.stop();
    await operator({ port }); // same address, new keys
    const err = await Comrade.connect({ home: dir, operator: { name: 'x', url: first.url, key: first.keys.operator.publicKey } }).catch((e: unknown) => e);
    expect(ComradError.is(err, 'KEY_CHANGED')).toBe(true);
  });
});

describe('Comrade: the sender travels inside the letter (SEAL-1, SEAL-6, CL-2, CL-3)', () => {
  it('CT-1 SEAL-6 the inbox pins a sender from the statement in its letter, and a later letter under another key is held as KEY_CHANGED with the evidence', async () => {
    const op = await operator();
    const alice = await registered(op, 'alice');
    const bob = await registered(op, 'bob');
    await bob.send('alice', 'first');
    expect((await alice.inbox()).received.map((l) => l.text)).toEqual(['first']);
    expect(alice.contacts().map((c) => [c.name, c.key.fingerprint()])).toEqual([['bob', bob.identity!.fingerprint]]);
    // The Operator (its key is the pinned one) now vouches for another key under bob's name.
    const other = KeyPair.generate();
    const lying = signLookup(op.keys.operator.privateKey, 'bob', other.publicKey, Date.now());
    const letter = createLetter({ kind: 'dm', from: 'bob', to: 'alice', body: { text: 'trust me' } });
    const conn = await OperatorConnection.open({ url: op.url });
    await conn.request('send', { to: 'alice', letter: sealLetter(letter, other, alice.identity!.publicKey, lying) });
    await conn.closed();
    const report = await alice.inbox();
    expect(report.received).toEqual([]);
    expect(report.held).toHaveLength(1);
    expect(report.held[0]).toMatchObject({ claimedFrom: 'bob', code: 'KEY_CHANGED' });
    expect(bytesEqual(report.held[0]!.statement, lying)).toBe(true);
    expect((openSigned(report.held[0]!.signed, other.publicKey).letter as TextLetter).body.text).toBe('trust me');
  });

  it('CL-3 a home without its own statement fetches it once on the logged-in connection, then sends', async () => {
    const op = await operator();
    const { dir } = await tempHome();
    await registered(op, 'alice', { home: dir });
    const bob = await registered(op, 'bob');
    await rm(join(dir, 'statements.cell'));
    const alice = await Comrade.connect({ home: dir, operator: { name: 'test', url: op.url }, passphrase: PASS });
    scope.defer(() => alice.close());
    await alice.send('bob', 'from an old home');
    expect((await readdir(dir))).toContain('statements.cell');
    expect((await bob.inbox()).received.map((l) => [l.from, l.text])).toEqual([['alice', 'from an old home']]);
  });

  it('CL-2 with the passphrase at connect, a wrong one fails before any connection is made', async () => {
    const op = await operator();
    const { dir } = await tempHome();
    await registered(op, 'alice', { home: dir });
    const before = op.server.connections();
    const err = await Comrade.connect({ home: dir, operator: { name: 'test', url: op.url }, passphrase: 'not it' }).catch((e: unknown) => e);
    expect(ComradError.is(err, 'WRONG_PASSPHRASE')).toBe(true);
    expect(op.server.connections()).toBe(before);
  });
});

describe('Comrade: the world feed (FEED-*)', () => {
  it('FEED-3 FEED-7 posts are read back verified, newest first, and deleted by their author', async () => {
    const op = await operator();
    const alice = await registered(op, 'alice');
    const bob = await registered(op, 'bob');
    const first = await alice.post('hello world', { expiresInDays: 3 });
    await bob.post('hello from bob');
    const page = await bob.feed();
    expect(page.posts.map((p) => [p.author, p.text])).toEqual([
      ['bob', 'hello from bob'],
      ['alice', 'hello world'],
    ]);
    expect(page.rejected).toEqual([]);
    await alice.deletePost(first.id);
    expect((await bob.feed()).posts.map((p) => p.text)).toEqual(['hello from bob']);
    // Only the author deletes.
    const bobs = (await bob.feed()).posts[0]!.id;
    expect(ComradError.is(await alice.deletePost(bobs).catch((e: unknown) => e))).toBe(true);
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('Comrade: profiles (PROF-*)', () => {
  it('PROF-10 PROF-13 a second profile set in the same second is signed one second after the held one, and readers see the newest', async () => {
    const op = await operator();
    const frozen = Date.now();
    const { dir } = await tempHome();
    const alice = await Comrade.connect({ home: dir, operator: { name: 'test', url: op.url }, now: () => frozen });
    scope.defer(() => alice.close());
    await alice.register('alice', PASS);
    const bob = await registered(op, 'bob');
    const first = await alice.setProfile({ display: 'Alice', bio: 'first' });
    const second = await alice.setProfile({ display: 'Alice', bio: 'second' });
    expect(first.profile.at).toBe(Math.floor(frozen / 1000));
    expect(second.profile.at).toBe(first.profile.at + 1);
    expect(await bob.profile('@Alice')).toMatchObject({ name: 'alice', bio: 'second', at: second.profile.at, visibility: 'world' });
    // PROF-3: refused before anything is sent; the profile held stays.
    expect(ComradError.is(await alice.setProfile({ display: 'Alice', bio: 'x'.repeat(281) }).catch((e: unknown) => e), 'TOO_LARGE')).toBe(true);
    // CIR-9: a profile for the trusted circle before trusting anyone: NO_CIRCLE, nothing sent.
    expect(((await alice.setProfile({ display: 'Alice', visibility: 'trusted' }).catch((e: unknown) => e)) as { code?: string }).code).toBe('NO_CIRCLE');
    expect((await bob.profile('alice')).bio).toBe('second');
    expect(ComradError.is(await alice.profile('bob').catch((e: unknown) => e), 'NOT_FOUND')).toBe(true);
  });
});
