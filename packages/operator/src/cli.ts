#!/usr/bin/env node
/**
 * `comrad-op`: runs an Operator, or prints its public key (`comrad-op key`).
 *
 * ```sh
 * comrad-op [--data ./data] [--port 7077] [--host 127.0.0.1] [--store lmdb|redis|memory] [--redis URL]
 *           [--redis-cluster] [--redis-allow-data-loss] [--storage-bytes N]
 *           [--passphrase-file F] [--json] [--log FILE] [--onion | --onion-only] [--tor-config FILE] [--tor-binary PATH]
 *           [--metrics HOST:PORT [--metrics-allow-remote]] [--workers N]
 * comrad-op key --data DIR [--json]
 * ```
 * @module
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { backendName, ready } from '@comrad/core';
import { loadOrCreateKeys, readPublicInfo, type OperatorPublicInfo } from './keys.js';
import { resolveLimits, workerShare, type ServerLimits } from './limits.js';
import { createLogger, safeError } from './log.js';
import type { MetricsServer, OperatorMetrics } from './metrics.js';
import { startOperator } from './server.js';
import { openStore, type StoreOptions } from './store/index.js';
import { findTorBinary } from '@comrad/core/node';
import { startOnionService, TorError, type OnionService } from './tor/onion-service.js';
import { PrimaryLink, isWorker, startWorkers, type Workers } from './workers.js';

interface ServeOptions {
  data: string;
  port: string;
  host: string;
  store: string;
  redis?: string;
  redisPrefix?: string;
  redisAllowDataLoss?: boolean;
  redisCluster?: boolean;
  storageBytes?: string;
  passphraseFile?: string;
  json?: boolean;
  log?: string;
  logLevel: string;
  limit: string[];
  sweepSeconds: string;
  onion?: boolean;
  onionOnly?: boolean;
  torConfig?: string;
  torBinary?: string;
  torTimeout?: string;
  metrics?: string;
  metricsAllowRemote?: boolean;
  workers?: string;
  tokenBudget?: string;
  sendToken?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Runs the CLI with `argv` (as `process.argv`). */
async function main(argv: string[]): Promise<void> {
  const program = new Command('comrad-op')
    // CLI-6: commander's own mistakes (unknown option, missing value) are usage errors, exit 2, in the
    // same one-line form as ours; `key`'s options are its own (`--data` after `key` is key's).
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .enablePositionalOptions()
    .version(packageVersion(), '--version', 'print the version and exit')
    .description('Run a Comrad Operator: the relay (registry, mailboxes, world feed) over WebSocket')
    .option('--data <dir>', 'data directory (keys, LMDB store, tor)', './data')
    .option('--port <port>', 'TCP port (0 = any free port)', '7077')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--store <kind>', 'lmdb | redis | memory', 'lmdb')
    .option('--redis <url>', 'Redis URL for --store redis (several Operator processes may share it)')
    .option('--redis-prefix <prefix>', 'key prefix in Redis')
    .option(
      '--redis-allow-data-loss',
      'run on a Redis that can lose acknowledged writes (no AOF, or appendfsync other than always): registrations and letters may vanish',
    )
    .option('--redis-cluster', '--redis names one node of a Redis Cluster (every Operator on the cluster finds the rest from it)')
    .option('--storage-bytes <n>', 'most bytes of letters and posts the store holds; more are refused with STORAGE_FULL (default 8 GiB)')
    .option('--passphrase-file <file>', 'file whose first line is the key passphrase (else $COMRAD_OPERATOR_PASSPHRASE)')
    .option('--json', 'print the start line as one JSON object')
    .option('--log <file>', 'append JSON logs to this file instead of stderr')
    .option('--log-level <level>', 'pino log level', 'info')
    .option('--limit <key=value>', 'override a limit, e.g. --limit mailboxItems=500 (repeatable)', collect, [])
    .option('--sweep-seconds <n>', 'how often expired mail and posts are deleted', '60')
    .option('--token-budget <n>', 'unlinkable tokens each comrade may obtain per day, 0..100 (default 32; spec/15-tokens.md TOK-9)')
    .option('--send-token <rule>', 'accept: a letter may be paid with a token instead of proof of work; require: every letter needs one (TOK-11)', 'accept')
    .option('--onion', 'also serve as a Tor onion service (keys in <data>/tor)')
    .option('--onion-only', 'serve only as a Tor onion service (listen on loopback only)')
    .option('--tor-config <file>', 'extra torrc lines for the onion service (e.g. a private test network)')
    .option('--tor-binary <path>', 'the tor executable (default: tor on PATH, /usr/sbin/tor, /usr/bin/tor)')
    .option('--tor-timeout <seconds>', 'how long tor may take to bootstrap and publish the onion service (default 120)')
    .option('--metrics <host:port>', 'serve Prometheus metrics at /metrics and a health check at /healthz, e.g. 127.0.0.1:9464 (port 0 = any free port)')
    .option('--metrics-allow-remote', 'let --metrics listen on an address that is not loopback (the metrics show when requests happen: traffic timing)')
    .option('--workers <n>', 'Operator processes sharing the port and the store (default: one per core; 1 for --store memory)')
    .addHelpText('after', '\nExit codes: 0 ok (also after SIGTERM/SIGINT), 1 error, 2 usage, 3 tor could not bootstrap in time.')
    .action((o: ServeOptions) => serve(o));
  program
    .command('key')
    .description("print the Operator's public key and fingerprint (no passphrase needed)")
    .option('--data <dir>', 'data directory', './data')
    .option('--json', 'print one JSON object')
    .action((o: { data: string; json?: boolean }) => keyCommand(o));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version end here, successfully; a usage mistake becomes our own usage error.
    if (err.exitCode === 0) process.exit(0);
    throw new UsageError(err.message.replace(/^error: /, '') + ' (see comrad-op --help)');
  }
}

