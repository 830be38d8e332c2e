// Comrad over Tor, end to end, on a private Tor network on 127.0.0.1 (real tor processes, nothing mocked):
// the BUILT `comrad-op --onion-only` as an onion service, and REAL `comrad` CLI processes in separate homes
// reaching `ws://<onion>.onion/` through the network's SOCKS port (and one through its own tor, `--tor`).
// Checks that the Operator only ever sees its own tor on 127.0.0.1 (from /proc), that its logs name no one,
// and logs the measured figures. Needs the Debian package `tor` and `npm run build`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, PublicKey } from '@comrad/core';
import { Comrade } from '@comrad/client-node';
import { findExecutable, startTorNetwork, type TorNetwork } from '@comrad/test-kit/tornet';
import { startSocks5Server } from '@comrad/test-kit/client-node/socks5-server';
import {
  COMRAD_BIN,
  OPERATOR_BIN,
  letterRoundTrips,
  listenersOf,
  percentile,
  requireBuild,
  startOnionOperator,
  tcpPeersOf,
  type OnionOperator,
} from '@comrad/test-kit/comrad-on-tor';

const ONION_URL = /^ws:\/\/[a-z2-7]{56}\.onion$/;
/** Rounds of the send → fetch → ack loop per path (the bench does 30). */
const ROUNDS = 10;
const LETTER = 'meet at the library, 6pm — bring the leaflets';
const POST = 'general assembly on Sunday, 11:00, in the square';

let work = '';
let net: TorNetwork | undefined;
let torConfigFile = '';
let op: OnionOperator | undefined;
let proxy = '';
const figures: Record<string, string> = {};
const ms = (n: number) => `${n.toFixed(0)} ms`;

