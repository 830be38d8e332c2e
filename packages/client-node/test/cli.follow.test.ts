/**
 * `--follow` (CLI-10), with real processes against a real `comrad-op`: `comrad inbox --follow` shows letters
 * sent by another `comrad` as they arrive, each once (MAIL-5), keeps doing so after the Operator was
 * stopped and started again on the same port and data, and leaves with exit 0 on Ctrl-C; `feed --follow`
 * shows new posts as its checks find them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { comrad, requireBuild, restartablePort, startComrad, startOperatorProcess, type CliResult, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';

let root: { dir: string; remove(): Promise<void> };
let op: OperatorProcess;
const pass = (name: string) => `${name} passphrase`;
const args = (name: string, ...rest: string[]) => ['--home', join(root.dir, name), ...rest];
const env = (name: string) => ({ COMRAD_PASSPHRASE: pass(name) });
const as =
  (name: string) =>
  (...rest: string[]): Promise<CliResult> =>
    comrad(args(name, ...rest), env(name));

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-follow-');
  // A store on disk: the Operator is stopped and started again on it.
  // Restarted at the same address below: a port no server of another test is given meanwhile.
  op = await startOperatorProcess(join(root.dir, 'operator'), await restartablePort());
  // Two homes, set up side by side; four `comrad` runs in a row took more than a minute on a busy machine.
  await Promise.all(
    ['alice', 'bob'].map(async (name) => {
      expect((await as(name)('operator', 'add', op.url, '--key', op.operatorKey)).code).toBe(0);
      expect((await as(name)('register', name)).code).toBe(0);
    }),
  );
}, 120_000);

afterAll(async () => {
  await op?.stop();
  await root?.remove();
});

/** A long-running `comrad` whose output can be waited on while it runs. */
function follower(name: string, ...rest: string[]) {
  const { child, done } = startComrad(args(name, ...rest), env(name));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const until = async (what: string, test: () => boolean, ms = 15_000) => {
    const start = Date.now();
    while (!test()) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`comrad exited while waiting for ${what}\n${stdout}\n${stderr}`);
      if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}\nstdout: ${stdout}\nstderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    child: child as ChildProcess,
    done,
    get stdout() {
      return stdout;
    },
    /** Waits until stdout holds `text`. */
    out: (text: string, ms?: number) => until(`stdout ${text}`, () => stdout.includes(text), ms),
    /** Waits until stderr holds `text`. */
    err: (text: string, ms?: number) => until(`stderr ${text}`, () => stderr.includes(text), ms),
  };
}

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

describe('--follow (processes)', () => {
  it('CLI-10 MAIL-5 inbox --follow shows letters as they arrive, survives an Operator restart, exits 0 on SIGINT', async () => {
    expect((await as('alice')('send', 'bob', 'before following')).code).toBe(0);
    const bob = follower('bob', 'inbox', '--follow');
    // What was waiting is shown at once; what comes next, as it arrives.
    await bob.out('before following');
    await bob.err('waiting for letters');
    expect((await as('alice')('send', 'bob', 'while following')).code).toBe(0);
    await bob.out('while following');

    // The Operator goes away and comes back on the same port and data.
    const port = op.port;
    await op.stop();
    await bob.err('reconnecting');
    op = await startOperatorProcess(join(root.dir, 'operator'), port);
    await bob.err('connected to the Operator again', 20_000);
    expect((await as('alice')('send', 'bob', 'after the restart')).code).toBe(0);
    await bob.out('after the restart');

    bob.child.kill('SIGINT');
    const res = await bob.done;
    expect(res.signal).toBeNull();
    expect(res.code).toBe(0);
    for (const t of ['before following', 'while following', 'after the restart']) expect(count(res.stdout, t)).toBe(1);
    // MAIL-5: shown by the follower, so never new again.
    const again = await as('bob')('inbox');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No new letters.');
  }, 45_000);

  it('CLI-10 inbox --follow --json streams one JSON object per line', async () => {
    const bob = follower('bob', '--json', 'inbox', '--follow');
    // Nothing is waiting: the follower is connected once a letter sent now reaches it.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await as('alice')('send', 'bob', 'json one')).code).toBe(0);
    await bob.out('json one');
    expect((await as('alice')('send', 'bob', 'json two')).code).toBe(0);
    await bob.out('json two');
    bob.child.kill('SIGINT');
    const res = await bob.done;
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; from: string; text: string; verified: boolean });
    expect(lines.map((l) => [l.type, l.from, l.text, l.verified])).toEqual([
      ['letter', 'alice', 'json one', true],
      ['letter', 'alice', 'json two', true],
    ]);
  }, 30_000);

  it('CLI-10 feed --follow shows posts not shown yet, oldest first, and exits 0 on SIGINT', async () => {
    expect((await as('alice')('post', 'first post')).code).toBe(0);
    const bob = follower('bob', 'feed', '--follow', '--interval', '1');
    await bob.out('first post');
    await bob.err('checking every 1 s');
    expect((await as('alice')('post', 'second post')).code).toBe(0);
    expect((await as('alice')('post', 'third post')).code).toBe(0);
    await bob.out('third post');
    bob.child.kill('SIGINT');
    const res = await bob.done;
    expect(res.code).toBe(0);
    for (const t of ['first post', 'second post', 'third post']) expect(count(res.stdout, t)).toBe(1);
    expect(res.stdout.indexOf('second post')).toBeLessThan(res.stdout.indexOf('third post'));
  }, 30_000);

  it('CLI-10 --follow refuses what it cannot mean', async () => {
    expect((await as('bob')('inbox', '--follow', '--all')).code).toBe(2);
    expect((await as('bob')('feed', '--follow', '--before', 'x')).code).toBe(2);
    expect((await as('bob')('feed', '--interval', '5')).code).toBe(2);
  });
});
