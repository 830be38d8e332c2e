// End-to-end test of the Operator's onion service and the client's own tor on a private Tor network
// running on 127.0.0.1 (real tor processes, no mocks). Needs the Debian package `tor`.
import { chmod, mkdir, mkdtemp, readFile, rm, stat, chown, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { findExecutable, freeLoopbackPorts, startTorNetwork, type TorNetwork } from '@comrad/test-kit/tornet';
import { TorError } from '@comrad/core/node';
import { startOnionService, type OnionService } from '@comrad/operator';
import { startTorClient, type TorClient } from '@comrad/client-node';

const ONION_V3 = /^[a-z2-7]{56}\.onion$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

let work: string;
let net: TorNetwork | undefined;
let echo: WebSocketServer;
let echoPort: number;
const remoteAddresses = new Set<string>();
let onion: OnionService | undefined;
let onionAddress = '';
let client: TorClient | undefined;
const timings: Record<string, string> = {};
let networkStart = 0;
/** The ports the network was given at each attempt, and what it said while starting. */
const portAttempts: number[][] = [];
const networkProgress: string[] = [];

/** Open a WebSocket (through a SOCKS agent when given) and resolve once it is open. */
function open(url: string, agent?: SocksProxyAgent, timeoutMs = 15_000): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...(agent ? { agent } : {}), handshakeTimeout: timeoutMs });
    ws.once('open', () => resolve(ws));
    ws.once('error', (err) => {
      ws.terminate();
      reject(err);
    });
  });
}

/** Send one message and wait for its echo; resolves with the round-trip time in ms. */
function roundTrip(ws: WebSocket, payload: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const onMessage = (data: RawData) => {
      ws.off('error', reject);
      if (data.toString() === payload) resolve(performance.now() - t);
      else reject(new Error(`echo mismatch: ${data.toString()}`));
    };
    ws.once('message', onMessage);
    ws.once('error', reject);
    ws.send(payload);
  });
}

/** Retry every 0.5 s until the onion service answers (its descriptor may not be published yet). */
async function openWithRetry(url: string, agent: SocksProxyAgent, overallMs = 90_000): Promise<WebSocket> {
  const deadline = Date.now() + overallMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      return await open(url, agent);
    } catch (err) {
      lastErr = err;
      await sleep(500);
    }
  }
  throw new Error(`onion service ${url} unreachable after ${overallMs} ms: ${String(lastErr)}`);
}

async function echoMedian(ws: WebSocket, n = 20): Promise<number> {
  const rtts: number[] = [];
  for (let i = 0; i < n; i++) rtts.push(await roundTrip(ws, `ping ${i} ${'x'.repeat(64)}`));
  return median(rtts);
}

