// Comrad on the private Tor network: shared by test/tornet/onion-e2e.test.ts and bench/tor.bench.mjs.
// - startOnionOperator: the BUILT comrad-op (`npm run build` first) as an onion service, as an operator runs it;
// - tcpPeersOf / listenersOf / socketInodes / childPids: who is connected to a TCP port, from /proc (Linux);
// - letterRoundTrips: the send → fetch → ack loop timed with the client library.
// Plain ESM JavaScript, like tornet.mjs, so a bench script can import it without a build step.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnOperator } from './processes.mjs';
import { killPids } from './tornet.mjs';

export { COMRAD_BIN, OPERATOR_BIN, requireBuild } from './processes.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The PIDs of a process's children, optionally only those running `comm` (e.g. `tor`), from /proc.
 * @param {number} pid
 * @param {string} [comm]
 * @returns {number[]}
 */
export function childPids(pid, comm) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // "pid (comm) state ppid ...": comm may contain spaces, so split after the last ')'.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === pid && (comm === undefined || name === comm)) out.push(Number(entry));
    } catch {
      /* the process ended while we looked */
    }
  }
  return out;
}

/**
 * Start the built `comrad-op` as an onion service and wait for its start line (`--json`).
 * @param {object} o
 * @param {string} o.dataDir - Operator data directory (keys, LMDB store, `tor/`).
 * @param {string} o.torConfigFile - File with the network's extra torrc lines (`--tor-config`).
 * @param {boolean} [o.onionOnly] - `--onion-only` (default) rather than `--onion`.
 * @param {string} [o.logFile] - `--log FILE` (default `<dataDir>.log`).
 * @param {string[]} [o.args] - More arguments (e.g. `--log-level debug`).
 * @param {number} [o.timeoutMs] - Start-up deadline (default 120 s).
 * @returns {Promise<{pid: number, torPid: number, url: string, onionUrl: string, operatorKey: string, fingerprint: string, targetPort: number, logFile: string, stderr: () => string, startMs: number, stop: () => Promise<void>}>}
 */
export async function startOnionOperator({ dataDir, torConfigFile, onionOnly = true, logFile = `${dataDir}.log`, args = [], timeoutMs = 120_000 }) {
  const t0 = performance.now();
  const { child, started, exited, stderr } = spawnOperator(
    ['--data', dataDir, '--port', '0', onionOnly ? '--onion-only' : '--onion', '--tor-config', torConfigFile, '--json', '--log', logFile, ...args],
    { timeoutMs },
  );
  const stopAll = async () => {
    const tors = child.pid ? childPids(child.pid, 'tor') : [];
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const late = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
    if (late) child.kill('SIGKILL');
    await exited;
    // comrad-op stops its tor (SIGTERM, then SIGKILL after 3 s); make sure, since tor 0.4.9 may hang on exit.
    await killPids(tors, 1000);
  };
  const start = await started.catch(async (err) => {
    await stopAll();
    throw err;
  });
  // The loopback port tor forwards onion traffic to, as comrad-op wrote it into tor's configuration.
  const torrc = await readFile(join(dataDir, 'tor', 'torrc'), 'utf8');
  const m = /^HiddenServicePort \d+ 127\.0\.0\.1:(\d+)$/m.exec(torrc);
  const tors = childPids(child.pid, 'tor');
  if (!m || tors.length !== 1) {
    await stopAll();
    throw new Error(`comrad-op runs ${tors.length} tor children and its torrc ${m ? 'has' : 'lacks'} a HiddenServicePort line`);
  }
  return {
    pid: child.pid,
    torPid: tors[0],
    url: start.url,
    onionUrl: start.onionUrl,
    operatorKey: start.operatorKey,
    fingerprint: start.fingerprint,
    targetPort: Number(m[1]),
    logFile,
    stderr,
    startMs: performance.now() - t0,
    stop: stopAll,
  };
}

/** "0100007F:1F90" (kernel byte order) → { address: '127.0.0.1', port: 8080 }; IPv6 in the same way. */
function parseEndpoint(hex) {
  const [addr, port] = hex.split(':');
  let address;
  if (addr.length === 8) {
    address = [3, 2, 1, 0].map((i) => parseInt(addr.slice(i * 2, i * 2 + 2), 16)).join('.');
  } else {
    // Four 32-bit words, each in host (little-endian) order.
    const bytes = [];
    for (let w = 0; w < 4; w++) for (const i of [3, 2, 1, 0]) bytes.push(parseInt(addr.slice(w * 8 + i * 2, w * 8 + i * 2 + 2), 16));
    const v4mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
    address = v4mapped
      ? `::ffff:${bytes.slice(12).join('.')}`
      : Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16)).join(':');
  }
  return { address, port: parseInt(port, 16) };
}