/** Every sample of the Operator's peers, taken every 100 ms while the clients run. */
const samples: { address: string; port: number; pid: number | undefined }[][] = [];
let sampler: NodeJS.Timeout | undefined;
const open: Comrade[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built `comrad` like a person in a shell (no terminal), with the home and passphrase of `who`. */
function comrad(who: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runBin(COMRAD_BIN, ['--home', home(who), ...args], { COMRAD_PASSPHRASE: passphrase(who), ...env });
}

/** Runs a built bin once and waits for it to exit. */
function runBin(bin: string, args: string[], env: Record<string, string>): Promise<Run> {
  const base = { ...process.env };
  // Only what the test passes may point the client at a proxy or a tor configuration.
  delete base['COMRAD_PROXY'];
  delete base['COMRAD_TOR_CONFIG'];
  delete base['COMRAD_HOME'];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...base, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // TR-7 waits up to 90 s for a first circuit; a client that hangs beyond that is a failure.
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

const home = (who: string) => join(work, 'homes', who);
const passphrase = (who: string) => `${who}'s long passphrase for the onion test`;
/** Through the network's SOCKS port, waiting up to 90 s for a first circuit (TR-4, TR-7). */
const viaTor = (...args: string[]) => ['--proxy', proxy, '--timeout', '90', ...args];

function ok(r: Run): string {
  expect(r.stderr, r.stderr).not.toMatch(/error/i);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** tor processes whose command line names `dir` (e.g. a client's own tor in its home). */
function torsUsing(dir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const argv = readFileSync(`/proc/${e}/cmdline`, 'latin1').split('\0');
        return /(^|\/)tor$/.test(argv[0] ?? '') && argv.some((a) => a.startsWith(dir));
      } catch {
        return false;
      }
    })
    .map(Number);
}

beforeAll(async () => {
  if (!findExecutable('tor', ['/usr/sbin/tor', '/usr/bin/tor']) || !findExecutable('tor-gencert', ['/usr/bin/tor-gencert'])) {
    throw new Error('tor is not installed: run `apt-get update && apt-get install -y tor` (this test needs tor and tor-gencert)');
  }
  requireBuild();
  work = await mkdtemp(join(tmpdir(), 'comrad-onion-e2e-'));

  const t0 = performance.now();
  net = await startTorNetwork({ dir: join(work, 'net'), onProgress: (m) => console.log(`[onion-e2e] ${m}`) });
  figures['private network bootstrap (keys → client 100 %)'] = ms(performance.now() - t0);
  proxy = `socks5h://127.0.0.1:${net.socksPort}`;
  torConfigFile = join(work, 'network.torrc');
  await writeFile(torConfigFile, net.extraTorrc);

  // Debug level: every request is logged (op and code), so the log check below sees the most there is.
  op = await startOnionOperator({ dataDir: join(work, 'operator'), torConfigFile, args: ['--log-level', 'debug'] });
  figures['comrad-op --onion-only: launch → onion address printed'] = ms(op.startMs);

  const operator = op;
  sampler = setInterval(() => {
    const peers = tcpPeersOf(operator.targetPort, [operator.torPid, operator.pid, process.pid]);
    if (peers.length > 0) samples.push(peers);
  }, 100);
}, 240_000);

afterAll(async () => {
  clearInterval(sampler);
  for (const c of open.splice(0)) await c.close().catch(() => {});
  await op?.stop();
  await net?.stop();
  console.log('[onion-e2e] measured:\n' + Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`).join('\n'));
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

describe('Comrad over a private Tor network (real comrad-op and comrad processes)', () => {
  it('TOR-5 comrad-op --onion-only prints its onion address and key at start, after tor bootstrap progress', () => {
    expect(op!.url).toMatch(ONION_URL);
    expect(op!.onionUrl).toBe(op!.url);
    expect(op!.operatorKey).toMatch(/^[0-9a-f]{64,}$/);
    expect(op!.fingerprint).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){7}$/);
    const progress = [...op!.stderr().matchAll(/^comrad-op: tor bootstrapped (\d+)%: /gm)].map((m) => Number(m[1]));
    expect(progress.at(-1)).toBe(100);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('TOR-1 under --onion-only the Operator listens on 127.0.0.1 only (the port its tor forwards to), and its tor on no port', () => {
    const listeners = listenersOf(op!.pid);
    expect(listeners.map((l) => l.port)).toContain(op!.targetPort);
    for (const l of listeners) expect(l.address).toBe('127.0.0.1');
    // The onion service's tor has SocksPort 0: nothing local to connect to but the Operator itself.
    expect(listenersOf(op!.torPid)).toEqual([]);
  });

  it('TR-2 TR-1 without Tor the client refuses the .onion Operator (exit 2, one line) and writes nothing; socks5:// is refused', async () => {
    const direct = await comrad('erin', ['operator', 'add', op!.url]);
    expect(direct.code).toBe(2);
    expect(direct.stderr.trim().split('\n')).toHaveLength(1);
    expect(direct.stderr).toMatch(/is an onion address: connect through Tor .*\[ONION_NEEDS_PROXY\]/);
    expect(existsSync(home('erin'))).toBe(false);
    // socks5:// would resolve names with the local DNS (TR-1): only socks5h:// is taken.
    const localDns = await comrad('erin', ['--proxy', `socks5://127.0.0.1:${net!.socksPort}`, 'operator', 'add', op!.url]);
    expect(localDns.code).toBe(2);
    expect(localDns.stderr).toMatch(/socks5h:\/\/.*\[BAD_PROXY\]/);
  });

  it('OPS-1 TR-7 alice adds the Operator by its .onion address with the key it printed; bob by trust on first use; a wrong --key is refused', async () => {
    // The first contact may come before the service's descriptor is published: the client retries (TR-7).
    const alice = await comrad('alice', viaTor('operator', 'add', op!.url, '--key', op!.fingerprint));
    const retried = alice.stderr.split('\n').filter((l) => l.startsWith('the proxy cannot reach the Operator yet')).length;
    figures['first request over the onion (alice: operator add, whole process)'] = `${ms(alice.ms)} (${retried} retry notice(s) shown)`;
    expect(ok(alice)).toContain(`${op!.fingerprint} (matches the key you gave)`);
    const bob = ok(await comrad('bob', viaTor('operator', 'add', op!.url)));
    expect(bob).toContain(op!.fingerprint);
    expect(bob).toContain('pinned on first use');
    expect(ok(await comrad('bob', ['operator', 'list']))).toContain(`* default  ${op!.url}  ${op!.fingerprint}`);
    const wrong = await comrad('carol', viaTor('operator', 'add', op!.url, '--key', '0000-0000-0000-0000-0000-0000-0000-0000'));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/not the one given with --key/);
  });

  it('REG-3 alice and bob register through the onion service', async () => {
    expect(ok(await comrad('alice', viaTor('register', 'alice')))).toMatch(/Registered @alice/);
    expect(ok(await comrad('bob', viaTor('register', 'bob')))).toMatch(/Registered @bob/);
    expect(ok(await comrad('alice', viaTor('whoami')))).toContain('@alice');
  });

  it('MB-1 SEAL-6 alice writes to bob through Tor; bob reads it decrypted and verified', async () => {
    const aliceFp = JSON.parse(ok(await comrad('alice', viaTor('--json', 'whoami')))).fingerprint as string;
    expect(ok(await comrad('alice', viaTor('send', 'bob', LETTER)))).toMatch(/Sent to @bob/);
    const inbox = JSON.parse(ok(await comrad('bob', viaTor('--json', 'inbox'))));
    expect(inbox.new).toBe(1);
    expect(inbox.letters).toEqual([expect.objectContaining({ from: 'alice', text: LETTER, verified: true, authorFingerprint: aliceFp })]);
    expect(inbox.rejected).toEqual([]);
    // Acknowledged: a second read finds nothing new (MB-3).
    expect(JSON.parse(ok(await comrad('bob', viaTor('--json', 'inbox')))).new).toBe(0);
  });

  it('FEED-3 FEED-7 alice posts to the world through Tor; bob reads it in the feed', async () => {
    ok(await comrad('alice', viaTor('post', POST)));
    const feed = JSON.parse(ok(await comrad('bob', viaTor('--json', 'feed'))));
    expect(feed.posts).toEqual([expect.objectContaining({ author: 'alice', text: POST })]);
    expect(feed.rejected).toEqual([]);
  });

  it('TOR-4 --tor: dave starts his own tor joined to the network (--tor-config, then $COMRAD_TOR_CONFIG) and reaches the onion', async () => {
    const add = await comrad('dave', ['--tor', '--tor-config', torConfigFile, '--timeout', '90', 'operator', 'add', op!.url, '--key', op!.fingerprint]);
    figures["dave's own tor: operator add (tor bootstrap + first request, whole process)"] = ms(add.ms);
    expect(ok(add)).toContain('(matches the key you gave)');
    expect(add.stderr).toMatch(/^tor bootstrapped 100%: Done$/m);
    const reg = await comrad('dave', ['--tor', '--timeout', '90', 'register', 'dave'], { COMRAD_TOR_CONFIG: torConfigFile });
    expect(ok(reg)).toMatch(/Registered @dave/);
    ok(await comrad('dave', ['--tor', '--timeout', '90', 'send', 'bob', 'dave here, through my own tor'], { COMRAD_TOR_CONFIG: torConfigFile }));
    const inbox = JSON.parse(ok(await comrad('bob', viaTor('--json', 'inbox'))));
    expect(inbox.letters).toEqual([expect.objectContaining({ from: 'dave', text: 'dave here, through my own tor', verified: true })]);
    // Each command stopped the tor it started.
    expect(torsUsing(home('dave'))).toEqual([]);
  });

  it('TOR-1 while clients are connected, every connection to the Operator comes from 127.0.0.1 and belongs to its own tor', async () => {
    for (const who of ['alice', 'bob']) {
      const c = await Comrade.connect({ home: home(who), proxy, connectTimeoutMs: 90_000, passphrase: passphrase(who) });
      open.push(c);
      await c.login(passphrase(who));
    }
    // Two comrades, each with a public and a logged-in session: four streams through the onion service.
    let peers = tcpPeersOf(op!.targetPort, [op!.torPid, op!.pid, process.pid]);
    for (let i = 0; i < 50 && peers.length < 4; i++) {
      await new Promise((r) => setTimeout(r, 100));
      peers = tcpPeersOf(op!.targetPort, [op!.torPid, op!.pid, process.pid]);
    }
    expect(peers.length).toBeGreaterThanOrEqual(4);
    for (const p of peers) expect(p).toMatchObject({ address: '127.0.0.1', pid: op!.torPid });
    // And at every moment of every CLI run above (sampled every 100 ms).
    expect(samples.length).toBeGreaterThan(0);
    for (const p of samples.flat()) expect(p).toMatchObject({ address: '127.0.0.1', pid: op!.torPid });
  });

  it('measures letters to oneself (send, then fetch + ack) over Tor and directly (figures logged, not asserted)', async () => {
    const [alice] = open;
    const tor = await letterRoundTrips(alice!, ROUNDS);
    for (const c of open.splice(0)) await c.close();
    // From here on the test itself connects to the loopback port: stop watching the Operator's peers.
    clearInterval(sampler);
    const entry = { name: 'direct', url: `ws://127.0.0.1:${op!.targetPort}`, key: PublicKey.from(fromHex(op!.operatorKey)) };
    const direct = await Comrade.connect({ home: home('alice'), operator: entry });
    try {
      await direct.login(passphrase('alice'));
      const loop = await letterRoundTrips(direct, ROUNDS);
      for (const [what, xs] of [['send', 'send'], ['fetch + ack', 'inbox'], ['send + fetch + ack', 'total']] as const) {
        const t = { p50: percentile(tor[xs], 50), p90: percentile(tor[xs], 90) };
        const d = { p50: percentile(loop[xs], 50), p90: percentile(loop[xs], 90) };
        figures[`${what}, median / p90 of ${ROUNDS}: tor vs direct`] =
          `${t.p50.toFixed(1)} / ${t.p90.toFixed(1)} ms vs ${d.p50.toFixed(1)} / ${d.p90.toFixed(1)} ms (× ${(t.p50 / d.p50).toFixed(1)})`;
      }
      expect(tor.total).toHaveLength(ROUNDS);
      expect(loop.total).toHaveLength(ROUNDS);
    } finally {
      await direct.close();
    }
  });

  it('TR-1 the CLI hands host names to the proxy unresolved (a name only the proxy knows)', async () => {
    // A recording SOCKS5 proxy that maps a name no resolver knows to the Operator's loopback port.
    const recorder = await startSocks5Server({ 'operator.comrad.invalid': '127.0.0.1' });
    try {
      const url = `ws://operator.comrad.invalid:${op!.targetPort}`;
      // A clearnet-style name over plain ws://: refused without --insecure (TR-9), warned with it.
      const refused = await comrad('frank', ['--proxy', recorder.url, 'operator', 'add', url, '--key', op!.fingerprint]);
      expect(refused.code).toBe(2);
      const r = await comrad('frank', ['--proxy', recorder.url, '--insecure', 'operator', 'add', url, '--key', op!.fingerprint]);
      expect(ok(r)).toContain('(matches the key you gave)');
      expect(r.stderr).toContain('--insecure');
      expect(recorder.requests).toEqual([expect.objectContaining({ atyp: 'domain', host: 'operator.comrad.invalid', port: op!.targetPort })]);
    } finally {
      await recorder.close();
    }
  });

  it('LOG-1 the Operator logs name no client address and no comrade (log file and stderr, at debug level)', async () => {
    await op!.stop(); // a clean stop flushes the log
    const log = await readFile(op!.logFile, 'utf8');
    const stderr = op!.stderr();
    const lines = log.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // The log is not empty: requests were logged (op and code only).
    expect(lines.filter((l) => l['level'] === 20).length).toBeGreaterThan(10);
    for (const text of [log, stderr]) {
      for (const name of ['alice', 'bob', 'dave', 'carol', 'erin']) expect(text).not.toMatch(new RegExp(`\\b${name}\\b`, 'i'));
      expect(text).not.toContain(LETTER.slice(0, 20));
      expect(text).not.toContain(POST.slice(0, 20));
      // No address of any peer: not even tor's loopback ones, nor any field that would carry one.
      expect(text).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
      expect(text).not.toMatch(/remoteAddress|remotePort|x-forwarded-for|"ip"/i);
    }
  });
});

describe('comrad-op cannot start tor: one line naming the cause, exit 1 (real bin)', () => {
  const operator = (dataDir: string, ...args: string[]) =>
    runBin(OPERATOR_BIN, ['--data', dataDir, '--port', '0', '--onion-only', '--json', ...args], { COMRAD_OPERATOR_PASSPHRASE: 'operator test passphrase' });

  it('TOR-5 a missing tor binary (--tor-binary) is said before anything is created', async () => {
    const dataDir = join(work, 'no-tor');
    const r = await operator(dataDir, '--tor-binary', '/nonexistent/tor');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^comrad-op: cannot start tor \[TOR_MISSING\]: tor binary not found or not executable at \/nonexistent\/tor; install the Debian package `tor`/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('TOR-5 a tor data directory that is not a directory is TOR_DATA_DIR, and the Operator does not stay up', async () => {
    const dataDir = join(work, 'bad-tor-dir');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'tor'), 'not a directory');
    const r = await operator(dataDir, '--tor-config', torConfigFile, '--log', join(work, 'bad-tor-dir.log'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^comrad-op: cannot start tor \[TOR_DATA_DIR\]: .*bad-tor-dir\/tor\b/);
  });
});
