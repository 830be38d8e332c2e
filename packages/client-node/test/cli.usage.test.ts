/**
 * How `comrad` is called, with the real built bin: its version, its help, usage errors in the one error
 * format (CLI-3, CLI-6), and a reader that goes away mid-output (CLI-7). No Operator needed.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { COMRAD_BIN, comrad, requireBuild } from '@comrad/test-kit/client-node/processes';

beforeAll(() => requireBuild());

describe('comrad usage (processes)', () => {
  it('CLI-6 --version is the package version; every subcommand help lists the global options', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const v = await comrad(['--version']);
    expect([v.code, v.stdout.trim()]).toEqual([0, pkg.version]);
    for (const sub of [['send'], ['operator', 'add'], ['whois']]) {
      const h = await comrad([...sub, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Global Options:[\s\S]*--home <dir>[\s\S]*--json[\s\S]*--passphrase-file <file>/);
    }
  });

  it('CLI-3 CLI-6 a usage error is one line `comrad: error: … [USAGE]`, exit 2; with --json one JSON object on stderr', async () => {
    const bad = await comrad(['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe("comrad: error: unknown option '--bogus' (see comrad --help) [USAGE]\n");
    const missing = await comrad(['whois']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^comrad: error: missing required argument 'name' \(see comrad --help\) \[USAGE\]\n$/);
    const json = await comrad(['--json', 'frobnicate']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'USAGE', message: "unknown command 'frobnicate' (see comrad --help)" } });
    expect(json.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('CLI-7 a reader that closed the pipe (`comrad --help | head -1`): no crash, no error, exit 0', async () => {
    const child = spawn(process.execPath, [COMRAD_BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    // The reader is gone before the help is written: every write meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
