/**
 * NODE-ONLY: launches the system `tor` binary as a child process and follows its bootstrap.
 *
 * This file imports `node:` built-ins and must never be reachable from core's browser-safe entry
 * points; it is exported only through the `@comrad/core/node` subpath. It is the single launcher
 * shared by the Operator's onion service and the Node client's own tor, so both report the same
 * typed {@link TorError}s and stop tor the same way.
 *
 * We deliberately use no control port: tor is configured entirely through a torrc we write, its
 * progress is read from its `Log notice stdout` lines, and it is stopped by signal.
 * @module
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { atomicWrite, privateDir } from './files.js';

/** Why starting or running tor failed; stable so callers can branch without parsing messages. */
export type TorErrorCode = 'TOR_MISSING' | 'TOR_PORT_IN_USE' | 'TOR_DATA_DIR' | 'TOR_EXITED' | 'TOR_TIMEOUT';

/** A failure of the tor child process, with a stable code and the last lines tor logged. */
export class TorError extends Error {
  override readonly name = 'TorError';
  /** Stable machine-readable cause. */
  readonly code: TorErrorCode;
  /** The last lines tor printed before the failure (empty when tor never ran). */
  readonly logTail: readonly string[];

  /**
   * Create a tor error.
   * @param code - The stable cause.
   * @param message - Human-readable explanation, naming the fix where there is one.
   * @param options - The tor log tail to attach and an optional underlying cause.
   */
  constructor(code: TorErrorCode, message: string, options: { logTail?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.logTail = options.logTail ?? [];
  }
}

/** Called with tor's bootstrap percentage (0–100) and its one-line summary. */
export type TorProgressListener = (percent: number, summary: string) => void;

const DEFAULT_TIMEOUT_MS = 120_000;
const KILL_GRACE_MS = 3_000;
const LOG_TAIL_LINES = 40;

/**
 * Locate the tor binary: the explicit path if given, else `tor` on PATH, `/usr/sbin/tor`, `/usr/bin/tor`.
 * @param explicit - A path the caller configured; when set, only it is tried.
 * @returns The absolute (or given) path of an executable tor.
 * @throws {TorError} `TOR_MISSING` when no executable tor is found.
 */
export function findTorBinary(explicit?: string): string {
  // Debian installs tor into /usr/sbin, which is often not on PATH for ordinary users.
  const candidates = explicit
    ? [explicit]
    : [
        ...(process.env['PATH'] ?? '')
          .split(delimiter)
          .filter(Boolean)
          .map((d) => join(d, 'tor')),
        '/usr/sbin/tor',
        '/usr/bin/tor',
      ];
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      return c;
    } catch {
      /* try the next one */
    }
  }
  throw new TorError(
    'TOR_MISSING',
    explicit
      ? `tor binary not found or not executable at ${explicit}; install the Debian package \`tor\` (apt-get install -y tor) or fix the path`
      : 'tor binary not found on PATH, /usr/sbin/tor or /usr/bin/tor; install the Debian package `tor` (apt-get install -y tor)',
  );
}

/**
 * Create a directory (and parents) that only this user can access, repairing the mode of an existing one.
 * tor refuses data and hidden-service directories that others can read, so we fix what we own and
 * refuse clearly what we cannot.
 * @param path - The directory to create or check.
 * @returns Resolves once the directory exists with mode 0700 and is owned by this user.
 * @throws {TorError} `TOR_DATA_DIR` when the path is not a directory, belongs to another user, or cannot be created or chmod-ed.
 */