/**
 * Every TCP socket in this network namespace (IPv4 and IPv6), from /proc/net/tcp{,6}.
 * @returns {{local: {address: string, port: number}, remote: {address: string, port: number}, state: string, inode: string}[]}
 */
export function tcpSockets() {
  const out = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      // st: 01 ESTABLISHED, 0A LISTEN (include/net/tcp_states.h).
      out.push({ local: parseEndpoint(f[1]), remote: parseEndpoint(f[2]), state: f[3] === '01' ? 'ESTABLISHED' : f[3] === '0A' ? 'LISTEN' : f[3], inode: f[9] });
    }
  }
  return out;
}

/**
 * The inodes of the sockets a process holds open (from /proc/PID/fd).
 * @param {number} pid
 * @returns {Set<string>}
 */
export function socketInodes(pid) {
  const out = new Set();
  let fds = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/**
 * Who is connected to `port` right now: the client end of every established connection to it, with
 * the PID holding that end (checked among `pids`; `undefined` when none of them holds it).
 * @param {number} port - The server port.
 * @param {number[]} pids - Candidate owners of the client ends.
 * @returns {{address: string, port: number, pid: number | undefined}[]}
 */
export function tcpPeersOf(port, pids) {
  const established = () => tcpSockets().filter((s) => s.state === 'ESTABLISHED' && s.remote.port === port && s.local.port !== port);
  // Sockets first, owners second: a socket listed here existed before its owner's fds were read, so a
  // connection opened meanwhile cannot show up ownerless.
  const sockets = established();
  const owners = pids.map((pid) => ({ pid, inodes: socketInodes(pid) }));
  const ownerOf = (inode) => owners.find((o) => o.inodes.has(inode))?.pid;
  // A socket closed between the two reads has no owner any more; it is reported only if it still exists
  // (then it really belongs to none of `pids`).
  const stillOpen = new Set(sockets.some((s) => ownerOf(s.inode) === undefined) ? established().map((s) => s.inode) : []);
  return sockets
    .filter((s) => ownerOf(s.inode) !== undefined || stillOpen.has(s.inode))
    .map((s) => ({ ...s.local, pid: ownerOf(s.inode) }));
}

/**
 * The listening sockets a process holds.
 * @param {number} pid
 * @returns {{address: string, port: number}[]}
 */
export function listenersOf(pid) {
  const inodes = socketInodes(pid);
  return tcpSockets()
    .filter((s) => s.state === 'LISTEN' && inodes.has(s.inode))
    .map((s) => s.local);
}

/**
 * The p-th percentile (nearest rank) of some numbers.
 * @param {number[]} xs
 * @param {number} p - 0..100
 * @returns {number}
 */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * Time `n` letters to oneself: `send` (a fresh anonymous connection each, so over Tor a fresh circuit),
 * then `inbox` (fetch → verify → store → ack on the logged-in session). Two warm-up rounds are not counted.
 * Rounds are `pauseMs` apart (not timed) so that the Operator's per-connection request rate limit
 * (LIMIT-*, 50/s by default) is never what is measured.
 * @param {import('@comrad/client-node').Comrade} comrade - Logged in.
 * @param {number} n
 * @param {number} [pauseMs]
 * @returns {Promise<{send: number[], inbox: number[], total: number[]}>} Milliseconds per round.
 */
export async function letterRoundTrips(comrade, n, pauseMs = 100) {
  const me = comrade.identity?.name;
  if (!me) throw new Error('letterRoundTrips needs a logged-in Comrade');
  const out = { send: [], inbox: [], total: [] };
  for (let i = -2; i < n; i++) {
    const text = `round trip ${i} ${Math.random().toString(36).slice(2)}`;
    const t0 = performance.now();
    await comrade.send(me, text);
    const t1 = performance.now();
    const { received } = await comrade.inbox();
    const t2 = performance.now();
    if (!received.some((l) => l.text === text && l.from === me)) throw new Error(`round ${i}: the letter did not come back`);
    await sleep(pauseMs);
    if (i < 0) continue;
    out.send.push(t1 - t0);
    out.inbox.push(t2 - t1);
    out.total.push(t2 - t0);
  }
  return out;
}
