/**
 * The Comrade over real networks conditions: every connection through a SOCKS proxy (Tor), and an
 * Operator that restarts under a logged-in session.
 */
import { describe, expect, it } from 'vitest';
import { Comrade } from '../src/comrade/comrade.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { startSocks5Server } from '@comrad/test-kit/client-node/socks5-server';
import { testScope } from '@comrad/test-kit/client-node/scope';

const scope = testScope();

const operator = scope.operator;

describe('Comrade through a SOCKS proxy (TR-1, TR-3, CL-1)', () => {
  it('TR-1 every connection of register, send, inbox and feed goes through the proxy, by host name', async () => {
    const op = await operator();
    // An onion name (TR-9 allows plain ws:// to it: Tor protects the path), resolved only by the proxy.
    const host = `${'a'.repeat(56)}.onion`;
    const proxy = await startSocks5Server({ [host]: '127.0.0.1' });
    scope.defer(() => proxy.close());
    const url = `ws://${host}:${op.port}`;
    const open = async (name: string) => {
      const c = await Comrade.connect({ home: (await tempHome()).dir, operator: { name: 'tor', url }, proxy: proxy.url });
      scope.defer(() => c.close());
      await c.register(name, 'passphrase');
      return c;
    };
    const alice = await open('alice');
    const bob = await open('bob');
    await alice.send('bob', 'through tor');
    expect((await bob.inbox()).received.map((l) => l.text)).toEqual(['through tor']);
    await alice.post('world, through tor');
    expect((await bob.feed()).posts.map((p) => p.text)).toEqual(['world, through tor']);
    // Per comrade: a public session and a register connection; a private session for alice's post and
    // bob's inbox (his feed reuses it; alice is pinned from her letter's statement); one for the letter.
    expect(proxy.requests.length).toBe(7);
    for (const r of proxy.requests) expect(r).toMatchObject({ atyp: 'domain', host, port: op.port });
    // TR-3: each connection its own SOCKS credentials, hence its own Tor circuit.
    const usernames = proxy.requests.map((r) => r.username);
    expect(new Set(usernames).size).toBe(usernames.length);
  });
});

describe('Comrade across an Operator restart (TR-6)', () => {
  it('TR-6 a logged-in session reconnects, logs in again, and keeps receiving pushes and mail', async () => {
    const first = await operator();
    const { dir } = await tempHome();
    const bob = await Comrade.connect({ home: dir, operator: { name: 'x', url: first.url } });
    scope.defer(() => bob.close());
    await bob.register('bob', 'passphrase');
    await bob.login('passphrase'); // the private session, which pushes come on
    const alice = await Comrade.connect({ home: (await tempHome()).dir, operator: { name: 'x', url: first.url } });
    scope.defer(() => alice.close());
    await alice.register('alice', 'passphrase');
    const down = new Promise<void>((resolve) => bob.once('disconnect', resolve));
    await first.stop();
    await down;
    const back = new Promise<void>((resolve) => bob.once('reconnect', resolve));
    // Same keys, same store, same port: the Operator came back.
    await operator({ keys: first.keys, store: first.store, port: first.port });
    await back;
    // The session is logged in again: a push now reaches it.
    const pushed = new Promise<void>((resolve) => bob.once('mail', resolve));
    await alice.send('bob', 'after the restart');
    await pushed;
    expect((await bob.inbox()).received.map((l) => l.text)).toEqual(['after the restart']);
  });
});
