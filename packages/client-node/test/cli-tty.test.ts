/**
 * The passphrase typed on a real terminal (a pseudo-terminal made by `script`), as a person would:
 * prompted on the terminal, never echoed (CLI-2).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { COMRAD_BIN, requireBuild } from '@comrad/test-kit/client-node/processes';
import { startTestOperator, tempHome, type TestOperator } from '@comrad/test-kit/client-node/operator';

const SECRET = 'tty-typed-secret-4711';
let op: TestOperator | undefined;
afterAll(async () => op?.stop());

/** Runs `comrad ARGS` on a pseudo-terminal; types `lines` each time the prompt appears. */
function onTerminal(args: string[], answers: string[]): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, COMRAD_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', COMRAD_PASSPHRASE: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let prompts = 0;
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    // Type only once the prompt is there: by then the terminal is in raw mode, so nothing echoes.
    while ((screen.match(/Passphrase( again)?: /g)?.length ?? 0) > prompts && prompts < answers.length) {
      child.stdin.write(`${answers[prompts++]}\r`);
    }
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

describe('passphrase on a terminal (CLI-2, CLI-5)', () => {
  it('CLI-2 CLI-5 init asks twice without echo and warns that a lost passphrase loses the name; later commands ask once; a mismatch is a usage error', async () => {
    requireBuild();
    op = await startTestOperator();
    const { dir } = await tempHome();
    const home = join(dir, 'alice');
    const mismatch = await onTerminal(['--home', home, 'init'], [SECRET, 'something else']);
    expect(mismatch.code).toBe(2);
    expect(mismatch.screen).toContain('the two passphrases differ');
    const init = await onTerminal(['--home', home, 'init'], [SECRET, SECRET]);
    expect(init.screen).toContain('Passphrase: ');
    expect(init.screen).toContain('Passphrase again: ');
    expect(init.screen).toContain('your name is lost with it');
    expect(init.screen).toContain('Home ready');
    expect(init.code).toBe(0);
    const add = await onTerminal(['--home', home, 'operator', 'add', op.url], [SECRET]);
    expect(add.code).toBe(0);
    const reg = await onTerminal(['--home', home, 'register', 'alice'], [SECRET]);
    expect(reg.screen).not.toContain('Passphrase again: ');
    expect(reg.screen).toContain('Registered @alice');
    expect(reg.code).toBe(0);
    const who = await onTerminal(['--home', home, 'whoami'], [SECRET]);
    expect(who.code).toBe(0);
    expect(who.screen).toContain('@alice');
    for (const s of [mismatch.screen, init.screen, add.screen, reg.screen, who.screen]) expect(s).not.toContain(SECRET);
  });
});
