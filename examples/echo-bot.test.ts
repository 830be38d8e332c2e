/**
 * examples/echo-bot.mjs, run as a process against a real Operator: a letter to the bot comes back,
 * signed by the bot and verified by the sender.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ready } from '@comrad/core';
import { loadOrCreateKeys, openStore, startOperator } from '@comrad/operator';
import { Comrade } from '@comrad/client-node';
import { COMRAD_BIN } from '@comrad/test-kit/processes';

const BOT = fileURLToPath(new URL('./echo-bot.mjs', import.meta.url));
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
  // Two registrations at the default proof of work (REG-6): seconds each on a busy machine.
  it('answers a letter with a signed, verifiable echo', { timeout: 120_000 }, async () => {
    await ready();
    const dir = await mkdtemp(join(tmpdir(), 'comrad-bot-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const { keys, publicInfo } = await loadOrCreateKeys({ dataDir: join(dir, 'op'), env: { COMRAD_OPERATOR_PASSPHRASE: 'bot test operator' } });
    const store = await openStore({ kind: 'memory' });
    const op = await startOperator({ store, keys, host: '127.0.0.1', port: 0 });
    cleanup.push(() => op.close());
    const entry = { name: 'test', url: op.url, key: publicInfo.operatorKey };

    // The bot's home knows the Operator, set up as a person would: `comrad operator add URL --key FP`.
    const botHome = join(dir, 'bot');
    // (Asynchronously: the Operator runs in this process and must keep answering.)
    // The home is sealed under the bot's passphrase (HOME-4): `operator add` sets it up with it.
    const add = await run([COMRAD_BIN, '--home', botHome, 'operator', 'add', op.url, '--key', publicInfo.fingerprint, '--name', 'test'], { COMRAD_PASSPHRASE: 'the bot passphrase' });
    expect(add.code, add.stderr).toBe(0);

    const child: ChildProcess = spawn(process.execPath, [BOT, '--home', botHome, '--operator', 'test', '--register', 'echo_bot'], {
      env: { ...process.env, COMRAD_PASSPHRASE: 'the bot passphrase' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanup.push(async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout! });
    const readyLine = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`bot exited ${code}: ${stderr}`)));
      lines.once('line', resolve);
    });
    expect(readyLine).toMatch(/^echo bot @echo_bot ready/);

    const alice = await Comrade.connect({ home: join(dir, 'alice'), operator: entry });
    cleanup.push(() => alice.close());
    await alice.register('alice', 'alice passphrase here');
    await alice.send('echo_bot', 'is anyone there?');
    let reply: { from: string; text: string } | undefined;
    for (let i = 0; i < 100 && !reply; i++) {
      reply = (await alice.inbox()).received[0];
      if (!reply) await new Promise((r) => setTimeout(r, 100));
    }
    expect(reply?.from).toBe('echo_bot');
    expect(reply?.text).toBe('echo: is anyone there?');
    expect(stderr).toBe('');
  });
});
