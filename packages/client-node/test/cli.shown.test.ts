/**
 * What `comrad` shows, with real processes against a real `comrad-op`: each letter once however
 * `inbox` is killed (MAIL-5: the one repeat is a letter printed in the instant before its mark), a replayed letter never new twice (LET-8), and a post at its author's
 * signed time (LET-7), not the Operator's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PublicKey, fromHex } from '@comrad/core';
import { createLetter, sealLetter } from '@comrad/core/envelope';
import { Comrade } from '../src/comrade/comrade.js';
import { SealedHome } from '../src/home/sealed-home.js';
import { homePaths } from '../src/home/home.js';
import { OperatorConnection } from '../src/transport/connection.js';
import { comrad, comradAs, requireBuild, startComrad, startOperatorProcess, type CliResult, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';

let root: { dir: string; remove(): Promise<void> };
let op: OperatorProcess;
const pass = (name: string) => `${name} passphrase`;
const as = comradAs((name) => join(root.dir, name), pass);

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-shown-');
  // Small pages, so a kill can land between pages as well as within one.
  op = await startOperatorProcess(join(root.dir, 'operator'), 0, ['--store', 'memory', '--limit', 'fetchItems=3']);
  for (const name of ['alice', 'bob', 'carol']) {
    expect((await as(name)('operator', 'add', op.url, '--key', op.operatorKey)).code).toBe(0);
    expect((await as(name)('register', name)).code).toBe(0);
  }
});

afterAll(async () => {
  await op?.stop();
  await root?.remove();
});

/** Runs `use` as a logged-in library comrade in `name`'s home. */
async function asLibrary<T>(name: string, use: (c: Comrade) => Promise<T>): Promise<T> {
  const c = await Comrade.connect({ home: join(root.dir, name), passphrase: pass(name) });
  try {
    await c.login(pass(name));
    return await use(c);
  } finally {
    await c.close();
  }
}

/** How many times each letter body line `letter N` was shown, over every output. */
function shownCounts(outputs: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const out of outputs) {
    for (const m of out.matchAll(/^ {2}(letter \d+)$/gm)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  }
  return counts;
}