async function serve(o: ServeOptions): Promise<void> {
  // OP-8: a worker forked by the primary runs this same command line; it takes its keys from the primary.
  if (isWorker()) return serveWorker(o);
  const dataDir = resolve(o.data);
  const workers = workerCount(o);
  const port = parseInteger(o.port, 'port', 0, 65535);
  const onion = Boolean(o.onion || o.onionOnly);
  // --onion-only: nothing but tor may reach the Operator, so it listens on loopback only.
  if (o.onionOnly && !isLoopback(o.host)) fail(`--onion-only listens on loopback only; --host ${o.host} is not a loopback address`);
  // --onion: also reachable directly on --host; tor reaches the Operator on 127.0.0.1, so the listener
  // must cover loopback (a loopback address or every address).
  if (o.onion && !o.onionOnly && !isLoopback(o.host) && o.host !== '0.0.0.0' && o.host !== '::') {
    fail(`--onion needs the Operator on loopback for tor: use --host 127.0.0.1 or 0.0.0.0, not ${o.host}`);
  }
  const limits = parseLimits(o.limit, o.storageBytes);
  if (o.sendToken !== 'accept' && o.sendToken !== 'require') fail(`--send-token is accept or require, not ${o.sendToken}`);
  const tokens = { send: o.sendToken as 'accept' | 'require', ...(o.tokenBudget !== undefined ? { budget: parseInteger(o.tokenBudget, 'token-budget', 0, 100) } : {}) };
  const torTimeoutMs = o.torTimeout === undefined ? undefined : parseInteger(o.torTimeout, 'tor-timeout', 1, 3600) * 1000;
  const storeOpts = storeOptions(o, dataDir);
  const metricsAt = o.metrics === undefined ? undefined : parseMetricsAddress(o.metrics, o.metricsAllowRemote === true);
  // TOR-5: a missing tor or an unreadable --tor-config is said before anything is created.
  if (onion) findTorBinary(o.torBinary);
  const extraTorrc = onion && o.torConfig ? await readTorConfig(o.torConfig) : undefined;
  // CLI-8: a busy port is said before the keys are created, so a failed first start leaves no data
  // directory with fresh keys behind.
  if (port !== 0) await assertPortFree(o.onionOnly ? '127.0.0.1' : o.host, port);
  if (metricsAt && metricsAt.port !== 0) await assertPortFree(metricsAt.host, metricsAt.port);
  const log = createLogger({ level: o.logLevel, ...(o.log ? { destination: o.log } : {}) });
  await ready();
  if (workers > 1) return servePrimary(o, { dataDir, port, workers, limits, log, metricsAt, onion, extraTorrc, torTimeoutMs });

  const loaded = await loadKeys(o, dataDir, log);

  const opened = await openStore(storeOpts);
  // LOG-2: with --metrics every store call is timed; the store is the same either way.
  // prom-client is loaded only for --metrics (it is a noticeable part of a start without).
  const metricsModule = metricsAt ? await import('./metrics.js') : undefined;
  const metrics = metricsModule ? new metricsModule.OperatorMetrics() : undefined;
  const store = metrics ? metrics.timeStore(opened) : opened;
  let onionService: OnionService | undefined;
  const op = await startOperator({
    store,
    ...(metrics ? { metrics } : {}),
    keys: loaded.keys,
    host: o.onionOnly ? '127.0.0.1' : o.host,
    port,
    limits,
    logger: log,
    sweepIntervalMs: parseInteger(o.sweepSeconds, 'sweep-seconds', 0, 86_400) * 1000,
    tokens,
  }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });

  let metricsServer: MetricsServer | undefined;
  const { stopping } = stopOnSignals(log, async () => {
    await metricsServer?.close();
    await op.close();
    await onionService?.stop();
    await store.close();
  });

  if (metrics && metricsModule && metricsAt) {
    metrics.watch(op);
    metricsServer = await metricsModule.startMetricsServer({
      metrics,
      ...metricsAt,
      listening: () => !stopping(),
      probeStore: () => opened.storedBytes(),
    }).catch(async (err: unknown) => {
      await op.close();
      await store.close();
      throw err;
    });
  }

  let onionUrl: string | undefined;
  if (onion) {
    let shown = -1;
    onionService = await startOnionService({
      dataDir: join(dataDir, 'tor'),
      targetPort: op.port,
      ...(extraTorrc ? { extraTorrc } : {}),
      ...(o.torBinary ? { torBinary: o.torBinary } : {}),
      ...(torTimeoutMs ? { timeoutMs: torTimeoutMs } : {}),
      onProgress: (percent, summary) => {
        log.info({ event: 'tor-bootstrap', percent });
        // TOR-5: progress for the person starting it (tor's summary names a stage, never a client).
        if (percent !== shown) process.stderr.write(`comrad-op: tor bootstrapped ${(shown = percent)}%: ${summary}\n`);
      },
    }).catch(async (err: unknown) => {
      if (err instanceof TorError) log.error({ event: 'tor-failed', code: err.code, tor: err.logTail.slice(-15) });
      await op.close();
      await store.close();
      throw err;
    });
    onionUrl = `ws://${onionService.onionAddress}`;
  }
  printStart(o.json, o.onionOnly && onionUrl ? onionUrl : op.url, loaded.publicInfo, onionUrl, metricsServer?.url);
}

