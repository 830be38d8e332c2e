/**
 * What `comrad` takes in and gives back, with real processes against a real `comrad-op`: times in
 * `--json` in one unit and errors in one form (CLI-9); the text of letters and posts from an argument,
 * standard input or a file, checked in the words of the thing written (CLI-13).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMRAD_BIN, comrad, comradAs, requireBuild, startOperatorProcess, type CliResult, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';

let root: { dir: string; remove(): Promise<void> };
let op: OperatorProcess;
const pass = (name: string) => `${name} passphrase`;
const as = comradAs((name) => join(root.dir, name), pass);

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

describe('the text of letters and posts (processes)', () => {
  /** Runs comrad as `name` with `input` on its standard input. */
  const piped = (name: string, input: string, ...args: string[]) =>
    new Promise<CliResult>((done) => {
      const child = spawn(process.execPath, [COMRAD_BIN, '--home', join(root.dir, name), ...args], {
        env: { ...process.env, NO_COLOR: '1', COMRAD_PASSPHRASE: pass(name) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
      child.stdin.end(input);
    });

  it('CLI-13 `send bob -` reads standard input, `post --file` a file; one final line break dropped', async () => {
    expect((await piped('alice', 'from stdin\nsecond line\n', 'send', 'bob', '-')).code).toBe(0);
    const inbox = JSON.parse((await as('bob')('--json', 'inbox')).stdout) as { letters: { text: string }[] };
    expect(inbox.letters.map((l) => l.text)).toEqual(['from stdin\nsecond line']);
    const note = join(root.dir, 'note.txt');
    await writeFile(note, 'a post from a file\n');
    const posted = await as('alice')('--json', 'post', '--file', note);
    expect(posted.code).toBe(0);
    const feed = JSON.parse((await as('bob')('--json', 'feed')).stdout) as { posts: { id: string; text: string }[] };
    expect(feed.posts[0]).toMatchObject({ id: (JSON.parse(posted.stdout) as { id: string }).id, text: 'a post from a file' });
  });

  it('CLI-13 empty or over-long text is a usage error in the words of the thing written; nothing is sent', async () => {
    const empty = await piped('alice', '\n', 'send', 'bob', '-');
    expect([empty.code, empty.stderr]).toEqual([2, 'comrad: error: the letter is empty: there is nothing to send [EMPTY_TEXT]\n']);
    const none = await as('alice')('post');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^comrad: error: no post text: .* \[EMPTY_TEXT\]\n$/);
    const long = await as('alice')('post', 'é'.repeat(1001));
    expect([long.code, long.stderr]).toEqual([2, 'comrad: error: a post is at most 1000 characters; this one has 1001 [TEXT_TOO_LONG]\n']);
    const longLetter = await piped('alice', 'x'.repeat(1001), 'send', 'bob', '-');
    expect([longLetter.code, longLetter.stderr]).toEqual([2, 'comrad: error: a letter is at most 1000 characters; this one has 1001 [TEXT_TOO_LONG]\n']);
    const both = await as('alice')('post', 'text', '--file', join(root.dir, 'note.txt'));
    expect(both.code).toBe(2);
    // At exactly the limit it goes through.
    expect((await as('alice')('send', 'bob', 'é'.repeat(1000))).code).toBe(0);
    const inbox = JSON.parse((await as('bob')('--json', 'inbox')).stdout) as { letters: { text: string }[] };
    expect(inbox.letters.map((l) => [...l.text].length)).toEqual([1000]);
    const help = await comrad(['post', '--help']);
    expect(help.stdout.replace(/\s+/g, " ")).toContain("TEXT is at most 1000 characters");
  });

  it('CLI-13 errors name the thing: an unknown name, a malformed --key', async () => {
    const nobody = await as('alice')('send', 'nobody', 'hello');
    expect([nobody.code, nobody.stderr]).toEqual([1, 'comrad: error: @nobody is not registered at this Operator (the Operator says: not registered) [NOT_FOUND]\n']);
    const whois = await as('alice')('whois', 'nobody');
    expect(whois.stderr).toBe('comrad: error: @nobody is not registered at this Operator (the Operator says: not registered) [NOT_FOUND]\n');
    for (const key of ['not-a-key', 'abcd', op.fingerprint.replace(/-/g, '')]) {
      const bad = await as('carol')('operator', 'add', op.url, '--key', key);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^comrad: error: --key is malformed: .* \[BAD_KEY\]\n$/);
    }
    // Nothing was created for carol by a malformed key.
    expect(existsSync(join(root.dir, 'carol'))).toBe(false);
    expect((await as('carol')('operator', 'add', op.url, '--key', op.fingerprint)).code).toBe(0);
  });
});

describe('a key pinned on first contact (processes)', () => {
  it('CLI-15 sending to, or hearing from, a new comrade says their key was pinned and how to compare it; once', async () => {
    const dave = as('dave');
    expect((await dave('operator', 'add', op.url, '--key', op.operatorKey)).code).toBe(0);
    expect((await dave('register', 'dave')).code).toBe(0);
    const bobFp = (JSON.parse((await as('bob')('--json', 'whoami')).stdout) as { fingerprint: string }).fingerprint;
    const first = await dave('send', 'bob', 'hello bob');
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`warning: pinned @bob's key on first contact, fingerprint ${bobFp}: compare this fingerprint in person: \`comrad whois bob --qr\``);
    const again = await dave('send', 'bob', 'hello again');
    expect(again.stderr).not.toContain('pinned');
    const daveFp = (JSON.parse((await dave('--json', 'whoami')).stdout) as { fingerprint: string }).fingerprint;
    const inbox = await as('bob')('inbox');
    expect(inbox.code).toBe(0);
    expect(inbox.stderr).toContain(`pinned @dave's key on first contact, fingerprint ${daveFp}: compare this fingerprint in person: \`comrad whois dave --qr\``);
  });
});

describe('contacts and Operators, locally (processes)', () => {
  it('CLI-14 operator use / remove change only the local list; the default cannot be removed', async () => {
    expect((await as('alice')('operator', 'add', op.url, '--key', op.operatorKey, '--name', 'second')).code).toBe(0);
    const list = async () => JSON.parse((await as('alice')('--json', 'operator', 'list')).stdout) as { default: string; operators: { name: string }[] };
    expect((await list()).default).toBe('second');
    const refused = await as('alice')('operator', 'remove', 'second');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/"second" is the default Operator/);
    expect((await as('alice')('operator', 'use', 'default')).code).toBe(0);
    expect((await list()).default).toBe('default');
    expect((await as('alice')('operator', 'remove', 'second')).code).toBe(0);
    expect((await list()).operators.map((o) => o.name)).toEqual(['default']);
    const unknown = await as('alice')('operator', 'use', 'nosuch');
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/\[UNKNOWN_OPERATOR\]\n$/)]);
  });

  it('CLI-14 CLI-11 CLI-12 contacts lists pinned keys from the home alone: with the Operator down, and creating no home', async () => {
    const whois = await as('alice')('--json', 'whois', 'bob');
    const bobFp = (JSON.parse(whois.stdout) as { fingerprint: string }).fingerprint;
    const none = await as('nohome')('contacts');
    expect(none.code).toBe(2);
    expect(existsSync(join(root.dir, 'nohome'))).toBe(false);
    await op.stop();
    const listed = await as('alice')('--json', 'contacts');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { contacts: { name: string; fingerprint: string }[] }).contacts.map((c) => [c.name, c.fingerprint])).toEqual([['bob', bobFp]]);
    const human = await as('alice')('contacts');
    expect(human.stdout).toBe(`@bob ${bobFp}\n`);
  });
});
