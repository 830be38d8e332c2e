/**
 * The deployment examples are files people install as they are: the systemd unit passes
 * `systemd-analyze verify` with no warning, and the compose file parses, keeps Redis durable (STORE-1), and
 * passes comrad-op only flags that `comrad-op --help` lists. The unit's flags are checked the same way.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPERATOR_BIN } from '@comrad/test-kit/processes';

const here = fileURLToPath(new URL('.', import.meta.url));
const unit = readFileSync(join(here, 'comrad-operator.service'), 'utf8');
const compose = parse(readFileSync(join(here, 'compose.yaml'), 'utf8')) as {
  services: Record<string, { command?: string[]; image?: string; networks?: unknown; ports?: unknown; secrets?: string[] }>;
  networks: Record<string, { internal?: boolean }>;
  secrets: Record<string, { file: string }>;
};
const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const haveAnalyze = analyze.status === 0;
const help = () => execFileSync(process.execPath, [OPERATOR_BIN, '--help'], { encoding: 'utf8' });
/** Every `--flag` of a command line. */
const flagsOf = (args: readonly string[]) => args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]!);
const execStart = /^ExecStart=(.*)$/m.exec(unit)![1]!;

describe('examples/deploy', () => {
  if (!haveAnalyze) console.warn('examples/deploy: systemd-analyze is not installed (apt-get install systemd): the unit is not verified here');

  it.skipIf(!haveAnalyze)(`the systemd unit passes systemd-analyze verify without a warning${haveAnalyze ? '' : ' (SKIPPED: systemd-analyze not installed)'}`, () => {
    // verify checks that ExecStart's program exists: the built comrad-op stands in for the installed one.
    const dir = mkdtempSync(join(tmpdir(), 'comrad-unit-'));
    try {
      const file = join(dir, 'comrad-operator.service');
      writeFileSync(file, unit.replace('/usr/local/bin/comrad-op', fileURLToPath(new URL('../../packages/operator/bin/comrad-op.js', import.meta.url))));
      const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
      expect(r.stderr + r.stdout).toBe('');
      expect(r.status).toBe(0);
      // The same check sees a misspelt directive (so an empty output above means something).
      writeFileSync(file, unit.replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
      expect(spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' }).stderr).toMatch(/Unknown key 'NoNewPrivilege'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the unit: passphrase from a credential, no new privileges, read-only system, a state directory, loopback listeners', () => {
    for (const line of ['LoadCredential=passphrase:', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'StateDirectory=comrad-operator', 'SocketBindDeny=any']) {
      expect(unit).toContain(line);
    }
    expect(execStart).toContain('--passphrase-file ${CREDENTIALS_DIRECTORY}/passphrase');
    expect(execStart).toContain('--data ${STATE_DIRECTORY}');
    expect(execStart).toMatch(/--onion-only/);
    expect(execStart).toMatch(/--metrics 127\.0\.0\.1:9464/);
  });

  it('the compose file parses; Redis is durable (appendonly, appendfsync always); the Operator and Redis have no route out and publish nothing', () => {
    const { redis, operator, tor } = compose.services;
    expect(redis!.command!.join(' ')).toMatch(/--appendonly yes --appendfsync always/);
    expect(compose.networks['internal']!.internal).toBe(true);
    expect(Object.keys(operator!.networks as object)).toEqual(['internal']);
    expect(redis!.networks).toEqual(['internal']);
    expect(tor!.networks).toEqual(['internal', 'outside']);
    for (const s of Object.values(compose.services)) expect(s.ports).toBeUndefined();
    expect(operator!.secrets).toEqual(['operator_passphrase']);
    expect(operator!.command!.join(' ')).toContain('--passphrase-file /run/secrets/operator_passphrase');
    // LOG-3: metrics on the container's loopback.
    expect(operator!.command!.join(' ')).toContain('--metrics 127.0.0.1:9464');
    // tor forwards to the Operator's fixed address on its port.
    const torrc = readFileSync(join(here, 'torrc'), 'utf8');
    const address = (operator!.networks as Record<string, { ipv4_address: string }>)['internal']!.ipv4_address;
    const port = operator!.command![operator!.command!.indexOf('--port') + 1];
    expect(torrc).toContain(`HiddenServicePort 80 ${address}:${port}`);
  });

  it('every comrad-op flag in the unit and the compose file is one comrad-op --help lists', () => {
    const listed = new Set(help().match(/--[a-z][a-z-]*/g));
    const used = [...flagsOf(execStart.split(/\s+/).slice(1)), ...flagsOf(compose.services['operator']!.command!)];
    expect(used.length).toBeGreaterThan(8);
    for (const flag of used) expect(listed.has(flag), `${flag} is not a comrad-op flag`).toBe(true);
  });
});
