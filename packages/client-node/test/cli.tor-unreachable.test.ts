/**
 * A Tor that cannot bootstrap, with real processes and a real tor that has nowhere to go: its only bridge
 * is a closed loopback port, so it stays at 5 % and never sends a byte beyond 127.0.0.1. No Tor network
 * is needed. The client's own tor (`--tor`), a SOCKS proxy held by such a tor, a proxy that is not there,
 * and `comrad-op --onion`: each ends within its timeout with exit 3 and one error line naming the cause
 * (CLI-3, CLI-9, TR-4, TOR-5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { comrad, requireBuild, type CliResult } from '@comrad/test-kit/client-node/processes';
import { refusedPort, type RefusedPort } from '@comrad/test-kit/client-node/refused-port';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { OPERATOR_BIN } from '@comrad/test-kit/processes';
import { freeLoopbackPorts } from '@comrad/test-kit/tornet';

/** An onion address no tor here can reach (never dialled: tor does not bootstrap). */
const ONION = `ws://${'a'.repeat(56)}.onion`;
/** `--timeout` (and `--tor-timeout`) of every run here, in seconds. */
const TIMEOUT_S = 3;
/** What a run may take beyond its timeout: starting node and tor, stopping tor (3 s grace), a busy machine. */
const MARGIN_MS = 15_000;

let root: { dir: string; remove(): Promise<void> };
let torrc: string;
let closed: RefusedPort;
let closedPort: number;
const held: ChildProcess[] = [];
const env = { COMRAD_PASSPHRASE: 'a passphrase nobody would guess in tor tests' };

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-tor-unreachable-');
  // A port nobody listens on, held for the whole file: tor's connection to its bridge is refused, and so
  // is the dial of "a proxy that is not there" seconds later. (A port found free and closed again could be
  // given meanwhile to a server of a test running alongside: the dial would then meet a stranger.)
  closed = await refusedPort();
  closedPort = closed.port;
  torrc = join(root.dir, 'unreachable.torrc');
  await writeFile(torrc, `UseBridges 1\nBridge 127.0.0.1:${closedPort}\n`);
});

afterAll(async () => {
  for (const child of held) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
  await root?.remove();
  await closed?.release();
});

/** Runs comrad and measures how long it took. */
async function timed(args: string[]): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  const r = await comrad(args, env);
  return { ...r, ms: Date.now() - started };
}

/** One error line in the one form (CLI-9), with the code in brackets. */
function expectErrorLine(stderr: string, code: string): void {
  const errors = stderr.split('\n').filter((l) => l.startsWith('comrad: error:'));
  expect(errors, stderr).toHaveLength(1);
  expect(errors[0]).toMatch(new RegExp(`^comrad: error: .+ \\[${code}\\]$`));
}

describe('a tor that cannot bootstrap (processes)', () => {
  it('CLI-3 TR-4 --tor: exit 3 with TOR_TIMEOUT within --timeout', async () => {
    const home = join(root.dir, 'own-tor');
    const r = await timed(['--home', home, '--tor', '--tor-config', torrc, '--timeout', String(TIMEOUT_S), 'operator', 'add', ONION]);
    expect(r.code, r.stderr).toBe(3);
    expectErrorLine(r.stderr, 'TOR_TIMEOUT');
    expect(r.stderr).toContain('tor did not finish bootstrapping');
    // The progress lines show where it stuck; nothing of tor's own log without --debug.
    expect(r.stderr).toMatch(/tor bootstrapped \d+%/);
    expect(r.stderr).not.toContain('--- last tor log lines ---');
    expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
    expect(r.ms).toBeLessThan(TIMEOUT_S * 1000 + MARGIN_MS);

    // --json: the same error as one object on stderr.
    const j = await timed(['--home', home, '--json', '--tor', '--tor-config', torrc, '--timeout', String(TIMEOUT_S), 'operator', 'add', ONION]);
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stderr.trim())).toEqual({ error: { code: 'TOR_TIMEOUT', message: expect.stringContaining('bootstrapping') } });
  });

  it('CLI-3 TR-4 --proxy held by a tor that cannot bootstrap: exit 3 with TIMEOUT within --timeout', async () => {
    // Below the kernel's ephemeral range: no port-0 server of a test running alongside is given it before
    // this tor binds it.
    const socksPort = (await freeLoopbackPorts(1))[0]!;
    const tor = spawn('tor', ['--defaults-torrc', '/dev/null', '-f', torrc, 'DataDirectory', join(root.dir, 'proxy-tor'), 'SocksPort', `127.0.0.1:${socksPort}`, 'Log', 'notice stdout'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/sbin` },
    });
    held.push(tor);
    // Its SOCKS port is open (it accepts the CONNECT) long before it could build a circuit: it never will.
    await new Promise<void>((resolve, reject) => {
      tor.once('exit', (code) => reject(new Error(`tor exited ${code}`)));
      createInterface({ input: tor.stdout! }).on('line', (line) => {
        if (/Opened Socks listener/.test(line)) resolve();
      });
    });
    const r = await timed(['--home', join(root.dir, 'via-proxy'), '--proxy', `socks5h://127.0.0.1:${socksPort}`, '--timeout', String(TIMEOUT_S), 'operator', 'add', ONION]);
    expect(r.code, r.stderr).toBe(3);
    expectErrorLine(r.stderr, 'TIMEOUT');
    expect(r.stderr).toContain(`within ${TIMEOUT_S} s`);
    expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
    expect(r.ms).toBeLessThan(TIMEOUT_S * 1000 + MARGIN_MS);
  });

  it('CLI-3 TR-7 a proxy that is not there: exit 3 at once', async () => {
    const r = await timed(['--home', join(root.dir, 'no-proxy'), '--proxy', `socks5h://127.0.0.1:${closedPort}`, '--timeout', '30', 'operator', 'add', ONION]);
    expect(r.code, r.stderr).toBe(3);
    expectErrorLine(r.stderr, 'CONNECTION_CLOSED');
    expect(r.ms).toBeLessThan(MARGIN_MS);
  });

  it('TOR-5 comrad-op --onion whose tor cannot bootstrap: exit 3 with TOR_TIMEOUT within --tor-timeout', async () => {
    const started = Date.now();
    const op = spawn(process.execPath, [OPERATOR_BIN, '--data', join(root.dir, 'op'), '--port', '0', '--store', 'memory', '--onion', '--tor-config', torrc, '--tor-timeout', String(TIMEOUT_S), '--log', join(root.dir, 'op.log')], {
      env: { ...process.env, COMRAD_OPERATOR_PASSPHRASE: 'operator test passphrase' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    held.push(op);
    let stderr = '';
    op.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => op.once('exit', (c) => resolve(c)));
    const ms = Date.now() - started;
    expect(code, stderr).toBe(3);
    expect(stderr).toMatch(/^comrad-op: cannot start tor \[TOR_TIMEOUT\]: tor did not finish bootstrapping/m);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
    expect(ms).toBeLessThan(TIMEOUT_S * 1000 + MARGIN_MS);
  });

  it('comrad-op --tor-timeout takes a whole number of seconds (usage, exit 2)', async () => {
    const op = spawn(process.execPath, [OPERATOR_BIN, '--data', join(root.dir, 'op-bad'), '--onion', '--tor-timeout', 'soon'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    op.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await new Promise((resolve) => op.once('exit', resolve))).toBe(2);
    expect(stderr).toContain('--tor-timeout');
  });
});
