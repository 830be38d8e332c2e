/**
 * The Operator's tor (TOR-2, TOR-3) with the real tor binary but no network (`DisableNetwork 1`): tor
 * reads the torrc the Operator wrote, creates the onion service's key, and lives only as long as its
 * parent. No traffic leaves the machine; bootstrap never finishes, so every start ends in TOR_TIMEOUT.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TorError } from '@comrad/core/node';
import { startOnionService } from '../src/tor/onion-service.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';

const CORE_NODE = fileURLToPath(new URL('../../core/dist/node/index.js', import.meta.url));

/** The pids of the live children of `pid`, read from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = (await readFile(`/proc/${entry}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the Operator\'s tor, without a network (TOR-2, TOR-3)', () => {
  it('TOR-2 a v3 onion service keyed in <data>/hidden_service (mode 0700, repaired), torrc rewritten at start, an empty defaults file', { timeout: 60_000 }, async () => {
    const root = await tempHome('comrad-onion-');
    try {
      const dataDir = join(root.dir, 'tor');
      const hsDir = join(dataDir, 'hidden_service');
      await mkdir(hsDir, { recursive: true });
      await chmod(dataDir, 0o700);
      await chmod(hsDir, 0o755); // looser than tor accepts, as after a careless copy
      await writeFile(join(dataDir, 'torrc'), 'SocksPort 9050\n# left by someone else\n');
      const err = await startOnionService({ dataDir, targetPort: 9, extraTorrc: 'DisableNetwork 1', timeoutMs: 4_000 }).catch((e: unknown) => e);
      expect(err instanceof TorError && err.code, String(err)).toBe('TOR_TIMEOUT');
      expect((await stat(hsDir)).mode & 0o777).toBe(0o700);
      const torrc = await readFile(join(dataDir, 'torrc'), 'utf8');
      expect(torrc.startsWith('# Written by Comrad')).toBe(true);
      expect(torrc).not.toContain('left by someone else');
      expect(torrc).toContain(`HiddenServiceDir ${hsDir}`);
      expect(torrc).toMatch(/^HiddenServiceVersion 3$/m);
      expect(torrc).toMatch(/^SocksPort 0$/m);
      expect(await readFile(join(dataDir, 'torrc-defaults'), 'utf8')).toBe('');
      // tor made the service's key where the rule says, and a v3 address (56 base32 characters).
      const files = await readdir(hsDir);
      expect(files).toEqual(expect.arrayContaining(['hs_ed25519_secret_key', 'hostname']));
      expect((await readFile(join(hsDir, 'hostname'), 'utf8')).trim()).toMatch(/^[a-z2-7]{56}\.onion$/);
    } finally {
      await root.remove();
    }
  });

  it('TOR-3 tor is a child of its starter and exits when the starter dies by SIGKILL (__OwningControllerProcess)', { timeout: 60_000 }, async () => {
    const root = await tempHome('comrad-onion-');
    let stopStarter = () => true;
    try {
      const dataDir = join(root.dir, 'tor');
      const script = `import(${JSON.stringify(CORE_NODE)}).then((m) => m.startTorProcess({ dataDir: ${JSON.stringify(dataDir)}, torrcLines: ['SocksPort 0', 'DisableNetwork 1'], timeoutMs: 600000 }))`;
      const starter = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
      stopStarter = () => starter.kill('SIGKILL');
      let tor: number | undefined;
      for (let i = 0; i < 100 && tor === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100));
        tor = (await childrenOf(starter.pid!))[0];
      }
      expect(tor, 'tor did not start').toBeDefined();
      const torrc = await readFile(join(dataDir, 'torrc'), 'utf8');
      expect(torrc).toContain(`__OwningControllerProcess ${starter.pid}`);
      starter.kill('SIGKILL');
      // tor polls its owner every 15 s.
      const deadline = Date.now() + 40_000;
      while (alive(tor!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      const left = alive(tor!);
      if (left) process.kill(tor!, 'SIGKILL');
      expect(left).toBe(false);
    } finally {
      stopStarter();
      await root.remove();
    }
  });
});
