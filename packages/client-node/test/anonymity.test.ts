/**
 * The two tests issue 14 asks for (TOK-1, TOK-10, TOK-13, VOTE-4, VOTE-9), on every store backend. Four
 * comrades use the real CLI through a recording relay in front of a real Operator whose logs are captured:
 * they post, obtain tokens (one of them only when her first vote needs them), vote, change and withdraw
 * votes, vote on a post of a trusted circle (`chanVote`), pin and confirm a pin, host an event anonymously
 * (EVT-10, a `chanPost` paid with a token) and answer it. Then:
 * - the Operator's store (a memory dump, the LMDB database read back and its files on disk, every Redis
 *   key) holds nothing that links an anonymous action to a comrade: every record that holds something of
 *   an anonymous action (a voter tag, a token nonce, an action digest, a pin) holds no name and no key, and
 *   the raw voter values, channel capabilities and tokens are held nowhere; the Operator's logs name no
 *   one next to one;
 * - the relay shows no connection that carries both a login and an anonymous action, nor one open at the
 *   same time as that client's logged-in connection.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PublicKey, toHex, utf8 } from '@comrad/core';
import { decodeRequest, verifyLookup } from '@comrad/core/wire';
import { createLogger, openStore, type Store } from '@comrad/operator';
import { main } from '../src/cli/program.js';
import { OperatorConnection } from '../src/transport/connection.js';
import { tempHome, startTestOperator } from '@comrad/test-kit/client-node/operator';
import { containsBytes, overlap, startRecordingRelay, type RecordedConnection } from '@comrad/test-kit/client-node/recording-relay';
import { startRedisServer } from '@comrad/test-kit/operator/redis';
import { testScope } from '@comrad/test-kit/client-node/scope';

const scope = testScope();
const pass = (name: string) => `${name}'s passphrase, long enough`;
/** The ops that are anonymous actions (TOK-10): paid with a token, or votes on a pin. */
const ANONYMOUS = new Set(['vote', 'chanVote', 'pinPut', 'pinVote']);
/** Ops that are anonymous actions when they carry a token (TOK-11, EVT-15). */
const PAYABLE = new Set(['send', 'chanPost']);

function cli(root: string, name: string) {
  return async (...args: string[]): Promise<string> => {
    let out = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['node', 'comrad', '--json', '--home', join(root, name), ...args], { COMRAD_PASSPHRASE: pass(name), NO_COLOR: '1' });
    } finally {
      process.stdout.write = write;
    }
    expect(code, `comrad ${args.join(' ')} as ${name}`).toBe(0);
    return out;
  };
}

async function openKind(kind: 'memory' | 'lmdb' | 'redis', dir: string): Promise<Store> {
  if (kind === 'memory') return openStore({ kind });
  if (kind === 'lmdb') return openStore({ kind, path: join(dir, 'store') });
  const redis = await startRedisServer();
  scope.defer(() => redis.stop());
  return openStore({ kind, url: redis.url, prefix: 'anon:' });
}

