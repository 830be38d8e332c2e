#!/usr/bin/env node
// A small private Tor network on 127.0.0.1 for tests and manual runs: 3 directory
// authorities (also relays), N more non-exit relays and one client tor with a SocksPort.
// Plain ESM JavaScript so that vitest tests and `node` scripts can both import it without
// a build step. It never contacts the public Tor network: every address is 127.0.0.1 and
// every tor gets `TestingTorNetwork 1` with our own DirAuthority lines.
//
// Library:  const net = await startTorNetwork({ dir }); ...; await net.stop();
// CLI:      node packages/test-kit/src/tornet.mjs start --dir .tornet   (prints SOCKS port + extra torrc)
//           node packages/test-kit/src/tornet.mjs stop  --dir .tornet

import { spawn, execFile } from 'node:child_process';
import { existsSync, accessSync, constants as fsc, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile, readFile, chmod } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { resolve, join, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, randomInt } from 'node:crypto';

const AUTHORITIES = 3;
const KILL_GRACE_MS = 3000;
/** Whole-network attempts when a tor could not bind a port chosen free (someone took it meanwhile). */
const PORT_ATTEMPTS = 4;
/** Ports are drawn at random from here, below the kernel's ephemeral range (see freeLoopbackPorts). */
const LOWEST_PORT = 10_000;

/**
 * Find an executable by name on PATH and in the usual Debian locations.
 * @param {string} name - Binary name, e.g. `tor` or `tor-gencert`.
 * @param {string[]} extra - Absolute fallbacks checked after PATH.
 * @returns {string | undefined} Absolute path, or undefined when not found.
 */