describe('what is shown (processes)', () => {
  it('MAIL-5 MB-3 inbox killed (-9) at random moments while letters arrive: every letter shown once, but the one a kill catches between its printing and its mark', async () => {
    const N = 30;
    const BURST = 6;
    const outputs: string[] = [];
    const kills: string[] = [];
    // MAIL-5 allows one repeat per kill: the letter a killed run printed last, in the instant before its mark.
    const lastOfKilled = new Set<string>();
    let sending = true;
    const sender = asLibrary('alice', async (alice) => {
      for (let i = 0; i < N; i++) {
        await alice.send('bob', `letter ${i}`);
        if (i % BURST === BURST - 1) await sleep(2000);
      }
    }).finally(() => (sending = false));
    // Bob reads again and again, each run killed at a random moment: every other run at any time (while
    // unlocking, fetching, storing, acknowledging or printing), the others a few ms after a letter file
    // appears in his mail folder, in the middle of a page.
    const mail = homePaths(join(root.dir, 'bob')).mail;
    // How long a run takes when left alone: timed kills fall within it, however slow the machine is.
    let typical = 2000;
    const started = Date.now();
    for (let run = 0; sending || (kills.length < 4 && Date.now() - started < 45_000); run++) {
      const t0 = Date.now();
      const child = startComrad(['--home', join(root.dir, 'bob'), 'inbox'], { COMRAD_PASSPHRASE: pass('bob') });
      const kill = (why: string) => {
        if (child.child.exitCode === null && child.child.signalCode === null && child.child.kill('SIGKILL')) kills.push(why);
      };
      let timer: NodeJS.Timeout | undefined;
      let watcher: FSWatcher | undefined;
      if (run % 2 === 0) {
        const after = Math.floor(typical * (0.3 + 0.7 * Math.random()));
        timer = setTimeout(() => kill(`${after} ms`), after);
      } else {
        const extra = Math.floor(Math.random() * 100);
        watcher = watch(mail, () => {
          watcher?.close();
          timer = setTimeout(() => kill(`store+${extra} ms`), extra);
        });
      }
      const r = await child.done;
      clearTimeout(timer);
      watcher?.close();
      if (r.signal !== 'SIGKILL') {
        expect(r.code, r.stderr).toBe(0);
        typical = Date.now() - t0;
      } else {
        const last = [...r.stdout.matchAll(/^ {2}(letter \d+)$/gm)].at(-1)?.[1];
        if (last) lastOfKilled.add(last);
      }
      outputs.push(r.stdout);
    }
    await sender;
    const last = await as('bob')('inbox');
    expect(last.code, last.stderr).toBe(0);
    outputs.push(last.stdout);
    const again = await as('bob')('inbox');
    expect(again.stdout).toContain('No new letters.');
    outputs.push(again.stdout);

    const counts = shownCounts(outputs);
    // Every letter shown; once, or twice when a killed run printed it last and died before marking it.
    const repeated = [...counts].filter(([, n]) => n === 2).map(([l]) => l);
    const expected = new Map(Array.from({ length: N }, (_, i) => [`letter ${i}`, repeated.includes(`letter ${i}`) ? 2 : 1]));
    expect(counts, `kills: ${kills.join(', ')}`).toEqual(expected);
    for (const l of repeated) expect(lastOfKilled, `${l} shown twice, but no killed run printed it last`).toContain(l);
    expect(outputs.join('').match(/^From @alice /gm)).toHaveLength(N + repeated.length);
    expect(kills.length).toBeGreaterThan(2);
    const all = JSON.parse((await as('bob')('--json', 'inbox', '--all')).stdout);
    expect(all.letters).toHaveLength(N);
  }, 90_000);

  it('LET-8 MAIL-5 the same sealed letter sent again, or the same signed letter sealed again, is shown once', async () => {
    const aliceHome = await SealedHome.unlock(join(root.dir, 'alice'), pass('alice'));
    const alice = await aliceHome.identity();
    aliceHome.wipe();
    const carolKey = PublicKey.from(fromHex(JSON.parse((await as('carol')('--json', 'whoami')).stdout).key));
    const letter = createLetter({ kind: 'dm', from: 'alice', to: 'carol', body: { text: 'only once' } });
    const oneShot = async <T>(use: (conn: OperatorConnection) => Promise<T>): Promise<T> => {
      const conn = await OperatorConnection.open({ url: op.url });
      try {
        return await use(conn);
      } finally {
        await conn.closed();
      }
    };
    // alice's registry statement, which her letters carry (SEAL-1)
    const { statement } = await oneShot((conn) => conn.request('lookup', { name: 'alice' }));
    const sealed = sealLetter(letter, alice.keys, carolKey, statement);
    const resealed = sealLetter(letter, alice.keys, carolKey, statement);
    expect(resealed).not.toEqual(sealed);
    const send = (bytes: Uint8Array) => oneShot((conn) => conn.request('send', { to: 'carol', letter: bytes }));
    // Delivered twice before carol reads: one letter.
    await send(sealed);
    await send(sealed);
    const first = await as('carol')('inbox');
    expect(first.stdout.match(/^ {2}only once$/gm)).toHaveLength(1);
    // Replayed after she read it, as it was and re-sealed: not new again.
    await send(sealed);
    await send(resealed);
    const replayed = await as('carol')('--json', 'inbox');
    expect(JSON.parse(replayed.stdout)).toMatchObject({ letters: [], new: 0, duplicates: 2 });
    expect((await as('carol')('inbox')).stdout).toContain('No new letters.');
  }, 60_000);

  it('LET-7 the feed shows the time the author signed, not the time the Operator chose', async () => {
    const now = Date.now();
    // Four minutes off: within the Operator's tolerance for logging in (AUTH-4) and within the same UTC
    // day (the post's world epoch, FEED-1), yet another minute than the Operator's.
    const shift = now % 86_400_000 > 5 * 60_000 ? -4 * 60_000 : 4 * 60_000;
    const written = now + shift;
    const c = await Comrade.connect({ home: join(root.dir, 'alice'), passphrase: pass('alice'), now: () => written });
    try {
      await c.login(pass('alice'));
      await c.post('written earlier');
    } finally {
      await c.close();
    }
    const minute = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
    const r = await as('bob')('feed');
    expect(r.code, r.stderr).toBe(0);
    const header = r.stdout.split('\n').find((l) => l.startsWith('@alice'))!;
    expect(header).toContain(minute(written));
    expect(header).not.toContain(minute(now));
    const json = JSON.parse((await as('bob')('--json', 'feed')).stdout);
    expect(json.posts[0].at).toBe(Math.floor(written / 1000));
  });
});
