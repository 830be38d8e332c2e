/**
 * The real `comrad-op` process from the built package, over loopback (KEYS-*, OP-*, LOG-1): start, serve,
 * SIGTERM → exit 0, restart on the same LMDB data, `comrad-op key`, and a wrong passphrase.
 * `npm test` builds first; run alone, this file builds core and operator if `dist/cli.js` is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PublicKey, fromHex, randomBytes, toHex } from '@comrad/core';
import { verifyLookup } from '@comrad/core/wire';
import { Keymaker } from '@comrad/core/keymaker';
import { makeRegisterProof } from '@comrad/core/wire';
import { DEFAULT_LIMITS } from '../src/limits.js';
import { TestClient } from '@comrad/test-kit/operator/client';
import { readyCrypto } from '@comrad/test-kit/operator/fixtures';
import { OPERATOR_BIN as cli, spawnOperator } from '@comrad/test-kit/processes';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let dir: string;

beforeAll(async () => {
  await readyCrypto();
  if (!existsSync(cli)) execFileSync('npm', ['run', 'build', '-w', '@comrad/core', '-w', '@comrad/operator'], { cwd: root, stdio: 'ignore' });
  dir = await mkdtemp(join(tmpdir(), 'comrad-op-cli-'));
}, 180_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Running {
  proc: ChildProcess;
  line: { event: string; url: string; operatorKey: string; fingerprint: string };
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts comrad-op and resolves with its JSON start line. */
async function startCli(args: string[], passphrase = 'a long passphrase', defaultPow = false): Promise<Running> {
  const { child, started, exited, stderr } = spawnOperator(['--data', join(dir, 'data'), '--port', '0', '--json', '--log-level', 'debug', ...args], {
    env: { COMRAD_OPERATOR_PASSPHRASE: passphrase },
    defaultPow,
  });
  return { proc: child, line: await started, stderr, exit: exited.then(({ code }) => code) };
}