/**
 * KEYS-1 at start: unlocks (or on the first start creates) the keys, saying loudly when the passphrase
 * had to be generated (KEYS-4).
 */
async function loadKeys(o: ServeOptions, dataDir: string, log: ReturnType<typeof createLogger>) {
  const loaded = await loadOrCreateKeys({
    dataDir,
    ...(o.passphraseFile ? { passphraseFile: o.passphraseFile } : {}),
    // KEYS-4: said loudly, once, on the first start.
    onGeneratedPassphrase: () =>
      log.warn({ event: 'generated-passphrase' }, 'no passphrase given: one was generated into the data directory; the Operator keys are only as safe as that directory'),
  });
  if (loaded.created) log.info({ event: 'keys-created', passphrase: loaded.passphraseSource });
  return loaded;
}

/**
 * OP-8: `--workers N` (N > 1). The primary unlocks the keys once, forks the workers, relays between
 * them (workers.ts), serves the summed metrics and the onion service, and prints the start line once
 * every worker listens. It opens no store and answers no client itself.
 */
async function servePrimary(
  o: ServeOptions,
  c: {
    dataDir: string;
    port: number;
    workers: number;
    limits: Partial<ServerLimits>;
    log: ReturnType<typeof createLogger>;
    metricsAt: { host: string; port: number } | undefined;
    onion: boolean;
    extraTorrc: string | undefined;
    torTimeoutMs: number | undefined;
  },
): Promise<void> {
  const { log } = c;
  const loaded = await loadKeys(o, c.dataDir, log);
  let workers: Workers | undefined;
  let metricsServer: MetricsServer | undefined;
  let onionService: OnionService | undefined;
  let failing = false;
  const { stopping, stop } = stopOnSignals(log, async () => {
    await metricsServer?.close();
    const clean = (await workers?.stop()) ?? true;
    await onionService?.stop();
    return clean && !failing ? 0 : 1;
  });
  workers = await startWorkers({
    count: c.workers,
    keys: loaded.keys,
    maxConnectionsPerName: resolveLimits(c.limits).maxConnectionsPerName,
    onWorkerExit: (worker, code, signal) => log.error({ event: 'worker-exit', worker, code, signal }),
    onGiveUp: () => {
      failing = true;
      log.error({ event: 'workers-failing' });
      void stop('workers-failing');
    },
  });
  const w = workers;
  const host = o.onionOnly ? '127.0.0.1' : o.host;
  if (c.metricsAt) {
    const { startMetricsServer } = await import('./metrics.js');
    metricsServer = await startMetricsServer({
      metrics: { registry: { contentType: w.contentType, metrics: () => w.scrape() } },
      ...c.metricsAt,
      listening: () => !stopping() && w.allUp(),
      probeStore: () => w.probe(),
    }).catch(async (err: unknown) => {
      await w.stop();
      throw err;
    });
  }
  let onionUrl: string | undefined;
  if (c.onion) {
    onionService = await startOnionService({
      dataDir: join(c.dataDir, 'tor'),
      targetPort: w.port,
      ...(c.extraTorrc ? { extraTorrc: c.extraTorrc } : {}),
      ...(o.torBinary ? { torBinary: o.torBinary } : {}),
      ...(c.torTimeoutMs ? { timeoutMs: c.torTimeoutMs } : {}),
      onProgress: (percent, summary) => {
        log.info({ event: 'tor-bootstrap', percent });
        process.stderr.write(`comrad-op: tor bootstrapped ${percent}%: ${summary}\n`);
      },
    }).catch(async (err: unknown) => {
      if (err instanceof TorError) log.error({ event: 'tor-failed', code: err.code, tor: err.logTail.slice(-15) });
      await w.stop();
      throw err;
    });
    onionUrl = `ws://${onionService.onionAddress}`;
  }
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${w.port}`;
  log.info({ event: 'workers-listening', workers: c.workers });
  printStart(o.json, o.onionOnly && onionUrl ? onionUrl : url, loaded.publicInfo, onionUrl, metricsServer?.url);
}

/**
 * OP-8: one worker. Its store is its own connection to the shared one (LMDB environment or Redis),
 * with "you have mail" relayed through the primary where the store does not carry it (STORE-4); the
 * process-wide limits are its share (LIMIT-9); worker 0 alone runs the expiry sweep (OP-8).
 */
async function serveWorker(o: ServeOptions): Promise<void> {
  const link = new PrimaryLink();
  await ready();
  const start = await link.started();
  const log = createLogger({ level: o.logLevel, ...(o.log ? { destination: o.log } : {}) }).child({ worker: start.index });
  const limits = workerShare(resolveLimits(parseLimits(o.limit, o.storageBytes)), start.count);
  const opened = await openStore(storeOptions(o, resolve(o.data)));
  const shared = link.shareMail(opened);
  const metrics: OperatorMetrics | undefined = o.metrics === undefined ? undefined : new (await import('./metrics.js')).OperatorMetrics();
  const store = metrics ? metrics.timeStore(shared) : shared;
  const sweepMs = parseInteger(o.sweepSeconds, 'sweep-seconds', 0, 86_400) * 1000;
  const op = await startOperator({
    store,
    ...(metrics ? { metrics } : {}),
    keys: start.keys,
    host: o.onionOnly ? '127.0.0.1' : o.host,
    port: parseInteger(o.port, 'port', 0, 65535),
    limits,
    logger: log,
    nameSlots: link.nameSlots,
    sweepIntervalMs: start.index === 0 ? sweepMs : 0,
  }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  metrics?.watch(op);
  link.serve(metrics ? () => metrics.registry.getMetricsAsJSON() : undefined, () => opened.storedBytes());
  stopOnSignals(log, async () => {
    await op.close();
    await store.close();
  });
  link.listening(op.port);
}

/**
 * On SIGINT or SIGTERM, once: runs `steps`, flushes the log and exits with the code `steps` returns (0 when
 * none; 1 when a step throws).
 * @returns `stopping()`, true once a stop began, and `stop(reason)` to begin one without a signal
 */
function stopOnSignals(log: ReturnType<typeof createLogger>, steps: () => Promise<number | void>): { stopping: () => boolean; stop: (reason: string) => Promise<void> } {
  let running: Promise<void> | undefined;
  const stop = (reason: string) =>
    (running ??= (async () => {
      log.info({ event: 'stopping', signal: reason });
      const code = (await steps()) ?? 0;
      log.info({ event: 'stopped' });
      await new Promise<void>((done) => log.flush(() => done()));
      process.exit(code);
    })().catch((err: unknown) => {
      log.error({ event: 'stop-error', err: safeError(err) });
      log.flush();
      process.exit(1);
    }));
  // A worker hears SIGTERM twice when a supervisor signals every process of the unit and the primary then
  // signals its workers too (OP-8): the second one must not cut the first one's orderly stop short. One
  // process keeps the default for the second signal, so a second Ctrl-C still ends a stop that hangs.
  const listen = isWorker() ? process.on.bind(process) : process.once.bind(process);
  listen('SIGINT', () => void stop('SIGINT'));
  listen('SIGTERM', () => void stop('SIGTERM'));
  return { stopping: () => running !== undefined, stop };
}

/**
 * OP-8: `--workers`, default one per core; the memory store lives in one process, so it runs one
 * (and refuses more: its data would split between processes that cannot see each other's).
 */
function workerCount(o: ServeOptions): number {
  if (o.workers === undefined) return o.store === 'memory' ? 1 : availableParallelism();
  const n = parseInteger(o.workers, 'workers', 1, 256);
  if (n > 1 && o.store === 'memory') fail('--store memory keeps its data inside one process: it runs with --workers 1 only (use lmdb or redis for more)');
  if (n > 1) {
    try {
      workerShare(resolveLimits(parseLimits(o.limit, o.storageBytes)), n);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  return n;
}

async function keyCommand(o: { data: string; json?: boolean }): Promise<void> {
  await ready();
  const info = await readPublicInfo(resolve(o.data)).catch(() => fail(`no Operator keys in ${resolve(o.data)} (start comrad-op once to create them)`));
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ operatorKey: info.operatorKey.toHex(), fingerprint: info.fingerprint, worldKey: info.worldKey.toHex(), worldFingerprint: info.worldFingerprint })}\n`,
    );
  } else {
    process.stdout.write(
      `operator key       ${info.operatorKey.toHex()}\nfingerprint        ${info.fingerprint}\n` +
        `world key          ${info.worldKey.toHex()}\nworld fingerprint  ${info.worldFingerprint}\n`,
    );
  }
}

