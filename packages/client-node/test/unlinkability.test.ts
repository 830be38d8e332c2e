/**
 * The client's own traffic never links a letter to its sender (CL-1..CL-4, SEAL-6), checked the way an
 * adversary would: a recording relay between several comrades' clients and a real Operator logs every
 * connection and every frame, and the assertions read only what it saw.
 *
 * A connection is *identified* as comrade X's when it carries `auth` for X, or when X's client held it
 * open at the same time as such a connection (the timing of connections from one client is what the
 * Operator sees even when each travels on its own Tor circuit). No frame on an identified connection may
 * name (by name or key) anyone X wrote to or heard from; the one exception is the world feed page, the
 * same public list of authors for every reader.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PublicKey, utf8 } from '@comrad/core';
import { verifyLookup } from '@comrad/core/wire';
import { Comrade } from '../src/comrade/comrade.js';
import { main } from '../src/cli/program.js';
import { OperatorConnection } from '../src/transport/connection.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { containsBytes, overlap, startRecordingRelay, type RecordedConnection, type RecordingRelay } from '@comrad/test-kit/client-node/recording-relay';
import { testScope } from '@comrad/test-kit/client-node/scope';

const scope = testScope();
const pass = (name: string) => `${name}'s passphrase, long enough`;

/** Runs the `comrad` CLI in this process as `name`, in `name`'s home. */
function cli(root: string, name: string) {
  return async (...args: string[]): Promise<void> => {
    const code = await main(['node', 'comrad', '--json', '--home', join(root, name), ...args], { COMRAD_PASSPHRASE: pass(name), NO_COLOR: '1' });
    expect(code, `comrad ${args.join(' ')} as ${name}`).toBe(0);
  };
}

/** Connections carrying `auth`, and those open at the same time from the same client: X's identified ones. */
function identified(relay: RecordingRelay, origin: string): RecordedConnection[] {
  const mine = relay.connections.filter((c) => c.origin === origin);
  const authed = mine.filter((c) => c.frames.some((f) => f.dir === 'up' && f.op === 'auth'));
  return mine.filter((c) => authed.some((a) => a === c || overlap(a, c)));
}

/** Frames on `conns` that name `who` by name or key, leaving out the public feed page. */
function naming(conns: RecordedConnection[], who: { name: string; key: PublicKey }) {
  const needles = [utf8(who.name), who.key.bytes(), who.key.raw];
  return conns.flatMap((c) =>
    c.frames
      .filter((f) => !(f.dir === 'down' && f.op === 'feed'))
      .filter((f) => needles.some((n) => containsBytes(f.bytes, n)))
      .map((f) => `connection ${c.n} (${c.origin}${c.frames.some((g) => g.op === 'auth') ? ', auth' : ''}) ${f.dir} ${f.op ?? '?'} names @${who.name}`),
  );
}

async function registryKey(url: string, operatorKey: PublicKey, name: string): Promise<PublicKey> {
  const conn = await OperatorConnection.open({ url });
  try {
    return verifyLookup((await conn.request('lookup', { name })).statement, operatorKey, name).key;
  } finally {
    await conn.closed();
  }
}

