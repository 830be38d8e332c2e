/**
 * The Node client's own tor: for users who have the `tor` package but no running tor service, start
 * tor as a child process with a loopback SocksPort and hand back its `socks5h://` URL.
 * @module
 */

import { TorError, assertPortFree, pickFreePort, startTorProcess, type TorProgressListener } from '@comrad/core/node';

export { TorError, type TorErrorCode } from '@comrad/core/node';

/** Options of {@link startTorClient}. */
export interface TorClientOptions {
  /** tor's data directory (created 0700); keeping it makes later starts faster. */
  dataDir: string;
  /** Loopback SOCKS port; default: a free port picked at start. */
  socksPort?: number;
  /** Path to tor; default: PATH, /usr/sbin/tor, /usr/bin/tor. */
  torBinary?: string;
  /** Extra torrc lines, e.g. a private test network's DirAuthority lines. */
  extraTorrc?: string;
  /** Bootstrap progress (0–100) and tor's summary. */
  onProgress?: TorProgressListener;
  /** Every line tor logs. */
  onLog?: (line: string) => void;
  /** How long to wait for bootstrap; default 120 s. */
  timeoutMs?: number;
  /** Gives up the start (tor is stopped, the start fails with TOR_EXITED). */
  signal?: AbortSignal;
}

/** A running client tor. */
export interface TorClient {
  /** SOCKS URL with remote DNS, e.g. `socks5h://127.0.0.1:9150`; .onion names are resolved by tor. */
  socksUrl: string;
  /** Stop tor: SIGTERM, up to 3 s grace, then SIGKILL. */
  stop(): Promise<void>;
}

/** How often we retry with a new port when a port we picked was taken before tor could bind it. */
const PICKED_PORT_ATTEMPTS = 3;

/**
 * Start a client tor child process with a SocksPort on 127.0.0.1 and wait until it is bootstrapped.
 * @param opts - Data directory, SOCKS port, tor binary, extra torrc, progress callback, timeout.
 * @returns The `socks5h://127.0.0.1:PORT` URL to give to a SOCKS agent, and a `stop()` function.
 * @throws {TorError} `TOR_MISSING` (install the Debian package `tor`), `TOR_PORT_IN_USE` (the given port
 *   is taken), `TOR_DATA_DIR`, `TOR_EXITED` (with tor's last log lines) or `TOR_TIMEOUT`.
 */
export async function startTorClient(opts: TorClientOptions): Promise<TorClient> {
  if (opts.socksPort !== undefined) {
    if (!Number.isInteger(opts.socksPort) || opts.socksPort < 1 || opts.socksPort > 65535) {
      throw new RangeError(`socksPort must be a TCP port (1–65535), got ${opts.socksPort}`);
    }
    // Fail before tor starts, with a message naming the port.
    await assertPortFree(opts.socksPort);
    return launch(opts, opts.socksPort);
  }
  for (let attempt = 1; ; attempt++) {
    const port = await pickFreePort();
    try {
      return await launch(opts, port);
    } catch (err) {
      // Someone grabbed the port between our probe and tor's bind: pick again.
      if (err instanceof TorError && err.code === 'TOR_PORT_IN_USE' && attempt < PICKED_PORT_ATTEMPTS) continue;
      throw err;
    }
  }
}

async function launch(opts: TorClientOptions, port: number): Promise<TorClient> {
  const tor = await startTorProcess({
    dataDir: opts.dataDir,
    torrcLines: [`SocksPort 127.0.0.1:${port}`],
    ...(opts.extraTorrc !== undefined ? { extraTorrc: opts.extraTorrc } : {}),
    ...(opts.torBinary !== undefined ? { torBinary: opts.torBinary } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.onLog ? { onLog: opts.onLog } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { socksUrl: `socks5h://127.0.0.1:${port}`, stop: () => tor.stop() };
}