export function findExecutable(name, extra = []) {
  // /usr/sbin is often missing from PATH for non-login shells, yet Debian puts tor there.
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = [...dirs.map((d) => join(d, name)), ...extra];
  for (const c of candidates) {
    try {
      accessSync(c, fsc.X_OK);
      return c;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

function requireTorBinaries(torBinary) {
  const tor = torBinary ?? findExecutable('tor', ['/usr/sbin/tor', '/usr/bin/tor']);
  const gencert = findExecutable('tor-gencert', ['/usr/bin/tor-gencert', '/usr/sbin/tor-gencert']);
  if (!tor || !gencert) {
    throw new Error(
      `tornet: ${!tor ? 'tor' : 'tor-gencert'} not found (PATH, /usr/sbin, /usr/bin). ` +
        'Install it with: apt-get update && apt-get install -y tor',
    );
  }
  return { tor, gencert };
}

// tor-gencert makes RSA keys: a minute and more on a loaded machine, seconds when idle.
function run(file, args, { input, timeoutMs = 180_000 } = {}) {
  return new Promise((res, rej) => {
    const child = execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) {
        rej(new Error(`tornet: ${file} ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`.trim()));
      } else {
        res(stdout);
      }
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tail(text, n = 25) {
  return text.split('\n').filter(Boolean).slice(-n).join('\n');
}

async function readLog(path) {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** Options every tor in the test network needs, authorities and outsiders alike. */
function commonLines(authorityLines) {
  return [
    'TestingTorNetwork 1',
    ...authorityLines,
    'PathsNeededToBuildCircuits 0.67',
    'TestingDirAuthVoteExit *',
    'TestingDirAuthVoteHSDir *',
    'TestingDirAuthVoteGuard *',
    'TestingMinExitFlagThreshold 0',
    'V3AuthNIntervalsValid 2',
    'ShutdownWaitLength 0',
    'AddressDisableIPv6 1',
    'SafeLogging 0',
    // Without GeoIP each tor starts ~2 s faster and uses ~35 MB less.
    'GeoIPFile /dev/null',
    'GeoIPv6File /dev/null',
  ];
}

function relayLines(node) {
  return [
    `Nickname ${node.nick}`,
    'Address 127.0.0.1',
    `ORPort 127.0.0.1:${node.orPort}`,
    // Only authorities serve directory data: a relay that is a cache but has not yet fetched
    // every microdescriptor makes bootstrapping clients stall 10-20 s at "Loading relay descriptors".
    ...(node.auth ? [`DirPort 127.0.0.1:${node.dirPort}`] : ['DirCache 0']),
    'AssumeReachable 1',
    'ExitRelay 0',
    'ExitPolicy reject *:*',
    'SocksPort 0',
    `ContactInfo ${node.nick}@tornet.test`,
  ];
}

const AUTHORITY_LINES = [
  'AuthoritativeDirectory 1',
  'V3AuthoritativeDirectory 1',
  // Fast voting so the first consensus appears within seconds.
  'TestingV3AuthInitialVotingInterval 5',
  'TestingV3AuthInitialVoteDelay 2',
  'TestingV3AuthInitialDistDelay 2',
  'V3AuthVotingInterval 10',
  'V3AuthVoteDelay 2',
  'V3AuthDistDelay 2',
  // Otherwise the first consensus marks only some relays Stable and clients stall 15-17 s.
  'AuthDirVoteStableGuaranteeMinUptime 0',
  'AuthDirVoteStableGuaranteeMTBF 0',
];

function processLines(dataDir, ownerPid) {
  const lines = [
    `DataDirectory ${dataDir}`,
    'RunAsDaemon 0',
    `Log notice file ${join(dataDir, 'notice.log')}`,
    `PidFile ${join(dataDir, 'pid')}`,
  ];
  // tor polls this PID every 15 s and exits when it is gone, so a crashed test run
  // cannot leave orphans behind. Not used by the detached CLI network.
  if (ownerPid) lines.push(`__OwningControllerProcess ${ownerPid}`);
  return lines;
}

/** Ask an authority's DirPort for its current consensus (of the given flavor) and count the relays in it. */
function consensusRelayCount(dirPort, flavor = 'consensus') {
  return new Promise((res) => {
    const req = request(
      { host: '127.0.0.1', port: dirPort, path: `/tor/status-vote/current/${flavor}`, timeout: 2000 },
      (resp) => {
        if (resp.statusCode !== 200) {
          resp.resume();
          res(0);
          return;
        }
        let body = '';
        resp.setEncoding('utf8');
        resp.on('data', (c) => (body += c));
        resp.on('end', () => res(body.split('\n').filter((l) => l.startsWith('r ')).length));
        resp.on('error', () => res(0));
      },
    );
    req.on('error', () => res(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when /proc says the PID is (still) a tor process, so a reused PID is never killed. */
function looksLikeTor(pid) {
  try {
    return /(^|\/)tor\0/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
  } catch {
    return isAlive(pid); // no /proc: trust the recorded PID
  }
}

/**
 * Stop processes by PID: SIGTERM, wait up to `graceMs`, then SIGKILL whatever is left.
 * tor 0.4.9 sometimes deadlocks on exit, so the SIGKILL step is not optional.
 * @param {number[]} pids - Process ids recorded when the processes were started.
 * @param {number} graceMs - How long to wait between SIGTERM and SIGKILL.
 * @returns {Promise<void>} Resolves once every PID is gone (or unkillable).
 */
export async function killPids(pids, graceMs = KILL_GRACE_MS) {
  const mine = pids.filter((p) => Number.isInteger(p) && p > 0 && isAlive(p) && looksLikeTor(p));
  for (const p of mine) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && mine.some(isAlive)) await sleep(100);
  for (const p of mine.filter(isAlive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const hard = Date.now() + 2000;
  while (Date.now() < hard && mine.some(isAlive)) await sleep(50);
}

/** The first port of the kernel's ephemeral range: the kernel picks outgoing connections' ports from there. */
function ephemeralLow() {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST_PORT + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Listens on 127.0.0.1:port: the server, or undefined when the port is taken (or not ours to bind). */
function probe(port) {
  return new Promise((resolveProbe) => {
    const srv = createServer();
    srv.once('error', () => resolveProbe(undefined));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolveProbe(srv));
  });
}

/**
 * `count` distinct TCP ports on 127.0.0.1, each free a moment ago (bind-probed, every probe held until all
 * are chosen, so no two are the same). They are drawn at random below the kernel's ephemeral range, so an
 * outgoing connection of any process never lands on one before tor binds it; another run choosing at the
 * same moment could, which is why startTorNetwork retries a network whose tor could not bind.
 * @param {number} count - How many ports.
 * @returns {Promise<number[]>}
 */
export async function freeLoopbackPorts(count) {
  const high = ephemeralLow() - 1;
  const held = new Map(); // port -> probe server
  try {
    for (let tries = 0; held.size < count; tries++) {
      if (tries > 100 * count) throw new Error(`tornet: found only ${held.size} of ${count} free ports in ${LOWEST_PORT}..${high}`);
      const port = randomInt(LOWEST_PORT, high + 1);
      if (held.has(port)) continue;
      const srv = await probe(port);
      if (srv) held.set(port, srv);
    }
    return [...held.keys()];
  } finally {
    await Promise.all([...held.values()].map((srv) => new Promise((r) => srv.close(r))));
  }
}

/** A tor's own words when a port it was given is taken. */
const BIND_FAILED = /Could not bind to|Address already in use|Failed to bind one of the listener ports/;

/**
 * Start a private Tor network on 127.0.0.1 and wait until its client tor is bootstrapped.
 * Every port (each relay's ORPort, each authority's DirPort, the client's SocksPort) is chosen free at run
 * time (freeLoopbackPorts), so two runs on one machine never collide; when a tor still finds its port taken
 * (a race with another run), the whole network is started again on new ports, up to 4 times.
 * With `basePort`, a fixed layout instead, for manual runs (`tornet.mjs start --base-port N`): node i
 * (authorities first) gets ORPort basePort+2i, authorities DirPort basePort+2i+1, the client
 * SocksPort basePort+50; a taken port then fails the start.
 * @param {object} opts
 * @param {string} opts.dir - Working directory; only `<dir>/nodes` and `<dir>/pids.json` are written.
 * @param {number} [opts.basePort] - A fixed first port instead of free ones (default: free ports).
 * @param {(count: number, attempt: number) => Promise<number[]>} [opts.choosePorts] - How free ports are
 *   chosen (default freeLoopbackPorts); a test gives a taken port on the first attempt to prove the retry.
 * @param {number} [opts.relays] - Non-authority, non-exit relays besides the 3 authorities (default 3).
 * @param {(msg: string) => void} [opts.onProgress] - Human-readable progress messages.
 * @param {number} [opts.timeoutMs] - Client bootstrap deadline (default 120 s).
 * @param {string} [opts.torBinary] - Path to tor; default PATH, /usr/sbin/tor, /usr/bin/tor.
 * @param {boolean} [opts.detached] - Let tor outlive this process (CLI mode).
 * @returns {Promise<{socksPort: number, dirAuthorityLines: string[], extraTorrc: string, torBinary: string, stop: () => Promise<void>, pids: number[]}>}
 * @throws {Error} When tor is missing, a tor exits early, or bootstrap times out (with log tail).
 */
export async function startTorNetwork({
  dir,
  basePort,
  choosePorts = (count) => freeLoopbackPorts(count),
  relays = 3,
  onProgress = () => {},
  timeoutMs = 120_000,
  torBinary,
  detached = false,
} = {}) {
  if (!dir) throw new Error('tornet: dir is required');
  if (basePort !== undefined && (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65000)) {
    throw new Error(`tornet: bad basePort ${basePort}`);
  }
  if (!Number.isInteger(relays) || relays < 0 || 2 * (AUTHORITIES + relays) > 50) {
    throw new Error(`tornet: relays must be 0..${25 - AUTHORITIES} (ports basePort..basePort+49 are for relays)`);
  }
  const { tor, gencert } = requireTorBinaries(torBinary);
  const root = resolve(dir);
  const pidsFile = join(root, 'pids.json');

  const previous = await readPidsFile(root);
  if (previous && previous.pids.some((p) => isAlive(p) && looksLikeTor(p))) {
    throw new Error(`tornet: a network from ${pidsFile} is still running; stop it first`);
  }
  const total = AUTHORITIES + relays;
  // Ports in launch order: each node's ORPort then (authorities) its DirPort, then the client's SocksPort.
  const portCount = 2 * AUTHORITIES + relays + 1;
  const fixedLayout = () => {
    const ports = [];
    for (let i = 0; i < total; i++) ports.push(basePort + 2 * i, ...(i < AUTHORITIES ? [basePort + 2 * i + 1] : []));
    return [...ports, basePort + 50];
  };
  for (let attempt = 1; ; attempt++) {
    const ports = basePort !== undefined ? fixedLayout() : await choosePorts(portCount, attempt);
    try {
      return await startOnce({ root, ports, relays, onProgress, timeoutMs, tor, gencert, detached, basePort });
    } catch (err) {
      if (basePort !== undefined || attempt >= PORT_ATTEMPTS || !BIND_FAILED.test(String(err?.message))) throw err;
      onProgress(`a port was taken before tor bound it (attempt ${attempt}); starting again on other free ports`);
    }
  }
}

/** One start of the network on the given ports (see startTorNetwork); stops every tor it started on failure. */
async function startOnce({ root, ports, relays, onProgress, timeoutMs, tor, gencert, detached, basePort }) {
  const nodesDir = join(root, 'nodes');
  const pidsFile = join(root, 'pids.json');
  // Old keys and cached consensuses from an earlier network would poison the new one.
  await rm(nodesDir, { recursive: true, force: true });
  await mkdir(nodesDir, { recursive: true, mode: 0o700 });

  const t0 = Date.now();
  const total = AUTHORITIES + relays;
  const free = [...ports];
  const nodes = Array.from({ length: total }, (_, i) => {
    const auth = i < AUTHORITIES;
    const nick = auth ? `auth${i}` : `relay${i - AUTHORITIES}`;
    const orPort = free.shift();
    return { nick, auth, orPort, dirPort: auth ? free.shift() : undefined, dataDir: join(nodesDir, nick) };
  });
  const client = { nick: 'client', socksPort: free.shift(), dataDir: join(nodesDir, 'client') };

  // Keys: authority certificates via tor-gencert, relay identities via --list-fingerprint.
  const emptyDefaults = join(nodesDir, 'empty-defaults.torrc');
  await writeFile(emptyDefaults, '');
  await Promise.all(
    [...nodes, client].map(async (n) => {
      await mkdir(n.dataDir, { recursive: true, mode: 0o700 });
      await chmod(n.dataDir, 0o700);
    }),
  );
  await Promise.all(
    nodes.map(async (n) => {
      if (n.auth) {
        const keys = join(n.dataDir, 'keys');
        await mkdir(keys, { recursive: true, mode: 0o700 });
        const pass = randomBytes(12).toString('hex');
        await run(
          gencert,
          ['--create-identity-key', '--passphrase-fd', '0', '-m', '12', '-a', `127.0.0.1:${n.dirPort}`,
            '-i', join(keys, 'authority_identity_key'), '-s', join(keys, 'authority_signing_key'),
            '-c', join(keys, 'authority_certificate')],
          { input: `${pass}\n` },
        );
        const cert = await readFile(join(keys, 'authority_certificate'), 'utf8');
        const m = /^fingerprint ([0-9A-F]{40})$/m.exec(cert);
        if (!m) throw new Error(`tornet: no fingerprint in ${n.nick}'s certificate`);
        n.v3ident = m[1];
      }
      const fpTorrc = join(n.dataDir, 'fingerprint.torrc');
      await writeFile(
        fpTorrc,
        [`DataDirectory ${n.dataDir}`, `Nickname ${n.nick}`, 'Address 127.0.0.1', `ORPort 127.0.0.1:${n.orPort}`,
          'GeoIPFile /dev/null', 'GeoIPv6File /dev/null', ''].join('\n'),
      );
      const out = await run(tor, ['--list-fingerprint', '--defaults-torrc', emptyDefaults, '-f', fpTorrc]);
      const m = new RegExp(`^${n.nick} ((?:[0-9A-F]{4} ?){10})$`, 'm').exec(out);
      if (!m) throw new Error(`tornet: no fingerprint for ${n.nick} in:\n${tail(out)}`);
      n.fingerprint = m[1].replace(/ /g, '');
    }),
  );
  const dirAuthorityLines = nodes
    .filter((n) => n.auth)
    .map((n) => `DirAuthority ${n.nick} orport=${n.orPort} no-v2 v3ident=${n.v3ident} 127.0.0.1:${n.dirPort} ${n.fingerprint}`);
  const common = commonLines(dirAuthorityLines);
  const extraTorrc = common.join('\n') + '\n';
  onProgress(`keys ready in ${Date.now() - t0} ms`);

  const ownerPid = detached ? undefined : process.pid;
  for (const n of nodes) {
    n.torrc = join(n.dataDir, 'torrc');
    await writeFile(
      n.torrc,
      [...processLines(n.dataDir, ownerPid), ...common, ...relayLines(n), ...(n.auth ? AUTHORITY_LINES : []), ''].join('\n'),
    );
  }
  client.torrc = join(client.dataDir, 'torrc');
  await writeFile(
    client.torrc,
    [...processLines(client.dataDir, ownerPid), ...common, `SocksPort 127.0.0.1:${client.socksPort}`, ''].join('\n'),
  );

  const pids = [];
  const children = [];
  const exited = new Map(); // nick -> exit description, for early-failure reports
  const recordPids = () =>
    writeFile(pidsFile, JSON.stringify({ pids, socksPort: client.socksPort, ports, basePort, extraTorrc, startedAt: new Date(t0).toISOString() }, null, 2) + '\n');

  const launch = async (n) => {
    const child = spawn(tor, ['--defaults-torrc', emptyDefaults, '-f', n.torrc], {
      // tor says why it could not bind a port on stdout, before its log file is open: keep the last of it.
      stdio: detached ? 'ignore' : ['ignore', 'pipe', 'pipe'],
      detached, // CLI mode: own process group, survives the CLI
    });
    let said = '';
    const keep = (d) => (said = (said + d.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    if (child.pid === undefined) {
      await new Promise((r) => child.once('error', r));
      throw new Error(`tornet: could not start ${tor} for ${n.nick}`);
    }
    child.once('exit', (code, signal) => exited.set(n.nick, { how: `code ${code} signal ${signal}`, said: () => said }));
    if (detached) child.unref();
    pids.push(child.pid);
    children.push(child);
    await recordPids();
  };

  // Killing our tors if this process exits normally; __OwningControllerProcess covers crashes.
  const onExit = () => {
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  if (!detached) process.on('exit', onExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await killPids(pids);
    process.off('exit', onExit);
  };

  const checkExited = async (subset) => {
    for (const n of subset) {
      if (exited.has(n.nick)) {
        const log = await readLog(join(n.dataDir, 'notice.log'));
        const { how, said } = exited.get(n.nick);
        throw new Error(`tornet: ${n.nick} tor exited early (${how}). Last log lines:\n${tail(log || said())}`);
      }
    }
  };

  try {
    for (const n of nodes) await launch(n);
    onProgress(`started ${nodes.length} relays (${AUTHORITIES} authorities)`);

    // The client is started only once every authority (the only directory caches, see
    // relayLines) serves a microdesc consensus listing every relay, so its first fetches find
    // everything. If that takes too long we start the client anyway and let its own deadline decide.
    const consensusDeadline = Date.now() + Math.min(60_000, timeoutMs / 2);
    for (;;) {
      await checkExited(nodes);
      const counts = await Promise.all(nodes.filter((n) => n.auth).map((n) => consensusRelayCount(n.dirPort, 'consensus-microdesc')));
      if (counts.every((c) => c >= total)) {
        onProgress(`every authority serves a consensus listing all ${total} relays after ${Date.now() - t0} ms`);
        break;
      }
      if (Date.now() > consensusDeadline) {
        onProgress(`consensus incomplete (${counts.join('/')} of ${total}); starting client anyway`);
        break;
      }
      await sleep(250);
    }

    await launch(client);
    const clientLog = join(client.dataDir, 'notice.log');
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    for (;;) {
      await checkExited([...nodes, client]);
      const log = await readLog(clientLog);
      const all = [...log.matchAll(/Bootstrapped (\d+)%[^:]*: ?(.*)/g)];
      const top = all.at(-1);
      if (top) {
        const pct = Number(top[1]);
        if (pct !== last) {
          last = pct;
          onProgress(`client bootstrapped ${pct}%: ${top[2]}`);
        }
        if (pct === 100) break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `tornet: client tor did not bootstrap within ${timeoutMs} ms (last ${last}%). ` +
            `Last lines of ${clientLog}:\n${tail(log)}`,
        );
      }
      await sleep(200);
    }
    onProgress(`network ready after ${Date.now() - t0} ms`);
  } catch (err) {
    await stop();
    throw err;
  }

  return { socksPort: client.socksPort, dirAuthorityLines, extraTorrc, torBinary: tor, stop, pids: [...pids] };
}

async function readPidsFile(root) {
  try {
    return JSON.parse(await readFile(join(root, 'pids.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Stop a network started by the CLI (or any run) using the PIDs recorded in `<dir>/pids.json`.
 * @param {string} dir - The directory given to `start`.
 * @returns {Promise<number>} How many recorded PIDs were still alive.
 */
export async function stopTorNetwork(dir) {
  const info = await readPidsFile(resolve(dir));
  if (!info) return 0;
  const alive = info.pids.filter((p) => isAlive(p) && looksLikeTor(p));
  await killPids(info.pids);
  return alive.length;
}

async function cli(argv) {
  const [cmd, ...rest] = argv;
  const arg = (name) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const dir = arg('--dir') ?? '.tornet';
  if (cmd === 'start') {
    const basePort = arg('--base-port') ? Number(arg('--base-port')) : undefined;
    const net = await startTorNetwork({
      dir,
      ...(basePort ? { basePort } : {}),
      detached: true,
      onProgress: (m) => process.stderr.write(`tornet: ${m}\n`),
    });
    process.stdout.write(`SOCKS port: ${net.socksPort}\nsocks5h://127.0.0.1:${net.socksPort}\n`);
    process.stdout.write(`PIDs (in ${join(resolve(dir), 'pids.json')}): ${net.pids.join(' ')}\n`);
    process.stdout.write(`--- extra torrc for any other tor joining this network ---\n${net.extraTorrc}`);
    process.exit(0); // children are detached and unref'd
  } else if (cmd === 'stop') {
    const n = await stopTorNetwork(dir);
    process.stdout.write(`tornet: stopped ${n} tor process(es)\n`);
  } else {
    process.stderr.write('usage: node packages/test-kit/src/tornet.mjs start|stop [--dir DIR] [--base-port N]\n');
    process.exitCode = 2;
  }
}

if (process.argv[1] && existsSync(process.argv[1]) && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