async function expectTorError(p: Promise<unknown>, code: string): Promise<TorError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected TorError ${code}`).toBeInstanceOf(TorError);
  expect((err as TorError).code, (err as Error).message).toBe(code);
  expect((err as TorError).name).toBe('TorError');
  return err as TorError;
}

beforeAll(async () => {
  if (!findExecutable('tor', ['/usr/sbin/tor', '/usr/bin/tor']) || !findExecutable('tor-gencert', ['/usr/bin/tor-gencert'])) {
    throw new Error('tor is not installed: run `apt-get update && apt-get install -y tor` (this test needs tor and tor-gencert)');
  }
  work = await mkdtemp(join(tmpdir(), 'comrad-tornet-'));

  echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => echo.once('listening', () => r()));
  echoPort = (echo.address() as { port: number }).port;
  echo.on('connection', (ws, req) => {
    remoteAddresses.add(req.socket.remoteAddress ?? '?');
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });

  const t0 = (networkStart = performance.now());
  // Every port is chosen free at run time; the first attempt is handed a port already taken (the echo
  // server's), as when another run binds it between the choice and tor's bind, to prove the retry.
  net = await startTorNetwork({
    dir: join(work, 'net'),
    choosePorts: async (count, attempt) => {
      const ports = await freeLoopbackPorts(count);
      if (attempt === 1) ports[0] = echoPort;
      portAttempts.push(ports);
      return ports;
    },
    onProgress: (m) => {
      networkProgress.push(m);
      console.log(`[tornet] ${m}`);
    },
  });
  timings['network bootstrap (keys → client 100%, one retry on a taken port)'] = ms(performance.now() - t0);
}, 240_000);

afterAll(async () => {
  await client?.stop();
  await onion?.stop();
  await net?.stop();
  await new Promise<void>((r) => (echo ? echo.close(() => r()) : r()));
  console.log('[tornet] measured timings:\n' + Object.entries(timings).map(([k, v]) => `  ${k}: ${v}`).join('\n'));
  if (work) await rm(work, { recursive: true, force: true });
}, 30_000);

describe('private Tor network', () => {
  it('(ports) takes every port free at run time, and starts again on other free ports when one was taken', async () => {
    expect(portAttempts).toHaveLength(2);
    expect(networkProgress.some((m) => m.startsWith('a port was taken before tor bound it (attempt 1)'))).toBe(true);
    const [, used] = portAttempts as [number[], number[]];
    expect(used).not.toContain(echoPort);
    expect(new Set(used).size).toBe(used.length);
    expect(used.at(-1)).toBe(net!.socksPort);
    // Chosen below the kernel's ephemeral range, where no outgoing connection takes them.
    const low = Number((await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/)[0]);
    for (const port of used) expect(port).toBeLessThan(low);
  });

  it('(a) starts an onion service in front of a loopback ws server', async () => {
    const t = performance.now();
    const progress: number[] = [];
    onion = await startOnionService({
      dataDir: join(work, 'operator-tor'),
      targetPort: echoPort,
      extraTorrc: net!.extraTorrc,
      onProgress: (p) => progress.push(p),
    });
    timings['onion service tor bootstrap'] = ms(performance.now() - t);
    onionAddress = onion.onionAddress;
    expect(onionAddress).toMatch(ONION_V3);
    expect(progress.at(-1)).toBe(100);
    const mode = (await stat(join(work, 'operator-tor', 'hidden_service'))).mode & 0o777;
    expect(mode).toBe(0o700);
  }, 150_000);

  it('(b, c) reaches the onion through the SOCKS proxy; the server sees only loopback peers', async () => {
    const agent = new SocksProxyAgent(`socks5h://127.0.0.1:${net!.socksPort}`);
    const t = performance.now();
    const ws = await openWithRetry(`ws://${onionAddress}/`, agent);
    await roundTrip(ws, 'hello');
    timings['first successful onion request (after service ready)'] = ms(performance.now() - t);
    timings['first successful onion request (since first tor launched)'] = ms(performance.now() - networkStart);

    timings['echo RTT median over onion (20 msgs)'] = ms(await echoMedian(ws));
    ws.close();
    const t2 = performance.now();
    const ws2 = await open(`ws://${onionAddress}/`, agent);
    timings['second onion connection open'] = ms(performance.now() - t2);
    ws2.close();

    const direct = await open(`ws://127.0.0.1:${echoPort}/`);
    timings['echo RTT median direct loopback (20 msgs)'] = ms(await echoMedian(direct));
    direct.close();

    expect(remoteAddresses.size).toBeGreaterThan(0);
    for (const a of remoteAddresses) expect(a).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  }, 120_000);

  it('(d) keeps the same .onion address across a restart and repairs loose permissions', async () => {
    await onion!.stop();
    onion = undefined;
    const dataDir = join(work, 'operator-tor');
    // Simulate a careless restore: world-writable directories must be repaired, not rejected.
    await chmod(dataDir, 0o777);
    await chmod(join(dataDir, 'hidden_service'), 0o777);
    onion = await startOnionService({ dataDir, targetPort: echoPort, extraTorrc: net!.extraTorrc });
    expect(onion.onionAddress).toBe(onionAddress);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'hidden_service'))).mode & 0o777).toBe(0o700);
  }, 150_000);

  it('(e) a client tor of our own bootstraps and reaches the onion', async () => {
    const t = performance.now();
    client = await startTorClient({ dataDir: join(work, 'client-tor'), extraTorrc: net!.extraTorrc });
    timings['client tor bootstrap'] = ms(performance.now() - t);
    expect(client.socksUrl).toMatch(/^socks5h:\/\/127\.0\.0\.1:\d+$/);
    const t2 = performance.now();
    const ws = await openWithRetry(`ws://${onionAddress}/`, new SocksProxyAgent(client.socksUrl));
    expect(await roundTrip(ws, 'via own tor')).toBeGreaterThan(0);
    timings['own client tor: first onion request (restarted service)'] = ms(performance.now() - t2);
    ws.close();
  }, 200_000);

  describe('(f) errors', () => {
    it('missing binary → TOR_MISSING', async () => {
      const err = await expectTorError(
        startOnionService({ dataDir: join(work, 'e-missing'), targetPort: echoPort, torBinary: join(work, 'no-such-tor') }),
        'TOR_MISSING',
      );
      expect(err.message).toContain('install the Debian package `tor`');
      await expectTorError(startTorClient({ dataDir: join(work, 'e-missing2'), torBinary: '/nonexistent/tor' }), 'TOR_MISSING');
    });

    it('taken SocksPort → TOR_PORT_IN_USE (our pre-check and tor’s own bind error)', async () => {
      const taken = net!.socksPort;
      await expectTorError(
        startTorClient({ dataDir: join(work, 'e-port'), socksPort: taken, extraTorrc: net!.extraTorrc }),
        'TOR_PORT_IN_USE',
      );
      // Bypass the pre-check: tor itself fails to bind and we classify its log.
      const err = await expectTorError(
        startTorClient({ dataDir: join(work, 'e-port2'), extraTorrc: `${net!.extraTorrc}SocksPort 127.0.0.1:${taken}\n` }),
        'TOR_PORT_IN_USE',
      );
      expect(err.logTail.join('\n')).toContain('Address already in use');
    }, 30_000);

    it('unusable data directory → TOR_DATA_DIR', async () => {
      const file = join(work, 'not-a-dir');
      await writeFile(file, 'x');
      await expectTorError(startOnionService({ dataDir: file, targetPort: echoPort }), 'TOR_DATA_DIR');
      if (process.getuid?.() === 0) {
        const foreign = join(work, 'foreign');
        await mkdir(foreign, { mode: 0o700 });
        await chown(foreign, 65534, 65534);
        await expectTorError(startTorClient({ dataDir: foreign, extraTorrc: net!.extraTorrc }), 'TOR_DATA_DIR');
      }
    });

    it('a second tor on the same data directory → TOR_DATA_DIR', async () => {
      // tor waits 5 s for the running instance to release its lock, then gives up.
      const err = await expectTorError(
        startOnionService({ dataDir: join(work, 'operator-tor'), targetPort: echoPort, extraTorrc: net!.extraTorrc }),
        'TOR_DATA_DIR',
      );
      expect(err.message).toContain('another Tor process is running with the same data directory');
    }, 30_000);

    it('bad torrc → TOR_EXITED with tor’s last log lines', async () => {
      const err = await expectTorError(
        startTorClient({ dataDir: join(work, 'e-exit'), extraTorrc: `${net!.extraTorrc}NoSuchTorOption 1\n` }),
        'TOR_EXITED',
      );
      expect(err.message).toContain('NoSuchTorOption');
    }, 30_000);

    it('no reachable authority → TOR_TIMEOUT', async () => {
      // A test network whose only authority is a dead loopback port never bootstraps.
      const dead = 'TestingTorNetwork 1\nDirAuthority dead orport=9 no-v2 v3ident=' + 'A'.repeat(40) + ' 127.0.0.1:9 ' + 'B'.repeat(40) + '\n';
      const err = await expectTorError(
        startTorClient({ dataDir: join(work, 'e-timeout'), extraTorrc: dead, timeoutMs: 3_000 }),
        'TOR_TIMEOUT',
      );
      expect(err.message).toMatch(/did not finish bootstrapping within 3000 ms/);
    }, 30_000);
  });
});
