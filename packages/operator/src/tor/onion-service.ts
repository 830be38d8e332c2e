/**
 * Makes the Operator reachable as a Tor v3 onion service by running the system `tor` binary as a
 * child process with a torrc we write (no control port needed).
 *
 * The hidden-service directory lives inside `dataDir` and keeps the service's ed25519 key, so the
 * .onion address stays the same across restarts as long as that directory is kept (and backed up).
 * @module
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TorError, ensurePrivateDir, startTorProcess, type TorProgressListener } from '@comrad/core/node';

export { TorError, type TorErrorCode } from '@comrad/core/node';

/** Options of {@link startOnionService}. */
export interface OnionServiceOptions {
  /** tor's data directory, e.g. `<operator data>/tor`; created 0700. Its `hidden_service/` keeps the key. */
  dataDir: string;
  /** The Operator's loopback WebSocket port that onion traffic is forwarded to. */
  targetPort: number;
  /** The port clients dial on the .onion address; default 80. */
  virtualPort?: number;
  /** Path to tor; default: PATH, /usr/sbin/tor, /usr/bin/tor. */
  torBinary?: string;
  /** Extra torrc lines, e.g. a private test network's DirAuthority lines. */
  extraTorrc?: string;
  /** Bootstrap progress (0–100) and tor's summary. */
  onProgress?: TorProgressListener;
  /** Every line tor logs, e.g. to forward to the Operator's logger. */
  onLog?: (line: string) => void;
  /** How long to wait for bootstrap; default 120 s. */
  timeoutMs?: number;
}

/** A running onion service. */
export interface OnionService {
  /** The service address: 56 base32 characters followed by `.onion`. */
  onionAddress: string;
  /** Stop tor: SIGTERM, up to 3 s grace, then SIGKILL. */
  stop(): Promise<void>;
}

const ONION_V3 = /^[a-z2-7]{56}\.onion$/;

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`${name} must be a TCP port (1–65535), got ${port}`);
  }
}

async function readHostname(path: string): Promise<string | undefined> {
  try {
    const host = (await readFile(path, 'utf8')).trim();
    return ONION_V3.test(host) ? host : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Start tor as a child process publishing a v3 onion service in front of the Operator's loopback port.
 * @param opts - Data directory, target and virtual ports, tor binary, extra torrc, progress callback, timeout.
 * @returns The .onion address (stable for a kept `dataDir`) and a `stop()` function.
 * @throws {TorError} `TOR_MISSING` (install the Debian package `tor`), `TOR_DATA_DIR`, `TOR_PORT_IN_USE`,
 *   `TOR_EXITED` (with tor's last log lines) or `TOR_TIMEOUT`.
 * @throws {RangeError} When a port is not a valid TCP port.
 */
export async function startOnionService(opts: OnionServiceOptions): Promise<OnionService> {
  const virtualPort = opts.virtualPort ?? 80;
  checkPort('targetPort', opts.targetPort);
  checkPort('virtualPort', virtualPort);

  await ensurePrivateDir(opts.dataDir);
  const hsDir = join(opts.dataDir, 'hidden_service');
  // tor refuses a hidden-service directory that others can read; repair one that was copied or restored.
  await ensurePrivateDir(hsDir);
  const hostnameFile = join(hsDir, 'hostname');

  const tor = await startTorProcess({
    dataDir: opts.dataDir,
    torrcLines: [
      // The service needs no SOCKS listener, and none means no port that can collide.
      'SocksPort 0',
      `HiddenServiceDir ${hsDir}`,
      'HiddenServiceVersion 3',
      `HiddenServicePort ${virtualPort} 127.0.0.1:${opts.targetPort}`,
    ],
    ...(opts.extraTorrc !== undefined ? { extraTorrc: opts.extraTorrc } : {}),
    ...(opts.torBinary !== undefined ? { torBinary: opts.torBinary } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.onLog ? { onLog: opts.onLog } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ready: async () => (await readHostname(hostnameFile)) !== undefined,
  });

  const onionAddress = await readHostname(hostnameFile);
  if (!onionAddress) {
    await tor.stop();
    throw new TorError('TOR_DATA_DIR', `tor did not write a valid v3 address to ${hostnameFile}`, {
      logTail: tor.logTail(),
    });
  }
  return { onionAddress, stop: () => tor.stop() };
}