function printStart(json: boolean | undefined, url: string, info: OperatorPublicInfo, onionUrl: string | undefined, metricsUrl: string | undefined): void {
  if (json) {
    const line = {
      event: 'listening',
      url,
      operatorKey: info.operatorKey.toHex(),
      fingerprint: info.fingerprint,
      crypto: backendName(),
      ...(onionUrl ? { onionUrl } : {}),
      ...(metricsUrl ? { metricsUrl } : {}),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return;
  }
  process.stdout.write(
    `Comrad Operator listening on ${url}\n` +
      (onionUrl && onionUrl !== url ? `onion service      ${onionUrl}\n` : '') +
      `operator key       ${info.operatorKey.toHex()}\nfingerprint        ${info.fingerprint}\n` +
      `crypto backend     ${backendName()}\n` +
      (metricsUrl ? `metrics            ${metricsUrl}/metrics\n` : ''),
  );
}

function storeOptions(o: ServeOptions, dataDir: string): StoreOptions {
  switch (o.store) {
    case 'lmdb':
      return { kind: 'lmdb', path: join(dataDir, 'store') };
    case 'memory':
      return { kind: 'memory' };
    case 'redis':
      if (!o.redis) fail('--store redis needs --redis URL');
      return { kind: 'redis', url: o.redis, ...(o.redisPrefix ? { prefix: o.redisPrefix } : {}), allowDataLoss: o.redisAllowDataLoss === true, cluster: o.redisCluster === true };
    default:
      return fail(`--store must be lmdb, redis or memory, not ${o.store}`);
  }
}

function parseLimits(pairs: string[], storageBytes: string | undefined): Partial<ServerLimits> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const m = /^(\w+)=(\d+)$/.exec(pair);
    if (!m) fail(`--limit takes key=integer, not ${pair}`);
    out[m[1]!] = Number(m[2]);
  }
  // STORE-2: the one limit with a flag of its own, since every Operator should think about it.
  if (storageBytes !== undefined) {
    if (!/^\d+$/.test(storageBytes)) fail(`--storage-bytes must be an integer, not ${storageBytes}`);
    out.storageBytes = Number(storageBytes);
  }
  try {
    resolveLimits(out);
  } catch (err) {
    fail((err as Error).message);
  }
  return out;
}

