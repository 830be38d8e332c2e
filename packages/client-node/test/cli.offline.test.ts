/**
 * What works without the Operator, and what a mistyped `--home` leaves behind, with real processes:
 * `whoami` and `inbox --all` read the home alone (CLI-11), and no read-only command creates a home
 * (CLI-12, NO_HOME).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { comrad, comradAs, requireBuild, startOperatorProcess, type CliResult, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';

let root: { dir: string; remove(): Promise<void> };
let op: OperatorProcess | undefined;
const pass = (name: string) => `${name} passphrase`;
const as = comradAs((name) => join(root.dir, name), pass);

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-offline-');
  op = await startOperatorProcess(join(root.dir, 'operator'), 0, ['--store', 'memory']);
  for (const name of ['alice', 'bob']) {
    expect((await as(name)('operator', 'add', op.url, '--key', op.operatorKey)).code).toBe(0);
    expect((await as(name)('register', name)).code).toBe(0);
  }
  expect((await as('alice')('send', 'bob', 'read me offline')).code).toBe(0);
  expect((await as('bob')('inbox')).stdout).toContain('read me offline');
  // From here on, there is no Operator.
  await op.stop();
  op = undefined;
}, 60_000);

afterAll(async () => {
  await op?.stop();
  await root?.remove();
});

describe('offline (processes)', () => {
  it('CLI-11 whoami and inbox --all work with the Operator down', async () => {
    // The Operator is really gone: what needs it says so (exit 3).
    expect((await as('bob')('--timeout', '2', 'inbox')).code).toBe(3);

    const who = await as('bob')('whoami');
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toContain('@bob');
    const json = JSON.parse((await as('bob')('--json', 'whoami')).stdout) as { name: string; operatorFingerprint: string };
    expect(json.name).toBe('bob');
    expect(json.operatorFingerprint).toMatch(/\S/);

    const all = await as('bob')('inbox', '--all');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('read me offline');
    const allJson = JSON.parse((await as('bob')('--json', 'inbox', '--all')).stdout) as { letters: { from: string; text: string }[] };
    expect(allJson.letters).toEqual([expect.objectContaining({ from: 'alice', text: 'read me offline' })]);

    // Alice has no letters: said plainly, still offline.
    const none = await as('alice')('inbox', '--all');
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No letters.');
  });

  it('CLI-12 CLI-5 no command that only reads creates a home where there is none (a mistyped --home)', async () => {
    const commands = [
      ['whoami'],
      ['inbox'],
      ['inbox', '--all'],
      ['inbox', '--follow'],
      ['feed'],
      ['feed', '--follow'],
      ['whois', 'alice'],
      ['profile', 'alice'],
      ['profile', 'set', '--name', 'Alice'],
      ['operator', 'list'],
      ['send', 'alice', 'hello'],
      ['post', 'hello'],
      ['delete', 'x'],
      ['trust', 'alice'],
      ['untrust', 'alice'],
      ['trusted'],
    ];
    for (const [i, cmd] of commands.entries()) {
      const home = join(root.dir, `typo-${i}`);
      const r = await comrad(['--home', home, '--timeout', '2', ...cmd], { COMRAD_PASSPHRASE: pass('bob') });
      expect(r.code, `${cmd.join(' ')}: ${r.stderr}`).not.toBe(0);
      expect(r.stderr, cmd.join(' ')).toContain('NO_HOME');
      expect(existsSync(home), `${cmd.join(' ')} created ${home}`).toBe(false);
    }
  }, 60_000);
});