describe('CL-1 CL-2 SEAL-6 unlinkability, seen from a recording relay', () => {
  it('after send, inbox, post and feed by three comrades, no identified connection names a correspondent, and no send is logged in', async () => {
    const op = await scope.operator();
    const relay = startRecordingRelay(op.url);
    scope.defer(() => relay.close());
    const root = await tempHome('comrad-unlink-');
    scope.defer(() => root.remove());
    const names = { alice: 'alice_rl', bob: 'bob_rl', carol: 'carol_rl' } as const;
    const as = { alice: cli(root.dir, names.alice), bob: cli(root.dir, names.bob), carol: cli(root.dir, names.carol) };
    for (const who of ['alice', 'bob', 'carol'] as const) {
      await as[who]('operator', 'add', await relay.listen(names[who]));
      await as[who]('register', names[who]);
    }
    await as.alice('whois', names.bob); // bob pinned beforehand; carol is not
    await as.alice('send', names.bob, 'hello bob');
    await as.alice('send', names.carol, 'hello carol');
    await as.bob('inbox'); // alice is not pinned by bob
    await as.carol('inbox');
    await as.bob('send', names.alice, 'hi alice');
    await as.alice('inbox');
    await as.alice('post', 'alice says hi');
    await as.carol('post', 'carol says hi');
    for (const who of ['bob', 'carol', 'alice'] as const) await as[who]('feed');
    await relay.settled();
    relay.resolve();
    // The Operator's view: every frame after the greeting read in plaintext (else this test sees nothing).
    expect(relay.connections.flatMap((c) => c.frames).filter((f) => f.op === 'auth').length).toBeGreaterThan(0);

    const operatorKey = op.keys.operator.publicKey;
    const keys = Object.fromEntries(await Promise.all(Object.values(names).map(async (n) => [n, await registryKey(op.url, operatorKey, n)] as const)));
    const correspondents: Record<string, string[]> = {
      [names.alice]: [names.bob, names.carol],
      [names.bob]: [names.alice],
      [names.carol]: [names.alice],
    };
    const leaks: string[] = [];
    for (const [x, ys] of Object.entries(correspondents)) {
      const conns = identified(relay, x);
      expect(conns.length, `${x} logged in at least once`).toBeGreaterThan(0);
      for (const y of ys) leaks.push(...naming(conns, { name: y, key: keys[y]! }));
    }
    expect(leaks).toEqual([]);
    // SEAL-6 CL-3: a recipient never names to the Operator who wrote to it. Bob and carol heard from
    // alice without ever looking her up: only a connection carrying their own letter to her may name her.
    for (const x of [names.bob, names.carol]) {
      const asked = relay.connections
        .filter((c) => c.origin === x && !c.frames.some((f) => f.dir === 'up' && f.op === 'send'))
        .flatMap((c) => c.frames.filter((f) => f.dir === 'up' && containsBytes(f.bytes, utf8(names.alice))).map((f) => `connection ${c.n} ${f.op}`));
      expect(asked, `${x} named @${names.alice}, who wrote to them`).toEqual([]);
    }
    // MB-7: no letter travels on a logged-in connection, nor next to one.
    const sends = relay.connections.filter((c) => c.frames.some((f) => f.dir === 'up' && f.op === 'send'));
    expect(sends.length).toBe(3);
    for (const c of sends) {
      expect(c.frames.some((f) => f.op === 'auth'), `send on connection ${c.n} is logged in`).toBe(false);
      expect(identified(relay, c.origin), `send on connection ${c.n} is timed with a login`).not.toContain(c);
    }
    console.log(`unlinkability relay: ${relay.connections.length} connections, ${relay.connections.reduce((n, c) => n + c.frames.length, 0)} frames, ${leaks.length} leaks`);
  });

  it('CL-2 a bot that only sends, with the passphrase given at connect, never logs in', async () => {
    const op = await scope.operator();
    const relay = startRecordingRelay(op.url);
    scope.defer(() => relay.close());
    const homes = { bot: await tempHome(), bob: await tempHome() };
    scope.defer(() => homes.bot.remove(), () => homes.bob.remove());
    const bob = await Comrade.connect({ home: homes.bob.dir, operator: { name: 'test', url: op.url } });
    scope.defer(() => bob.close());
    await bob.register('bob_rl', pass('bob'));
    const setup = await Comrade.connect({ home: homes.bot.dir, operator: { name: 'test', url: op.url } });
    await setup.register('bot_rl', pass('bot'));
    await setup.close();

    const bot = await Comrade.connect({ home: homes.bot.dir, operator: { name: 'test', url: await relay.listen('bot') }, passphrase: pass('bot') });
    scope.defer(() => bot.close());
    expect(bot.identity?.name).toBe('bot_rl');
    await bot.send('bob_rl', 'one');
    await bot.send('bob_rl', 'two');
    relay.resolve();
    const ops = relay.connections.flatMap((c) => c.frames.filter((f) => f.dir === 'up').map((f) => f.op));
    expect(ops).not.toContain('auth');
    expect(ops.filter((o) => o === 'send')).toHaveLength(2);
    expect((await bob.inbox()).received.map((l) => [l.from, l.text])).toEqual([
      ['bot_rl', 'one'],
      ['bot_rl', 'two'],
    ]);
  });
});