function parseInteger(value: string, what: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) fail(`--${what} must be an integer in ${min}..${max}`);
  return n;
}

/** Listens on `host:port` for a moment and lets go: fails as the real start would (in use, not allowed). */
async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((done, failed) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      failed(new Error(err.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (another comrad-op?); nothing was created` : `cannot listen on ${host}:${port} (${err.code ?? err.message}); nothing was created`)),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => done()));
  });
}

/**
 * `--metrics HOST:PORT` (`[::1]:PORT` for IPv6). LOG-3: loopback only unless `allowRemote`: the metrics
 * carry no name, but their counters and histograms show when requests happen and how long they take, and
 * timing is what ties a sender to a recipient for someone who also watches the network.
 */
function parseMetricsAddress(value: string, allowRemote: boolean): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d+)$/.exec(value);
  if (!m) fail(`--metrics takes HOST:PORT (e.g. 127.0.0.1:9464), not ${value}`);
  const host = m[1] ?? m[2]!;
  const port = parseInteger(m[3]!, 'metrics port', 0, 65535);
  if (!allowRemote && !isLoopback(host)) {
    fail(`--metrics ${value} is not a loopback address; metrics show when requests happen (traffic timing), so they stay on loopback unless --metrics-allow-remote is given`);
  }
  return { host, port };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function fail(message: string): never {
  throw new UsageError(message);
}

class UsageError extends Error {}

async function readTorConfig(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return fail(`cannot read the tor configuration file ${file}`);
  }
}

/**
 * This package's version, from its package.json: one directory above the bundled `dist/cli.js`, two
 * above this source file.
 */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@comrad/operator' && pkg.version) return pkg.version;
    } catch {
      // not here: one directory up
    }
  }
  return 'unknown';
}

main(process.argv).catch((err: unknown) => {
  // Start-up failures are the operator's own configuration: print them plainly, without a stack.
  // TOR-5: a TorError is one line naming its cause; tor's last log lines went to the log.
  const text =
    err instanceof TorError
      ? `cannot start tor [${err.code}]: ${err.message.split('\n')[0]}`
      : err instanceof UsageError || err instanceof Error
        ? err.message
        : String(err);
  process.stderr.write(`comrad-op: ${text}\n`);
  // CLI-6: a mistake in how it was called is a usage error (exit 2), as for `comrad`; a tor that cannot
  // bootstrap in time (no network, blocked) exits 3, as `comrad` does when it cannot reach the Operator.
  process.exit(err instanceof UsageError ? 2 : err instanceof TorError && err.code === 'TOR_TIMEOUT' ? 3 : 1);
});