export async function ensurePrivateDir(path: string): Promise<void> {
  try {
    await privateDir(path);
  } catch (err) {
    throw new TorError('TOR_DATA_DIR', `tor directory: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Ask the kernel for a currently free TCP port on a loopback address.
 * The port can be taken by someone else before tor binds it; callers retry on `TOR_PORT_IN_USE`.
 * @param host - The address to probe (default 127.0.0.1).
 * @returns A port number that was free a moment ago.
 */
export function pickFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/**
 * Check that a TCP port can be bound, so a taken port is reported before tor is even started.
 * @param port - The port tor will listen on.
 * @param host - The address tor will bind (default 127.0.0.1).
 * @returns Resolves when the port is free.
 * @throws {TorError} `TOR_PORT_IN_USE` when something already listens there.
 */
export function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new TorError('TOR_PORT_IN_USE', `port ${host}:${port} is already in use; choose another port or stop what listens there`)
          : err,
      );
    });
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

/** Options of {@link startTorProcess}. */
export interface TorProcessOptions {
  /** tor's DataDirectory; created with mode 0700 (an existing one is repaired). */
  dataDir: string;
  /** torrc lines specific to the caller (ports, hidden services); DataDirectory and logging are added. */
  torrcLines: readonly string[];
  /** More torrc lines appended verbatim, e.g. a private test network's DirAuthority lines. */
  extraTorrc?: string;
  /** Path to tor; default: PATH, /usr/sbin/tor, /usr/bin/tor. */
  torBinary?: string;
  /** Bootstrap progress. */
  onProgress?: TorProgressListener;
  /** Every line tor logs, e.g. to forward into the application's logger. */
  onLog?: (line: string) => void;
  /** Extra readiness condition checked after 100 % bootstrap (e.g. a hostname file exists). */
  ready?: () => Promise<boolean>;
  /** How long to wait for bootstrap and readiness; default 120 s. */
  timeoutMs?: number;
  /** Gives up the start: tor is stopped and the start fails with `TOR_EXITED` (e.g. the app closed while tor bootstrapped). */
  signal?: AbortSignal;
}

/** A running tor child process started by {@link startTorProcess}. */
export interface TorProcess {
  /** The child's process id. */
  readonly pid: number;
  /** The torrc we wrote for it. */
  readonly torrcPath: string;
  /** The last lines tor logged, oldest first. */
  logTail(): string[];
  /** True once the child has exited. */
  readonly exited: boolean;
  /** SIGTERM, wait up to 3 s, then SIGKILL; resolves when the child is gone. Safe to call twice. */
  stop(): Promise<void>;
}

// Patterns in tor's notice/warn output that name a cause more precisely than "it exited".
const PORT_IN_USE = /Could not bind to .*Address already in use|Failed to bind one of the listener ports/;
const DATA_DIR_PROBLEM =
  /another Tor process is running with the same data directory|private data directory|Permissions on directory|is not owned by this user|Directory .* cannot be read|Error creating directory|Couldn't (access|create)/;
const BOOTSTRAP = /Bootstrapped (\d{1,3})%(?: \([^)]*\))?: (.*)$/;

function classifyExit(lines: readonly string[]): TorErrorCode {
  const text = lines.join('\n');
  if (PORT_IN_USE.test(text)) return 'TOR_PORT_IN_USE';
  if (DATA_DIR_PROBLEM.test(text)) return 'TOR_DATA_DIR';
  return 'TOR_EXITED';
}

/** The log line that best explains a failure: one matching the cause, else tor's last warning. */
function problemLine(lines: readonly string[], kind: TorErrorCode): string | undefined {
  const pattern = kind === 'TOR_PORT_IN_USE' ? PORT_IN_USE : kind === 'TOR_DATA_DIR' ? DATA_DIR_PROBLEM : undefined;
  const hit = pattern && lines.find((l) => pattern.test(l));
  if (hit) return hit;
  // Skip tor's generic closing line and the warnings every test-network tor prints.
  return [...lines]
    .reverse()
    .find((l) => /\[(warn|err)\]/.test(l) && !/Reading config failed|TestingTorNetwork is set|DirAuthority|as root|Bug:/.test(l));
}

/** Send SIGTERM, wait up to `graceMs`, then SIGKILL; tor 0.4.9 occasionally hangs on exit. */
async function terminate(child: ChildProcess, graceMs = KILL_GRACE_MS): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
  if ((await Promise.race([gone, timer])) === 'late') {
    child.kill('SIGKILL');
    await gone;
  }
}

/**
 * Start tor with a torrc we write into `dataDir`, and resolve once it is bootstrapped to 100 %.
 * @param opts - Data directory, torrc lines, binary, progress callbacks, readiness check and timeout.
 * @returns The running process; the caller must `stop()` it (it is also killed when this process exits).
 * @throws {TorError} `TOR_MISSING`, `TOR_DATA_DIR`, `TOR_PORT_IN_USE`, `TOR_EXITED` (with log tail) or `TOR_TIMEOUT`.
 */
export async function startTorProcess(opts: TorProcessOptions): Promise<TorProcess> {
  const binary = findTorBinary(opts.torBinary);
  await ensurePrivateDir(opts.dataDir);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const torrcPath = join(opts.dataDir, 'torrc');
  // An empty defaults file keeps a system-wide /etc/tor/torrc-defaults out of our configuration.
  const defaultsPath = join(opts.dataDir, 'torrc-defaults');
  const torrc = [
    '# Written by Comrad at every start; edits are overwritten.',
    `DataDirectory ${opts.dataDir}`,
    'RunAsDaemon 0',
    'Log notice stdout',
    // tor polls this PID and exits when we are gone, even if we die by SIGKILL.
    `__OwningControllerProcess ${process.pid}`,
    ...opts.torrcLines,
    ...(opts.extraTorrc ? ['# extra', opts.extraTorrc.trimEnd()] : []),
    '',
  ].join('\n');
  try {
    // Replaced, never written through a link planted in the directory, and exactly 0600 (HOME-2).
    await atomicWrite(torrcPath, torrc);
    await atomicWrite(defaultsPath, '');
  } catch (err) {
    throw new TorError('TOR_DATA_DIR', `cannot write ${torrcPath}: ${(err as Error).message}`, { cause: err });
  }

  const child = spawn(binary, ['--defaults-torrc', defaultsPath, '-f', torrcPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const tail: string[] = [];
  let percent = -1;
  let exited = false;
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    opts.onLog?.(line);
    const m = BOOTSTRAP.exec(line);
    if (m) {
      percent = Number(m[1]);
      opts.onProgress?.(percent, m[2] ?? '');
    }
  };
  // Keep draining both pipes for tor's whole life: a full pipe would block tor.
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);

  const killOnExit = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const exitPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      process.off('exit', killOnExit);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      exited = true;
      process.off('exit', killOnExit);
      resolve({ code: null, signal: null, error });
    });
  });

  let stopping: Promise<void> | undefined;
  const proc: TorProcess = {
    get pid() {
      return child.pid ?? -1;
    },
    torrcPath,
    logTail: () => [...tail],
    get exited() {
      return exited;
    },
    stop: () => (stopping ??= terminate(child)),
  };

  const deadline = Date.now() + timeoutMs;
  const sleep = (ms: number): Promise<'tick'> => new Promise((r) => setTimeout(() => r('tick'), ms));
  const waitForBootstrap = async (): Promise<void> => {
    for (;;) {
      const winner = await Promise.race([exitPromise, sleep(200)]);
      if (winner !== 'tick') {
        // Let readline deliver the last buffered lines before we classify them.
        await sleep(50);
        if (winner.error) {
          const code = (winner.error as NodeJS.ErrnoException).code;
          throw new TorError(
            code === 'ENOENT' || code === 'EACCES' ? 'TOR_MISSING' : 'TOR_EXITED',
            `could not start ${binary}: ${winner.error.message}; install the Debian package \`tor\``,
            { cause: winner.error },
          );
        }
        const lines = [...tail];
        const kind = classifyExit(lines);
        const why = problemLine(lines, kind);
        const head =
          kind === 'TOR_PORT_IN_USE'
            ? 'tor could not bind a port: it is already in use'
            : kind === 'TOR_DATA_DIR'
              ? `tor cannot use its data directory ${opts.dataDir} (another tor using it, or wrong owner or permissions)`
              : `tor exited early (code ${winner.code}, signal ${winner.signal})`;
        throw new TorError(kind, `${head}${why ? `: ${why}` : ''}\n--- last tor log lines ---\n${lines.slice(-15).join('\n')}`, {
          logTail: lines,
        });
      }
      if (percent >= 100 && (!opts.ready || (await opts.ready()))) return;
      if (opts.signal?.aborted) throw new TorError('TOR_EXITED', `tor was stopped before it finished bootstrapping (reached ${Math.max(percent, 0)}%)`, { logTail: [...tail] });
      if (Date.now() > deadline) {
        const lines = [...tail];
        throw new TorError(
          'TOR_TIMEOUT',
          `tor did not finish bootstrapping within ${timeoutMs} ms (reached ${Math.max(percent, 0)}%)` +
            `\n--- last tor log lines ---\n${lines.slice(-15).join('\n')}`,
          { logTail: lines },
        );
      }
    }
  };

  try {
    await waitForBootstrap();
    return proc;
  } catch (err) {
    // Never leave a half-started tor behind, whatever went wrong (timeout, a failing ready check).
    await proc.stop();
    throw err;
  }
}