// Some forty CLI commands per backend: room for a busy machine.
describe.each(['memory', 'lmdb', 'redis'] as const)('TOK-13 VOTE-4 EVT-15 anonymity after votes, pins and an anonymous event by four comrades (%s)', { timeout: 150_000 }, (kind) => {
  it('the store, its files and the logs link no anonymous action to a comrade; no connection carries a login and an anonymous action', async () => {
    const root = await tempHome('comrad-anon-');
    scope.defer(() => root.remove());
    const store = await openKind(kind, root.dir);
    scope.defer(() => store.close());
    const logs: string[] = [];
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }) });
    const op = await scope.operator({ store, logger, tokens: { budget: 6 } });
    const relay = startRecordingRelay(op.url);
    scope.defer(() => relay.close());
    const names = ['alice_an', 'bob_an', 'carol_an', 'dave_an'];
    const as = Object.fromEntries(names.map((n) => [n, cli(root.dir, n)]));
    for (const n of names) {
      await as[n]!('operator', 'add', await relay.listen(n));
      await as[n]!('register', n);
    }
    const post1 = JSON.parse(await as['alice_an']!('post', 'first question')).id as string;
    const post2 = JSON.parse(await as['bob_an']!('post', 'second question')).id as string;
    // TOK-12: ahead of the actions — but carol does not: her first vote obtains her tokens on a login that
    // is closed before the vote's connection opens.
    for (const n of names.filter((x) => x !== 'carol_an')) await as[n]!('tokens');
    await as['bob_an']!('vote', post1, 'up');
    await as['carol_an']!('vote', post1, 'down');
    await as['dave_an']!('vote', post1, 'up');
    await as['alice_an']!('vote', post2, 'up');
    await as['carol_an']!('vote', post2, 'up');
    await as['carol_an']!('vote', post1, 'up'); // a change of mind
    await as['dave_an']!('vote', post1, 'none'); // a withdrawal
    // VOTE-7: votes on a trusted circle's post, by two of the three who can read it.
    await as['alice_an']!('trust', 'bob_an');
    await as['alice_an']!('trust', 'carol_an');
    await as['bob_an']!('inbox');
    await as['carol_an']!('inbox');
    await as['alice_an']!('post', '--to', 'trusted', 'for the circle');
    const trustedId = async (n: string) => (JSON.parse(await as[n]!('feed')) as { posts: Array<{ to: string; id: string }> }).posts.find((p) => p.to === 'trusted')!.id;
    const circlePost = await trustedId('bob_an');
    await as['bob_an']!('vote', circlePost, 'up');
    expect(await trustedId('carol_an')).toBe(circlePost);
    await as['carol_an']!('vote', circlePost, 'down');
    await as['bob_an']!('pin', '--lat', '52.5219', '--lon', '13.4132', '--kind', 'police', '--note', 'two vans');
    const pins = JSON.parse(await as['dave_an']!('pins', '--near', '52.52,13.405', '--radius', '2')) as { pins: Array<{ id: string }> };
    await as['dave_an']!('pin', 'confirm', pins.pins[0]!.id);
    // EVT-10, EVT-15: an event hosted anonymously, paid with a token; an answer through its one-time mailbox.
    await as['carol_an']!('event', 'create', '--title', 'Blockade at the port', '--when', '+1d/+4h', '--where', 'Gate 3', '--anonymous');
    const events = JSON.parse(await as['dave_an']!('events')) as { events: Array<{ id: string; title: string; host: string }> };
    const hosted = events.events.find((e) => e.title === 'Blockade at the port')!;
    expect(hosted.host).toBe('');
    await as['dave_an']!('event', 'rsvp', hosted.id, 'yes');
    const feed = JSON.parse(await as['alice_an']!('feed')) as { posts: Array<{ id: string; up: number; down: number }> };
    expect(feed.posts.find((p) => p.id === post1)).toMatchObject({ up: 2, down: 0 });
    expect(feed.posts.find((p) => p.id === post2)).toMatchObject({ up: 2, down: 0 });
    expect(feed.posts.find((p) => p.id === circlePost)).toMatchObject({ up: 1, down: 1 });
    await relay.settled();
    relay.resolve();

    // What the Operator saw of each anonymous action: its connection and its secrets-to-be-kept.
    const actions = relay.connections.flatMap((c) =>
      c.frames
        .filter((f) => f.dir === 'up' && f.op !== undefined && (ANONYMOUS.has(f.op) || PAYABLE.has(f.op)))
        .map((f) => ({ c, req: decodeRequest(f.bytes) }))
        .filter(({ req }) => ANONYMOUS.has(req.op) || (req.params as { token?: Uint8Array }).token !== undefined),
    );
    expect(actions.map((a) => a.req.op).sort()).toEqual(['chanPost', 'chanVote', 'chanVote', 'pinPut', 'pinVote', 'vote', 'vote', 'vote', 'vote', 'vote', 'vote', 'vote']);

    // 1. The relay: no anonymous action on a logged-in connection, nor on one open beside that client's login.
    const authed = relay.connections.filter((c) => c.frames.some((f) => f.dir === 'up' && f.op === 'auth'));
    expect(authed.length).toBeGreaterThan(0);
    for (const { c } of actions) {
      expect(c.frames.some((f) => f.op === 'auth'), `anonymous action on logged-in connection ${c.n}`).toBe(false);
      const beside = authed.filter((a: RecordedConnection) => a.origin === c.origin && overlap(a, c));
      expect(beside.map((a) => a.n), `anonymous action on connection ${c.n} while ${c.origin} was logged in`).toEqual([]);
    }

    // What names a comrade: names, registered keys (bytes and hex).
    const keys = await Promise.all(
      names.map(async (n) => {
        const conn = await OperatorConnection.open({ url: op.url });
        try {
          return verifyLookup((await conn.request('lookup', { name: n })).statement, op.keys.operator.publicKey, n).key;
        } finally {
          await conn.closed();
        }
      }),
    );
    const naming = [...names.map((n) => utf8(n)), ...keys.flatMap((k: PublicKey) => [k.bytes(), k.raw, utf8(k.toHex())])];
    // What belongs to an anonymous action: voter values and their tags, token nonces (raw and hex), tokens.
    const secret: Uint8Array[] = [];
    const traces: Uint8Array[] = [];
    for (const { req } of actions) {
      const p = req.params as { voter?: Uint8Array; token?: Uint8Array; cap?: Uint8Array };
      if (p.cap) secret.push(p.cap); // CHAN-1: the Operator keeps the channel id, never the capability
      if (p.voter) {
        secret.push(p.voter);
        traces.push(utf8(createHash('sha256').update(p.voter).digest('hex')));
      }
      if (p.token) {
        secret.push(p.token.subarray(66)); // the key id and signature: never kept
        traces.push(utf8(toHex(p.token.subarray(2, 34))), p.token.subarray(2, 34));
      }
    }
    expect(traces.length).toBeGreaterThanOrEqual(20);

    // 2. The store's records: whatever holds a trace holds no name or key; raw voter values and tokens nowhere.
    const records = (await store.dump()).map(([k, v]) => ({ key: k, bytes: new Uint8Array([...utf8(k), 0, ...(typeof v === 'string' ? utf8(v) : v)]) }));
    let withTrace = 0;
    for (const r of records) {
      if (!traces.some((t) => containsBytes(r.bytes, t))) continue;
      withTrace++;
      expect(naming.filter((n) => containsBytes(r.bytes, n)), `record ${r.key} holds an anonymous action and a name or key`).toEqual([]);
    }
    expect(withTrace).toBeGreaterThanOrEqual(9); // one burned nonce per paid action at least, and the vote tags
    for (const s of secret) expect(records.some((r) => containsBytes(r.bytes, s)), 'a raw voter value, capability or token is stored').toBe(false);
    // Pins hold no author (PIN-5): no record naming a pin's cell names a comrade.
    for (const r of records.filter((x) => containsBytes(x.bytes, utf8('u33dc')))) expect(naming.filter((n) => containsBytes(r.bytes, n))).toEqual([]);

    // 3. LMDB: the files on disk, as a seized disk shows them, hold no raw voter value or token either.
    if (kind === 'lmdb') {
      const dir = join(root.dir, 'store');
      for (const file of await readdir(dir)) {
        const bytes = new Uint8Array(await readFile(join(dir, file)));
        for (const s of secret) expect(containsBytes(bytes, s), `${file} holds a raw voter value or token`).toBe(false);
      }
    }

    // 4. The logs: no line holds a trace, and no line about a request names anyone.
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      const bytes = utf8(line);
      expect(traces.some((t) => containsBytes(bytes, t)), `log line holds an anonymous trace: ${line}`).toBe(false);
      expect(naming.some((n) => containsBytes(bytes, n)), `log line names a comrade: ${line}`).toBe(false);
    }
  });
});
