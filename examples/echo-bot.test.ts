/**
 * examples/echo-bot.mjs, the README's "Write a bot in 30 lines": the README shows the file as it is, it
 * has at most 30 lines of code, and run as a process against a real `comrad-op` (the built bin, on a free
 * port) it answers a letter with a signed echo that the sender verifies, and stops cleanly on SIGTERM.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Comrade } from '@comrad/client-node';
import { COMRAD_BIN, requireBuild, spawnOperator } from '@comrad/test-kit/processes';

const BOT = fileURLToPath(new URL('./echo-bot.mjs', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe('examples/echo-bot.mjs', () => {
  it('is what the README shows under "Write a bot in 30 lines", in at most 30 lines of code', () => {
    const bot = readFileSync(BOT, 'utf8');
    const readme = readFileSync(README, 'utf8');
    const section = readme.slice(readme.indexOf('\n## Write a bot in 30 lines'));
    expect(section.length, 'README has a "## Write a bot in 30 lines" section').toBeLessThan(readme.length);
    expect(/```js\n([\s\S]*?)```/.exec(section)?.[1]).toBe(bot);
    const code = bot.split('\n').filter((l) => l.trim() !== '' && !/^\s*(\/\/|#!)/.test(l));
    expect(code.length).toBeLessThanOrEqual(30);
  });

  it('answers a letter with a signed, verifiable echo, against a real comrad-op', { timeout: 120_000 }, async () => {
    requireBuild();
    const dir = await mkdtemp(join(tmpdir(), 'comrad-bot-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const operator = spawnOperator(['--data', join(dir, 'op'), '--port', '0', '--store', 'memory', '--json', '--log', join(dir, 'op.log')]);
    cleanup.push(async () => {
      operator.child.kill('SIGTERM');
      await operator.exited;
    });
    const op = (await operator.started) as { url: string; operatorKey: string; fingerprint: string };

    // The bot's home knows the Operator, set up as a person would: `comrad operator add URL --key FP`,
    // sealed under the bot's passphrase (HOME-4).
    const botHome = join(dir, 'bot');
    const add = await run([COMRAD_BIN, '--home', botHome, 'operator', 'add', op.url, '--key', op.fingerprint, '--name', 'test'], { COMRAD_PASSPHRASE: 'the bot passphrase' });
    expect(add.code, add.stderr).toBe(0);

    const child: ChildProcess = spawn(process.execPath, [BOT, '--home', botHome, '--operator', 'test', '--register', 'echo_bot'], {
      env: { ...process.env, COMRAD_PASSPHRASE: 'the bot passphrase' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanup.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout! });
    const readyLine = await new Promise<string>((resolve, reject) => {
      void exited.then((code) => reject(new Error(`bot exited ${code}: ${stderr}`)));
      lines.once('line', resolve);
    });
    expect(readyLine).toMatch(/^echo bot @echo_bot ready \(key [0-9a-z]{4}(-[0-9a-z]{4}){7}\)$/);

    const alice = await Comrade.connect({ home: join(dir, 'alice'), operator: { name: 'test', url: op.url } });
    cleanup.push(() => alice.close());
    await alice.register('alice', 'alice passphrase here');
    await alice.send('echo_bot', 'is anyone there?');
    let reply: { from: string; text: string; authorFingerprint: string } | undefined;
    for (let i = 0; i < 200 && !reply; i++) {
      reply = (await alice.inbox()).received[0];
      if (!reply) await new Promise((r) => setTimeout(r, 100));
    }
    // Verified by alice's client against the bot's registered key (SEAL-6): the bot really answered.
    expect(reply?.from).toBe('echo_bot');
    expect(reply?.text).toBe('echo: is anyone there?');
    expect(readyLine).toContain(reply!.authorFingerprint);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });
});