describe('comrad-op, the real process', () => {
  it('KEYS-1 OP-2 LOG-1 starts, prints its key, serves over loopback, exits 0 on SIGTERM; the LMDB data survives a restart', async () => {
    const first = await startCli([]);
    expect(first.line.event).toBe('listening');
    expect(first.line.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const opKey = PublicKey.from(fromHex(first.line.operatorKey));
    expect(opKey.fingerprint()).toBe(first.line.fingerprint);

    const c = await TestClient.connect(first.line.url);
    expect(c.hello.operatorKey.equals(opKey)).toBe(true);
    const alice = Keymaker.generate('alice_cli');
    await c.request('register', { name: alice.name, key: alice.publicKey, proof: makeRegisterProof(alice.keys.privateKey, alice.name, alice.publicKey, opKey) });
    const letter = randomBytes(300);
    await c.request('send', { to: alice.name, letter });
    await c.close();
    first.proc.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    const logs = first.stderr();
    expect(logs).toContain('"event":"stopped"');
    for (const word of ['alice_cli', '127.0.0.1']) expect(logs).not.toContain(word);
    expect(logs).not.toMatch(new RegExp(`(?<![0-9])${first.line.url.split(':').pop()}(?![0-9])`));

    const keyOut = execFileSync(process.execPath, [cli, 'key', '--data', join(dir, 'data'), '--json'], { encoding: 'utf8' });
    expect(JSON.parse(keyOut)).toMatchObject({ operatorKey: first.line.operatorKey, fingerprint: first.line.fingerprint });

    const second = await startCli([]);
    expect(second.line.operatorKey).toBe(first.line.operatorKey);
    const again = await TestClient.connect(second.line.url);
    expect(verifyLookup((await again.request('lookup', { name: alice.name })).statement, opKey, alice.name).key.equals(alice.publicKey)).toBe(true);
    await again.auth(alice);
    expect((await again.request('fetch', {})).items.map((i) => toHex(i.letter))).toEqual([toHex(letter)]);
    await again.close();
    second.proc.kill('SIGINT');
    expect(await second.exit).toBe(0);
  });

  it('REG-6 POW-1 registration costs proof of work by default: info announces it, a registration without it is refused', async () => {
    const op = await startCli([], 'a long passphrase', true);
    try {
      const c = await TestClient.connect(op.line.url);
      const info = await c.request('info', {});
      expect(info.pow).toEqual({ register: DEFAULT_LIMITS.registerPowBits, send: 0 });
      expect(info.pow.register).toBeGreaterThanOrEqual(16);
      const opKey = PublicKey.from(fromHex(op.line.operatorKey));
      const dora = Keymaker.generate('dora_cli');
      const proof = makeRegisterProof(dora.keys.privateKey, dora.name, dora.publicKey, opKey);
      await expect(c.request('register', { name: dora.name, key: dora.publicKey, proof })).rejects.toMatchObject({ code: 'POW_REQUIRED' });
      await c.close();
    } finally {
      op.proc.kill('SIGTERM');
      await op.exit;
    }
  });

  it('OP-6 CLI-6 usage mistakes stop the start before anything is created: exit 2 and one plain line', async () => {
    const run = (args: string[]) => {
      try {
        execFileSync(process.execPath, [cli, '--data', join(dir, 'unused'), ...args], { encoding: 'utf8', stdio: 'pipe' });
        return 'exit 0';
      } catch (err) {
        const e = err as { status: number; stderr: string };
        return `exit ${e.status}: ${e.stderr.trim()}`;
      }
    };
    expect(run(['--onion-only', '--host', '0.0.0.0'])).toMatch(/^exit 2: comrad-op: --onion-only listens on loopback only/);
    expect(run(['--store', 'redis'])).toBe('exit 2: comrad-op: --store redis needs --redis URL');
    expect(run(['--limit', 'mailboxItems=0'])).toMatch(/^exit 2: comrad-op: limit mailboxItems must be/);
    expect(run(['--port', '70000'])).toMatch(/^exit 2: comrad-op: --port must be/);
    expect(run(['--bogus'])).toBe("exit 2: comrad-op: unknown option '--bogus' (see comrad-op --help)");
    expect(run(['--port'])).toMatch(/^exit 2: comrad-op: option '--port <port>' argument missing/);
    expect(existsSync(join(dir, 'unused'))).toBe(false);
  });

  it('CLI-6 --version is the package version; --help lists every subcommand; help and version exit 0', () => {
    const version = (JSON.parse(readFileSync(join(root, 'packages/operator/package.json'), 'utf8')) as { version: string }).version;
    expect(execFileSync(process.execPath, [cli, '--version'], { encoding: 'utf8' }).trim()).toBe(version);
    const help = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/^Commands:\n {2}key\b/m);
    expect(help).toMatch(/Exit codes: .*2 usage/);
    expect(execFileSync(process.execPath, [cli, 'key', '--help'], { encoding: 'utf8' })).toMatch(/--data <dir>/);
  });

  it('CLI-8 a busy port stops the first start before keys are created: no data directory left behind', async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen({ host: '127.0.0.1', port: 0 }, () => done()));
    const port = (busy.address() as AddressInfo).port;
    try {
      const data = join(dir, 'busy-port');
      let failure = '';
      try {
        execFileSync(process.execPath, [cli, '--data', data, '--port', String(port)], { encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        const e = err as { status: number; stderr: string };
        failure = `exit ${e.status}: ${e.stderr.trim()}`;
      }
      expect(failure).toBe(`exit 1: comrad-op: port ${port} on 127.0.0.1 is already in use (another comrad-op?); nothing was created`);
      expect(existsSync(data)).toBe(false);
    } finally {
      await new Promise((done) => busy.close(done));
    }
  });

  it('KEYS-3 a wrong passphrase stops the start: exit 1 and one plain line', async () => {
    await expect(startCli([], 'not the passphrase')).rejects.toThrow(/exited \(1\).*comrad-op: .*passphrase/s);
  });
});
