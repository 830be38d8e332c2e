/**
 * What `comrad` takes in and gives back, with real processes against a real `comrad-op`: times in
 * `--json` in one unit and errors in one form (CLI-9).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { comrad, requireBuild, startOperatorProcess, type CliResult, type OperatorProcess } from './helpers/processes.js';
import { tempHome } from './helpers/operator.js';

let root: { dir: string; remove(): Promise<void> };
let op: OperatorProcess;
const pass = (name: string) => `${name} passphrase`;
const as =
  (name: string) =>
  (...args: string[]): Promise<CliResult> =>
    comrad(['--home', join(root.dir, name), ...args], { COMRAD_PASSPHRASE: pass(name) });

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-input-');
  op = await startOperatorProcess(join(root.dir, 'operator'), 0, ['--store', 'memory']);
  for (const name of ['alice', 'bob']) {
    expect((await as(name)('operator', 'add', op.url, '--key', op.operatorKey)).code).toBe(0);
    expect((await as(name)('register', name)).code).toBe(0);
  }
});

afterAll(async () => {
  await op?.stop();
  await root?.remove();
});

describe('comrad input and output (processes)', () => {
  it('CLI-9 every time in --json is whole seconds since the epoch: post, feed, inbox', async () => {
    const now = Math.floor(Date.now() / 1000);
    const near = (t: unknown, from: number, to: number) => typeof t === 'number' && Number.isInteger(t) && t >= from && t <= to;
    const posted = await as('alice')('--json', 'post', 'a post', '--expires', '2d');
    expect(posted.code).toBe(0);
    const p = JSON.parse(posted.stdout) as { expiresAt: number };
    expect(near(p.expiresAt, now + 2 * 86_400 - 60, now + 2 * 86_400 + 120)).toBe(true);
    const feed = JSON.parse((await as('bob')('--json', 'feed')).stdout) as { posts: { at: number; postedAt: number; expiresAt: number }[] };
    const [first] = feed.posts;
    expect(near(first?.at, now - 60, now + 120) && near(first?.postedAt, now - 60, now + 120)).toBe(true);
    expect(first?.expiresAt).toBe(p.expiresAt);
    expect((await as('alice')('send', 'bob', 'a letter')).code).toBe(0);
    const inbox = JSON.parse((await as('bob')('--json', 'inbox')).stdout) as { letters: { at: number }[] };
    expect(near(inbox.letters[0]?.at, now - 60, now + 120)).toBe(true);
  });

  it('CLI-9 an error is one line `comrad: error: … [CODE]`, or with --json one object on stderr', async () => {
    const human = await as('alice')('delete', 'no-such-post');
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^comrad: error: .+ \[[A-Z_]+\]\n$/);
    const json = await as('alice')('--json', 'delete', 'no-such-post');
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stderr) as { error: { code: string; message: string } };
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(human.stderr).toContain(`[${parsed.error.code}]`);
  });
});
